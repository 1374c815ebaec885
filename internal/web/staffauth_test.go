package web

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
)

var signInSeq atomic.Int64

// signIn creates a user of role in st and logs it in through POST /staff/login at base, like a
// browser: the client keeps the session cookie, and the returned token is the session's CSRF
// token for state-changing forms.
func signIn(t *testing.T, st store.Staff, base string, role staff.Role) (*http.Client, string) {
	t.Helper()
	name := fmt.Sprintf("%s-%d", strings.ReplaceAll(string(role), "-", ""), signInSeq.Add(1))
	password := "correct horse battery " + name
	addStaff(t, st, name, role, password, false)
	client := &http.Client{Jar: newJar()}
	resp := postLogin(t, client, base, url.Values{"name": {name}, "password": {password}})
	readAll(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signIn %s: login answered %d, want 303", name, resp.StatusCode)
	}
	return client, sessionCSRF(t, client, base)
}

func addStaff(t testing.TB, st store.Staff, name string, role staff.Role, password string, mustChange bool) staff.User {
	t.Helper()
	hash, err := staff.HashPassword(password, staff.Default)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.AddUser(context.Background(), store.NewUser{Name: name, Role: role, PasswordHash: hash, MustChangePassword: mustChange}, audit.System)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// sessionCSRF reads the session's CSRF token from the logout form of the account page.
func sessionCSRF(t *testing.T, client *http.Client, base string) string {
	t.Helper()
	resp, err := client.Get(base + "/staff/account")
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	m := csrfRE.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("GET /staff/account: %d, no CSRF token:\n%s", resp.StatusCode, page)
	}
	return m[1]
}

// noRedirect answers with the redirect itself, so that tests can look at it.
func noRedirect(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

// postLogin fetches the login form (for its CSRF cookie and token) and posts fields to it. The
// answer is not followed.
func postLogin(t *testing.T, client *http.Client, base string, fields url.Values) *http.Response {
	t.Helper()
	resp, err := client.Get(base + "/staff/login")
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the login page:\n%s", page)
	}
	fields = maps.Clone(fields)
	if fields.Get(csrfField) == "" {
		fields.Set(csrfField, m[1])
	}
	resp, err = noRedirect(client).PostForm(base+"/staff/login", fields)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func sessionCookieOf(t *testing.T, client *http.Client, base string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, c := range client.Jar.Cookies(u) {
		if c.Name == sessionCookiePlain || c.Name == sessionCookieTLS {
			return c.Value
		}
	}
	return ""
}

// clock is a settable time for the session timeouts.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestStaffLogin: the answers of the login form, and the session cookie it sets.
func TestStaffLogin(t *testing.T) {
	s := newServer(t, nil)
	ctx := context.Background()
	addStaff(t, s.store, "taro", staff.RoleAnalyst, "taro's long password", false)
	off := addStaff(t, s.store, "gone", staff.RoleAdmin, "gone's long password", false)
	if err := s.store.DisableUser(ctx, off.ID, audit.System); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		fields   url.Values
		status   int
		location string
		want     string
	}{
		{"wrong password", url.Values{"name": {"taro"}, "password": {"taro's long passwort"}, "lang": {"en"}}, 401, "", "Wrong user name or password"},
		{"right", url.Values{"name": {"taro"}, "password": {"taro's long password"}, "next": {"/staff/incidents/7?lang=ja"}}, 303, "/staff/incidents/7?lang=ja", ""},
		{"name with spaces around", url.Values{"name": {" taro "}, "password": {"taro's long password"}}, 303, "/staff/", ""},
		{"next to another site", url.Values{"name": {"taro"}, "password": {"taro's long password"}, "next": {"//attacker.example/staff/"}}, 303, "/staff/", ""},
		{"next outside staff", url.Values{"name": {"taro"}, "password": {"taro's long password"}, "next": {"/report"}}, 303, "/staff/", ""},
		{"unknown name", url.Values{"name": {"hanako"}, "password": {"taro's long password"}, "lang": {"ja"}}, 401, "", "ユーザ名またはパスワードが違う"},
		{"disabled", url.Values{"name": {"gone"}, "password": {"gone's long password"}, "lang": {"en"}}, 401, "", "Wrong user name or password"},
		{"no CSRF token", url.Values{"name": {"taro"}, "password": {"taro's long password"}, csrfField: {"forged"}, "lang": {"en"}}, 403, "", "The login form had expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := &http.Client{Jar: newJar()}
			resp := postLogin(t, client, s.URL, tt.fields)
			page := readAll(t, resp)
			if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location || !strings.Contains(page, tt.want) {
				t.Fatalf("%d to %q, want %d to %q with %q:\n%s", resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location, tt.want, page)
			}
			var session *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == sessionCookiePlain {
					session = c
				}
			}
			if tt.status != 303 {
				if session != nil {
					t.Fatalf("a refused login set a session cookie")
				}
				return
			}
			if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" || session.Secure || len(session.Value) != 43 {
				t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/, a 43-character token", session)
			}
		})
	}
	if n, _, err := s.store.LoginFailures(ctx, "taro", "127.0.0.1", time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("taro's failures after signing in: %d, %v; want them forgotten", n, err)
	}
	if logs := s.logText(); strings.Contains(logs, "long password") {
		t.Errorf("a password reached the log:\n%s", logs)
	}
}

