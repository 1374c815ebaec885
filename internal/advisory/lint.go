package advisory

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/keikai-project/keikai/internal/sigma"
)

// Compiled on first use: package init is the start-up of every command.
var (
	versionConstraint = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(<=|<|>=|>|=)\s*[0-9A-Za-z][0-9A-Za-z.+~:_-]*$`) })
	tlpLabels         = []string{"CLEAR", "WHITE", "GREEN", "AMBER", "RED"}
)

// Lint checks every advisory in c against the rule set that implements them: required metadata
// and sections, dates in order, every edition with a change note, every linked rule loaded and
// tagged with the advisory, every rule tagged with the advisory linked. It returns nil when all
// is well.
func Lint(c *Collection, rules *sigma.Set) Problems {
	byID := map[string]*sigma.Rule{}
	tagged := map[string][]*sigma.Rule{}
	for _, list := range [][]*sigma.Rule{rules.Rules, rules.Unsupported} {
		for _, r := range list {
			if r.ID != "" {
				byID[r.ID] = r
			}
			for _, id := range r.Advisories() {
				tagged[id] = append(tagged[id], r)
			}
		}
	}
	var probs Problems
	for _, a := range c.Advisories {
		probs = append(probs, lintOne(a, byID, tagged[a.ID])...)
	}
	return probs
}

// UnknownAdvisoryTags reports rules tagged with an advisory that c does not hold: a finding of
// such a rule could not show its advisory's countermeasures.
func UnknownAdvisoryTags(c *Collection, rules *sigma.Set) Problems {
	var probs Problems
	for _, r := range append(slices.Clone(rules.Rules), rules.Unsupported...) {
		for _, id := range r.Advisories() {
			if _, ok := c.Lookup(id); !ok {
				probs = append(probs, Problem{File: r.File, Line: r.Line, Msg: fmt.Sprintf("tag advisory.%s names no advisory; known: %s", id, strings.Join(c.sortedIDs(), ", "))})
			}
		}
	}
	return probs
}

func lintOne(a *Advisory, rules map[string]*sigma.Rule, tagged []*sigma.Rule) Problems {
	var probs Problems
	file := a.file()
	at := func(line int, format string, args ...any) {
		probs = append(probs, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	if a.ID == "" {
		at(1, "id is missing")
	} else if base := filepath.Base(a.Dir); base != a.ID {
		at(a.line("id"), "id %s differs from its directory name %s; name the directory after the ID", a.ID, base)
	}
	switch a.Kind {
	case KindEmergency, KindAlert, KindActivityReport:
	default:
		at(a.line("kind"), "kind %q is not one of emergency, alert, activity-report", a.Kind)
	}
	if a.Issuer == "" {
		at(a.line("issuer"), "issuer is missing (the team that publishes the advisory)")
	}
	if a.Title.Ja == "" || a.Title.En == "" {
		at(a.line("title"), "title needs both ja and en")
	}
	if u, err := url.Parse(a.URL); a.URL == "" || err != nil || !u.IsAbs() {
		at(a.line("url"), "url %q must be the advisory's absolute canonical address", a.URL)
	}
	if !slices.Contains(tlpLabels, a.TLP) {
		at(a.line("tlp"), "tlp %q is not one of %s", a.TLP, strings.Join(tlpLabels, ", "))
	}
	if len(a.Editions) == 0 {
		at(a.line("editions"), "no edition; the first edition gives the issue date")
	}
	for i, e := range a.Editions {
		if e.Number != i+1 {
			at(e.Line, "edition number %d; editions are numbered 1, 2, 3 in order", e.Number)
		}
		if i > 0 && e.Date.Before(a.Editions[i-1].Date) {
			at(e.Line, "edition %d is dated before edition %d", e.Number, a.Editions[i-1].Number)
		}
		if strings.TrimSpace(e.Note.Ja) == "" || strings.TrimSpace(e.Note.En) == "" {
			at(e.Line, "edition %d has no change note in both ja and en; say what changed", e.Number)
		}
	}
	if !a.Expires.IsZero() && len(a.Editions) > 0 && a.Expires.Before(a.Issued()) {
		at(a.line("expires"), "expires %s is before the issue date %s", a.Expires.Format("2006-01-02"), a.Issued().Format("2006-01-02"))
	}
	if a.Kind != KindActivityReport && len(a.Countermeasures) == 0 {
		at(a.line("countermeasures"), "no countermeasures; keikai check prints them beside each finding")
	}
	for i, c := range a.Countermeasures {
		if c.Ja == "" || c.En == "" {
			at(a.line("countermeasures"), "countermeasure %d needs both ja and en", i+1)
		}
	}
	for _, r := range a.References {
		if u, err := url.Parse(r.URL); r.URL == "" || err != nil || !u.IsAbs() {
			at(r.Line, "reference %q needs an absolute url", r.Title.En)
		}
	}
	for _, p := range a.Products {
		if p.Name == "" {
			at(p.Line, "product without a name")
		}
		for _, c := range p.Affected {
			if !versionConstraint().MatchString(c) {
				at(p.Line, "affected version %q; write an operator and a version: \"<= 0.9.6d\"", c)
			}
		}
	}
	listed := map[string]bool{}
	for i, id := range a.Rules {
		listed[id] = true
		r, ok := rules[id]
		if !ok {
			at(a.ruleLines[i], "rule %s is not in the rule set; give the id: of a loaded rule", id)
			continue
		}
		if !slices.Contains(r.Advisories(), a.ID) {
			at(a.ruleLines[i], "rule %s (%s:%d) lacks the tag advisory.%s", id, r.File, r.Line, a.ID)
		}
	}
	for _, r := range tagged {
		if !listed[r.ID] {
			at(a.line("rules"), "rule %s (%s:%d) is tagged advisory.%s but not listed under rules", r.ID, r.File, r.Line, a.ID)
		}
	}
	if strings.Contains(a.Title.Ja+a.Title.En+a.URL, unfinished) {
		at(a.line("title"), "the title or url still says %s", unfinished)
	}
	for _, c := range a.Countermeasures {
		if strings.Contains(c.Ja+c.En, unfinished) {
			at(a.line("countermeasures"), "a countermeasure still says %s", unfinished)
		}
	}
	probs = append(probs, lintBodies(a)...)
	return probs
}

func lintBodies(a *Advisory) Problems {
	var probs Problems
	ja, en := a.Body[Ja], a.Body[En]
	for _, b := range []*Body{ja, en} {
		if b == nil {
			continue
		}
		at := func(line int, format string, args ...any) {
			probs = append(probs, Problem{File: b.File, Line: line, Msg: fmt.Sprintf(format, args...)})
		}
		for _, id := range requiredSections[a.Kind] {
			if _, ok := b.Section(id); !ok {
				at(1, "section #%s is missing; a %s has sections %s", id, a.Kind, strings.Join(requiredSections[a.Kind], ", "))
			}
		}
		if s, ok := b.Section("reprint"); !ok || s.Style != Notice {
			at(1, "the reprint notice is missing; add \"## ... {#reprint .notice}\"")
		}
		if len(a.References) > 0 {
			if _, ok := b.Section("references"); !ok {
				at(1, "section #references is missing; the references are listed there")
			}
		}
		for _, s := range b.Sections {
			if len(s.Blocks) == 0 {
				at(s.Line, "section #%s is empty", s.ID)
			}
			for _, bl := range s.Blocks {
				if strings.Contains(bl.Text, unfinished) {
					at(bl.Line, "section #%s still says %s", s.ID, unfinished)
				}
			}
			if s.Style != Notice && strings.TrimSpace(s.Title) == "" {
				at(s.Line, "section #%s has no title", s.ID)
			}
		}
	}
	if ja == nil || en == nil {
		return probs
	}
	ids := func(b *Body) []string {
		var out []string
		for _, s := range b.Sections {
			out = append(out, s.ID)
		}
		return out
	}
	if j, e := ids(ja), ids(en); !slices.Equal(j, e) {
		probs = append(probs, Problem{File: en.File, Line: 1, Msg: fmt.Sprintf("sections %v differ from the Japanese %v; both languages have the same sections in the same order", e, j)})
	}
	return probs
}
