package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/incident"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// TriageStore is what the staff pages of triage and incidents read and change.
type TriageStore interface {
	store.Triage
	store.Incidents
	store.Audit
}

// incidentPages are the templates of the staff pages of triage and incidents.
var incidentPages = []string{"staff_queue", "staff_report", "staff_incidents", "staff_incident", "staff_search", "staff_activity", "staff_audit"}

func init() { pageNames = append(pageNames, incidentPages...) }

// incidentRoutes registers the staff pages of triage and incidents: every one behind staffOnly,
// reading pages for read-only staff and above, changes (POST only) for analysts.
func (h *handler) incidentRoutes(mux *routeMux) {
	// The pages need the staff gate, which needs the staff accounts.
	if h.cfg.Triage == nil || h.cfg.Staff == nil {
		return
	}
	ro, an := staff.RoleReadOnly, staff.RoleAnalyst
	mux.HandleFunc("GET /staff/{$}", h.staffOnly(ro, h.staffQueue))
	mux.HandleFunc("GET /staff/reports/{tracking}", h.staffOnly(ro, h.staffReport))
	mux.HandleFunc("POST /staff/reports/{tracking}/decide", h.staffOnly(an, h.staffDecide))
	mux.HandleFunc("POST /staff/reports/{tracking}/incident", h.staffOnly(an, h.staffReportIncident))
	mux.HandleFunc("GET /staff/incidents", h.staffOnly(ro, h.staffIncidents))
	mux.HandleFunc("POST /staff/incidents", h.staffOnly(an, h.staffCreateIncident))
	mux.HandleFunc("GET /staff/incidents/{id}", h.staffOnly(ro, h.staffIncident))
	mux.HandleFunc("POST /staff/incidents/{id}/{change}", h.staffOnly(an, h.staffChangeIncident))
	mux.HandleFunc("GET /staff/search", h.staffOnly(ro, h.staffSearch))
	mux.HandleFunc("GET /staff/audit", h.staffOnly(ro, h.staffAudit))
	if h.cfg.Activity != nil {
		mux.HandleFunc("GET /staff/activity", h.staffOnly(ro, h.staffActivity))
	}
}

// actor is who the audit log names for a change made on a page.
func actor(s *staffSession) audit.Actor { return audit.Actor{UserID: s.User.ID, Name: s.User.Name} }

// staffLang is the language of a staff page: a form's own field first (a POST answers in the
// language of the page it came from), then as for every page.
func staffLang(r *http.Request) string {
	if l := r.PostFormValue("lang"); l == "ja" || l == "en" {
		return l
	}
	return pickLang(r)
}

// renderStaff renders a staff page; none may be kept by a browser or proxy.
func (h *handler) renderStaff(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, status, name, data)
}

