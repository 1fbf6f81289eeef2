#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub use turnstile_macros::Workflow;
pub use turnstile_runtime::{
    Dispatch, Fired, Instance, LoadError, NotBefore, Refusal, Refused, Rejected, State, Step,
    TimerSpec, TimerStatus, Why, Workflow,
};

pub use turnstile_runtime::words;

#[cfg(feature = "serde")]
pub use turnstile_runtime::snapshot;

#[doc(hidden)]
pub use turnstile_runtime::__private;
