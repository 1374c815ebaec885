// Package migrate reads the numbered schema migrations that each store adapter embeds
// (NNNN_name.sql, one set per SQL dialect, numbered alike) and says what an adapter must apply.
// The adapters apply them in their own transaction and lock, since that is where the dialects
// differ.
package migrate

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migration is one schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Load reads every *.sql file of dir in fsys, ordered by version. Versions start at 1 and have
// no gaps, so both dialects can be checked to carry the same steps.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: the name must be NNNN_what.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: rest, SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %04d_%s: versions must run 1, 2, 3... without gaps or repeats", m.Version, m.Name)
		}
	}
	return ms, nil
}

// Pending returns the migrations after version applied, or an error when the database was
// migrated by a newer keikai than this one: running old code on a newer schema could lose data.
func Pending(ms []Migration, applied int) ([]Migration, error) {
	if applied > len(ms) {
		return nil, fmt.Errorf("the database has schema version %d but this keikai knows only up to %d: "+
			"it was used by a newer keikai; run that version (or newer) instead", applied, len(ms))
	}
	return ms[applied:], nil
}
