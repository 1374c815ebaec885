package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/testenv"
)

// keikaiWith runs keikai with a given environment and terminal answer, for the tests of colour,
// locale and terminals.
func keikaiWith(t *testing.T, vars map[string]string, terminal bool, stdin string, args ...string) run {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{
		Stdin:      strings.NewReader(stdin),
		Stdout:     &out,
		Stderr:     &errOut,
		Getenv:     func(k string) string { return vars[k] },
		IsTerminal: func(io.Writer) bool { return terminal },
	}
	code := Run(args, env)
	return run{out.String(), errOut.String(), code}
}

const phfLine = `198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] "GET /cgi-bin/phf?Qalias=x HTTP/1.0" 404 287 "-" "-"` + "\n"

func TestUsageErrorIsOneLineAndAHint(t *testing.T) {
	for _, args := range [][]string{
		{"analyze", "--frmat", "json", "-"},
		{"check", "--format", "xml"},
		{"rules", "list", "--bogus"},
		{"rules", "show"},
	} {
		r := keikai(t, "", args...)
		if r.code != exitError {
			t.Errorf("%v: exit %d, want %d", args, r.code, exitError)
		}
		if r.stdout != "" {
			t.Errorf("%v: a usage error wrote to stdout (it would land in > findings.json):\n%s", args, r.stdout)
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if len(lines) != 2 || !strings.Contains(lines[1], "--help") || strings.Contains(r.stderr, "Usage:") {
			t.Errorf("%v: want one line of error and one hint, got:\n%s", args, r.stderr)
		}
	}
}

func TestHelpIsPrintedOnceToStdout(t *testing.T) {
	for _, args := range [][]string{{"analyze", "--help"}, {"check", "-h"}, {"rules", "list", "--help"}, {"help", "analyze"}} {
		r := keikai(t, "", args...)
		if r.code != exitClean || r.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		if n := strings.Count(r.stdout, "Usage: keikai"); n != 1 {
			t.Errorf("%v: the help appears %d times:\n%s", args, n, r.stdout)
		}
	}
	if r := keikai(t, ""); r.code != exitError || r.stdout != "" || !strings.Contains(r.stderr, "Commands:") {
		t.Errorf("keikai without a command: exit %d, stdout %q; the list of commands belongs on stderr", r.code, r.stdout)
	}
	if r := keikai(t, "", "help"); r.code != exitClean || !strings.Contains(r.stdout, "completion") {
		t.Errorf("keikai help: exit %d\n%s", r.code, r.stdout)
	}
	if r := keikai(t, "", "analyze", "--help"); !strings.Contains(r.stdout, "3 nothing analysed") {
		t.Errorf("analyze --help does not document the exit codes:\n%s", r.stdout)
	}
}

func TestVersion(t *testing.T) {
	a, b := keikai(t, "", "version"), keikai(t, "", "--version")
	if a.code != exitClean || a.stdout != b.stdout {
		t.Fatalf("version and --version differ or fail (%d):\n%s\n%s", a.code, a.stdout, b.stdout)
	}
	var n int
	if _, err := fmt.Sscanf(strings.Split(a.stdout, "\n")[1], "%d bundled rules", &n); err != nil || n < 40 {
		t.Errorf("version does not give the rule count: %v\n%s", err, a.stdout)
	}
	if !strings.Contains(a.stdout, "commit") {
		t.Errorf("version does not mention the commit:\n%s", a.stdout)
	}
}

func TestRulesShow(t *testing.T) {
	byID := keikai(t, "", "rules", "show", "3e50647f-9849-4181-b64d-be35400c3ac2")
	byName := keikai(t, "", "rules", "show", "statd-asked-to-create-a-status-file-outside-var")
	if byID.code != exitClean || byID.stdout != byName.stdout {
		t.Fatalf("rules show by ID and by name differ (exit %d):\n%s\n%s%s", byID.code, byID.stdout, byName.stdout, byName.stderr)
	}
	for _, want := range []string{"JPCERT-E-INF-98-0001", "level:          high", "samples:"} {
		if !strings.Contains(byID.stdout, want) {
			t.Errorf("rules show lacks %q:\n%s", want, byID.stdout)
		}
	}
	if r := keikai(t, "", "rules", "show", "no-such-rule"); r.code != exitError || !strings.Contains(r.stderr, "rules list") {
		t.Errorf("unknown rule: exit %d, %s", r.code, r.stderr)
	}
}

func TestCompletionScripts(t *testing.T) {
	bash := keikai(t, "", "completion", "bash")
	for _, want := range []string{"analyze", "--min-level", "--exclude-rule", "show", "literals"} {
		if !strings.Contains(bash.stdout, want) {
			t.Errorf("bash completion lacks %q", want)
		}
	}
	sh := testenv.Command(t, "bash", "bash")
	script := filepath.Join(t.TempDir(), "keikai.bash")
	if err := os.WriteFile(script, []byte(bash.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	// Complete "keikai analyze --min-l" the way bash does, and check the answer.
	out, err := exec.Command(sh, "-c", `source "$1"; COMP_WORDS=(keikai analyze --min-l); COMP_CWORD=2; _keikai; echo "${COMPREPLY[@]}"`, "sh", script).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "--min-level" {
		t.Errorf("bash completion of --min-l: %v %q", err, out)
	}
	out, err = exec.Command(sh, "-c", `source "$1"; COMP_WORDS=(keikai anal); COMP_CWORD=1; _keikai; echo "${COMPREPLY[@]}"`, "sh", script).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "analyze" {
		t.Errorf("bash completion of anal: %v %q", err, out)
	}
	if fish := keikai(t, "", "completion", "fish"); !strings.Contains(fish.stdout, "complete -c keikai -n '__fish_seen_subcommand_from analyze' -l since") {
		t.Errorf("fish completion lacks analyze --since:\n%s", fish.stdout)
	}
	if r := keikai(t, "", "completion", "tcsh"); r.code != exitError {
		t.Errorf("completion tcsh: exit %d", r.code)
	}
}

func TestColor(t *testing.T) {
	args := []string{"analyze", "--tz", "UTC", "testdata/logs/access_log"}
	tests := []struct {
		name     string
		vars     map[string]string
		terminal bool
		flag     string
		want     bool
	}{
		{"terminal", map[string]string{"TERM": "xterm"}, true, "", true},
		{"NO_COLOR", map[string]string{"TERM": "xterm", "NO_COLOR": "1"}, true, "", false},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, true, "", false},
		{"never", map[string]string{"TERM": "xterm"}, true, "--color=never", false},
		{"pipe", map[string]string{"TERM": "xterm"}, false, "", false},
		{"always into a pipe", map[string]string{"TERM": "xterm"}, false, "--color=always", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := append([]string(nil), args...)
			if tt.flag != "" {
				a = append(a, tt.flag)
			}
			r := keikaiWith(t, tt.vars, tt.terminal, "", a...)
			if got := strings.Contains(r.stdout, "\x1b["); got != tt.want {
				t.Errorf("colour %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFilters(t *testing.T) {
	count := func(args ...string) (int, run) {
		r := keikai(t, "", append([]string{"analyze", "--format", "json"}, append(args, fixtureArgs...)...)...)
		var doc struct {
			Findings []json.RawMessage `json:"findings"`
			Summary  struct {
				Findings int `json:"findings"`
				Shown    int `json:"shown"`
			} `json:"summary"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, r.stderr)
		}
		if doc.Summary.Shown != len(doc.Findings) {
			t.Errorf("%v: shown %d, but %d findings written", args, doc.Summary.Shown, len(doc.Findings))
		}
		return len(doc.Findings), r
	}
	all, _ := count()
	for _, tt := range []struct {
		args []string
		want int
	}{
		{[]string{"--min-level", "high"}, 2},
		{[]string{"--category", "worm"}, 7},
		{[]string{"--category", "worm,intrusion"}, 8},
		{[]string{"--rule", "inbound-probe-of-ftp-ssh-or-telnet-21-22-23-tcp"}, 3},
		{[]string{"--rule", "1ddd4696-56c4-40d3-b3f1-5b0d538bc2c7", "--rule", "3e50647f-9849-4181-b64d-be35400c3ac2"}, 4},
		{[]string{"--exclude-rule", "inbound-probe-of-ftp-ssh-or-telnet-21-22-23-tcp"}, all - 3},
		{[]string{"--since", "2004-05-26T06:42:20Z", "--until", "2004-05-26T06:42:22"}, 4},
		{[]string{"--since", "2004-10-01"}, 2},
	} {
		if got, r := count(tt.args...); got != tt.want {
			t.Errorf("%v: %d findings, want %d\n%s", tt.args, got, tt.want, r.stderr)
		}
	}
	text := keikai(t, "", append([]string{"analyze", "--min-level", "high"}, fixtureArgs...)...)
	if !strings.Contains(text.stdout, "Shown: 2 of 29 findings (filtered by --min-level).") {
		t.Errorf("text report does not say that findings were filtered:\n%s", text.stdout)
	}
}

func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "findings.json")
	r := keikai(t, "", append([]string{"analyze", "--format", "json", "--output", name}, fixtureArgs...)...)
	if r.code != exitFindings || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q", r.code, r.stdout)
	}
	data, err := os.ReadFile(name)
	if err != nil || !json.Valid(data) {
		t.Fatalf("--output file: %v, valid JSON %v", err, json.Valid(data))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left beside the report: %v", entries)
	}
	if r := keikai(t, "", "analyze", "--output", filepath.Join(dir, "no", "such", "dir", "x"), "-"); r.code != exitError || !strings.Contains(r.stderr, "--output") {
		t.Errorf("unwritable --output: exit %d %s", r.code, r.stderr)
	}
}

func TestJSONSaysWhetherComplete(t *testing.T) {
	complete := func(args ...string) bool {
		r := keikai(t, phfLine, append([]string{"analyze", "--format", "json"}, args...)...)
		var doc struct {
			Summary struct {
				Complete *bool `json:"complete"`
			} `json:"summary"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Summary.Complete == nil {
			t.Fatalf("%v: no complete in the summary: %v\n%s", args, err, r.stdout)
		}
		return *doc.Summary.Complete
	}
	if !complete("-") {
		t.Error("complete is false for a clean read")
	}
	if complete("-", "testdata/no-such-file") {
		t.Error("complete is true although an input was missing")
	}
}

func TestSARIF(t *testing.T) {
	r := keikai(t, "", append([]string{"analyze", "--format", "sarif"}, fixtureArgs...)...)
	golden(t, "analyze.sarif", r.stdout)
	var log struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID   string `json:"id"`
						Name string `json:"name"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					Physical *struct {
						Artifact struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "keikai" {
		t.Fatalf("not a SARIF 2.1.0 log of one keikai run: %+v", log)
	}
	run := log.Runs[0]
	if len(run.Results) != 29 {
		t.Errorf("%d results, want 29", len(run.Results))
	}
	for i, res := range run.Results {
		rules := run.Tool.Driver.Rules
		if res.RuleIndex >= len(rules) || rules[res.RuleIndex].ID != res.RuleID || rules[res.RuleIndex].Name == "" {
			t.Errorf("result %d: ruleId %s does not match its ruleIndex %d", i, res.RuleID, res.RuleIndex)
		}
		if res.Level != "error" && res.Level != "warning" && res.Level != "note" {
			t.Errorf("result %d: level %q", i, res.Level)
		}
		if res.Message.Text == "" || len(res.Locations) != 1 || res.Locations[0].Physical == nil ||
			!strings.HasPrefix(res.Locations[0].Physical.Artifact.URI, "testdata/logs/") || res.Locations[0].Physical.Region.StartLine < 1 {
			t.Errorf("result %d lacks a message or a file location with a line: %+v", i, res)
		}
	}
}

func TestCSV(t *testing.T) {
	r := keikai(t, "", append([]string{"analyze", "--format", "csv"}, fixtureArgs...)...)
	golden(t, "analyze.csv", r.stdout)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) != 30 || rows[0][0] != "level" {
		t.Fatalf("csv: %v, %d rows", err, len(rows))
	}
	// A log line that starts like a formula must stay text in a spreadsheet.
	r = keikai(t, "=cmd|' /C calc'!A0 GET /cgi-bin/phf HTTP/1.0\n", "analyze", "--format", "csv", "--rules", "testdata/rules", "-")
	for _, row := range strings.Split(r.stdout, "\n") {
		if strings.Contains(row, ",=") || strings.HasPrefix(row, "=") {
			t.Errorf("a cell starts with '=': %s", row)
		}
	}
}

func TestGroupedTextInEnglishAndJapanese(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		// The goldens analyze.text and analyze-ja.text (TestAnalyzeGolden) hold the whole report.
		r := keikai(t, "", append([]string{"analyze", "--lang", lang}, fixtureArgs...)...)
		if lang == "ja" && (strings.Contains(r.stdout, "[HIGH]") || !strings.Contains(r.stdout, "[高]")) {
			t.Errorf("Japanese report shows English levels")
		}
		if lang == "en" && !strings.Contains(r.stdout, "(4 findings)") {
			t.Errorf("repeated findings are not grouped with a count")
		}
	}
}

// hostileRules writes a rule whose texts carry terminal escapes and a right-to-left override, in
// a directory whose name carries an escape too.
func hostileRules(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "rules\x1b[2J")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rule := `title: "Hostile \e]0;owned\a\e[2J title \u202Etxt.exe"
title_ja: "敵対的 \e[31m 題名 \u202E"
id: 7a0c3c4e-8a0e-4b53-9a57-2f6d3e1a7c02
status: test
description: "desc \e[31m red"
logsource:
  service: syslog
detection:
  keywords:
    - 'hostile-marker'
  condition: keywords
level: high
tags:
  - keikai.category.other
  - "advisory.EVIL-\e[2J\u202E"
samples:
  match:
    - 'Mar  1 10:00:00 host x[1]: benign'
  nomatch:
    - 'Mar  1 10:00:00 host x[1]: hostile-marker'
`
	if err := os.WriteFile(filepath.Join(dir, "hostile\x1b[1m.yml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// assertNoRawControl checks that no control or bidi character is in the output and that nothing
// was escaped twice; in JSON the one backslash of an escape is itself written as two.
func assertNoRawControl(t *testing.T, what string, r run) {
	t.Helper()
	twice := []string{`\\x1b`, `\\u202e`}
	if strings.Contains(what, "json") || strings.Contains(what, "sarif") {
		twice = []string{`\\\\x1b`, `\\\\u202e`}
	}
	for _, s := range []string{r.stdout, r.stderr} {
		if strings.ContainsAny(s, "\x1b\x07\u202e") {
			t.Errorf("%s: raw control or bidi character in the output:\n%q", what, s)
		}
		if strings.Contains(s, twice[0]) || strings.Contains(s, twice[1]) {
			t.Errorf("%s: escaped twice:\n%s", what, s)
		}
	}
}

func TestRuleFileTextIsEscapedOnce(t *testing.T) {
	dir := hostileRules(t)
	line := "Mar  1 10:00:00 host x[1]: hostile-marker\n"
	for _, format := range []string{"text", "json", "ndjson", "sarif", "csv"} {
		r := keikai(t, line, "analyze", "--format", format, "--lang", "ja", "--rules", dir, "-")
		assertNoRawControl(t, "analyze "+format, r)
		if !strings.Contains(r.stdout, `\x1b`) && !strings.Contains(r.stdout, `\\x1b`) {
			t.Errorf("analyze %s: the hostile title is missing:\n%s", format, r.stdout)
		}
	}
	for _, args := range [][]string{
		{"rules", "list", "--rules", dir},
		{"rules", "list", "--format", "json", "--rules", dir},
		{"rules", "test", "--rules", dir},
		{"rules", "show", "hostile-0-owned-2j-title-txt-exe", "--rules", dir},
		{"rules", "list", "--rules", dir + "-missing"},
		{"check", "--root", dir + "-missing"},
	} {
		r := keikai(t, "", args...)
		assertNoRawControl(t, strings.Join(args, " "), r)
		if r.stdout+r.stderr == "" {
			t.Errorf("%v: no output", args)
		}
	}
	test := keikai(t, "", "rules", "test", "--rules", dir)
	if test.code != exitFindings || !strings.Contains(test.stdout, `hostile\x1b[1m.yml`) {
		t.Errorf("rules test does not name the failing hostile rule (exit %d):\n%s", test.code, test.stdout)
	}
}

func TestWarningsAreEscapedOnce(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "bin\x1b]0;x\x07\u202e.log")
	if err := os.WriteFile(name, []byte("\x00\x00\x00 binary\n"+phfLine), 0o644); err != nil {
		t.Fatal(err)
	}
	r := keikai(t, "", "analyze", "--tz", "UTC", dir, filepath.Join(dir, "gone\x1b[2J"))
	assertNoRawControl(t, "warnings", r)
	if !strings.Contains(r.stderr, `bin\x1b]0;x\x07\u202e.log`) || !strings.Contains(r.stderr, `gone\x1b[2J`) {
		t.Errorf("warnings do not name the files escaped once:\n%s", r.stderr)
	}
	ja := keikai(t, "", "analyze", "--lang", "ja", "--tz", "UTC", filepath.Join(dir, "gone"), name)
	if !strings.Contains(ja.stderr, "keikai: 警告:") || !strings.Contains(ja.stderr, "完全ではありません") ||
		!strings.Contains(ja.stderr, "存在しません") || !strings.Contains(ja.stderr, "テキストとして解析しました") {
		t.Errorf("Japanese warnings are not Japanese:\n%s", ja.stderr)
	}
}

func TestOutsizedRuleIsPointedOut(t *testing.T) {
	input := strings.Repeat(phfLine, 1500) + "Mar  1 10:00:00 host cron[1]: (root) CMD (run-parts /etc/cron.hourly)\n"
	r := keikai(t, input, "analyze", "--tz", "UTC", "-")
	if !strings.Contains(r.stdout, "Note: one rule produced 1,500 of the 1,500 findings (100%)") ||
		!strings.Contains(r.stdout, "--exclude-rule request-for-the-phf-cgi-program-cert-ca-96-06") {
		t.Errorf("no note about the rule that produced every finding:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "(1,500 findings)") || strings.Count(r.stdout, "[MEDIUM]") != 1 {
		t.Errorf("1,500 identical findings are not one group:\n%s", r.stdout)
	}
	small := keikai(t, phfLine, "analyze", "--tz", "UTC", "-")
	if strings.Contains(small.stdout, "one rule produced") {
		t.Errorf("a note about one finding:\n%s", small.stdout)
	}
}

func TestProgressAndWarningsFollowTheTerminal(t *testing.T) {
	tests := []struct {
		name               string
		vars               map[string]string
		terminal           bool
		flags              []string
		progress, warnings bool
	}{
		{"terminal", map[string]string{"TERM": "xterm"}, true, nil, true, true},
		{"TERM=dumb cannot erase a line", map[string]string{"TERM": "dumb"}, true, nil, false, true},
		{"redirected", map[string]string{"TERM": "xterm"}, false, nil, false, true},
		{"--no-progress", map[string]string{"TERM": "xterm"}, true, []string{"--no-progress"}, false, true},
		{"--quiet", map[string]string{"TERM": "xterm"}, true, []string{"--quiet"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &Env{Getenv: func(k string) string { return tt.vars[k] }, IsTerminal: func(io.Writer) bool { return tt.terminal }}
			var o outputFlags
			fs := newFlagSet(env, "test", "", "")
			o.addFormat(fs)
			o.addTerminal(fs)
			if err := fs.Parse(tt.flags); err != nil {
				t.Fatal(err)
			}
			s, err := o.settings(env.Getenv)
			if err == nil {
				err = o.terminal(env, &s)
			}
			if err != nil || s.progress != tt.progress || s.warnings != tt.warnings {
				t.Errorf("progress %v warnings %v (%v), want %v %v", s.progress, s.warnings, err, tt.progress, tt.warnings)
			}
		})
	}
	quiet := keikai(t, phfLine, "analyze", "--quiet", "-", "testdata/no-such-file")
	if strings.Contains(quiet.stderr, "no-such-file") || quiet.code != exitFindings || !strings.Contains(quiet.stderr, "incomplete") {
		t.Errorf("--quiet: exit %d, stderr %q; want no per-input warning but the note that the result is incomplete", quiet.code, quiet.stderr)
	}
}