// TestStaffLoginTLS: over TLS the session cookie is __Host- prefixed and Secure.
func TestStaffLoginTLS(t *testing.T) {
	s := newServer(t, nil)
	h, err := New(Config{Intake: s.intake, Store: s.store, Staff: s.store, CSRFKey: []byte("test key")})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(h)
	defer ts.Close()
	addStaff(t, s.store, "taro", staff.RoleAnalyst, "taro's long password", false)
	client := ts.Client()
	client.Jar = newJar()
	resp := postLogin(t, client, ts.URL, url.Values{"name": {"taro"}, "password": {"taro's long password"}})
	readAll(t, resp)
	var got *http.Cookie
	for _, c := range resp.Cookies() {
		if strings.Contains(c.Name, "keikai_session") {
			got = c
		}
	}
	if resp.StatusCode != 303 || got == nil || got.Name != "__Host-keikai_session" || !got.Secure || !got.HttpOnly || got.Path != "/" || got.Domain != "" {
		t.Fatalf("login over TLS: %d, cookie %+v; want __Host-keikai_session, Secure, HttpOnly, Path=/, no Domain", resp.StatusCode, got)
	}
	if csrf := sessionCSRF(t, client, ts.URL); csrf == "" {
		t.Fatal("no session over TLS")
	}
}

// TestStaffGate: what staffOnly lets through, by session, method, CSRF token and role.
func TestStaffGate(t *testing.T) {
	s := newServer(t, nil)
	h := &handler{cfg: Config{Staff: s.store, Now: time.Now}, log: slog.New(slog.DiscardHandler), pages: mustPages(t)}
	reached := func(w http.ResponseWriter, r *http.Request, _ *staffSession) { w.WriteHeader(http.StatusNoContent) }
	gates := map[staff.Role]http.Handler{
		staff.RoleReadOnly: h.staffOnly(staff.RoleReadOnly, reached),
		staff.RoleAnalyst:  h.staffOnly(staff.RoleAnalyst, reached),
		staff.RoleAdmin:    h.staffOnly(staff.RoleAdmin, reached),
	}
	type who struct {
		client *http.Client
		csrf   string
	}
	users := map[staff.Role]who{}
	for _, role := range staff.Roles {
		c, csrf := signIn(t, s.store, s.URL, role)
		users[role] = who{c, csrf}
	}
	cookieFor := func(role staff.Role) *http.Cookie {
		if role == "" {
			return nil
		}
		return &http.Cookie{Name: sessionCookiePlain, Value: sessionCookieOf(t, users[role].client, s.URL)}
	}
	tests := []struct {
		name     string
		as       staff.Role // "" for no session
		method   string
		need     staff.Role
		csrf     string // "session" for the session's own token
		header   map[string]string
		status   int
		location string
	}{
		{"GET without session", "", "GET", staff.RoleReadOnly, "", nil, 303, "/staff/login?next=%2Fstaff%2Fx%3Fy%3D1"},
		{"HEAD without session", "", "HEAD", staff.RoleReadOnly, "", nil, 303, "/staff/login?next=%2Fstaff%2Fx%3Fy%3D1"},
		{"POST without session", "", "POST", staff.RoleReadOnly, "anything", nil, 403, ""},
		{"read-only reads", staff.RoleReadOnly, "GET", staff.RoleReadOnly, "", nil, 204, ""},
		{"read-only changes", staff.RoleReadOnly, "POST", staff.RoleAnalyst, "session", nil, 403, ""},
		{"read-only reads an analyst page", staff.RoleReadOnly, "GET", staff.RoleAnalyst, "", nil, 403, ""},
		{"analyst changes", staff.RoleAnalyst, "POST", staff.RoleAnalyst, "session", nil, 204, ""},
		{"analyst without token", staff.RoleAnalyst, "POST", staff.RoleAnalyst, "", nil, 403, ""},
		{"analyst with a wrong token", staff.RoleAnalyst, "POST", staff.RoleAnalyst, "forged", nil, 403, ""},
		{"analyst with another session's token", staff.RoleAnalyst, "POST", staff.RoleAnalyst, "admin's", nil, 403, ""},
		{"analyst from another site", staff.RoleAnalyst, "POST", staff.RoleAnalyst, "session", map[string]string{"Origin": "https://attacker.example"}, 403, ""},
		{"analyst, PUT without token", staff.RoleAnalyst, "PUT", staff.RoleAnalyst, "", nil, 403, ""},
		{"analyst at an admin page", staff.RoleAnalyst, "POST", staff.RoleAdmin, "session", nil, 403, ""},
		{"admin at an admin page", staff.RoleAdmin, "POST", staff.RoleAdmin, "session", nil, 204, ""},
		{"admin reads", staff.RoleAdmin, "GET", staff.RoleReadOnly, "", nil, 204, ""},
	}
	noStaff := &handler{cfg: Config{Now: time.Now}, log: slog.New(slog.DiscardHandler), pages: mustPages(t)}
	rec := httptest.NewRecorder()
	noStaff.staffOnly(staff.RoleReadOnly, reached).ServeHTTP(rec, httptest.NewRequest("GET", "/staff/x", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("a staff page without a staff store: %d, want 404", rec.Code)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{}
			switch tt.csrf {
			case "session":
				form.Set(csrfField, users[tt.as].csrf)
			case "admin's":
				form.Set(csrfField, users[staff.RoleAdmin].csrf)
			case "":
			default:
				form.Set(csrfField, tt.csrf)
			}
			req := httptest.NewRequest(tt.method, "/staff/x?y=1", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			if c := cookieFor(tt.as); c != nil {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			gates[tt.need].ServeHTTP(rec, req)
			if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
				t.Fatalf("%d to %q, want %d to %q\n%s", rec.Code, rec.Header().Get("Location"), tt.status, tt.location, rec.Body)
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", rec.Header().Get("Cache-Control"))
			}
		})
	}
}

