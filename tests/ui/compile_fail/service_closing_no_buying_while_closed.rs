//! A closed account is frozen: it logs in only to view its records, and
//! cannot enable or purchase services until restored (002 §1.4.2, §1.4.4,
//! §1.4.5).
use turnstile_workflows::service_closing::{can, state, Machine};

fn buy<S: turnstile::State>(m: &Machine<S>)
where
    Machine<S>: can::BuyResources,
{
    let _ = m;
}

fn in_state(m: Machine<state::Closed>) {
    buy(&m);
}

fn main() {}
