//go:build unix

package input

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

const outsideMarker = "OUTSIDE-THE-ROOT-MARKER"

// swapper replaces path, until stop, by a regular file, a symlink to a file outside the root and
// a FIFO, in turn: what an attacker who controls a checked host (a compromised container's root
// file system) can do while keikai reads its logs.
func swapper(t *testing.T, path, outside string, stop <-chan struct{}) *sync.WaitGroup {
	t.Helper()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tmp := path + ".swap"
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = os.Remove(tmp)
			switch i % 3 {
			case 0:
				_ = os.WriteFile(tmp, []byte("inside line\n"), 0o644)
			case 1:
				_ = os.Symlink(outside, tmp)
			case 2:
				_ = syscall.Mkfifo(tmp, 0o644)
			}
			_ = os.Rename(tmp, path) // atomic: the path is always one of the three
		}
	}()
	return &wg
}

// readOnce plans and reads paths as one analyze or check run does, under a deadline, and returns
// every byte delivered.
func readOnce(t *testing.T, opts Options, paths []string) ([]byte, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r := NewReader(opts)
	sources := r.Plan(paths, nil)
	out := make(chan *Chunk)
	go r.Run(ctx, sources, out, nil, nil)
	var got []byte
	for c := range out {
		got = append(got, c.Data...)
		r.Release(c)
	}
	return got, ctx.Err() == nil
}

// The race of issue 8: swapping ROOT/var/log/messages between a file, a symlink out of the root and
// a FIFO while runs repeat must never deliver the outside file (under a root) and never block.
func TestSwapRace(t *testing.T) {
	for _, mode := range []string{"check --root", "analyze DIR"} {
		t.Run(mode, func(t *testing.T) {
			base := t.TempDir()
			root := filepath.Join(base, "root")
			logDir := filepath.Join(root, "var", "log")
			outside := filepath.Join(base, "secret")
			if err := os.MkdirAll(logDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(outside, []byte(outsideMarker+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			messages := filepath.Join(logDir, "messages")
			opts, paths := Options{Root: root}, []string{messages}
			if mode == "analyze DIR" {
				opts, paths = Options{}, []string{logDir}
			}
			stop := make(chan struct{})
			wg := swapper(t, messages, outside, stop)
			defer func() { close(stop); wg.Wait() }()
			runs, leaks, read := 0, 0, 0
			for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); runs++ {
				got, finished := readOnce(t, opts, paths)
				if !finished {
					t.Fatalf("run %d blocked past its deadline", runs)
				}
				if bytes.Contains(got, []byte(outsideMarker)) {
					leaks++
				}
				if len(got) > 0 {
					read++
				}
			}
			t.Logf("%d runs, %d read the file inside, %d read the outside file", runs, read, leaks)
			if mode == "check --root" && leaks > 0 {
				t.Errorf("%d of %d runs read the file outside the root", leaks, runs)
			}
		})
	}
}