// TestStaffSessionEnds: a session ends when its account is disabled, at logout, after 8 hours
// idle and after 24 hours in all; a login never keeps the token the browser had before.
func TestStaffSessionEnds(t *testing.T) {
	clk := &clock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	s := newServer(t, func(c *Config) { c.Now = clk.Now })
	ctx := context.Background()
	signedIn := func(client *http.Client) bool {
		t.Helper()
		resp, err := noRedirect(client).Get(s.URL + "/staff/account")
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		switch {
		case resp.StatusCode == 200:
			return true
		case resp.StatusCode == 303 && strings.HasPrefix(resp.Header.Get("Location"), "/staff/login?next="):
			return false
		}
		t.Fatalf("GET /staff/account: %d", resp.StatusCode)
		return false
	}

	t.Run("disabled", func(t *testing.T) {
		client, _ := signIn(t, s.store, s.URL, staff.RoleAnalyst)
		users, _ := s.store.Users(ctx)
		for _, u := range users {
			if err := s.store.DisableUser(ctx, u.ID, audit.System); err != nil {
				t.Fatal(err)
			}
		}
		if signedIn(client) {
			t.Fatal("a disabled account's session still works")
		}
	})
	t.Run("logout", func(t *testing.T) {
		client, csrf := signIn(t, s.store, s.URL, staff.RoleReadOnly)
		token := sessionCookieOf(t, client, s.URL)
		resp, err := noRedirect(client).PostForm(s.URL+"/staff/logout", url.Values{csrfField: {csrf}})
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/staff/login" {
			t.Fatalf("logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if signedIn(client) {
			t.Fatal("signed in after logout")
		}
		// The old token, sent again, opens nothing.
		replay := &http.Client{Jar: newJar()}
		u, _ := url.Parse(s.URL)
		replay.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookiePlain, Value: token}})
		if signedIn(replay) {
			t.Fatal("the token of a logged-out session still works")
		}
	})
	t.Run("idle", func(t *testing.T) {
		client, _ := signIn(t, s.store, s.URL, staff.RoleAnalyst)
		clk.advance(7*time.Hour + 59*time.Minute)
		if !signedIn(client) {
			t.Fatal("ended before 8 hours idle")
		}
		clk.advance(7*time.Hour + 59*time.Minute)
		if !signedIn(client) {
			t.Fatal("a request did not restart the idle clock")
		}
		clk.advance(8 * time.Hour)
		if signedIn(client) {
			t.Fatal("still signed in after 8 hours idle")
		}
	})
	t.Run("absolute", func(t *testing.T) {
		client, _ := signIn(t, s.store, s.URL, staff.RoleAnalyst)
		for range 3 {
			clk.advance(7*time.Hour + 50*time.Minute)
			if !signedIn(client) {
				t.Fatal("ended before 24 hours while active")
			}
		}
		clk.advance(time.Hour)
		if signedIn(client) {
			t.Fatal("still signed in after 24 hours")
		}
	})
	t.Run("fixation", func(t *testing.T) {
		// A token planted before login (here an attacker's own, well-formed) is not the session
		// after it; and a browser signed in as one user that signs in as another gets a new
		// token, the old session ending.
		client := &http.Client{Jar: newJar()}
		u, _ := url.Parse(s.URL)
		planted := strings.Repeat("A", 43)
		client.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookiePlain, Value: planted, Path: "/"}})
		addStaff(t, s.store, "fixated", staff.RoleAnalyst, "fixated's long password", false)
		resp := postLogin(t, client, s.URL, url.Values{"name": {"fixated"}, "password": {"fixated's long password"}})
		readAll(t, resp)
		after := sessionCookieOf(t, client, s.URL)
		if resp.StatusCode != 303 || after == planted || after == "" {
			t.Fatalf("login with a planted cookie: %d, session %q", resp.StatusCode, after)
		}
		addStaff(t, s.store, "second", staff.RoleAnalyst, "second's long password", false)
		resp = postLogin(t, client, s.URL, url.Values{"name": {"second"}, "password": {"second's long password"}})
		readAll(t, resp)
		rotated := sessionCookieOf(t, client, s.URL)
		if resp.StatusCode != 303 || rotated == after {
			t.Fatalf("second login kept the token")
		}
		if _, err := s.store.Session(ctx, hashToken(after)); err == nil {
			t.Fatal("the session replaced at login still exists")
		}
	})
}

