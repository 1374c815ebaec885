package web

// TEMPORARY stand-in for the auth branch's staffauth.go (ISSUE11.md), so that the threads
// branch builds before auth is in main. It lets no one in. Reverted before merging main.

import (
	"net/http"

	"github.com/keikai-project/keikai/internal/staff"
)

type staffSession struct {
	User staff.User
	CSRF string
}

type staffPage struct {
	page
	Staff *staffSession
}

func (h *handler) staffOnly(need staff.Role, fn func(http.ResponseWriter, *http.Request, *staffSession)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "forbidden", http.StatusForbidden) }
}

func (h *handler) newStaffPage(lang, titleKey string, s *staffSession) staffPage {
	return staffPage{page: h.newPage(lang, titleKey), Staff: s}
}