// staffError answers a failed staff request: the store's error kinds become statuses and a
// message in the page's language; what the domain said about invalid input is shown with it, an
// internal error only in the log.
func (h *handler) staffError(w http.ResponseWriter, r *http.Request, lang string, err error) {
	w.Header().Set("Cache-Control", "no-store")
	status, key, detail := http.StatusInternalServerError, "staff.error.internal", ""
	switch {
	case errors.Is(err, store.ErrNotFound):
		status, key = http.StatusNotFound, "staff.error.notfound"
	case errors.Is(err, incident.ErrTransition), errors.Is(err, incident.ErrInvalid):
		status, key, detail = http.StatusBadRequest, "staff.error.invalid", err.Error()
	case errors.Is(err, store.ErrConflict):
		status, key, detail = http.StatusConflict, "staff.error.conflict", err.Error()
	default:
		h.log.Error("staff page", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	msg := text(lang, key)
	if detail != "" {
		msg += " (" + detail + ")"
	}
	h.renderError(w, lang, status, msg)
}

// seeOther sends the browser to the page that shows the change (post, redirect, get).
func seeOther(w http.ResponseWriter, r *http.Request, path, lang string) {
	http.Redirect(w, r, path+"?"+url.Values{"lang": {lang}}.Encode(), http.StatusSeeOther)
}

// visible makes text from outside inert for a page: control bytes, ANSI escape sequences,
// invalid UTF-8 and Unicode format characters (bidi overrides) are written as backslash
// escapes, never passed on for a browser to interpret. Text already escaped (log excerpts) keeps
// its backslashes; html/template escapes the markup afterwards.
func visible(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == ' ' || r == '\n' || (unicode.IsGraphic(r) && !unicode.Is(unicode.Cf, r)):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += n
	}
	return b.String()
}

// queueFilter is the queue's filter as typed into its form.
type queueFilter struct {
	Category, State, Decided, From, To, Source string
}

// shown is the filter as the page shows it back: a query is outside text too, and a link can
// carry control bytes, bidi overrides and invalid UTF-8 into the form's fields.
func (q queueFilter) shown() queueFilter {
	return queueFilter{Category: visible(q.Category), State: visible(q.State), Decided: visible(q.Decided),
		From: visible(q.From), To: visible(q.To), Source: visible(q.Source)}
}

type queuePage struct {
	staffPage
	Filter     queueFilter
	Rows       []store.TriageRow
	Next       string // the next page's link; empty on the last
	Categories []taxonomy.Category
	States     []report.State
	Error      string
}

const queuePageSize = 50

// staffQueue is the report queue: newest first, filtered by category, state, decision, period
// and source address or network, a page at a time.
func (h *handler) staffQueue(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := staffLang(r)
	q := r.URL.Query()
	asked := queueFilter{Category: q.Get("category"), State: q.Get("state"), Decided: q.Get("decided"),
		From: q.Get("from"), To: q.Get("to"), Source: strings.TrimSpace(q.Get("source"))}
	p := queuePage{staffPage: h.newStaffPage(lang, "staff.queue.title", s), Categories: taxonomy.Categories(),
		States: []report.State{report.StateReceived, report.StateAnalysed, report.StateFailed}, Filter: asked.shown()}
	p.Switch = "?" + withLang(q, p.OtherLang)
	f, ok := h.triageFilter(asked)
	if !ok {
		p.Error = text(lang, "staff.queue.badfilter")
		h.renderStaff(w, http.StatusBadRequest, "staff_queue", p)
		return
	}
	f.BeforeID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	f.Limit = queuePageSize + 1
	rows, err := h.cfg.Triage.TriageList(r.Context(), f)
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	if len(rows) > queuePageSize {
		rows = rows[:queuePageSize]
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("before", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		next.Set("lang", lang)
		p.Next = "/staff/?" + next.Encode()
	}
	p.Rows = rows
	h.renderStaff(w, http.StatusOK, "staff_queue", p)
}

// withLang is a query with lang set.
func withLang(q url.Values, lang string) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	c.Set("lang", lang)
	return c.Encode()
}

// triageFilter turns the queue's form into a store filter; false when a field is malformed.
func (h *handler) triageFilter(qf queueFilter) (store.TriageFilter, bool) {
	f := store.TriageFilter{Category: qf.Category, State: report.State(qf.State), Decided: store.Decided(qf.Decided), Source: qf.Source}
	if f.Category != "" {
		if _, ok := taxonomy.CategoryByKey(f.Category); !ok {
			return f, false
		}
	}
	switch f.State {
	case "", report.StateReceived, report.StateAnalysed, report.StateFailed:
	default:
		return f, false
	}
	switch f.Decided {
	case store.DecidedAny, store.DecidedYes, store.DecidedNo:
	default:
		return f, false
	}
	if f.Source != "" && !isAddressOrNetwork(f.Source) {
		return f, false
	}
	if qf.From != "" || qf.To != "" {
		from, to, err := activity.ParsePeriod(qf.From, qf.To, h.cfg.Zone)
		if err != nil {
			return f, false
		}
		f.From, f.To = from, to
	}
	return f, true
}

func isAddressOrNetwork(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}

type reportPage struct {
	staffPage
	Row    store.TriageRow
	Report *report.Report
	// Raw is the submission as received, escaped line by line; RawCut is set when only its start
	// is shown.
	Raw        []string
	RawCut     bool
	Categories []taxonomy.Category
	RSITTypes  []string
	// Incidents are the open incidents the report can be added to.
	Incidents []incident.Incident
	// Audit is the report's audit log: its decisions.
	Audit []auditView
	// Thread is the report's mail thread with its incident's messages, nil without a threads
	// store.
	Thread *messagesPage
}

// rawShown bounds the raw submission shown on the report page; the rest is a download away in
// keikai report show.
const rawShown = 256 << 10

// staffReport shows one report: the raw submission (escaped), what analysis found, keikai's
// suggestion and the analyst's decision, the triage form and the incident it belongs to.
func (h *handler) staffReport(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := staffLang(r)
	ctx := r.Context()
	rep, err := h.cfg.Store.ByTracking(ctx, r.PathValue("tracking"))
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	row, err := h.cfg.Triage.TriageRow(ctx, rep.ID)
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	sub, err := h.cfg.Store.Submission(ctx, rep.ID)
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	p := reportPage{staffPage: h.newStaffPage(lang, "staff.report.title", s), Row: row, Report: rep,
		Categories: taxonomy.Categories(), RSITTypes: taxonomy.RSITTypes()}
	p.Title = rep.Tracking
	raw := sub.Raw
	if len(raw) > rawShown {
		raw, p.RawCut = raw[:rawShown], true
	}
	for line := range strings.Lines(string(raw)) {
		p.Raw = append(p.Raw, escape.String(strings.TrimSuffix(line, "\n")))
	}
	if row.Incident == 0 {
		open, err := h.cfg.Triage.ListIncidents(ctx, store.IncidentFilter{Limit: 200})
		if err != nil {
			h.staffError(w, r, lang, err)
			return
		}
		p.Incidents = slices.DeleteFunc(open, func(in incident.Incident) bool {
			return in.MergedInto != 0 || in.Status == incident.StatusClosed
		})
	}
	entries, err := h.cfg.Triage.AuditLog(ctx, store.AuditFilter{Object: audit.KindReport, ObjectID: rep.ID})
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	p.Audit = auditViews(entries)
	if h.cfg.Messages != nil {
		tp, err := h.reportThreadPage(r, lang, s, rep)
		if err != nil {
			h.staffError(w, r, lang, err)
			return
		}
		p.Thread = &tp
	}
	h.renderStaff(w, http.StatusOK, "staff_report", p)
}

// staffDecide records the analyst's category and RSIT class:type for a report.
func (h *handler) staffDecide(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := staffLang(r)
	tracking := r.PathValue("tracking")
	rep, err := h.cfg.Store.ByTracking(r.Context(), tracking)
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	if err := h.cfg.Triage.DecideReport(r.Context(), rep.ID, r.PostFormValue("category"), r.PostFormValue("rsit"), r.PostFormValue("note"), actor(s)); err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	seeOther(w, r, "/staff/reports/"+url.PathEscape(rep.Tracking), lang)
}

// staffReportIncident adds a report to an incident, a chosen one or a new one.
func (h *handler) staffReportIncident(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := staffLang(r)
	ctx := r.Context()
	rep, err := h.cfg.Store.ByTracking(ctx, r.PathValue("tracking"))
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	var id int64
	if v := r.PostFormValue("incident"); v != "" && v != "new" {
		if id, err = strconv.ParseInt(v, 10, 64); err != nil {
			h.staffError(w, r, lang, fmt.Errorf("%w: no such incident %q", incident.ErrInvalid, v))
			return
		}
		err = h.cfg.Triage.AddIncidentReports(ctx, id, []int64{rep.ID}, actor(s))
	} else {
		var in incident.Incident
		in, err = h.cfg.Triage.CreateIncident(ctx, r.PostFormValue("title"), []int64{rep.ID}, actor(s))
		id = in.ID
	}
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	seeOther(w, r, "/staff/incidents/"+strconv.FormatInt(id, 10), lang)
}

type incidentsPage struct {
	staffPage
	Status      string
	Statuses    []incident.Status
	Incidents   []incident.Incident
	Next        string
	Suggestions []suggestionView
}

// suggestionView is a grouping suggestion with what the page shows of its reports.
type suggestionView struct {
	incident.Suggestion
	Reports  []store.TriageRow
	Title    string // the title offered for a new incident
	Incident string // the reference of the incident it extends
}

// suggestionReports is how many of the newest reports grouping looks at.
const suggestionReports = 500

// staffIncidents lists incidents, newest first, and keikai's grouping suggestions over the
// newest reports.
func (h *handler) staffIncidents(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := staffLang(r)
	ctx := r.Context()
	q := r.URL.Query()
	p := incidentsPage{staffPage: h.newStaffPage(lang, "staff.incidents.title", s), Status: q.Get("status"), Statuses: incident.Statuses()}
	p.Switch = "?" + withLang(q, p.OtherLang)
	if p.Status != "" && !incident.Status(p.Status).Valid() {
		h.staffError(w, r, lang, fmt.Errorf("%w: unknown status %q", incident.ErrInvalid, p.Status))
		return
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	list, err := h.cfg.Triage.ListIncidents(ctx, store.IncidentFilter{Status: incident.Status(p.Status), BeforeID: before, Limit: queuePageSize + 1})
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	if len(list) > queuePageSize {
		list = list[:queuePageSize]
		p.Next = "/staff/incidents?" + url.Values{"status": {p.Status}, "before": {strconv.FormatInt(list[len(list)-1].ID, 10)}, "lang": {lang}}.Encode()
	}
	p.Incidents = list
	if before == 0 {
		if p.Suggestions, err = h.suggestions(r, lang); err != nil {
			h.staffError(w, r, lang, err)
			return
		}
	}
	h.renderStaff(w, http.StatusOK, "staff_incidents", p)
}

// suggestions groups the newest reports (incident.Suggest) and adds what the page shows.
func (h *handler) suggestions(r *http.Request, lang string) ([]suggestionView, error) {
	ctx := r.Context()
	rows, err := h.cfg.Triage.TriageList(ctx, store.TriageFilter{Limit: suggestionReports})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	byID := map[int64]store.TriageRow{}
	for _, row := range rows {
		byID[row.ID] = row
	}
	reports, err := h.cfg.Store.List(ctx, store.Filter{AfterID: rows[len(rows)-1].ID - 1, Limit: suggestionReports})
	if err != nil {
		return nil, err
	}
	var summaries []incident.Summary
	for _, rep := range reports {
		if row, ok := byID[rep.ID]; ok {
			summaries = append(summaries, incident.SummaryOf(rep, row.Incident))
		}
	}
	refs := map[int64]string{}
	for _, row := range rows {
		refs[row.Incident] = row.IncidentRef
	}
	var out []suggestionView
	for _, sg := range incident.Suggest(summaries, incident.Options{}) {
		v := suggestionView{Suggestion: sg, Incident: refs[sg.Incident]}
		for _, id := range sg.Reports {
			v.Reports = append(v.Reports, byID[id])
		}
		v.Title = tf(lang, "staff.suggest.name", sg.Reasons[0].Value, sg.First.Format("2006-01-02"))
		out = append(out, v)
		if len(out) == 20 {
			break
		}
	}
	return out, nil
}

func tf(lang, key string, args ...any) string { return fmt.Sprintf(text(lang, key), args...) }

// staffCreateIncident creates an incident from chosen reports (a suggestion accepted), or adds
// them to the incident the suggestion extends.
func (h *handler) staffCreateIncident(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := staffLang(r)
	ids, err := formIDs(r, "report")
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	if v := r.PostFormValue("incident"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			err = h.cfg.Triage.AddIncidentReports(r.Context(), id, ids, actor(s))
		}
		if err != nil {
			h.staffError(w, r, lang, err)
			return
		}
		seeOther(w, r, "/staff/incidents/"+v, lang)
		return
	}
	in, err := h.cfg.Triage.CreateIncident(r.Context(), r.PostFormValue("title"), ids, actor(s))
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	seeOther(w, r, "/staff/incidents/"+strconv.FormatInt(in.ID, 10), lang)
}

// formIDs reads the IDs of a form's repeated field.
func formIDs(r *http.Request, field string) ([]int64, error) {
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("%w: the form could not be read", incident.ErrInvalid)
	}
	var ids []int64
	for _, v := range r.PostForm[field] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%w: %q is no ID", incident.ErrInvalid, v)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

type incidentPage struct {
	staffPage
	Incident incident.Incident
	Reports  []store.TriageRow
	// MergedInto is the reference of the incident this one was merged into.
	MergedInto string
	Next       []incident.Status
	TLPs       []incident.TLP
	// Others are the open incidents this one can absorb (merge).
	Others   []incident.Incident
	Timeline []timelineEntry
	Audit    []auditView
	// Thread is the incident's mail thread with its reports' messages, nil without a threads
	// store.
	Thread *messagesPage
}

// timelineEntry is one event of an incident's history.
type timelineEntry struct {
	At     time.Time
	Who    string
	Action string // a message key
	Status string // a status the incident changed to
	Detail string
}

// staffIncident shows an incident: its reports, status, assignee, TLP label, notes, timeline
// and the forms that change them.
func (h *handler) staffIncident(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := staffLang(r)
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.staffError(w, r, lang, fmt.Errorf("incident %q: %w", r.PathValue("id"), store.ErrNotFound))
		return
	}
	in, err := h.cfg.Triage.GetIncident(ctx, id)
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	p := incidentPage{staffPage: h.newStaffPage(lang, "staff.incident.title", s), Incident: in, Next: in.Status.Next(), TLPs: incident.TLPs()}
	p.Title = in.Ref
	for _, rid := range in.Reports {
		row, err := h.cfg.Triage.TriageRow(ctx, rid)
		if err != nil {
			h.staffError(w, r, lang, err)
			return
		}
		p.Reports = append(p.Reports, row)
	}
	if in.MergedInto != 0 {
		target, err := h.cfg.Triage.GetIncident(ctx, in.MergedInto)
		if err != nil {
			h.staffError(w, r, lang, err)
			return
		}
		p.MergedInto, p.Next = target.Ref, nil
	} else {
		others, err := h.cfg.Triage.ListIncidents(ctx, store.IncidentFilter{Limit: 200})
		if err != nil {
			h.staffError(w, r, lang, err)
			return
		}
		p.Others = slices.DeleteFunc(others, func(o incident.Incident) bool { return o.ID == in.ID || o.MergedInto != 0 })
	}
	entries, err := h.cfg.Triage.AuditLog(ctx, store.AuditFilter{Object: audit.KindIncident, ObjectID: in.ID})
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	p.Audit = auditViews(entries)
	// The timeline tells the triage of the incident's reports too: their decisions are in the
	// reports' own audit entries.
	tracking := map[int64]string{}
	for _, row := range p.Reports {
		tracking[row.ID] = row.Tracking
		more, err := h.cfg.Triage.AuditLog(ctx, store.AuditFilter{Object: audit.KindReport, ObjectID: row.ID})
		if err != nil {
			h.staffError(w, r, lang, err)
			return
		}
		entries = append(entries, more...)
	}
	slices.SortStableFunc(entries, func(a, b audit.Entry) int { return cmp.Compare(a.ID, b.ID) })
	p.Timeline = timeline(lang, in, entries, tracking)
	if h.cfg.Messages != nil {
		filters := []store.MessageFilter{{IncidentID: in.ID}}
		for _, rid := range in.Reports {
			filters = append(filters, store.MessageFilter{ReportID: rid})
		}
		thread, err := h.thread(r, filters)
		if err != nil {
			h.staffError(w, r, lang, err)
			return
		}
		tp := h.newMessagesPage(r, lang, s, in.Ref, "/staff/incidents/"+strconv.FormatInt(in.ID, 10), "staff.thread.incident", thread)
		p.Thread = &tp
	}
	h.renderStaff(w, http.StatusOK, "staff_incident", p)
}

