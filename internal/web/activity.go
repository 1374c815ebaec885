package web

import (
	"bytes"
	"net/http"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
)

// activityReport serves the activity report of a period: ?from=YYYY-MM-DD&to=YYYY-MM-DD, both days
// included, as the published reports give their periods. Without them, the last full calendar
// quarter.
func (h *handler) activityReport(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(r)
	setLang(w, r, lang)
	from, to, ok := period(r, h.cfg.Now(), h.cfg.Zone)
	if !ok {
		h.renderError(w, lang, http.StatusBadRequest, text(lang, "error.period"))
		return
	}
	var b bytes.Buffer
	if err := h.cfg.Activity(r.Context(), &b, from, to, lang); err != nil {
		h.log.Error("render activity report", "from", from, "to", to, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.activity"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
}

// period reads [from, to) from the query; to names the last day included. Days are calendar days
// in zone, as keikai report activity counts them, so the page and the command agree.
func period(r *http.Request, now time.Time, zone *time.Location) (from, to time.Time, ok bool) {
	q := r.URL.Query()
	f, t := q.Get("from"), q.Get("to")
	if f == "" && t == "" {
		now = now.In(zone)
		qStart := time.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1, 0, 0, 0, 0, zone)
		return qStart.AddDate(0, -3, 0), qStart, true
	}
	from, to, err := activity.ParsePeriod(f, t, zone)
	return from, to, err == nil
}
