// `dispatch = false`: the typed machine alone, without dispatch by name.
use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/steps.toml", dispatch = false)]
pub struct Article;

fn main() {
    let published = article::Machine::new(Article).submit().publish();
    assert_eq!(published.state(), "published");
    assert_eq!(<Article as Workflow>::STATES, ["draft", "in_review", "published"]);
}
