package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
)

// firstAdmin is the account a database without any account gets at the first keikai serve.
const firstAdmin = "admin"

// ensureAdmin creates the administrator "admin" on a database that has no account at all, with
// a random one-time password printed once on standard error: the first login must replace it.
// Two processes starting on one new database at once create one administrator; the one that
// loses the race prints nothing.
func ensureAdmin(ctx context.Context, env *Env, st store.Staff, base, db string) error {
	n, err := st.CountUsers(ctx)
	if err != nil {
		return fmt.Errorf("reading the staff accounts: %w", err)
	}
	if n > 0 {
		return nil
	}
	password, err := staff.NewPassword()
	if err != nil {
		return err
	}
	hash, err := staff.HashPassword(password, staff.Default)
	if err != nil {
		return err
	}
	_, err = st.AddUser(ctx, store.NewUser{Name: firstAdmin, Role: staff.RoleAdmin, PasswordHash: hash, MustChangePassword: true})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating the first administrator: %w", err)
	}
	fmt.Fprintf(env.Stderr, `keikai serve: this database had no staff account: the administrator %q was created with the one-time password

    %s

  Log in at %s/staff/login as %s with it now; you will be asked to choose your own password.
  It is shown only this once. If it is lost, set a new one with: keikai user passwd %s --db %s
`, firstAdmin, password, base, firstAdmin, firstAdmin, redactDSN(db))
	return nil
}
