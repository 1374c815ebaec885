-- Per-day totals of what reports count as, so that the activity report of a long period sums a
-- row per day and fact instead of counting every report. Every change to a report's category or
-- side rows applies its difference here in the same transaction (the adapters' Insert and
-- Complete do; an analyst's decision must too). shard (report id mod 8) spreads the totals of
-- one day over rows, so that concurrent transactions do not queue on one row lock.
CREATE TABLE activity_days (
	day     bigint NOT NULL,  -- UTC days since 1970-01-01
	kind    text NOT NULL,    -- category, tcp, udp, icmp, cgi, cause
	key     text NOT NULL,    -- the category key, port, ICMP type, path, or advisory US rule
	shard   integer NOT NULL,
	reports bigint NOT NULL,
	PRIMARY KEY (day, kind, key, shard)
);

-- Decisions are few: the decided reports of a period are a small range of their own.
CREATE INDEX reports_decided ON reports (received_at) WHERE decided_category IS NOT NULL;
-- The title of a ranked cause.
CREATE INDEX report_causes_cause ON report_causes (advisory, rule);

-- The totals of the reports stored before this migration.
INSERT INTO activity_days (day, kind, key, shard, reports)
	SELECT floor(extract(epoch FROM received_at) / 86400)::bigint, 'category', category, id % 8, COUNT(*)
	FROM reports GROUP BY 1, 3, 4;
INSERT INTO activity_days (day, kind, key, shard, reports)
	SELECT floor(extract(epoch FROM received_at) / 86400)::bigint, protocol, port::text, report_id % 8, COUNT(*)
	FROM report_ports GROUP BY 1, 2, 3, 4;
INSERT INTO activity_days (day, kind, key, shard, reports)
	SELECT floor(extract(epoch FROM received_at) / 86400)::bigint, 'icmp', icmp_type::text, report_id % 8, COUNT(*)
	FROM report_icmp GROUP BY 1, 3, 4;
INSERT INTO activity_days (day, kind, key, shard, reports)
	SELECT floor(extract(epoch FROM received_at) / 86400)::bigint, 'cgi', path, report_id % 8, COUNT(*)
	FROM report_cgi GROUP BY 1, 3, 4;
INSERT INTO activity_days (day, kind, key, shard, reports)
	SELECT floor(extract(epoch FROM received_at) / 86400)::bigint, 'cause', advisory || chr(31) || rule, report_id % 8, COUNT(*)
	FROM report_causes WHERE category = 'intrusion' GROUP BY 1, 3, 4;
