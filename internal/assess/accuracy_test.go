package assess

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/demo"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/taxonomy"
	"github.com/keikai-project/keikai/rules"
)

var bundled = sync.OnceValues(func() (*engine.Engine, error) {
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		return nil, err
	}
	return engine.New(set)
})

func bundledEngine(t testing.TB) *engine.Engine {
	t.Helper()
	eng, err := bundled()
	if err != nil {
		t.Fatalf("loading the bundled rules: %v", err)
	}
	return eng
}

// quarterStart is the first day of seed 002's quarter, in Japan.
var quarterStart = time.Date(2000, time.April, 1, 0, 0, 0, 0, time.FixedZone("JST", 9*3600))

// TestSeedQuarterAccuracy classifies a generated quarter of seed 002's mix and requires the
// counts per category, and overall, within 2% of the counts it was built with, and the probed
// ports, ICMP types and CGI programs of every report to be those its logs were built with.
func TestSeedQuarterAccuracy(t *testing.T) {
	for _, seed := range []int64{2000, 1, 42} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { quarterAccuracy(t, seed) })
	}
}

func quarterAccuracy(t *testing.T, seed int64) {
	eng := bundledEngine(t)
	corpus := demo.Quarter(seed, quarterStart, demo.SeedTotal, nil)
	keys := taxonomy.CategoryKeys()
	built, got := map[string]int{}, map[string]int{}
	confusion := map[[2]string]int{}
	wrong := 0
	type rank = map[string]int
	builtPorts, gotPorts := rank{}, rank{}
	for i, g := range corpus {
		a, err := Analyse(context.Background(), eng, g.Content, Options{ReceivedAt: g.Submission.ReceivedAt, Now: fixedNow})
		if err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
		built[g.Category]++
		got[a.Category]++
		confusion[[2]string{g.Category, a.Category}]++
		if a.Category != g.Category {
			wrong++
			if testing.Verbose() {
				t.Logf("report %d built as %s classified %s (%s): subject %q, %d findings", i, g.Category, a.Category, a.RSIT, g.Content.Subject, len(a.Findings))
			}
		}
		if !taxonomy.ValidRSIT(a.RSIT) {
			t.Errorf("report %d: RSIT %q is not in the taxonomy", i, a.RSIT)
		}
		for _, c := range []struct {
			what      string
			want, got any
		}{
			{"TCP ports", g.TCPPorts, a.TCPPorts},
			{"UDP ports", g.UDPPorts, a.UDPPorts},
			{"ICMP types", g.ICMPTypes, a.ICMPTypes},
			{"CGI paths", g.CGIPaths, a.CGIPaths},
		} {
			if fmt.Sprint(c.want) != fmt.Sprint(c.got) {
				t.Errorf("report %d (%s): %s = %v, built with %v", i, g.Category, c.what, c.got, c.want)
			}
		}
		for _, p := range g.TCPPorts {
			builtPorts[fmt.Sprint(p)]++
		}
		for _, p := range a.TCPPorts {
			gotPorts[fmt.Sprint(p)]++
		}
	}
	if testing.Verbose() {
		var b strings.Builder
		fmt.Fprintf(&b, "confusion matrix (rows: built as, columns: classified as)\n%-12s", "")
		for _, k := range keys {
			fmt.Fprintf(&b, "%12s", k)
		}
		for _, row := range keys {
			fmt.Fprintf(&b, "\n%-12s", row)
			for _, col := range keys {
				fmt.Fprintf(&b, "%12d", confusion[[2]string{row, col}])
			}
		}
		t.Log(b.String())
		t.Logf("top TCP ports built %v, found %v", top(builtPorts, 10), top(gotPorts, 10))
	}
	for _, k := range keys {
		if diff := abs(got[k] - built[k]); float64(diff) > 0.02*float64(built[k]) && diff > 0 {
			t.Errorf("category %s: classified %d, built %d (off by more than 2%%)", k, got[k], built[k])
		}
	}
	if float64(wrong) > 0.02*float64(len(corpus)) {
		t.Errorf("%d of %d reports classified other than built (more than 2%%)", wrong, len(corpus))
	}
	if built[taxonomy.Probe] != 610 || len(corpus) != demo.SeedTotal {
		t.Errorf("the corpus has %d reports, %d probes; seed 002 has 718 and 610", len(corpus), built[taxonomy.Probe])
	}
}

func fixedNow() time.Time { return time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC) }

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func top(m map[string]int, n int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	keys = keys[:min(n, len(keys))]
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s:%d", k, m[k])
	}
	return slices.Clip(out)
}
