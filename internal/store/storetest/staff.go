package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
)

func addUser(t *testing.T, s store.Store, name string, role staff.Role) staff.User {
	t.Helper()
	u, err := s.AddUser(context.Background(), store.NewUser{Name: name, Role: role, PasswordHash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$" + name}, by)
	if err != nil {
		t.Fatalf("AddUser %s: %v", name, err)
	}
	return u
}

// by is the actor of the suite's changes.
var by = audit.Actor{UserID: 1, Name: "admin"}

func tokenHash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func newSession(u staff.User, token string, at time.Time) store.Session {
	return store.Session{TokenHash: tokenHash(token), User: u, CSRF: "csrf-" + token, CreatedAt: at, LastSeen: at, ExpiresAt: at.Add(24 * time.Hour)}
}

// Accounts: names are unique, roles and passwords change, a disabled account keeps its row.
func testStaffUsers(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers of a new database = %d, %v", n, err)
	}
	admin := addUser(t, s, "admin", staff.RoleAdmin)
	if _, err := s.AddUser(ctx, store.NewUser{Name: "admin", Role: staff.RoleAnalyst, PasswordHash: "x"}, by); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second admin: %v, want ErrConflict", err)
	}
	for _, bad := range []store.NewUser{
		{Name: "Admin", Role: staff.RoleAdmin, PasswordHash: "x"},
		{Name: "bob", Role: "root", PasswordHash: "x"},
		{Name: "bob", Role: staff.RoleAdmin},
	} {
		if _, err := s.AddUser(ctx, bad, by); err == nil {
			t.Errorf("AddUser(%+v) accepted", bad)
		}
	}
	if _, err := s.AddUser(ctx, store.NewUser{Name: "hanako", Role: staff.RoleReadOnly, PasswordHash: "$argon2id$h", MustChangePassword: true}, by); err != nil {
		t.Fatal(err)
	}
	c, err := s.UserByName(ctx, "hanako")
	if err != nil || c.User.Role != staff.RoleReadOnly || c.PasswordHash != "$argon2id$h" || !c.MustChangePassword || c.TOTPSecret != nil || c.User.Disabled || c.User.TOTP {
		t.Fatalf("UserByName = %+v, %v", c, err)
	}
	if err := s.SetPassword(ctx, c.User.ID, "$argon2id$new", false, nil, by); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.RehashPassword(ctx, c.User.ID, "$argon2id$stale", "$argon2id$stronger"); ok || err != nil {
		t.Errorf("RehashPassword of a stale hash = %v, %v; want false", ok, err)
	}
	if ok, err := s.RehashPassword(ctx, c.User.ID, "$argon2id$new", "$argon2id$stronger"); !ok || err != nil {
		t.Errorf("RehashPassword = %v, %v; want true", ok, err)
	}
	if err := s.SetRole(ctx, c.User.ID, staff.RoleAnalyst, by); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, c.User.ID, "root", by); err == nil {
		t.Error("SetRole accepted an unknown role")
	}
	if c, err = s.UserByName(ctx, "hanako"); err != nil || c.PasswordHash != "$argon2id$stronger" || c.MustChangePassword || c.User.Role != staff.RoleAnalyst {
		t.Fatalf("after SetPassword and SetRole: %+v, %v", c, err)
	}
	if err := s.DisableUser(ctx, c.User.ID, by); err != nil {
		t.Fatal(err)
	}
	if err := s.DisableUser(ctx, c.User.ID, by); err != nil {
		t.Errorf("disabling twice: %v", err)
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 2 || users[0].Name != "admin" || users[1].Name != "hanako" || !users[1].Disabled || users[0].Disabled {
		t.Fatalf("Users = %+v, %v", users, err)
	}
	if u, err := s.User(ctx, admin.ID); err != nil || u != admin {
		t.Errorf("User(%d) = %+v, %v; want %+v", admin.ID, u, err, admin)
	}
	for name, err := range map[string]error{
		"User":        func() error { _, err := s.User(ctx, 999); return err }(),
		"UserByName":  func() error { _, err := s.UserByName(ctx, "nobody"); return err }(),
		"SetPassword": s.SetPassword(ctx, 999, "x", false, nil, by),
		"SetRole":     s.SetRole(ctx, 999, staff.RoleAdmin, by),
		"DisableUser": s.DisableUser(ctx, 999, by),
		"SetTOTP":     s.SetTOTP(ctx, 999, nil, by),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of no account: %v, want ErrNotFound", name, err)
		}
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 2 {
		t.Errorf("CountUsers = %d, %v; want 2 (disabled accounts count)", n, err)
	}
	// Every change is in the audit log, with its actor and the changed fields only (never a
	// hash); a second disable, a refused change and the rehash add nothing.
	checkUserAudit(t, s, c.User.ID, []string{
		`user.add  {"must_change_password":true,"name":"hanako","role":"read-only"}`,
		`user.passwd  {"must_change_password":false}`,
		`user.role {"role":"read-only"} {"role":"analyst"}`,
		`user.disable {"disabled":false} {"disabled":true}`,
	})
}

