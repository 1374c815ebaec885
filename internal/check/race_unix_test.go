//go:build unix

package check

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/analyze"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/input"
	"github.com/keikai-project/keikai/internal/sigma"
)

const markerRule = `title: line from outside the root
id: 6f1d2a3b-0000-4000-8000-00000000beef
logsource: {product: linux, service: syslog}
detection:
  keywords: ['OUTSIDE-THE-ROOT-MARKER']
  condition: keywords
level: high
`

// The race of issue 8, end to end: while ROOT/var/log/messages is swapped between a log file, a
// symlink to a file outside the root and a FIFO, check --root runs again and again. No run may
// report the outside file's marker line, and every run must end within its deadline.
func TestCheckRootSwapRace(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	logDir := filepath.Join(root, "var", "log")
	outside := filepath.Join(base, "secret.log")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, []byte("Jan  1 00:00:00 host app: OUTSIDE-THE-ROOT-MARKER\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rules, err := sigma.ParseFile("marker.yml", []byte(markerRule))
	if err != nil {
		t.Fatal(err)
	}
	set := &sigma.Set{Rules: rules}
	if err := set.Resolve(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(set)
	if err != nil {
		t.Fatal(err)
	}

	messages := filepath.Join(logDir, "messages")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tmp := messages + ".swap"
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = os.Remove(tmp)
			switch i % 3 {
			case 0:
				_ = os.WriteFile(tmp, []byte("Jan  1 00:00:00 host app: inside\n"), 0o644)
			case 1:
				_ = os.Symlink(outside, tmp)
			case 2:
				_ = syscall.Mkfifo(tmp, 0o644)
			}
			_ = os.Rename(tmp, messages)
		}
	}()
	defer func() { close(stop); wg.Wait() }()

	logs := func(ctx context.Context, paths []string, emit func(*finding.Finding) error, warn func(input.Warning)) (int64, error) {
		sum, err := analyze.Run(ctx, eng, analyze.Options{Paths: paths, Findings: true, Location: time.UTC, Year: 2002,
			Input: input.Options{Root: root}}, analyze.Callbacks{Finding: emit, Warning: warn})
		if err != nil {
			return 0, err
		}
		return sum.Lines, nil
	}
	runs, withLines := 0, 0
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); runs++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var leaked []string
		sum, err := Run(ctx, eng, Options{Root: root, Logs: logs}, Callbacks{Finding: func(f *finding.Finding) error {
			leaked = append(leaked, f.Excerpt)
			return nil
		}})
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut {
			t.Fatalf("run %d did not finish within 10s", runs)
		}
		if err != nil {
			t.Fatalf("run %d: %v", runs, err)
		}
		if len(leaked) > 0 {
			t.Fatalf("run %d read the file outside the root: %q", runs, leaked)
		}
		if sum.LogLines > 0 {
			withLines++
		}
	}
	t.Logf("%d check runs, %d read the log inside the root, none the file outside", runs, withLines)
}
