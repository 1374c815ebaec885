package advisory

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCatalogComplete(t *testing.T) {
	all := All()
	if len(all) == 0 {
		t.Fatal("empty catalog")
	}
	kinds := map[string]bool{KindEmergencyAdvisory: true, KindAlert: true, KindActivityReport: true}
	seen := map[string]bool{}
	for _, a := range all {
		if a.ID == "" || seen[a.ID] {
			t.Errorf("missing or duplicate ID %q", a.ID)
		}
		seen[a.ID] = true
		if !kinds[a.Kind] {
			t.Errorf("%s: unknown kind %q", a.ID, a.Kind)
		}
		checkText(t, a.ID+" title", a.Title)
		for i, c := range a.Countermeasures {
			checkText(t, a.ID+" countermeasure "+string(rune('1'+i)), c)
		}
		if len(a.Countermeasures) == 0 {
			t.Errorf("%s: no countermeasures", a.ID)
		}
		if _, err := time.Parse(time.DateOnly, a.Issued); err != nil {
			t.Errorf("%s: issued %q: %v", a.ID, a.Issued, err)
		}
		if _, err := time.Parse(time.DateOnly, a.Revised); a.Revised != "" && err != nil {
			t.Errorf("%s: revised %q: %v", a.ID, a.Revised, err)
		}
		if a.Revised != "" && a.Revised < a.Issued {
			t.Errorf("%s: revised %s before issued %s", a.ID, a.Revised, a.Issued)
		}
		if len(a.References) == 0 {
			t.Errorf("%s: no references", a.ID)
		}
	}
}

// checkText demands both languages, and Japanese text that is Japanese.
func checkText(t *testing.T, what string, tx Text) {
	t.Helper()
	if strings.TrimSpace(tx.Ja) == "" || strings.TrimSpace(tx.En) == "" {
		t.Errorf("%s: Ja %q, En %q: both are required", what, tx.Ja, tx.En)
		return
	}
	if !regexp.MustCompile(`[\p{Hiragana}\p{Katakana}\p{Han}]`).MatchString(tx.Ja) {
		t.Errorf("%s: Ja %q has no Japanese", what, tx.Ja)
	}
	if regexp.MustCompile(`[\p{Hiragana}\p{Katakana}]`).MatchString(tx.En) {
		t.Errorf("%s: En %q has Japanese", what, tx.En)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		id        string
		ok        bool
		stepCount int
		firstStep string // a phrase of the first countermeasure, in Japanese
	}{
		{"JPCERT-E-INF-98-0001", true, 4, "バージョンアップ"},
		{"JPCERT-AT-2002-0006", true, 4, "ネットワークから切り離す"},
		{"JPCERT-PR-2000-0003", true, 3, "弱点"},
		{"JPCERT-AT-2002-0007", false, 0, ""},
		{"", false, 0, ""},
	}
	for _, tt := range tests {
		a, ok := Lookup(tt.id)
		if ok != tt.ok {
			t.Errorf("Lookup(%q) ok = %v, want %v", tt.id, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if a.ID != tt.id || len(a.Countermeasures) != tt.stepCount || !strings.Contains(a.Countermeasures[0].Ja, tt.firstStep) {
			t.Errorf("Lookup(%q) = %s with %d steps, first %q", tt.id, a.ID, len(a.Countermeasures), a.Countermeasures[0].Ja)
		}
	}
}

// The Slapper alert's last step names the fixed OpenSSL release, which the host rule relies on.
func TestSlapperCountermeasuresFromSeed(t *testing.T) {
	a, _ := Lookup("JPCERT-AT-2002-0006")
	last := a.Countermeasures[len(a.Countermeasures)-1]
	if !strings.Contains(last.Ja, "0.9.6g") || !strings.Contains(last.En, "0.9.6g") {
		t.Errorf("last step %+v does not name OpenSSL 0.9.6g", last)
	}
	if a.Issued != "2002-09-17" || a.Revised != "2002-09-20" {
		t.Errorf("dates %s / %s, want the seed's 2002-09-17 / 2002-09-20", a.Issued, a.Revised)
	}
}

func TestCallersCannotChangeTheCatalog(t *testing.T) {
	a, _ := Lookup("JPCERT-AT-2002-0006")
	a.Countermeasures[0].En = "changed"
	a.References[0] = "changed"
	all := All()
	all[0].Countermeasures[0].Ja = "changed"
	b, _ := Lookup("JPCERT-AT-2002-0006")
	if b.Countermeasures[0].En == "changed" || b.References[0] == "changed" {
		t.Error("Lookup returned the catalog's own slices")
	}
	if All()[0].Countermeasures[0].Ja == "changed" {
		t.Error("All returned the catalog's own slices")
	}
}

// Every advisory a bundled rule is tagged with is in the catalog, so each finding can show its
// advisory's countermeasures.
func TestRuleAdvisoriesInCatalog(t *testing.T) {
	files, err := filepath.Glob("../../rules/*/*.yml")
	if err != nil || len(files) == 0 {
		t.Skipf("no bundled rules found next to this package: %v", err)
	}
	tag := regexp.MustCompile(`advisory\.([A-Za-z0-9._-]+)`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tag.FindAllStringSubmatch(string(data), -1) {
			if _, ok := Lookup(m[1]); !ok {
				t.Errorf("%s: advisory %s is not in the catalog", f, m[1])
			}
		}
	}
}
