package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/incident"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// RunIncidents runs the suite of triage and incidents.
func RunIncidents(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"DecisionCounts", testDecisionCounts},
		{"DecisionKept", testDecisionKept},
		{"TriageList", testTriageList},
		{"Incidents", testIncidents},
		{"MergeSplit", testMergeSplit},
		{"ConcurrentDecisions", testConcurrentDecisions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

var analyst = audit.Actor{UserID: 7, Name: "analyst 花子"}

// testDecisionCounts: the activity report counts the decision where there is one and the
// suggestion otherwise, says how many were decided, and agrees whether it sums per-day totals
// (whole days) or counts side rows (a period that starts inside a day).
func testDecisionCounts(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	qpopper := finding.Finding{Rule: "qpopper", Title: "qpopper title", TitleJa: "qpopper 題", Category: taxonomy.Intrusion}
	noon := 12 * time.Hour
	ids := map[string]int64{}
	for _, r := range []struct {
		name     string
		at       time.Time
		analysis *report.Analysis
	}{
		{"probe", Day(4, 1).Add(noon), &report.Analysis{Category: taxonomy.Probe, TCPPorts: []int{111}}},
		// keikai suggests a probe; the analyst finds the qpopper intrusion.
		{"probe-intrusion", Day(4, 2).Add(noon), &report.Analysis{Category: taxonomy.Probe, TCPPorts: []int{110}, Findings: []finding.Finding{qpopper}}},
		{"intrusion", Day(4, 3).Add(noon), &report.Analysis{Category: taxonomy.Intrusion, TCPPorts: []int{110}, Findings: []finding.Finding{qpopper}}},
		{"unanalysed", Day(4, 4).Add(noon), nil},
	} {
		rc := insert(t, s, &report.Submission{ReceivedAt: r.at, Raw: []byte(r.name)})
		ids[r.name] = rc.ID
		if r.analysis != nil {
			analyse(t, s, rc.ID, r.analysis)
		}
	}
	type counts struct {
		probe, intrusion, mailRelay, other, decided, causes int64
	}
	check := func(when string, want counts) {
		t.Helper()
		for _, from := range []time.Time{Day(4, 1), Day(4, 1).Add(time.Hour)} {
			st, err := s.Activity(ctx, from, Day(7, 1), 10)
			if err != nil {
				t.Fatal(err)
			}
			var causes int64
			for _, c := range st.Causes {
				causes += c.Count
			}
			got := counts{st.Categories[taxonomy.Probe], st.Categories[taxonomy.Intrusion], st.Categories[taxonomy.MailRelay],
				st.Categories[taxonomy.Other], st.Decided, causes}
			if got != want || st.Total != 4 {
				t.Errorf("%s, period from %s: got %+v (total %d), want %+v (total 4)", when, from.Format(time.RFC3339), got, st.Total, want)
			}
		}
	}
	check("before any decision", counts{probe: 2, intrusion: 1, other: 1, causes: 1})

	if err := s.DecideReport(ctx, ids["probe-intrusion"], taxonomy.Intrusion, "intrusions:application-compromise", "qpopper overflow in the log", analyst); err != nil {
		t.Fatal(err)
	}
	check("probe decided intrusion", counts{probe: 1, intrusion: 2, other: 1, decided: 1, causes: 2})

	// Confirming a suggestion is a decision too.
	if err := s.DecideReport(ctx, ids["probe"], taxonomy.Probe, "", "", analyst); err != nil {
		t.Fatal(err)
	}
	check("probe confirmed", counts{probe: 1, intrusion: 2, other: 1, decided: 2, causes: 2})

	// Deciding again replaces the decision, and the causes leave with the intrusion.
	if err := s.DecideReport(ctx, ids["probe-intrusion"], taxonomy.MailRelay, "", "", analyst); err != nil {
		t.Fatal(err)
	}
	check("decided again", counts{probe: 1, intrusion: 1, mailRelay: 1, other: 1, decided: 2, causes: 1})

	// A report decided before analysis keeps the decision when the analysis arrives.
	if err := s.DecideReport(ctx, ids["unanalysed"], taxonomy.DoS, "", "", analyst); err != nil {
		t.Fatal(err)
	}
	analyse(t, s, ids["unanalysed"], &report.Analysis{Category: taxonomy.Probe, TCPPorts: []int{7}})
	st, err := s.Activity(ctx, Day(4, 1), Day(7, 1), 10)
	if err != nil {
		t.Fatal(err)
	}
	if st.Categories[taxonomy.DoS] != 1 || st.Categories[taxonomy.Other] != 0 || st.Decided != 3 {
		t.Errorf("after analysing a decided report: %+v, decided %d; want the decision (dos 1) to stand", st.Categories, st.Decided)
	}
	for _, r := range []int64{ids["unanalysed"]} {
		reps, err := s.List(ctx, store.Filter{Category: taxonomy.DoS})
		if err != nil || len(reps) != 1 || reps[0].ID != r {
			t.Errorf("List by the decided category: %v, %v", reps, err)
		}
	}
}

// testDecisionKept: the decision is kept beside the suggestion, with who and when; invalid
// decisions and unknown reports change nothing.
func testDecisionKept(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	rc := insert(t, s, &report.Submission{Raw: []byte("x")})
	analyse(t, s, rc.ID, &report.Analysis{Category: taxonomy.Probe, RSIT: "information-gathering:scanner"})
	before := time.Now().Add(-time.Second)
	if err := s.DecideReport(ctx, rc.ID, taxonomy.Worm, "malicious-code:infected-system", "  slapper \x00files found ", analyst); err != nil {
		t.Fatal(err)
	}
	row, err := s.TriageRow(ctx, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if row.Suggested != taxonomy.Probe || row.SuggestedRSIT != "information-gathering:scanner" {
		t.Errorf("suggestion after the decision: %q %q; want it kept", row.Suggested, row.SuggestedRSIT)
	}
	d := row.Decision
	if d == nil || d.Category != taxonomy.Worm || d.RSIT != "malicious-code:infected-system" || d.Note != "slapper files found" ||
		d.By != analyst || d.At.Before(before) || d.At.After(time.Now().Add(time.Second)) {
		t.Errorf("decision = %+v", d)
	}
	for _, bad := range []struct{ category, rsit string }{{"scan", ""}, {taxonomy.Probe, "fraud:scanner"}, {"", ""}} {
		if err := s.DecideReport(ctx, rc.ID, bad.category, bad.rsit, "", analyst); !errors.Is(err, incident.ErrInvalid) {
			t.Errorf("DecideReport(%q, %q) = %v, want ErrInvalid", bad.category, bad.rsit, err)
		}
	}
	if err := s.DecideReport(ctx, 999999, taxonomy.Probe, "", "", analyst); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DecideReport of an unknown report = %v, want ErrNotFound", err)
	}
	if _, err := s.TriageRow(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TriageRow of an unknown report = %v, want ErrNotFound", err)
	}
	if row, _ := s.TriageRow(ctx, rc.ID); row.Decision == nil || row.Decision.Category != taxonomy.Worm {
		t.Errorf("a refused decision changed the report: %+v", row.Decision)
	}
	entries := auditOf(t, s, audit.KindReport, rc.ID, "report.decide")
	e := entries[0]
	if e.Actor != analyst || string(e.Before) != `{"decided_category":null,"decided_rsit":null,"decision_note":""}` ||
		string(e.After) != `{"decided_category":"worm","decided_rsit":"malicious-code:infected-system","decision_note":"slapper files found"}` {
		t.Errorf("the decision's audit entry: %+v before %s after %s", e, e.Before, e.After)
	}
	// Confirming the same decision again records who did, with nothing changed.
	if err := s.DecideReport(ctx, rc.ID, taxonomy.Worm, "malicious-code:infected-system", "slapper files found", analyst); err != nil {
		t.Fatal(err)
	}
	if e := auditOf(t, s, audit.KindReport, rc.ID, "report.decide", "report.decide")[1]; e.Before != nil || e.After != nil {
		t.Errorf("an unchanged decision's entry holds %s / %s, want no fields", e.Before, e.After)
	}
}

// auditOf returns the audit entries of one object and checks their actions, in order, and the
// chain of the whole log.
func auditOf(t *testing.T, s store.Store, kind audit.Kind, id int64, actions ...string) []audit.Entry {
	t.Helper()
	entries, err := s.AuditLog(context.Background(), store.AuditFilter{Object: kind, ObjectID: id})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action)
	}
	if !slices.Equal(got, actions) {
		t.Fatalf("audit entries of %s %d: %v, want %v", kind, id, got, actions)
	}
	all, err := s.AuditLog(context.Background(), store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if bad, err := audit.Verify(all); err != nil {
		t.Fatalf("the audit log's chain breaks at entry %d: %v", bad, err)
	}
	return entries
}

