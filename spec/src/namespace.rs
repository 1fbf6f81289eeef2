//! The generated namespace: every name a definition may not take because
//! the generated code already puts something of its own where that name
//! would go.
//!
//! The generator writes a definition's names into Rust: an event becomes a
//! method of `Machine` and an item of the module `event`, the workflow a
//! module beside the user's type. This table is the one list of what those
//! places already hold; validation refuses exactly these names (T006,
//! naming the item), and nothing else that the generator emits can clash:
//!
//! - `turnstile-codegen`'s test `namespace.rs` expands definitions of each
//!   kind (timed or not, events from one state or several) and checks that
//!   the generated methods, items, attribute tools and crates in those
//!   places are the ones listed here, no more and no fewer;
//! - its test `compiles.rs` compiles definitions that use every identifier
//!   the generator emits, the keywords and the prelude as names, in every
//!   role, and random definitions: whatever the checker accepts compiles.

/// Where a definition's name lands in the generated code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// An event's name: a method of `Machine<S>`, and a marker type (from
    /// one state) or a trait in PascalCase (from several) in `event`.
    Event,
    /// The workflow's name: the generated module, beside the data type.
    Workflow,
    /// A role's name: a marker type in PascalCase in the module `role`.
    Role,
}

/// When a taken name clashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Always.
    Always,
    /// In a workflow with timers (its machines record when they entered
    /// their state).
    Timed,
    /// For an event that gets a marker type named as the event in
    /// `event`: one allowed from exactly one state, or one whose
    /// transitions name roles in `by` (the role check names it).
    Marker,
    /// For an event allowed from several states (it gets a trait named in
    /// PascalCase in `event`).
    SeveralSources,
    /// In a workflow with parallel regions (its machine has more methods,
    /// and each event a module in `event`).
    Regions,
}

/// A name the generated code holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    /// Where it is taken.
    pub place: Place,
    /// The name as a definition would write it.
    pub name: &'static str,
    /// When it clashes.
    pub when: When,
    /// What the generated code holds there, for the message.
    pub item: &'static str,
    /// Why that clashes, for the label.
    pub why: &'static str,
}

const METHOD: &str = "every machine already has this method";
const PRIMITIVE: &str =
    "the generated module takes this name beside your type, and would hide the type there";

/// Every taken name.
pub const TAKEN: &[Taken] = &[
    Taken {
        place: Place::Event,
        name: "new",
        when: When::Always,
        item: "the generated method `Machine::new`",
        why: METHOD,
    },
    Taken {
        place: Place::Event,
        name: "data",
        when: When::Always,
        item: "the generated method `Machine::data`",
        why: METHOD,
    },
    Taken {
        place: Place::Event,
        name: "data_mut",
        when: When::Always,
        item: "the generated method `Machine::data_mut`",
        why: METHOD,
    },
    Taken {
        place: Place::Event,
        name: "into_data",
        when: When::Always,
        item: "the generated method `Machine::into_data`",
        why: METHOD,
    },
    Taken {
        place: Place::Event,
        name: "state",
        when: When::Always,
        item: "the generated method `Machine::state`",
        why: METHOD,
    },
    Taken {
        place: Place::Event,
        name: "entered_at",
        when: When::Timed,
        item: "the generated method `Machine::entered_at`",
        why: "in a workflow with timers, every machine has this method",
    },
    Taken {
        place: Place::Event,
        name: "states",
        when: When::Regions,
        item: "the generated method `Machine::states`",
        why: "in a workflow with regions, every machine has this method",
    },
    Taken {
        place: Place::Event,
        name: "permits",
        when: When::Regions,
        item: "the generated method `Machine::permits`",
        why: "in a workflow with regions, every machine has this method",
    },
    Taken {
        place: Place::Event,
        name: "allows",
        when: When::SeveralSources,
        item: "the generated trait `event::Allows`",
        why: "an event allowed from several states gets a trait named `Allows` beside it",
    },
    Taken {
        place: Place::Event,
        name: "diagnostic",
        when: When::Marker,
        item: "the `#[diagnostic::…]` attributes of the generated module `event`",
        why: "an event allowed from one state gets a marker type `event::diagnostic`, which hides them",
    },
    Taken {
        place: Place::Role,
        name: "may",
        when: When::Always,
        item: "the generated trait `role::May`",
        why: "a role becomes a marker type in PascalCase beside the trait `May` that checks roles",
    },
    Taken {
        place: Place::Workflow,
        name: "turnstile",
        when: When::Always,
        item: "the crate `turnstile`",
        why: "the generated module takes this name beside your type, so `turnstile::…` there would be ambiguous",
    },
    Taken {
        place: Place::Workflow,
        name: "std",
        when: When::Always,
        item: "the crate `std`",
        why: "the generated module takes this name beside your type, so `std::…` there would be ambiguous",
    },
    Taken {
        place: Place::Workflow,
        name: "core",
        when: When::Always,
        item: "the crate `core`",
        why: "the generated module takes this name beside your type, so `core::…` there would be ambiguous",
    },
    Taken {
        place: Place::Workflow,
        name: "bool",
        when: When::Always,
        item: "the primitive type `bool`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "char",
        when: When::Always,
        item: "the primitive type `char`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "str",
        when: When::Always,
        item: "the primitive type `str`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "u8",
        when: When::Always,
        item: "the primitive type `u8`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "u16",
        when: When::Always,
        item: "the primitive type `u16`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "u32",
        when: When::Always,
        item: "the primitive type `u32`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "u64",
        when: When::Always,
        item: "the primitive type `u64`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "u128",
        when: When::Always,
        item: "the primitive type `u128`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "usize",
        when: When::Always,
        item: "the primitive type `usize`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "i8",
        when: When::Always,
        item: "the primitive type `i8`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "i16",
        when: When::Always,
        item: "the primitive type `i16`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "i32",
        when: When::Always,
        item: "the primitive type `i32`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "i64",
        when: When::Always,
        item: "the primitive type `i64`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "i128",
        when: When::Always,
        item: "the primitive type `i128`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "isize",
        when: When::Always,
        item: "the primitive type `isize`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "f32",
        when: When::Always,
        item: "the primitive type `f32`",
        why: PRIMITIVE,
    },
    Taken {
        place: Place::Workflow,
        name: "f64",
        when: When::Always,
        item: "the primitive type `f64`",
        why: PRIMITIVE,
    },
];

/// The entry that takes `name` in `place`, if any (whatever its `When`).
pub fn taken(place: Place, name: &str) -> Option<&'static Taken> {
    TAKEN.iter().find(|t| t.place == place && t.name == name)
}

/// The names taken in `place` when `when` holds, in table order.
pub fn names(place: Place, when: When) -> impl Iterator<Item = &'static str> {
    TAKEN
        .iter()
        .filter(move |t| t.place == place && t.when == when)
        .map(|t| t.name)
}
