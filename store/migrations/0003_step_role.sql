-- turnstile-store schema, version 3: the role each step was fired in, when
-- its transition names the roles that may fire it (`by`). NULL for steps
-- whose transition names none, and for steps stored before this version.
ALTER TABLE turnstile_steps ADD COLUMN role TEXT;
