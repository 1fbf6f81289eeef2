//! How turnstile words what it tells people: durations and "did you mean",
//! shared with the checker's diagnostics (the `turnstile-words` crate).

pub use turnstile_words::{compact_duration, condition_words, did_you_mean};
