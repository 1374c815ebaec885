package web

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/keikai-project/keikai/internal/forward"
	"github.com/keikai-project/keikai/internal/incident"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

// threadIncident finds the incident of a staff URL and its reports, answering 404 when there
// is none.
func (h *handler) threadIncident(w http.ResponseWriter, r *http.Request, lang string) (incident.Incident, []*report.Report, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.renderError(w, lang, http.StatusNotFound, text(lang, "error.notfound"))
		return incident.Incident{}, nil, false
	}
	inc, err := h.cfg.Triage.GetIncident(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		h.renderError(w, lang, http.StatusNotFound, text(lang, "error.notfound"))
		return inc, nil, false
	}
	var reps []*report.Report
	for _, rid := range inc.Reports {
		if err != nil {
			break
		}
		var rep *report.Report
		if rep, err = h.cfg.Store.Get(r.Context(), rid); err == nil {
			reps = append(reps, rep)
		}
	}
	if err != nil {
		h.log.Error("read an incident", "id", id, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return inc, nil, false
	}
	return inc, reps, true
}

// incidentMessages shows an incident's thread: its own messages and those of its reports.
func (h *handler) incidentMessages(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := pickLang(r)
	w.Header().Set("Cache-Control", "no-store")
	inc, reps, ok := h.threadIncident(w, r, lang)
	if !ok {
		return
	}
	p, err := h.incidentThreadPage(r, lang, s, inc, reps)
	if err != nil {
		h.log.Error("read a thread", "incident", inc.ID, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	h.render(w, http.StatusOK, "staff_messages", p)
}

// incidentThreadPage is the incident's thread: its own messages and those of its reports.
func (h *handler) incidentThreadPage(r *http.Request, lang string, s *staffSession, inc incident.Incident, reps []*report.Report) (messagesPage, error) {
	filters := []store.MessageFilter{{IncidentID: inc.ID}}
	for _, rep := range reps {
		filters = append(filters, store.MessageFilter{ReportID: rep.ID})
	}
	thread, err := h.thread(r, filters)
	if err != nil {
		return messagesPage{}, err
	}
	return h.newMessagesPage(r, lang, s, inc.Ref, "/staff/incidents/"+strconv.FormatInt(inc.ID, 10), "staff.thread.incident", thread), nil
}

func (h *handler) newIncidentForwardPage(r *http.Request, lang string, s *staffSession, inc incident.Incident, reps []*report.Report) forwardPage {
	p := forwardPage{staffPage: h.newStaffPage(lang, "staff.forward.title", s), Ref: inc.Ref,
		Base: "/staff/incidents/" + strconv.FormatInt(inc.ID, 10), FwdLang: lang, CanSend: h.cfg.Relay != nil && h.cfg.MailFrom != ""}
	p.Title = inc.Ref + " — " + text(lang, "staff.forward.title")
	p.Analysed, p.Consent = len(reps) > 0, len(reps) > 0
	for _, rep := range reps {
		if rep.Analysis == nil {
			p.Analysed = false
			continue
		}
		if p.Category == "" {
			p.Category = rep.Analysis.Category
		}
		p.Consent = p.Consent && rep.Analysis.Content.Reporter.DisclosureAllowed
	}
	if len(reps) > 0 {
		if c := h.decidedCategory(r, reps[0]); c != "" {
			p.Category = c
		}
	}
	return p
}

// incidentForward prepares the forward of every report of an incident, for review.
func (h *handler) incidentForward(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := pickLang(r)
	w.Header().Set("Cache-Control", "no-store")
	inc, reps, ok := h.threadIncident(w, r, lang)
	if !ok {
		return
	}
	p := h.newIncidentForwardPage(r, lang, s, inc, reps)
	q := r.URL.Query()
	p.To, p.Site = q.Get("to"), q.Get("site")
	if l := q.Get("fwdlang"); l == "ja" || l == "en" {
		p.FwdLang = l
	}
	if p.To == "" || !p.Analysed {
		h.render(w, http.StatusOK, "staff_forward", p)
		return
	}
	d, err := h.forwardService().Prepare(forward.Request{Reports: reps, IncidentID: inc.ID, To: p.To, Site: p.Site, Lang: p.FwdLang, Category: p.Category})
	if err != nil {
		p.Error = forwardError(lang, err)
		h.render(w, http.StatusBadRequest, "staff_forward", p)
		return
	}
	p.Draft, p.Body = &d, d.Body
	h.render(w, http.StatusOK, "staff_forward", p)
}

// incidentForwardSend sends the reviewed forward of an incident and records it on the
// incident's thread (and its first report's).
func (h *handler) incidentForwardSend(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := pickLang(r)
	w.Header().Set("Cache-Control", "no-store")
	inc, reps, ok := h.threadIncident(w, r, lang)
	if !ok {
		return
	}
	p := h.newIncidentForwardPage(r, lang, s, inc, reps)
	p.To, p.Site, p.Body = r.PostFormValue("to"), r.PostFormValue("site"), r.PostFormValue("body")
	if l := r.PostFormValue("fwdlang"); l == "ja" || l == "en" {
		p.FwdLang = l
	}
	req := forward.Request{Reports: reps, IncidentID: inc.ID, To: p.To, Site: p.Site, Lang: p.FwdLang, Category: p.Category, Body: p.Body}
	h.sendForward(w, r, s, lang, p, req)
}

// thread is the messages of several threads in one, oldest first, each once (a message of an
// incident's forward is on its incident's thread and its first report's).
func (h *handler) thread(r *http.Request, filters []store.MessageFilter) ([]store.Message, error) {
	var thread []store.Message
	for _, f := range filters {
		more, err := h.cfg.Messages.Messages(r.Context(), f)
		if err != nil {
			return nil, err
		}
		thread = append(thread, more...)
	}
	slices.SortFunc(thread, func(a, b store.Message) int { return cmp.Compare(a.ID, b.ID) })
	return slices.CompactFunc(thread, func(a, b store.Message) bool { return a.ID == b.ID }), nil
}
