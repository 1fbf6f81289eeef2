-- turnstile-store schema, version 6: who owns an instance, when the caller
-- that created it said (`Store::create_owned`): a service shows and fires
-- an instance only for its owner, and for the roles it trusts with every
-- instance. NULL: no owner recorded.
ALTER TABLE turnstile_instances ADD COLUMN owner TEXT;

CREATE INDEX turnstile_instances_owner ON turnstile_instances (workflow, owner, id);
