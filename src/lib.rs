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
