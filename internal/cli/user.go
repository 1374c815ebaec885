package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/escape"

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
	_, err = st.AddUser(ctx, store.NewUser{Name: firstAdmin, Role: staff.RoleAdmin, PasswordHash: hash, MustChangePassword: true}, audit.System)
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

const userHelp = `
Manages the staff accounts that sign in to the staff pages of keikai serve (/staff/login).

  keikai user add NAME --role ROLE   create an account; ROLE is admin, analyst or read-only
  keikai user passwd NAME            set a new password
  keikai user disable NAME           disable an account; its sessions end at once
  keikai user list                   list the accounts (never their passwords)

add and passwd make a random one-time password and print it once on standard output: give it to
the person, who must choose their own at the first login. With --password-stdin they read the
password from the first line of standard input instead, and no change is asked for. A password
has at least 12 characters. NAME is 1 to 64 of a-z, 0-9, '.', '_', '-'.

Exit codes: 0 done, 1 no account of that name, 2 usage error (a taken name, a password the
policy refuses) or the database could not be used.`

func runUser(env *Env, args []string) int {
	fs := newFlagSet(env, "user", "add NAME --role ROLE | passwd NAME | disable NAME | list [flags]", userHelp)
	db := dbFlag(fs)
	role := fs.String("role", "", "the new account's `role`: admin, analyst or read-only (add)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (add, passwd)")
	format := fs.String("format", "text", "output `format` of list: text or json")
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "user", err)
	}
	if len(rest) == 0 {
		return fail(env, "user", fmt.Errorf("%w: say add NAME --role ROLE, passwd NAME, disable NAME or list (see --help)", errUsage))
	}
	verb, rest := rest[0], rest[1:]
	want := map[string]int{"add": 1, "passwd": 1, "disable": 1, "list": 0}
	n, ok := want[verb]
	if !ok {
		return fail(env, "user", fmt.Errorf("%w: unknown subcommand %q; use add, passwd, disable or list", errUsage, verb))
	}
	if len(rest) != n {
		return fail(env, "user", fmt.Errorf("%w: user %s takes %d argument(s) (see --help)", errUsage, verb, n))
	}
	if *format != "text" && *format != "json" {
		return fail(env, "user", fmt.Errorf("%w: --format must be text or json", errUsage))
	}
	var r staff.Role
	if verb == "add" {
		if r, err = staff.ParseRole(*role); err != nil {
			return fail(env, "user", fmt.Errorf("%w: --role: %v", errUsage, err))
		}
	} else if *role != "" {
		return fail(env, "user", fmt.Errorf("%w: --role goes with add only", errUsage))
	}
	if *fromStdin && verb != "add" && verb != "passwd" {
		return fail(env, "user", fmt.Errorf("%w: --password-stdin goes with add and passwd only", errUsage))
	}
	if n == 1 {
		if err := staff.CheckName(rest[0]); err != nil {
			return fail(env, "user", fmt.Errorf("%w: %v", errUsage, err))
		}
	}
	ctx := context.Background()
	// The first account may come before the first keikai serve; the rest needs a database.
	open := openExistingStore
	var password string
	var oneTime bool
	if verb == "add" {
		open = openStore
		// The password is checked before the database is opened, so a refused one creates no file.
		if password, oneTime, err = newPassword(env, rest[0], *fromStdin); err != nil {
			return fail(env, "user", err)
		}
	}
	st, err := open(ctx, *db)
	if err != nil {
		return fail(env, "user", err)
	}
	defer st.Close()
	switch verb {
	case "add":
		return userAdd(ctx, env, st, rest[0], r, password, oneTime)
	case "passwd":
		return userPasswd(ctx, env, st, rest[0], *fromStdin)
	case "disable":
		return userDisable(ctx, env, st, rest[0])
	default:
		return userList(ctx, env, st, *format)
	}
}

// commandLine is the audit actor of keikai user: the command line, and the system account that
// ran it.
func commandLine() audit.Actor {
	who := "unknown"
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	return audit.Actor{Name: "keikai user (" + who + ")"}
}

