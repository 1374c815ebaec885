package web

import (
	"net/http"

	"github.com/keikai-project/keikai/internal/staff"
)

// TEMPORARY, per the contract in ISSUE11.md, until the auth branch's staffauth.go is merged from
// main. It lets nobody in: every staff page answers 503 until the real gate replaces it.

type staffSession struct {
	User staff.User
	CSRF string
}

func (h *handler) staffOnly(need staff.Role, fn func(http.ResponseWriter, *http.Request, *staffSession)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "staff sign-in is not available in this build", http.StatusServiceUnavailable)
	}
}

type staffPage struct {
	page
	Staff *staffSession
}

func (h *handler) newStaffPage(lang, titleKey string, s *staffSession) staffPage {
	return staffPage{page: h.newPage(lang, titleKey), Staff: s}
}
