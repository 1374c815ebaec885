package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
)

// Staff sessions. The browser holds a random token in a cookie; the store keeps only its SHA-256,
// with the session's own CSRF token. A session ends after sessionIdle without a request, after
// sessionLifetime whatever the activity, at logout, and at once when its account is disabled.
const (
	sessionIdle     = 8 * time.Hour
	sessionLifetime = 24 * time.Hour
	// touchEvery bounds the writes of the idle clock: a session's last request is recorded at
	// most once a minute.
	touchEvery = time.Minute

	// Failed logins allowed in loginWindow, per account name and per client address, counted in
	// the store so that every process on one database shares them.
	loginWindow         = 15 * time.Minute
	loginFailuresByName = 5
	loginFailuresByAddr = 20
	// ticketLifetime is how long the code form of a TOTP account stays valid after the password.
	ticketLifetime = 5 * time.Minute

	// staffMaxBody bounds a staff form's body.
	staffMaxBody = 10 << 20

	// sessionCookieTLS is the cookie over TLS: the __Host- prefix makes the browser refuse it
	// unless Secure, host-only and Path=/, so no sibling domain can plant a session.
	sessionCookieTLS   = "__Host-keikai_session"
	sessionCookiePlain = "keikai_session"
	// loginCookie carries the random value the login form's CSRF token is computed from.
	loginCookie = "keikai_login"
)

// staffSession is the signed-in staff member of a request, as staffOnly hands it to a handler.
type staffSession struct {
	User staff.User
	// CSRF is this session's form token: every state-changing form carries it as csrf_token.
	CSRF string

	tokenHash  []byte
	mustChange bool
}

// Admin reports whether the session's user is an administrator (the nav's users link).
func (s *staffSession) Admin() bool { return s.User.Role.Allows(staff.RoleAdmin) }

// staffPage is what every staff template sees: the site's page and the session (nil on the
// login page).
type staffPage struct {
	page
	Staff *staffSession
}

func (h *handler) newStaffPage(lang, titleKey string, s *staffSession) staffPage {
	p := h.newPage(lang, titleKey)
	return staffPage{page: p, Staff: s}
}

func init() {
	pageNames = append(pageNames, "staff_login", "staff_account", "staff_users")
}

func (h *handler) staffRoutes(mux *routeMux) {
	mux.HandleFunc("GET /staff/login", h.loginForm)
	mux.HandleFunc("POST /staff/login", h.login)
	mux.HandleFunc("POST /staff/logout", h.staffOnly(staff.RoleReadOnly, h.logout))
	mux.HandleFunc("GET /staff/account", h.staffOnly(staff.RoleReadOnly, h.account))
	mux.HandleFunc("POST /staff/account/password", h.staffOnly(staff.RoleReadOnly, h.changePassword))
	mux.HandleFunc("POST /staff/account/totp", h.staffOnly(staff.RoleReadOnly, h.totpForm))
	mux.HandleFunc("GET /staff/users", h.staffOnly(staff.RoleAdmin, h.users))
	mux.HandleFunc("POST /staff/users", h.staffOnly(staff.RoleAdmin, h.addUser))
	mux.HandleFunc("POST /staff/users/{id}/role", h.staffOnly(staff.RoleAdmin, h.setRole))
	mux.HandleFunc("POST /staff/users/{id}/disable", h.staffOnly(staff.RoleAdmin, h.disableUser))
	mux.HandleFunc("POST /staff/users/{id}/password", h.staffOnly(staff.RoleAdmin, h.resetPassword))
}

// errNoSession is a request without a valid session: no cookie, an unknown or ended token.
var errNoSession = errors.New("no valid staff session")

func sessionCookieName(r *http.Request) string {
	if r.TLS != nil {
		return sessionCookieTLS
	}
	return sessionCookiePlain
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// randomToken is 32 random bytes, base64url: 43 characters.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// wellFormedToken accepts what randomToken makes, so that nothing else reaches the store.
func wellFormedToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil
}

// currentSession is the request's valid session, or errNoSession. A session past its idle or
// absolute end is deleted here.
func (h *handler) currentSession(r *http.Request) (*staffSession, error) {
	c, err := r.Cookie(sessionCookieName(r))
	if err != nil || !wellFormedToken(c.Value) {
		return nil, errNoSession
	}
	hash := hashToken(c.Value)
	ctx := r.Context()
	s, err := h.cfg.Staff.Session(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	now := h.cfg.Now()
	if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeen) >= sessionIdle {
		if err := h.cfg.Staff.DeleteSession(ctx, hash); err != nil {
			h.log.Error("end an expired staff session", "err", err)
		}
		return nil, errNoSession
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		if err := h.cfg.Staff.TouchSession(ctx, hash, now); err != nil {
			h.log.Error("record staff session activity", "err", err)
		}
	}
	return &staffSession{User: s.User, CSRF: s.CSRF, tokenHash: hash, mustChange: s.MustChangePassword}, nil
}

