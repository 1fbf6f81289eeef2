//! Printing helpers shared by the examples: every fired event is shown as
//! `state --event--> state`, a refusal with the rule that refused it.

/// Fires `$m.$event()`, prints the transition (or the refusal) and gives
/// back what the event returned.
#[macro_export]
macro_rules! step {
    ($m:ident . $event:ident ()) => {{
        let from = $m.state();
        let next = $m.$event();
        match turnstile::Fired::landed(&next) {
            Some(to) => println!("  {from} --{}--> {to}", stringify!($event)),
            None => println!("  {from} --{}--> refused", stringify!($event)),
        }
        next
    }};
    ($m:ident . $event:ident ($($arg:expr),+ $(,)?)) => {{
        let from = $m.state();
        let next = $m.$event($($arg),+);
        match turnstile::Fired::landed(&next) {
            Some(to) => println!("  {from} --{}--> {to}", stringify!($event)),
            None => println!("  {from} --{}--> refused", stringify!($event)),
        }
        next
    }};
}

/// Takes the machine out of an outcome that must be `$variant`.
#[macro_export]
macro_rules! outcome {
    ($outcome:expr, $variant:path) => {
        match $outcome {
            $variant(machine) => machine,
            other => panic!("expected {}, got `{}`", stringify!($variant), other.state()),
        }
    };
}

/// Prints why a guarded event was refused and hands the machine back.
#[allow(dead_code)] // the account upgrade has no guards: its refusals are outcomes
pub fn refused<M, P>(rejected: turnstile::Rejected<M, P>) -> M {
    println!("    {rejected}");
    rejected.into_machine()
}