// timeline is an incident's history, oldest first, from its audit entries (who changed what)
// with the text of its notes, and the decisions of its reports (tracking: their numbers by ID),
// their categories named in lang.
func timeline(lang string, in incident.Incident, entries []audit.Entry, tracking map[int64]string) []timelineEntry {
	notes := map[int64]incident.Note{}
	for _, n := range in.Notes {
		notes[n.ID] = n
	}
	var out []timelineEntry
	for _, e := range entries {
		t := timelineEntry{At: e.At, Who: e.Actor.Name, Action: "staff.timeline." + strings.TrimPrefix(e.Action, "incident.")}
		var after map[string]any
		_ = json.Unmarshal(e.After, &after) // an entry without fields shows its action alone
		switch e.Action {
		case "incident.create":
			t.Detail, _ = after["title"].(string)
		case "incident.status":
			if v, ok := after["status"].(string); ok {
				t.Status = v
			}
		case "incident.tlp":
			t.Detail, _ = after["tlp"].(string)
		case "incident.assign":
			t.Detail, _ = after["assignee_name"].(string)
		case "incident.note":
			if id, ok := after["note"].(float64); ok {
				t.Detail = notes[int64(id)].Text
			}
		case "incident.merge":
			t.Detail = joinJSON(after["merged"])
		case "incident.merged":
			t.Detail, _ = after["merged_into"].(string)
		case "incident.split":
			t.Detail, _ = after["split_into"].(string)
		case "incident.add_reports":
			t.Detail = joinJSON(after["reports"])
		case "report.decide":
			t.Action = "staff.timeline.decide"
			parts := []string{tracking[e.ObjectID]}
			for _, k := range []string{"decided_category", "decided_rsit", "decision_note"} {
				v, ok := after[k].(string)
				if !ok || v == "" {
					continue
				}
				if c, known := taxonomy.CategoryByKey(v); known && k == "decided_category" {
					v = c.En
					if lang == "ja" {
						v = c.Ja
					}
				}
				parts = append(parts, v)
			}
			t.Detail = strings.Join(parts, " ")
		}
		if e.Actor.UserID == 0 {
			t.Who = ""
		}
		out = append(out, t)
	}
	return out
}