// staffOnly is the one gate of every staff page. GET and HEAD without a valid session are sent to
// the login page, which brings them back; any other method needs a valid session and the form
// field csrf_token equal to the session's token, else 403. A role below need is 403. A session
// whose password must be changed reaches only the account page and logout until it is.
func (h *handler) staffOnly(need staff.Role, fn func(http.ResponseWriter, *http.Request, *staffSession)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		lang := pickLang(r)
		if h.cfg.Staff == nil {
			// A front end without staff accounts has no staff pages.
			h.renderError(w, lang, http.StatusNotFound, text(lang, "error.notfound"))
			return
		}
		safe := r.Method == http.MethodGet || r.Method == http.MethodHead
		s, err := h.currentSession(r)
		if err != nil {
			if !errors.Is(err, errNoSession) {
				h.log.Error("read a staff session", "err", err)
				h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
				return
			}
			if safe {
				http.Redirect(w, r, "/staff/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			h.renderError(w, lang, http.StatusForbidden, text(lang, "auth.error.session"))
			return
		}
		if !safe {
			if !h.staffFormValid(w, r, s) {
				h.renderError(w, lang, http.StatusForbidden, text(lang, "auth.error.csrf"))
				return
			}
		}
		if s.mustChange && !passwordChangePath(r.URL.Path) {
			if safe {
				http.Redirect(w, r, "/staff/account", http.StatusSeeOther)
				return
			}
			h.renderError(w, lang, http.StatusForbidden, text(lang, "auth.error.mustchange"))
			return
		}
		if !s.User.Role.Allows(need) {
			h.renderError(w, lang, http.StatusForbidden, text(lang, "auth.error.role"))
			return
		}
		fn(w, r, s)
	}
}

// passwordChangePath lists what a session held to a password change may reach.
func passwordChangePath(p string) bool {
	return p == "/staff/account" || p == "/staff/account/password" || p == "/staff/logout"
}

// staffFormValid reads the bounded form of a state-changing request and checks its CSRF token
// against the session's, in constant time. A request a browser marks as coming from another
// site is refused even with the token.
func (h *handler) staffFormValid(w http.ResponseWriter, r *http.Request, s *staffSession) bool {
	if crossSite(r) {
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, staffMaxBody)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return false
	}
	token := r.PostFormValue(csrfField)
	return token != "" && hmac.Equal([]byte(token), []byte(s.CSRF))
}

// safeNext is where a login returns to: a staff page of this site, never another site.
func safeNext(next string) string {
	if next == "/staff" || strings.HasPrefix(next, "/staff/") && !strings.ContainsAny(next, "\\\x00\r\n") && !strings.HasPrefix(next, "/staff/login") {
		return next
	}
	return "/staff/"
}

// loginPage is the login form: name and password, or, for an account with TOTP, the code.
type loginPage struct {
	staffPage
	CSRF  string
	Next  string
	Name  string
	Error string
	// Ticket is set when the password was right and the code is asked for.
	Ticket string
}

// loginCSRF returns the login form's token, setting the login cookie when the browser has none.
// There is no session yet, so the token is an HMAC of a random value of the browser's.
func (h *handler) loginCSRF(w http.ResponseWriter, r *http.Request) string {
	value := ""
	if c, err := r.Cookie(loginCookie); err == nil && wellFormedToken(c.Value) {
		value = c.Value
	} else {
		var err error
		if value, err = randomToken(); err != nil {
			h.log.Error("login form token", "err", err)
		}
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: value, Path: "/staff/login", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	}
	return h.sign("login\x00" + value)
}

func (h *handler) loginCSRFValid(r *http.Request) bool {
	c, err := r.Cookie(loginCookie)
	token := r.PostFormValue(csrfField)
	if err != nil || !wellFormedToken(c.Value) || token == "" {
		return false
	}
	return hmac.Equal([]byte(h.sign("login\x00"+c.Value)), []byte(token))
}

func (h *handler) newLoginPage(w http.ResponseWriter, r *http.Request, lang, next string) loginPage {
	return loginPage{staffPage: h.newStaffPage(lang, "auth.login.title", nil), CSRF: h.loginCSRF(w, r), Next: safeNext(next)}
}

