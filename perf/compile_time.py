#!/usr/bin/env python3
"""Compile time of a derived workflow against the same machine written by hand.

Generates, under target/compile-bench/, one crate per (kind, shape, size):

- a chain of N states s1..sN; state i has events to i+1, i-1 and i+2 where
  those exist (about 3 transitions per state); sN is final;
- shapes `nested` and `flattened`: `distinct`, plus an exit per group of
  10 states to the last one, written once from a compound state around
  the group (`nested`) or from the list of its states (`flattened`): the
  same machine, to compare what nesting costs;
- shape `distinct`: every transition has an event of its own
  (`next_7`, `back_7`, `skip_7`); shape `shared`: three names (`next`,
  `back`, `skip`) shared by every state; shape `roles`: `distinct` with
  three roles (each transition restricted to one, in turn) and two
  capabilities (each state permitting one, in turn): the hand-written
  crate is the same as for `distinct`, so the derive's growth over it is
  what roles and capabilities cost;
- shape `regions`: the same N states as three parallel regions of N/3
  (`regions = [...]`), each a `distinct` chain of its own; every 10th
  transition of the first region asks the second to be in its first two
  states (`when`), and every 10th event of the second region is a joint
  move with the third: what regions cost against `distinct` at the same N
  (its hand-written crate is `distinct`'s);
- kind `hand`: typestate written by hand (a zero-sized struct per state,
  `Machine<S>`, one inherent `impl Machine<Si>` per state with a method per
  event); kind `derive`: `#[derive(turnstile::Workflow)]` on the same
  definition in TOML, with dispatch by name (the default); kind `typed`:
  the derive with `dispatch = false`, the typed machine alone (what the
  hand-written crate has).

and times, for each, `cargo check` and `cargo build` (dev profile):

- cold: the crate's own artifacts and incremental state removed
  (`cargo clean -p`), its dependencies already built;
- warm: the crate built before and its source touched (what an edit costs).

Each figure is the median of --runs runs; `peak` is the largest resident
set of the cargo process tree (cargo waits for rustc, so rustc's peak is
included). The ratio column divides the derive's time by the hand-written
crate's time in the same run.

    python3 perf/compile_time.py                   # N = 10, 100, 1000, 5000
    python3 perf/compile_time.py --sizes 1000 --runs 5 --commands check
    python3 perf/compile_time.py --sizes 1000 --commands check --shapes distinct,shared,roles
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


GROUP = 10


def transitions(n, shape):
    """(event, from, to) for the chain of n states; shapes `nested` and
    `flattened` add, per group of GROUP states, an exit `leave_<g>` from
    each of them to the last state."""
    out = []
    for i in range(1, n):
        for name, to in (("next", i + 1), ("back", i - 1), ("skip", i + 2)):
            if 1 <= to <= n:
                event = name if shape == "shared" else f"{name}_{i}"
                out.append((event, i, to))
    if shape in ("nested", "flattened"):
        for i in range(1, n):
            out.append((f"leave_{(i - 1) // GROUP}", i, n))
    return out


def regions(n):
    """Three parallel regions of n // 3 states each (see the module doc)."""
    m = n // 3
    lines = ["[workflow]", 'name = "chain"', 'regions = ["r0", "r1", "r2"]', ""]
    for r in range(3):
        lines += [f"[states.r{r}]", f'initial = "r{r}_s1"']
        for i in range(1, m + 1):
            lines += [f"[states.r{r}_s{i}]", f'parent = "r{r}"']
            if i == m:
                lines.append("final = true")
    for r in range(3):
        for k, (event, a, b) in enumerate(transitions(m, "distinct")):
            if r == 2 and event.startswith("next_") and a % 10 == 0:
                # The third region's half of a joint move of the second's.
                event = f"r1_{event}"
            else:
                event = f"r{r}_{event}"
            lines += ["", "[[transitions]]", f'event = "{event}"', f'from = "r{r}_s{a}"', f'to = "r{r}_s{b}"']
            if r == 0 and k % 10 == 0:
                lines.append('when = ["r1_s1", "r1_s2"]')
    return "\n".join(lines) + "\n"


def definition(n, shape):
    if shape == "regions":
        return regions(n)
    lines = ["[workflow]", 'name = "chain"', 'initial = "s1"', ""]
    roles = shape == "roles"
    if roles:
        lines += ["[roles.r0]", "[roles.r1]", "[roles.r2]", "[capabilities.c0]", "[capabilities.c1]", ""]
    for i in range(1, n + 1):
        lines.append(f"[states.s{i}]")
        if roles:
            lines.append(f'permits = "c{i % 2}"')
        if i == n:
            lines.append("final = true")
    if shape in ("nested", "flattened"):
        return grouped(n, shape, lines)
    for k, (event, a, b) in enumerate(transitions(n, shape)):
        lines += ["", "[[transitions]]", f'event = "{event}"', f'from = "s{a}"', f'to = "s{b}"']
        if roles:
            lines.append(f'by = "r{k % 3}"')
    return "\n".join(lines) + "\n"


def grouped(n, shape, lines):
    """The `distinct` chain with an exit per group of GROUP states: written
    once from a compound state around the group (`nested`), or from the
    list of its states (`flattened`): the same machine."""
    groups = [list(range(g, min(g + GROUP, n))) for g in range(1, n, GROUP)]
    if shape == "nested":
        out = []
        for line in lines:
            out.append(line)
            if line.startswith("[states.s") and line != f"[states.s{n}]":
                i = int(line[len("[states.s"):-1])
                out.append(f'parent = "g{(i - 1) // GROUP}"')
        lines = out
        for k, members in enumerate(groups):
            lines += [f"[states.g{k}]", f'initial = "s{members[0]}"']
    for event, a, b in transitions(n, "distinct"):
        lines += ["", "[[transitions]]", f'event = "{event}"', f'from = "s{a}"', f'to = "s{b}"']
    for k, members in enumerate(groups):
        source = f'"g{k}"' if shape == "nested" else "[" + ", ".join(f'"s{i}"' for i in members) + "]"
        lines += ["", "[[transitions]]", f'event = "leave_{k}"', f"from = {source}", f'to = "s{n}"']
    return "\n".join(lines) + "\n"


