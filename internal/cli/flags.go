package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/output"
)

// newFlagSet returns a flag set whose --help prints the command's synopsis and flags, once, to
// standard output.
func newFlagSet(env *Env, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet("keikai "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		w := env.Stdout
		fmt.Fprintf(w, "Usage: keikai %s %s\n\n%s\n\nFlags:\n", name, synopsis, strings.TrimSpace(description))
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseInterleaved parses flags that may stand before, between or after the positional
// arguments (`keikai analyze /var/log --format json`); "--" ends the flags. It returns the
// positional arguments, or flag.ErrHelp after printing the help for -h/--help. The flag package
// calls Usage itself on -h and on every error; that is silenced here, so the help is printed once
// when asked for and never on a mistake (fail prints one line and a hint instead).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	help := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = help }()
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				help()
				return nil, flag.ErrHelp
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// stringList is a repeatable string flag; a value may also list several, comma-separated.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// split returns the values with comma-separated lists opened up.
func (s stringList) split() []string {
	var out []string
	for _, v := range s {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// langFrom picks the language of prose from --lang or the locale.
func langFrom(flagValue string, getenv func(string) string) (string, error) {
	switch flagValue {
	case "ja", "en":
		return flagValue, nil
	case "":
	default:
		return "", fmt.Errorf("%w: --lang must be ja or en", errUsage)
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := getenv(v); l != "" {
			if strings.HasPrefix(l, "ja") {
				return "ja", nil
			}
			return "en", nil
		}
	}
	return "en", nil
}

// outputFlags are the flags that say how a subcommand reports: --format, and --tz and --lang where
// the subcommand reads logs or writes prose, and for the commands that report findings --output,
// --color, --quiet and --no-progress. They are declared and checked here only, so every
// subcommand spells and rejects them the same way.
type outputFlags struct {
	format, tz, lang string
	hasTZ            bool
	// terminal flags, with hasTerminal
	hasTerminal       bool
	color, outputFile string
	quiet, noProgress bool
}

func (o *outputFlags) addFormat(fs *flag.FlagSet) {
	fs.StringVar(&o.format, "format", "text", "output `format`: text (grouped, for people), json, ndjson, sarif (2.1.0) or csv")
}

func (o *outputFlags) addTZ(fs *flag.FlagSet, usage string) {
	o.hasTZ = true
	fs.StringVar(&o.tz, "tz", "Local", usage)
}

func (o *outputFlags) addLang(fs *flag.FlagSet) {
	fs.StringVar(&o.lang, "lang", "", "language of prose: ja or en (default: from LANG)")
}

// addTerminal declares the flags of commands that report findings and may run long.
func (o *outputFlags) addTerminal(fs *flag.FlagSet) {
	o.hasTerminal = true
	fs.StringVar(&o.outputFile, "output", "", "write the report to `FILE` instead of standard output (replaced only when complete)")
	fs.StringVar(&o.color, "color", "auto", "colour levels: auto (a terminal, unless NO_COLOR is set or TERM=dumb), always or never")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar and no per-input warnings (errors, and the count of warnings in the summary, remain)")
	fs.BoolVar(&o.noProgress, "no-progress", false, "no progress bar")
}

// outputSettings are outputFlags checked and resolved.
type outputSettings struct {
	format output.Format
	loc    *time.Location // nil when the subcommand takes no --tz
	lang   string         // from --lang, else from the locale
	// color, progress and warnings are resolved against the terminal and the environment.
	color, progress, warnings bool
	outputFile                string
}

// settings checks the flags; a bad value is a usage error that names the flag. Commands with
// addTerminal resolve those flags with terminal.
func (o *outputFlags) settings(getenv func(string) string) (outputSettings, error) {
	var s outputSettings
	f, err := output.ParseFormat(o.format)
	if err != nil {
		return s, fmt.Errorf("%w: --format: %v", errUsage, err)
	}
	s.format = f
	if o.hasTZ {
		if s.loc, err = time.LoadLocation(o.tz); err != nil {
			return s, fmt.Errorf("%w: --tz \"%s\": %v", errUsage, o.tz, err)
		}
	}
	if s.lang, err = langFrom(o.lang, getenv); err != nil {
		return s, err
	}
	s.warnings = true
	return s, nil
}

// terminal resolves --color, --quiet, --no-progress and --output against the terminal and the
// environment: NO_COLOR and TERM=dumb mean no colour unless --color always says otherwise.
func (o *outputFlags) terminal(env *Env, s *outputSettings) error {
	dumb := env.Getenv("TERM") == "dumb"
	switch o.color {
	case "always":
		s.color = true
	case "never":
	case "auto":
		s.color = o.outputFile == "" && env.IsTerminal(env.Stdout) && env.Getenv("NO_COLOR") == "" && !dumb
	default:
		return fmt.Errorf("%w: --color must be auto, always or never", errUsage)
	}
	// A dumb terminal cannot erase a line, so a bar would pile up instead of being redrawn.
	s.progress = !o.quiet && !o.noProgress && !dumb && env.IsTerminal(env.Stderr)
	s.warnings = !o.quiet
	s.outputFile = o.outputFile
	return nil
}

// reportFile is where a report goes with --output: a temporary file beside FILE, renamed over it
// only when the report is complete, so an interrupted run never leaves half a report under the
// name a script reads.
type reportFile struct {
	tmp  *os.File
	name string
}

func createReportFile(name string) (*reportFile, error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return nil, fmt.Errorf("--output %s: %w", name, err)
	}
	return &reportFile{tmp: tmp, name: name}, nil
}

// commit renames the finished report into place.
func (r *reportFile) commit() error {
	if err := r.tmp.Close(); err != nil {
		os.Remove(r.tmp.Name())
		return fmt.Errorf("--output %s: %w", r.name, err)
	}
	if err := os.Rename(r.tmp.Name(), r.name); err != nil {
		os.Remove(r.tmp.Name())
		return fmt.Errorf("--output %s: %w", r.name, err)
	}
	return nil
}

// discard removes an unfinished report; commit after discard is an error nobody makes.
func (r *reportFile) discard() {
	r.tmp.Close()
	os.Remove(r.tmp.Name())
}
