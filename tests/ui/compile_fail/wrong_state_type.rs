use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/steps.toml")]
pub struct Article;

fn main() {
    let _m: article::Machine<article::state::Published> = article::Machine::new(Article).submit();
}
