package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/keikai-project/keikai/internal/ascii"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/output"
	"github.com/keikai-project/keikai/internal/selftest"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/rules"
)

// loadEngine loads the bundled rules plus the rules in dirs and compiles them. Rules for log
// sources keikai does not read (a SigmaHQ directory has many) are skipped with one note. The
// bundled rules' samples and prose (description and such) are loaded only if samples is set.
func loadEngine(dirs []string, env *Env, samples bool) (*engine.Engine, error) {
	set, err := loadRules(dirs, env, samples)
	if err != nil {
		return nil, err
	}
	eng, err := engine.New(set)
	if err != nil {
		return nil, fmt.Errorf("compile rules: %w", err)
	}
	return eng, nil
}

func loadRules(dirs []string, env *Env, samples bool) (*sigma.Set, error) {
	// Decoding the bundled rules is most of the start-up of analyze and check, and their samples
	// and prose are three quarters of it; only rules test and show use them. The rest is read
	// from nodes decoded when the rules were written.
	var set *sigma.Set
	var err error
	if samples {
		set, err = sigma.LoadFS(rules.FS, ".")
	} else {
		set, err = sigma.LoadFSForMatching(rules.FS, ".", sigma.NewNodeCache(rules.NodeCache))
	}
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
			fmt.Fprintf(env.Stderr, "keikai: note: %d rules in %s skipped: their log sources are not ones keikai reads (for example \"%s\": %s)\n",
				n, escape.String(dir), escape.String(user.Unsupported[0].Title), escape.String(user.Unsupported[0].Unsupported))
		}
		if err := set.Add(user); err != nil {
			return nil, fmt.Errorf("rules in %s: %w", dir, err)
		}
	}
	return set, nil
}

const rulesHelp = `
Subcommands:
  list      list the loaded rules (bundled, plus --rules directories) with their short names
  show      show one rule in full, by ID or short name (keikai rules show ID|NAME)
  test      run every rule against the samples it carries; exit 1 if any sample fails
  literals  print the literals the engine's prefilter searches for, one per line
            (bench/ uses them to run ripgrep over the same corpus)`

var rulesSubcommands = []string{"list", "show", "test", "literals"}

func runRules(env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := env.Stdout
		if len(args) == 0 {
			w = env.Stderr
		}
		fmt.Fprintf(w, "Usage: keikai rules <list|show|test|literals> [flags]\n%s\n", rulesHelp)
		if len(args) == 0 {
			return exitError
		}
		return exitClean
	}
	sub, args := args[0], args[1:]
	if !slices.Contains(rulesSubcommands, sub) {
		hint := "use list, show, test or literals"
		if s := suggest(sub, rulesSubcommands); s != "" {
			hint = "did you mean \"" + s + "\"?"
		}
		return fail(env, "rules", fmt.Errorf("%w: unknown subcommand \"%s\"; %s", errUsage, sub, hint))
	}
	var dirs stringList
	outFlags := outputFlags{format: string(output.Text)} // literals takes no --format
	synopsis := "[flags]"
	if sub == "show" {
		synopsis = "[flags] ID|NAME"
	}
	fs := newFlagSet(env, "rules "+sub, synopsis, rulesHelp)
	fs.Var(&dirs, "rules", "also load rules from `DIR` (repeatable)")
	if sub != "literals" {
		outFlags.addFormat(fs)
	}
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "rules "+sub, err)
	}
	wantArgs := 0
	if sub == "show" {
		wantArgs = 1
	}
	if len(rest) != wantArgs {
		if wantArgs == 1 {
			return fail(env, "rules show", fmt.Errorf("%w: name one rule: its ID or its short name from 'keikai rules list'", errUsage))
		}
		return fail(env, "rules "+sub, fmt.Errorf("%w: unexpected argument \"%s\" (use --rules DIR to add rules)", errUsage, rest[0]))
	}
	settings, err := outFlags.settings(env.Getenv)
	if err != nil {
		return fail(env, "rules "+sub, err)
	}
	f := settings.format
	eng, err := loadEngine(dirs, env, sub == "test" || sub == "show")
	if err != nil {
		return fail(env, "rules "+sub, err)
	}
	switch sub {
	case "list":
		return rulesList(env, eng, f)
	case "test":
		return rulesTest(env, eng, f)
	case "show":
		return rulesShow(env, eng, f, rest[0])
	case "literals":
		for _, l := range eng.Literals() {
			fmt.Fprintln(env.Stdout, escape.String(l))
		}
		return exitClean
	}
	return exitError // unreachable: sub was checked above
}

