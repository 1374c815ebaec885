package web

import (
	"html/template"
	"net/http"

	"github.com/keikai-project/keikai/internal/staff"
)

// totpIssuer labels keikai's entry in an authenticator app.
const totpIssuer = "keikai"

// totpForm is the account page's TOTP form. start makes a secret and shows it (base32 and
// otpauth:// URI) with a field for the first code; confirm turns TOTP on only when that code is
// right, so a secret mistyped into the app never locks the account; remove turns it off, with
// the current password (a session left open is not enough to weaken the account).
func (h *handler) totpForm(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := formLang(r)
	ctx := r.Context()
	p := accountPage{staffPage: h.newStaffPage(lang, "auth.account.title", s)}
	switch r.PostFormValue("action") {
	case "start":
		secret, err := staff.NewTOTPSecret()
		if err != nil {
			h.log.Error("make a TOTP secret", "err", err)
			h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
			return
		}
		h.showTOTPSecret(w, p, s, secret, "", http.StatusOK)
	case "confirm":
		secret, err := staff.DecodeTOTPSecret(r.PostFormValue("secret"))
		if err != nil {
			p.Error = text(lang, "auth.totp.badsecret")
			h.render(w, http.StatusBadRequest, "staff_account", p)
			return
		}
		step, ok := staff.VerifyTOTP(secret, r.PostFormValue("code"), h.cfg.Now())
		if !ok {
			h.showTOTPSecret(w, p, s, secret, text(lang, "auth.totp.wrongcode"), http.StatusBadRequest)
			return
		}
		err = h.cfg.Staff.SetTOTP(ctx, s.User.ID, secret, s.User.Actor())
		if err == nil {
			// The confirming code is used: it cannot sign in afterwards.
			_, err = h.cfg.Staff.UseTOTPStep(ctx, s.User.ID, step)
		}
		if err != nil {
			h.log.Error("turn on TOTP", "user", s.User.Name, "err", err)
			h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
			return
		}
		h.log.Info("staff TOTP on", "user", s.User.Name)
		http.Redirect(w, r, "/staff/account?done=totp-on", http.StatusSeeOther)
	case "remove":
		cred, err := h.cfg.Staff.UserByName(ctx, s.User.Name)
		if err != nil {
			h.log.Error("read a staff account", "err", err)
			h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
			return
		}
		if ok, _ := staff.VerifyPassword(cred.PasswordHash, r.PostFormValue("current")); !ok {
			now := h.cfg.Now()
			if err := h.cfg.Staff.RecordLoginFailure(ctx, s.User.Name, clientAddr(r), now, now.Add(-loginWindow)); err != nil {
				h.log.Error("record a login failure", "err", err)
			}
			p.Error = text(lang, "auth.error.current")
			h.render(w, http.StatusBadRequest, "staff_account", p)
			return
		}
		if err := h.cfg.Staff.SetTOTP(ctx, s.User.ID, nil, s.User.Actor()); err != nil {
			h.log.Error("turn off TOTP", "user", s.User.Name, "err", err)
			h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
			return
		}
		h.log.Info("staff TOTP off", "user", s.User.Name)
		http.Redirect(w, r, "/staff/account?done=totp-off", http.StatusSeeOther)
	default:
		h.renderError(w, lang, http.StatusBadRequest, text(lang, "error.badform"))
	}
}

func (h *handler) showTOTPSecret(w http.ResponseWriter, p accountPage, s *staffSession, secret []byte, problem string, status int) {
	p.TOTPSecret = staff.EncodeTOTPSecret(secret)
	// An otpauth: link is kept by html/template only when marked safe: it is built here from the
	// issuer constant, a checked account name and base32.
	p.TOTPURI = template.URL(staff.TOTPURI(totpIssuer, s.User.Name, secret)) // #nosec: see above
	p.Error = problem
	h.render(w, status, "staff_account", p)
}
