package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/report"
)

type statusPage struct {
	page
	Tracking   string
	ReceivedAt time.Time
	State      report.State
	Category   string
}

// status shows a reporter the state of their report: tracking number, receipt time, state and
// category. Nothing else: whoever holds the link learns nothing about the reporter or the logs.
func (h *handler) status(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(r)
	setLang(w, r, lang)
	w.Header().Set("Cache-Control", "no-store")
	secret := r.PathValue("secret")
	if !intake.WellFormedSecret(secret) {
		h.renderError(w, lang, http.StatusNotFound, text(lang, "error.notfound"))
		return
	}
	rep, err := h.cfg.Store.ByStatusHash(r.Context(), intake.HashSecret(secret))
	if errors.Is(err, report.ErrNotFound) {
		h.renderError(w, lang, http.StatusNotFound, text(lang, "error.notfound"))
		return
	}
	if err != nil {
		h.log.Error("read report by status link", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	p := statusPage{page: h.newPage(lang, "status.state"), Tracking: rep.Tracking, ReceivedAt: rep.ReceivedAt, State: rep.State}
	p.Title = rep.Tracking
	if rep.State == report.StateAnalysed && rep.Analysis != nil {
		p.Category = rep.Analysis.Category
	}
	h.render(w, http.StatusOK, "status", p)
}
