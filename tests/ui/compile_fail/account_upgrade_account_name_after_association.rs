//! Associated with an existing HUAWEI ID, the account name becomes the
//! tenant name: login is with the ID's login ID, mobile number or email
//! (002 §1.3.2, §1.5.5).
use turnstile_workflows::account_upgrade::{can, state, Machine};

fn log_in_with_account_name<S: turnstile::State>(m: &Machine<S>)
where
    Machine<S>: can::LogInWithAccountName,
{
    let _ = m;
}

fn in_state(m: Machine<state::AssociatedWithExistingId>) {
    log_in_with_account_name(&m);
}

fn main() {}
