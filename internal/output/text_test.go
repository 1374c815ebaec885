package output

import (
	"fmt"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/finding"
)

func probe(rule, ip string, line int64) *finding.Finding {
	return &finding.Finding{Rule: rule, Title: "Probe " + rule, TitleJa: "探査 " + rule, Level: "low",
		Category: "scan", File: "fw.log", Line: line, SourceIP: ip, Time: "2026-09-10T01:02:03Z"}
}

func artifact(rule, path string) *finding.Finding {
	return &finding.Finding{Rule: rule, Title: "Suspicious file", Level: "high", Category: "compromise", Artifact: path}
}

func renderText(t *testing.T, opts Options, fs []*finding.Finding) string {
	t.Helper()
	var b strings.Builder
	w := New(Text, &b, opts)
	for _, f := range fs {
		if err := w.Finding(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(nil, nil); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// sources makes n sources of rule, source i with counts(i) findings, interleaved as a log would.
func sources(rule string, n int, counts func(int) int) []*finding.Finding {
	var fs []*finding.Finding
	line := int64(1)
	for round := 0; ; round++ {
		added := false
		for i := range n {
			if round < counts(i) {
				fs = append(fs, probe(rule, fmt.Sprintf("198.51.%d.%d", i/256, i%256), line))
				line++
				added = true
			}
		}
		if !added {
			return fs
		}
	}
}

func foldLines(out string) []string {
	var folds []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "... and ") || strings.Contains(l, "ほかに") {
			folds = append(folds, l)
		}
	}
	return folds
}

func TestTextFolding(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		fs    []*finding.Finding
		folds []string
	}{
		{"as many sources as listed", Options{}, sources("r1", 20, func(int) int { return 2 }), nil},
		{"fewer tracked than listed", Options{Top: 3}, sources("r1", 3, func(i int) int { return i + 1 }), nil},
		{"one more", Options{Top: 3}, sources("r1", 4, func(i int) int { return 1 }),
			[]string{"[LOW] Probe r1  ... and 1 more finding from 1 more source"}},
		{"exact while tracked", Options{Top: 2}, sources("r1", 10, func(i int) int { return i%3 + 1 }),
			[]string{"[LOW] Probe r1  ... and 13 more findings from 8 more sources"}},
		{"estimated beyond tracked", Options{Top: 5}, sources("r1", 1000, func(int) int { return 2 }),
			[]string{"[LOW] Probe r1  ... and 1,990 more findings from about 981 more sources"}},
		{"japanese", Options{Top: 5, Lang: "ja"}, sources("r1", 1000, func(int) int { return 1 }),
			[]string{"[低] 探査 r1  … ほかに検出 995 件 (送信元 約 981 件)"}},
		{"japanese exact", Options{Top: 1, Lang: "ja"}, sources("r1", 3, func(int) int { return 1 }),
			[]string{"[低] 探査 r1  … ほかに検出 2 件 (送信元 2 件)"}},
		{"per rule", Options{Top: 1}, append(sources("a", 2, func(int) int { return 1 }), sources("b", 3, func(int) int { return 1 })...),
			[]string{"[LOW] Probe a  ... and 1 more finding from 1 more source", "[LOW] Probe b  ... and 2 more findings from 2 more sources"}},
		{"paths in a host check", Options{Top: 1}, []*finding.Finding{artifact("h", "/tmp/.x"), artifact("h", "/tmp/.y"), artifact("h", "/tmp/.z")},
			[]string{"[HIGH] Suspicious file  ... and 2 more findings from 2 more paths"}},
		{"files", Options{Top: 1}, []*finding.Finding{{Rule: "f", Title: "F", Level: "low", File: "a"}, {Rule: "f", Title: "F", Level: "low", File: "b"}},
			[]string{"[LOW] F  ... and 1 more finding from 1 more file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := renderText(t, tt.opts, tt.fs)
			if got := foldLines(out); strings.Join(got, "\n") != strings.Join(tt.folds, "\n") {
				t.Errorf("folded lines\n got %q\nwant %q\n%s", got, tt.folds, out)
			}
		})
	}
}

// TestTextFoldKeepsOrder checks that the listed groups are the heaviest, in the order of a report
// without folding, and that the fold sorts where its first group would have.
func TestTextFoldKeepsOrder(t *testing.T) {
	fs := sources("r1", 6, func(i int) int { return []int{1, 5, 2, 5, 3, 1}[i] })
	full := renderText(t, Options{Top: 100}, fs)
	folded := renderText(t, Options{Top: 3}, fs)
	entries := strings.Split(full, "\n\n")
	want := strings.Join(entries[:3], "\n\n") + "\n\n[LOW] Probe r1  ... and 4 more findings from 3 more sources\n\n"
	if folded != want {
		t.Errorf("folded report\n%s\nwant\n%s", folded, want)
	}
	if !strings.Contains(entries[0], "198.51.0.1 ") || !strings.Contains(entries[1], "198.51.0.3 ") {
		t.Errorf("heaviest first, ties by first seen:\n%s", full)
	}
}

// TestTextMemoryBound checks that a rule tracks a bounded number of groups whatever the input.
func TestTextMemoryBound(t *testing.T) {
	w := New(Text, &strings.Builder{}, Options{Top: 20}).(*textWriter)
	for i := range 100_000 {
		if err := w.Finding(probe("r", fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), int64(i))); err != nil {
			t.Fatal(err)
		}
	}
	r := w.rules["r"]
	if len(r.list) != foldLimit(20) || len(r.held) != foldLimit(20) {
		t.Errorf("tracked %d groups (%d held), want %d", len(r.list), len(r.held), foldLimit(20))
	}
	if est := r.distinct.estimate(); est < 95_000 || est > 105_000 {
		t.Errorf("distinct sources estimated at %d, want about 100,000", est)
	}
}
