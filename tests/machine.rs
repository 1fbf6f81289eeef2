//! What a user relies on at run time: the machine costs nothing, guards hand
//! the machine back when they refuse, outcomes follow the data's decision.

use turnstile::{State, Workflow};

/// A door that may jam: the data the `door` machine carries.
#[derive(Workflow, Debug, Clone, PartialEq)]
#[workflow(file = "tests/ui/workflows/door.toml")]
pub struct Door {
    key: bool,
    stuck: bool,
    opened: u32,
}

impl door::Guards for Door {
    fn has_key(&self) -> bool {
        self.key
    }
}

impl door::Outcomes for Door {
    fn open(&self) -> door::choice::Open {
        if self.stuck {
            door::choice::Open::Jammed
        } else {
            door::choice::Open::Opened
        }
    }
}

fn door(key: bool, stuck: bool) -> door::Machine<door::state::Closed> {
    door::Machine::new(Door {
        key,
        stuck,
        opened: 0,
    })
}

#[test]
fn the_typestate_costs_nothing() {
    use std::mem::size_of;
    assert_eq!(
        size_of::<door::Machine<door::state::Closed>>(),
        size_of::<Door>()
    );
    assert_eq!(
        size_of::<door::Machine<door::state::Removed>>(),
        size_of::<Door>()
    );
}

#[test]
fn a_refused_transition_hands_the_machine_back_unchanged() {
    let closed = door(false, false);
    let before = closed.data().clone();
    let rejected = closed.open().unwrap_err();
    assert_eq!(rejected.guard(), Some("has_key"));
    assert_eq!(rejected.event(), "open");
    assert_eq!(
        rejected.to_string(),
        "door: event `open` refused in state `closed`: guard `has_key` does not hold (the visitor holds the key)"
    );
    let closed: door::Machine<door::state::Closed> = rejected.into_machine();
    assert_eq!(closed.state(), "closed");
    assert_eq!(closed.data(), &before);
}

#[test]
fn the_data_decides_the_outcome_of_a_branching_event() {
    let mut closed = door(true, false);
    closed.data_mut().opened += 1;
    match closed.open().expect("the key is there") {
        door::outcome::Open::Opened(opened) => {
            assert_eq!(opened.state(), "opened");
            assert_eq!(opened.data().opened, 1);
        }
        other => panic!("expected `opened`, got {other:?}"),
    }
    let outcome = door(true, true).open().expect("the key is there");
    assert_eq!(outcome.choice(), door::choice::Open::Jammed);
    assert_eq!(outcome.state(), "jammed");
    let door::outcome::Open::Jammed(jammed) = outcome else {
        panic!("expected `jammed`");
    };
    let removed = jammed.remove();
    assert_eq!(removed.state(), "removed");
    assert!(removed.into_data().stuck);
}

#[test]
fn one_event_from_several_states() {
    let closed = door(true, false);
    let door::outcome::Open::Opened(opened) = closed.open().unwrap() else {
        panic!("expected `opened`");
    };
    let closed = opened.close();
    assert_eq!(closed.state(), "closed");
    let outcome = closed.open().unwrap();
    assert_eq!(outcome.state(), "opened");
}

#[test]
fn the_definition_is_described_at_run_time() {
    assert_eq!(<Door as Workflow>::NAME, "door");
    assert_eq!(Door::STATES, ["closed", "opened", "jammed", "removed"]);
    assert_eq!(Door::EVENTS, ["open", "close", "remove"]);
    assert_eq!(Door::INITIAL, "closed");
    assert!(Door::DEFINITION.contains("[states.jammed]"));
    assert_eq!(door::state::Closed::EVENTS, ["open", "remove"]);
    assert_eq!(door::state::Jammed::EVENTS, ["close", "remove"]);
    assert_eq!(
        [
            door::state::Closed::IS_FINAL,
            door::state::Removed::IS_FINAL
        ],
        [false, true]
    );
    assert_eq!(door::state::Opened::SUMMARY, "The door is open.");
    assert_eq!(
        format!("{:?}", door(true, false)),
        "Machine { workflow: \"door\", state: \"closed\", .. }"
    );
}
