//! An account closes its Huawei Cloud services (002 §1.4): the closing
//! checks refuse once, restoring is refused within 24 hours, then allowed;
//! closed again, the services are disabled automatically when the 90-day
//! retention period ends. The clock is ours: every event is given its instant.
//! Run: `cargo run --example service_closing`.

mod common;

use std::time::{Duration, SystemTime};

use common::refused;
use turnstile::Acting;
use turnstile_workflows::rules::service_closing::Obstacle;
use turnstile_workflows::{service_closing, ServiceClosing};

const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn main() {
    // 2026-11-24T09:00:00Z
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800);
    println!("service_closing: acme-ops closes its services");
    let mut data = ServiceClosing::new("acme-ops");
    data.obstacles.insert(Obstacle::Balance);
    let m = service_closing::Machine::new(data, t0);
    // The account holder acts: only a customer closes, restores and
    // disables (002 §1.4.1, §1.4.5). The retention timer needs nobody.
    let customer = Acting::<service_closing::role::Customer>::authenticated();

    // Refused: the account still has a balance (002 §1.4.6).
    let mut m = refused(step!(m.close(&customer, t0)).unwrap_err());
    m.data_mut().obstacles.clear();
    let closed_at = t0 + HOUR;
    let m = step!(m.close(&customer, closed_at)).expect("nothing is in the way");

    // Refused: not within 24 hours of closing (002 §1.4.5).
    let m = refused(step!(m.restore(&customer, closed_at + 23 * HOUR)).unwrap_err());
    let m = step!(m.restore(&customer, closed_at + DAY)).expect("24 hours have passed");

    // Closed again; nobody restores or disables it by hand.
    let closed_at = closed_at + 2 * DAY;
    let m = step!(m.close(&customer, closed_at)).expect("still nothing in the way");
    let m = refused(step!(m.retention_period_ends(closed_at + 89 * DAY)).unwrap_err());
    // On day 90 the retention period has ended: restoring is too late.
    let m = refused(step!(m.restore(&customer, closed_at + 90 * DAY)).unwrap_err());
    let m = step!(m.retention_period_ends(closed_at + 90 * DAY)).expect("day 90");
    println!(
        "  ended in `{}`, entered at {:?}",
        m.state(),
        m.entered_at()
    );
}
