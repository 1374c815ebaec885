package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/store"
)

// auditView is one audit entry as the pages show it: before and after as indented JSON text,
// which html/template escapes like any text.
type auditView struct {
	audit.Entry
	BeforeText, AfterText string
}

func auditViews(entries []audit.Entry) []auditView {
	out := make([]auditView, len(entries))
	for i, e := range entries {
		out[i] = auditView{Entry: e, BeforeText: indentJSON(e.Before), AfterText: indentJSON(e.After)}
	}
	return out
}

func indentJSON(b json.RawMessage) string {
	if len(b) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return visible(string(b))
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return visible(string(b))
	}
	return visible(string(out))
}

type auditPage struct {
	staffPage
	Object   string
	ObjectID string
	Entries  []auditView
	Next     string
	Kinds    []audit.Kind
}

const auditPageSize = 100

// staffAudit is the audit log, read-only: oldest first, a page at a time, optionally of one
// object. No route changes or deletes an entry.
func (h *handler) staffAudit(w http.ResponseWriter, r *http.Request, s *staffSession) {
	lang := staffLang(r)
	q := r.URL.Query()
	p := auditPage{staffPage: h.newStaffPage(lang, "staff.audit.title", s), Object: q.Get("object"), ObjectID: q.Get("id"),
		Kinds: []audit.Kind{audit.KindReport, audit.KindIncident, audit.KindUser, audit.KindMessage}}
	p.Switch = "?" + withLang(q, p.OtherLang)
	f := store.AuditFilter{Object: audit.Kind(p.Object), Limit: auditPageSize + 1}
	f.ObjectID, _ = strconv.ParseInt(p.ObjectID, 10, 64)
	f.AfterID, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	entries, err := h.cfg.Triage.AuditLog(r.Context(), f)
	if err != nil {
		h.staffError(w, r, lang, err)
		return
	}
	if len(entries) > auditPageSize {
		entries = entries[:auditPageSize]
		p.Next = "/staff/audit?" + url.Values{"object": {p.Object}, "id": {p.ObjectID}, "after": {strconv.FormatInt(entries[len(entries)-1].ID, 10)}, "lang": {lang}}.Encode()
	}
	p.Entries = auditViews(entries)
	h.renderStaff(w, http.StatusOK, "staff_audit", p)
}
