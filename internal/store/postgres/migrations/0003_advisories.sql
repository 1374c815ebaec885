-- Published advisory editions: the source files byte for byte as published, and the SHA-256 of
-- each signed file the publication wrote. An edition is immutable once published: the adapters
-- never update these rows.
CREATE TABLE advisories (
	id           text NOT NULL,
	edition      integer NOT NULL,
	advisory_yml bytea NOT NULL,
	ja_md        bytea NOT NULL,
	en_md        bytea NOT NULL,
	published_at timestamptz NOT NULL,
	PRIMARY KEY (id, edition)
);

CREATE TABLE advisory_outputs (
	id      text NOT NULL,
	edition integer NOT NULL,
	path    text NOT NULL, -- in the publication tree
	sha256  bytea NOT NULL,
	PRIMARY KEY (id, edition, path),
	FOREIGN KEY (id, edition) REFERENCES advisories (id, edition)
);
