package output

import (
	"strings"

	"golang.org/x/text/width"

	"github.com/keikai-project/keikai/internal/ascii"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/finding"
)

// Width is how many terminal columns s takes: East Asian wide and fullwidth runes take two, so a
// Japanese label lines up with an English one.
func Width(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// padRight fills s with spaces to cols columns.
func padRight(s string, cols int) string {
	if w := Width(s); w < cols {
		return s + strings.Repeat(" ", cols-w)
	}
	return s
}

// padLeft right-aligns s in cols columns.
func padLeft(s string, cols int) string {
	if w := Width(s); w < cols {
		return strings.Repeat(" ", cols-w) + s
	}
	return s
}

// Truncate cuts s to at most cols columns, never inside a rune.
func Truncate(s string, cols int) string {
	n := 0
	for i, r := range s {
		w := Width(string(r))
		if n+w > cols {
			return s[:i]
		}
		n += w
	}
	return s
}

// Slug is a rule's short readable name, made from its English title: lower-case ASCII letters and
// digits joined by hyphens, at most 48 characters, cut at a word boundary. It is ASCII whatever the
// title holds, so it is safe on any terminal and in a shell argument.
func Slug(title string) string {
	const maxLen = 48
	var b strings.Builder
	dash := false
	for i := 0; i < len(title); i++ {
		c := ascii.Lower(title[i])
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteByte(c)
			continue
		}
		if c == '\'' {
			continue // "Apache's" reads as "apaches", not "apache-s"
		}
		dash = true
	}
	s := b.String()
	if len(s) > maxLen {
		s = s[:maxLen]
		if i := strings.LastIndexByte(s, '-'); i > maxLen/2 {
			s = s[:i]
		}
	}
	if s == "" {
		return "rule"
	}
	return s
}

// RuleText escapes a text that came from a rule file (title, id, tag, advisory ID) for a person
// or a document: the same escaping as log text, so that a rule author cannot reach the terminal.
func RuleText(s string) string { return escape.String(s) }

// withRuleTextsEscaped returns f, or a copy of it whose rule-file texts are escaped when any of
// them needs it. Log text in a finding is escaped when the finding is made; the rule's own texts
// are escaped here, once, for every format.
func withRuleTextsEscaped(f *finding.Finding) *finding.Finding {
	clean := func(s string) bool { return RuleText(s) == s }
	ok := clean(f.Rule) && clean(f.Title) && clean(f.TitleJa) && clean(f.Category) && clean(f.RSIT) && clean(f.Level)
	for _, a := range f.Advisories {
		ok = ok && clean(a)
	}
	if ok {
		return f
	}
	c := *f
	c.Rule, c.Title, c.TitleJa = RuleText(f.Rule), RuleText(f.Title), RuleText(f.TitleJa)
	c.Category, c.RSIT, c.Level = RuleText(f.Category), RuleText(f.RSIT), RuleText(f.Level)
	c.Advisories = make([]string, len(f.Advisories))
	for i, a := range f.Advisories {
		c.Advisories[i] = RuleText(a)
	}
	return &c
}
