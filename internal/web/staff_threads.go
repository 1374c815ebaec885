package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/forward"
	"github.com/keikai-project/keikai/internal/redact"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
)

// threadPages are the templates of the mail threads' staff pages.
var threadPages = []string{"staff_messages", "staff_forward"}

func init() { pageNames = append(pageNames, threadPages...) }

// threadRoutes adds the staff's thread and forward pages when the threads store is configured
// (the staff gate is, since the caller adds them with the staff's own routes).
func (h *handler) threadRoutes(mux *routeMux) {
	if h.cfg.Messages == nil {
		return
	}
	mux.HandleFunc("GET /staff/reports/{tracking}/messages", h.staffOnly(staff.RoleReadOnly, h.reportMessages))
	mux.HandleFunc("GET /staff/reports/{tracking}/forward", h.staffOnly(staff.RoleAnalyst, h.reportForward))
	mux.HandleFunc("POST /staff/reports/{tracking}/forward", h.staffOnly(staff.RoleAnalyst, h.reportForwardSend))
	mux.HandleFunc("POST /staff/messages/{id}/share", h.staffOnly(staff.RoleAnalyst, h.shareMessage))
	mux.HandleFunc("POST /staff/messages/{id}/reply", h.staffOnly(staff.RoleAnalyst, h.replyMessage))
	if h.cfg.Triage != nil {
		mux.HandleFunc("GET /staff/incidents/{id}/messages", h.staffOnly(staff.RoleReadOnly, h.incidentMessages))
		mux.HandleFunc("GET /staff/incidents/{id}/forward", h.staffOnly(staff.RoleAnalyst, h.incidentForward))
		mux.HandleFunc("POST /staff/incidents/{id}/forward", h.staffOnly(staff.RoleAnalyst, h.incidentForwardSend))
	}
}

func actorOf(s *staffSession) audit.Actor { return audit.Actor{UserID: s.User.ID, Name: s.User.Name} }

type messagesPage struct {
	staffPage
	// Ref names the report or incident (its tracking number or reference); Base is its staff URL,
	// under which /messages and /forward are; BackKey names the link back to it.
	Ref      string
	Base     string
	BackKey  string
	Messages []messageView
	CanEdit  bool
	CanSend  bool
	Sent     bool
	// Error, ReplyTo and ReplyBody bring back a refused reply: what went wrong, to which
	// message, with the text (redacted again when that was the problem).
	Error     string
	ReplyTo   int64
	ReplyBody string
	ReplySite string
}

