//go:build unix && !zos

package analyze

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/input"
)

// A log truncated while it is read (logrotate's copytruncate) ends the analysis with an error
// that says what happened, instead of the crash that reading its vanished pages would be.
func TestLogTruncatedWhileRead(t *testing.T) {
	eng := bundled(t)
	path := writeLog(t, t.TempDir(), "rotated.log", scanLines(4000), time.Time{})
	truncated := false
	_, err := Run(context.Background(), eng, Options{Paths: []string{path}, Workers: 2, Findings: true, Location: time.UTC,
		Input: input.Options{ChunkSize: 4096, Buffers: 2}}, Callbacks{Finding: func(*finding.Finding) error {
		if !truncated {
			truncated = true
			if err := os.Truncate(path, 0); err != nil {
				t.Error(err)
			}
		}
		return nil
	}})
	var shrank *input.ShrankError
	if !errors.As(err, &shrank) || shrank.File != path {
		t.Fatalf("Run returned %v, want a ShrankError for %s", err, path)
	}
}
