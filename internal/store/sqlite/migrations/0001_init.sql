-- Times are microseconds since the Unix epoch (UTC), the precision PostgreSQL keeps too.
-- IP addresses are 16 bytes (IPv4 mapped into IPv6), so a CIDR is one byte-wise range.

CREATE TABLE tokens (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	hash       BLOB NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

CREATE TABLE reports (
	id                 INTEGER PRIMARY KEY,
	tracking           TEXT UNIQUE,
	channel            TEXT NOT NULL,
	received_at        INTEGER NOT NULL,
	state              TEXT NOT NULL DEFAULT 'received',
	message_id         TEXT NOT NULL DEFAULT '',
	token_id           INTEGER REFERENCES tokens(id),
	idempotency_key    TEXT NOT NULL DEFAULT '',
	remote_addr        TEXT NOT NULL DEFAULT '',
	lang               TEXT NOT NULL DEFAULT '',
	content_type       TEXT NOT NULL DEFAULT '',
	size               INTEGER NOT NULL,
	status_hash        BLOB UNIQUE,
	suggested_category TEXT,
	rsit               TEXT,
	-- decided_category is an analyst's decision (incidents issue); category is what the report
	-- counts as: the decision where there is one, the suggestion otherwise, other before analysis.
	decided_category   TEXT,
	category           TEXT NOT NULL DEFAULT 'other',
	analysed_at        INTEGER,
	failure            TEXT NOT NULL DEFAULT '',
	-- The large columns last: SQLite reads a row's columns in order and stops at the last one a
	-- query needs, so lists and counts never page through raw mail.
	analysis           TEXT,
	raw                BLOB NOT NULL
);
CREATE UNIQUE INDEX reports_message_id ON reports (message_id) WHERE message_id <> '';
CREATE UNIQUE INDEX reports_idempotency ON reports (token_id, idempotency_key)
	WHERE idempotency_key <> '' AND token_id IS NOT NULL;
CREATE INDEX reports_received ON reports (received_at);
CREATE INDEX reports_category ON reports (category, received_at, decided_category);
CREATE INDEX reports_token ON reports (token_id) WHERE token_id IS NOT NULL;

CREATE TABLE jobs (
	id          INTEGER PRIMARY KEY,
	report_id   INTEGER NOT NULL REFERENCES reports(id),
	attempts    INTEGER NOT NULL DEFAULT 0,
	not_before  INTEGER NOT NULL,
	lease_until INTEGER,
	worker      TEXT NOT NULL DEFAULT '',
	last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_report ON jobs (report_id);
CREATE INDEX jobs_due ON jobs (not_before, id);

-- Side tables: one row per report and distinct value, keyed by the value, then the time, so that
-- the reports of one port in a period are one range of the table itself (WITHOUT ROWID: the table
-- is its own covering index). A ranking walks the distinct values and counts each one's range:
-- no sort, whatever the period. The index on report_id serves the replacement on reanalysis.
CREATE TABLE report_ports (
	protocol    TEXT NOT NULL,
	port        INTEGER NOT NULL,
	received_at INTEGER NOT NULL,
	report_id   INTEGER NOT NULL REFERENCES reports(id),
	category    TEXT NOT NULL,
	PRIMARY KEY (protocol, port, received_at, report_id)
) WITHOUT ROWID;
CREATE INDEX report_ports_report ON report_ports (report_id);

CREATE TABLE report_icmp (
	icmp_type   INTEGER NOT NULL,
	received_at INTEGER NOT NULL,
	report_id   INTEGER NOT NULL REFERENCES reports(id),
	category    TEXT NOT NULL,
	PRIMARY KEY (icmp_type, received_at, report_id)
) WITHOUT ROWID;
CREATE INDEX report_icmp_report ON report_icmp (report_id);

CREATE TABLE report_cgi (
	path        TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	report_id   INTEGER NOT NULL REFERENCES reports(id),
	category    TEXT NOT NULL,
	PRIMARY KEY (path, received_at, report_id)
) WITHOUT ROWID;
CREATE INDEX report_cgi_report ON report_cgi (report_id);

-- Causes come from intrusion reports only, a few per cent of all: a period is one range and its
-- grouping sorts little.
CREATE TABLE report_causes (
	received_at INTEGER NOT NULL,
	report_id   INTEGER NOT NULL REFERENCES reports(id),
	advisory    TEXT NOT NULL,
	rule        TEXT NOT NULL,
	title       TEXT NOT NULL,
	title_ja    TEXT NOT NULL,
	category    TEXT NOT NULL,
	PRIMARY KEY (received_at, report_id, advisory, rule)
) WITHOUT ROWID;
CREATE INDEX report_causes_report ON report_causes (report_id);

CREATE TABLE report_observables (
	id          INTEGER PRIMARY KEY,
	report_id   INTEGER NOT NULL REFERENCES reports(id),
	received_at INTEGER NOT NULL,
	category    TEXT NOT NULL,
	kind        TEXT NOT NULL,
	value       TEXT NOT NULL,
	ip          BLOB,
	reserved    INTEGER NOT NULL DEFAULT 0,
	count       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX report_observables_report ON report_observables (report_id);
CREATE INDEX report_observables_ip ON report_observables (ip, report_id) WHERE ip IS NOT NULL;
CREATE INDEX report_observables_value ON report_observables (kind, value);
