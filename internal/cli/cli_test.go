package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

type run struct {
	stdout, stderr string
	code           int
}

func keikai(t *testing.T, stdin string, args ...string) run {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(k string) string {
			if k == "LANG" {
				return "C"
			}
			return ""
		},
		IsTerminal: func(io.Writer) bool { return false },
	}
	code := Run(args, env)
	return run{out.String(), errOut.String(), code}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test ./internal/cli -update after checking the change)\n--- got ---\n%s", path, got)
	}
}

// The fixtures carry year-less syslog lines: --year and --tz make the output independent of when
// and where the tests run.
var fixtureArgs = []string{"--tz", "UTC", "--year", "2004", "--rules", "testdata/rules", "testdata/logs"}

func TestAnalyzeGolden(t *testing.T) {
	for _, format := range []string{"text", "json", "ndjson"} {
		t.Run(format, func(t *testing.T) {
			r := keikai(t, "", append([]string{"analyze", "--format", format}, fixtureArgs...)...)
			if r.code != exitFindings {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", r.code, exitFindings, r.stderr)
			}
			golden(t, "analyze."+format, r.stdout)
		})
	}
	t.Run("summary", func(t *testing.T) {
		r := keikai(t, "", append([]string{"analyze", "--summary"}, fixtureArgs...)...)
		golden(t, "analyze-summary.text", r.stdout)
	})
	t.Run("japanese", func(t *testing.T) {
		r := keikai(t, "", append([]string{"analyze", "--lang", "ja"}, fixtureArgs...)...)
		golden(t, "analyze-ja.text", r.stdout)
	})
}

