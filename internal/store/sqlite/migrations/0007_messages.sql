-- The mail thread of reports and incidents: every message keikai sends (acknowledgements,
-- forwards to sites) and every one that joins a thread (a site's reply, a reporter's addition
-- through the status page), raw bytes as sent or received.
CREATE TABLE messages (
	id           INTEGER PRIMARY KEY,
	report_id    INTEGER REFERENCES reports(id),
	incident_id  INTEGER REFERENCES incidents(id),
	direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	kind         TEXT NOT NULL,
	message_id   TEXT NOT NULL DEFAULT '',
	in_reply_to  TEXT NOT NULL DEFAULT '',
	refs         TEXT NOT NULL DEFAULT '', -- the References, space-separated, without brackets
	subject      TEXT NOT NULL DEFAULT '',
	mail_from    TEXT NOT NULL DEFAULT '',
	mail_to      TEXT NOT NULL DEFAULT '', -- space-separated
	content_type TEXT NOT NULL DEFAULT 'message/rfc822',
	shared       INTEGER NOT NULL DEFAULT 0, -- shown to the reporter on the status page
	actor_id     INTEGER NOT NULL DEFAULT 0,
	actor_name   TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL, -- microseconds since 1970-01-01 UTC
	raw          BLOB NOT NULL,
	CHECK (report_id IS NOT NULL OR incident_id IS NOT NULL)
);
CREATE INDEX messages_report ON messages (report_id, id) WHERE report_id IS NOT NULL;
CREATE INDEX messages_incident ON messages (incident_id, id) WHERE incident_id IS NOT NULL;
-- A message is stored once: a reply imported twice, or sent back to the intake, is one row.
CREATE UNIQUE INDEX messages_message_id ON messages (message_id) WHERE message_id <> '';
