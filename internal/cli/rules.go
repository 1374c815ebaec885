package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/output"
	"github.com/keikai-project/keikai/internal/selftest"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/rules"
)

// loadEngine loads the bundled rules plus the rules in dirs and compiles them. Rules for log
// sources keikai does not read (a SigmaHQ directory has many) are skipped with one note.
func loadEngine(dirs []string, env *Env) (*engine.Engine, error) {
	set, err := loadRules(dirs, env)
	if err != nil {
		return nil, err
	}
	eng, err := engine.New(set)
	if err != nil {
		return nil, fmt.Errorf("compile rules: %w", err)
	}
	return eng, nil
}

func loadRules(dirs []string, env *Env) (*sigma.Set, error) {
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("bundled rules are broken (a bug in this build of keikai): %w", err)
	}
	for _, dir := range dirs {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("--rules %s: %w", dir, err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("--rules %s: not a directory; give the directory that holds the .yml rule files", dir)
		}
		user, err := sigma.LoadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("rules in %s:\n%w", dir, err)
		}
		if n := len(user.Unsupported); n > 0 {
			fmt.Fprintf(env.Stderr, "keikai: note: %d rules in %s skipped: their log sources are not ones keikai reads (for example %q: %s)\n",
				n, dir, user.Unsupported[0].Title, user.Unsupported[0].Unsupported)
		}
		if err := set.Add(user); err != nil {
			return nil, fmt.Errorf("rules in %s: %w", dir, err)
		}
	}
	return set, nil
}

const rulesHelp = `
Subcommands:
  list      list the loaded rules (bundled, plus --rules directories)
  test      run every rule against the samples it carries; exit 1 if any sample fails
  literals  print the literals the engine's prefilter searches for, one per line
            (bench/ uses them to run ripgrep over the same corpus)`

func runRules(env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(env.Stdout, "Usage: keikai rules <list|test|literals> [flags]\n%s\n", rulesHelp)
		if len(args) == 0 {
			return exitError
		}
		return exitClean
	}
	sub, args := args[0], args[1:]
	var dirs stringList
	outFlags := outputFlags{format: string(output.Text)} // literals takes no --format
	fs := newFlagSet(env, "rules "+sub, "[flags]", rulesHelp)
	fs.Var(&dirs, "rules", "also load rules from `DIR` (repeatable)")
	if sub == "list" || sub == "test" {
		outFlags.addFormat(fs)
	}
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "rules "+sub, err)
	}
	if len(rest) > 0 {
		return fail(env, "rules "+sub, fmt.Errorf("%w: unexpected argument %q (use --rules DIR to add rules)", errUsage, rest[0]))
	}
	settings, err := outFlags.settings(env.Getenv)
	if err != nil {
		return fail(env, "rules "+sub, err)
	}
	f := settings.format
	eng, err := loadEngine(dirs, env)
	if err != nil {
		return fail(env, "rules "+sub, err)
	}
	switch sub {
	case "list":
		return rulesList(env, eng, f)
	case "test":
		return rulesTest(env, eng, f)
	case "literals":
		for _, l := range eng.Literals() {
			fmt.Fprintln(env.Stdout, escape.String(l))
		}
		return exitClean
	}
	return fail(env, "rules", fmt.Errorf("%w: unknown subcommand %q: use list, test or literals", errUsage, sub))
}

type ruleInfo struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Level       string   `json:"level"`
	Status      string   `json:"status,omitempty"`
	Category    string   `json:"category"`
	RSIT        string   `json:"rsit"`
	Advisories  []string `json:"advisories"`
	Logsource   string   `json:"logsource"`
	Correlation string   `json:"correlation,omitempty"`
	Generates   bool     `json:"generates"`
	File        string   `json:"file"`
	Line        int      `json:"line"`
}

