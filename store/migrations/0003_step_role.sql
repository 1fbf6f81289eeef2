-- turnstile-store schema, version 3: who a step was fired as and what it
-- brought. `role`: the role the actor fired it in, when its transition
-- names the roles that may fire it (`by`). `payload`: what the event
-- brought, when its definition says `payload` (its text, or the digest of
-- a sensitive one). NULL otherwise, and for steps stored before this version.
ALTER TABLE turnstile_steps ADD COLUMN role TEXT;
ALTER TABLE turnstile_steps ADD COLUMN payload TEXT;
