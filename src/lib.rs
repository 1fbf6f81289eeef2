#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub use turnstile_macros::Workflow;
pub use turnstile_runtime::{Fired, Refusal, Rejected, State, Workflow};
