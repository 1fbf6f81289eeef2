use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/steps.toml")]
pub struct Article;

fn main() {
    let published = article::Machine::new(Article).submit().publish();
    let _ = published.submit();
}
