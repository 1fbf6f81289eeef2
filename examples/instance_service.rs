//! A request handler over stored instances, the shape of an HTTP endpoint
//! `POST /accounts/{id}/events/{event}`: load the account's instance from
//! its row, fire the event named in the request, store the result. An
//! in-memory map of JSON rows stands in for the table.
//! Run: `cargo run --example instance_service`.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use turnstile::{Actor, Instance, Why};
use turnstile_workflows::ServiceClosing;

/// The table: one JSON snapshot per account id.
type Table = HashMap<String, String>;

/// What the HTTP layer hands the handler.
struct Request<'a> {
    account: &'a str,
    event: &'a str,
    actor: &'a str,
    /// The roles the caller's credentials carry (from the authentication
    /// layer, which this example leaves out).
    roles: &'a [&'a str],
    now: SystemTime,
}

/// Loads, fires, stores: a status code and a JSON body saying what happened.
fn handle(table: &mut Table, request: &Request) -> (u16, serde_json::Value) {
    let Some(row) = table.get(request.account) else {
        return (404, serde_json::json!({ "error": "no such account" }));
    };
    let instance: Instance<ServiceClosing> = match serde_json::from_str(row) {
        Ok(instance) => instance,
        // A row we cannot read is refused, never overwritten.
        Err(e) => return (500, serde_json::json!({ "error": e.to_string() })),
    };
    let (status, instance, error) = match instance.fire(
        request.event,
        Actor::new(request.actor).with_roles(request.roles),
        request.now,
    ) {
        Ok(next) => (200, next, None),
        Err(refused) => {
            let status = match refused.why() {
                Why::UnknownEvent { .. } => 400,
                Why::Forbidden { .. } => 403,
                Why::Guard(_) => 422,
                _ => 409, // not allowed now, a timer says not yet, or the clock is behind
            };
            let message = refused.to_string();
            // The instance comes back unchanged, except for automatic
            // transitions that fell due by `now`: store those too.
            (status, refused.into_inner(), Some(message))
        }
    };
    let body = serde_json::json!({
        "state": instance.state(),
        "allowed": instance.allowed(),
        "error": error,
    });
    match serde_json::to_string(&instance) {
        Ok(row) => {
            table.insert(request.account.to_string(), row);
            (status, body)
        }
        Err(e) => (500, serde_json::json!({ "error": e.to_string() })),
    }
}

fn main() {
    // 2026-11-24T09:00:00Z
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800);
    let day = Duration::from_secs(24 * 60 * 60);
    let mut table = Table::new();
    let start = Instance::start(ServiceClosing::new("acme-ops"), t0);
    table.insert(
        "acme-ops".into(),
        serde_json::to_string(&start).expect("a new instance serializes"),
    );

    // Alice and Bob hold the account (the customer role, who closes and
    // restores, 002 §1.4); Mallory holds no role.
    let customer: &[&str] = &["customer"];
    let requests = [
        ("acme-ops", "close", "mallory", &[][..], t0),
        ("acme-ops", "close", "alice", customer, t0),
        ("acme-ops", "restor", "alice", customer, t0 + day),
        ("acme-ops", "restore", "alice", customer, t0 + day / 2),
        ("acme-ops", "restore", "alice", customer, t0 + day),
        ("acme-ops", "close", "alice", customer, t0 + 2 * day),
        ("acme-ops", "restore", "bob", customer, t0 + 95 * day),
        ("globex", "close", "carol", customer, t0),
    ];
    for (account, event, actor, roles, at) in requests {
        let request = Request {
            account,
            event,
            actor,
            roles,
            now: at,
        };
        let (status, body) = handle(&mut table, &request);
        println!("POST /accounts/{account}/events/{event} (by {actor}) -> {status} {body}");
    }
    let stored: Instance<ServiceClosing> =
        serde_json::from_str(&table["acme-ops"]).expect("the row reads back");
    println!("\naudit trail of acme-ops:");
    for step in stored.trail() {
        println!(
            "  {} --{}--> {}  at {:?} by {}",
            step.from,
            step.event,
            step.to,
            step.at,
            step.actor.as_deref().unwrap_or("-")
        );
    }
}
