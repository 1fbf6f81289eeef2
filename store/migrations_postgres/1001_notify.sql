-- turnstile-store, PostgreSQL only: wake waiting consumers. Each statement
-- that inserts steps sends one notification on the channel
-- `turnstile_steps` when its transaction commits (PostgreSQL folds the
-- notifications of one transaction into one). SQLite's consumers poll.
CREATE OR REPLACE FUNCTION turnstile_steps_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('turnstile_steps', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER turnstile_steps_notify
    AFTER INSERT ON turnstile_steps
    FOR EACH STATEMENT EXECUTE FUNCTION turnstile_steps_notify();
