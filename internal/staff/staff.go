// Package staff: TEMPORARY copy of the contract in ISSUE11.md, so that the incidents branch
// builds until the auth branch's internal/staff is merged from main; replaced at that merge.
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
	return rank[r] > 0 && rank[r] >= rank[need]
}

type User struct {
	ID        int64
	Name      string
	Role      Role
	Disabled  bool
	TOTP      bool
	CreatedAt time.Time
}