// checkUserAudit compares the audit entries of account id, as "action before after", and checks
// the chain of the whole log.
func checkUserAudit(t *testing.T, s store.Store, id int64, want []string) {
	t.Helper()
	ctx := context.Background()
	entries, err := s.AuditLog(ctx, store.AuditFilter{Object: audit.KindUser, ObjectID: id})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Actor.Name == "" {
			t.Errorf("entry %d (%s) has no actor", e.ID, e.Action)
		}
		got = append(got, e.Action+" "+string(e.Before)+" "+string(e.After))
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit entries of user %d:\n%s\nwant\n%s", id, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	all, err := s.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if bad, err := audit.Verify(all); err != nil {
		t.Errorf("audit chain broken at %d: %v", bad, err)
	}
}

// Sessions: found by the token's hash with their account, rotated, ended by logout, by a
// password change (except the changing session) and at once by disabling the account.
func testStaffSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	u := addUser(t, s, "taro", staff.RoleAnalyst)
	other := addUser(t, s, "jiro", staff.RoleReadOnly)
	at := time.Date(2026, 12, 1, 9, 0, 0, 123456789, time.UTC)
	if err := s.CreateSession(ctx, newSession(u, "first", at), nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, tokenHash("first"))
	if err != nil || got.User != u || got.CSRF != "csrf-first" || !got.CreatedAt.Equal(at.Truncate(time.Microsecond)) ||
		!got.ExpiresAt.Equal(at.Add(24*time.Hour).Truncate(time.Microsecond)) || got.MustChangePassword {
		t.Fatalf("Session = %+v, %v", got, err)
	}
	if err := s.CreateSession(ctx, newSession(u, "first", at), nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second session with the same token: %v, want ErrConflict", err)
	}
	// Rotation: the new session replaces the old one.
	if err := s.CreateSession(ctx, newSession(u, "second", at.Add(time.Minute)), tokenHash("first")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, tokenHash("first")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the replaced session still works: %v", err)
	}
	later := at.Add(3 * time.Hour)
	if err := s.TouchSession(ctx, tokenHash("second"), later); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchSession(ctx, tokenHash("second"), at); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, tokenHash("second")); err != nil || !got.LastSeen.Equal(later.Truncate(time.Microsecond)) {
		t.Errorf("after touches: last seen %v, %v; want %v (never back in time)", got.LastSeen, err, later)
	}
	// A password change ends the other sessions, not the one that changed it.
	if err := s.CreateSession(ctx, newSession(u, "third", at), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, newSession(other, "others", at), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, u.ID, "$argon2id$changed", false, tokenHash("third"), by); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, tokenHash("second")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a session survived the password change: %v", err)
	}
	if _, err := s.Session(ctx, tokenHash("third")); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	// An administrator's reset ends them all and holds the next login to a change.
	if err := s.SetPassword(ctx, u.ID, "$argon2id$reset", true, nil, by); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, tokenHash("third")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a session survived the reset: %v", err)
	}
	if err := s.CreateSession(ctx, newSession(u, "fourth", at), nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, tokenHash("fourth")); err != nil || !got.MustChangePassword {
		t.Errorf("after a reset the session is not held to a change: %+v, %v", got, err)
	}
	if err := s.DeleteSession(ctx, tokenHash("fourth")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, tokenHash("fourth")); err != nil {
		t.Errorf("ending an ended session: %v", err)
	}
	if _, err := s.Session(ctx, tokenHash("fourth")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteSession left the session: %v", err)
	}
	if err := s.CreateSession(ctx, newSession(u, "fifth", at), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Logout(ctx, tokenHash("fifth"), u.Actor()); err != nil {
		t.Fatal(err)
	}
	if err := s.Logout(ctx, tokenHash("fifth"), u.Actor()); err != nil {
		t.Errorf("logging out twice: %v", err)
	}
	if _, err := s.Session(ctx, tokenHash("fifth")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("logout left the session: %v", err)
	}
	// Disabling ends the sessions at once.
	if err := s.DisableUser(ctx, other.ID, by); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, tokenHash("others")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a disabled account's session works: %v", err)
	}
	// Expired sessions go when a new one is made.
	if err := s.CreateSession(ctx, newSession(u, "old", at.Add(-48*time.Hour)), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, newSession(u, "fresh", at), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, tokenHash("old")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an expired session was kept: %v", err)
	}
	checkUserAudit(t, s, u.ID, []string{
		`user.add  {"must_change_password":false,"name":"taro","role":"analyst"}`,
		"user.login  ", "user.login  ", "user.login  ",
		`user.passwd  {"must_change_password":false}`,
		`user.passwd  {"must_change_password":true}`,
		"user.login  ", "user.login  ", "user.logout  ",
		"user.login  ", "user.login  ",
	})
}

