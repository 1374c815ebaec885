// Package archtest holds the test that keeps keikai's layout honest: it reads the real import
// graph with `go list -deps` and fails when a package reaches something its layer must not.
package archtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/keikai-project/keikai/"

// adapters wrap the outside world (HTTP, SMTP, SQL) or wire the system; only the command line
// (and cmd/keikai through it) may depend on them.
var adapters = []string{
	"internal/cli",
	"internal/intake",
	"internal/web",
	"internal/smtpd",
	"internal/store/sqlite",
	"internal/store/postgres",
}

// domain packages hold the nouns of the system. They may not depend on persistence or transport
// at all: not even on the store contract, net/http, database drivers or SMTP. (internal/host
// reads the checked system's rpm database with SQLite: it is a collector, not a domain noun.)
var domain = []string{
	"internal/report",
	"internal/activity",
	"internal/finding",
	"internal/taxonomy",
	"internal/advisory",
	"internal/event",
	"internal/sigma",
	"internal/engine",
	"internal/assess",
	"internal/audit",
	"internal/staff",
	"internal/incident",
	"internal/redact",
}

var domainForbidden = []string{
	module + "internal/store",
	"net/http",
	"database/sql",
	"net/smtp",
	"github.com/jackc/pgx/v5",
	"github.com/emersion/go-smtp",
	"modernc.org/sqlite",
}

type pkg struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Deps       []string
}

func listDeps(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps=false", "-json=ImportPath,Dir,GoFiles,Deps", "../../...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		deps[strings.TrimPrefix(p.ImportPath, module)] = p.Deps
		// go test caches a result by the files the test itself opened or stat'ed; go list's
		// reads are invisible to it, so touch what it read: an edited import reruns the test.
		if _, err := os.ReadDir(p.Dir); err != nil {
			t.Fatal(err)
		}
		for _, f := range p.GoFiles {
			if _, err := os.Stat(filepath.Join(p.Dir, f)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(deps) < 20 {
		t.Fatalf("go list found only %d packages; the test runs from the wrong directory", len(deps))
	}
	return deps
}

func TestLayers(t *testing.T) {
	deps := listDeps(t)
	for _, name := range domain {
		if _, ok := deps[name]; !ok {
			t.Errorf("domain package %s does not exist any more: update this test", name)
		}
	}
	for name, ds := range deps {
		wiring := name == "cmd/keikai" || name == "internal/cli"
		for _, a := range adapters {
			if name == a || wiring || strings.HasPrefix(name, "bench/") {
				continue
			}
			// intake is the application service: the web and SMTP front ends call it.
			if a == "internal/intake" && (name == "internal/web" || name == "internal/smtpd") {
				continue
			}
			if slices.Contains(ds, module+a) {
				t.Errorf("%s imports %s: only internal/cli wires adapters", name, a)
			}
		}
		if !slices.Contains(domain, name) {
			continue
		}
		for _, f := range domainForbidden {
			for _, d := range ds {
				if d == f || strings.HasPrefix(d, f+"/") {
					t.Errorf("domain package %s depends on %s (via its imports): keep transport and storage in adapters", name, d)
				}
			}
		}
	}
}
