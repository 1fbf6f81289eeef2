//! Once services are disabled, the HUAWEI ID can no longer log in to Huawei
//! Cloud, nor view the account's records (002 §1.4.2, §1.4.4, §1.4.8).
use turnstile_workflows::service_closing::{can, state, Machine};

fn log_in<S: turnstile::State>(m: &Machine<S>)
where
    Machine<S>: can::LogIn,
{
    let _ = m;
}

fn view_bills<S: turnstile::State>(m: &Machine<S>)
where
    Machine<S>: can::ViewBills,
{
    let _ = m;
}

fn in_state(m: Machine<state::Disabled>) {
    log_in(&m);
    view_bills(&m);
}

fn main() {}
