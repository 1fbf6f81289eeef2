use turnstile::Workflow;

#[derive(Workflow, Debug, Default)]
#[workflow(file = "workflows/tests/fixtures/nested_timers.toml")]
pub struct Account;

fn main() {
    // `review_lapses` is a timer of `reviewing`: not allowed in `kept`,
    // which is inside `closed` but not inside `reviewing`.
    let now = std::time::SystemTime::UNIX_EPOCH;
    let kept = retention::Machine::new(Account, now).close(now);
    let _ = kept.review_lapses(now);
}
