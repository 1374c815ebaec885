package cli

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

type reportListJSON struct {
	ID         int64          `json:"id"`
	Tracking   string         `json:"tracking"`
	ReceivedAt time.Time      `json:"received_at"`
	State      report.State   `json:"state"`
	Category   string         `json:"category,omitempty"`
	Channel    report.Channel `json:"channel"`
}

func listRowOf(r *report.Report) reportListJSON {
	row := reportListJSON{ID: r.ID, Tracking: r.Tracking, ReceivedAt: r.ReceivedAt.UTC(), State: r.State, Channel: r.Channel}
	if r.Analysis != nil {
		row.Category = r.Analysis.Category
	}
	return row
}

type reportShowJSON struct {
	reportListJSON
	MessageID string        `json:"message_id,omitempty"`
	Size      int64         `json:"size"`
	Decision  *decisionJSON `json:"decision,omitempty"`
	Incident  string        `json:"incident,omitempty"`
	Analysis  *analysisJSON `json:"analysis,omitempty"`
}

// decisionJSON is an analyst's decision on a report: what, by whom, when.
type decisionJSON struct {
	Category string    `json:"category"`
	RSIT     string    `json:"rsit,omitempty"`
	Note     string    `json:"note,omitempty"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

type analysisJSON struct {
	AnalysedAt    time.Time           `json:"analysed_at"`
	RulesVersion  string              `json:"rules_version"`
	Subject       string              `json:"subject,omitempty"`
	Lang          string              `json:"lang,omitempty"`
	Reporter      reporterJSON        `json:"reporter"`
	IncidentTime  string              `json:"incident_time,omitempty"`
	TimeZone      string              `json:"time_zone,omitempty"`
	AffectedHosts []string            `json:"affected_hosts"`
	SourceHosts   []string            `json:"source_hosts"`
	Description   string              `json:"description,omitempty"`
	Parts         []partJSON          `json:"parts"`
	Category      string              `json:"category"`
	RSIT          string              `json:"rsit"`
	Advisories    []string            `json:"advisories"`
	Findings      []finding.Finding   `json:"findings"`
	Observables   []report.Observable `json:"observables"`
	TCPPorts      []int               `json:"tcp_ports"`
	UDPPorts      []int               `json:"udp_ports"`
	ICMPTypes     []int               `json:"icmp_types"`
	CGIPaths      []string            `json:"cgi_paths"`
	Warnings      []string            `json:"warnings"`
}

type reporterJSON struct {
	Name              string `json:"name,omitempty"`
	Organization      string `json:"organization,omitempty"`
	Email             string `json:"email,omitempty"`
	Phone             string `json:"phone,omitempty"`
	PGPKey            string `json:"pgp_key,omitempty"`
	DisclosureAllowed bool   `json:"disclosure_allowed"`
}

type partJSON struct {
	Kind        report.PartKind `json:"kind"`
	Name        string          `json:"name,omitempty"`
	ContentType string          `json:"content_type,omitempty"`
	Size        int             `json:"size"`
}

// orEmpty makes nil lists [] in JSON, so consumers need not tell null from empty.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func reportJSONOf(r *report.Report, row store.TriageRow) reportShowJSON {
	v := reportShowJSON{reportListJSON: listRowOf(r), MessageID: r.MessageID, Size: r.Size, Incident: row.IncidentRef}
	if d := row.Decision; d != nil {
		v.Decision = &decisionJSON{Category: d.Category, RSIT: d.RSIT, Note: d.Note, By: d.By.Name, At: d.At.UTC()}
	}
	a := r.Analysis
	if a == nil {
		return v
	}
	c := a.Content
	v.Analysis = &analysisJSON{
		AnalysedAt: a.AnalysedAt.UTC(), RulesVersion: a.RulesVersion, Subject: c.Subject, Lang: c.Lang,
		Reporter: reporterJSON{Name: c.Reporter.Name, Organization: c.Reporter.Organization, Email: c.Reporter.Email,
			Phone: c.Reporter.Phone, PGPKey: c.Reporter.PGPKey, DisclosureAllowed: c.Reporter.DisclosureAllowed},
		IncidentTime: c.IncidentTime, TimeZone: c.TimeZone,
		AffectedHosts: orEmpty(c.AffectedHosts), SourceHosts: orEmpty(c.SourceHosts), Description: c.Description,
		Parts:    []partJSON{},
		Category: a.Category, RSIT: a.RSIT, Advisories: orEmpty(a.Advisories), Findings: orEmpty(a.Findings),
		Observables: orEmpty(a.Observables), TCPPorts: orEmpty(a.TCPPorts), UDPPorts: orEmpty(a.UDPPorts),
		ICMPTypes: orEmpty(a.ICMPTypes), CGIPaths: orEmpty(a.CGIPaths), Warnings: orEmpty(a.Warnings),
	}
	for _, p := range c.Parts {
		v.Analysis.Parts = append(v.Analysis.Parts, partJSON{Kind: p.Kind, Name: p.Name, ContentType: p.ContentType, Size: len(p.Text)})
	}
	return v
}

// showLabels are the text format's labels: English, then Japanese.
var showLabels = map[string][2]string{
	"report":      {"Report", "報告"},
	"channel":     {"Channel", "受付経路"},
	"received":    {"Received", "受付日時"},
	"state":       {"State", "状況"},
	"size":        {"Size", "大きさ"},
	"bytes":       {"bytes", "バイト"},
	"messageid":   {"Message-ID", "Message-ID"},
	"reporter":    {"Reporter (confidential)", "報告者 (機密)"},
	"disclosure":  {"May be named to the sites involved", "関係サイトへの開示"},
	"yes":         {"yes", "同意あり"},
	"no":          {"no", "同意なし"},
	"name":        {"Name", "氏名"},
	"org":         {"Organisation", "所属"},
	"email":       {"E-mail", "電子メール"},
	"phone":       {"Phone", "電話"},
	"pgp":         {"OpenPGP key", "OpenPGP 公開鍵"},
	"given":       {"given", "あり"},
	"incident":    {"Incident", "インシデント"},
	"subject":     {"Subject", "件名"},
	"time":        {"Time", "日時"},
	"affected":    {"Affected hosts", "被害ホスト"},
	"sources":     {"Source hosts", "攻撃元ホスト"},
	"description": {"Description", "説明"},
	"parts":       {"Parts analysed", "解析した部分"},
	"analysis":    {"Analysis", "解析結果"},
	"notyet":      {"not analysed yet", "未解析"},
	"analysedat":  {"Analysed", "解析日時"},
	"rules":       {"Rules", "ルール"},
	"category":    {"Suggested category", "推定類型"},
	"triage":      {"Triage", "トリアージ"},
	"decided":     {"Decided category", "判断した類型"},
	"undecided":   {"not decided yet", "未判断"},
	"decidedby":   {"Decided by", "判断者"},
	"note":        {"Note", "メモ"},
	"inincident":  {"Grouped into incident", "所属インシデント"},
	"none":        {"none", "なし"},
	"advisories":  {"Advisories", "アドバイザリ"},
	"tcp":         {"TCP ports", "TCP ポート"},
	"udp":         {"UDP ports", "UDP ポート"},
	"icmp":        {"ICMP types", "ICMP タイプ"},
	"cgi":         {"CGI paths", "CGI パス"},
	"findings":    {"Findings", "検知結果"},
	"observables": {"Observables", "観測値"},
	"reserved":    {"reserved range", "予約済みアドレス"},
	"warnings":    {"Warnings", "警告"},

	"state.received": {"received, waiting for analysis", "受付済み、解析待ち"},
	"state.analysed": {"analysed", "解析済み"},
	"state.failed":   {"analysis failed (the raw report is intact)", "解析失敗 (受信した報告はそのまま保存)"},
}

// displayWidth is the number of terminal columns s takes: East Asian wide characters take two,
// so that Japanese labels line up.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
			(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) ||
			(r >= 0xffe0 && r <= 0xffe6) || (r >= 0x20000 && r <= 0x3fffd)):
			w += 2
		default:
			w++
		}
	}
	return w
}

func label(lang, key string) string {
	if lang == "ja" {
		return showLabels[key][1]
	}
	return showLabels[key][0]
}

// writeReportText prints a report for a person. Every value from outside goes through
// escape.String: a report is hostile input, its fields included.
func writeReportText(w *bufio.Writer, r *report.Report, row store.TriageRow, lang string) {
	e := escape.String
	field := func(key, value string) {
		if value != "" {
			l := label(lang, key) + ":"
			fmt.Fprintf(w, "  %s%s %s\n", l, strings.Repeat(" ", max(0, 20-displayWidth(l))), value)
		}
	}
	fmt.Fprintf(w, "%s %s (#%d)\n", label(lang, "report"), e(r.Tracking), r.ID)
	field("channel", string(r.Channel))
	field("received", r.ReceivedAt.UTC().Format(time.RFC3339))
	field("state", label(lang, "state."+string(r.State)))
	field("size", fmt.Sprintf("%d %s", r.Size, label(lang, "bytes")))
	field("messageid", e(r.MessageID))

	fmt.Fprintf(w, "\n%s\n", label(lang, "triage"))
	if d := row.Decision; d != nil {
		field("decided", categoryText(d.Category, d.RSIT, lang))
		field("decidedby", e(d.By.Name)+", "+d.At.UTC().Format(time.RFC3339))
		field("note", e(d.Note))
	} else {
		field("decided", label(lang, "undecided"))
	}
	incidentRef := label(lang, "none")
	if row.IncidentRef != "" {
		incidentRef = e(row.IncidentRef)
	}
	field("inincident", incidentRef)
	a := r.Analysis
	if a == nil {
		fmt.Fprintf(w, "\n%s: %s\n", label(lang, "analysis"), label(lang, "notyet"))
		return
	}
	c := a.Content
	fmt.Fprintf(w, "\n%s\n", label(lang, "reporter"))
	field("name", e(c.Reporter.Name))
	field("org", e(c.Reporter.Organization))
	field("email", e(c.Reporter.Email))
	field("phone", e(c.Reporter.Phone))
	if c.Reporter.PGPKey != "" {
		field("pgp", label(lang, "given"))
	}
	consent := label(lang, "no")
	if c.Reporter.DisclosureAllowed {
		consent = label(lang, "yes")
	}
	field("disclosure", consent)

	fmt.Fprintf(w, "\n%s\n", label(lang, "incident"))
	field("subject", e(c.Subject))
	if c.IncidentTime != "" {
		t := e(c.IncidentTime)
		if c.TimeZone != "" {
			t += " (" + e(c.TimeZone) + ")"
		}
		field("time", t)
	}
	field("affected", escapeJoin(c.AffectedHosts))
	field("sources", escapeJoin(c.SourceHosts))
	if strings.TrimSpace(c.Description) != "" {
		fmt.Fprintf(w, "  %s:\n", label(lang, "description"))
		for _, line := range strings.Split(strings.TrimRight(c.Description, "\r\n"), "\n") {
			fmt.Fprintf(w, "    %s\n", e(strings.TrimSuffix(line, "\r")))
		}
	}
	if len(c.Parts) > 0 {
		fmt.Fprintf(w, "\n%s\n", label(lang, "parts"))
		for _, p := range c.Parts {
			fmt.Fprintf(w, "  %-10s %-24s %-28s %d %s\n", p.Kind, e(p.Name), e(p.ContentType), len(p.Text), label(lang, "bytes"))
		}
	}

	fmt.Fprintf(w, "\n%s\n", label(lang, "analysis"))
	field("analysedat", a.AnalysedAt.UTC().Format(time.RFC3339))
	field("rules", a.RulesVersion)
	field("category", categoryText(a.Category, a.RSIT, lang))
	field("advisories", strings.Join(a.Advisories, ", "))
	field("tcp", joinInts(a.TCPPorts))
	field("udp", joinInts(a.UDPPorts))
	field("icmp", joinInts(a.ICMPTypes))
	field("cgi", escapeJoin(a.CGIPaths))

	if len(a.Findings) > 0 {
		fmt.Fprintf(w, "\n%s (%d)\n", label(lang, "findings"), len(a.Findings))
		for _, f := range a.Findings {
			title := f.Title
			if lang == "ja" && f.TitleJa != "" {
				title = f.TitleJa
			}
			fmt.Fprintf(w, "  [%s] %s (%s) %s\n", f.Level, e(title), f.Category, e(f.Rule))
			where := e(f.File)
			if f.Line > 0 {
				where += ":" + strconv.FormatInt(f.Line, 10)
			}
			if f.Time != "" {
				where += "  " + e(f.Time)
			}
			if f.SourceIP != "" {
				where += "  " + e(f.SourceIP)
				if f.DestinationIP != "" || f.DestinationPort > 0 {
					where += " -> " + e(f.DestinationIP)
					if f.DestinationPort > 0 {
						where += ":" + strconv.Itoa(f.DestinationPort)
					}
				}
			}
			fmt.Fprintf(w, "      %s\n", where)
			if f.Excerpt != "" {
				// Finding excerpts are escaped by the engine already.
				fmt.Fprintf(w, "      %s\n", f.Excerpt)
			}
		}
	}
	if len(a.Observables) > 0 {
		fmt.Fprintf(w, "\n%s\n", label(lang, "observables"))
		for _, o := range a.Observables {
			note := ""
			if o.Reserved {
				note = " (" + label(lang, "reserved") + ")"
			}
			fmt.Fprintf(w, "  %-9s %s ×%d%s\n", o.Kind, e(o.Value), o.Count, note)
		}
	}
	if len(a.Warnings) > 0 {
		fmt.Fprintf(w, "\n%s\n", label(lang, "warnings"))
		for _, warn := range a.Warnings {
			fmt.Fprintf(w, "  %s\n", e(warn))
		}
	}
}

func escapeJoin(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = escape.String(s)
	}
	return strings.Join(out, ", ")
}

func joinInts(ns []int) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ", ")
}

// categoryText is a category key with its name in lang and its RSIT class:type.
func categoryText(key, rsit, lang string) string {
	cat := key
	if tc, ok := taxonomy.CategoryByKey(key); ok {
		title := tc.En
		if lang == "ja" {
			title = tc.Ja
		}
		cat += " — " + title
	}
	return cat + " [" + rsit + "]"
}