// joinJSON is a decoded JSON list as text.
func joinJSON(v any) string {
	list, _ := v.([]any)
	parts := make([]string, 0, len(list))
	for _, x := range list {
		parts = append(parts, fmt.Sprint(x))
	}
	return strings.Join(parts, ", ")
}

// staffChangeIncident applies one change to an incident, named by the last path element.
func (h *handler) staffChangeIncident(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := staffLang(r)
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.staffError(w, r, lang, fmt.Errorf("incident %q: %w", r.PathValue("id"), store.ErrNotFound))
		return
	}
	a := actor(s)
	target := id
	switch r.PathValue("change") {
	case "status":
		err = h.cfg.Triage.SetIncidentStatus(ctx, id, incident.Status(r.PostFormValue("status")), a)
	case "assign":
		who := audit.Actor{}
		if r.PostFormValue("assignee") == "me" {
			who = a
		}
		err = h.cfg.Triage.AssignIncident(ctx, id, who, a)
	case "tlp":
		var tlp incident.TLP
		if tlp, err = incident.ParseTLP(r.PostFormValue("tlp")); err != nil {
			err = fmt.Errorf("%w: %v", incident.ErrInvalid, err)
		} else {
			err = h.cfg.Triage.SetIncidentTLP(ctx, id, tlp, a)
		}
	case "notes":
		_, err = h.cfg.Triage.AddIncidentNote(ctx, id, r.PostFormValue("note"), a)
	case "reports":
		err = h.addByTracking(r, id, a)
	case "merge":
		var from []int64
		if from, err = formIDs(r, "from"); err == nil {
			err = h.cfg.Triage.MergeIncidents(ctx, id, from, a)
		}
	case "split":
		var ids []int64
		if ids, err = formIDs(r, "report"); err == nil {
			var in incident.Incident
			in, err = h.cfg.Triage.SplitIncident(ctx, id, ids, r.PostFormValue("title"), a)
			target = in.ID
		}
	default:
		h.staffError(w, r, lang, fmt.Errorf("change %q: %w", r.PathValue("change"), store.ErrNotFound))
		return
	}
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	seeOther(w, r, "/staff/incidents/"+strconv.FormatInt(target, 10), lang)
}

