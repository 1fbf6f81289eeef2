//! The operator's command: `account_service store …`, on the database
//! the service uses (`--database`, the same URLs).
//!
//! ```sh
//! account_service store list service_closing --state closed   # instances by state
//! account_service store show service_closing acme             # one, with its history
//! account_service store show service_closing acme --html acme.html  # …on the diagram
//! account_service store verify                                # replay every row (progress bar)
//! account_service store run-due                               # fire the due timers once
//! account_service store lag                                   # consumers and how far behind
//! account_service store show account acme                     # the account as one machine: each region
//! ```
//!
//! `account`, the account as one machine, is served too: its listing
//! shows each region's state joined by `,`, `show` each region's state and
//! the regions each step moved, `verify` loads every instance (its whole
//! history replayed), `run-due` fires each region's timers.
//!
//! `show … --html PATH` writes the explorer page opened at that instance
//! (`turnstile_render::inspector`): its snapshot embedded, checked by the
//! page as the runtime checks it, with the clock at the moment of writing,
//! so an operator sees on the diagram where a stuck instance is, the way
//! it took, its timers and what may be fired now, and can simulate on.
//!
//! Exit status: 0 done (for `verify`: every instance loads), 1 a refused
//! row or a database error, 2 a command that does not parse.

use std::time::{SystemTime, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressStyle};
use serde::de::DeserializeOwned;
use serde::Serialize;
use turnstile_account::Account;
use turnstile_runtime::regions::Parallel;
use turnstile_runtime::{Dispatch, Workflow};
use turnstile_store::{Store, StoreError};
use turnstile_workflows::{
    AccountRestriction, AccountUpgrade, DetailsChange, PartnerAssociation, PhoneChange,
    ServiceClosing, SignUp,
};

use crate::{ACCOUNT, WORKFLOWS};

const USAGE: &str = "account_service store [--database URL] \
list WORKFLOW [--state S] [--owner ID] [--limit N] | show WORKFLOW ID [--html PATH] | \
verify [WORKFLOW…] | run-due [WORKFLOW…] | lag | \
migrate WORKFLOW --from FINGERPRINT [--dry-run] | \
undo-migration WORKFLOW --from FINGERPRINT [--dry-run]";

/// An instant as an operator reads it: RFC 3339, UTC, to the millisecond.
fn when(at: SystemTime) -> String {
    if at < UNIX_EPOCH {
        return "before 1970".to_string();
    }
    humantime::format_rfc3339_millis(at).to_string()
}

struct Command {
    database: String,
    words: Vec<String>,
    state: Option<String>,
    owner: Option<String>,
    limit: i64,
    /// `show --html PATH`: where to write the instance's page.
    html: Option<String>,
    /// `migrate --from FINGERPRINT`: the version whose rows move.
    from: Option<String>,
    /// `migrate --dry-run`: write nothing.
    dry_run: bool,
}

fn parse(args: Vec<String>, database: String) -> Result<Command, String> {
    let mut command = Command {
        database,
        words: Vec::new(),
        state: None,
        owner: None,
        limit: 100,
        html: None,
        from: None,
        dry_run: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--database" => command.database = value()?,
            "--state" => command.state = Some(value()?),
            "--owner" => command.owner = Some(value()?),
            "--html" => command.html = Some(value()?),
            "--from" => command.from = Some(value()?),
            "--dry-run" => command.dry_run = true,
            "--limit" => {
                let v = value()?;
                command.limit = v.parse().map_err(|e| format!("--limit {v}: {e}"))?;
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
            word => command.words.push(word.to_string()),
        }
    }
    Ok(command)
}

