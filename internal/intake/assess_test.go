package intake

import (
	"context"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/report"
)

// TestAssessAnalyzerHostileParts: binary, empty and over-long parts are analysed without error,
// and the part names in findings are escaped.
func TestAssessAnalyzerHostileParts(t *testing.T) {
	analyse := AssessAnalyzer(bundledEngine(t), time.UTC, "test")
	long := make([]byte, 200<<10)
	for i := range long {
		long[i] = 'A'
	}
	c := report.Content{Parts: []report.Part{
		{Kind: report.PartAttachment, Name: "core\x1b[2J", Text: []byte("\x00\x01\x02ELF\x00" + probeExcerpt(1))},
		{Kind: report.PartAttachment, Name: "empty"},
		{Kind: report.PartExcerpt, Name: "long", Text: append(long, '\n')},
		{Kind: report.PartExcerpt, Name: "scan\x1b]0;x\x07", Text: []byte(probeExcerpt(2))},
	}}
	a, err := analyse(context.Background(), c, time.Date(2000, 6, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if a.Category != "probe" || len(a.Findings) == 0 {
		t.Fatalf("category %s, %d findings", a.Category, len(a.Findings))
	}
	for _, f := range a.Findings {
		if f.File != `scan\x1b]0;x\x07` && f.File != `core\x1b[2J` {
			t.Errorf("finding in part %q; want the escaped part name", f.File)
		}
	}
}
