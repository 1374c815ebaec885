package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
)

// Staff writes are kindAck: a person waits on each of them at a login or a form.

// CountUsers implements store.Staff.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting users: %w", err)
	}
	return n, nil
}

// auditUser appends the audit entry of a change of account id: before and after hold the
// changed fields only.
func auditUser(tx *wtx, by audit.Actor, id int64, action string, before, after map[string]any) error {
	b, err := audit.Fields(before)
	if err != nil {
		return err
	}
	a, err := audit.Fields(after)
	if err != nil {
		return err
	}
	return appendAudit(tx, audit.Entry{Actor: by, Object: audit.KindUser, ObjectID: id, Action: action, Before: b, After: a})
}

// AddUser implements store.Staff.
func (db *DB) AddUser(ctx context.Context, nu store.NewUser, by audit.Actor) (staff.User, error) {
	if err := staff.CheckName(nu.Name); err != nil {
		return staff.User{}, fmt.Errorf("adding user %q: %w", nu.Name, err)
	}
	if !nu.Role.Valid() || nu.PasswordHash == "" {
		return staff.User{}, fmt.Errorf("adding user %q: a role and a password hash are required", nu.Name)
	}
	u := staff.User{Name: nu.Name, Role: nu.Role, CreatedAt: fromMicros(micros(time.Now()))}
	err := db.w.do(ctx, kindAck, func(tx *wtx) error {
		err := tx.QueryRowContext(bg, `INSERT INTO users (name, role, password_hash, must_change_password, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, nu.Name, string(nu.Role), nu.PasswordHash, nu.MustChangePassword, micros(u.CreatedAt)).Scan(&u.ID)
		if se := (*sqlite.Error)(nil); errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
			return fmt.Errorf("adding user %q: %w", nu.Name, store.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("adding user %q: %w", nu.Name, err)
		}
		return auditUser(tx, by, u.ID, "user.add", nil, map[string]any{"name": u.Name, "role": u.Role, "must_change_password": nu.MustChangePassword})
	})
	if err != nil {
		return staff.User{}, err
	}
	return u, nil
}

const userColumns = `u.id, u.name, u.role, u.disabled_at IS NOT NULL, u.totp_secret IS NOT NULL, u.created_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (staff.User, error) {
	var u staff.User
	var role string
	var created int64
	if err := row.Scan(append([]any{&u.ID, &u.Name, &role, &u.Disabled, &u.TOTP, &created}, extra...)...); err != nil {
		return u, err
	}
	u.Role, u.CreatedAt = staff.Role(role), fromMicros(created)
	return u, nil
}

// User implements store.Staff.
func (db *DB) User(ctx context.Context, id int64) (staff.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
	c.User, err = scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash, u.must_change_password, u.totp_secret
		FROM users u WHERE u.name = ?`, name), &c.PasswordHash, &c.MustChangePassword, &c.TOTPSecret)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("user %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("reading user %q: %w", name, err)
	}
	return c, nil
}

// Users implements store.Staff.
func (db *DB) Users(ctx context.Context) ([]staff.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.name`)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	defer rows.Close()
	var out []staff.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("listing users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	return out, nil
}

// updateUser runs one UPDATE of an account; no such account is store.ErrNotFound.
func updateUser(tx *wtx, what string, id int64, q string, args ...any) error {
	res, err := tx.ExecContext(bg, q, args...)
	if err != nil {
		return fmt.Errorf("%s of user %d: %w", what, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s of user %d: %w", what, id, store.ErrNotFound)
	}
	return nil
}

// SetPassword implements store.Staff.
func (db *DB) SetPassword(ctx context.Context, id int64, hash string, mustChange bool, keep []byte, by audit.Actor) error {
	if hash == "" {
		return fmt.Errorf("setting the password of user %d: empty hash", id)
	}
	return db.w.do(ctx, kindAck, func(tx *wtx) error {
		if err := updateUser(tx, "setting the password", id, `UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?`, hash, mustChange, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(bg, `DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?`, id, keep); err != nil {
			return fmt.Errorf("ending the sessions of user %d: %w", id, err)
		}
		// The hash is no one's business: the entry says that the password changed, and whether
		// its owner must replace it.
		return auditUser(tx, by, id, "user.passwd", nil, map[string]any{"must_change_password": mustChange})
	})
}

// RehashPassword implements store.Staff.
func (db *DB) RehashPassword(ctx context.Context, id int64, old, new string) (bool, error) {
	var done bool
	err := db.w.do(ctx, kindBulk, func(tx *wtx) error {
		res, err := tx.ExecContext(bg, `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`, new, id, old)
		if err != nil {
			return fmt.Errorf("rehashing the password of user %d: %w", id, err)
		}
		n, _ := res.RowsAffected()
		done = n == 1
		return nil
	})
	return done, err
}

// SetRole implements store.Staff.
func (db *DB) SetRole(ctx context.Context, id int64, role staff.Role, by audit.Actor) error {
	if !role.Valid() {
		return fmt.Errorf("setting the role of user %d: %w", id, staff.ErrRole)
	}
	return db.w.do(ctx, kindAck, func(tx *wtx) error {
		var old string
		err := tx.QueryRowContext(bg, `SELECT role FROM users WHERE id = ?`, id).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("setting the role of user %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("setting the role of user %d: %w", id, err)
		}
		if old == string(role) {
			return nil
		}
		if err := updateUser(tx, "setting the role", id, `UPDATE users SET role = ? WHERE id = ?`, string(role), id); err != nil {
			return err
		}
		return auditUser(tx, by, id, "user.role", map[string]any{"role": old}, map[string]any{"role": role})
	})
}

// DisableUser implements store.Staff.
func (db *DB) DisableUser(ctx context.Context, id int64, by audit.Actor) error {
	return db.w.do(ctx, kindAck, func(tx *wtx) error {
		var disabled bool
		err := tx.QueryRowContext(bg, `SELECT disabled_at IS NOT NULL FROM users WHERE id = ?`, id).Scan(&disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("disabling user %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("disabling user %d: %w", id, err)
		}
		if _, err := tx.ExecContext(bg, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("ending the sessions of user %d: %w", id, err)
		}
		if disabled {
			return nil
		}
		if err := updateUser(tx, "disabling", id, `UPDATE users SET disabled_at = ? WHERE id = ?`, micros(time.Now()), id); err != nil {
			return err
		}
		return auditUser(tx, by, id, "user.disable", map[string]any{"disabled": false}, map[string]any{"disabled": true})
	})
}

// SetTOTP implements store.Staff.
func (db *DB) SetTOTP(ctx context.Context, id int64, secret []byte, by audit.Actor) error {
	var v any
	if secret != nil {
		v = secret
	}
	return db.w.do(ctx, kindAck, func(tx *wtx) error {
		if err := updateUser(tx, "setting TOTP", id, `UPDATE users SET totp_secret = ?, totp_last_step = NULL WHERE id = ?`, v, id); err != nil {
			return err
		}
		return auditUser(tx, by, id, "user.totp", nil, map[string]any{"totp": secret != nil})
	})
}

// UseTOTPStep implements store.Staff. The comparison is in the UPDATE, so two logins racing with
// one code cannot both win.
func (db *DB) UseTOTPStep(ctx context.Context, id int64, step int64) (bool, error) {
	var used bool
	err := db.w.do(ctx, kindAck, func(tx *wtx) error {
		res, err := tx.ExecContext(bg, `UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)`, step, id, step)
		if err != nil {
			return fmt.Errorf("recording a TOTP code of user %d: %w", id, err)
		}
		n, _ := res.RowsAffected()
		used = n == 1
		return nil
	})
	return used, err
}

// CreateSession implements store.Staff.
func (db *DB) CreateSession(ctx context.Context, s store.Session, replaces []byte) error {
	if len(s.TokenHash) == 0 || s.User.ID == 0 || s.CSRF == "" {
		return errors.New("creating a session: token hash, user and CSRF token are required")
	}
	return db.w.do(ctx, kindAck, func(tx *wtx) error {
		if replaces != nil {
			if _, err := tx.ExecContext(bg, `DELETE FROM sessions WHERE token_hash = ?`, replaces); err != nil {
				return fmt.Errorf("ending the replaced session: %w", err)
			}
		}
		if _, err := tx.ExecContext(bg, `DELETE FROM sessions WHERE expires_at < ?`, micros(s.CreatedAt)); err != nil {
			return fmt.Errorf("removing expired sessions: %w", err)
		}
		_, err := tx.ExecContext(bg, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			s.TokenHash, s.User.ID, s.CSRF, micros(s.CreatedAt), micros(s.LastSeen), micros(s.ExpiresAt))
		if se := (*sqlite.Error)(nil); errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
			return fmt.Errorf("creating a session: %w", store.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("creating a session for user %d: %w", s.User.ID, err)
		}
		return auditUser(tx, s.User.Actor(), s.User.ID, "user.login", nil, nil)
	})
}

// Session implements store.Staff.
func (db *DB) Session(ctx context.Context, tokenHash []byte) (store.Session, error) {
	s := store.Session{TokenHash: tokenHash}
	var created, seen, expires int64
	var err error
	s.User, err = scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, u.must_change_password, s.csrf, s.created_at, s.last_seen, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled_at IS NULL`, tokenHash),
		&s.MustChangePassword, &s.CSRF, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("session: %w", store.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("reading a session: %w", err)
	}
	s.CreatedAt, s.LastSeen, s.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	return s, nil
}

// TouchSession implements store.Staff.
func (db *DB) TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	return db.w.do(ctx, kindBulk, func(tx *wtx) error {
		if _, err := tx.ExecContext(bg, `UPDATE sessions SET last_seen = MAX(last_seen, ?) WHERE token_hash = ?`, micros(at), tokenHash); err != nil {
			return fmt.Errorf("touching a session: %w", err)
		}
		return nil
	})
}

// DeleteSession implements store.Staff.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	return db.w.do(ctx, kindAck, func(tx *wtx) error {
		if _, err := tx.ExecContext(bg, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
			return fmt.Errorf("ending a session: %w", err)
		}
		return nil
	})
}

// Logout implements store.Staff.
func (db *DB) Logout(ctx context.Context, tokenHash []byte, by audit.Actor) error {
	return db.w.do(ctx, kindAck, func(tx *wtx) error {
		res, err := tx.ExecContext(bg, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		if err != nil {
			return fmt.Errorf("ending a session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return auditUser(tx, by, by.UserID, "user.logout", nil, nil)
	})
}

// RecordLoginFailure implements store.Staff.
func (db *DB) RecordLoginFailure(ctx context.Context, name, addr string, at, before time.Time) error {
	return db.w.do(ctx, kindAck, func(tx *wtx) error {
		if _, err := tx.ExecContext(bg, `DELETE FROM login_failures WHERE at < ?`, micros(before)); err != nil {
			return fmt.Errorf("dropping old login failures: %w", err)
		}
		if _, err := tx.ExecContext(bg, `INSERT INTO login_failures (name, addr, at) VALUES (?, ?, ?)`, name, addr, micros(at)); err != nil {
			return fmt.Errorf("recording a login failure: %w", err)
		}
		return nil
	})
}

// LoginFailures implements store.Staff.
func (db *DB) LoginFailures(ctx context.Context, name, addr string, since time.Time) (byName, byAddr int, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM login_failures WHERE name = ? AND at >= ?),
		(SELECT COUNT(*) FROM login_failures WHERE addr = ? AND at >= ?)`, name, micros(since), addr, micros(since)).Scan(&byName, &byAddr)
	if err != nil {
		return 0, 0, fmt.Errorf("counting login failures: %w", err)
	}
	return byName, byAddr, nil
}

// ClearLoginFailures implements store.Staff.
func (db *DB) ClearLoginFailures(ctx context.Context, name string) error {
	return db.w.do(ctx, kindAck, func(tx *wtx) error {
		if _, err := tx.ExecContext(bg, `DELETE FROM login_failures WHERE name = ?`, name); err != nil {
			return fmt.Errorf("clearing login failures: %w", err)
		}
		return nil
	})
}
