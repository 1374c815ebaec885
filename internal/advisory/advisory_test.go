package advisory

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"

	"github.com/keikai-project/keikai/advisories"
	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func bundled(t testing.TB) (*Collection, *sigma.Set) {
	t.Helper()
	c, err := LoadFS(advisories.FS, ".")
	if err != nil {
		t.Fatalf("bundled advisories: %v", err)
	}
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatalf("bundled rules: %v", err)
	}
	return c, set
}

// The bundled advisories pass lint against the real bundled rule set, and every rule's
// advisory tag names one of them.
func TestBundledAdvisoriesLintClean(t *testing.T) {
	c, set := bundled(t)
	if len(c.Advisories) != 3 {
		t.Fatalf("%d advisories, want the three seeds", len(c.Advisories))
	}
	if probs := Lint(c, set); len(probs) > 0 {
		t.Errorf("lint:\n%v", probs)
	}
	if probs := UnknownAdvisoryTags(c, set); len(probs) > 0 {
		t.Errorf("rule tags:\n%v", probs)
	}
	hasJapanese := regexp.MustCompile(`[\p{Hiragana}\p{Katakana}]`)
	for _, a := range c.Advisories {
		for _, cm := range a.Countermeasures {
			if !hasJapanese.MatchString(cm.Ja) || hasJapanese.MatchString(cm.En) {
				t.Errorf("%s: countermeasure not Japanese/English: %+v", a.ID, cm)
			}
		}
	}
}

func TestSeedFacts(t *testing.T) {
	c, _ := bundled(t)
	statd, _ := c.Lookup("JPCERT-E-INF-98-0001")
	if got := statd.PrintedID(1); got != "JPCERT-E-INF-98-0001-01" {
		t.Errorf("statd printed ID %s", got)
	}
	if statd.Expires.Format("2006-01-02") != "1998-03-06" || !statd.ExpiredAt(statd.Expires.AddDate(0, 0, 2)) || statd.ExpiredAt(statd.Expires) {
		t.Errorf("statd expiry %v", statd.Expires)
	}
	slapper, _ := c.Lookup("JPCERT-AT-2002-0006")
	if len(slapper.Editions) != 2 || slapper.Issued().Format("2006-01-02") != "2002-09-17" || slapper.Latest().Date.Format("2006-01-02") != "2002-09-20" {
		t.Errorf("slapper editions %+v", slapper.Editions)
	}
	last := slapper.Countermeasures[len(slapper.Countermeasures)-1]
	if !strings.Contains(last.Ja, "0.9.6g") || !strings.Contains(last.En, "0.9.6g") {
		t.Errorf("slapper's last countermeasure does not name OpenSSL 0.9.6g: %+v", last)
	}
	got := c.Countermeasures([]string{"JPCERT-E-INF-98-0001", "nonexistent"})
	if len(got) != 4 || !strings.Contains(got[0].Ja, "バージョンアップ") {
		t.Errorf("statd countermeasures %+v", got)
	}
}

// Each broken advisory under testdata/lint is rejected with the file and line of the fault.
func TestLintRejects(t *testing.T) {
	_, set := bundled(t)
	tests := []struct {
		dir  string
		want string // "file:line: phrase"
	}{
		{"missing-section", "ja.md:1: section #impact is missing"},
		{"dangling-rule", "advisory.yml:18: rule 00000000-0000-0000-0000-000000000000 is not in the rule set"},
		{"expiry-before-issue", "advisory.yml:11: expires 1998-02-01 is before the issue date 1998-02-26"},
		{"edition-without-note", "advisory.yml:9: edition 2 has no change note"},
		{"section-mismatch", "en.md:1: sections"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			c, err := LoadDir(filepath.Join("testdata", "lint", tt.dir))
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			probs := Lint(c, set)
			var all []string
			for _, p := range probs {
				all = append(all, p.Error())
			}
			joined := strings.Join(all, "\n")
			if !strings.Contains(joined, tt.want) {
				t.Errorf("lint did not report %q; got:\n%s", tt.want, joined)
			}
		})
	}
}