func testTriageList(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	var ids []int64
	for i, a := range []*report.Analysis{
		{Category: taxonomy.Probe, Observables: []report.Observable{{Kind: report.ObservableIP, Value: "198.51.100.23", Count: 1}},
			Findings: []finding.Finding{{Rule: "portmap-probe", Advisories: []string{"JPCERT-E-INF-98-0001"}}}, Advisories: []string{"JPCERT-E-INF-98-0001"}},
		{Category: taxonomy.Probe, Findings: []finding.Finding{{Rule: "portmap-probe"}, {Rule: "other\"rule"}}, Observables: []report.Observable{{Kind: report.ObservableIP, Value: "198.51.100.99", Count: 1}}},
		{Category: taxonomy.Intrusion, Observables: []report.Observable{{Kind: report.ObservableIP, Value: "203.0.113.5", Count: 1}}},
		nil,
	} {
		rc := insert(t, s, &report.Submission{ReceivedAt: Day(4, 1+i), Raw: []byte{byte(i)}})
		ids = append(ids, rc.ID)
		if a != nil {
			analyse(t, s, rc.ID, a)
		}
	}
	if err := s.DecideReport(ctx, ids[1], taxonomy.DoS, "", "", analyst); err != nil {
		t.Fatal(err)
	}
	in, err := s.CreateIncident(ctx, "portmap scans", []int64{ids[0]}, analyst)
	if err != nil {
		t.Fatal(err)
	}
	list := func(f store.TriageFilter) []int64 {
		t.Helper()
		rows, err := s.TriageList(ctx, f)
		if err != nil {
			t.Fatalf("TriageList(%+v): %v", f, err)
		}
		var out []int64
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	rev := func(v ...int64) []int64 { return v }
	for _, tc := range []struct {
		name string
		f    store.TriageFilter
		want []int64
	}{
		{"all, newest first", store.TriageFilter{}, rev(ids[3], ids[2], ids[1], ids[0])},
		{"category counts the decision", store.TriageFilter{Category: taxonomy.DoS}, rev(ids[1])},
		{"category, suggestion where undecided", store.TriageFilter{Category: taxonomy.Probe}, rev(ids[0])},
		{"decided", store.TriageFilter{Decided: store.DecidedYes}, rev(ids[1])},
		{"undecided", store.TriageFilter{Decided: store.DecidedNo}, rev(ids[3], ids[2], ids[0])},
		{"state", store.TriageFilter{State: report.StateReceived}, rev(ids[3])},
		{"network", store.TriageFilter{Source: "198.51.100.0/24"}, rev(ids[1], ids[0])},
		{"address", store.TriageFilter{Source: "203.0.113.5"}, rev(ids[2])},
		{"period", store.TriageFilter{From: Day(4, 2), To: Day(4, 4)}, rev(ids[2], ids[1])},
		{"rule", store.TriageFilter{Rule: "portmap-probe"}, rev(ids[1], ids[0])},
		{"rule with a quote", store.TriageFilter{Rule: `other"rule`}, rev(ids[1])},
		{"unknown rule", store.TriageFilter{Rule: "portmap"}, nil},
		{"advisory", store.TriageFilter{Advisory: "JPCERT-E-INF-98-0001"}, rev(ids[0])},
		{"page", store.TriageFilter{Limit: 2, BeforeID: ids[3]}, rev(ids[2], ids[1])},
	} {
		if got := list(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := s.TriageList(ctx, store.TriageFilter{Source: "not an address"}); err == nil {
		t.Error("TriageList with a bad source: no error")
	}
	rows, err := s.TriageList(ctx, store.TriageFilter{Limit: 1, BeforeID: ids[1]})
	if err != nil || len(rows) != 1 {
		t.Fatal(rows, err)
	}
	if r := rows[0]; r.Incident != in.ID || r.IncidentRef != in.Ref || r.Tracking == "" || r.State != report.StateAnalysed || r.Decision != nil {
		t.Errorf("row %+v: want incident %d %s, a tracking number, analysed, undecided", r, in.ID, in.Ref)
	}
}

func testIncidents(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	var ids []int64
	for i := range 3 {
		ids = append(ids, insert(t, s, &report.Submission{Raw: []byte{byte(i)}}).ID)
	}
	before := time.Now().Add(-time.Second)
	in, err := s.CreateIncident(ctx, "  statd の侵入 <script>  ", []int64{ids[1], ids[0], ids[1]}, analyst)
	if err != nil {
		t.Fatal(err)
	}
	if in.ID == 0 || in.Ref != incident.Ref(in.CreatedAt, in.ID) || in.Title != "statd の侵入 <script>" || in.Status != incident.StatusNew ||
		in.TLP != incident.DefaultTLP || !slices.Equal(in.Reports, []int64{ids[0], ids[1]}) || in.CreatedAt.Before(before) {
		t.Errorf("created %+v", in)
	}
	if _, err := s.CreateIncident(ctx, "second", []int64{ids[0]}, analyst); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a report in two incidents: %v, want ErrConflict", err)
	}
	if _, err := s.CreateIncident(ctx, "second", []int64{999999}, analyst); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an incident of an unknown report: %v, want ErrNotFound", err)
	}
	if _, err := s.CreateIncident(ctx, " ", nil, analyst); !errors.Is(err, incident.ErrInvalid) {
		t.Errorf("an incident without title: %v, want ErrInvalid", err)
	}
	if err := s.AddIncidentReports(ctx, in.ID, []int64{ids[2], ids[0]}, analyst); err != nil {
		t.Fatal(err)
	}
	if err := s.SetIncidentStatus(ctx, in.ID, incident.StatusTriage, analyst); err != nil {
		t.Fatal(err)
	}
	if err := s.SetIncidentStatus(ctx, in.ID, incident.StatusNew, analyst); !errors.Is(err, incident.ErrTransition) {
		t.Errorf("triage back to new: %v, want ErrTransition", err)
	}
	if err := s.AssignIncident(ctx, in.ID, analyst, analyst); err != nil {
		t.Fatal(err)
	}
	if err := s.SetIncidentTLP(ctx, in.ID, incident.TLPRed, analyst); err != nil {
		t.Fatal(err)
	}
	if err := s.SetIncidentTLP(ctx, in.ID, "PURPLE", analyst); !errors.Is(err, incident.ErrInvalid) {
		t.Errorf("TLP PURPLE: %v, want ErrInvalid", err)
	}
	n, err := s.AddIncidentNote(ctx, in.ID, "連絡先に電話 \x1b[31m", analyst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddIncidentNote(ctx, in.ID, "  ", analyst); !errors.Is(err, incident.ErrInvalid) {
		t.Errorf("an empty note: %v, want ErrInvalid", err)
	}
	got, err := s.GetIncident(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != incident.StatusTriage || got.Assignee != analyst.UserID || got.AssigneeName != analyst.Name || got.TLP != incident.TLPRed ||
		!slices.Equal(got.Reports, ids) || got.UpdatedAt.Before(got.CreatedAt) {
		t.Errorf("incident after changes: %+v", got)
	}
	if len(got.Notes) != 1 || got.Notes[0].ID != n.ID || got.Notes[0].Text != "連絡先に電話 \x1b[31m" || got.Notes[0].AuthorName != analyst.Name || got.Notes[0].At.IsZero() {
		t.Errorf("notes %+v", got.Notes)
	}
	if err := s.AssignIncident(ctx, in.ID, audit.Actor{}, analyst); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetIncident(ctx, in.ID); got.Assignee != 0 || got.AssigneeName != "" {
		t.Errorf("unassigned: %d %q", got.Assignee, got.AssigneeName)
	}
	of, err := s.IncidentsOfReports(ctx, append(slices.Clone(ids), 999999))
	if err != nil || !reflect.DeepEqual(of, map[int64]int64{ids[0]: in.ID, ids[1]: in.ID, ids[2]: in.ID}) {
		t.Errorf("IncidentsOfReports = %v, %v", of, err)
	}
	other, err := s.CreateIncident(ctx, "other", nil, analyst)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.ListIncidents(ctx, store.IncidentFilter{})
	if err != nil || len(all) != 2 || all[0].ID != other.ID || all[1].ID != in.ID || !slices.Equal(all[1].Reports, ids) {
		t.Errorf("ListIncidents = %+v, %v", all, err)
	}
	triage, err := s.ListIncidents(ctx, store.IncidentFilter{Status: incident.StatusTriage})
	if err != nil || len(triage) != 1 || triage[0].ID != in.ID {
		t.Errorf("ListIncidents(triage) = %+v, %v", triage, err)
	}
	entries := auditOf(t, s, audit.KindIncident, in.ID, "incident.create", "incident.add_reports", "incident.status",
		"incident.assign", "incident.tlp", "incident.note", "incident.assign")
	for i, want := range []struct{ before, after string }{
		{"", fmt.Sprintf(`{"ref":%q,"reports":[%d,%d],"status":"new","title":"statd の侵入 \u003cscript\u003e","tlp":"AMBER"}`, in.Ref, ids[0], ids[1])},
		{"", fmt.Sprintf(`{"reports":[%d]}`, ids[2])},
		{`{"status":"new"}`, `{"status":"triage"}`},
		{`{"assignee":0,"assignee_name":""}`, `{"assignee":7,"assignee_name":"analyst 花子"}`},
		{`{"tlp":"AMBER"}`, `{"tlp":"RED"}`},
		{"", fmt.Sprintf(`{"note":%d,"text":"連絡先に電話 \u001b[31m"}`, n.ID)},
		{`{"assignee":7,"assignee_name":"analyst 花子"}`, `{"assignee":0,"assignee_name":""}`},
	} {
		if e := entries[i]; string(e.Before) != want.before || string(e.After) != want.after || e.Actor != analyst {
			t.Errorf("audit entry %s: before %s after %s by %+v; want %s / %s", e.Action, e.Before, e.After, e.Actor, want.before, want.after)
		}
	}
	if _, err := s.GetIncident(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetIncident of an unknown incident = %v", err)
	}
	if err := s.SetIncidentStatus(ctx, 999999, incident.StatusTriage, analyst); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetIncidentStatus of an unknown incident = %v", err)
	}
}

func testMergeSplit(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	var ids []int64
	for i := range 5 {
		ids = append(ids, insert(t, s, &report.Submission{Raw: []byte{byte(i)}}).ID)
	}
	a, err := s.CreateIncident(ctx, "a", ids[0:2], analyst)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateIncident(ctx, "b", ids[2:4], analyst)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateIncident(ctx, "c", ids[4:5], analyst)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MergeIncidents(ctx, a.ID, []int64{a.ID}, analyst); !errors.Is(err, store.ErrConflict) {
		t.Errorf("merge into itself: %v, want ErrConflict", err)
	}
	if err := s.MergeIncidents(ctx, a.ID, []int64{b.ID, c.ID}, analyst); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetIncident(ctx, a.ID)
	if !slices.Equal(got.Reports, ids) {
		t.Errorf("merged incident holds %v, want %v", got.Reports, ids)
	}
	gotB, _ := s.GetIncident(ctx, b.ID)
	if gotB.Status != incident.StatusClosed || gotB.MergedInto != a.ID || len(gotB.Reports) != 0 {
		t.Errorf("merged-away incident: %+v", gotB)
	}
	if err := s.SetIncidentStatus(ctx, b.ID, incident.StatusTriage, analyst); !errors.Is(err, store.ErrConflict) {
		t.Errorf("reopening a merged incident: %v, want ErrConflict", err)
	}
	if err := s.MergeIncidents(ctx, a.ID, []int64{b.ID}, analyst); !errors.Is(err, store.ErrConflict) {
		t.Errorf("merging a merged incident again: %v, want ErrConflict", err)
	}

	split, err := s.SplitIncident(ctx, a.ID, []int64{ids[3], ids[4]}, "the 2002/udp worm", analyst)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(split.Reports, ids[3:5]) || split.Status != incident.StatusNew || split.TLP != got.TLP {
		t.Errorf("split-off incident: %+v", split)
	}
	got, _ = s.GetIncident(ctx, a.ID)
	if !slices.Equal(got.Reports, ids[0:3]) {
		t.Errorf("after the split the incident holds %v, want %v", got.Reports, ids[0:3])
	}
	if _, err := s.SplitIncident(ctx, a.ID, ids[0:3], "all", analyst); !errors.Is(err, incident.ErrInvalid) {
		t.Errorf("splitting off every report: %v, want ErrInvalid", err)
	}
	if _, err := s.SplitIncident(ctx, a.ID, []int64{ids[4]}, "not here", analyst); !errors.Is(err, store.ErrConflict) {
		t.Errorf("splitting off a report of another incident: %v, want ErrConflict", err)
	}
	if got, _ := s.GetIncident(ctx, a.ID); !slices.Equal(got.Reports, ids[0:3]) {
		t.Errorf("a refused split changed the incident: %v", got.Reports)
	}
	merge := auditOf(t, s, audit.KindIncident, a.ID, "incident.create", "incident.merge", "incident.split")
	if want := fmt.Sprintf(`{"merged":[%q,%q],"reports":[%d,%d,%d]}`, b.Ref, c.Ref, ids[2], ids[3], ids[4]); string(merge[1].After) != want {
		t.Errorf("merge entry: %s, want %s", merge[1].After, want)
	}
	if want := fmt.Sprintf(`{"reports":[],"split_into":%q}`, split.Ref); string(merge[2].After) != want {
		t.Errorf("split entry: %s, want %s", merge[2].After, want)
	}
	merged := auditOf(t, s, audit.KindIncident, b.ID, "incident.create", "incident.merged")
	if want := fmt.Sprintf(`{"merged_into":%q,"reports":[],"status":"closed"}`, a.Ref); string(merged[1].After) != want {
		t.Errorf("merged-away entry: %s, want %s", merged[1].After, want)
	}
	created := auditOf(t, s, audit.KindIncident, split.ID, "incident.create")
	if !strings.Contains(string(created[0].After), fmt.Sprintf(`"split_from":%q`, a.Ref)) {
		t.Errorf("the split-off incident's entry does not name its origin: %s", created[0].After)
	}
}

// testConcurrentDecisions: analysts deciding reports of one day at once, while the same reports
// are analysed again, leave the per-day totals equal to a count of the reports themselves.
func testConcurrentDecisions(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	const n = 24
	var ids []int64
	for i := range n {
		rc := insert(t, s, &report.Submission{ReceivedAt: Day(4, 3).Add(time.Duration(i+1) * time.Minute), Raw: []byte{byte(i)}})
		analyse(t, s, rc.ID, &report.Analysis{Category: taxonomy.Probe, TCPPorts: []int{111}})
		ids = append(ids, rc.ID)
	}
	for _, id := range ids {
		if err := s.Enqueue(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i, id := range ids {
		wg.Go(func() {
			category := []string{taxonomy.Intrusion, taxonomy.DoS, taxonomy.Probe}[i%3]
			errs <- s.DecideReport(ctx, id, category, "", "", analyst)
		})
	}
	wg.Go(func() {
		for done := 0; done < n; {
			jobs, err := s.Claim(ctx, "again", 8, time.Minute)
			if err != nil {
				errs <- err
				return
			}
			for _, j := range jobs {
				errs <- s.Complete(ctx, j, &report.Analysis{Category: taxonomy.Probe, TCPPorts: []int{111, 23}})
				done++
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	whole, err := s.Activity(ctx, Day(4, 3), Day(4, 4), 10)
	if err != nil {
		t.Fatal(err)
	}
	part, err := s.Activity(ctx, Day(4, 3).Add(time.Second), Day(4, 4), 10)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{taxonomy.Intrusion: n / 3, taxonomy.DoS: n / 3, taxonomy.Probe: n / 3}
	for _, st := range []*activity.Stats{whole, part} {
		for k, v := range want {
			if st.Categories[k] != v {
				t.Errorf("%s: %d reports, want %d (categories %v)", k, st.Categories[k], v, st.Categories)
			}
		}
		if st.Decided != n || st.Total != n {
			t.Errorf("decided %d of %d, want %d of %d", st.Decided, st.Total, n, n)
		}
	}
	if whole.Categories[taxonomy.Probe] != part.Categories[taxonomy.Probe] || len(whole.TopTCPPorts) != 2 || whole.TopTCPPorts[0].Count != n {
		t.Errorf("per-day totals %+v disagree with the side rows %+v", whole.TopTCPPorts, part.TopTCPPorts)
	}
}