// newPassword is the password of add and passwd: read from standard input, or a one-time one
// made here (then oneTime is true and it is printed).
func newPassword(env *Env, name string, fromStdin bool) (password string, oneTime bool, err error) {
	if !fromStdin {
		p, err := staff.NewPassword()
		return p, true, err
	}
	line, err := bufio.NewReader(io.LimitReader(env.Stdin, staff.MaxPasswordLen+3)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("reading the password from standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if err := staff.CheckPassword(name, line); err != nil {
		return "", false, fmt.Errorf("%w: the password from standard input: %v", errUsage, err)
	}
	return line, false, nil
}

func userAdd(ctx context.Context, env *Env, st store.Store, name string, role staff.Role, password string, oneTime bool) int {
	hash, err := staff.HashPassword(password, staff.Default)
	if err != nil {
		return fail(env, "user", err)
	}
	u, err := st.AddUser(ctx, store.NewUser{Name: name, Role: role, PasswordHash: hash, MustChangePassword: oneTime}, commandLine())
	if errors.Is(err, store.ErrConflict) {
		return fail(env, "user", fmt.Errorf("%w: there is an account named %s already (see keikai user list)", errUsage, name))
	}
	if err != nil {
		return fail(env, "user", fmt.Errorf("add user: %w", err))
	}
	if oneTime {
		fmt.Fprintln(env.Stdout, password)
		fmt.Fprintf(env.Stderr, "keikai user: account %s (%s, id %d) added with the one-time password above; it is shown only now, and the first login must replace it\n", u.Name, u.Role, u.ID)
	} else {
		fmt.Fprintf(env.Stderr, "keikai user: account %s (%s, id %d) added\n", u.Name, u.Role, u.ID)
	}
	return exitClean
}

// userByName finds an account or says there is none (exit 1).
func userByName(ctx context.Context, env *Env, st store.Store, name string) (staff.User, int) {
	c, err := st.UserByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(env.Stderr, "keikai user: no account named %s (see keikai user list)\n", name)
		return staff.User{}, exitFindings
	}
	if err != nil {
		return staff.User{}, fail(env, "user", err)
	}
	return c.User, exitClean
}

func userPasswd(ctx context.Context, env *Env, st store.Store, name string, fromStdin bool) int {
	u, code := userByName(ctx, env, st, name)
	if code != exitClean {
		return code
	}
	password, oneTime, err := newPassword(env, name, fromStdin)
	if err != nil {
		return fail(env, "user", err)
	}
	hash, err := staff.HashPassword(password, staff.Default)
	if err != nil {
		return fail(env, "user", err)
	}
	if err := st.SetPassword(ctx, u.ID, hash, oneTime, nil, commandLine()); err != nil {
		return fail(env, "user", fmt.Errorf("set the password of %s: %w", name, err))
	}
	if oneTime {
		fmt.Fprintln(env.Stdout, password)
		fmt.Fprintf(env.Stderr, "keikai user: %s has the one-time password above (shown only now); their sessions ended, and the next login must replace it\n", name)
	} else {
		fmt.Fprintf(env.Stderr, "keikai user: password of %s set; their sessions ended\n", name)
	}
	if u.Disabled {
		fmt.Fprintf(env.Stderr, "keikai user: note: %s is disabled and cannot log in\n", name)
	}
	return exitClean
}

func userDisable(ctx context.Context, env *Env, st store.Store, name string) int {
	u, code := userByName(ctx, env, st, name)
	if code != exitClean {
		return code
	}
	if err := st.DisableUser(ctx, u.ID, commandLine()); err != nil {
		return fail(env, "user", fmt.Errorf("disable %s: %w", name, err))
	}
	fmt.Fprintf(env.Stderr, "keikai user: %s disabled; their sessions ended\n", name)
	return exitClean
}

type userJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	TOTP      bool      `json:"totp"`
	CreatedAt time.Time `json:"created_at"`
}

func userList(ctx context.Context, env *Env, st store.Store, format string) int {
	users, err := st.Users(ctx)
	if err != nil {
		return fail(env, "user", fmt.Errorf("list users: %w", err))
	}
	if format == "json" {
		out := make([]userJSON, 0, len(users))
		for _, u := range users {
			out = append(out, userJSON{ID: u.ID, Name: u.Name, Role: string(u.Role), Disabled: u.Disabled, TOTP: u.TOTP, CreatedAt: u.CreatedAt.UTC()})
		}
		return writeJSONOut(env, "user", out)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tSTATE\tTOTP\tCREATED")
	for _, u := range users {
		state, totp := "enabled", "no"
		if u.Disabled {
			state = "disabled"
		}
		if u.TOTP {
			totp = "yes"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, escape.String(u.Name), u.Role, state, totp, u.CreatedAt.UTC().Format(time.RFC3339))
	}
	if err := tw.Flush(); err != nil {
		return fail(env, "user", err)
	}
	return exitClean
}
