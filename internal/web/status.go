package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

type statusPage struct {
	page
	Tracking   string
	ReceivedAt time.Time
	State      report.State
	Category   string
	// Thread is on when the messages store is configured: the shared messages and the form.
	Thread   bool
	Messages []messageView
	// Secret is the link's own secret: the form posts back to the same link.
	Secret  string
	CSRF    string
	Added   bool
	Error   string
	MaxFile string
	Text    string
}

// status shows a reporter the state of their report: tracking number, receipt time, state and
// category, and the messages an analyst chose to share with them. Nothing else: whoever holds
// the link learns nothing about the reporter, the logs, other reports or the staff's notes.
func (h *handler) status(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(r)
	setLang(w, r, lang)
	w.Header().Set("Cache-Control", "no-store")
	rep, secret, ok := h.statusReport(w, r, lang)
	if !ok {
		return
	}
	p, ok := h.newStatusPage(w, r, lang, rep, secret)
	if !ok {
		return
	}
	p.Added = r.URL.Query().Get("added") == "1"
	h.render(w, http.StatusOK, "status", p)
}

// statusReport finds the report of a status link, answering 404 for any link that is not one.
func (h *handler) statusReport(w http.ResponseWriter, r *http.Request, lang string) (*report.Report, string, bool) {
	secret := r.PathValue("secret")
	if !intake.WellFormedSecret(secret) {
		h.renderError(w, lang, http.StatusNotFound, text(lang, "error.notfound"))
		return nil, "", false
	}
	rep, err := h.cfg.Store.ByStatusHash(r.Context(), intake.HashSecret(secret))
	if errors.Is(err, report.ErrNotFound) {
		h.renderError(w, lang, http.StatusNotFound, text(lang, "error.notfound"))
		return nil, "", false
	}
	if err != nil {
		h.log.Error("read report by status link", "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return nil, "", false
	}
	return rep, secret, true
}

func (h *handler) newStatusPage(w http.ResponseWriter, r *http.Request, lang string, rep *report.Report, secret string) (statusPage, bool) {
	p := statusPage{page: h.newPage(lang, "status.state"), Tracking: rep.Tracking, ReceivedAt: rep.ReceivedAt, State: rep.State}
	p.Title = rep.Tracking
	if rep.State == report.StateAnalysed && rep.Analysis != nil {
		p.Category = rep.Analysis.Category
	}
	// The analyst's decision, where there is one, is what the report is; of the triage the
	// reporter learns that category only: no note, no name, no incident.
	if h.cfg.Triage != nil {
		row, err := h.cfg.Triage.TriageRow(r.Context(), rep.ID)
		if err != nil {
			h.log.Error("read the decision of a report", "tracking", rep.Tracking, "err", err)
			h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
			return p, false
		}
		if row.Decision != nil {
			p.Category = row.Decision.Category
		}
	}
	if h.cfg.Messages == nil {
		return p, true
	}
	p.Thread, p.Secret, p.CSRF = true, secret, h.statusCSRF(secret)
	p.MaxFile = byteSize(h.limits.MaxAttachment)
	// Only this report's messages, and only the shared ones: the filter is the store's, so no
	// other report's mail and no unshared message ever reaches the page.
	shared, err := h.cfg.Messages.Messages(r.Context(), store.MessageFilter{ReportID: rep.ID, SharedOnly: true})
	if err != nil {
		h.log.Error("read the shared messages of a report", "tracking", rep.Tracking, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return p, false
	}
	for _, m := range shared {
		// An incident's forward is kept on its first report's thread but carries the excerpts of
		// every report of the incident: never the reporter's to see, even shared.
		if m.ReportID != rep.ID || !m.Shared || (m.IncidentID != 0 && m.Kind == store.MessageForward) {
			continue
		}
		p.Messages = append(p.Messages, viewMessage(m, h.limits.MaxAttachment))
	}
	return p, true
}

// statusCSRF is the status form's token. The link's secret already keeps other sites from
// posting to it (they cannot know it); the token, derived from it under the server's key, also
// keeps a form copied from an old page of another link from landing here.
func (h *handler) statusCSRF(secret string) string { return h.sign("status:" + secret) }

// statusAdd takes information a reporter adds to their report: text and a file, stored byte for
// byte as the body came, as an inbound message of the report's thread that the staff see.
func (h *handler) statusAdd(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(r)
	w.Header().Set("Cache-Control", "no-store")
	if ok, wait := h.limiter.allow(clientAddr(r)); !ok {
		secs := int(wait/time.Second) + 1
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		h.renderError(w, lang, http.StatusTooManyRequests, fmt.Sprintf(text(lang, "error.ratelimit"), secs))
		return
	}
	rep, secret, ok := h.statusReport(w, r, lang)
	if !ok {
		return
	}
	raw, err := readBody(w, r, h.limits.MaxSubmission)
	if err != nil {
		h.bodyError(w, lang, err)
		return
	}
	contentType := r.Header.Get("Content-Type")
	a, err := parseAddition(raw, contentType, h.limits.MaxAttachment)
	if err == nil && !h.csrfEqual(a.CSRF, h.statusCSRF(secret)) {
		h.renderError(w, lang, http.StatusForbidden, text(lang, "error.csrf"))
		return
	}
	if err != nil {
		p, ok := h.newStatusPage(w, r, lang, rep, secret)
		if !ok {
			return
		}
		p.Error, p.Text = text(lang, "status.add.empty"), a.Text
		if !errors.Is(err, errEmptyAddition) {
			p.Error = text(lang, "error.badform")
		}
		h.render(w, http.StatusBadRequest, "status", p)
		return
	}
	_, _, err = h.cfg.Messages.AddMessage(r.Context(), store.Message{ReportID: rep.ID, Direction: store.Inbound, Kind: store.MessageReporter,
		Subject: text(lang, "status.add.subject"), ContentType: contentType, Raw: raw, At: h.cfg.Now()}, audit.Actor{Name: "reporter"})
	if err != nil {
		h.log.Error("store a reporter's addition", "tracking", rep.Tracking, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.internal"))
		return
	}
	h.log.Info("reporter added information", "tracking", rep.Tracking, "bytes", len(raw))
	http.Redirect(w, r, "/status/"+secret+"?added=1&lang="+lang, http.StatusSeeOther)
}
