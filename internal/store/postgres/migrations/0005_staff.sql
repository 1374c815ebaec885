-- Staff accounts, their web sessions, and the failed logins that rate-limit sign-in.
CREATE TABLE users (
	id                   bigserial PRIMARY KEY,
	name                 text NOT NULL UNIQUE,
	role                 text NOT NULL CHECK (role IN ('admin', 'analyst', 'read-only')),
	password_hash        text NOT NULL, -- argon2id PHC string, parameters included
	must_change_password boolean NOT NULL DEFAULT false,
	disabled_at          timestamptz, -- NULL while enabled
	totp_secret          bytea, -- NULL without TOTP
	totp_last_step       bigint, -- the last time step whose code was used: a code is good once
	created_at           timestamptz NOT NULL
);

-- Only the SHA-256 of a session token is kept: a copy of the database opens no session.
CREATE TABLE sessions (
	token_hash bytea PRIMARY KEY,
	user_id    bigint NOT NULL REFERENCES users (id),
	csrf       text NOT NULL, -- the session's form token
	created_at timestamptz NOT NULL,
	last_seen  timestamptz NOT NULL,
	expires_at timestamptz NOT NULL -- the absolute end, whatever the activity
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One row per failed login, shared by every process on the database.
CREATE TABLE login_failures (
	id     bigserial PRIMARY KEY,
	name   text NOT NULL,
	addr   text NOT NULL,
	at     timestamptz NOT NULL
);
CREATE INDEX login_failures_name ON login_failures (name, at);
CREATE INDEX login_failures_addr ON login_failures (addr, at);
