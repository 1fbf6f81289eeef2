//! One small machine, a support ticket (`ticket.toml`), written seven ways,
//! so that the benchmarks (`benches/`) compare the same work:
//!
//! | module | what it is |
//! |---|---|
//! | [`ticket`] | turnstile's generated machine (typed methods, and dispatch by name) |
//! | [`hand`] | typestate written by hand: a struct per state, a method per event |
//! | [`enum_match`] | an enum of states and a `match` on (state, event) |
//! | [`fsm`] | [rust-fsm](https://docs.rs/rust-fsm)'s `state_machine!` |
//! | [`sml`] | [smlang](https://docs.rs/smlang)'s `statemachine!` |
//! | [`statig_ticket`] | [statig](https://docs.rs/statig)'s `#[state_machine]` |
//!
//! Open → assigned → in progress ⇄ resolved → closed. [`WALK`] is the
//! typed walk; [`LOOP`] the two events that can repeat for ever from
//! `in_progress`.
#![forbid(unsafe_code)]

use turnstile::Workflow;

/// The events of the typed walk, in order: open to closed in ten steps.
pub const WALK: [&str; 10] = [
    "assign", "start", "resolve", "reopen", "resolve", "reopen", "resolve", "reopen", "resolve",
    "close",
];

/// From `in_progress`, these two events bring the machine back: a stream
/// of events of any length.
pub const LOOP: [&str; 2] = ["resolve", "reopen"];

/// The ticket's data: what every implementation carries along.
#[derive(Workflow)]
#[workflow(file = "ticket.toml")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// The ticket's number.
    pub id: u64,
}

/// The walk through turnstile's typed methods.
pub fn turnstile_walk(data: Ticket) -> Ticket {
    ticket::Machine::new(data)
        .assign()
        .start()
        .resolve()
        .reopen()
        .resolve()
        .reopen()
        .resolve()
        .reopen()
        .resolve()
        .close()
        .into_data()
}

/// Typestate written by hand, as the comparison describes it.
pub mod hand {
    use core::marker::PhantomData;

    use super::Ticket;

    /// The machine in state `S`.
    pub struct Machine<S> {
        data: Ticket,
        state: PhantomData<fn() -> S>,
    }
    /// The state `open`.
    pub struct Open;
    /// The state `assigned`.
    pub struct Assigned;
    /// The state `in_progress`.
    pub struct InProgress;
    /// The state `resolved`.
    pub struct Resolved;
    /// The state `closed`.
    pub struct Closed;

    fn to<S, T>(m: Machine<S>) -> Machine<T> {
        Machine {
            data: m.data,
            state: PhantomData,
        }
    }

    impl Machine<Open> {
        /// Starts in `open`.
        pub fn new(data: Ticket) -> Self {
            Machine {
                data,
                state: PhantomData,
            }
        }
        /// `assign`.
        pub fn assign(self) -> Machine<Assigned> {
            to(self)
        }
    }
    impl Machine<Assigned> {
        /// `start`.
        pub fn start(self) -> Machine<InProgress> {
            to(self)
        }
    }
    impl Machine<InProgress> {
        /// `resolve`.
        pub fn resolve(self) -> Machine<Resolved> {
            to(self)
        }
    }
    impl Machine<Resolved> {
        /// `reopen`.
        pub fn reopen(self) -> Machine<InProgress> {
            to(self)
        }
        /// `close`.
        pub fn close(self) -> Machine<Closed> {
            to(self)
        }
    }
    impl<S> Machine<S> {
        /// The data back.
        pub fn into_data(self) -> Ticket {
            self.data
        }
    }

    /// The walk.
    pub fn walk(data: Ticket) -> Ticket {
        Machine::new(data)
            .assign()
            .start()
            .resolve()
            .reopen()
            .resolve()
            .reopen()
            .resolve()
            .reopen()
            .resolve()
            .close()
            .into_data()
    }
}

/// An enum of states and a `match`: the usual hand-written runtime machine.
pub mod enum_match {
    use super::Ticket;

    /// The states.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum State {
        /// `open`
        Open,
        /// `assigned`
        Assigned,
        /// `in_progress`
        InProgress,
        /// `resolved`
        Resolved,
        /// `closed`
        Closed,
    }

    /// The events.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Event {
        /// `assign`
        Assign,
        /// `start`
        Start,
        /// `resolve`
        Resolve,
        /// `reopen`
        Reopen,
        /// `close`
        Close,
    }

    impl Event {
        /// The event with this name.
        pub fn from_name(name: &str) -> Option<Event> {
            Some(match name {
                "assign" => Event::Assign,
                "start" => Event::Start,
                "resolve" => Event::Resolve,
                "reopen" => Event::Reopen,
                "close" => Event::Close,
                _ => return None,
            })
        }
    }

    /// The machine: a state and the data.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Machine {
        /// Where it is.
        pub state: State,
        /// The data.
        pub data: Ticket,
    }

    impl Machine {
        /// Starts in `open`.
        pub fn new(data: Ticket) -> Self {
            Machine {
                state: State::Open,
                data,
            }
        }

        /// Fires `event`: `Err` when the state does not allow it.
        pub fn fire(&mut self, event: Event) -> Result<State, State> {
            use {Event as E, State as S};
            self.state = match (self.state, event) {
                (S::Open, E::Assign) => S::Assigned,
                (S::Assigned, E::Start) => S::InProgress,
                (S::InProgress, E::Resolve) => S::Resolved,
                (S::Resolved, E::Reopen) => S::InProgress,
                (S::Resolved, E::Close) => S::Closed,
                (state, _) => return Err(state),
            };
            Ok(self.state)
        }
    }

    /// The walk.
    pub fn walk(data: Ticket) -> Ticket {
        use Event as E;
        let mut m = Machine::new(data);
        for e in [
            E::Assign,
            E::Start,
            E::Resolve,
            E::Reopen,
            E::Resolve,
            E::Reopen,
            E::Resolve,
            E::Reopen,
            E::Resolve,
            E::Close,
        ] {
            // A refused event would be a bug in the walk: keep going, the
            // tests check the final state.
            let _ = m.fire(e);
        }
        m.data
    }
}