// threadReport finds the report of a staff URL, answering 404 when there is none.
func (h *handler) threadReport(w http.ResponseWriter, r *http.Request, lang string) (*report.Report, bool) {
	rep, err := h.cfg.Store.ByTracking(r.Context(), r.PathValue("tracking"))
	if errors.Is(err, report.ErrNotFound) {
		h.renderError(w, lang, http.StatusNotFound, text(lang, "staff.thread.noreport"))
		return nil, false
	}
	if err != nil {
		h.log.Error("read a report", "tracking", r.PathValue("tracking"), "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return nil, false
	}
	return rep, true
}

// reportMessages shows a report's thread: what keikai sent, the replies that joined, what the
// reporter added, each with its sharing state.
func (h *handler) reportMessages(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := pickLang(r)
	w.Header().Set("Cache-Control", "no-store")
	rep, ok := h.threadReport(w, r, lang)
	if !ok {
		return
	}
	p, err := h.reportThreadPage(r, lang, s, rep)
	if err != nil {
		h.log.Error("read a thread", "tracking", rep.Tracking, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	h.render(w, http.StatusOK, "staff_messages", p)
}

// reportThreadPage is a report's thread: its own messages and, once it belongs to an incident,
// the incident's (the forwards of the incident that carried it).
func (h *handler) reportThreadPage(r *http.Request, lang string, s *staffSession, rep *report.Report) (messagesPage, error) {
	filters := []store.MessageFilter{{ReportID: rep.ID}}
	if h.cfg.Triage != nil {
		of, err := h.cfg.Triage.IncidentsOfReports(r.Context(), []int64{rep.ID})
		if err != nil {
			return messagesPage{}, err
		}
		if id := of[rep.ID]; id != 0 {
			filters = append(filters, store.MessageFilter{IncidentID: id})
		}
	}
	thread, err := h.thread(r, filters)
	if err != nil {
		return messagesPage{}, err
	}
	return h.newMessagesPage(r, lang, s, rep.Tracking, "/staff/reports/"+rep.Tracking, "staff.thread.report", thread), nil
}

func (h *handler) newMessagesPage(r *http.Request, lang string, s *staffSession, ref, base, backKey string, thread []store.Message) messagesPage {
	p := messagesPage{staffPage: h.newStaffPage(lang, "staff.thread.title", s), Ref: ref, Base: base, BackKey: backKey,
		CanEdit: s.User.Role.Allows(staff.RoleAnalyst), CanSend: h.cfg.Relay != nil && h.cfg.MailFrom != "",
		Sent: r.URL.Query().Get("sent") != ""}
	p.Title = ref + " — " + text(lang, "staff.thread.title")
	for _, m := range thread {
		p.Messages = append(p.Messages, viewMessage(m, h.limits.MaxAttachment))
	}
	return p
}

// shareMessage shows a message to the reporter on their status page, or hides it again.
func (h *handler) shareMessage(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := pickLang(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.renderError(w, lang, http.StatusNotFound, text(lang, "error.notfound"))
		return
	}
	m, err := h.cfg.Messages.Message(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		h.renderError(w, lang, http.StatusNotFound, text(lang, "error.notfound"))
		return
	}
	share := r.PostFormValue("shared") == "1"
	if err == nil && share && !viewMessage(m, 0).Shareable {
		h.renderError(w, lang, http.StatusBadRequest, text(lang, "staff.thread.notshareable"))
		return
	}
	if err == nil {
		err = h.cfg.Messages.ShareMessage(r.Context(), id, share, actorOf(s))
	}
	if err != nil {
		h.log.Error("share a message", "message", id, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	if m.ReportID == 0 {
		http.Redirect(w, r, "/staff/incidents/"+strconv.FormatInt(m.IncidentID, 10)+"/messages#message-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	rep, err := h.cfg.Store.Get(r.Context(), m.ReportID)
	if err != nil {
		h.log.Error("read a report", "id", m.ReportID, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	http.Redirect(w, r, "/staff/reports/"+rep.Tracking+"/messages#message-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

type forwardPage struct {
	staffPage
	Ref      string
	Base     string
	Category string
	Consent  bool
	Analysed bool
	CanSend  bool
	To       string
	Site     string
	FwdLang  string
	Draft    *forward.Draft
	Body     string
	Error    string
	Detail   string
}

func (h *handler) forwardService() *forward.Service {
	return &forward.Service{Messages: h.cfg.Messages, Relay: h.cfg.Relay, From: h.cfg.MailFrom, Signer: h.cfg.MailSigner, Now: h.cfg.Now}
}

// decidedCategory is the analyst's decided category of a report, "" when there is none (or no
// triage store): a forward names the decision over keikai's suggestion.
func (h *handler) decidedCategory(r *http.Request, rep *report.Report) string {
	if h.cfg.Triage == nil {
		return ""
	}
	row, err := h.cfg.Triage.TriageRow(r.Context(), rep.ID)
	if err != nil || row.Decision == nil {
		if err != nil {
			h.log.Error("read the decision of a report", "tracking", rep.Tracking, "err", err)
		}
		return ""
	}
	return row.Decision.Category
}

func (h *handler) newForwardPage(r *http.Request, lang string, s *staffSession, rep *report.Report) forwardPage {
	p := forwardPage{staffPage: h.newStaffPage(lang, "staff.forward.title", s), Ref: rep.Tracking, Base: "/staff/reports/" + rep.Tracking, FwdLang: lang,
		CanSend: h.cfg.Relay != nil && h.cfg.MailFrom != ""}
	p.Title = rep.Tracking + " — " + text(lang, "staff.forward.title")
	if rep.Analysis != nil {
		p.Analysed, p.Category, p.Consent = true, rep.Analysis.Category, rep.Analysis.Content.Reporter.DisclosureAllowed
	}
	if c := h.decidedCategory(r, rep); c != "" {
		p.Category = c
	}
	return p
}

// reportForward is the forward's first two steps: the analyst names the recipient (the abuse
// contact of the site), the site's addresses and the language; keikai shows the redacted text
// for review, with what it withheld.
func (h *handler) reportForward(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := pickLang(r)
	w.Header().Set("Cache-Control", "no-store")
	rep, ok := h.threadReport(w, r, lang)
	if !ok {
		return
	}
	p := h.newForwardPage(r, lang, s, rep)
	q := r.URL.Query()
	p.To, p.Site = q.Get("to"), q.Get("site")
	if l := q.Get("fwdlang"); l == "ja" || l == "en" {
		p.FwdLang = l
	}
	if p.To == "" {
		h.render(w, http.StatusOK, "staff_forward", p)
		return
	}
	d, err := h.forwardService().Prepare(forward.Request{Reports: []*report.Report{rep}, To: p.To, Site: p.Site, Lang: p.FwdLang, Category: p.Category})
	if err != nil {
		p.Error = forwardError(lang, err)
		h.render(w, http.StatusBadRequest, "staff_forward", p)
		return
	}
	p.Draft, p.Body = &d, d.Body
	h.render(w, http.StatusOK, "staff_forward", p)
}

// reportForwardSend sends the reviewed forward and records it on the report's thread.
func (h *handler) reportForwardSend(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := pickLang(r)
	w.Header().Set("Cache-Control", "no-store")
	rep, ok := h.threadReport(w, r, lang)
	if !ok {
		return
	}
	p := h.newForwardPage(r, lang, s, rep)
	p.To, p.Site, p.Body = r.PostFormValue("to"), r.PostFormValue("site"), r.PostFormValue("body")
	if l := r.PostFormValue("fwdlang"); l == "ja" || l == "en" {
		p.FwdLang = l
	}
	req := forward.Request{Reports: []*report.Report{rep}, To: p.To, Site: p.Site, Lang: p.FwdLang, Category: p.Category, Body: p.Body}
	h.sendForward(w, r, s, lang, p, req)
}

// sendForward sends a reviewed forward and goes to the thread, or shows the page again with
// what went wrong.
func (h *handler) sendForward(w http.ResponseWriter, r *http.Request, s *staffSession, lang string, p forwardPage, req forward.Request) {
	m, err := h.forwardService().Send(r.Context(), req, actorOf(s))
	if err != nil {
		p.Error = forwardError(lang, err)
		if errors.Is(err, forward.ErrNotSent) {
			p.Detail = err.Error()
		}
		if d, perr := h.forwardService().Prepare(req); perr == nil {
			p.Draft = &d
		}
		if clean, _, cerr := h.forwardService().Check(req); cerr == nil && errors.Is(err, forward.ErrNotClean) {
			p.Body = clean
		}
		status := http.StatusBadRequest
		if errors.Is(err, forward.ErrNotSent) {
			status = http.StatusBadGateway
		} else if errors.Is(err, forward.ErrNotRecords) {
			status = http.StatusInternalServerError
			h.log.Error("a forward was sent but not recorded", "ref", p.Ref, "err", err)
		}
		h.render(w, status, "staff_forward", p)
		return
	}
	h.log.Info("forward sent", "ref", p.Ref, "to", p.To, "message", m.ID, "by", s.User.Name)
	id := strconv.FormatInt(m.ID, 10)
	http.Redirect(w, r, p.Base+"/messages?sent="+id+"#message-"+id, http.StatusSeeOther)
}

// forwardError says what went wrong in the analyst's language.
func forwardError(lang string, err error) string {
	for _, e := range []struct {
		err error
		key string
	}{
		{forward.ErrRecipient, "staff.forward.err.recipient"},
		{forward.ErrSite, "staff.forward.err.site"},
		{forward.ErrNotLoaded, "staff.forward.err.notanalysed"},
		{forward.ErrNoRelay, "staff.forward.err.norelay"},
		{forward.ErrNotClean, "staff.forward.err.notclean"},
		{forward.ErrNotSent, "staff.forward.err.notsent"},
		{forward.ErrNotRecords, "staff.forward.err.notrecorded"},
		{forward.ErrEmpty, "staff.thread.reply.empty"},
		{forward.ErrNoSender, "staff.thread.reply.nosender"},
		{forward.ErrAutomatic, "staff.thread.reply.automatic"},
	} {
		if errors.Is(err, e.err) {
			return text(lang, e.key)
		}
	}
	return text(lang, "error.internal")
}

// kindKey names a placeholder kind in the review table.
func kindKey(k redact.Kind) string { return "redact." + string(k) }

// messageThread is the thread page a message belongs on and the reports of that thread: its
// incident's when it has one, else its report's.
func (h *handler) messageThread(r *http.Request, lang string, s *staffSession, m store.Message) (messagesPage, []*report.Report, error) {
	if m.IncidentID != 0 && h.cfg.Triage != nil {
		inc, err := h.cfg.Triage.GetIncident(r.Context(), m.IncidentID)
		if err != nil {
			return messagesPage{}, nil, err
		}
		var reps []*report.Report
		for _, id := range inc.Reports {
			rep, err := h.cfg.Store.Get(r.Context(), id)
			if err != nil {
				return messagesPage{}, nil, err
			}
			reps = append(reps, rep)
		}
		p, err := h.incidentThreadPage(r, lang, s, inc, reps)
		return p, reps, err
	}
	rep, err := h.cfg.Store.Get(r.Context(), m.ReportID)
	if err != nil {
		return messagesPage{}, nil, err
	}
	p, err := h.reportThreadPage(r, lang, s, rep)
	return p, []*report.Report{rep}, err
}

// replyMessage sends an analyst's answer to a message of a thread (a site's reply), threaded to
// it, and goes back to the thread; a refused answer comes back on the thread page with its text.
func (h *handler) replyMessage(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := pickLang(r)
	w.Header().Set("Cache-Control", "no-store")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.renderError(w, lang, http.StatusNotFound, text(lang, "error.notfound"))
		return
	}
	m, err := h.cfg.Messages.Message(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		h.renderError(w, lang, http.StatusNotFound, text(lang, "error.notfound"))
		return
	}
	var p messagesPage
	var reps []*report.Report
	if err == nil {
		p, reps, err = h.messageThread(r, lang, s, m)
	}
	if err != nil {
		h.log.Error("read the thread of a message", "message", id, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.unavailable"))
		return
	}
	req := forward.ReplyRequest{Parent: m, Reports: reps, Site: r.PostFormValue("site"), Body: r.PostFormValue("body")}
	sent, err := h.forwardService().Reply(r.Context(), req, actorOf(s))
	if err != nil {
		p.Error, p.ReplyTo, p.ReplyBody, p.ReplySite = forwardError(lang, err), id, req.Body, req.Site
		if errors.Is(err, forward.ErrNotClean) {
			if clean, _, cerr := h.forwardService().CheckReply(req); cerr == nil {
				p.ReplyBody = clean
			}
		}
		status := http.StatusBadRequest
		if errors.Is(err, forward.ErrNotSent) {
			status = http.StatusBadGateway
			p.Error += " " + err.Error()
		}
		h.render(w, status, "staff_messages", p)
		return
	}
	h.log.Info("reply sent", "ref", p.Ref, "to", m.From, "message", sent.ID, "by", s.User.Name)
	sid := strconv.FormatInt(sent.ID, 10)
	http.Redirect(w, r, p.Base+"/messages?sent="+sid+"#message-"+sid, http.StatusSeeOther)
}