func TestLoadReportsSyntaxWithLine(t *testing.T) {
	_, err := LoadDir(filepath.Join("testdata", "load"))
	for _, want := range []string{
		filepath.Join("bad-heading", "ja.md") + ":3: section heading",
		filepath.Join("misspelled", "advisory.yml") + ":8: unknown key \"notes\" in an edition",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/advisory -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./internal/advisory -update after checking the change)\n--- got ---\n%s", path, got)
	}
}

func TestRenderTextGolden(t *testing.T) {
	c, _ := bundled(t)
	for _, a := range c.Advisories {
		for _, lang := range []string{Ja, En} {
			t.Run(a.ID+"."+lang, func(t *testing.T) {
				text := RenderText(a, lang, TextOptions{})
				golden(t, a.ID+"."+lang+".txt", text)
				for i, l := range strings.Split(string(text), "\n") {
					if strings.HasSuffix(l, " ") {
						t.Errorf("line %d has trailing spaces", i+1)
					}
					// A URL is never broken, so a reference line may run long, as in the seeds.
					if w := displayWidth(l); w > textWidth && !isVerbatimLine(a, lang, l) && !strings.Contains(l, "://") {
						t.Errorf("line %d is %d columns wide: %q", i+1, w, l)
					}
				}
			})
		}
	}
}

