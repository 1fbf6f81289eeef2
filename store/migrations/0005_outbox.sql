-- turnstile-store schema, version 5: the outbox. Every step is delivered to
-- named consumers in the order of the transactions that wrote it.
--
-- `txid`: the writing transaction's place in that order. On PostgreSQL,
-- the transaction's id (`pg_current_xact_id()`); a reader delivers only
-- steps of transactions older than every transaction still running, so a
-- step committed late is never passed over. On SQLite (one writer at a
-- time), one more than the largest before it. 0 for steps stored before
-- this version: they come first, in (workflow, id, seq) order.
ALTER TABLE turnstile_steps ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;

CREATE INDEX turnstile_steps_log ON turnstile_steps (txid, workflow, id, seq);

-- One row per consumer: the last step it was given, as its place in the
-- log (txid, workflow, id, seq), advanced in the same transaction as what
-- its handler records.
CREATE TABLE turnstile_consumers (
    name       TEXT   NOT NULL PRIMARY KEY,
    txid       BIGINT NOT NULL,
    workflow   TEXT   NOT NULL,
    id         TEXT   NOT NULL,
    seq        BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
