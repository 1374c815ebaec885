package host

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// fakeRoot builds a system tree under t.TempDir(). Keys are paths inside the root; a value
// starting with "->" makes a symlink to the rest, a key ending in "/" makes a directory, anything
// else a regular file with that content.
func fakeRoot(t *testing.T, tree map[string]string) string {
	t.Helper()
	root := t.TempDir()
	keys := make([]string, 0, len(tree))
	for k := range tree {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		writeTree(t, root, k, tree[k])
	}
	return root
}

// writeTree makes one entry of a fake root; see fakeRoot.
func writeTree(tb testing.TB, root, rel, v string) {
	tb.Helper()
	p := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(rel, "/")))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	var err error
	switch {
	case strings.HasSuffix(rel, "/"):
		err = os.MkdirAll(p, 0o755)
	case strings.HasPrefix(v, "->"):
		err = os.Symlink(strings.TrimPrefix(v, "->"), p)
	default:
		err = os.WriteFile(p, []byte(v), 0o644)
	}
	if err != nil {
		tb.Fatal(err)
	}
}

// collected is everything one Collect call produced.
type collected struct {
	events   []*event.Event
	problems []Problem
}

func collect(t *testing.T, root string, targets Targets) collected {
	t.Helper()
	var c collected
	err := Collect(context.Background(), Options{Root: root}, targets,
		func(a Artifact) { c.events = append(c.events, a.Event) },
		func(p Problem) { c.problems = append(c.problems, p) })
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return c
}

// ofFormat returns the events of one format, each as a map of its fields.
func (c collected) ofFormat(f event.Format) []map[string]string {
	var out []map[string]string
	for _, e := range c.events {
		if e.Format != f {
			continue
		}
		m := map[string]string{"Raw": string(e.Raw)}
		eachField(e, func(f event.Field, v []byte) { m[f.String()] = string(v) })
		out = append(out, m)
	}
	return out
}

// find returns the first event of format f whose field k has value v.
func (c collected) find(f event.Format, k, v string) (map[string]string, bool) {
	for _, m := range c.ofFormat(f) {
		if m[k] == v {
			return m, true
		}
	}
	return nil, false
}

func (c collected) problemsIn(area string) []Problem {
	var out []Problem
	for _, p := range c.problems {
		if p.Area == area {
			out = append(out, p)
		}
	}
	return out
}

func hasProblem(ps []Problem, target error) bool {
	for _, p := range ps {
		if errors.Is(p.Err, target) {
			return true
		}
	}
	return false
}

// snapshot records every path under root with its type, size and modification time, to show that
// collection wrote nothing.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := make(map[string]string)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[p] = fi.Mode().String() + " " + fi.ModTime().String() + " " + strconv.FormatInt(fi.Size(), 10)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// eachField calls fn for every field e carries, in field order.
func eachField(e *event.Event, fn func(f event.Field, v []byte)) {
	for f := event.Field(1); f < event.NumFields; f++ {
		if e.Has(f) {
			fn(f, e.Get(f))
		}
	}
}
