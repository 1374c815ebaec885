package cli

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/store/postgres/pgtest"
)

var oneTimePassword = regexp.MustCompile(`one-time password\n\n    (\S+)\n`)

// TestServeFirstAdmin: a new database gets the administrator "admin" with a one-time password,
// printed once on standard error; it signs in and is sent to choose its own password. The next
// start prints nothing.
func TestServeFirstAdmin(t *testing.T) {
	for _, tc := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "keikai.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t, "keikai_cli_") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := tc.db(t)
			srv := startServe(t, db)
			m := oneTimePassword.FindStringSubmatch(srv.logText())
			if m == nil || !strings.Contains(srv.logText(), srv.base+"/staff/login") {
				t.Fatalf("no one-time password and login address on standard error:\n%s", srv.logText())
			}
			jar, _ := cookiejar.New(nil)
			browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := browser.Get(srv.base + "/staff/login")
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(page)
			if csrf == nil {
				t.Fatalf("no CSRF token on the login page:\n%s", page)
			}
			resp, err = browser.PostForm(srv.base+"/staff/login", url.Values{"csrf_token": {string(csrf[1])}, "name": {"admin"}, "password": {m[1]}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/account" {
				t.Fatalf("login with the one-time password: %d to %q, want 303 to /staff/account", resp.StatusCode, resp.Header.Get("Location"))
			}
			if code := srv.stop(t); code != 0 {
				t.Fatalf("serve exited %d", code)
			}
			again := startServe(t, db)
			defer again.stop(t)
			if strings.Contains(again.logText(), "one-time password") {
				t.Fatalf("the second start printed a password again:\n%s", again.logText())
			}
		})
	}
}