// TestStaffLoginRateLimit: failures are counted per name and per address in the store, so two
// front ends on one database share them; past the limit even the right password is refused,
// with 429, Retry-After and a message saying what to do.
func TestStaffLoginRateLimit(t *testing.T) {
	s := newServer(t, nil)
	h2, err := New(Config{Intake: s.intake, Store: s.store, Staff: s.store, CSRFKey: []byte("test key")})
	if err != nil {
		t.Fatal(err)
	}
	other := httptest.NewServer(h2)
	defer other.Close()
	addStaff(t, s.store, "taro", staff.RoleAnalyst, "taro's long password", false)
	wrong := url.Values{"name": {"taro"}, "password": {"not the password"}, "lang": {"en"}}
	for i := range loginFailuresByName {
		base := s.URL
		if i%2 == 1 {
			base = other.URL
		}
		resp := postLogin(t, &http.Client{Jar: newJar()}, base, wrong)
		page := readAll(t, resp)
		if resp.StatusCode != 401 {
			t.Fatalf("failure %d: %d, want 401:\n%s", i+1, resp.StatusCode, page)
		}
	}
	resp := postLogin(t, &http.Client{Jar: newJar()}, s.URL, url.Values{"name": {"taro"}, "password": {"taro's long password"}, "lang": {"ja"}})
	page := readAll(t, resp)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "900" || !strings.Contains(page, "15 分待って") {
		t.Fatalf("after %d failures: %d, Retry-After %q; want 429 with the wait:\n%s", loginFailuresByName, resp.StatusCode, resp.Header.Get("Retry-After"), page)
	}
	// Per address: many names from one address.
	for i := loginFailuresByName; i < loginFailuresByAddr; i++ {
		resp := postLogin(t, &http.Client{Jar: newJar()}, other.URL, url.Values{"name": {fmt.Sprintf("guess%d", i)}, "password": {"x"}})
		readAll(t, resp)
		if resp.StatusCode != 401 {
			t.Fatalf("failure %d: %d, want 401", i+1, resp.StatusCode)
		}
	}
	addStaff(t, s.store, "hanako", staff.RoleAnalyst, "hanako's long password", false)
	resp = postLogin(t, &http.Client{Jar: newJar()}, s.URL, url.Values{"name": {"hanako"}, "password": {"hanako's long password"}, "lang": {"en"}})
	page = readAll(t, resp)
	if resp.StatusCode != 429 || !strings.Contains(page, "Wait 15 minutes") {
		t.Fatalf("after %d failures from one address: %d:\n%s", loginFailuresByAddr, resp.StatusCode, page)
	}
}

// TestStaffMustChangePassword: an account with a one-time password reaches only the account
// page until it has set its own; the change checks the current password and the policy, ends
// the other sessions and keeps this one.
func TestStaffMustChangePassword(t *testing.T) {
	s := newServer(t, nil)
	addStaff(t, s.store, "admin", staff.RoleAdmin, "one-time-password-1", true)
	elsewhere, _ := signInAs(t, s, "admin", "one-time-password-1")
	client := &http.Client{Jar: newJar()}
	resp := postLogin(t, client, s.URL, url.Values{"name": {"admin"}, "password": {"one-time-password-1"}, "next": {"/staff/incidents"}})
	readAll(t, resp)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/staff/account" {
		t.Fatalf("login with a one-time password: %d to %q, want the account page", resp.StatusCode, resp.Header.Get("Location"))
	}
	csrf := sessionCSRF(t, client, s.URL)
	h := &handler{cfg: Config{Staff: s.store, Now: time.Now}, log: slog.New(slog.DiscardHandler), pages: mustPages(t)}
	gate := h.staffOnly(staff.RoleReadOnly, func(w http.ResponseWriter, _ *http.Request, _ *staffSession) { w.WriteHeader(204) })
	held := func() int {
		req := httptest.NewRequest("GET", "/staff/incidents", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookiePlain, Value: sessionCookieOf(t, client, s.URL)})
		rec := httptest.NewRecorder()
		gate.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := held(); code != 303 {
		t.Fatalf("another staff page before the change: %d, want 303 to the account page", code)
	}
	tests := []struct {
		name                   string
		current, next, confirm string
		status                 int
		want                   string
	}{
		{"wrong current", "one-time-password-2", "a new long password", "a new long password", 400, "current password is wrong"},
		{"too short", "one-time-password-1", "short pass", "short pass", 400, "at least 12 characters"},
		{"mismatch", "one-time-password-1", "a new long password", "a new long passwort", 400, "differ"},
		{"same", "one-time-password-1", "one-time-password-1", "one-time-password-1", 400, "is the current one"},
		{"right", "one-time-password-1", "a new long password", "a new long password", 303, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := noRedirect(client).PostForm(s.URL+"/staff/account/password", url.Values{
				csrfField: {csrf}, "lang": {"en"}, "current": {tt.current}, "new": {tt.next}, "confirm": {tt.confirm}})
			if err != nil {
				t.Fatal(err)
			}
			page := readAll(t, resp)
			if resp.StatusCode != tt.status || !strings.Contains(page, tt.want) {
				t.Fatalf("%d, want %d with %q:\n%s", resp.StatusCode, tt.status, tt.want, page)
			}
		})
	}
	if code := held(); code != 204 {
		t.Fatalf("after the change: %d, want the page", code)
	}
	if resp, err := noRedirect(elsewhere).Get(s.URL + "/staff/account"); err != nil || resp.StatusCode != 303 {
		t.Fatalf("the other session after the change: %v, %v; want it ended", resp.StatusCode, err)
	}
	if _, err := signInAs(t, s, "admin", "a new long password"); err != nil {
		t.Fatal(err)
	}
}

