use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/steps.toml")]
pub struct Article;

fn main() {
    let draft = article::Machine::new(Article);
    let _review = draft.submit();
    let _again = draft.submit();
}
