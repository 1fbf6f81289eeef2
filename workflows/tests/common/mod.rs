//! A log of the transitions a test takes, checked against the definition:
//! every `(from, event, to)` edge of the TOML must be taken at least once.

use std::collections::BTreeSet;

use turnstile::Fired;

/// Fires `$m.$event()`, logs `(from, event, to)` and gives the result.
#[macro_export]
macro_rules! fire {
    ($log:expr, $m:ident . $event:ident ()) => {{
        let from = $m.state();
        let next = $m.$event();
        $log.took(from, stringify!($event), &next);
        next
    }};
    ($log:expr, $m:ident . $event:ident ($($arg:expr),+ $(,)?)) => {{
        let from = $m.state();
        let next = $m.$event($($arg),+);
        $log.took(from, stringify!($event), &next);
        next
    }};
}

/// Takes the machine out of an outcome that must be `$variant`.
#[macro_export]
macro_rules! expect_outcome {
    ($outcome:expr, $variant:path) => {
        match $outcome {
            $variant(machine) => machine,
            other => panic!(
                "expected {}, the outcome was `{}`",
                stringify!($variant),
                other.state()
            ),
        }
    };
}

/// The transitions taken, and the definition they are checked against.
pub struct Log {
    definition: &'static str,
    taken: BTreeSet<(String, String, String)>,
}

impl Log {
    /// A log for the definition `file` of this crate.
    pub fn new(definition: &'static str) -> Self {
        Log {
            definition,
            taken: BTreeSet::new(),
        }
    }

    /// Records a transition, unless the event was refused.
    pub fn took(&mut self, from: &str, event: &str, next: &impl Fired) {
        if let Some(to) = next.landed() {
            println!("{from} --{event}--> {to}");
            self.taken
                .insert((from.to_string(), event.to_string(), to.to_string()));
        }
    }

    /// Every `(from, event, to)` the definition allows.
    fn edges(&self) -> BTreeSet<(String, String, String)> {
        let path = format!("{}/{}", env!("CARGO_MANIFEST_DIR"), self.definition);
        let text = std::fs::read_to_string(&path).expect("the definition is readable");
        let file = turnstile_spec::SourceFile::new(self.definition, text);
        let workflow = turnstile_spec::load(&file).expect("the definition is valid");
        let name = |id| workflow.state(id).name.as_str().to_string();
        let mut edges = BTreeSet::new();
        for t in &workflow.transitions {
            for &from in &t.from {
                for &to in &t.to {
                    edges.insert((name(from), t.event.as_str().to_string(), name(to)));
                }
            }
        }
        edges
    }

    /// Fails, listing them, if some edges were never taken; prints the coverage.
    pub fn assert_every_transition_taken(&self) {
        let edges = self.edges();
        let missing: Vec<_> = edges.difference(&self.taken).collect();
        let unknown: Vec<_> = self.taken.difference(&edges).collect();
        println!(
            "{}: {} of {} transitions taken",
            self.definition,
            edges.len() - missing.len(),
            edges.len()
        );
        assert!(
            unknown.is_empty(),
            "taken but not in the definition: {unknown:?}"
        );
        assert!(missing.is_empty(), "never taken: {missing:?}");
    }
}

/// A German account that matches the IDs of the upgrade tests: the fixture of the
/// upgrade and snapshot tests.
#[allow(dead_code)] // not every test binary uses every fixture
pub fn acme_account() -> turnstile_workflows::CloudAccount {
    use turnstile_workflows::rules::{MobileNumber, Region};
    turnstile_workflows::CloudAccount {
        name: "acme-ops".into(),
        region: Region::Germany,
        mobile: Some(MobileNumber::parse("+49 151 2345 6789").unwrap()),
        email: "ops@acme.example".into(),
    }
}

/// A direct-sales individual account with a card that has made payments:
/// a row of every table of 002 §1.1.17.
#[allow(dead_code)]
pub fn direct_sales_profile() -> turnstile_workflows::rules::phone_change::AccountProfile {
    use turnstile_workflows::rules::phone_change::{AccountProfile, CustomerType};
    use turnstile_workflows::rules::AccountType;
    AccountProfile {
        customer: CustomerType::DirectSales,
        real_name_authenticated: false,
        account_type: AccountType::Individual,
        card_added: true,
        payments_made: true,
        registered_with_mobile: true,
    }
}
