package store

import (
	"context"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/staff"
)

// Staff keeps the staff accounts, their web sessions and the failed logins that rate-limit
// sign-in. Counting failures in the database, not in a process, makes the limit hold across every
// keikai serve process on one PostgreSQL database.
type Staff interface {
	// CountUsers counts every account, disabled ones included.
	CountUsers(ctx context.Context) (int, error)
	// AddUser creates an account; a name already taken is ErrConflict. (Every method that changes
	// an account takes the actor and appends its audit entry in the same transaction.)
	AddUser(ctx context.Context, u NewUser, by audit.Actor) (staff.User, error)
	// User returns an account by ID, StaffCredentials by name: ErrNotFound when there is none.
	User(ctx context.Context, id int64) (staff.User, error)
	UserByName(ctx context.Context, name string) (StaffCredentials, error)
	// Users lists every account by name.
	Users(ctx context.Context) ([]staff.User, error)
	// SetPassword replaces an account's password hash and says whether it must be changed at the
	// next login (true after an administrator's reset). Every session of the account except
	// keep (the hash of the session that changed it; nil for none) ends.
	SetPassword(ctx context.Context, id int64, hash string, mustChange bool, keep []byte, by audit.Actor) error
	// RehashPassword replaces the hash old of an account by new, a hash of the same password
	// under stronger parameters (made at a login, which has the password). It changes nothing
	// and returns false when the hash is no longer old (the password was changed meanwhile). The
	// password stays the same, so no audit entry is written.
	RehashPassword(ctx context.Context, id int64, old, new string) (bool, error)
	// SetRole changes an account's role.
	SetRole(ctx context.Context, id int64, role staff.Role, by audit.Actor) error
	// DisableUser disables an account and ends its sessions at once. Disabling twice keeps the
	// first time (and writes no second entry).
	DisableUser(ctx context.Context, id int64, by audit.Actor) error
	// SetTOTP turns on one-time codes with secret, or off with nil.
	SetTOTP(ctx context.Context, id int64, secret []byte, by audit.Actor) error
	// UseTOTPStep records that the code of step was used; false, with nothing changed, when a
	// step as late or later was used before (a replayed code).
	UseTOTPStep(ctx context.Context, id int64, step int64) (bool, error)

	// CreateSession stores a new session; replaces, when not nil, is the hash of a session of the
	// same browser that ends with it (the token rotates at login). Expired sessions are removed.
	// The login is audited, its actor the session's user.
	CreateSession(ctx context.Context, s Session, replaces []byte) error
	// Session returns the session whose token hashes to tokenHash with its account, or
	// ErrNotFound; a disabled account has no sessions.
	Session(ctx context.Context, tokenHash []byte) (Session, error)
	// TouchSession records activity on a session, for the idle timeout.
	TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error
	// DeleteSession ends a session that timed out; ending one that is gone is not an error.
	DeleteSession(ctx context.Context, tokenHash []byte) error
	// Logout ends the session of by at its request, audited; ending one that is gone is not an
	// error.
	Logout(ctx context.Context, tokenHash []byte, by audit.Actor) error

	// RecordLoginFailure counts a failed login for the account name and the client address, and
	// drops failures older than before.
	RecordLoginFailure(ctx context.Context, name, addr string, at, before time.Time) error
	// LoginFailures counts the failures since since for name and for addr.
	LoginFailures(ctx context.Context, name, addr string, since time.Time) (byName, byAddr int, err error)
	// ClearLoginFailures forgets the failures of an account name (after it signed in).
	ClearLoginFailures(ctx context.Context, name string) error
}

// NewUser is an account to create.
type NewUser struct {
	Name         string
	Role         staff.Role
	PasswordHash string
	// MustChangePassword makes the first login set a new password (one-time passwords).
	MustChangePassword bool
}

// StaffCredentials is an account with what signing in checks.
type StaffCredentials struct {
	User               staff.User
	PasswordHash       string
	MustChangePassword bool
	TOTPSecret         []byte // nil without TOTP
}

// Session is a staff member's web session. Only the SHA-256 of its token is stored.
type Session struct {
	TokenHash []byte
	User      staff.User
	// MustChangePassword holds the session to the password change until it is done.
	MustChangePassword bool
	CSRF               string
	CreatedAt          time.Time
	LastSeen           time.Time
	ExpiresAt          time.Time
}
