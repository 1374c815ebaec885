-- Staff accounts, their web sessions, and the failed logins that rate-limit sign-in.
CREATE TABLE users (
	id                   INTEGER PRIMARY KEY,
	name                 TEXT NOT NULL UNIQUE,
	role                 TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'read-only')),
	password_hash        TEXT NOT NULL, -- argon2id PHC string, parameters included
	must_change_password INTEGER NOT NULL DEFAULT 0,
	disabled_at          INTEGER, -- microseconds since 1970-01-01 UTC; NULL while enabled
	totp_secret          BLOB, -- NULL without TOTP
	totp_last_step       INTEGER, -- the last time step whose code was used: a code is good once
	created_at           INTEGER NOT NULL
);

-- Only the SHA-256 of a session token is kept: a copy of the database opens no session.
CREATE TABLE sessions (
	token_hash BLOB PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	csrf       TEXT NOT NULL, -- the session's form token
	created_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	expires_at INTEGER NOT NULL -- the absolute end, whatever the activity
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One row per failed login, shared by every process on the database.
CREATE TABLE login_failures (
	id     INTEGER PRIMARY KEY,
	name   TEXT NOT NULL,
	addr   TEXT NOT NULL,
	at     INTEGER NOT NULL
);
CREATE INDEX login_failures_name ON login_failures (name, at);
CREATE INDEX login_failures_addr ON login_failures (addr, at);
