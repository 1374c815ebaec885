package store_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

var createRE = regexp.MustCompile(`(?i)CREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX)\s+(\w+)`)

// TestDialectsAlike checks that the SQLite and PostgreSQL migrations carry the same steps under
// the same numbers, creating the same tables and indexes: one logical schema.
func TestDialectsAlike(t *testing.T) {
	names := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	lite, pg := names("sqlite/migrations"), names("postgres/migrations")
	if !slices.Equal(lite, pg) {
		t.Fatalf("migration files differ:\n sqlite   %v\n postgres %v", lite, pg)
	}
	for _, name := range lite {
		objects := func(dir string) []string {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range createRE.FindAllStringSubmatch(string(b), -1) {
				out = append(out, m[1]+" "+m[2])
			}
			return out
		}
		if a, b := objects("sqlite/migrations"), objects("postgres/migrations"); !slices.Equal(a, b) {
			t.Errorf("%s creates different objects:\n sqlite   %v\n postgres %v", name, a, b)
		}
	}
}
