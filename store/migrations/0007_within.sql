-- turnstile-store schema, version 7: when an instance entered each
-- compound state it is inside, for a workflow with a timer on a compound
-- state (such a timer counts from entering the compound, not the state).
-- Nanoseconds since the Unix epoch, outermost compound first, separated by
-- commas. NULL: the workflow keeps none.
ALTER TABLE turnstile_instances ADD COLUMN entered_within TEXT;
