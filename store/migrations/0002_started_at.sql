-- turnstile-store schema, version 2: when each instance started (the
-- caller's instant given to Instance::start), so that loading checks the
-- first step's timer against it. NULL for instances created before this
-- version: their first step is taken as stored.
ALTER TABLE turnstile_instances ADD COLUMN started_at BIGINT;
