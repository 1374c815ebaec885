-- The audit log: who changed what, one row per change, written in the same transaction as the
-- change. Append-only: the triggers refuse UPDATE, DELETE and TRUNCATE, and hash chains every row
-- to the one before it (see package audit), so an edit made around the triggers shows when it is
-- verified. Before and after are text, not jsonb: jsonb would reorder the bytes that were hashed.
CREATE TABLE audit_log (
	id         bigserial PRIMARY KEY,
	at         timestamptz NOT NULL,
	actor_id   bigint NOT NULL, -- 0: keikai itself or the command line
	actor_name text NOT NULL,
	object     text NOT NULL,   -- report, incident, user, message
	object_id  bigint NOT NULL,
	action     text NOT NULL,
	before     text,
	after      text,
	hash       bytea NOT NULL
);

CREATE INDEX audit_log_object ON audit_log (object, object_id, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only';
END
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
