use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/steps.toml")]
pub struct Article;

fn main() {
    let draft = article::Machine::new(Article);
    let _ = draft.publish();
}
