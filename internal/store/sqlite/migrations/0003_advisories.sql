-- Published advisory editions: the source files byte for byte as published, and the SHA-256 of
-- each signed file the publication wrote. An edition is immutable once published: the adapters
-- never update these rows.
CREATE TABLE advisories (
	id           TEXT NOT NULL,
	edition      INTEGER NOT NULL,
	advisory_yml BLOB NOT NULL,
	ja_md        BLOB NOT NULL,
	en_md        BLOB NOT NULL,
	published_at INTEGER NOT NULL, -- microseconds since 1970-01-01 UTC
	PRIMARY KEY (id, edition)
) WITHOUT ROWID;

CREATE TABLE advisory_outputs (
	id      TEXT NOT NULL,
	edition INTEGER NOT NULL,
	path    TEXT NOT NULL, -- in the publication tree
	sha256  BLOB NOT NULL,
	PRIMARY KEY (id, edition, path),
	FOREIGN KEY (id, edition) REFERENCES advisories (id, edition)
) WITHOUT ROWID;
