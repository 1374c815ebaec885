-- The schema of store/sqlite/migrations/0001_init.sql in PostgreSQL's dialect: the same tables,
-- columns and indexes. IP addresses are 16 bytes (IPv4 mapped into IPv6), so a CIDR is one
-- byte-wise range here as in SQLite.

CREATE TABLE tokens (
	id         bigserial PRIMARY KEY,
	name       text NOT NULL,
	hash       bytea NOT NULL UNIQUE,
	created_at timestamptz NOT NULL,
	revoked_at timestamptz
);

CREATE TABLE reports (
	id                 bigserial PRIMARY KEY,
	tracking           text UNIQUE,
	channel            text NOT NULL,
	received_at        timestamptz NOT NULL,
	state              text NOT NULL DEFAULT 'received',
	message_id         text NOT NULL DEFAULT '',
	token_id           bigint REFERENCES tokens(id),
	idempotency_key    text NOT NULL DEFAULT '',
	remote_addr        text NOT NULL DEFAULT '',
	lang               text NOT NULL DEFAULT '',
	content_type       text NOT NULL DEFAULT '',
	size               bigint NOT NULL,
	status_hash        bytea UNIQUE,
	suggested_category text,
	rsit               text,
	-- decided_category is an analyst's decision (incidents issue); category is what the report
	-- counts as: the decision where there is one, the suggestion otherwise, other before analysis.
	decided_category   text,
	category           text NOT NULL DEFAULT 'other',
	analysed_at        timestamptz,
	failure            text NOT NULL DEFAULT '',
	-- json, not jsonb: jsonb refuses the \u0000 that a report's text may carry.
	analysis           json,
	raw                bytea NOT NULL
);
CREATE UNIQUE INDEX reports_message_id ON reports (message_id) WHERE message_id <> '';
CREATE UNIQUE INDEX reports_idempotency ON reports (token_id, idempotency_key)
	WHERE idempotency_key <> '' AND token_id IS NOT NULL;
CREATE INDEX reports_received ON reports (received_at);
CREATE INDEX reports_category ON reports (category, received_at, decided_category);
CREATE INDEX reports_token ON reports (token_id) WHERE token_id IS NOT NULL;

CREATE TABLE jobs (
	id          bigserial PRIMARY KEY,
	report_id   bigint NOT NULL REFERENCES reports(id),
	attempts    integer NOT NULL DEFAULT 0,
	not_before  timestamptz NOT NULL,
	lease_until timestamptz,
	worker      text NOT NULL DEFAULT '',
	last_error  text NOT NULL DEFAULT ''
);
CREATE INDEX jobs_report ON jobs (report_id);
CREATE INDEX jobs_due ON jobs (not_before, id);

-- Side tables: one row per report and distinct value, keyed by the value, then the time, so that
-- the reports of one port in a period are one index range (index-only once vacuumed). A ranking
-- walks the distinct values and counts each one's range, whatever the period. The index on
-- report_id serves the replacement on reanalysis.
CREATE TABLE report_ports (
	protocol    text NOT NULL,
	port        integer NOT NULL,
	received_at timestamptz NOT NULL,
	report_id   bigint NOT NULL REFERENCES reports(id),
	category    text NOT NULL,
	PRIMARY KEY (protocol, port, received_at, report_id)
);
CREATE INDEX report_ports_report ON report_ports (report_id);

CREATE TABLE report_icmp (
	icmp_type   integer NOT NULL,
	received_at timestamptz NOT NULL,
	report_id   bigint NOT NULL REFERENCES reports(id),
	category    text NOT NULL,
	PRIMARY KEY (icmp_type, received_at, report_id)
);
CREATE INDEX report_icmp_report ON report_icmp (report_id);

CREATE TABLE report_cgi (
	path        text NOT NULL,
	received_at timestamptz NOT NULL,
	report_id   bigint NOT NULL REFERENCES reports(id),
	category    text NOT NULL,
	PRIMARY KEY (path, received_at, report_id)
);
CREATE INDEX report_cgi_report ON report_cgi (report_id);

-- Causes come from intrusion reports only, a few per cent of all: a period is one range and its
-- grouping sorts little.
CREATE TABLE report_causes (
	received_at timestamptz NOT NULL,
	report_id   bigint NOT NULL REFERENCES reports(id),
	advisory    text NOT NULL,
	rule        text NOT NULL,
	title       text NOT NULL,
	title_ja    text NOT NULL,
	category    text NOT NULL,
	PRIMARY KEY (received_at, report_id, advisory, rule)
);
CREATE INDEX report_causes_report ON report_causes (report_id);

CREATE TABLE report_observables (
	id          bigserial PRIMARY KEY,
	report_id   bigint NOT NULL REFERENCES reports(id),
	received_at timestamptz NOT NULL,
	category    text NOT NULL,
	kind        text NOT NULL,
	value       text NOT NULL,
	ip          bytea,
	reserved    boolean NOT NULL DEFAULT false,
	count       integer NOT NULL DEFAULT 0
);
CREATE INDEX report_observables_report ON report_observables (report_id);
CREATE INDEX report_observables_ip ON report_observables (ip, report_id) WHERE ip IS NOT NULL;
CREATE INDEX report_observables_value ON report_observables (kind, value);
