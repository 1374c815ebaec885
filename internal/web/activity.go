package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
)

// ActivityStats computes the activity of [from, to), with the period before it for the change.
type ActivityStats func(ctx context.Context, from, to time.Time) (*activity.Stats, error)

// activityPage is the activity report inside the site's layout, with a form to choose another
// period.
type activityPage struct {
	page
	// From and To are the period picker's days, To included, as YYYY-MM-DD.
	From, To string
	// Earlier and Later show the periods of the same length before and after this one.
	Earlier, Later string
	Error          string
	Report         template.HTML
}

const day = "2006-01-02"

// activityReport serves the activity report of a period: ?from=YYYY-MM-DD&to=YYYY-MM-DD, both days
// included, as the published reports give their periods. Without them, the last full calendar
// quarter.
func (h *handler) activityReport(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(r)
	setLang(w, r, lang)
	p := activityPage{page: h.newPage(lang, "activity.title")}
	// The report's own style sheet is inlined and allowed by its hash (see securityHeaders).
	p.Style = template.CSS(activity.StyleSheet()) // #nosec: the embedded style sheet
	from, to, ok := period(r, h.cfg.Now(), h.cfg.Zone)
	if !ok {
		q := r.URL.Query()
		p.From, p.To = q.Get("from"), q.Get("to")
		p.Switch = switchLink(p.From, p.To, p.OtherLang)
		p.Error = text(lang, "error.period")
		h.render(w, http.StatusBadRequest, "activity", p)
		return
	}
	p.From, p.To = from.In(h.cfg.Zone).Format(day), to.In(h.cfg.Zone).AddDate(0, 0, -1).Format(day)
	p.Switch = switchLink(p.From, p.To, p.OtherLang)
	p.Earlier = periodLink(lang, h.cfg.Zone)(activity.PreviousPeriod(from, to))
	p.Later = periodLink(lang, h.cfg.Zone)(activity.NextPeriod(from, to))
	s, err := h.cfg.Activity(r.Context(), from, to)
	if err == nil {
		p.Report, err = activity.HTMLFragment(s, activity.Options{Lang: lang})
	}
	if err != nil {
		h.log.Error("render activity report", "from", from, "to", to, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.activity"))
		return
	}
	h.render(w, http.StatusOK, "activity", p)
}

// switchLink is the language control's link on the activity page: the same period in the other
// language.
func switchLink(from, to, lang string) string {
	return "?" + url.Values{"from": {from}, "to": {to}, "lang": {lang}}.Encode()
}

// periodLink links to the activity report of [from, to) in lang.
func periodLink(lang string, zone *time.Location) func(from, to time.Time) string {
	return func(from, to time.Time) string {
		return "/activity?" + url.Values{
			"from": {from.In(zone).Format(day)}, "to": {to.In(zone).AddDate(0, 0, -1).Format(day)}, "lang": {lang},
		}.Encode()
	}
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
