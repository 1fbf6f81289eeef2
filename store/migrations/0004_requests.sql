-- turnstile-store schema, version 4: idempotency keys. One row per key a
-- caller sent with a fire (`Store::fire_keyed`): the event it named and
-- what came of it, as JSON: {"version": n, "state": "..."} for a step
-- written, {"refused": "<code>", "message": "..."} for a refusal. A repeated
-- key returns this outcome and fires nothing. The row is written in the
-- same transaction as the step it records. `created_at` is the store's
-- clock (nanoseconds since the Unix epoch), for forgetting old keys.
CREATE TABLE turnstile_requests (
    workflow    TEXT   NOT NULL,
    id          TEXT   NOT NULL,
    request_key TEXT   NOT NULL,
    event       TEXT   NOT NULL,
    outcome     TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (workflow, id, request_key)
);

CREATE INDEX turnstile_requests_created ON turnstile_requests (created_at);
