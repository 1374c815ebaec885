// Package staff is the domain of the centre's staff accounts: roles, users, password hashing and
// policy, and time-based one-time passwords. It knows nothing of storage or HTTP: the store keeps
// what this package produces (PHC strings, TOTP secrets), the web front end asks it to verify.
package staff

import (
	"errors"
	"fmt"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
)

// Role is what a staff member may do. Roles nest: an admin may do everything an analyst may, an
// analyst everything a read-only user may.
type Role string

const (
	RoleAdmin    Role = "admin"
	RoleAnalyst  Role = "analyst"
	RoleReadOnly Role = "read-only"
)

// Roles lists the roles from the most to the least powerful.
var Roles = []Role{RoleAdmin, RoleAnalyst, RoleReadOnly}

func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleAnalyst:
		return 2
	case RoleReadOnly:
		return 1
	}
	return 0
}

// Allows reports whether a user of role r may do what needs role need. An unknown role allows
// nothing.
func (r Role) Allows(need Role) bool {
	return r.rank() > 0 && need.rank() > 0 && r.rank() >= need.rank()
}

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// ErrRole is returned by ParseRole for anything but the three role names.
var ErrRole = errors.New("a role is admin, analyst or read-only")

// ParseRole reads a role name as the command line and the forms give it.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("%w (got %q)", ErrRole, s)
	}
	return r, nil
}

// User is a staff account as the rest of keikai sees it; credentials stay in the store.
type User struct {
	ID        int64
	Name      string
	Role      Role
	Disabled  bool
	TOTP      bool // the account signs in with a one-time code besides its password
	CreatedAt time.Time
}

// Actor is the user as the audit log records who made a change.
func (u User) Actor() audit.Actor { return audit.Actor{UserID: u.ID, Name: u.Name} }

// ErrName is returned by CheckName for a name keikai does not take.
var ErrName = errors.New("a user name is 1 to 64 characters: lower-case letters a-z, digits, '.', '_' or '-', beginning with a letter or digit")

// CheckName accepts a user name. Names are plain ASCII so that two accounts never look alike on
// a page or in the audit log.
func CheckName(name string) error {
	if name == "" || len(name) > 64 {
		return ErrName
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			return ErrName
		}
	}
	return nil
}
