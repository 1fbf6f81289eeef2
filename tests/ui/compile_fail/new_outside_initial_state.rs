use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/steps.toml")]
pub struct Article;

fn main() {
    let _ = article::Machine::<article::state::Published>::new(Article);
}
