// `dispatch = false` leaves out dispatch by name: no `Current`, no `Event`.
use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/steps.toml", dispatch = false)]
pub struct Article;

fn main() {
    let current = article::Current::from(article::Machine::new(Article));
    let _ = current.fire("submit", std::time::SystemTime::now());
}