func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(r)
	setLang(w, r, lang)
	w.Header().Set("Cache-Control", "no-store")
	p := h.newLoginPage(w, r, lang, r.URL.Query().Get("next"))
	p.Switch = "?" + url.Values{"lang": {p.OtherLang}, "next": {p.Next}}.Encode()
	h.render(w, http.StatusOK, "staff_login", p)
}

// login checks the login form: the rate limit first (a limited name or address is refused
// before any password is checked), then the password, then for a TOTP account the code on a
// second form. A name that does not exist costs the time of a password check, and every refusal
// says the same, so the form does not tell which names exist.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	lang := pickLang(r)
	if err := r.ParseForm(); err != nil {
		h.renderError(w, lang, http.StatusBadRequest, text(lang, "error.badform"))
		return
	}
	if l := r.PostFormValue("lang"); l == "ja" || l == "en" {
		lang = l
	}
	p := h.newLoginPage(w, r, lang, r.PostFormValue("next"))
	if crossSite(r) || !h.loginCSRFValid(r) {
		p.Error = text(lang, "auth.error.loginexpired")
		h.render(w, http.StatusForbidden, "staff_login", p)
		return
	}
	ctx := r.Context()
	addr := clientAddr(r)
	if ticket := r.PostFormValue("ticket"); ticket != "" {
		h.loginCode(w, r, p, ticket, addr)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	p.Name = name
	if h.loginLimited(w, r, p, name, addr) {
		return
	}
	cred, err := h.cfg.Staff.UserByName(ctx, name)
	ok := false
	switch {
	case errors.Is(err, store.ErrNotFound):
		staff.VerifyNobody(password)
	case err != nil:
		h.log.Error("read a staff account", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	default:
		ok, err = staff.VerifyPassword(cred.PasswordHash, password)
		if err != nil {
			h.log.Error("verify a staff password", "user", cred.User.Name, "err", err)
		}
		ok = ok && !cred.User.Disabled
	}
	if !ok {
		h.loginFailed(w, r, p, name, addr, "auth.error.credentials")
		return
	}
	h.rehash(ctx, cred, password)
	if cred.TOTPSecret != nil {
		p.Ticket = h.ticket(cred.User.ID, h.cfg.Now().Add(ticketLifetime), loginCookieValue(r))
		h.render(w, http.StatusOK, "staff_login", p)
		return
	}
	h.startSession(w, r, cred.User, cred.MustChangePassword, p.Next)
}

// rehash stores a hash under the current parameters when the account's was made under weaker
// ones: raising staff.Default strengthens each account at its next login.
func (h *handler) rehash(ctx context.Context, cred store.StaffCredentials, password string) {
	if !staff.NeedsRehash(cred.PasswordHash, staff.Default) {
		return
	}
	hash, err := staff.HashPassword(password, staff.Default)
	if err == nil {
		_, err = h.cfg.Staff.RehashPassword(context.WithoutCancel(ctx), cred.User.ID, cred.PasswordHash, hash)
	}
	if err != nil {
		h.log.Error("rehash a staff password", "user", cred.User.Name, "err", err)
	}
}

// loginCode checks the one-time code of the login's second form.
func (h *handler) loginCode(w http.ResponseWriter, r *http.Request, p loginPage, ticket, addr string) {
	ctx := r.Context()
	lang := p.Lang
	id, ok := h.parseTicket(ticket, h.cfg.Now(), loginCookieValue(r))
	if !ok {
		p.Error = text(lang, "auth.error.ticket")
		h.render(w, http.StatusForbidden, "staff_login", p)
		return
	}
	u, err := h.cfg.Staff.User(ctx, id)
	var cred store.StaffCredentials
	if err == nil {
		cred, err = h.cfg.Staff.UserByName(ctx, u.Name)
	}
	if err != nil {
		h.log.Error("read a staff account", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	p.Name, p.Ticket = cred.User.Name, ticket
	if h.loginLimited(w, r, p, cred.User.Name, addr) {
		return
	}
	step, ok := staff.VerifyTOTP(cred.TOTPSecret, r.PostFormValue("code"), h.cfg.Now())
	if ok && !cred.User.Disabled && cred.TOTPSecret != nil {
		if ok, err = h.cfg.Staff.UseTOTPStep(ctx, id, step); err != nil {
			h.log.Error("record a TOTP code", "err", err)
			h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
			return
		}
		if ok {
			h.startSession(w, r, cred.User, cred.MustChangePassword, p.Next)
			return
		}
	}
	h.loginFailed(w, r, p, cred.User.Name, addr, "auth.error.code")
}

// loginLimited answers 429 when the name or the address has failed too often of late.
func (h *handler) loginLimited(w http.ResponseWriter, r *http.Request, p loginPage, name, addr string) bool {
	byName, byAddr, err := h.cfg.Staff.LoginFailures(r.Context(), name, addr, h.cfg.Now().Add(-loginWindow))
	if err != nil {
		h.log.Error("count login failures", "err", err)
		h.renderError(w, p.Lang, http.StatusInternalServerError, text(p.Lang, "error.unavailable"))
		return true
	}
	if byName < loginFailuresByName && byAddr < loginFailuresByAddr {
		return false
	}
	h.log.Warn("staff login rate-limited", "name", name, "remote", addr, "failures_name", byName, "failures_addr", byAddr)
	w.Header().Set("Retry-After", strconv.Itoa(int(loginWindow/time.Second)))
	p.Error = fmt.Sprintf(text(p.Lang, "auth.error.ratelimit"), int(loginWindow/time.Minute))
	p.Ticket = ""
	h.render(w, http.StatusTooManyRequests, "staff_login", p)
	return true
}

// loginFailed counts a failure and shows the form again with msgKey.
func (h *handler) loginFailed(w http.ResponseWriter, r *http.Request, p loginPage, name, addr, msgKey string) {
	now := h.cfg.Now()
	if err := h.cfg.Staff.RecordLoginFailure(r.Context(), name, addr, now, now.Add(-loginWindow)); err != nil {
		h.log.Error("record a login failure", "err", err)
	}
	h.log.Info("staff login refused", "name", name, "remote", addr)
	p.Error = text(p.Lang, msgKey)
	h.render(w, http.StatusUnauthorized, "staff_login", p)
}

// startSession signs u in: a new token (the browser's earlier session, if any, ends: a token set
// before login is never the session after it), a new CSRF token, the cookie, and a redirect to
// next, or to the password change when one is due.
func (h *handler) startSession(w http.ResponseWriter, r *http.Request, u staff.User, mustChange bool, next string) {
	lang := pickLang(r)
	token, err1 := randomToken()
	csrf, err2 := randomToken()
	if err := errors.Join(err1, err2); err != nil {
		h.log.Error("make a session token", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	var replaces []byte
	if c, err := r.Cookie(sessionCookieName(r)); err == nil && wellFormedToken(c.Value) {
		replaces = hashToken(c.Value)
	}
	now := h.cfg.Now()
	s := store.Session{TokenHash: hashToken(token), User: u, CSRF: csrf, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(sessionLifetime)}
	ctx := context.WithoutCancel(r.Context())
	if err := h.cfg.Staff.CreateSession(ctx, s, replaces); err != nil {
		h.log.Error("create a staff session", "user", u.Name, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	if err := h.cfg.Staff.ClearLoginFailures(ctx, u.Name); err != nil {
		h.log.Error("clear login failures", "err", err)
	}
	h.log.Info("staff login", "user", u.Name, "remote", clientAddr(r))
	http.SetCookie(w, h.sessionCookie(r, token, int(sessionLifetime/time.Second)))
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/staff/login", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	if mustChange {
		next = "/staff/account"
	}
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func (h *handler) sessionCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: sessionCookieName(r), Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode}
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if err := h.cfg.Staff.Logout(context.WithoutCancel(r.Context()), s.tokenHash, s.User.Actor()); err != nil {
		h.log.Error("end a staff session", "err", err)
		lang := pickLang(r)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	h.log.Info("staff logout", "user", s.User.Name, "remote", clientAddr(r))
	http.SetCookie(w, h.sessionCookie(r, "", -1))
	http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
}

func loginCookieValue(r *http.Request) string {
	if c, err := r.Cookie(loginCookie); err == nil {
		return c.Value
	}
	return ""
}

// ticket proves, on the code form, that the password of account id was right: the account, the
// end of its validity and an HMAC under the server's key bound to the browser's login cookie, so
// a ticket seen elsewhere is of no use.
func (h *handler) ticket(id int64, until time.Time, browser string) string {
	body := strconv.FormatInt(id, 10) + "." + strconv.FormatInt(until.Unix(), 10)
	return body + "." + h.sign("ticket\x00"+body+"\x00"+browser)
}

// parseTicket reads a ticket back: the account, if the ticket is the server's, for this browser,
// and not expired.
func (h *handler) parseTicket(t string, now time.Time, browser string) (int64, bool) {
	parts := strings.Split(t, ".")
	if len(parts) != 3 || len(t) > 200 {
		return 0, false
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	until, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return 0, false
	}
	want := h.sign("ticket\x00" + parts[0] + "." + parts[1] + "\x00" + browser)
	if !hmac.Equal([]byte(want), []byte(parts[2])) || now.Unix() >= until {
		return 0, false
	}
	return id, true
}

// accountPage is the staff member's own account: the password change, and TOTP.
type accountPage struct {
	staffPage
	MustChange bool
	Notice     string
	Error      string
	// TOTPSecret and TOTPURI are set while a new TOTP secret waits for its first code.
	TOTPSecret string
	TOTPURI    template.URL
}

// MinPassword is the policy's shortest password, for the form's hint and check.
func (accountPage) MinPassword() int { return staff.MinPasswordLen }

func (h *handler) account(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := pickLang(r)
	setLang(w, r, lang)
	p := accountPage{staffPage: h.newStaffPage(lang, "auth.account.title", s), MustChange: s.mustChange}
	switch r.URL.Query().Get("done") {
	case "password":
		p.Notice = text(lang, "auth.account.changed")
	case "totp-on":
		p.Notice = text(lang, "auth.totp.on")
	case "totp-off":
		p.Notice = text(lang, "auth.totp.off")
	}
	h.render(w, http.StatusOK, "staff_account", p)
}

// changePassword changes the session's own password: the current one first (a session left open
// is not enough to take the account over), then the policy. The other sessions of the account
// end; this one stays.
func (h *handler) changePassword(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := formLang(r)
	ctx := r.Context()
	p := accountPage{staffPage: h.newStaffPage(lang, "auth.account.title", s), MustChange: s.mustChange}
	current, next, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
	cred, err := h.cfg.Staff.UserByName(ctx, s.User.Name)
	if err != nil {
		h.log.Error("read a staff account", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	addr := clientAddr(r)
	byName, _, err := h.cfg.Staff.LoginFailures(ctx, s.User.Name, addr, h.cfg.Now().Add(-loginWindow))
	if err == nil && byName >= loginFailuresByName {
		w.Header().Set("Retry-After", strconv.Itoa(int(loginWindow/time.Second)))
		p.Error = fmt.Sprintf(text(lang, "auth.error.ratelimit"), int(loginWindow/time.Minute))
		h.render(w, http.StatusTooManyRequests, "staff_account", p)
		return
	}
	if ok, _ := staff.VerifyPassword(cred.PasswordHash, current); !ok {
		now := h.cfg.Now()
		if err := h.cfg.Staff.RecordLoginFailure(ctx, s.User.Name, addr, now, now.Add(-loginWindow)); err != nil {
			h.log.Error("record a login failure", "err", err)
		}
		p.Error = text(lang, "auth.error.current")
		h.render(w, http.StatusBadRequest, "staff_account", p)
		return
	}
	if msg := h.newPasswordProblem(lang, s.User.Name, current, next, again); msg != "" {
		p.Error = msg
		h.render(w, http.StatusBadRequest, "staff_account", p)
		return
	}
	hash, err := staff.HashPassword(next, staff.Default)
	if err == nil {
		err = h.cfg.Staff.SetPassword(ctx, s.User.ID, hash, false, s.tokenHash, s.User.Actor())
	}
	if err != nil {
		h.log.Error("change a staff password", "user", s.User.Name, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	h.log.Info("staff password changed", "user", s.User.Name)
	http.Redirect(w, r, "/staff/account?done=password", http.StatusSeeOther)
}

// newPasswordProblem says what is wrong with a new password, in lang, or "" when nothing is.
func (h *handler) newPasswordProblem(lang, name, current, next, again string) string {
	if next != again {
		return text(lang, "auth.error.mismatch")
	}
	if current != "" && next == current {
		return text(lang, "auth.error.same")
	}
	switch err := staff.CheckPassword(name, next); {
	case err == nil:
		return ""
	case errors.Is(err, staff.ErrPasswordShort):
		return fmt.Sprintf(text(lang, "auth.error.short"), staff.MinPasswordLen)
	case errors.Is(err, staff.ErrPasswordLong):
		return fmt.Sprintf(text(lang, "auth.error.long"), staff.MaxPasswordLen)
	case errors.Is(err, staff.ErrPasswordIsName):
		return text(lang, "auth.error.isname")
	default:
		return text(lang, "auth.error.encoding")
	}
}

// formLang is the language of a staff form's POST: its lang field, else the request's.
func formLang(r *http.Request) string {
	if l := r.PostFormValue("lang"); l == "ja" || l == "en" {
		return l
	}
	return pickLang(r)
}