// addByTracking adds the reports whose tracking numbers the form lists (space or line separated).
func (h *handler) addByTracking(r *http.Request, id int64, a audit.Actor) error {
	var ids []int64
	for _, t := range strings.Fields(r.PostFormValue("tracking")) {
		rep, err := h.cfg.Store.ByTracking(r.Context(), t)
		if err != nil {
			return err
		}
		ids = append(ids, rep.ID)
	}
	if len(ids) == 0 {
		return fmt.Errorf("%w: give the tracking numbers of the reports to add", incident.ErrInvalid)
	}
	return h.cfg.Triage.AddIncidentReports(r.Context(), id, ids, a)
}

type searchPage struct {
	staffPage
	Query string
	// Kind says what the query was read as: "network", "rule-advisory" or "" (nothing asked).
	Kind       string
	ByAddress  []store.TriageRow
	ByRule     []store.TriageRow
	ByAdvisory []store.TriageRow
	Error      string
}

// Compiled on first use: package init is the start-up of every command.
var (
	trackingRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^KK-\d{4}-\d{6,}$`) })
	refRE      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^IN-\d{4}-(\d{4,})$`) })
)

// staffSearch finds reports by IP address or network, tracking number, incident reference,
// advisory ID or rule ID. A tracking number or an incident reference leads to its page.
func (h *handler) staffSearch(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := staffLang(r)
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	// The query is shown back as outside text (a link can carry control bytes and overrides).
	p := searchPage{staffPage: h.newStaffPage(lang, "staff.search.title", s), Query: visible(q)}
	p.Switch = "?" + withLang(r.URL.Query(), p.OtherLang)
	const limit = 200
	switch {
	case q == "":
	case trackingRE().MatchString(strings.ToUpper(q)):
		rep, err := h.cfg.Store.ByTracking(ctx, strings.ToUpper(q))
		if errors.Is(err, store.ErrNotFound) {
			p.Error = tf(lang, "staff.search.none", visible(q))
			break
		}
		if err != nil {
			h.staffError(w, r, lang, err)
			return
		}
		seeOther(w, r, "/staff/reports/"+url.PathEscape(rep.Tracking), lang)
		return
	case refRE().MatchString(strings.ToUpper(q)):
		id, _ := strconv.ParseInt(refRE().FindStringSubmatch(strings.ToUpper(q))[1], 10, 64)
		in, err := h.cfg.Triage.GetIncident(ctx, id)
		if err == nil && in.Ref == strings.ToUpper(q) {
			seeOther(w, r, "/staff/incidents/"+strconv.FormatInt(id, 10), lang)
			return
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			h.staffError(w, r, lang, err)
			return
		}
		p.Error = tf(lang, "staff.search.none", visible(q))
	case isAddressOrNetwork(q):
		p.Kind = "network"
		rows, err := h.cfg.Triage.TriageList(ctx, store.TriageFilter{Source: q, Limit: limit})
		if err != nil {
			h.staffError(w, r, lang, err)
			return
		}
		p.ByAddress = rows
	default:
		p.Kind = "rule-advisory"
		var err error
		if p.ByRule, err = h.cfg.Triage.TriageList(ctx, store.TriageFilter{Rule: q, Limit: limit}); err == nil {
			p.ByAdvisory, err = h.cfg.Triage.TriageList(ctx, store.TriageFilter{Advisory: q, Limit: limit})
		}
		if err != nil {
			h.staffError(w, r, lang, err)
			return
		}
	}
	h.renderStaff(w, http.StatusOK, "staff_search", p)
}