def hand_written(n, shape):
    out = [
        "//! The chain machine written by hand: typestate structs and inherent methods.",
        "#![allow(missing_docs, dead_code)]",
        "use core::marker::PhantomData;",
        "pub struct Data { pub n: u32 }",
        "pub struct Machine<S> { data: Data, state: PhantomData<fn() -> S> }",
        "impl Machine<S1> { pub fn new(data: Data) -> Self { Machine { data, state: PhantomData } } }",
        "impl<S> Machine<S> { pub fn data(&self) -> &Data { &self.data } }",
    ]
    for i in range(1, n + 1):
        out.append(f"pub struct S{i};")
    by_state = {}
    for event, a, b in transitions(n, shape):
        by_state.setdefault(a, []).append((event, b))
    for a, events in sorted(by_state.items()):
        methods = " ".join(
            f"pub fn {e}(self) -> Machine<S{b}> {{ Machine {{ data: self.data, state: PhantomData }} }}"
            for e, b in events
        )
        out.append(f"impl Machine<S{a}> {{ {methods} }}")
    return "\n".join(out) + "\n"


def derived(dispatch):
    option = "" if dispatch else ", dispatch = false"
    return (
        "//! The chain machine derived from chain.toml.\n"
        "#![allow(missing_docs)]\n"
        "#[derive(turnstile::Workflow)]\n"
        f'#[workflow(file = "chain.toml"{option})]\n'
        "pub struct Data {\n    pub n: u32,\n}\n"
    )


KINDS = ("hand", "typed", "derive")


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def generate(base, sizes, shapes):
    members = []
    for n in sizes:
        for shape in shapes:
            for kind in KINDS:
                name = f"{kind}_{shape}_{n}"
                members.append(name)
                crate = base / name
                deps = "" if kind == "hand" else f'turnstile = {{ path = "{ROOT.as_posix()}" }}\n'
                write(
                    crate / "Cargo.toml",
                    f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
                    f"[dependencies]\n{deps}",
                )
                if kind == "hand":
                    write(crate / "src/lib.rs", hand_written(n, "distinct" if shape == "regions" else shape))
                else:
                    write(crate / "chain.toml", definition(n, shape))
                    write(crate / "src/lib.rs", derived(kind == "derive"))
    listed = ", ".join(f'"{m}"' for m in members)
    write(base / "Cargo.toml", f"[workspace]\nmembers = [{listed}]\nresolver = \"2\"\n")
    return members


def run(base, args):
    """Runs cargo; returns (wall seconds, CPU seconds, peak resident set in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["cargo", *args, "-q"],
        cwd=base,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    if proc.returncode != 0:
        sys.exit(f"cargo {' '.join(args)} failed in {base}:\n{err}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(base, crates, command, mode, runs):
    """Each crate's (median wall, median CPU, peak) over `runs` rounds; in
    each round every crate is measured once, in turn, so that what else the
    machine does weighs on all of them alike."""
    samples = {c: ([], [], []) for c in crates}
    for _ in range(runs):
        for crate in crates:
            if mode == "cold":
                run(base, ["clean", "-p", crate])
            else:
                run(base, [command, "-p", crate])
                (base / crate / "src/lib.rs").touch()
            wall, cpu, peak = run(base, [command, "-p", crate])
            for list_, value in zip(samples[crate], (wall, cpu, peak)):
                list_.append(value)
    return {
        c: (statistics.median(w), statistics.median(u), max(p)) for c, (w, u, p) in samples.items()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000,5000")
    parser.add_argument("--shapes", default="distinct,shared")
    parser.add_argument("--commands", default="check,build")
    parser.add_argument("--modes", default="cold,warm")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default=str(ROOT / "target" / "compile-bench"))
    a = parser.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    shapes = a.shapes.split(",")
    base = Path(a.dir)
    generate(base, sizes, shapes)
    # Dependencies (turnstile, its macro in the dev profile) built once.
    for command in a.commands.split(","):
        run(base, [command, "-p", f"derive_{shapes[0]}_{sizes[0]}"])
    print(f"rustc: {subprocess.run(['rustc', '--version'], capture_output=True, text=True).stdout.strip()}")
    print(
        f"median of {a.runs} runs of CPU time (user + system) of the cargo command, "
        "wall time in brackets; ratios of CPU times to the hand-written crate's; "
        "peak = largest resident set of cargo and rustc\n"
    )
    print("| N | shape | command | mode | hand | typed | ratio | derive | ratio | peak hand / typed / derive |")
    print("|---:|---|---|---|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        for shape in shapes:
            for command in a.commands.split(","):
                for mode in a.modes.split(","):
                    m = measure(base, [f"{k}_{shape}_{n}" for k in KINDS], command, mode, a.runs)
                    r = {k: m[f"{k}_{shape}_{n}"] for k in KINDS}
                    h = r["hand"][1]
                    cells = " | ".join(
                        f"{r[k][1]:.2f} s ({r[k][0]:.2f}) | {r[k][1] / h:.1f}×" for k in ("typed", "derive")
                    )
                    peaks = " / ".join(f"{r[k][2]:.0f}" for k in KINDS)
                    print(
                        f"| {n} | {shape} | {command} | {mode} | {h:.2f} s ({r['hand'][0]:.2f}) | {cells} | {peaks} MB |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