// A TOTP code is good once: the same or an earlier step is refused, also when two logins race.
func testStaffTOTP(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	u := addUser(t, s, "taro", staff.RoleAnalyst)
	secret := []byte("12345678901234567890")
	if err := s.SetTOTP(ctx, u.ID, secret, by); err != nil {
		t.Fatal(err)
	}
	if c, err := s.UserByName(ctx, "taro"); err != nil || string(c.TOTPSecret) != string(secret) || !c.User.TOTP {
		t.Fatalf("after SetTOTP: %+v, %v", c, err)
	}
	var wg sync.WaitGroup
	wins := make(chan bool, 4)
	for range 4 {
		wg.Go(func() {
			ok, err := s.UseTOTPStep(ctx, u.ID, 1000)
			if err != nil {
				t.Error(err)
			}
			wins <- ok
		})
	}
	wg.Wait()
	close(wins)
	n := 0
	for ok := range wins {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Errorf("one code used by %d racing logins, want 1", n)
	}
	for step, want := range map[int64]bool{999: false, 1000: false} {
		if ok, err := s.UseTOTPStep(ctx, u.ID, step); err != nil || ok != want {
			t.Errorf("UseTOTPStep(%d) after 1000 = %v, %v; want %v", step, ok, err, want)
		}
	}
	if ok, err := s.UseTOTPStep(ctx, u.ID, 1001); err != nil || !ok {
		t.Errorf("the next step refused: %v, %v", ok, err)
	}
	if err := s.SetTOTP(ctx, u.ID, nil, by); err != nil {
		t.Fatal(err)
	}
	if c, err := s.UserByName(ctx, "taro"); err != nil || c.TOTPSecret != nil || c.User.TOTP {
		t.Fatalf("after removing TOTP: %+v, %v", c, err)
	}
	checkUserAudit(t, s, u.ID, []string{
		`user.add  {"must_change_password":false,"name":"taro","role":"analyst"}`,
		`user.totp  {"totp":true}`,
		`user.totp  {"totp":false}`,
	})
}

// Login failures are counted per name and per address over a window, and forgotten for a name
// that signed in.
func testLoginFailures(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	record := func(name, addr string, at time.Time) {
		t.Helper()
		if err := s.RecordLoginFailure(ctx, name, addr, at, at.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	record("admin", "192.0.2.1", at.Add(-2*time.Hour)) // dropped by the later records
	record("admin", "192.0.2.1", at.Add(-20*time.Minute))
	record("admin", "192.0.2.1", at)
	record("admin", "198.51.100.7", at)
	record("taro", "192.0.2.1", at)
	for _, tt := range []struct {
		name, addr     string
		since          time.Time
		byName, byAddr int
	}{
		{"admin", "192.0.2.1", at.Add(-15 * time.Minute), 2, 2},
		{"admin", "192.0.2.1", at.Add(-3 * time.Hour), 3, 3},
		{"nobody", "203.0.113.1", at.Add(-3 * time.Hour), 0, 0},
	} {
		n, a, err := s.LoginFailures(ctx, tt.name, tt.addr, tt.since)
		if err != nil || n != tt.byName || a != tt.byAddr {
			t.Errorf("LoginFailures(%s, %s, %v) = %d, %d, %v; want %d, %d", tt.name, tt.addr, tt.since, n, a, err, tt.byName, tt.byAddr)
		}
	}
	if err := s.ClearLoginFailures(ctx, "admin"); err != nil {
		t.Fatal(err)
	}
	if n, a, err := s.LoginFailures(ctx, "admin", "192.0.2.1", at.Add(-time.Hour)); err != nil || n != 0 || a != 1 {
		t.Errorf("after clearing admin: %d, %d, %v; want 0 for the name, 1 (taro's) for the address", n, a, err)
	}
}
