package cli

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/ascii"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/output"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

var levels = []string{"informational", "low", "medium", "high", "critical"}

// findingFilter selects the findings a person asked to see. The summary still counts every
// finding; the exit code follows the findings shown.
type findingFilter struct {
	minLevel             string
	categories           stringList
	rules, excludeRules  stringList
	sinceText, untilText string
	hasTime              bool

	minRank        int
	cats           map[string]bool
	only, leaveOut []string
	since, until   time.Time
}

func (ff *findingFilter) addSelection(fs *flag.FlagSet) {
	fs.StringVar(&ff.minLevel, "min-level", "", "show findings of this `level` or above: informational, low, medium, high, critical")
	fs.Var(&ff.categories, "category", "show findings of this `category` only (repeatable or comma-separated: "+strings.Join(categoryKeys(), ", ")+")")
	fs.Var(&ff.rules, "rule", "show findings of this rule only, by `ID or name` (repeatable)")
	fs.Var(&ff.excludeRules, "exclude-rule", "leave out findings of this rule, by `ID or name` (repeatable)")
}

func (ff *findingFilter) addTimeRange(fs *flag.FlagSet) {
	ff.hasTime = true
	fs.StringVar(&ff.sinceText, "since", "", "show findings at or after `TIME` (2004-05-26, 2004-05-26T06:00, or RFC 3339; zone from --tz); findings without a time are left out")
	fs.StringVar(&ff.untilText, "until", "", "show findings before `TIME` (same forms as --since)")
}

func categoryKeys() []string {
	var keys []string
	for _, c := range taxonomy.Categories() {
		keys = append(keys, c.Key)
	}
	return keys
}

// resolve checks the values; loc is the zone of times given without one.
func (ff *findingFilter) resolve(loc *time.Location) error {
	ff.minRank = -1
	if ff.minLevel != "" {
		if ff.minRank = slices.Index(levels, ascii.ToLower(ff.minLevel)); ff.minRank < 0 {
			return fmt.Errorf("%w: --min-level must be one of %s", errUsage, strings.Join(levels, ", "))
		}
	}
	if cats := ff.categories.split(); len(cats) > 0 {
		ff.cats = map[string]bool{}
		for _, c := range cats {
			if !slices.Contains(categoryKeys(), c) {
				return fmt.Errorf("%w: --category \"%s\" is not a category; use %s", errUsage, c, strings.Join(categoryKeys(), ", "))
			}
			ff.cats[c] = true
		}
	}
	ff.only, ff.leaveOut = ff.rules.split(), ff.excludeRules.split()
	if loc == nil {
		loc = time.Local
	}
	var err error
	if ff.since, err = parseWhen(ff.sinceText, loc); err != nil {
		return fmt.Errorf("%w: --since: %v", errUsage, err)
	}
	if ff.until, err = parseWhen(ff.untilText, loc); err != nil {
		return fmt.Errorf("%w: --until: %v", errUsage, err)
	}
	if !ff.since.IsZero() && !ff.until.IsZero() && !ff.until.After(ff.since) {
		return fmt.Errorf("%w: --until must be later than --since", errUsage)
	}
	return nil
}

func parseWhen(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("\"%s\" is not a time: write 2004-05-26, 2004-05-26T06:00 or 2004-05-26T06:00:00+09:00", s)
}

// active reports whether any filter is set, and names them for the summary line.
func (ff *findingFilter) active() (string, bool) {
	var names []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"--min-level", ff.minLevel != ""}, {"--category", len(ff.cats) > 0}, {"--rule", len(ff.rules) > 0},
		{"--exclude-rule", len(ff.excludeRules) > 0}, {"--since", !ff.since.IsZero()}, {"--until", !ff.until.IsZero()},
	} {
		if f.set {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, " "), len(names) > 0
}

// ruleNamed reports whether f's rule is one of the given IDs or names.
func ruleNamed(f *finding.Finding, names []string) bool {
	slug := output.Slug(f.Title)
	for _, n := range names {
		if n == f.Rule || ascii.ToLower(n) == slug {
			return true
		}
	}
	return false
}

func (ff *findingFilter) keep(f *finding.Finding) bool {
	if ff.minRank >= 0 && slices.Index(levels, f.Level) < ff.minRank {
		return false
	}
	if ff.cats != nil && !ff.cats[f.Category] {
		return false
	}
	if len(ff.only) > 0 && !ruleNamed(f, ff.only) {
		return false
	}
	if len(ff.leaveOut) > 0 && ruleNamed(f, ff.leaveOut) {
		return false
	}
	if ff.since.IsZero() && ff.until.IsZero() {
		return true
	}
	t, err := time.Parse(time.RFC3339, f.Time)
	if err != nil {
		return false
	}
	return (ff.since.IsZero() || !t.Before(ff.since)) && (ff.until.IsZero() || t.Before(ff.until))
}