func TestAnalyzeFindsSeedStatdLine(t *testing.T) {
	r := keikai(t, "", "analyze", "--format", "json", "--tz", "UTC", "testdata/logs/messages")
	var doc struct {
		Findings []struct {
			Category   string   `json:"category"`
			Advisories []string `json:"advisories"`
			Line       int      `json:"line"`
			Excerpt    string   `json:"excerpt"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
	}
	for _, f := range doc.Findings {
		if f.Line == 3 && f.Category == "intrusion" && len(f.Advisories) > 0 && f.Advisories[0] == "JPCERT-E-INF-98-0001" {
			if !strings.Contains(f.Excerpt, `\x90\x90D`) {
				t.Errorf("excerpt does not show the unprintable bytes escaped: %q", f.Excerpt)
			}
			return
		}
	}
	t.Fatalf("the seed's statd line was not reported as intrusion / JPCERT-E-INF-98-0001:\n%s", r.stdout)
}

func TestOutputNeverCarriesControlBytes(t *testing.T) {
	for _, format := range []string{"text", "json", "ndjson"} {
		r := keikai(t, "", append([]string{"analyze", "--format", format}, fixtureArgs...)...)
		for i := 0; i < len(r.stdout); i++ {
			if c := r.stdout[i]; (c < 0x20 && c != '\n') || c == 0x7f {
				t.Fatalf("%s output carries control byte %#x at offset %d", format, c, i)
			}
		}
		if strings.Contains(r.stdout, "\u202e") {
			t.Fatalf("%s output carries a raw right-to-left override", format)
		}
	}
}

func TestExitCodesAndErrors(t *testing.T) {
	emptyDir := t.TempDir()
	unknownOnly := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(unknownOnly, []byte("shopping list\nmilk\neggs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const cronLine = "Mar  1 10:00:00 host cron[1]: (root) CMD (run-parts /etc/cron.hourly)\n"
	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		inStderr string
	}{
		{"no finding", cronLine, []string{"analyze", "-"}, exitClean, ""},
		{"finding on stdin", "198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] \"GET /cgi-bin/phf?Qalias=x HTTP/1.0\" 404 287 \"-\" \"-\"\n", []string{"analyze", "--format", "ndjson", "-"}, exitFindings, ""},
		{"missing input", "", []string{"analyze", "testdata/no-such-file"}, exitError, "no-such-file"},
		// Findings are never hidden behind an input error: exit 1, and a warning that the
		// result is incomplete.
		{"findings and a missing input", "", []string{"analyze", "--tz", "UTC", "testdata/logs/access_log", "testdata/no-such-file"}, exitFindings, "could not be read completely"},
		{"empty directory", "", []string{"analyze", emptyDir}, exitNothing, "journalctl"},
		{"empty stdin", "", []string{"analyze", "-"}, exitNothing, "nothing was analysed"},
		{"every line unknown", "", []string{"analyze", unknownOnly}, exitNothing, "none of the 3 lines"},
		{"bad format", "", []string{"analyze", "--format", "xml", "-"}, exitError, "use text, json, ndjson, sarif or csv"},
		{"bad flag", "", []string{"analyze", "--frmat", "json", "-"}, exitError, "frmat"},
		{"bad tz", "", []string{"analyze", "--tz", "Mars/Olympus", "-"}, exitError, "Mars/Olympus"},
		{"bad color", "", []string{"analyze", "--color", "sometimes", "-"}, exitError, "--color must be"},
		{"bad level", "", []string{"analyze", "--min-level", "severe", "-"}, exitError, "--min-level must be"},
		{"bad category", "", []string{"analyze", "--category", "spam", "-"}, exitError, "not a category"},
		{"bad since", "", []string{"analyze", "--since", "yesterday", "-"}, exitError, "is not a time"},
		{"filter with --summary", "", []string{"analyze", "--summary", "--min-level", "high", "-"}, exitError, "--summary shows none"},
		{"unknown command", "", []string{"analyse"}, exitError, `did you mean "analyze"?`},
		{"unknown command, prefix", "", []string{"ru"}, exitError, `did you mean "rules"?`},
		{"unknown rules subcommand", "", []string{"rules", "lst"}, exitError, `did you mean "list"?`},
		{"nothing close", "", []string{"frobnicate"}, exitError, "run 'keikai help'"},
		{"help", "", []string{"analyze", "--help"}, exitClean, ""},
		{"broken rules dir", "", []string{"analyze", "--rules", "testdata/broken-rules", "-"}, exitError, "testdata/broken-rules"},
		{"flags after paths", cronLine, []string{"analyze", "-", "--format", "json"}, exitClean, ""},
		{"filtered away", "198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] \"GET /cgi-bin/phf?Qalias=x HTTP/1.0\" 404 287 \"-\" \"-\"\n", []string{"analyze", "--min-level", "critical", "-"}, exitClean, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := keikai(t, tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.inStderr) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tt.inStderr)
			}
		})
	}
}

func TestRulesCommands(t *testing.T) {
	if r := keikai(t, "", "rules", "test"); r.code != exitClean {
		t.Fatalf("rules test: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := keikai(t, "", "rules", "list", "--format", "json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) < 40 {
		t.Fatalf("rules list --format json: %v, %d rules", err, len(list))
	}
	lits := keikai(t, "", "rules", "literals")
	if !strings.Contains(lits.stdout, "attempt to create") {
		t.Errorf("rules literals lacks the statd literal:\n%s", lits.stdout)
	}
}

// A file name is input too: one carrying a terminal escape must not reach the output raw.
func TestHostileFileNameIsEscaped(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "access\x1b[2J.log")
	line := `198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] "GET /cgi-bin/phf HTTP/1.0" 404 287 "-" "-"` + "\n"
	if err := os.WriteFile(name, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json"} {
		r := keikai(t, "", "analyze", "--format", format, dir)
		if strings.ContainsRune(r.stdout, 0x1b) || strings.ContainsRune(r.stderr, 0x1b) {
			t.Errorf("%s output carries the raw escape from the file name:\n%q", format, r.stdout)
		}
		if !strings.Contains(r.stdout, `access\\x1b[2J.log`) && !strings.Contains(r.stdout, `access\x1b[2J.log`) {
			t.Errorf("%s output does not name the file in escaped form:\n%s", format, r.stdout)
		}
	}
}