// isVerbatimLine reports whether l is a verbatim line of the source, which is never wrapped.
func isVerbatimLine(a *Advisory, lang, l string) bool {
	for _, s := range a.Body[lang].Sections {
		for _, b := range s.Blocks {
			for _, v := range b.Lines {
				if strings.TrimSpace(l) == strings.TrimSpace(v) {
					return true
				}
			}
		}
	}
	return false
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"japanese breaks anywhere", strings.Repeat("あ", 40), []string{strings.Repeat("あ", 36), strings.Repeat("あ", 4)}},
		{"no line starts with 。", strings.Repeat("あ", 36) + "。い", []string{strings.Repeat("あ", 35), "あ。い"}},
		{"english at spaces", strings.Repeat("word ", 20), []string{strings.TrimSpace(strings.Repeat("word ", 14)), strings.TrimSpace(strings.Repeat("word ", 6))}},
		{"long url kept whole", "see " + strings.Repeat("x", 80) + " now", []string{"see", strings.Repeat("x", 80), "now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &textWriter{}
			w.wrap("", "", tt.text)
			got := strings.Split(strings.TrimSuffix(w.buf.String(), "\n"), "\n")
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestISO2022JP(t *testing.T) {
	c, _ := bundled(t)
	for _, a := range c.Advisories {
		text := RenderText(a, Ja, TextOptions{})
		jis, err := ToISO2022JP(text)
		if err != nil {
			t.Fatalf("%s: %v", a.ID, err)
		}
		for _, b := range jis {
			if b >= 0x80 {
				t.Fatalf("%s: ISO-2022-JP output has an 8-bit byte %#x", a.ID, b)
			}
		}
		back, err := japanese.ISO2022JP.NewDecoder().Bytes(jis)
		if err != nil || string(back) != jisVariants.Replace(string(text)) {
			t.Errorf("%s: ISO-2022-JP does not round-trip (%v)", a.ID, err)
		}
	}
	if _, err := ToISO2022JP([]byte("emoji 😀")); err == nil {
		t.Error("an emoji was accepted for ISO-2022-JP")
	}
}

func FuzzParseBody(f *testing.F) {
	for _, seed := range []string{"## A {#a}\ntext\n", "## {#r .notice}\n    v\n・item\n### (1) x\n", "#x\n\xff"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, _ := parseBody("f.md", data)
		a := &Advisory{Kind: KindEmergency, Body: map[string]*Body{Ja: b}, Editions: []Edition{{Number: 1}}}
		out := RenderText(a, Ja, TextOptions{})
		if utf8.Valid(data) && !utf8.Valid(out) {
			t.Fatalf("valid input rendered to invalid UTF-8")
		}
	})
}

// A skeleton loads, and lint lists every place left to fill in.
func TestSkeleton(t *testing.T) {
	_, set := bundled(t)
	files, err := Skeleton("X-2026-0001", KindEmergency, "Test CSIRT", "", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "X-2026-0001")
	os.MkdirAll(dir, 0o755)
	for name, data := range files {
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	c, err := LoadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	probs := Lint(c, set)
	var todo int
	for _, p := range probs {
		if strings.Contains(p.Msg, "TODO") {
			todo++
		} else {
			t.Errorf("unexpected problem: %v", p)
		}
	}
	// title/url, countermeasure, and 5 sections in each language
	if todo != 12 {
		t.Errorf("%d TODO problems, want 12:\n%v", todo, probs)
	}
	if _, err := Skeleton("X", "memo", "T", "", time.Now()); err == nil {
		t.Error("unknown kind accepted")
	}
}

// The activity report's numbers come from the statistics: the seed's own figures reproduce its
// sentences, and lint asks only for the URL.
func TestActivityDraft(t *testing.T) {
	_, set := bundled(t)
	jst, _ := time.LoadLocation("Asia/Tokyo")
	st := &activity.Stats{
		From: time.Date(2000, 4, 1, 0, 0, 0, 0, jst), To: time.Date(2000, 7, 1, 0, 0, 0, 0, jst), Total: 718,
		Categories:  map[string]int64{"probe": 610, "mail-relay": 27, "forged-mail": 30, "intrusion": 32, "dos": 8, "worm": 4, "other": 7},
		TopTCPPorts: []activity.PortCount{{Port: 111, Service: "sunrpc", Count: 40}, {Port: 31337, Count: 3}},
		ICMPTypes:   []activity.ICMPCount{{Type: 8, Name: "Echo", Count: 12}},
		CGIPaths:    []activity.PathCount{{Path: "/cgi-bin/phf\x1b[31m", Count: 2}},
		Causes:      []activity.CauseCount{{Advisory: "JPCERT-E-INF-98-0001", Title: "statd", TitleJa: "statd を悪用したアタック", Count: 5}},
	}
	files, err := ActivityDraft("PR-2000-0003", "Test CSIRT", st, time.Date(2000, 7, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "PR-2000-0003")
	os.MkdirAll(dir, 0o755)
	for name, data := range files {
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	c, err := LoadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	probs := Lint(c, set)
	if len(probs) != 1 || !strings.Contains(probs[0].Msg, "url still says TODO") {
		t.Errorf("lint: %v", probs)
	}
	a := c.Advisories[0]
	ja := string(RenderText(a, Ja, TextOptions{}))
	for _, want := range []string{"Test CSIRT 活動概要 [ 2000年4月1日 〜 2000年6月30日 ]", "報告の件数は 718 件でした", "について 610", "111(sunrpc): 40", "8 (Echo): 12", "JPCERT-E-INF-98-0001 statd を悪用したアタック: 5", "/cgi-bin/phf?[31m: 2"} {
		if !strings.Contains(strings.ReplaceAll(ja, "\n", ""), want) {
			t.Errorf("draft lacks %q:\n%s", want, ja)
		}
	}
	if _, err := ActivityDraft("X", "T", &activity.Stats{}, time.Now()); err == nil {
		t.Error("stats without a period accepted")
	}
}

func FuzzLoad(f *testing.F) {
	yml, _ := advisories.FS.ReadFile("JPCERT-AT-2002-0006/advisory.yml")
	ja, _ := advisories.FS.ReadFile("JPCERT-AT-2002-0006/ja.md")
	f.Add(yml, ja)
	f.Add([]byte("id: [\nkind: 3"), []byte("## x {#y .bad}\n"))
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, yml, md []byte) {
		fsys := fstest.MapFS{"X/advisory.yml": {Data: yml}, "X/ja.md": {Data: md}, "X/en.md": {Data: md}}
		c, _ := LoadFS(fsys, ".")
		if c == nil {
			return
		}
		Lint(c, set)
		for _, a := range c.Advisories {
			RenderText(a, Ja, TextOptions{})
		}
	})
}
