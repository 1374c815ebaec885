package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// csrfCookie holds a random value per browser; the form carries an HMAC of it under the
// server's key. A forged cross-site POST has neither the cookie (SameSite) nor can it compute the
// matching token.
const (
	csrfCookie = "keikai_csrf"
	csrfField  = "csrf_token"
)

// csrfToken returns the form token for the browser's cookie, setting a new cookie if it has none.
func (h *handler) csrfToken(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(csrfCookie)
	value := ""
	if err == nil && len(c.Value) == 43 {
		value = c.Value
	} else {
		b := make([]byte, 32)
		rand.Read(b)
		value = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: value, Path: "/report", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 24 * 3600})
	}
	return h.sign(value)
}

func (h *handler) sign(value string) string {
	m := hmac.New(sha256.New, h.csrfKey)
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfValid checks the form's token against the browser's cookie.
func (h *handler) csrfValid(r *http.Request, token string) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" || token == "" {
		return false
	}
	return hmac.Equal([]byte(h.sign(c.Value)), []byte(token))
}
