//! turnstile
