//! The account as one machine (`workflows/account/account.toml`): its
//! services, partner, restriction and freeze run side by side. One account
//! becomes a reseller customer, is frozen until the partner sets a budget,
//! and cannot close while associated; another is frozen, restored by a
//! ticket, closes, is refused a restore within 24 hours and restores the
//! day after; a third becomes a partner, restricted and frozen in one step.
//! Each step prints the configuration (services, partner, restriction,
//! freeze) before and after, each refusal the rule that refused it.
//!
//! Run: `cargo run --example account`.

use std::time::{Duration, SystemTime};

use turnstile::{Acting, Actor};
use turnstile_account::{role, state, Account, Current, Machine, PartnerModel};

const HOUR: Duration = Duration::from_secs(60 * 60);

/// Fires `event` as `who` with `payload`, printing the step; a refusal is
/// printed and the account handed back as it was.
fn step(
    c: Current,
    event: &str,
    payload: Option<&str>,
    who: &Actor,
    now: SystemTime,
) -> (Current, bool) {
    let before = c.states().join(", ");
    match c.fire_with(event, payload, who, now) {
        Ok(c) => {
            println!("  ({before}) --{event}--> ({})", c.states().join(", "));
            (c, true)
        }
        Err(refused) => {
            println!("  ({before}) --{event}--> refused: {}", refused.why());
            (refused.into_inner(), false)
        }
    }
}

fn main() {
    // 2026-11-24T09:00:00Z
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800);
    let customer = Actor::new("holder").with_roles(&["customer"]);
    let partner = Actor::new("reseller-7").with_roles(&["partner"]);
    let system = Actor::new("platform").with_roles(&["system"]);
    let staff = Actor::new("after-sales-3").with_roles(&["staff"]);

    println!("account: acme becomes a reseller customer");
    let c = Current::start(Account::new("acme", PartnerModel::Reseller), t0);
    let (c, _) = step(c, "associate", None, &customer, t0 + HOUR);
    println!("    may buy: {}", c.permits("buy_resources"));
    let (c, _) = step(c, "set_budget", None, &partner, t0 + 2 * HOUR);
    println!("    may buy: {}", c.permits("buy_resources"));
    let (c, _) = step(c, "exceed_budget", None, &system, t0 + 3 * HOUR);
    let (c, _) = step(c, "set_budget", None, &partner, t0 + 4 * HOUR);
    // An associated account cannot be closed (002 §1.4.6, §3.1.9).
    let (_, closed) = step(c, "close", None, &customer, t0 + 5 * HOUR);
    assert!(!closed);

    println!("account: globex is frozen, restored by a ticket, closes and restores");
    let c = Current::start(Account::new("globex", PartnerModel::Referral), t0);
    let (c, _) = step(c, "freeze", Some(r#""Violation""#), &system, t0 + HOUR);
    let (c, closed) = step(c, "close", None, &customer, t0 + 2 * HOUR);
    assert!(!closed);
    let materials = r#"{"identity_document":"Passport","card_front":false,"transaction_months":0,"matches_card_holder":true}"#;
    let (c, _) = step(
        c,
        "submit_freeze_ticket",
        Some(materials),
        &customer,
        t0 + 3 * HOUR,
    );
    let (c, _) = step(
        c,
        "decide_freeze",
        Some(r#"{"restore":true,"note":"identity verified"}"#),
        &staff,
        t0 + 4 * HOUR,
    );
    let closed_at = t0 + 5 * HOUR;
    let (c, _) = step(c, "close", None, &customer, closed_at);
    println!("    may view bills: {}", c.permits("view_bills"));
    let (c, restored) = step(c, "restore", None, &customer, closed_at + 23 * HOUR);
    assert!(!restored);
    let (c, _) = step(c, "restore", None, &customer, closed_at + 24 * HOUR);
    println!("    may buy: {}", c.permits("buy_resources"));

    println!("account: initech becomes a partner (typed: one step, two regions)");
    let platform = Acting::<role::System>::authenticated();
    let m = Machine::new(Account::new("initech", PartnerModel::Referral), t0);
    let m: Machine<(
        state::Active,
        state::NoPartner,
        state::Restricted,
        state::Frozen,
    )> = m.become_partner(&platform, t0 + HOUR);
    println!("  become_partner --> ({})", m.states().join(", "));
    println!(
        "    may buy: {}, may log in: {}",
        m.permits("buy_resources"),
        m.permits("log_in")
    );
}