// signInAs logs an existing account in.
func signInAs(t *testing.T, s *server, name, password string) (*http.Client, error) {
	t.Helper()
	client := &http.Client{Jar: newJar()}
	resp := postLogin(t, client, s.URL, url.Values{"name": {name}, "password": {password}})
	readAll(t, resp)
	if resp.StatusCode != 303 {
		return nil, fmt.Errorf("login as %s: %d", name, resp.StatusCode)
	}
	return client, nil
}

// TestStaffPagesGolden renders the login and account pages in both languages.
func TestStaffPagesGolden(t *testing.T) {
	h := &handler{cfg: Config{}, pages: mustPages(t)}
	sess := &staffSession{User: staff.User{ID: 1, Name: "admin", Role: staff.RoleAdmin}, CSRF: "SESSION-CSRF"}
	for _, lang := range []string{"en", "ja"} {
		login := loginPage{staffPage: h.newStaffPage(lang, "auth.login.title", nil), CSRF: "LOGIN-CSRF", Next: "/staff/"}
		failed := login
		failed.Name, failed.Error = "<b>taro</b>", text(lang, "auth.error.credentials")
		code := login
		code.Name, code.Ticket = "taro", "1.975000000.TICKET"
		account := accountPage{staffPage: h.newStaffPage(lang, "auth.account.title", sess), MustChange: true}
		plain := accountPage{staffPage: h.newStaffPage(lang, "auth.account.title", sess), Notice: text(lang, "auth.account.changed")}
		enrol := plain
		enrol.Notice, enrol.TOTPSecret = "", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		enrol.TOTPURI = template.URL(staff.TOTPURI(totpIssuer, "admin", []byte("12345678901234567890")))
		withTOTP := &staffSession{User: staff.User{ID: 2, Name: "taro", Role: staff.RoleAnalyst, TOTP: true}, CSRF: "SESSION-CSRF"}
		totpOn := accountPage{staffPage: h.newStaffPage(lang, "auth.account.title", withTOTP)}
		created := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		users := usersPage{staffPage: h.newStaffPage(lang, "auth.users.title", sess), Roles: staff.Roles, Role: staff.RoleAnalyst,
			Users: []staff.User{{ID: 1, Name: "admin", Role: staff.RoleAdmin, CreatedAt: created}, {ID: 2, Name: "taro", Role: staff.RoleAnalyst, TOTP: true, CreatedAt: created},
				{ID: 3, Name: "gone", Role: staff.RoleReadOnly, Disabled: true, CreatedAt: created}},
			Created: "taro", Password: "abcdefghijkmnopqrstu"}
		for name, data := range map[string]any{
			"staff_login":          login,
			"staff_login-failed":   failed,
			"staff_login-code":     code,
			"staff_account":        account,
			"staff_account-plain":  plain,
			"staff_account-enrol":  enrol,
			"staff_account-totpon": totpOn,
			"staff_users":          users,
		} {
			rec := httptest.NewRecorder()
			page, _, _ := strings.Cut(name, "-")
			h.render(rec, 200, page, data)
			body := rec.Body.String()
			if regexp.MustCompile(`>[a-z]+\.[a-z.]+<`).MatchString(body) || strings.Contains(body, "<b>") {
				t.Errorf("%s.%s shows a message key or unescaped text", name, lang)
			}
			golden(t, name+"."+lang+".html", body)
		}
	}
}

