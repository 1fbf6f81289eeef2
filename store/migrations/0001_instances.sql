-- turnstile-store schema, version 1. Portable between SQLite and
-- PostgreSQL. Instants are whole nanoseconds since the Unix epoch.

-- One row per instance of a workflow.
CREATE TABLE turnstile_instances (
    workflow    TEXT   NOT NULL,
    id          TEXT   NOT NULL,
    -- The fingerprint of the definition the instance runs under.
    fingerprint TEXT   NOT NULL,
    state       TEXT   NOT NULL,
    entered_at  BIGINT NOT NULL,
    -- The workflow's data, as JSON.
    data        TEXT   NOT NULL,
    -- How many steps the history holds; every write checks and bumps it.
    version     BIGINT NOT NULL,
    -- When the next automatic timer falls due, if the state has one.
    next_due    BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (workflow, id)
);

-- Due timers are found through this index only.
CREATE INDEX turnstile_instances_due
    ON turnstile_instances (workflow, next_due)
    WHERE next_due IS NOT NULL;

-- Listing by workflow and state.
CREATE INDEX turnstile_instances_state
    ON turnstile_instances (workflow, state, id);

-- The audit trail: one row per transition taken, numbered 1, 2, … per
-- instance with no gap.
CREATE TABLE turnstile_steps (
    workflow   TEXT   NOT NULL,
    id         TEXT   NOT NULL,
    seq        BIGINT NOT NULL,
    from_state TEXT   NOT NULL,
    event      TEXT   NOT NULL,
    to_state   TEXT   NOT NULL,
    at         BIGINT NOT NULL,
    actor      TEXT,
    PRIMARY KEY (workflow, id, seq),
    FOREIGN KEY (workflow, id) REFERENCES turnstile_instances (workflow, id) ON DELETE CASCADE
);
