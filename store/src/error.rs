//! The store's error type.

use turnstile_runtime::Why;

/// Why a store operation failed. Every variant about an instance names the
/// workflow and the instance id; nothing is written when an error is
/// returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// `create` with an id that is taken.
    #[error("{workflow} instance `{id}` already exists")]
    Exists {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
    },
    /// No instance of this workflow has this id.
    #[error("no {workflow} instance `{id}`")]
    NotFound {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
    },
    /// The instance changed since it was read: reload and try again (or
    /// use [`crate::Store::fire_retrying`]).
    #[error(
        "{workflow} instance `{id}` changed since it was read (version {expected} was read, \
         {found} is stored): reload it and try again"
    )]
    Conflict {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
        /// The version the write was based on.
        expected: i64,
        /// The version stored now.
        found: i64,
    },
    /// The event was refused (unknown, not allowed in the current state, a
    /// guard, a timer). Nothing was written for the event itself; automatic
    /// timers that fell due before it were (see [`Store::fire`](crate::Store::fire)).
    #[error("{workflow} instance `{id}`: {why}")]
    Refused {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
        /// Why (boxed: it is large, and errors travel far).
        why: Box<Why>,
    },
    /// The row was written under another version of the definition
    /// (another fingerprint): this build neither reads nor writes it, and
    /// leaves it as it is. A node of that version serves it; a migration
    /// from that version ([`Store::migrate_from`](crate::Store::migrate_from))
    /// moves it to this one.
    #[error(
        "{workflow} instance `{id}` was stored under another version of the definition \
         (fingerprint {stored}); this build has {current}: a node of that version serves it, \
         or a migration from it (Store::migrate_from) moves it to this one"
    )]
    OtherVersion {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
        /// The fingerprint the row was written under.
        stored: String,
        /// This build's fingerprint.
        current: &'static str,
    },
    /// A stored row does not make a valid instance; it was left as it is.
    #[error("{workflow} instance `{id}` is refused: {problem}")]
    BadRow {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
        /// What is wrong with the row.
        problem: String,
    },
    /// An instance that cannot be written as it is (an instant before 1970
    /// or after 2262, data that does not serialize).
    #[error("{workflow} instance `{id}` cannot be stored: {problem}")]
    Unstorable {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
        /// Why.
        problem: String,
    },
    /// An idempotency key sent again with another event: the key names
    /// one request, and that request was for `recorded`.
    #[error(
        "{workflow} instance `{id}`: the idempotency key `{key}` was used for `{recorded}`, \
         not `{event}`: use a new key for a new request"
    )]
    KeyReused {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
        /// The key.
        key: String,
        /// The event the key was first sent with.
        recorded: String,
        /// The event it came with now.
        event: String,
    },
    /// A consumer's handler failed (see `Store::consume`): nothing it
    /// wrote was kept and the consumer's cursor did not move.
    #[error("the consumer's handler failed: {0}")]
    Handler(Box<dyn std::error::Error + Send + Sync>),
    /// An instant outside what the store holds (1970 to 2262).
    #[error("the instant cannot be stored: {0}")]
    Instant(String),
    /// A text the store was given breaks its one rule for text (see
    /// the rule in `text.rs`, stated in docs/store.md): a name (an id, an
    /// event, a key, an actor, a role, an owner, a listing's state or
    /// cursor) that is empty or holds a control character, or a payload
    /// that holds U+0000. Refused before any SQL, on both databases alike;
    /// nothing was read or written.
    #[error("{field} {problem}")]
    BadText {
        /// Which text: "the instance id", "the event name", ….
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A connection URL that names no database the store supports.
    #[error("`{0}` is not a sqlite: or postgres: URL")]
    Url(String),
    /// The database failed (connection, I/O, a constraint).
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("schema migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether this is a [`StoreError::Conflict`], which a retry may cure.
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}