func describe(r *sigma.Rule) ruleInfo {
	var ls []string
	for _, kv := range [][2]string{{"category", r.Logsource.Category}, {"product", r.Logsource.Product}, {"service", r.Logsource.Service}} {
		if kv[1] != "" {
			ls = append(ls, kv[0]+"="+kv[1])
		}
	}
	info := ruleInfo{
		ID: r.Key(), Title: r.Title, Level: r.Level.String(), Status: r.Status, Category: r.Category(),
		RSIT: r.RSIT(), Advisories: r.Advisories(), Logsource: strings.Join(ls, ","), Generates: r.Generates(),
		File: r.File, Line: r.Line,
	}
	if info.Advisories == nil {
		info.Advisories = []string{}
	}
	if c := r.Correlation; c != nil {
		info.Correlation = fmt.Sprint(c.Type)
		info.Generates = true
	}
	return info
}

func rulesList(env *Env, eng *engine.Engine, f output.Format) int {
	all := append(append([]*sigma.Rule(nil), eng.Rules...), eng.Correlations...)
	infos := make([]ruleInfo, 0, len(all))
	for _, r := range all {
		infos = append(infos, describe(r))
	}
	switch f {
	case output.JSON, output.NDJSON:
		if err := writeData(env.Stdout, f, infos, infos); err != nil {
			return fail(env, "rules list", err)
		}
	default:
		for _, i := range infos {
			kind := i.Logsource
			if i.Correlation != "" {
				kind = "correlation " + i.Correlation
			}
			fmt.Fprintf(env.Stdout, "%-36s %-8s %-11s %-28s %s\n", i.ID, i.Level, i.Category, kind, i.Title)
		}
		fmt.Fprintf(env.Stdout, "%d rules\n", len(infos))
	}
	return exitClean
}

type sampleResult struct {
	Rule   string `json:"rule"`
	Title  string `json:"title"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Want   string `json:"want"`
	Passed bool   `json:"passed"`
	Error  string `json:"error,omitempty"`
}

func rulesTest(env *Env, eng *engine.Engine, f output.Format) int {
	var out []sampleResult
	failed := 0
	for _, r := range selftest.Missing(eng) {
		failed++
		out = append(out, sampleResult{Rule: r.Key(), Title: r.Title, File: r.File, Line: r.Line, Want: "samples",
			Error: "rule has no match or no nomatch sample; add both under samples:"})
	}
	for _, res := range selftest.Run(eng) {
		want := "nomatch"
		if res.Want {
			want = "match"
		}
		sr := sampleResult{Rule: res.Rule.Key(), Title: res.Rule.Title, File: res.Rule.File, Line: res.Sample.Line, Want: want, Passed: res.Passed()}
		if res.Err != nil {
			sr.Error = res.Err.Error()
		} else if !sr.Passed && res.Want {
			sr.Error = "the rule did not fire on this sample"
		} else if !sr.Passed {
			sr.Error = "the rule fired on this sample"
		}
		if !sr.Passed {
			failed++
		}
		out = append(out, sr)
	}
	switch f {
	case output.JSON, output.NDJSON:
		if err := writeData(env.Stdout, f, map[string]any{"results": out, "failed": failed}, out); err != nil {
			return fail(env, "rules test", err)
		}
	default:
		for _, r := range out {
			if !r.Passed {
				fmt.Fprintf(env.Stdout, "FAIL %s:%d: %s (%s sample): %s\n", r.File, r.Line, r.Title, r.Want, r.Error)
			}
		}
		fmt.Fprintf(env.Stdout, "%d samples of %d rules: %d passed, %d failed\n", len(out), len(eng.Rules)+len(eng.Correlations), len(out)-failed, failed)
	}
	if failed > 0 {
		return exitFindings
	}
	return exitClean
}

// writeData writes machine-readable output: doc as one JSON document, or for ndjson each of items
// on a line of its own.
func writeData[T any](w io.Writer, f output.Format, doc any, items []T) error {
	if f == output.NDJSON {
		enc := json.NewEncoder(w)
		for _, it := range items {
			if err := enc.Encode(it); err != nil {
				return err
			}
		}
		return nil
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
