-- Triage and incidents. An analyst's decision is kept beside keikai's suggestion
-- (suggested_category, rsit), never over it: decided_category (0001) and decided_rsit, who
-- decided and when. category stays what the report counts as, and the per-day totals follow it
-- in the transaction of the decision.
ALTER TABLE reports ADD COLUMN decided_rsit TEXT;
ALTER TABLE reports ADD COLUMN decided_by INTEGER;      -- staff user ID; 0 for the command line
ALTER TABLE reports ADD COLUMN decided_by_name TEXT;
ALTER TABLE reports ADD COLUMN decided_at INTEGER;      -- microseconds since 1970-01-01 UTC
ALTER TABLE reports ADD COLUMN decision_note TEXT NOT NULL DEFAULT '';

CREATE TABLE incidents (
	id            INTEGER PRIMARY KEY,
	ref           TEXT UNIQUE,            -- IN-YYYY-NNNN, from the ID, set in the creating transaction
	title         TEXT NOT NULL,
	status        TEXT NOT NULL DEFAULT 'new',
	assignee      INTEGER NOT NULL DEFAULT 0, -- staff user ID; 0 for nobody
	assignee_name TEXT NOT NULL DEFAULT '',
	tlp           TEXT NOT NULL DEFAULT 'AMBER',
	-- An incident merged into another keeps its reference and history, closed, pointing here.
	merged_into   INTEGER REFERENCES incidents(id),
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);
CREATE INDEX incidents_status ON incidents (status, id);

-- A report belongs to one incident at most: the report is the key.
CREATE TABLE incident_reports (
	report_id   INTEGER PRIMARY KEY REFERENCES reports(id),
	incident_id INTEGER NOT NULL REFERENCES incidents(id),
	added_at    INTEGER NOT NULL
);
CREATE INDEX incident_reports_incident ON incident_reports (incident_id, report_id);

CREATE TABLE incident_notes (
	id          INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents(id),
	at          INTEGER NOT NULL,
	author_id   INTEGER NOT NULL DEFAULT 0,
	author_name TEXT NOT NULL DEFAULT '',
	body        TEXT NOT NULL
);
CREATE INDEX incident_notes_incident ON incident_notes (incident_id, id);
