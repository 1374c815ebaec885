package sigma

import (
	"reflect"
	"strconv"

	"github.com/keikai-project/keikai/internal/event"
)

// Rule is one loaded detection or correlation rule. The exported fields are the rule file's
// content; the unexported ones are what Compile derived from it for matching.
type Rule struct {
	File  string // the file the rule came from, as given to ParseFile
	Line  int    // line of the rule's first key
	Title string
	// TitleJa is keikai's title_ja attribute: the title in Japanese, for reports read in Japanese.
	TitleJa        string
	ID             string
	Name           string
	Status         string
	Description    string
	Author         string
	Date           string
	Modified       string
	License        string
	References     []string
	FalsePositives []string
	Tags           []string
	Fields         []string
	Level          Level
	Logsource      Logsource
	// Unsupported is set, with the reason, when the rule is valid Sigma but targets logs keikai does
	// not read (product windows, say). Such a rule never matches; sets count and skip it.
	Unsupported string
	Samples     Samples
	// Correlation is set for correlation rules and nil for detection rules.
	Correlation *Correlation

	doc        int // index of the YAML document in the file, for Key
	formats    FormatSet
	category   string
	rsit       string
	advisories []string
	cond       node
	lits       []string
	litsOK     bool
	generates  bool
}

// Logsource is the rule's logsource section.
type Logsource struct {
	Category, Product, Service, Definition string
}

// Key returns a stable identifier: the id, else the name, else one derived from the file.
func (r *Rule) Key() string {
	switch {
	case r.ID != "":
		return r.ID
	case r.Name != "":
		return r.Name
	case r.doc > 0:
		return r.File + "#" + strconv.Itoa(r.doc+1)
	}
	return r.File
}

// label names the rule in messages.
func (r *Rule) label() string {
	if r.Title != "" {
		return r.Title
	}
	return r.ID
}

// Category returns the keikai category key (taxonomy.Probe and so on); "other" when untagged.
func (r *Rule) Category() string { return r.category }

// RSIT returns the RSIT "class:type", from the rule's tag or its category's default.
func (r *Rule) RSIT() string { return r.rsit }

// Advisories returns the advisory IDs the rule's advisory.<ID> tags name.
func (r *Rule) Advisories() []string { return append([]string(nil), r.advisories...) }

// Formats returns the event formats the rule applies to.
func (r *Rule) Formats() FormatSet { return r.formats }

// IsCorrelation reports whether r is a correlation rule.
func (r *Rule) IsCorrelation() bool { return r.Correlation != nil }

// Generates reports whether a match of r is a finding of its own. A detection rule that only
// correlations with generate: false refer to is just their input (Sigma's default); Set.Resolve
// works this out, and until then every rule generates.
func (r *Rule) Generates() bool { return r.generates }

// Match reports whether the event satisfies the rule's detection. It is false for events of
// formats outside Formats, for correlation rules and for unsupported rules. It does not allocate
// (an IPv6 address tested by cidr being the one exception) and is safe for concurrent use.
func (r *Rule) Match(e *event.Event) bool {
	if r.cond == nil || !r.formats.Has(e.Format) {
		return false
	}
	return r.cond.match(e)
}

// FieldsRead marks in read every event field that r's detection tests, and for a correlation
// the fields it groups and counts by. A log parser may leave out the fields no loaded rule reads.
func (r *Rule) FieldsRead(read *[event.NumFields]bool) {
	if r.cond != nil {
		addFields(r.cond, read)
	}
	if c := r.Correlation; c != nil {
		for _, f := range c.GroupBy {
			read[f] = true
		}
		if c.Field != event.FieldNone {
			read[c.Field] = true
		}
	}
}

// DetectionInputs marks in read every event field that r's detection reads. ok is false when the
// detection depends on more than those fields and the event's format: it searches the raw line
// (keywords). A caller may then take Match(e) to be the same for two events of one format whose
// marked fields are equal, byte for byte and in presence, whenever ok holds.
func (r *Rule) DetectionInputs(read *[event.NumFields]bool) (ok bool) {
	return r.cond == nil || detectionInputs(r.cond, read)
}

// SameDetection reports whether r and o match exactly the same events: the same log formats and
// the same compiled detection. It may say false for detections that are equivalent but written
// differently.
func (r *Rule) SameDetection(o *Rule) bool {
	return r.cond != nil && o.cond != nil && r.formats == o.formats && reflect.DeepEqual(r.cond, o.cond)
}

// Prefilter returns lower-case literals of which, for every event e of a format in Formats that
// is not a host artifact, at least one occurs in e.Raw or in e.Get(event.URL) (ignoring ASCII case)
// whenever Match(e) is true. ok is false when the rule offers no such literals; it must then be
// evaluated on every event of its formats.
func (r *Rule) Prefilter() (literals []string, ok bool) {
	if !r.litsOK {
		return nil, false
	}
	seen := make(map[string]bool, len(r.lits))
	for _, l := range r.lits {
		if l := l[1:]; !seen[l] {
			seen[l] = true
			literals = append(literals, l)
		}
	}
	return literals, true
}

// FieldLiteral is a prefilter literal together with the value it must occur in: a field, or the
// raw line when Field is event.FieldNone (keywords). Literals of URL and URLPath name URL, the
// decoded URL (URLPath is a prefix of it).
type FieldLiteral struct {
	Field   event.Field
	Literal string
}

// PrefilterFields refines Prefilter: when ok, r.Match(e) implies that some literal occurs,
// ASCII-case-insensitively, in the value its Field names. The engine scans only those values when
// no rule of a format needs the raw line.
func (r *Rule) PrefilterFields() (literals []FieldLiteral, ok bool) {
	if !r.litsOK {
		return nil, false
	}
	for _, l := range r.lits {
		literals = append(literals, FieldLiteral{Field: event.Field(l[0]), Literal: l[1:]})
	}
	return literals, true
}

// Level is Sigma's severity level; the zero value means the rule states none.
type Level uint8

const (
	LevelNone Level = iota
	LevelInformational
	LevelLow
	LevelMedium
	LevelHigh
	LevelCritical
)

var levelNames = [...]string{"", "informational", "low", "medium", "high", "critical"}

func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "Level(" + strconv.Itoa(int(l)) + ")"
}

// ParseLevel returns the level a rule file names.
func ParseLevel(s string) (Level, bool) {
	for i, n := range levelNames {
		if i > 0 && n == s {
			return Level(i), true
		}
	}
	return LevelNone, false
}

// Set is a collection of loaded rules: the ones keikai runs, and the valid ones it cannot run.
type Set struct {
	Rules       []*Rule
	Unsupported []*Rule
}
