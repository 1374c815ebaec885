package advisory

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/keikai-project/keikai/internal/finding"
)

// Problem is one thing wrong with an advisory's sources, located in a file.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) Error() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// Problems is the list of problems that loading or linting found; it is an error.
type Problems []Problem

func (ps Problems) Error() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.Error()
	}
	return strings.Join(s, "\n")
}

// Collection is a set of advisories, by ID order of loading.
type Collection struct {
	Advisories []*Advisory
}

// Lookup returns the advisory with the given ID.
func (c *Collection) Lookup(id string) (*Advisory, bool) {
	for _, a := range c.Advisories {
		if a.ID == id {
			return a, true
		}
	}
	return nil, false
}

// Countermeasures collects the countermeasures of the given advisories, in their order.
func (c *Collection) Countermeasures(ids []string) []finding.Text {
	var out []finding.Text
	for _, id := range ids {
		if a, ok := c.Lookup(id); ok {
			out = append(out, a.Countermeasures...)
		}
	}
	return out
}

// Updates collects, for a host that runs an affected version, the update steps of the given
// advisories where they have them and their countermeasures otherwise, in their order.
func (c *Collection) Updates(ids []string) []finding.Text {
	var out []finding.Text
	for _, id := range ids {
		if a, ok := c.Lookup(id); ok {
			if len(a.Updates) > 0 {
				out = append(out, a.Updates...)
			} else {
				out = append(out, a.Countermeasures...)
			}
		}
	}
	return out
}

// LoadDir loads every advisory under dir (one subdirectory each), naming files by their path
// under dir so that problems point at a file a person can open.
func LoadDir(dir string) (*Collection, error) {
	return load(os.DirFS(dir), ".", func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) })
}

// LoadFS loads every advisory under dir in fsys.
func LoadFS(fsys fs.FS, dir string) (*Collection, error) {
	return load(fsys, dir, func(p string) string { return p })
}

func load(fsys fs.FS, dir string, name func(string) string) (*Collection, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading advisories: %w", err)
	}
	c := &Collection{}
	var probs Problems
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		d := path.Join(dir, e.Name())
		if _, err := fs.Stat(fsys, path.Join(d, "advisory.yml")); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		a, ps := loadOne(fsys, d, name)
		probs = append(probs, ps...)
		if a != nil {
			if prev, dup := c.Lookup(a.ID); dup {
				probs = append(probs, Problem{File: name(path.Join(d, "advisory.yml")), Line: a.lines["id"],
					Msg: fmt.Sprintf("ID %s is also used by %s", a.ID, prev.Dir)})
				continue
			}
			c.Advisories = append(c.Advisories, a)
		}
	}
	if len(probs) > 0 {
		return c, probs
	}
	return c, nil
}

// source is advisory.yml as written.
type source struct {
	ID              string         `yaml:"id"`
	EditionInID     bool           `yaml:"edition_in_id"`
	Kind            Kind           `yaml:"kind"`
	Label           *bilingual     `yaml:"label"`
	Issuer          string         `yaml:"issuer"`
	Title           bilingual      `yaml:"title"`
	Editions        []yaml.Node    `yaml:"editions"`
	Expires         string         `yaml:"expires"`
	URL             string         `yaml:"url"`
	TLP             string         `yaml:"tlp"`
	DateLayout      string         `yaml:"date_layout"`
	Rules           []yaml.Node    `yaml:"rules"`
	Products        []yaml.Node    `yaml:"products"`
	References      []yaml.Node    `yaml:"references"`
	Countermeasures []bilingual    `yaml:"countermeasures"`
	Updates         []bilingual    `yaml:"updates"`
	Extra           map[string]any `yaml:",inline"`
}

// bilingual is a text given either as one string (the same in both languages: a product name,
// a document title) or as {ja: ..., en: ...}.
type bilingual finding.Text

func (b *bilingual) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		b.Ja, b.En = n.Value, n.Value
		return nil
	}
	var t struct {
		Ja string `yaml:"ja"`
		En string `yaml:"en"`
	}
	if err := n.Decode(&t); err != nil {
		return err
	}
	b.Ja, b.En = t.Ja, t.En
	return nil
}

func parseDate(s string) (time.Time, error) {
	return time.Parse(time.DateOnly, s)
}

