package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

// CountUsers implements store.Staff.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting users: %w", err)
	}
	return n, nil
}

// auditUser appends the audit entry of a change of account id: before and after hold the
// changed fields only.
func auditUser(ctx context.Context, tx pgx.Tx, by audit.Actor, id int64, action string, before, after map[string]any) error {
	b, err := audit.Fields(before)
	if err != nil {
		return err
	}
	a, err := audit.Fields(after)
	if err != nil {
		return err
	}
	return appendAudit(ctx, tx, audit.Entry{Actor: by, Object: audit.KindUser, ObjectID: id, Action: action, Before: b, After: a})
}

// AddUser implements store.Staff.
func (db *DB) AddUser(ctx context.Context, nu store.NewUser, by audit.Actor) (staff.User, error) {
	if err := staff.CheckName(nu.Name); err != nil {
		return staff.User{}, fmt.Errorf("adding user %q: %w", nu.Name, err)
	}
	if !nu.Role.Valid() || nu.PasswordHash == "" {
		return staff.User{}, fmt.Errorf("adding user %q: a role and a password hash are required", nu.Name)
	}
	u := staff.User{Name: nu.Name, Role: nu.Role, CreatedAt: derive.Time(time.Now())}
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO users (name, role, password_hash, must_change_password, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, nu.Name, string(nu.Role), nu.PasswordHash, nu.MustChangePassword, u.CreatedAt).Scan(&u.ID); err != nil {
			return err
		}
		return auditUser(ctx, tx, by, u.ID, "user.add", nil, map[string]any{"name": u.Name, "role": u.Role, "must_change_password": nu.MustChangePassword})
	})
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == uniqueViolation {
		return staff.User{}, fmt.Errorf("adding user %q: %w", nu.Name, store.ErrConflict)
	}
	if err != nil {
		return staff.User{}, fmt.Errorf("adding user %q: %w", nu.Name, err)
	}
	return u, nil
}

const userColumns = `u.id, u.name, u.role, u.disabled_at IS NOT NULL, u.totp_secret IS NOT NULL, u.created_at`

func scanUser(row pgx.Row, extra ...any) (staff.User, error) {
	var u staff.User
	var role string
	if err := row.Scan(append([]any{&u.ID, &u.Name, &role, &u.Disabled, &u.TOTP, &u.CreatedAt}, extra...)...); err != nil {
		return u, err
	}
	u.Role, u.CreatedAt = staff.Role(role), u.CreatedAt.UTC()
	return u, nil
}

// User implements store.Staff.
func (db *DB) User(ctx context.Context, id int64) (staff.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, fmt.Errorf("user %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("reading user %d: %w", id, err)
	}
	return u, nil
}

// UserByName implements store.Staff.
func (db *DB) UserByName(ctx context.Context, name string) (store.StaffCredentials, error) {
	var c store.StaffCredentials
	var err error
	c.User, err = scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+`, u.password_hash, u.must_change_password, u.totp_secret
		FROM users u WHERE u.name = $1`, name), &c.PasswordHash, &c.MustChangePassword, &c.TOTPSecret)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("user %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("reading user %q: %w", name, err)
	}
	return c, nil
}

// Users implements store.Staff.
func (db *DB) Users(ctx context.Context) ([]staff.User, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.name`)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (staff.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	return out, nil
}

// updateUser runs one UPDATE of an account; no such account is store.ErrNotFound.
func updateUser(ctx context.Context, tx pgx.Tx, what string, id int64, q string, args ...any) error {
	tag, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s of user %d: %w", what, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s of user %d: %w", what, id, store.ErrNotFound)
	}
	return nil
}

// SetPassword implements store.Staff.
func (db *DB) SetPassword(ctx context.Context, id int64, hash string, mustChange bool, keep []byte, by audit.Actor) error {
	if hash == "" {
		return fmt.Errorf("setting the password of user %d: empty hash", id)
	}
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := updateUser(ctx, tx, "setting the password", id, `UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3`, hash, mustChange, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2`, id, keep); err != nil {
			return fmt.Errorf("ending the sessions of user %d: %w", id, err)
		}
		// The hash is no one's business: the entry says that the password changed, and whether
		// its owner must replace it.
		return auditUser(ctx, tx, by, id, "user.passwd", nil, map[string]any{"must_change_password": mustChange})
	})
}

