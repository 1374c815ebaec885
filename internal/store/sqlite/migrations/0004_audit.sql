-- The audit log: who changed what, one row per change, written in the same transaction as the
-- change. Append-only: the triggers refuse UPDATE and DELETE, and hash chains every row to the one
-- before it (see package audit), so an edit made around the triggers shows when it is verified.
CREATE TABLE audit_log (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
	at         INTEGER NOT NULL,                  -- microseconds since 1970-01-01 UTC
	actor_id   INTEGER NOT NULL,                  -- 0: keikai itself or the command line
	actor_name TEXT NOT NULL,
	object     TEXT NOT NULL,                     -- report, incident, user, message
	object_id  INTEGER NOT NULL,
	action     TEXT NOT NULL,
	before     TEXT,                              -- JSON, byte for byte as hashed
	after      TEXT,
	hash       BLOB NOT NULL
);

CREATE INDEX audit_log_object ON audit_log (object, object_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
