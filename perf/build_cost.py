#!/usr/bin/env python3
"""What a user's build pays: a cold `cargo build` of a small downstream crate
that defines one 10-state typestate machine (a chain of nine events) and
walks it, written four ways:

  turnstile       the derive on a definition file, default features
  turnstile-lean  the same with `default-features = false` (no diagram
                  in the rustdoc, so no renderer compiled)
  statum          statum's #[state], #[machine] and #[transition]
  smlang          smlang's statemachine! (not typestate: the closest peer
                  that also writes the machine from a table)

Each crate gets a fresh target directory for each round, so every
dependency is compiled (the registry's sources are already downloaded by
the first round). Reported per crate: the median wall and CPU (user + sys)
time over the rounds, and how many crates cargo compiled.

    python3 perf/build_cost.py            # 3 rounds
    python3 perf/build_cost.py --rounds 1

Timings on a shared 2-core machine vary by tens of percent between runs:
compare the crates of one run, as their rounds interleave.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "build-cost"
STATES = 10

CHAIN_TOML = "\n".join(
    ["[workflow]", 'name = "chain"', 'initial = "s0"']
    + [f"[states.s{i}]" for i in range(STATES - 1)]
    + [f"[states.s{STATES - 1}]", "final = true"]
    + [
        f'[[transitions]]\nevent = "e{i}"\nfrom = "s{i}"\nto = "s{i + 1}"'
        for i in range(STATES - 1)
    ]
) + "\n"


def turnstile_main():
    walk = "".join(f".e{i}()" for i in range(STATES - 1))
    return f"""use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "chain.toml")]
pub struct Chain {{
    pub steps: u32,
}}

fn main() {{
    let end = chain::Machine::new(Chain {{ steps: 0 }}){walk};
    println!("{{}}", end.state());
}}
"""


def statum_main():
    states = ", ".join(f"S{i}" for i in range(STATES))
    impls = "\n".join(
        f"""#[transition]
impl Chain<S{i}> {{
    fn e{i}(self) -> Chain<S{i + 1}> {{
        self.transition()
    }}
}}"""
        for i in range(STATES - 1)
    )
    walk = "".join(f".e{i}()" for i in range(STATES - 1))
    return f"""use statum::{{machine, state, transition}};

#[state]
enum ChainState {{ {states} }}

#[machine]
struct Chain<ChainState> {{
    steps: u32,
}}

{impls}

fn main() {{
    let end = Chain::<S0>::builder().steps(0).build(){walk};
    println!("{{}}", end.steps);
}}
"""


def smlang_main():
    transitions = "\n".join(
        f"        {'*' if i == 0 else ''}S{i} + E{i} = S{i + 1}," for i in range(STATES - 1)
    )
    walk = "\n".join(f"    machine.process_event(Events::E{i}).unwrap();" for i in range(STATES - 1))
    return f"""smlang::statemachine! {{
    transitions: {{
{transitions}
    }}
}}

pub struct Context;
impl StateMachineContext for Context {{}}

fn main() {{
    let mut machine = StateMachine::new(Context);
{walk}
    println!("{{:?}}", machine.state() == &States::S{STATES - 1});
}}
"""


def crates():
    path = str(ROOT)
    return {
        "turnstile": (f'turnstile = {{ path = "{path}" }}', turnstile_main(), True),
        "turnstile-lean": (
            f'turnstile = {{ path = "{path}", default-features = false }}',
            turnstile_main(),
            True,
        ),
        "statum": ('statum = "0.9"', statum_main(), False),
        "smlang": ('smlang = "0.8"', smlang_main(), False),
    }


def write(name, dependency, main, ours):
    dir = WORK / name
    shutil.rmtree(dir, ignore_errors=True)
    (dir / "src").mkdir(parents=True)
    (dir / "Cargo.toml").write_text(
        f'[package]\nname = "chain-{name}"\nversion = "0.1.0"\nedition = "2021"\n'
        f"publish = false\n\n[dependencies]\n{dependency}\n\n[workspace]\n"
    )
    (dir / "src" / "main.rs").write_text(main)
    if ours:
        (dir / "chain.toml").write_text(CHAIN_TOML)
        shutil.copy(ROOT / "Cargo.lock", dir / "Cargo.lock")
    return dir


def build(dir):
    target = dir / "target"
    shutil.rmtree(target, ignore_errors=True)
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    env.pop("RUSTFLAGS", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(
        ["cargo", "build"], cwd=dir, env=env, capture_output=True, text=True
    )
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{dir.name} does not build:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    compiled = sum(1 for line in done.stderr.splitlines() if line.strip().startswith("Compiling"))
    return wall, cpu, compiled


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    dirs = {name: write(name, *spec) for name, spec in crates().items()}
    # Fetch every crate's sources first, so that no round times a download.
    for dir in dirs.values():
        subprocess.run(["cargo", "fetch", "-q"], cwd=dir, check=True)
    results = {name: [] for name in dirs}
    for r in range(args.rounds):
        for name, dir in dirs.items():
            results[name].append(build(dir))
            wall, cpu, compiled = results[name][-1]
            print(f"round {r + 1}: {name}: {wall:.1f} s wall, {cpu:.1f} s CPU, {compiled} crates", flush=True)
    print()
    print("| crate | cold `cargo build`, wall | CPU | crates compiled |")
    print("|---|---|---|---|")
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"| {name} | {wall:.1f} s | {cpu:.1f} s | {runs[0][2]} |")


if __name__ == "__main__":
    main()