func loadOne(fsys fs.FS, dir string, name func(string) string) (*Advisory, []Problem) {
	file := name(path.Join(dir, "advisory.yml"))
	data, err := fs.ReadFile(fsys, path.Join(dir, "advisory.yml"))
	if err != nil {
		return nil, []Problem{{File: file, Msg: err.Error()}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, []Problem{{File: file, Line: yamlLine(err), Msg: err.Error()}}
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, []Problem{{File: file, Line: 1, Msg: "advisory.yml must be a mapping of keys (id, kind, title, ...)"}}
	}
	var probs []Problem
	at := func(line int, format string, args ...any) {
		probs = append(probs, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	lines := map[string]int{}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		lines[m.Content[i].Value] = m.Content[i].Line
	}
	var src source
	if err := m.Decode(&src); err != nil {
		return nil, []Problem{{File: file, Line: yamlLine(err), Msg: err.Error()}}
	}
	for k := range src.Extra {
		at(lines[k], "unknown key %q", k)
	}
	a := &Advisory{
		ID: src.ID, EditionInID: src.EditionInID, Kind: src.Kind, Issuer: src.Issuer,
		Title: finding.Text(src.Title), URL: src.URL, TLP: src.TLP, DateLayout: src.DateLayout,
		Dir: name(dir), lines: lines, Body: map[string]*Body{},
	}
	for _, n := range src.Rules {
		a.Rules = append(a.Rules, n.Value)
		a.ruleLines = append(a.ruleLines, n.Line)
	}
	if src.Label != nil {
		a.Label = finding.Text(*src.Label)
	}
	for _, c := range src.Countermeasures {
		a.Countermeasures = append(a.Countermeasures, finding.Text(c))
	}
	for _, c := range src.Updates {
		a.Updates = append(a.Updates, finding.Text(c))
	}
	if src.Expires != "" {
		if a.Expires, err = parseDate(src.Expires); err != nil {
			at(lines["expires"], "expires %q is not a date; write YYYY-MM-DD", src.Expires)
		}
	}
	// Unknown keys in the lists are misspellings that would otherwise vanish silently.
	unknownKeys := func(n *yaml.Node, what string, allowed ...string) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; !slices.Contains(allowed, k.Value) {
				at(k.Line, "unknown key %q in %s; known: %s", k.Value, what, strings.Join(allowed, ", "))
			}
		}
	}
	for i := range src.Editions {
		unknownKeys(&src.Editions[i], "an edition", "number", "date", "note")
	}
	for i := range src.Products {
		unknownKeys(&src.Products[i], "a product", "name", "vendor", "affected", "fixed")
	}
	for i := range src.References {
		unknownKeys(&src.References[i], "a reference", "title", "url", "mirrors", "inline")
	}
	for i := range src.Editions {
		n := &src.Editions[i]
		var e struct {
			Number int       `yaml:"number"`
			Date   string    `yaml:"date"`
			Note   bilingual `yaml:"note"`
		}
		if err := n.Decode(&e); err != nil {
			at(n.Line, "edition: %v", err)
			continue
		}
		ed := Edition{Number: e.Number, Note: finding.Text(e.Note), Line: n.Line}
		if ed.Date, err = parseDate(e.Date); err != nil {
			at(n.Line, "edition %d: date %q is not a date; write YYYY-MM-DD", e.Number, e.Date)
		}
		a.Editions = append(a.Editions, ed)
	}
	for i := range src.Products {
		n := &src.Products[i]
		var p struct {
			Name     string   `yaml:"name"`
			Vendor   string   `yaml:"vendor"`
			Affected []string `yaml:"affected"`
			Fixed    string   `yaml:"fixed"`
		}
		if err := n.Decode(&p); err != nil {
			at(n.Line, "product: %v", err)
			continue
		}
		a.Products = append(a.Products, Product{Name: p.Name, Vendor: p.Vendor, Affected: p.Affected, Fixed: p.Fixed, Line: n.Line})
	}
	for i := range src.References {
		n := &src.References[i]
		var r struct {
			Title   bilingual `yaml:"title"`
			URL     string    `yaml:"url"`
			Mirrors []string  `yaml:"mirrors"`
			Inline  bool      `yaml:"inline"`
		}
		if err := n.Decode(&r); err != nil {
			at(n.Line, "reference: %v", err)
			continue
		}
		a.References = append(a.References, Reference{Title: finding.Text(r.Title), URL: r.URL, Mirrors: r.Mirrors, Inline: r.Inline, Line: n.Line})
	}
	for _, lang := range []string{Ja, En} {
		p := path.Join(dir, lang+".md")
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			at(0, "the %s prose is missing: %v; write %s", langName(lang), err, name(p))
			continue
		}
		body, ps := parseBody(name(p), data)
		probs = append(probs, ps...)
		a.Body[lang] = body
	}
	return a, probs
}

func langName(lang string) string {
	if lang == Ja {
		return "Japanese"
	}
	return "English"
}

// yamlLine digs the line number out of a YAML error, which carries it only in its text.
func yamlLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	var line int
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+5:], "%d", &line)
	}
	return line
}

// line returns where a metadata key is, for problems.
func (a *Advisory) line(key string) int { return a.lines[key] }

// file is the advisory.yml path, for problems.
func (a *Advisory) file() string { return filepath.Join(a.Dir, "advisory.yml") }

// sortedIDs lists the collection's IDs, for messages.
func (c *Collection) sortedIDs() []string {
	ids := make([]string, len(c.Advisories))
	for i, a := range c.Advisories {
		ids[i] = a.ID
	}
	slices.Sort(ids)
	return ids
}
