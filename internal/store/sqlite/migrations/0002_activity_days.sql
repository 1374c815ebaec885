-- Per-day totals of what reports count as, so that the activity report of a long period sums a
-- row per day and fact instead of counting every report. Every change to a report's category or
-- side rows applies its difference here in the same transaction (the adapters' Insert and
-- Complete do; an analyst's decision must too). shard spreads the totals of one day over rows
-- so that concurrent writers of PostgreSQL do not queue on one row; SQLite has one writer and
-- uses shard 0.
CREATE TABLE activity_days (
	day     INTEGER NOT NULL, -- UTC days since 1970-01-01
	kind    TEXT NOT NULL,    -- category, tcp, udp, icmp, cgi, cause
	key     TEXT NOT NULL,    -- the category key, port, ICMP type, path, or advisory US rule
	shard   INTEGER NOT NULL,
	reports INTEGER NOT NULL,
	PRIMARY KEY (day, kind, key, shard)
) WITHOUT ROWID;

-- Decisions are few: the decided reports of a period are a small range of their own.
CREATE INDEX reports_decided ON reports (received_at) WHERE decided_category IS NOT NULL;
-- The title of a ranked cause.
CREATE INDEX report_causes_cause ON report_causes (advisory, rule);

-- The totals of the reports stored before this migration.
INSERT INTO activity_days (day, kind, key, shard, reports)
	SELECT day, 'category', category, 0, COUNT(*) FROM
		(SELECT (received_at - CASE WHEN received_at < 0 THEN 86399999999 ELSE 0 END) / 86400000000 AS day, category FROM reports)
	GROUP BY day, category;
INSERT INTO activity_days (day, kind, key, shard, reports)
	SELECT day, protocol, CAST(port AS TEXT), 0, COUNT(*) FROM
		(SELECT (received_at - CASE WHEN received_at < 0 THEN 86399999999 ELSE 0 END) / 86400000000 AS day, protocol, port FROM report_ports)
	GROUP BY day, protocol, port;
INSERT INTO activity_days (day, kind, key, shard, reports)
	SELECT day, 'icmp', CAST(icmp_type AS TEXT), 0, COUNT(*) FROM
		(SELECT (received_at - CASE WHEN received_at < 0 THEN 86399999999 ELSE 0 END) / 86400000000 AS day, icmp_type FROM report_icmp)
	GROUP BY day, icmp_type;
INSERT INTO activity_days (day, kind, key, shard, reports)
	SELECT day, 'cgi', path, 0, COUNT(*) FROM
		(SELECT (received_at - CASE WHEN received_at < 0 THEN 86399999999 ELSE 0 END) / 86400000000 AS day, path FROM report_cgi)
	GROUP BY day, path;
INSERT INTO activity_days (day, kind, key, shard, reports)
	SELECT day, 'cause', advisory || char(31) || rule, 0, COUNT(*) FROM
		(SELECT (received_at - CASE WHEN received_at < 0 THEN 86399999999 ELSE 0 END) / 86400000000 AS day, advisory, rule
		 FROM report_causes WHERE category = 'intrusion')
	GROUP BY day, advisory, rule;
