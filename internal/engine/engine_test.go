package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/sigma"
)

// compile builds an engine from rule documents.
func compile(t *testing.T, docs ...string) *Engine {
	t.Helper()
	var all []*sigma.Rule
	for i, d := range docs {
		rules, err := sigma.ParseFile(fmt.Sprintf("rule%d.yml", i), []byte(d))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rules...)
	}
	set := &sigma.Set{Rules: all}
	if err := set.Resolve(); err != nil {
		t.Fatal(err)
	}
	e, err := New(set)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func firewallEvent(src string, port int) *event.Event {
	e := &event.Event{}
	raw := fmt.Sprintf("kernel: IN=eth0 OUT= SRC=%s DST=192.0.2.1 PROTO=TCP SPT=4000 DPT=%d", src, port)
	e.Reset([]byte(raw))
	e.Format = event.FormatIptables
	e.Set(event.SourceIP, []byte(src))
	e.Set(event.DestinationPort, []byte(fmt.Sprint(port)))
	e.SetString(event.Protocol, "tcp")
	return e
}

const portRule = `title: telnet
name: telnet
logsource: {category: firewall}
detection:
  sel:
    DestinationPort: [23, 2323]
  condition: sel
`

const literalRule = `title: phf
logsource: {category: webserver}
detection:
  sel:
    UrlPath|endswith: /phf
  condition: sel
`

func TestMatchDispatch(t *testing.T) {
	e := compile(t, portRule, literalRule)
	w := e.NewWorker()
	for _, tt := range []struct {
		name string
		ev   *event.Event
		want int
	}{
		{"indexed port", firewallEvent("198.51.100.1", 23), 1},
		{"other port", firewallEvent("198.51.100.1", 80), 0},
	} {
		if got := len(w.Match(tt.ev, nil)); got != tt.want {
			t.Errorf("%s: %d matches, want %d", tt.name, got, tt.want)
		}
	}
	// A percent-encoded path hides the literal from the raw line; the decoded URL is scanned too.
	web := &event.Event{}
	web.Reset([]byte(`198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] "GET /cgi-bin/%70hf HTTP/1.0" 404 287`))
	web.Format = event.FormatWebAccess
	web.Set(event.URLRaw, []byte("/cgi-bin/%70hf"))
	decoded := web.Scratch([]byte("/cgi-bin/phf"))
	web.Set(event.URL, decoded)
	web.Set(event.URLPath, decoded)
	if got := w.Match(web, nil); len(got) != 1 {
		t.Errorf("percent-encoded phf: matches %v, want the phf rule", got)
	}
	if lits := e.Literals(); len(lits) != 1 || lits[0] != "/phf" {
		t.Errorf("Literals() = %q, want [/phf]", lits)
	}
}

const scanRules = `title: inbound
name: inbound
logsource: {category: firewall}
detection:
  sel:
    Protocol: tcp
  condition: sel
---
title: scan
correlation:
  type: value_count
  rules: [inbound]
  group-by: [SourceIp]
  timespan: 1m
  condition: {gte: 3, field: DestinationPort}
---
title: flood
correlation:
  type: event_count
  rules: [inbound]
  group-by: [SourceIp]
  timespan: 10s
  condition: {gt: 3}
`

type obs struct {
	src  string
	port int
	at   int // seconds
}

func runCorrelator(t *testing.T, e *Engine, limits Limits, events []obs) []*Burst {
	bursts, _ := runCorrelatorStats(t, e, limits, events)
	return bursts
}

func runCorrelatorStats(t *testing.T, e *Engine, limits Limits, events []obs) ([]*Burst, Stats) {
	t.Helper()
	var bursts []*Burst
	c := e.NewCorrelator(limits, func(b *Burst) { bursts = append(bursts, b) })
	w := e.NewWorker()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for i, o := range events {
		ev := firewallEvent(o.src, o.port)
		ev.Time = event.Time{UnixNano: base + int64(o.at)*int64(time.Second), Known: true}
		for _, ri := range w.Match(ev, nil) {
			for _, ci := range e.CorrelationsOf(ri) {
				cr := e.Correlations[ci].Correlation
				key := AppendKey(nil, ev.Get(event.SourceIP))
				var value []byte
				if cr.Field != event.FieldNone {
					value = ev.Get(cr.Field)
				}
				c.Observe(&Observation{Corr: ci, Time: ev.Time, Key: key, Value: value, At: Ref{File: "fw", Line: int64(i + 1), Time: ev.Time}})
			}
		}
	}
	c.Flush()
	return bursts, c.Stats
}

