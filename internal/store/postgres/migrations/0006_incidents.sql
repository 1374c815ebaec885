-- The schema of store/sqlite/migrations/0006_incidents.sql in PostgreSQL's dialect.
ALTER TABLE reports ADD COLUMN decided_rsit text;
ALTER TABLE reports ADD COLUMN decided_by bigint;
ALTER TABLE reports ADD COLUMN decided_by_name text;
ALTER TABLE reports ADD COLUMN decided_at timestamptz;
ALTER TABLE reports ADD COLUMN decision_note text NOT NULL DEFAULT '';

CREATE TABLE incidents (
	id            bigserial PRIMARY KEY,
	ref           text UNIQUE,
	title         text NOT NULL,
	status        text NOT NULL DEFAULT 'new',
	assignee      bigint NOT NULL DEFAULT 0,
	assignee_name text NOT NULL DEFAULT '',
	tlp           text NOT NULL DEFAULT 'AMBER',
	merged_into   bigint REFERENCES incidents(id),
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL
);
CREATE INDEX incidents_status ON incidents (status, id);

CREATE TABLE incident_reports (
	report_id   bigint PRIMARY KEY REFERENCES reports(id),
	incident_id bigint NOT NULL REFERENCES incidents(id),
	added_at    timestamptz NOT NULL
);
CREATE INDEX incident_reports_incident ON incident_reports (incident_id, report_id);

CREATE TABLE incident_notes (
	id          bigserial PRIMARY KEY,
	incident_id bigint NOT NULL REFERENCES incidents(id),
	at          timestamptz NOT NULL,
	author_id   bigint NOT NULL DEFAULT 0,
	author_name text NOT NULL DEFAULT '',
	body        text NOT NULL
);
CREATE INDEX incident_notes_incident ON incident_notes (incident_id, id);