func FuzzParseTicket(f *testing.F) {
	h := &handler{csrfKey: []byte("fuzz key")}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f.Add(h.ticket(7, now.Add(time.Minute), "browser"), "browser")
	f.Add("1.2.3", "")
	f.Add("..", "x")
	f.Add("-1.99999999999.x", "b")
	f.Fuzz(func(t *testing.T, ticket, browser string) {
		id, ok := h.parseTicket(ticket, now, browser)
		if ok && (id <= 0 || h.ticket(id, time.Unix(mustUntil(t, ticket), 0), browser) != ticket) {
			t.Fatalf("parseTicket(%q) accepted a ticket the server did not make", ticket)
		}
	})
}

// mustUntil is the end of validity written in an accepted ticket.
func mustUntil(t *testing.T, ticket string) int64 {
	until, err := strconv.ParseInt(strings.Split(ticket, ".")[1], 10, 64)
	if err != nil {
		t.Fatalf("accepted ticket %q has no time: %v", ticket, err)
	}
	return until
}

// postStaff posts a staff form with the session's CSRF token and returns the answer, not
// followed, and its body.
func postStaff(t *testing.T, client *http.Client, base, path, csrf string, fields url.Values) (*http.Response, string) {
	t.Helper()
	fields = maps.Clone(fields)
	if fields == nil {
		fields = url.Values{}
	}
	fields.Set(csrfField, csrf)
	resp, err := noRedirect(client).PostForm(base+path, fields)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readAll(t, resp)
}