/// Runs `account_service store <args>`; `database` is the service's
/// default URL.
pub async fn main(args: Vec<String>, database: String) -> std::process::ExitCode {
    let command = match parse(args, database) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}\nusage: {USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    let store = match Store::open(&command.database).await {
        Ok(store) => store,
        Err(e) => {
            eprintln!("error: cannot open the store: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let words: Vec<&str> = command.words.iter().map(String::as_str).collect();
    let outcome = match words.as_slice() {
        ["list", workflow] => {
            with_workflow!(*workflow, W => list::<W>(&store, &command).await, other => match other {
                ACCOUNT => list::<Account>(&store, &command).await,
                other => unknown(other),
            })
        }
        ["show", workflow, id] => {
            with_workflow!(*workflow, W => show::<W>(&store, id, command.html.as_deref()).await, other => match other {
                ACCOUNT => show_regions::<Account>(&store, id, command.html.as_deref()).await,
                other => unknown(other),
            })
        }
        ["verify", chosen @ ..] => verify(&store, chosen).await,
        ["run-due", chosen @ ..] => run_due(&store, chosen).await,
        ["lag"] => lag(&store).await,
        ["migrate", workflow] => {
            let Some(from) = command.from.as_deref() else {
                eprintln!("error: migrate needs --from FINGERPRINT, the version whose rows move (`turnstile check` prints a definition's)\nusage: {USAGE}");
                return std::process::ExitCode::from(2);
            };
            with_workflow!(*workflow, W => migrate_unchanged::<W>(&store, from, command.dry_run).await, other => match other {
                ACCOUNT => migrate_regions_unchanged::<Account>(&store, from, command.dry_run).await,
                other => unknown(other),
            })
        }
        ["undo-migration", workflow] => {
            let Some(from) = command.from.as_deref() else {
                eprintln!("error: undo-migration needs --from FINGERPRINT, the newer version whose migrations go back\nusage: {USAGE}");
                return std::process::ExitCode::from(2);
            };
            with_workflow!(*workflow, W => undo_migration::<W>(&store, from, command.dry_run).await, other => match other {
                ACCOUNT => {
                    eprintln!("error: `{ACCOUNT}` has regions: its configurations migrate by `migrate` with a closure, which records no migration step to undo");
                    Ok(false)
                }
                other => unknown(other),
            })
        }
        _ => {
            eprintln!("usage: {USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    store.close().await;
    match outcome {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `migrate WORKFLOW --from FINGERPRINT [--dry-run]`: the rows of that
/// version moved to this build's, each as it is (state, data, history):
/// the migration for a change `turnstile diff` calls compatible. Rows of
/// any other version stay as they are. Prints the count by old state, then
/// each refusal; exit 0 when none was refused.
async fn migrate_unchanged<W>(store: &Store, from: &str, dry_run: bool) -> Result<bool, StoreError>
where
    W: Dispatch + Serialize + DeserializeOwned,
{
    use turnstile_runtime::snapshot::{Envelope, Migrated};
    let options = turnstile_store::MigrateOptions {
        dry_run,
        ..turnstile_store::MigrateOptions::default()
    };
    let bar = ProgressBar::new(0);
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    // A version this build reads (`previous = …`) moves typed, each row
    // keeping its history and given a migration step; any other, as it is.
    let report = if W::PREVIOUS.contains(&from) {
        store
            .upgrade_from::<W>(
                from,
                options,
                Some("operator"),
                std::time::SystemTime::now(),
                progress,
            )
            .await?
    } else {
        store
            .migrate_from::<W, W>(
                from,
                options,
                |old: Envelope<W>| {
                    Ok(Migrated {
                        state: old.state,
                        data: old.data,
                        trail: old.trail,
                    })
                },
                progress,
            )
            .await?
    };
    bar.finish_and_clear();
    Ok(reported(W::NAME, &report, from, W::FINGERPRINT))
}

/// `migrate account --from FINGERPRINT [--dry-run]`: the configurations
/// of that version moved to this build's as they are
/// (`Store::migrate_regions_from` with the identity), each checked by
/// replaying it. Prints as `migrate` does.
async fn migrate_regions_unchanged<W>(
    store: &Store,
    from: &str,
    dry_run: bool,
) -> Result<bool, StoreError>
where
    W: Parallel + Serialize + DeserializeOwned,
{
    let options = turnstile_store::MigrateOptions {
        dry_run,
        ..turnstile_store::MigrateOptions::default()
    };
    let bar = ProgressBar::new(0);
    let report = store
        .migrate_regions_from::<W, W>(from, options, Ok, |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .await?;
    bar.finish_and_clear();
    Ok(reported(W::NAME, &report, from, W::FINGERPRINT))
}

/// `undo-migration WORKFLOW --from FINGERPRINT [--dry-run]`: the rows the
/// newer version `from` migrated from this build's and nobody wrote since,
/// moved back (`Store::undo_migrations`), after a rollback. Prints as
/// `migrate` does; exit 0 when none was refused.
async fn undo_migration<W>(store: &Store, from: &str, dry_run: bool) -> Result<bool, StoreError>
where
    W: Dispatch + Serialize + DeserializeOwned,
{
    let options = turnstile_store::MigrateOptions {
        dry_run,
        ..turnstile_store::MigrateOptions::default()
    };
    let bar = ProgressBar::new(0);
    let report = store
        .undo_migrations::<W>(from, options, |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .await?;
    bar.finish_and_clear();
    Ok(reported(W::NAME, &report, from, W::FINGERPRINT))
}

/// Prints what a migration (or its undo) from `from` to `to` did, or on a
/// dry run would do: the count by old state, then each refusal. Whether
/// none was refused.
fn reported(workflow: &str, report: &turnstile_store::Migration, from: &str, to: &str) -> bool {
    println!(
        "{workflow}: {} {} from {from} to {to}{}",
        report.migrated.len(),
        if report.dry_run {
            "would move"
        } else {
            "moved"
        },
        if report.dry_run {
            " (a dry run: nothing written)"
        } else {
            ""
        }
    );
    for (state, n) in &report.by_state {
        println!("  {state}\t{n}");
    }
    for refused in &report.refused {
        eprintln!("refused: {refused}");
    }
    report.refused.is_empty()
}

fn unknown(name: &str) -> Result<bool, StoreError> {
    eprintln!(
        "error: no workflow named `{name}`: {} and {ACCOUNT}",
        WORKFLOWS.join(", ")
    );
    Ok(false)
}

/// The workflows named, or all of them.
fn chosen<'a>(names: &[&'a str]) -> Vec<&'a str> {
    if names.is_empty() {
        let mut all = WORKFLOWS.to_vec();
        all.push(ACCOUNT);
        all
    } else {
        names.to_vec()
    }
}

async fn list<W: Workflow>(store: &Store, command: &Command) -> Result<bool, StoreError> {
    let state = command.state.as_deref();
    let listed = match &command.owner {
        Some(owner) => {
            store
                .list_owned::<W>(owner, state, None, command.limit)
                .await?
        }
        None => store.list::<W>(state, None, command.limit).await?,
    };
    println!("id\tstate\tversion\tentered_at\tnext_due\towner");
    for l in &listed {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            l.id,
            l.state,
            l.version,
            when(l.entered_at),
            l.next_due.map_or("-".to_string(), when),
            l.owner.as_deref().unwrap_or("-")
        );
    }
    Ok(true)
}

/// Writes the explorer page of workflow `W` opened at `snapshot` (the
/// runtime's envelope as JSON), with the clock at now, to `path`.
fn write_page<W: Workflow>(snapshot: &serde_json::Value, path: &str) -> Result<bool, StoreError> {
    let file =
        turnstile_spec::SourceFile::new(format!("{}.toml", W::NAME), W::DEFINITION.to_string());
    let Ok(model) = turnstile_spec::load(&file) else {
        eprintln!(
            "error: the definition of `{}` compiled in does not load",
            W::NAME
        );
        return Ok(false);
    };
    let now = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let page = turnstile_render::inspector(&model, snapshot, Some(&now));
    match std::fs::write(path, page) {
        Ok(()) => {
            println!("wrote {path}: the explorer opened at this instance, as of {now}");
            Ok(true)
        }
        Err(e) => {
            eprintln!("error: cannot write {path}: {e}");
            Ok(false)
        }
    }
}

async fn show<W: Dispatch + Serialize + DeserializeOwned>(
    store: &Store,
    id: &str,
    html: Option<&str>,
) -> Result<bool, StoreError> {
    let owner = store.owner::<W>(id).await?;
    let stored = store.load::<W>(id).await?;
    let i = &stored.instance;
    if let Some(path) = html {
        let snapshot = serde_json::to_value(i).unwrap_or_default();
        return write_page::<W>(&snapshot, path);
    }
    println!("{} `{id}`", W::NAME);
    println!("state:      {} (since {})", i.state(), when(i.entered_at()));
    println!("version:    {}", stored.version);
    println!("owner:      {}", owner.as_deref().unwrap_or("-"));
    println!("allowed:    {}", i.allowed().join(", "));
    for t in i.timers() {
        println!(
            "timer:      {}{} due {}",
            t.event,
            if t.automatic { " (automatic)" } else { "" },
            t.due.map_or("never".to_string(), when)
        );
    }
    println!(
        "data:       {}",
        serde_json::to_string(i.data()).unwrap_or_default()
    );
    println!("history:");
    for (n, s) in (1..).zip(i.trail()) {
        println!(
            "  {n:>4}  {}  {} --{}--> {}  by {}{}",
            when(s.at),
            s.from,
            s.event,
            s.to,
            s.actor.as_deref().unwrap_or("-"),
            s.role
                .as_deref()
                .map(|r| format!(" as {r}"))
                .unwrap_or_default()
        );
    }
    Ok(true)
}

/// `show` for a workflow with regions: each region's state and clock, and
/// the regions each step moved.
async fn show_regions<W: Parallel + Serialize + DeserializeOwned>(
    store: &Store,
    id: &str,
    html: Option<&str>,
) -> Result<bool, StoreError> {
    let owner = store.owner::<W>(id).await?;
    let stored = store.load_regions::<W>(id).await?;
    let c = &stored.current;
    if let Some(path) = html {
        let snapshot = serde_json::to_value(W::snapshot(c)).unwrap_or_default();
        return write_page::<W>(&snapshot, path);
    }
    println!("{} `{id}`", W::NAME);
    for ((region, state), at) in W::REGIONS.iter().zip(W::states(c)).zip(W::entered_at(c)) {
        println!("region:     {region}: {state} (since {})", when(at));
    }
    println!("version:    {}", stored.version);
    println!("owner:      {}", owner.as_deref().unwrap_or("-"));
    println!("allowed:    {}", W::allowed(c).join(", "));
    if let Some((event, due)) = W::next_due(c) {
        println!("timer:      {event} (automatic) due {}", when(due));
    }
    println!(
        "data:       {}",
        serde_json::to_string(W::data(c)).unwrap_or_default()
    );
    println!("history:");
    for (n, s) in (1..).zip(W::trail(c)) {
        let moved: Vec<String> = s
            .moved
            .iter()
            .map(|m| format!("{}: {} → {}", m.region, m.from, m.to))
            .collect();
        println!(
            "  {n:>4}  {}  {} ({})  by {}{}",
            when(s.at),
            s.event,
            moved.join("; "),
            s.actor.as_deref().unwrap_or("-"),
            s.role
                .as_deref()
                .map(|r| format!(" as {r}"))
                .unwrap_or_default()
        );
    }
    Ok(true)
}

/// `verify` for a workflow with regions: every instance loaded, its whole
/// history replayed (`Store::load_regions`), page by page.
async fn verify_regions<W: Parallel + DeserializeOwned>(
    store: &Store,
) -> Result<(u64, Vec<StoreError>), StoreError> {
    let mut checked = 0;
    let mut refused = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.list::<W>(None, after.as_deref(), 1000).await?;
        let Some(last) = page.last() else {
            return Ok((checked, refused));
        };
        after = Some(last.id.clone());
        for listed in &page {
            checked += 1;
            if let Err(e) = store.load_regions::<W>(&listed.id).await {
                refused.push(e);
            }
        }
    }
}

async fn verify(store: &Store, names: &[&str]) -> Result<bool, StoreError> {
    let mut all_good = true;
    for name in chosen(names) {
        let bar = ProgressBar::new(0).with_style(
            ProgressStyle::with_template("{prefix:>20} [{bar:40}] {pos}/{len} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(name.to_string());
        let progress = |done: u64, total: u64| {
            bar.set_length(total);
            bar.set_position(done);
        };
        let verified = with_workflow!(name, W => store.verify::<W>(1000, progress).await?, other => match other {
            ACCOUNT => {
                let (checked, refused) = verify_regions::<Account>(store).await?;
                turnstile_store::Verified { checked, refused }
            }
            other => {
                unknown(other)?;
                return Ok(false);
            }
        });
        bar.finish_and_clear();
        println!(
            "{name}: {} instances replayed, {} refused",
            verified.checked,
            verified.refused.len()
        );
        for e in &verified.refused {
            println!("  {e}");
            all_good = false;
        }
    }
    Ok(all_good)
}

async fn run_due(store: &Store, names: &[&str]) -> Result<bool, StoreError> {
    let now = SystemTime::now();
    let mut all_good = true;
    for name in chosen(names) {
        let (fired, errors) = with_workflow!(name, W => store.run_due::<W>(now, 1000).await?, other => match other {
            ACCOUNT => {
                let (steps, errors) = store.run_due_regions::<Account>(now, 1000).await?;
                println!("{ACCOUNT}: {steps} due timers fired");
                for e in &errors {
                    println!("  not fired: {e}");
                    all_good = false;
                }
                continue;
            }
            other => {
                unknown(other)?;
                return Ok(false);
            }
        });
        println!("{name}: {} instances took their due timers", fired.len());
        for f in &fired {
            for s in &f.steps {
                println!("  {}  {} --{}--> {}", f.id, s.from, s.event, s.to);
            }
        }
        for e in &errors {
            println!("  not fired: {e}");
            all_good = false;
        }
    }
    Ok(all_good)
}

async fn lag(store: &Store) -> Result<bool, StoreError> {
    println!("consumer\tbehind\tlast_moved");
    for l in store.lag().await? {
        println!("{}\t{}\t{}", l.name, l.behind, when(l.updated_at));
    }
    Ok(true)
}