type staffActivityPage struct {
	staffPage
	From, To string
	Error    string
	Report   template.HTML
}

// staffActivity is the activity report for staff: the same figures as /activity, with how many
// reports carry an analyst's decision, charts drawn as inline SVG on the server.
func (h *handler) staffActivity(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := staffLang(r)
	p := staffActivityPage{staffPage: h.newStaffPage(lang, "staff.activity.title", s)}
	p.Style = template.CSS(activity.StyleSheet()) // #nosec: the embedded style sheet, allowed by its hash
	from, to, ok := period(r, h.cfg.Now(), h.cfg.Zone)
	if !ok {
		q := r.URL.Query()
		p.From, p.To, p.Error = q.Get("from"), q.Get("to"), text(lang, "error.period")
		p.Switch = "?" + withLang(q, p.OtherLang)
		h.renderStaff(w, http.StatusBadRequest, "staff_activity", p)
		return
	}
	p.From, p.To = from.In(h.cfg.Zone).Format(day), to.In(h.cfg.Zone).AddDate(0, 0, -1).Format(day)
	p.Switch = "?" + url.Values{"from": {p.From}, "to": {p.To}, "lang": {p.OtherLang}}.Encode()
	st, err := h.cfg.Activity(r.Context(), from, to)
	if err == nil {
		p.Report, err = activity.HTMLFragment(st, activity.Options{Lang: lang})
	}
	if err != nil {
		h.log.Error("render activity report", "from", from, "to", to, "err", err)
		h.renderError(w, lang, http.StatusInternalServerError, text(lang, "error.activity"))
		return
	}
	h.renderStaff(w, http.StatusOK, "staff_activity", p)
}
