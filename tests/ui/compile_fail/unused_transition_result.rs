#![deny(unused_must_use)]
use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/steps.toml")]
pub struct Article;

fn main() {
    let draft = article::Machine::new(Article);
    draft.submit();
}
