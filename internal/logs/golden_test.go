package logs

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestGolden parses testdata/lines.txt (one record per line, bytes as found in the wild) and
// compares the rendered events with testdata/lines.golden.
func TestGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "lines.txt"))
	if err != nil {
		t.Fatalf("reading input: %v", err)
	}
	p := newTestParser()
	var e event.Event
	var out strings.Builder
	for _, line := range bytes.Split(bytes.TrimSuffix(in, []byte("\n")), []byte("\n")) {
		p.Parse(line, &e)
		out.WriteString(render(&e))
	}
	golden := filepath.Join("testdata", "lines.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatalf("writing golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if out.String() != string(want) {
		t.Errorf("output differs from %s (run with -update after checking):\n%s", golden, out.String())
	}
}