type ruleInfo struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Title       string   `json:"title"`
	TitleJa     string   `json:"title_ja,omitempty"`
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
	// Every text here came from a rule file: escaped once, here, for every format.
	e := escape.String
	info := ruleInfo{
		ID: e(r.Key()), Name: output.Slug(r.Title), Title: e(r.Title), TitleJa: e(r.TitleJa), Level: r.Level.String(), Status: e(r.Status),
		Category: e(r.Category()), RSIT: e(r.RSIT()), Logsource: e(strings.Join(ls, ",")), Generates: r.Generates(),
		File: e(r.File), Line: r.Line, Advisories: []string{},
	}
	for _, a := range r.Advisories() {
		info.Advisories = append(info.Advisories, e(a))
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
			fmt.Fprintf(env.Stdout, "%-36s %-8s %-11s %-28s %s\n    %s\n", i.ID, i.Level, i.Category, kind, i.Name, i.Title)
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
		out = append(out, sampleResult{Rule: escape.String(r.Key()), Title: escape.String(r.Title), File: escape.String(r.File), Line: r.Line, Want: "samples",
			Error: "rule has no match or no nomatch sample; add both under samples:"})
	}
	for _, res := range selftest.Run(eng) {
		want := "nomatch"
		if res.Want {
			want = "match"
		}
		sr := sampleResult{Rule: escape.String(res.Rule.Key()), Title: escape.String(res.Rule.Title), File: escape.String(res.Rule.File),
			Line: res.Sample.Line, Want: want, Passed: res.Passed()}
		if res.Err != nil {
			sr.Error = escape.String(res.Err.Error())
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

// rulesShow prints one rule in full, found by its ID or its short name.
func rulesShow(env *Env, eng *engine.Engine, f output.Format, name string) int {
	all := append(append([]*sigma.Rule(nil), eng.Rules...), eng.Correlations...)
	var found []*sigma.Rule
	for _, r := range all {
		if r.Key() == name || r.ID == name || output.Slug(r.Title) == ascii.ToLower(name) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return fail(env, "rules show", fmt.Errorf("no rule has the ID or name \"%s\"; 'keikai rules list' lists them", name))
	case 1:
	default:
		var ids []string
		for _, r := range found {
			ids = append(ids, r.Key())
		}
		return fail(env, "rules show", fmt.Errorf("%d rules are named \"%s\"; give one of their IDs: %s", len(found), name, strings.Join(ids, ", ")))
	}
	r := found[0]
	info := describe(r)
	if f != output.Text {
		if err := writeData(env.Stdout, f, info, []ruleInfo{info}); err != nil {
			return fail(env, "rules show", err)
		}
		return exitClean
	}
	e := escape.String
	var b strings.Builder
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-15s %s\n", label+":", value)
		}
	}
	row("name", info.Name)
	row("id", info.ID)
	row("title", info.Title)
	row("title (ja)", info.TitleJa)
	row("level", info.Level)
	row("status", info.Status)
	row("category", info.Category)
	row("rsit", info.RSIT)
	row("advisories", strings.Join(info.Advisories, ", "))
	row("logsource", info.Logsource)
	row("correlation", info.Correlation)
	row("file", fmt.Sprintf("%s:%d", info.File, info.Line))
	row("description", e(strings.TrimSpace(r.Description)))
	for _, ref := range r.References {
		row("reference", e(ref))
	}
	for _, fp := range r.FalsePositives {
		row("false positive", e(fp))
	}
	var tags []string
	for _, t := range r.Tags {
		tags = append(tags, e(t))
	}
	row("tags", strings.Join(tags, ", "))
	row("samples", fmt.Sprintf("%d match, %d nomatch", len(r.Samples.Match), len(r.Samples.NoMatch)))
	io.WriteString(env.Stdout, b.String())
	return exitClean
}