func summarize(bursts []*Burst) string {
	var parts []string
	for _, b := range bursts {
		parts = append(parts, fmt.Sprintf("%s %s events=%d distinct=%d lines=%d-%d", b.Rule.Title, strings.Join(b.Group, ","), b.Events, b.Distinct, b.First.Line, b.Last.Line))
	}
	return strings.Join(parts, "; ")
}

func TestCorrelations(t *testing.T) {
	e := compile(t, scanRules)
	if e.Generates(0) {
		t.Error("the base rule of a correlation must not produce findings of its own")
	}
	// Each case looks at the bursts of one rule: scan (value_count, gte 3 distinct ports in 1m) or
	// flood (event_count, gt 3 events in 10s).
	tests := []struct {
		name   string
		rule   string
		events []obs
		want   string
	}{
		{"below both thresholds", "scan", []obs{{"a", 1, 0}, {"a", 2, 1}, {"a", 2, 2}}, ""},
		{"scan of three ports", "scan", []obs{{"a", 1, 0}, {"a", 1, 1}, {"a", 2, 2}, {"a", 3, 30}},
			"scan a events=4 distinct=3 lines=1-4"},
		{"ports spread beyond the window", "scan", []obs{{"a", 1, 0}, {"a", 2, 61}, {"a", 3, 122}}, ""},
		{"gte: exactly the threshold fires", "scan", []obs{{"a", 1, 0}, {"a", 2, 1}, {"a", 3, 2}},
			"scan a events=3 distinct=3 lines=1-3"},
		{"gt: exactly the threshold does not fire", "flood", []obs{{"b", 80, 0}, {"b", 80, 1}, {"b", 80, 2}}, ""},
		{"gt: one more than the threshold fires", "flood", []obs{{"b", 80, 0}, {"b", 80, 1}, {"b", 80, 2}, {"b", 80, 3}},
			"flood b events=4 distinct=0 lines=1-4"},
		{"flood needs more than three", "flood", []obs{{"b", 80, 0}, {"b", 80, 1}, {"b", 80, 2}, {"b", 80, 3}, {"b", 80, 4}},
			"flood b events=5 distinct=0 lines=1-5"},
		{"two sources are two groups", "scan", []obs{{"a", 1, 0}, {"b", 2, 1}, {"a", 3, 2}, {"b", 4, 3}, {"a", 5, 4}},
			"scan a events=3 distinct=3 lines=1-5"},
		{"a burst ends when the group falls quiet", "scan", []obs{
			{"a", 1, 0}, {"a", 2, 1}, {"a", 3, 2}, // first burst
			{"a", 4, 200}, {"a", 5, 201}, {"a", 6, 202}, // second burst, after a quiet window
		}, "scan a events=3 distinct=3 lines=1-3; scan a events=3 distinct=3 lines=4-6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := map[string]string{"scan": "flood", "flood": "scan"}[tt.rule]
			got := dropTitle(summarize(runCorrelator(t, e, Limits{}, tt.events)), other)
			if got != tt.want {
				t.Errorf("%s bursts:\n got %q\nwant %q", tt.rule, got, tt.want)
			}
		})
	}
}

func dropTitle(s, title string) string {
	var keep []string
	for _, p := range strings.Split(s, "; ") {
		if p != "" && !strings.HasPrefix(p, title+" ") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "; ")
}

func TestCorrelatorBoundsGroups(t *testing.T) {
	e := compile(t, scanRules)
	var events []obs
	for i := 0; i < 50; i++ {
		events = append(events, obs{fmt.Sprintf("198.51.100.%d", i), 1, 0})
	}
	// A scanner whose window outlives the cap: its burst is still reported when evicted.
	events = append(events, obs{"scanner", 1, 1}, obs{"scanner", 2, 1}, obs{"scanner", 3, 1})
	for i := 50; i < 70; i++ {
		events = append(events, obs{fmt.Sprintf("198.51.100.%d", i), 1, 2})
	}
	got, stats := runCorrelatorStats(t, e, Limits{Groups: 10}, events)
	if s := dropTitle(summarize(got), "flood"); s != "scan scanner events=3 distinct=3 lines=51-53" {
		t.Errorf("bursts under a group cap: %q", s)
	}
	if stats.Evicted == 0 {
		t.Error("Stats.Evicted = 0: the cap was hit but not reported")
	}
}

