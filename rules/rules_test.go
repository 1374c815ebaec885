package rules

import (
	"flag"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/logs"
	"github.com/keikai-project/keikai/internal/selftest"
	"github.com/keikai-project/keikai/internal/sigma"
)

// hostDir belongs to the host-artifact rules, whose samples are fields rather than log lines and
// are checked by the host package's tests.
const hostDir = "host/"

func loadBundled(t *testing.T) *sigma.Set {
	t.Helper()
	set, err := sigma.LoadFS(FS, ".")
	if err != nil {
		t.Fatalf("loading bundled rules: %v", err)
	}
	if len(set.Unsupported) > 0 {
		for _, r := range set.Unsupported {
			t.Errorf("%s: rule %q is unsupported: %s", r.File, r.Title, r.Unsupported)
		}
	}
	return set
}

func TestEmbedsRuleFiles(t *testing.T) {
	n := 0
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yml") {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 40 {
		t.Errorf("FS holds %d rule files, want the whole bundle (at least 40)", n)
	}
}

func TestBundledRulesMetadata(t *testing.T) {
	set := loadBundled(t)
	ids := map[string]string{}
	for _, r := range set.Rules {
		where := r.File + ": " + r.Title
		if r.ID == "" {
			t.Errorf("%s: no id", where)
		} else if prev, ok := ids[r.ID]; ok {
			t.Errorf("%s: id %s also used by %s", where, r.ID, prev)
		}
		ids[r.ID] = where
		if r.Title == "" {
			t.Errorf("%s: no title", r.File)
		}
		if r.Level.String() == "" {
			t.Errorf("%s: no level", where)
		}
		var cats, rsits int
		for _, tag := range r.Tags {
			switch {
			case strings.HasPrefix(tag, "keikai.category."):
				cats++
			case strings.HasPrefix(tag, "rsit."):
				rsits++
			}
		}
		if cats != 1 {
			t.Errorf("%s: %d keikai.category tags, want exactly 1", where, cats)
		}
		if rsits != 1 {
			t.Errorf("%s: %d rsit tags, want exactly 1", where, rsits)
		}
		if len(r.Advisories()) == 0 {
			t.Errorf("%s: no advisory.<ID> tag", where)
		}
		if len(r.Samples.Match) == 0 {
			t.Errorf("%s: no match sample", where)
		}
		if len(r.Samples.NoMatch) == 0 {
			t.Errorf("%s: no nomatch sample", where)
		}
		if r.IsCorrelation() {
			continue
		}
		if r.Logsource == (sigma.Logsource{}) {
			t.Errorf("%s: no logsource", where)
		}
	}
}

// TestBundledRuleSamples parses every sample line of every detection rule and checks the rule
// against it: a match sample must match on at least one of its lines, a nomatch sample on none.
// Correlation samples need the engine and are run by `keikai rules test`.
func TestBundledRuleSamples(t *testing.T) {
	set := loadBundled(t)
	p := logs.NewParser(time.UTC)
	var e event.Event
	matches := func(r *sigma.Rule, s sigma.Sample) bool {
		prose := r.Formats() == sigma.FormatsOf(event.FormatReport)
		for _, line := range s.Lines {
			if prose {
				logs.ReportLine(line, &e)
			} else {
				p.Parse(line, &e)
			}
			if r.Match(&e) {
				return true
			}
		}
		return false
	}
	checked := 0
	for _, r := range set.Rules {
		if r.IsCorrelation() || strings.HasPrefix(r.File, hostDir) {
			continue
		}
		t.Run(strings.TrimSuffix(r.File, ".yml")+"/"+r.Name, func(t *testing.T) {
			for _, s := range r.Samples.Match {
				if len(s.Lines) == 0 {
					t.Errorf("%s:%d: match sample has no log lines", r.File, s.Line)
					continue
				}
				if !matches(r, s) {
					p.Parse(s.Lines[0], &e)
					t.Errorf("%s:%d: match sample does not match (parsed as %s: %s)", r.File, s.Line, e.Format, describe(&e))
				}
			}
			for _, s := range r.Samples.NoMatch {
				if matches(r, s) {
					t.Errorf("%s:%d: nomatch sample matches", r.File, s.Line)
				}
			}
		})
		checked++
	}
	if checked == 0 {
		t.Fatal("no detection rule was checked")
	}
}

// describe lists an event's fields for failure messages.
func describe(e *event.Event) string {
	var b strings.Builder
	for f := event.Field(1); f < event.NumFields; f++ {
		if !e.Has(f) {
			continue
		}
		v := e.Get(f)
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(f.String())
		b.WriteString("=")
		if len(v) > 60 {
			v = v[:60]
		}
		b.WriteString(strings.ToValidUTF8(string(v), "?"))
	}
	return b.String()
}

// TestBundledSamplesThroughEngine runs every sample the way `keikai rules test` does: through the
// parser, the engine's prefilter and index, and the correlator, so that a rule whose literal the
// prefilter would miss, or a correlation that never fires, fails here too.
func TestBundledSamplesThroughEngine(t *testing.T) {
	set, err := sigma.LoadFS(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(set)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range selftest.Missing(eng) {
		t.Errorf("%s:%d: %q lacks a match or a nomatch sample", r.File, r.Line, r.Title)
	}
	for _, res := range selftest.Run(eng) {
		if !res.Passed() {
			t.Errorf("%s:%d: %q: sample (want match=%v) got match=%v, err=%v", res.Rule.File, res.Sample.Line, res.Rule.Title, res.Want, res.Got, res.Err)
		}
	}
}

var update = flag.Bool("update", false, "rewrite nodecache.bin")

// The embedded node cache holds every bundled file as it is now, and loading through it gives
// the same rules as decoding the YAML.
func TestNodeCacheFresh(t *testing.T) {
	want, err := sigma.WriteNodeCache(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("nodecache.bin", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(want) != NodeCache {
		t.Fatal("nodecache.bin is stale: run go test ./rules -run TestNodeCacheFresh -update")
	}
	cached, err := sigma.LoadFSForMatching(FS, ".", sigma.NewNodeCache(NodeCache))
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := sigma.LoadFSForMatching(FS, ".", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cached, decoded) {
		t.Error("the bundled rules load differently through the node cache")
	}
}
