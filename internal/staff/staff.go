// Package staff: TEMPORARY stand-in with the contract of ISSUE11.md, so that the threads branch
// builds before the auth branch is in main. Reverted before merging main.
package staff

import "time"

type Role string

const (
	RoleAdmin    Role = "admin"
	RoleAnalyst  Role = "analyst"
	RoleReadOnly Role = "read-only"
)

func (r Role) Allows(need Role) bool {
	rank := map[Role]int{RoleReadOnly: 1, RoleAnalyst: 2, RoleAdmin: 3}
	return rank[r] >= rank[need] && rank[need] > 0
}

type User struct {
	ID        int64
	Name      string
	Role      Role
	Disabled  bool
	TOTP      bool
	CreatedAt time.Time
}
