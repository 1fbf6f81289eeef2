//! A promise broken on purpose and marked `severity = "warning"` does not
//! stop the build: the machine is generated as without it.
use std::time::{Duration, SystemTime};

use turnstile::{Acting, Workflow};

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/promise_warned.toml")]
pub struct Account;

fn main() {
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let customer = Acting::<closing::role::Customer>::authenticated();
    let active = closing::Machine::new(Account, t0);
    let closed = active.close(&customer, t0);
    assert_eq!(closed.state(), "closed");
}
