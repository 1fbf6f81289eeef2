-- turnstile-store schema, version 8: a migration step, which moved the
-- instance from one version of its definition to another (its event is
-- `(migrated)`): the fingerprints of the definitions before and after,
-- separated by a space. NULL for every other step.
ALTER TABLE turnstile_steps ADD COLUMN migrated TEXT;
