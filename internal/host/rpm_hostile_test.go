package host

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
)

// makeRPMView plants an rpmdb.sqlite whose Packages is a view, as an attacker controlling the
// checked host could.
func makeRPMView(t *testing.T, path, view string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE VIEW Packages AS ` + view); err != nil {
		t.Fatal(err)
	}
}

// A planted database must end within the budget and with little memory, under NOT EXAMINED.
func TestRPMSQLiteHostile(t *testing.T) {
	tests := []struct {
		name string
		view string
	}{
		{"recursive view, endless rows",
			`WITH RECURSIVE r(blob) AS (SELECT x'00' UNION ALL SELECT blob FROM r) SELECT blob FROM r`},
		{"recursive view, never a row",
			`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT zeroblob(1) AS blob FROM r WHERE n < 0`},
		{"zeroblob view",
			`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r WHERE n < 10) SELECT zeroblob(900000000) AS blob FROM r`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			db := filepath.Join(root, "var/lib/rpm/rpmdb.sqlite")
			makeRPMView(t, db, tt.view)
			r, err := newRootFS(root)
			if err != nil {
				t.Fatal(err)
			}
			var problems []Problem
			c := &collector{ctx: context.Background(), r: r, emit: func(*event.Event, string) {},
				problem: func(p Problem) { problems = append(problems, p) }, rpmBudget: time.Second}
			start := time.Now()
			c.rpm()
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("reading took %s; the budget is 1s", took)
			}
			if len(problems) != 1 || !errors.Is(problems[0].Err, errRPMLimit) || problems[0].Area != AreaPackages {
				t.Fatalf("problems = %v, want one limit problem under packages", problems)
			}
			t.Logf("%s: %v", time.Since(start).Round(time.Millisecond), problems[0].Err)
		})
	}
}
