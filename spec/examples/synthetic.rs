//! Prints a synthetic workflow definition of any size, for timing the
//! `turnstile` command by hand:
//!
//! ```text
//! cargo run --release -p turnstile-spec --example synthetic -- 10000 5 > big.toml
//! time ./target/release/turnstile check big.toml
//! ```

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    match (args.next(), args.next()) {
        (Some(Ok(states)), Some(Ok(per_state))) => {
            print!(
                "{}",
                turnstile_spec::synthetic::definition(states, per_state)
            );
        }
        _ => {
            eprintln!("usage: synthetic STATES TRANSITIONS_PER_STATE");
            std::process::exit(2);
        }
    }
}
