package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
)

// usersPage is the administrators' list of accounts, with a form per change.
type usersPage struct {
	staffPage
	Users  []staff.User
	Roles  []staff.Role
	Notice string
	Error  string
	// Created and Password are shown once, after an account was added or its password reset.
	Created  string
	Password string
	// Name and Role keep what was typed into the add form when it is refused.
	Name string
	Role staff.Role
}

func (h *handler) newUsersPage(r *http.Request, lang string, s *staffSession) (usersPage, error) {
	users, err := h.cfg.Staff.Users(r.Context())
	return usersPage{staffPage: h.newStaffPage(lang, "auth.users.title", s), Users: users, Roles: staff.Roles, Role: staff.RoleAnalyst}, err
}

// renderUsers shows the users page with status, or a 500 when the list cannot be read.
func (h *handler) renderUsers(w http.ResponseWriter, r *http.Request, lang string, s *staffSession, status int, fill func(*usersPage)) {
	p, err := h.newUsersPage(r, lang, s)
	if err != nil {
		h.log.Error("list staff accounts", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	if fill != nil {
		fill(&p)
	}
	h.render(w, status, "staff_users", p)
}

var usersNotices = map[string]string{"role": "auth.users.roled", "disable": "auth.users.disabled"}

func (h *handler) users(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := pickLang(r)
	setLang(w, r, lang)
	h.renderUsers(w, r, lang, s, http.StatusOK, func(p *usersPage) {
		if key, ok := usersNotices[r.URL.Query().Get("done")]; ok {
			p.Notice = text(lang, key)
		}
	})
}

// addUser creates an account with a one-time password, shown on the answer once.
func (h *handler) addUser(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := formLang(r)
	name := r.PostFormValue("name")
	role := staff.Role(r.PostFormValue("role"))
	refuse := func(key string) {
		h.renderUsers(w, r, lang, s, http.StatusBadRequest, func(p *usersPage) { p.Error, p.Name, p.Role = text(lang, key), name, role })
	}
	if staff.CheckName(name) != nil {
		refuse("auth.users.badname")
		return
	}
	if !role.Valid() {
		refuse("auth.users.badrole")
		return
	}
	password, hash, ok := h.oneTimePassword(w, lang)
	if !ok {
		return
	}
	_, err := h.cfg.Staff.AddUser(r.Context(), store.NewUser{Name: name, Role: role, PasswordHash: hash, MustChangePassword: true}, s.User.Actor())
	if errors.Is(err, store.ErrConflict) {
		refuse("auth.users.taken")
		return
	}
	if err != nil {
		h.log.Error("add a staff account", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	h.log.Info("staff account added", "user", name, "role", role, "by", s.User.Name)
	h.renderUsers(w, r, lang, s, http.StatusOK, func(p *usersPage) { p.Created, p.Password = name, password })
}

func (h *handler) oneTimePassword(w http.ResponseWriter, lang string) (password, hash string, ok bool) {
	password, err := staff.NewPassword()
	if err == nil {
		hash, err = staff.HashPassword(password, staff.Default)
	}
	if err != nil {
		h.log.Error("make a one-time password", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return "", "", false
	}
	return password, hash, true
}

// targetUser reads the account of /staff/users/{id}/...; an administrator does not change their
// own role or disable themselves here, so that the last administrator cannot lock everyone out.
func (h *handler) targetUser(w http.ResponseWriter, r *http.Request, s *staffSession, lang string, notSelf bool) (staff.User, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var u staff.User
	if err == nil {
		u, err = h.cfg.Staff.User(r.Context(), id)
	}
	switch {
	case err == nil && notSelf && u.ID == s.User.ID:
		h.renderUsers(w, r, lang, s, http.StatusBadRequest, func(p *usersPage) { p.Error = text(lang, "auth.users.self") })
	case err == nil:
		return u, true
	case errors.Is(err, store.ErrNotFound), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		h.renderError(w, lang, http.StatusNotFound, text(lang, "auth.users.notfound"))
	default:
		h.log.Error("read a staff account", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
	}
	return u, false
}

func (h *handler) setRole(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := formLang(r)
	u, ok := h.targetUser(w, r, s, lang, true)
	if !ok {
		return
	}
	role := staff.Role(r.PostFormValue("role"))
	if !role.Valid() {
		h.renderUsers(w, r, lang, s, http.StatusBadRequest, func(p *usersPage) { p.Error = text(lang, "auth.users.badrole") })
		return
	}
	if err := h.cfg.Staff.SetRole(r.Context(), u.ID, role, s.User.Actor()); err != nil {
		h.log.Error("change a staff role", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	h.log.Info("staff role changed", "user", u.Name, "from", u.Role, "to", role, "by", s.User.Name)
	http.Redirect(w, r, "/staff/users?done=role", http.StatusSeeOther)
}

func (h *handler) disableUser(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := formLang(r)
	u, ok := h.targetUser(w, r, s, lang, true)
	if !ok {
		return
	}
	if err := h.cfg.Staff.DisableUser(r.Context(), u.ID, s.User.Actor()); err != nil {
		h.log.Error("disable a staff account", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	h.log.Info("staff account disabled", "user", u.Name, "by", s.User.Name)
	http.Redirect(w, r, "/staff/users?done=disable", http.StatusSeeOther)
}

// resetPassword gives an account a new one-time password, shown once; its sessions end.
func (h *handler) resetPassword(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := formLang(r)
	u, ok := h.targetUser(w, r, s, lang, false)
	if !ok {
		return
	}
	password, hash, ok := h.oneTimePassword(w, lang)
	if !ok {
		return
	}
	var keep []byte
	if u.ID == s.User.ID {
		keep = s.tokenHash
	}
	if err := h.cfg.Staff.SetPassword(r.Context(), u.ID, hash, true, keep, s.User.Actor()); err != nil {
		h.log.Error("reset a staff password", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	h.log.Info("staff password reset", "user", u.Name, "by", s.User.Name)
	h.renderUsers(w, r, lang, s, http.StatusOK, func(p *usersPage) { p.Created, p.Password = u.Name, password })
}
