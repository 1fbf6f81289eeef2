use turnstile::Workflow;

#[derive(Workflow, Debug, Default)]
#[workflow(file = "tests/ui/workflows/nested.toml")]
pub struct Account;

fn main() {
    // `lift` is allowed within `limited`, not in `good`.
    let good = limits::Machine::new(Account);
    let _ = good.lift();
}
