package assess

import (
	"context"
	"testing"

	"github.com/keikai-project/keikai/internal/demo"
)

// BenchmarkAnalyseQuarter analyses the reports of a generated quarter, one at a time, as intake
// does on arrival.
func BenchmarkAnalyseQuarter(b *testing.B) {
	eng := bundledEngine(b)
	corpus := demo.Quarter(2000, quarterStart, demo.SeedTotal, nil)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		g := &corpus[n%len(corpus)]
		if _, err := Analyse(context.Background(), eng, g.Content, Options{ReceivedAt: g.Submission.ReceivedAt}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reports/s")
}