func TestRejectsUndecidableConditions(t *testing.T) {
	doc := strings.Replace(scanRules, "condition: {gt: 3}", "condition: {lt: 3}", 1)
	rules, err := sigma.ParseFile("r.yml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	set := &sigma.Set{Rules: rules}
	if err := set.Resolve(); err != nil {
		t.Fatal(err)
	}
	if _, err := New(set); err == nil || !strings.Contains(err.Error(), "gt or gte") {
		t.Fatalf("New with lt condition: err = %v, want a message pointing to gt or gte", err)
	}
}

// Logs of an earlier period after later ones (rotated files in the wrong order, two copies pasted
// together) must neither merge into one window nor keep every group alive forever.
func TestTimeGoingBackEndsWindows(t *testing.T) {
	e := compile(t, scanRules)
	events := []obs{
		{"a", 1, 1000}, {"a", 2, 1001}, {"a", 3, 1002},
		{"a", 1, 0}, {"a", 2, 1}, {"a", 3, 2}, // the same scan again, logged an earlier day
	}
	got, stats := runCorrelatorStats(t, e, Limits{}, events)
	if s := dropTitle(summarize(got), "flood"); s != "scan a events=3 distinct=3 lines=1-3; scan a events=3 distinct=3 lines=4-6" {
		t.Errorf("bursts: %q", s)
	}
	if stats.Discontinuities == 0 {
		t.Error("the jump back in time was not counted")
	}
}

func TestFieldsRead(t *testing.T) {
	const notRule = `title: not agent
logsource: {category: webserver}
detection:
  sel:
    HttpMethod: GET
  agent:
    UserAgent|contains: curl
  kw:
    - phf
  condition: sel and not agent or kw
`
	tests := []struct {
		name string
		docs []string
		want []event.Field
	}{
		{"port list", []string{portRule}, []event.Field{event.DestinationPort}},
		{"negated field, keywords read no field", []string{notRule}, []event.Field{event.HTTPMethod, event.UserAgent}},
		{"correlations add group and counted fields", []string{scanRules}, []event.Field{event.SourceIP, event.DestinationPort, event.Protocol}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			read := compile(t, tt.docs...).FieldsRead()
			want := map[event.Field]bool{}
			for _, f := range tt.want {
				want[f] = true
			}
			for f := event.Field(0); f < event.NumFields; f++ {
				if read[f] != want[f] {
					t.Errorf("%v: read %v, want %v", f, read[f], want[f])
				}
			}
		})
	}
}

// TestSameDetectionEvaluatedOnce: rules with the same detection (a port scan and a host sweep
// are counted from the same packets) are evaluated as one and matched together; a rule that
// differs in a single value is not taken into their group.
func TestSameDetectionEvaluatedOnce(t *testing.T) {
	const blocked = `title: %s
logsource: {category: firewall}
detection:
  sel:
    Protocol: [tcp, udp]
  filter:
    Direction: %s
  condition: sel and not filter
`
	e := compile(t, fmt.Sprintf(blocked, "scan", "out"), fmt.Sprintf(blocked, "sweep", "out"), fmt.Sprintf(blocked, "inbound only", "in"))
	if got := e.plans[event.FormatIptables].always; len(got) != 2 || len(got[0]) != 2 {
		t.Fatalf("always groups %v, want [[0 1] [2]]", got)
	}
	w := e.NewWorker()
	ev := firewallEvent("198.51.100.7", 80)
	if got := w.Match(ev, nil); len(got) != 3 {
		t.Errorf("no direction: matches %v, want all three rules", got)
	}
	ev.SetString(event.Direction, "out")
	if got := w.Match(ev, nil); len(got) != 1 || got[0] != 2 {
		t.Errorf("outbound: matches %v, want [2]", got)
	}
}

// TestFieldShorterThanLiterals: a field value shorter than every literal rules need in that
// field is not scanned, while the other fields of the event still are.
func TestFieldShorterThanLiterals(t *testing.T) {
	e := compile(t, `title: webdav
logsource: {category: webserver}
detection:
  sel:
    HttpMethod: PROPFIND
  condition: sel
`, `title: short url
logsource: {category: webserver}
detection:
  sel:
    Url|contains: /x
  condition: sel
`)
	w := e.NewWorker()
	for _, tc := range []struct {
		method, url string
		want        int // matching rules
	}{
		{"GET", "/x", 1},
		{"PROPFIND", "/", 1},
		{"PROPFIND", "/x", 2},
		{"GET", "/", 0},
	} {
		ev := &event.Event{}
		ev.Reset([]byte(tc.method + " " + tc.url))
		ev.Format = event.FormatWebAccess
		ev.SetString(event.HTTPMethod, tc.method)
		ev.SetString(event.URL, tc.url)
		if got := w.Match(ev, nil); len(got) != tc.want {
			t.Errorf("%s %s: matches %v, want %d rules", tc.method, tc.url, got, tc.want)
		}
	}
}

