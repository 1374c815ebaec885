package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/output"
)

// newFlagSet returns a flag set whose --help prints the command's synopsis and flags.
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
// positional arguments, or flag.ErrHelp once the usage was printed for -h/--help.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, flag.ErrHelp // the flag package has printed the usage
			}
			return nil, fmt.Errorf("%w: %v (see --help)", errUsage, err)
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

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

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
// the subcommand reads logs or writes prose. They are declared and checked here only, so every
// subcommand spells and rejects them the same way.
type outputFlags struct {
	format, tz, lang string
	hasTZ            bool
}

func (o *outputFlags) addFormat(fs *flag.FlagSet) {
	fs.StringVar(&o.format, "format", "text", "output `format`: text, json or ndjson")
}

func (o *outputFlags) addTZ(fs *flag.FlagSet, usage string) {
	o.hasTZ = true
	fs.StringVar(&o.tz, "tz", "Local", usage)
}

func (o *outputFlags) addLang(fs *flag.FlagSet) {
	fs.StringVar(&o.lang, "lang", "", "language of prose: ja or en (default: from LANG)")
}

// outputSettings are outputFlags checked and resolved.
type outputSettings struct {
	format output.Format
	loc    *time.Location // nil when the subcommand takes no --tz
	lang   string         // from --lang, else from the locale
}

// settings checks the flags; a bad value is a usage error that names the flag.
func (o *outputFlags) settings(getenv func(string) string) (outputSettings, error) {
	var s outputSettings
	f, err := output.ParseFormat(o.format)
	if err != nil {
		return s, fmt.Errorf("%w: --format: %v", errUsage, err)
	}
	s.format = f
	if o.hasTZ {
		if s.loc, err = time.LoadLocation(o.tz); err != nil {
			return s, fmt.Errorf("%w: --tz %q: %v", errUsage, o.tz, err)
		}
	}
	if s.lang, err = langFrom(o.lang, getenv); err != nil {
		return s, err
	}
	return s, nil
}
