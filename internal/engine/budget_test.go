package engine

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/sigma"
)

// domain is the i-th domain of the IOC lists below.
func domain(i int) string {
	return fmt.Sprintf("c2-%07d.%x.example-%d.net", i, uint64(i)*2654435761%(1<<32), i%97)
}

// iocRule is one rule with n domain keywords, logsource as given ("" for none: every log format).
func iocRule(n int, logsource string) string {
	return iocRuleFrom(0, n, logsource)
}

func iocRuleFrom(from, n int, logsource string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title: IOC list of %d domains\n", n)
	if logsource != "" {
		fmt.Fprintf(&b, "logsource: %s\n", logsource)
	}
	b.WriteString("detection:\n  keywords:\n")
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "    - '%s'\n", domain(i))
	}
	b.WriteString("  condition: keywords\n")
	return b.String()
}

func lineEvent(format event.Format, raw string) *event.Event {
	e := &event.Event{}
	e.Reset([]byte(raw))
	e.Format = format
	e.SetString(event.Message, raw)
	return e
}

// An IOC list of 45,000 domains with no log source (every log format) compiles in well under a
// second and a few tens of MB: its literals get one automaton shared by all formats. It took 2 GB
// and 12 s when each format built its own dense one.
func TestIOCList45000(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles 45,000 literals")
	}
	rules, err := sigma.ParseFile("ioc.yml", []byte(iocRule(45_000, "")))
	if err != nil {
		t.Fatal(err)
	}
	set := &sigma.Set{Rules: append(rules, mustParse(t, literalRule)...)}
	if err := set.Resolve(); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	e, err := New(set)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	kept := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("compiled in %s, %d MB allocated, %d MB kept", took, (after.TotalAlloc-before.TotalAlloc)>>20, kept>>20)
	if kept > 64<<20 {
		t.Errorf("the engine keeps %d MB; want a few tens", kept>>20)
	}
	if took > 5*time.Second { // well under a second on a quiet machine; CI machines are not
		t.Errorf("compiling took %s", took)
	}
	w := e.NewWorker()
	for _, f := range []event.Format{event.FormatSyslog, event.FormatWebAccess, event.FormatSendmail, event.FormatUnknown} {
		hit := w.Match(lineEvent(f, "resolved "+strings.ToUpper(domain(44_999))+" ok"), nil)
		if len(hit) != 1 || e.Rules[hit[0]].Title != "IOC list of 45000 domains" {
			t.Errorf("%s: matched %v, want the IOC rule", f, hit)
		}
		if miss := w.Match(lineEvent(f, "resolved c2-0045000.example-0.net"), nil); len(miss) != 0 {
			t.Errorf("%s: matched %v, want nothing", f, miss)
		}
	}
	if hit := w.Match(lineEvent(event.FormatHostFile, domain(1)), nil); len(hit) != 0 {
		t.Errorf("host event matched %v; the rule is for logs", hit)
	}
}

func mustParse(t *testing.T, doc string) []*sigma.Rule {
	t.Helper()
	rules, err := sigma.ParseFile("other.yml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// A rule set beyond the budget is refused before anything is built, naming the rule file.
func TestMemoryBudget(t *testing.T) {
	rules, err := sigma.ParseFile("/rules/huge-ioc.yml", []byte(iocRule(20_000, "")))
	if err != nil {
		t.Fatal(err)
	}
	set := &sigma.Set{Rules: rules}
	if err := set.Resolve(); err != nil {
		t.Fatal(err)
	}
	_, err = NewWithBudget(set, 8<<20)
	if !errors.Is(err, ErrOverBudget) || !strings.Contains(err.Error(), "/rules/huge-ioc.yml") {
		t.Fatalf("err = %v, want ErrOverBudget naming the file", err)
	}
	if _, err := NewWithBudget(set, MemoryBudget); err != nil {
		t.Fatalf("the default budget refused 20,000 domains: %v", err)
	}
}

// Literals of a shared automaton and of a format's own one find the same rules as a per-format
// build would: no rule evaluated twice, none evaluated for a format it is not found through.
func TestSharedAndOwnScans(t *testing.T) {
	e := compile(t, iocRule(3_000, ""), iocRuleFrom(2_995, 10, "{product: linux, service: syslog}"), literalRule)
	if n := len(e.plans[event.FormatSyslog].scans); n != 2 {
		t.Fatalf("syslog has %d automata, want its own and the shared one", n)
	}
	w := e.NewWorker()
	// The shared automaton holds domains 0-2994, syslog's own 3000-3004, both hold 2995-2999.
	got := w.Match(lineEvent(event.FormatSyslog, "x "+domain(2_997)), nil)
	var titles []string
	for _, ri := range got {
		titles = append(titles, e.Rules[ri].Title)
	}
	slices.Sort(titles)
	if want := []string{"IOC list of 10 domains", "IOC list of 3000 domains"}; !slices.Equal(titles, want) {
		t.Errorf("matched %q, want %q", titles, want)
	}
	for _, tt := range []struct {
		format event.Format
		domain int
		want   int
	}{
		{event.FormatSyslog, 3_003, 1}, {event.FormatSyslog, 10, 1},
		{event.FormatWebAccess, 3_003, 0}, {event.FormatWebAccess, 10, 1}, {event.FormatWebAccess, 2_997, 1},
	} {
		if got := w.Match(lineEvent(tt.format, "x "+domain(tt.domain)), nil); len(got) != tt.want {
			t.Errorf("%s, domain %d: matched %v, want %d rule", tt.format, tt.domain, got, tt.want)
		}
	}
}
