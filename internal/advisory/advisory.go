// Package advisory is the publishing model: the advisories a CSIRT issues (emergency advisories
// 緊急報告, alerts 注意喚起, activity reports 活動概要), loaded from source files, checked, and
// rendered in the layout of JPCERT/CC's documents. The advisories that keikai ships live in the
// repository's advisories/ folder; their countermeasures are what `keikai check` prints beside a
// finding.
//
// # Source layout
//
// One directory per advisory, named after its ID:
//
//	advisories/JPCERT-E-INF-98-0001/
//	    advisory.yml   metadata: kind, dates, editions, expiry, URL, TLP, rules, products,
//	                   references with mirrors, countermeasures (both languages)
//	    ja.md          the prose in Japanese, as published
//	    en.md          the same prose in English
//
// The metadata is YAML because it is data that tools read (CSAF, bundles, check); the prose is
// a small Markdown subset because it is what an analyst writes and a reviewer reads in a diff: one
// sentence changed is one line changed, and each language changes on its own. A single file with
// front matter would put two languages' prose in one file, where a Japanese change and its English
// counterpart are hard to review together line by line; two prose files side by side are not.
//
// The prose syntax (see parseBody): text before the first heading is the preamble; "## Title
// {#id}" starts a numbered section, "{#id .appendix}" an unnumbered one, "{#id .notice}" a block
// of the trailer (contact, disclaimer, reprint notice); "### Title" starts a subsection; blank
// lines separate paragraphs; lines indented by four spaces are kept verbatim (log lines, URLs);
// a line starting with "・", "※", "* ", "(n)", "(*n)" or "[n]" starts a list item. In a notice, {expires} and {url}
// stand for the advisory's expiry date and canonical URL, so a reprint notice never disagrees with
// the header.
package advisory

import (
	"fmt"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/finding"
)

// Kind is the kind of document, as JPCERT/CC published them.
type Kind string

// Kinds of advisory document.
const (
	KindEmergency      Kind = "emergency"       // 緊急報告 (JPCERT-E-...)
	KindAlert          Kind = "alert"           // 注意喚起 (JPCERT-AT-...)
	KindActivityReport Kind = "activity-report" // 活動概要 (JPCERT-PR-...)
)

// Label is the kind's name in Japanese and English.
func (k Kind) Label() finding.Text {
	switch k {
	case KindEmergency:
		return finding.Text{Ja: "緊急報告", En: "Emergency Advisory"}
	case KindAlert:
		return finding.Text{Ja: "注意喚起", En: "Alert"}
	case KindActivityReport:
		return finding.Text{Ja: "活動概要", En: "Activity Report"}
	}
	return finding.Text{Ja: string(k), En: string(k)}
}

// requiredSections are the sections an advisory of each kind must have, in both languages.
var requiredSections = map[Kind][]string{
	KindEmergency:      {"situation", "impact", "detection", "countermeasures", "references"},
	KindAlert:          {"detection", "countermeasures"},
	KindActivityReport: {},
}

// Languages of the prose; every advisory has both.
const (
	Ja = "ja"
	En = "en"
)

// Advisory is one published document with all its editions.
type Advisory struct {
	// ID identifies the advisory across editions (JPCERT-E-INF-98-0001); rules name it in their
	// advisory.<ID> tag.
	ID string
	// EditionInID appends the edition as "-NN" to the printed ID, as JPCERT/CC's 1998 scheme did
	// (JPCERT-E-INF-98-0001-01); later schemes print the ID alone.
	EditionInID bool
	Kind        Kind
	// Label overrides the kind's word in the heading (JPCERT-AT-2002-0006 was headed 緊急報告).
	Label  finding.Text
	Issuer string
	Title  finding.Text
	// Editions are in order, the first edition first.
	Editions []Edition
	// Expires is the date after which the advisory must not be reprinted; zero when it has none.
	Expires time.Time
	URL     string
	// TLP is the Traffic Light Protocol label: CLEAR, GREEN, AMBER or RED.
	TLP string
	// DateLayout is how dates are printed in the text (Go layout); 1998's documents used 2006/01/02.
	DateLayout string
	// Rules are the IDs of the detection rules that implement the advisory's detection section.
	Rules           []string
	Products        []Product
	References      []Reference
	Countermeasures []finding.Text
	// Updates are the steps for a host that runs an affected version but shows no sign of
	// compromise: update, not rebuild. Empty means the countermeasures apply as they are.
	Updates []finding.Text
	// Body holds the prose per language (Ja, En).
	Body map[string]*Body

	// Dir is the directory the advisory was loaded from; lines holds where each metadata key is.
	Dir       string
	lines     map[string]int
	ruleLines []int
}

// Edition is one published version.
type Edition struct {
	Number int
	Date   time.Time
	// Note says what changed, one line per change.
	Note finding.Text
	Line int
}

// Product is an affected product and the versions it is affected in.
type Product struct {
	Name   string
	Vendor string
	// Affected are version constraints ("<= 0.9.6d", "<= 0.9.7-beta2"); Fixed is the first fixed
	// version, when there is one.
	Affected []string
	Fixed    string
	Line     int
}

// Reference is a document the advisory cites.
type Reference struct {
	Title   finding.Text
	URL     string
	Mirrors []string
	// Inline marks a reference the prose already cites in place, so the text rendering does not
	// list it again; CSAF and HTML list every reference.
	Inline bool
	Line   int
}

// Issued is the date of the first edition.
func (a *Advisory) Issued() time.Time {
	if len(a.Editions) == 0 {
		return time.Time{}
	}
	return a.Editions[0].Date
}

// Latest is the current edition.
func (a *Advisory) Latest() Edition {
	if len(a.Editions) == 0 {
		return Edition{}
	}
	return a.Editions[len(a.Editions)-1]
}

// PrintedID is the ID as the document prints it for the given edition.
func (a *Advisory) PrintedID(edition int) string {
	if a.EditionInID {
		return fmt.Sprintf("%s-%02d", a.ID, edition)
	}
	return a.ID
}

// ExpiredAt reports whether the advisory has expired at t.
func (a *Advisory) ExpiredAt(t time.Time) bool {
	return !a.Expires.IsZero() && t.After(a.Expires.AddDate(0, 0, 1))
}

// HeadingLabel is the word that heads the document: the kind's, unless the advisory overrides it.
func (a *Advisory) HeadingLabel() finding.Text {
	if a.Label.Ja != "" || a.Label.En != "" {
		return a.Label
	}
	return a.Kind.Label()
}

// FormatDate prints t the way the advisory prints dates.
func (a *Advisory) FormatDate(t time.Time) string {
	layout := a.DateLayout
	if layout == "" {
		layout = time.DateOnly
	}
	return t.Format(layout)
}

// InLang picks one language of a bilingual text.
func InLang(t finding.Text, lang string) string {
	if lang == Ja {
		return t.Ja
	}
	return t.En
}

// Substitute fills the placeholders a notice may use: {expires} and {url}.
func Substitute(a *Advisory, s, lang string) string {
	exp := ""
	if !a.Expires.IsZero() {
		if lang == Ja {
			exp = fmt.Sprintf("%d年%d月%d日", a.Expires.Year(), a.Expires.Month(), a.Expires.Day())
		} else {
			exp = a.Expires.Format("January 2, 2006")
		}
	}
	return strings.NewReplacer("{expires}", exp, "{url}", a.URL).Replace(s)
}