// RehashPassword implements store.Staff.
func (db *DB) RehashPassword(ctx context.Context, id int64, old, new string) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3`, new, id, old)
	if err != nil {
		return false, fmt.Errorf("rehashing the password of user %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// SetRole implements store.Staff.
func (db *DB) SetRole(ctx context.Context, id int64, role staff.Role, by audit.Actor) error {
	if !role.Valid() {
		return fmt.Errorf("setting the role of user %d: %w", id, staff.ErrRole)
	}
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var old string
		err := tx.QueryRow(ctx, `SELECT role FROM users WHERE id = $1 FOR UPDATE`, id).Scan(&old)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("setting the role of user %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("setting the role of user %d: %w", id, err)
		}
		if old == string(role) {
			return nil
		}
		if err := updateUser(ctx, tx, "setting the role", id, `UPDATE users SET role = $1 WHERE id = $2`, string(role), id); err != nil {
			return err
		}
		return auditUser(ctx, tx, by, id, "user.role", map[string]any{"role": old}, map[string]any{"role": role})
	})
}

// DisableUser implements store.Staff.
func (db *DB) DisableUser(ctx context.Context, id int64, by audit.Actor) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var disabled bool
		err := tx.QueryRow(ctx, `SELECT disabled_at IS NOT NULL FROM users WHERE id = $1 FOR UPDATE`, id).Scan(&disabled)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("disabling user %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("disabling user %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("ending the sessions of user %d: %w", id, err)
		}
		if disabled {
			return nil
		}
		if err := updateUser(ctx, tx, "disabling", id, `UPDATE users SET disabled_at = $1 WHERE id = $2`, derive.Time(time.Now()), id); err != nil {
			return err
		}
		return auditUser(ctx, tx, by, id, "user.disable", map[string]any{"disabled": false}, map[string]any{"disabled": true})
	})
}

// SetTOTP implements store.Staff.
func (db *DB) SetTOTP(ctx context.Context, id int64, secret []byte, by audit.Actor) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := updateUser(ctx, tx, "setting TOTP", id, `UPDATE users SET totp_secret = $1, totp_last_step = NULL WHERE id = $2`, secret, id); err != nil {
			return err
		}
		return auditUser(ctx, tx, by, id, "user.totp", nil, map[string]any{"totp": secret != nil})
	})
}

// UseTOTPStep implements store.Staff. The comparison is in the UPDATE, so two logins racing with
// one code cannot both win.
func (db *DB) UseTOTPStep(ctx context.Context, id int64, step int64) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)`, step, id)
	if err != nil {
		return false, fmt.Errorf("recording a TOTP code of user %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// CreateSession implements store.Staff.
func (db *DB) CreateSession(ctx context.Context, s store.Session, replaces []byte) error {
	if len(s.TokenHash) == 0 || s.User.ID == 0 || s.CSRF == "" {
		return errors.New("creating a session: token hash, user and CSRF token are required")
	}
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if replaces != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, replaces); err != nil {
				return fmt.Errorf("ending the replaced session: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, s.CreatedAt); err != nil {
			return fmt.Errorf("removing expired sessions: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			s.TokenHash, s.User.ID, s.CSRF, derive.Time(s.CreatedAt), derive.Time(s.LastSeen), derive.Time(s.ExpiresAt)); err != nil {
			return err
		}
		return auditUser(ctx, tx, s.User.Actor(), s.User.ID, "user.login", nil, nil)
	})
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == uniqueViolation {
		return fmt.Errorf("creating a session: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("creating a session for user %d: %w", s.User.ID, err)
	}
	return nil
}

// Session implements store.Staff.
func (db *DB) Session(ctx context.Context, tokenHash []byte) (store.Session, error) {
	s := store.Session{TokenHash: tokenHash}
	var err error
	s.User, err = scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+`, u.must_change_password, s.csrf, s.created_at, s.last_seen, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND u.disabled_at IS NULL`, tokenHash),
		&s.MustChangePassword, &s.CSRF, &s.CreatedAt, &s.LastSeen, &s.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("session: %w", store.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("reading a session: %w", err)
	}
	s.CreatedAt, s.LastSeen, s.ExpiresAt = s.CreatedAt.UTC(), s.LastSeen.UTC(), s.ExpiresAt.UTC()
	return s, nil
}

// TouchSession implements store.Staff.
func (db *DB) TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	if _, err := db.pool.Exec(ctx, `UPDATE sessions SET last_seen = GREATEST(last_seen, $1) WHERE token_hash = $2`, derive.Time(at), tokenHash); err != nil {
		return fmt.Errorf("touching a session: %w", err)
	}
	return nil
}

// DeleteSession implements store.Staff.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("ending a session: %w", err)
	}
	return nil
}

// Logout implements store.Staff.
func (db *DB) Logout(ctx context.Context, tokenHash []byte, by audit.Actor) error {
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return auditUser(ctx, tx, by, by.UserID, "user.logout", nil, nil)
	})
	if err != nil {
		return fmt.Errorf("ending a session: %w", err)
	}
	return nil
}

// RecordLoginFailure implements store.Staff.
func (db *DB) RecordLoginFailure(ctx context.Context, name, addr string, at, before time.Time) error {
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE at < $1`, before); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO login_failures (name, addr, at) VALUES ($1, $2, $3)`, name, addr, derive.Time(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("recording a login failure: %w", err)
	}
	return nil
}

// LoginFailures implements store.Staff.
func (db *DB) LoginFailures(ctx context.Context, name, addr string, since time.Time) (byName, byAddr int, err error) {
	err = db.pool.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM login_failures WHERE name = $1 AND at >= $3),
		(SELECT COUNT(*) FROM login_failures WHERE addr = $2 AND at >= $3)`, name, addr, since).Scan(&byName, &byAddr)
	if err != nil {
		return 0, 0, fmt.Errorf("counting login failures: %w", err)
	}
	return byName, byAddr, nil
}

// ClearLoginFailures implements store.Staff.
func (db *DB) ClearLoginFailures(ctx context.Context, name string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM login_failures WHERE name = $1`, name); err != nil {
		return fmt.Errorf("clearing login failures: %w", err)
	}
	return nil
}
