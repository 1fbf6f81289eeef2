#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub use turnstile_macros::Workflow;
pub use turnstile_runtime::{
    Acting, Actor, Dispatch, Fired, Instance, LoadError, NotBefore, Payload, Refusal, Refused,
    Rejected, Role, State, Step, TimerSpec, TimerStatus, Why, Workflow,
};

pub use turnstile_runtime::{payload, roles, words};

#[cfg(feature = "serde")]
pub use turnstile_runtime::snapshot;

#[doc(hidden)]
pub use turnstile_runtime::__private;

/// The guides in `docs/`, compiled as this crate's doctests: every Rust
/// snippet in them builds (and runs, unless marked `no_run`), with the
/// imports it shows.
#[cfg(doctest)]
mod guides {
    #[doc = include_str!("../docs/long-running.md")]
    struct LongRunning;
    #[doc = include_str!("../docs/roles.md")]
    struct Roles;
    #[doc = include_str!("../docs/store.md")]
    struct Store;
    #[doc = include_str!("../docs/tasks/store-in-your-service.md")]
    struct TaskStore;
    #[doc = include_str!("../docs/tasks/change-data-and-fire.md")]
    struct TaskChangeData;
    #[doc = include_str!("../docs/tasks/authorization.md")]
    struct TaskAuthorization;
    #[doc = include_str!("../docs/tasks/deploy-a-changed-definition.md")]
    struct TaskDeploy;
    #[doc = include_str!("../docs/diagnostics/T015-file.md")]
    struct T015;
    #[doc = include_str!("../docs/diagnostics/T016-attribute.md")]
    struct T016;
}
