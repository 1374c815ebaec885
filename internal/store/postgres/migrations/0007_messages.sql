-- The mail thread of reports and incidents: every message keikai sends (acknowledgements,
-- forwards to sites) and every one that joins a thread (a site's reply, a reporter's addition
-- through the status page), raw bytes as sent or received.
CREATE TABLE messages (
	id           bigserial PRIMARY KEY,
	report_id    bigint REFERENCES reports(id),
	incident_id  bigint REFERENCES incidents(id),
	direction    text NOT NULL CHECK (direction IN ('in', 'out')),
	kind         text NOT NULL,
	message_id   text NOT NULL DEFAULT '',
	in_reply_to  text NOT NULL DEFAULT '',
	refs         text NOT NULL DEFAULT '', -- the References, space-separated, without brackets
	subject      text NOT NULL DEFAULT '',
	mail_from    text NOT NULL DEFAULT '',
	mail_to      text NOT NULL DEFAULT '', -- space-separated
	content_type text NOT NULL DEFAULT 'message/rfc822',
	shared       boolean NOT NULL DEFAULT false, -- shown to the reporter on the status page
	actor_id     bigint NOT NULL DEFAULT 0,
	actor_name   text NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL,
	raw          bytea NOT NULL,
	CHECK (report_id IS NOT NULL OR incident_id IS NOT NULL)
);
CREATE INDEX messages_report ON messages (report_id, id) WHERE report_id IS NOT NULL;
CREATE INDEX messages_incident ON messages (incident_id, id) WHERE incident_id IS NOT NULL;
-- A message is stored once: a reply imported twice, or sent back to the intake, is one row.
CREATE UNIQUE INDEX messages_message_id ON messages (message_id) WHERE message_id <> '';