// TestLazyAutomata: a format's automaton is built by the first event of the format, and formats
// that need the same literals share it.
func TestLazyAutomata(t *testing.T) {
	e := compile(t, `title: relay
logsource: {category: mail}
detection:
  keywords:
    - relaying denied
  condition: keywords
`)
	sendmail, postfix := e.plans[event.FormatSendmail].scans, e.plans[event.FormatPostfix].scans
	if len(sendmail) != 1 || len(postfix) != 1 || sendmail[0].matcher != postfix[0].matcher {
		t.Fatalf("sendmail and postfix do not share one automaton")
	}
	if sendmail[0].matcher.m != nil {
		t.Fatal("the automaton was built before any event needed it")
	}
	w := e.NewWorker()
	if got := w.Match(lineEvent(event.FormatPostfix, "x: Relaying denied"), nil); len(got) != 1 {
		t.Errorf("postfix: matches %v, want the relay rule", got)
	}
	if got := w.Match(lineEvent(event.FormatSendmail, "x: relaying DENIED"), nil); len(got) != 1 {
		t.Errorf("sendmail: matches %v, want the relay rule", got)
	}
}

// TestHitsEmptiedAfterMatch: scan leaves a worker's hit sets empty, since it only empties them
// after a line with hits; a stale hit would make every later line evaluate its rules again.
func TestHitsEmptiedAfterMatch(t *testing.T) {
	e := compile(t, `title: relay
logsource: {category: mail}
detection:
  keywords:
    - relaying denied
    - relay access denied
  condition: keywords
`)
	w := e.NewWorker()
	for _, tc := range []struct {
		raw  string
		want int // matching rules
	}{
		{"x: Relaying denied", 1},
		{"x: relaying denied; relay access denied", 1},
		{"x: delivered", 0},
		{"x: relay access DENIED", 1},
	} {
		if got := w.Match(lineEvent(event.FormatPostfix, tc.raw), nil); len(got) != tc.want {
			t.Errorf("%q: matches %v, want %d rules", tc.raw, got, tc.want)
		}
		for f := range w.scans {
			for _, ws := range w.scans[f] {
				ws.hits.Each(func(id int) { t.Errorf("%q: literal %d still marked after Match", tc.raw, id) })
			}
		}
	}
}

// TestEitherPortIndex: a rule for a port as source or destination is indexed by both ports, and
// found once when both are its port.
func TestEitherPortIndex(t *testing.T) {
	e := compile(t, `title: slapper
logsource: {category: firewall}
detection:
  sel_udp:
    Protocol: udp
  sel_port_src:
    SourcePort: 2002
  sel_port_dst:
    DestinationPort: 2002
  condition: sel_udp and 1 of sel_port_*
`)
	if p := &e.plans[event.FormatIptables]; len(p.always) != 0 || len(p.indexes) != 2 {
		t.Fatalf("always %v, %d indexes; want the rule indexed by both ports", p.always, len(p.indexes))
	}
	w := e.NewWorker()
	for _, tc := range []struct {
		src, dst int
		want     int
	}{{2002, 2002, 1}, {2002, 53, 1}, {53, 2002, 1}, {53, 53, 0}} {
		ev := firewallEvent("198.51.100.23", tc.dst)
		ev.Set(event.SourcePort, []byte(fmt.Sprint(tc.src)))
		ev.SetString(event.Protocol, "udp")
		if got := w.Match(ev, nil); len(got) != tc.want {
			t.Errorf("ports %d -> %d: matches %v, want %d", tc.src, tc.dst, got, tc.want)
		}
	}
}

// TestIndexDigits: a value longer than every indexed value is not looked up, unless leading
// zeros make it so.
func TestIndexDigits(t *testing.T) {
	e := compile(t, portRule)
	w := e.NewWorker()
	for _, tc := range []struct {
		port string
		want int
	}{{"23", 1}, {"2323", 1}, {"00023", 1}, {"23230", 0}, {"232300", 0}, {"", 0}} {
		ev := firewallEvent("198.51.100.23", 0)
		ev.Set(event.DestinationPort, []byte(tc.port))
		if got := w.Match(ev, nil); len(got) != tc.want {
			t.Errorf("port %q: matches %v, want %d", tc.port, got, tc.want)
		}
	}
}