var secretRE = regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`)

// TestStaffTOTP: enrolment shows the key as base32 and otpauth://, takes effect only with a
// right first code; login then asks for a code, refuses a wrong or replayed one; removing it
// needs the password.
func TestStaffTOTP(t *testing.T) {
	clk := &clock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	s := newServer(t, func(c *Config) { c.Now = clk.Now })
	addStaff(t, s.store, "taro", staff.RoleAnalyst, "taro's long password", false)
	client, err := signInAs(t, s, "taro", "taro's long password")
	if err != nil {
		t.Fatal(err)
	}
	csrf := sessionCSRF(t, client, s.URL)
	resp, page := postStaff(t, client, s.URL, "/staff/account/totp", csrf, url.Values{"action": {"start"}, "lang": {"en"}})
	m := secretRE.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(page, `href="otpauth://totp/keikai:taro?algorithm=SHA1&amp;digits=6&amp;issuer=keikai&amp;period=30&amp;secret=`+m[1]+`"`) {
		t.Fatalf("TOTP start: %d:\n%s", resp.StatusCode, page)
	}
	secret, err := staff.DecodeTOTPSecret(m[1])
	if err != nil {
		t.Fatal(err)
	}
	code := func() string { return staff.TOTPCode(secret, staff.TOTPStep(clk.Now())) }
	resp, page = postStaff(t, client, s.URL, "/staff/account/totp", csrf, url.Values{"action": {"confirm"}, "secret": {m[1]}, "code": {"000000"}, "lang": {"en"}})
	if resp.StatusCode != 400 || !strings.Contains(page, "not right for this key") || !strings.Contains(page, m[1]) {
		t.Fatalf("confirm with a wrong code: %d:\n%s", resp.StatusCode, page)
	}
	if c, _ := s.store.UserByName(context.Background(), "taro"); c.TOTPSecret != nil {
		t.Fatal("a wrong first code turned TOTP on")
	}
	resp, _ = postStaff(t, client, s.URL, "/staff/account/totp", csrf, url.Values{"action": {"confirm"}, "secret": {m[1]}, "code": {code()}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/staff/account?done=totp-on" {
		t.Fatalf("confirm: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	login := func(code string) (int, string) {
		t.Helper()
		c := &http.Client{Jar: newJar()}
		resp := postLogin(t, c, s.URL, url.Values{"name": {"taro"}, "password": {"taro's long password"}, "lang": {"en"}})
		page := readAll(t, resp)
		ticket := regexp.MustCompile(`name="ticket" value="([^"]+)"`).FindStringSubmatch(page)
		if resp.StatusCode != 200 || ticket == nil || !strings.Contains(page, `autocomplete="one-time-code"`) {
			t.Fatalf("password of a TOTP account: %d, want the code form:\n%s", resp.StatusCode, page)
		}
		resp, err := noRedirect(c).PostForm(s.URL+"/staff/login", url.Values{csrfField: csrfRE.FindStringSubmatch(page)[1:2], "ticket": {ticket[1]}, "code": {code}, "lang": {"en"}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readAll(t, resp)
	}
	// The code that confirmed the enrolment is spent.
	if status, page := login(code()); status != 401 || !strings.Contains(page, "already used") {
		t.Fatalf("login with the enrolment's code: %d:\n%s", status, page)
	}
	clk.advance(30 * time.Second)
	if status, _ := login("123456"[:5] + "0"); status != 401 {
		t.Fatalf("login with a wrong code: %d", status)
	}
	used := code()
	if status, _ := login(used); status != 303 {
		t.Fatalf("login with the right code: %d", status)
	}
	if status, _ := login(used); status != 401 {
		t.Fatalf("the same code replayed: %d, want 401", status)
	}
	// A ticket from another browser, or an expired one, opens nothing.
	h := &handler{csrfKey: []byte("test key")}
	stolen := h.ticket(1, clk.Now().Add(time.Minute), "another browser")
	if _, ok := h.parseTicket(stolen, clk.Now(), "this browser"); ok {
		t.Fatal("a ticket of another browser was taken")
	}
	if _, ok := h.parseTicket(stolen, clk.Now().Add(2*time.Minute), "another browser"); ok {
		t.Fatal("an expired ticket was taken")
	}

	csrf = sessionCSRF(t, client, s.URL)
	if resp, _ = postStaff(t, client, s.URL, "/staff/account/totp", csrf, url.Values{"action": {"remove"}, "current": {"wrong password!"}}); resp.StatusCode != 400 {
		t.Fatalf("remove with a wrong password: %d", resp.StatusCode)
	}
	if resp, _ = postStaff(t, client, s.URL, "/staff/account/totp", csrf, url.Values{"action": {"remove"}, "current": {"taro's long password"}}); resp.StatusCode != 303 {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if _, err := signInAs(t, s, "taro", "taro's long password"); err != nil {
		t.Fatalf("login without TOTP after removing it: %v", err)
	}
}

// TestStaffUsersPage: administrators add accounts (one-time password shown once), change roles,
// reset passwords and disable accounts; analysts and read-only users change nothing.
func TestStaffUsersPage(t *testing.T) {
	s := newServer(t, nil)
	ctx := context.Background()
	admin, csrf := signIn(t, s.store, s.URL, staff.RoleAdmin)
	for _, role := range []staff.Role{staff.RoleAnalyst, staff.RoleReadOnly} {
		other, otherCSRF := signIn(t, s.store, s.URL, role)
		if resp, err := other.Get(s.URL + "/staff/users"); err != nil || resp.StatusCode != 403 {
			t.Fatalf("%s opens the users page: %v %v", role, resp.StatusCode, err)
		}
		for _, path := range []string{"/staff/users", "/staff/users/1/role", "/staff/users/1/disable", "/staff/users/1/password"} {
			if resp, _ := postStaff(t, other, s.URL, path, otherCSRF, url.Values{"name": {"mallory"}, "role": {"admin"}}); resp.StatusCode != 403 {
				t.Fatalf("%s POST %s: %d, want 403", role, path, resp.StatusCode)
			}
		}
	}
	resp, page := postStaff(t, admin, s.URL, "/staff/users", csrf, url.Values{"name": {"hanako"}, "role": {"read-only"}, "lang": {"ja"}})
	m := regexp.MustCompile(`<p class="secret tracking">([A-Za-z0-9]{20})</p>`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(page, "hanako のワンタイムパスワード") {
		t.Fatalf("add hanako: %d:\n%s", resp.StatusCode, page)
	}
	hanako, err := signInAs(t, s, "hanako", m[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		fields url.Values
		want   string
	}{
		{"taken", url.Values{"name": {"hanako"}, "role": {"analyst"}, "lang": {"en"}}, "already"},
		{"bad name", url.Values{"name": {"<script>"}, "role": {"analyst"}, "lang": {"en"}}, "&lt;script&gt;"},
		{"bad role", url.Values{"name": {"jiro"}, "role": {"root"}, "lang": {"en"}}, "Choose a role"},
	} {
		if resp, page := postStaff(t, admin, s.URL, "/staff/users", csrf, tt.fields); resp.StatusCode != 400 || !strings.Contains(page, tt.want) || strings.Contains(page, "<script>") {
			t.Errorf("add %s: %d, want 400 with %q:\n%s", tt.name, resp.StatusCode, tt.want, page)
		}
	}
	c, _ := s.store.UserByName(ctx, "hanako")
	id := strconv.FormatInt(c.User.ID, 10)
	if resp, _ := postStaff(t, admin, s.URL, "/staff/users/"+id+"/role", csrf, url.Values{"role": {"analyst"}}); resp.StatusCode != 303 {
		t.Fatalf("change role: %d", resp.StatusCode)
	}
	if u, _ := s.store.User(ctx, c.User.ID); u.Role != staff.RoleAnalyst {
		t.Fatalf("role after the change: %s", u.Role)
	}
	resp, page = postStaff(t, admin, s.URL, "/staff/users/"+id+"/password", csrf, nil)
	reset := regexp.MustCompile(`<p class="secret tracking">([A-Za-z0-9]{20})</p>`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || reset == nil {
		t.Fatalf("reset: %d:\n%s", resp.StatusCode, page)
	}
	if resp, err := noRedirect(hanako).Get(s.URL + "/staff/account"); err != nil || resp.StatusCode != 303 {
		t.Fatalf("hanako's session after the reset: %v; want it ended", resp.StatusCode)
	}
	hanako, err = signInAs(t, s, "hanako", reset[1])
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := postStaff(t, admin, s.URL, "/staff/users/"+id+"/disable", csrf, nil); resp.StatusCode != 303 {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, err := noRedirect(hanako).Get(s.URL + "/staff/account"); err != nil || resp.StatusCode != 303 {
		t.Fatalf("a disabled account's session: %v", resp.StatusCode)
	}
	self, _ := s.store.Users(ctx)
	for _, u := range self {
		if u.Role == staff.RoleAdmin {
			if resp, page := postStaff(t, admin, s.URL, "/staff/users/"+strconv.FormatInt(u.ID, 10)+"/disable", csrf, url.Values{"lang": {"en"}}); resp.StatusCode != 400 || !strings.Contains(page, "another administrator") {
				t.Fatalf("disabling oneself: %d:\n%s", resp.StatusCode, page)
			}
		}
	}
	if resp, _ := postStaff(t, admin, s.URL, "/staff/users/999/disable", csrf, nil); resp.StatusCode != 404 {
		t.Fatalf("disable of no account: %d", resp.StatusCode)
	}
	// Each change is in the audit log under the administrator's name, with the logins between.
	entries, err := s.store.AuditLog(ctx, store.AuditFilter{Object: audit.KindUser, ObjectID: c.User.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" by "+e.Actor.Name)
	}
	adminName := ""
	for _, u := range self {
		if u.Role == staff.RoleAdmin {
			adminName = u.Name
		}
	}
	want := []string{"user.add by " + adminName, "user.login by hanako", "user.role by " + adminName, "user.passwd by " + adminName, "user.login by hanako", "user.disable by " + adminName}
	if !slices.Equal(got, want) {
		t.Errorf("audit entries of hanako: %q, want %q", got, want)
	}
	resp, err = admin.Get(s.URL + "/staff/users?lang=en&done=disable")
	if page = readAll(t, resp); err != nil || resp.StatusCode != 200 || !strings.Contains(page, "The account was disabled") || !strings.Contains(page, "<td>hanako</td>") {
		t.Fatalf("users page: %d:\n%s", resp.StatusCode, page)
	}
}

// TestStaffRehash: a password hashed under weaker parameters is hashed again under the current
// ones at the next login.
func TestStaffRehash(t *testing.T) {
	s := newServer(t, nil)
	weak, err := staff.HashPassword("taro's long password", staff.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.AddUser(context.Background(), store.NewUser{Name: "taro", Role: staff.RoleAnalyst, PasswordHash: weak}, audit.System); err != nil {
		t.Fatal(err)
	}
	if _, err := signInAs(t, s, "taro", "taro's long password"); err != nil {
		t.Fatal(err)
	}
	c, err := s.store.UserByName(context.Background(), "taro")
	if err != nil || staff.NeedsRehash(c.PasswordHash, staff.Default) {
		t.Fatalf("hash after login: %q, %v; want one under the current parameters", c.PasswordHash, err)
	}
	if ok, _ := staff.VerifyPassword(c.PasswordHash, "taro's long password"); !ok {
		t.Fatal("the new hash does not verify the password")
	}
}

// TestStaffRoutesRefuse: every state-changing staff route refuses a request without a session,
// without the CSRF token or with a wrong one, and changes nothing.
func TestStaffRoutesRefuse(t *testing.T) {
	s := newServer(t, nil)
	ctx := context.Background()
	admin, _ := signIn(t, s.store, s.URL, staff.RoleAdmin)
	victim := addStaff(t, s.store, "victim", staff.RoleReadOnly, "victim's long password", false)
	id := strconv.FormatInt(victim.ID, 10)
	before, err := s.store.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	fields := url.Values{"name": {"mallory"}, "role": {"admin"}, "action": {"start"}, "current": {"x"}, "new": {"a new long password"}, "confirm": {"a new long password"}}
	for _, path := range []string{"/staff/logout", "/staff/account/password", "/staff/account/totp", "/staff/users", "/staff/users/" + id + "/role", "/staff/users/" + id + "/disable", "/staff/users/" + id + "/password"} {
		for _, tt := range []struct {
			name   string
			client *http.Client
			csrf   string
		}{
			{"no session", &http.Client{Jar: newJar()}, ""},
			{"no token", admin, ""},
			{"wrong token", admin, strings.Repeat("x", 43)},
		} {
			t.Run(path+" "+tt.name, func(t *testing.T) {
				f := maps.Clone(fields)
				if tt.csrf != "" {
					f.Set(csrfField, tt.csrf)
				}
				resp, err := noRedirect(tt.client).PostForm(s.URL+path, f)
				if err != nil {
					t.Fatal(err)
				}
				readAll(t, resp)
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("%d, want 403", resp.StatusCode)
				}
			})
		}
	}
	after, err := s.store.AuditLog(ctx, store.AuditFilter{})
	if err != nil || len(after) != len(before) {
		t.Fatalf("the refused requests changed something: %d audit entries, then %d (%v)", len(before), len(after), err)
	}
	if u, err := s.store.User(ctx, victim.ID); err != nil || u != victim {
		t.Fatalf("victim after the refused requests: %+v, %v", u, err)
	}
	if sessionCSRF(t, admin, s.URL) == "" {
		t.Fatal("the refused logout ended the session")
	}
}