/// The ticket in rust-fsm, as its README writes a machine.
#[allow(missing_docs)] // what the peer's macro generates
pub mod fsm {
    use rust_fsm::*;

    state_machine! {
        /// The ticket in rust-fsm.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub ticket(Open)

        Open(Assign) => Assigned,
        Assigned(Start) => InProgress,
        InProgress(Resolve) => Resolved,
        Resolved(Reopen) => InProgress,
        Resolved(Close) => Closed,
    }

    pub use ticket::{Input, State, StateMachine};
}

/// The ticket in smlang, as its examples write a machine.
#[allow(missing_docs)] // what the peer's macro generates
pub mod sml {
    smlang::statemachine! {
        derive_states: [Debug, Clone, Copy],
        derive_events: [Debug, Clone, Copy],
        transitions: {
            *Open + Assign = Assigned,
            Assigned + Start = InProgress,
            InProgress + Resolve = Resolved,
            Resolved + Reopen = InProgress,
            Resolved + Close = Closed,
        }
    }

    /// smlang's context: no guards, no actions.
    pub struct Context;

    impl StateMachineContext for Context {}
}

/// The ticket in statig, as its README writes a machine.
#[allow(missing_docs)] // what the peer's macro generates
pub mod statig_ticket {
    use statig::prelude::*;

    /// statig takes any type for its events: the plain enum's.
    pub use crate::enum_match::Event;

    /// The machine's shared storage.
    #[derive(Debug, Default)]
    pub struct Ticket;

    #[state_machine(
        initial = "State::open()",
        state(derive(Debug, Clone, Copy, PartialEq, Eq))
    )]
    impl Ticket {
        #[state]
        fn open(event: &Event) -> Outcome<State> {
            match event {
                Event::Assign => Transition(State::assigned()),
                _ => Super,
            }
        }

        #[state]
        fn assigned(event: &Event) -> Outcome<State> {
            match event {
                Event::Start => Transition(State::in_progress()),
                _ => Super,
            }
        }

        #[state]
        fn in_progress(event: &Event) -> Outcome<State> {
            match event {
                Event::Resolve => Transition(State::resolved()),
                _ => Super,
            }
        }

        #[state]
        fn resolved(event: &Event) -> Outcome<State> {
            match event {
                Event::Reopen => Transition(State::in_progress()),
                Event::Close => Transition(State::closed()),
                _ => Super,
            }
        }

        #[state]
        fn closed(event: &Event) -> Outcome<State> {
            let _ = event;
            Super
        }
    }
}

#[cfg(test)]
mod tests {
    //! Every implementation does the same work: the walk ends closed, the
    //! loop comes back to `in_progress`, and an event out of place is refused.

    use std::time::SystemTime;

    use statig::prelude::IntoStateMachineExt;

    use super::*;

    #[test]
    fn every_walk_ends_closed_with_the_data() {
        let data = Ticket { id: 7 };
        assert_eq!(turnstile_walk(data), data);
        assert_eq!(hand::walk(data), data);
        assert_eq!(enum_match::walk(data), data);
    }

    #[test]
    fn every_machine_loops_and_refuses_alike() {
        let now = SystemTime::UNIX_EPOCH;
        let mut t = ticket::Current::from(ticket::Machine::new(Ticket { id: 1 }));
        let mut e = enum_match::Machine::new(Ticket { id: 1 });
        let mut f = fsm::StateMachine::new();
        let mut s = sml::StateMachine::new(sml::Context);
        let mut g = statig_ticket::Ticket.state_machine();
        for name in ["assign", "start"]
            .iter()
            .chain(LOOP.iter().cycle().take(6))
        {
            t = t.fire(name, now).expect("allowed");
            let event = enum_match::Event::from_name(name).expect("known");
            assert!(e.fire(event).is_ok());
            let input = match event {
                enum_match::Event::Assign => fsm::Input::Assign,
                enum_match::Event::Start => fsm::Input::Start,
                enum_match::Event::Resolve => fsm::Input::Resolve,
                enum_match::Event::Reopen => fsm::Input::Reopen,
                enum_match::Event::Close => fsm::Input::Close,
            };
            assert!(f.consume(&input).is_ok());
            let sml_event = match event {
                enum_match::Event::Assign => sml::Events::Assign,
                enum_match::Event::Start => sml::Events::Start,
                enum_match::Event::Resolve => sml::Events::Resolve,
                enum_match::Event::Reopen => sml::Events::Reopen,
                enum_match::Event::Close => sml::Events::Close,
            };
            assert!(s.process_event(sml_event).is_ok());
            g.handle(&event);
        }
        assert_eq!(t.state(), "in_progress");
        assert_eq!(e.state, enum_match::State::InProgress);
        assert_eq!(*f.state(), fsm::State::InProgress);
        assert_eq!(*s.state(), sml::States::InProgress);
        assert_eq!(*g.state(), statig_ticket::State::InProgress {});

        // `assign` is not allowed in progress: each refuses it and stays.
        let t = t.fire("assign", now).expect_err("refused").into_inner();
        assert_eq!(t.state(), "in_progress");
        assert!(e.fire(enum_match::Event::Assign).is_err());
        assert!(f.consume(&fsm::Input::Assign).is_err());
        assert!(s.process_event(sml::Events::Assign).is_err());
        assert_eq!(*f.state(), fsm::State::InProgress);
    }
}
