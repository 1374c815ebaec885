package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// knownKeys are the top-level keys of a rule. Other keys are accepted as custom attributes, as
// Sigma allows, unless they look like a misspelling of one of these.
var knownKeys = []string{
	"title", "id", "name", "status", "description", "references", "author", "date", "modified",
	"level", "tags", "falsepositives", "fields", "related", "license", "logsource", "detection",
	"correlation", "samples", "generate", "taxonomy", "scope", "title_ja",
}

var validStatus = []string{"stable", "test", "experimental", "deprecated", "unsupported"}

// maxRuleFileSize bounds what ParseFile reads; rule files are small, a huge one is a mistake.
const maxRuleFileSize = 8 << 20

// ParseFile parses and compiles every rule in one YAML file (documents separated by ---). It
// returns the rules it could load and all errors found, each a *Error, joined. Rules whose log
// source keikai does not read are returned with Unsupported set.
func ParseFile(name string, data []byte) (rules []*Rule, err error) {
	return parseFile(name, data, decodeDocuments)
}

// parseFile is ParseFile with the YAML decoded by decode. It keeps no node: a decoder may reuse
// their memory for the next file.
func parseFile(name string, data []byte, decode func([]byte) ([]*yaml.Node, error)) (rules []*Rule, err error) {
	el := &errorList{file: name}
	if len(data) > maxRuleFileSize {
		el.atPos(1, 1, "file is %d bytes; rule files are limited to %d", len(data), maxRuleFileSize)
		return nil, el.err()
	}
	docs, derr := decode(data)
	if derr != nil {
		line := yamlErrorLine(derr)
		el.atPos(line, 1, "invalid YAML: %s", strings.TrimPrefix(derr.Error(), "yaml: "))
	}
	return parseDocuments(name, docs, el)
}

// parseDocuments parses the decoded documents of file name, adding to the errors in el.
func parseDocuments(name string, docs []*yaml.Node, el *errorList) (rules []*Rule, err error) {
	for i, doc := range docs {
		if r := parseDocument(name, i, doc, el); r != nil {
			rules = append(rules, r)
		}
	}
	return rules, el.err()
}

// decodeDocuments reads all YAML documents; a syntax error stops at the document it occurs in.
func decodeDocuments(data []byte) (docs []*yaml.Node, err error) {
	defer func() {
		// The YAML decoder is third-party code fed with user input; a bug in it must not take
		// keikai down.
		if p := recover(); p != nil {
			err = fmt.Errorf("the YAML decoder failed (%v); simplify the file", p)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return docs, err
		}
		docs = append(docs, &n)
	}
}

// Compiled on first use: package init is the start-up of every command.
var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+)`) })

func yamlErrorLine(err error) int {
	if m := yamlLineRE().FindStringSubmatch(err.Error()); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n
		}
	}
	return 1
}

// resolve follows YAML aliases (bounded, in case of cycles).
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// pairs returns the key and value nodes of a mapping.
func pairs(n *yaml.Node) [][2]*yaml.Node {
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k == nil || v == nil {
			continue
		}
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

// lastPair returns the key and value of the last pair in ps whose key is key (a YAML mapping
// may repeat a key; the last one counts), or nils. A rule's dozen keys are found faster so than
// through a map built for each document.
func lastPair(ps [][2]*yaml.Node, key string) (k, v *yaml.Node) {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i][0].Value == key {
			return ps[i][0], ps[i][1]
		}
	}
	return nil, nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func (l *errorList) scalar(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		l.at(n, "%s must be a single value", what)
		return "", false
	}
	if isNull(n) {
		return "", true
	}
	return n.Value, true
}

// stringList accepts a single value or a list of values.
func (l *errorList) stringList(n *yaml.Node, what string) []string {
	if n.Kind == yaml.ScalarNode {
		if isNull(n) {
			return nil
		}
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		l.at(n, "%s must be a list of values", what)
		return nil
	}
	var out []string
	for _, item := range n.Content {
		item = resolve(item)
		if item == nil || item.Kind != yaml.ScalarNode {
			l.at(n, "%s must be a list of plain values", what)
			continue
		}
		out = append(out, item.Value)
	}
	return out
}

func parseDocument(file string, index int, doc *yaml.Node, fileErrs *errorList) *Rule {
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = resolve(root.Content[0])
	}
	if root == nil || isNull(root) {
		return nil // an empty document, such as after a trailing ---
	}
	if root.Kind != yaml.MappingNode {
		fileErrs.at(root, "a rule must be a YAML mapping of keys such as title, logsource and detection")
		return nil
	}
	r := &Rule{File: file, Line: root.Line, doc: index, generates: true}
	top := pairs(root)
	kv := func(key string) *yaml.Node { _, v := lastPair(top, key); return v }
	if t := kv("title"); t != nil && t.Kind == yaml.ScalarNode {
		r.Title = t.Value
	}
	if t := kv("id"); t != nil && t.Kind == yaml.ScalarNode {
		r.ID = t.Value
	}
	el := &errorList{file: file, rule: r.label()}
	defer func() { fileErrs.errs = append(fileErrs.errs, el.errs...) }()

	for _, p := range top {
		k, v := p[0], p[1]
		switch k.Value {
		case "title":
			r.Title, _ = el.scalar(v, "title")
		case "title_ja":
			r.TitleJa, _ = el.scalar(v, "title_ja")
		case "id":
			r.ID, _ = el.scalar(v, "id")
		case "name":
			r.Name, _ = el.scalar(v, "name")
		case "status":
			r.Status, _ = el.scalar(v, "status")
			if r.Status != "" && !slices.Contains(validStatus, r.Status) {
				el.at(v, "status %q is not one of %s", r.Status, strings.Join(validStatus, ", "))
			}
		case "description":
			r.Description, _ = el.scalar(v, "description")
		case "author":
			r.Author, _ = el.scalar(v, "author")
		case "date":
			r.Date, _ = el.scalar(v, "date")
		case "modified":
			r.Modified, _ = el.scalar(v, "modified")
		case "license":
			r.License, _ = el.scalar(v, "license")
		case "references":
			r.References = el.stringList(v, "references")
		case "falsepositives":
			r.FalsePositives = el.stringList(v, "falsepositives")
		case "fields":
			r.Fields = el.stringList(v, "fields")
		case "tags":
			r.Tags = el.stringList(v, "tags")
		case "level":
			s, _ := el.scalar(v, "level")
			lv, ok := ParseLevel(s)
			if !ok && s != "" {
				el.at(v, "level %q is not one of informational, low, medium, high, critical", s)
			}
			r.Level = lv
		case "logsource":
			r.Logsource = parseLogsource(v, el)
		case "action":
			el.at(k, "rule collections (action: global, reset, repeat) are not supported; write each rule in full in its own document")
		case "detection", "correlation", "samples", "generate", "related", "taxonomy", "scope":
			// handled below, once the log source is known
		default:
			if hint, ok := closest(k.Value, knownKeys); ok {
				el.at(k, "unknown key %q (did you mean %s?)", k.Value, hint)
			}
		}
	}
	if r.Title == "" {
		el.at(root, "the rule has no title; every rule needs one")
	}
	el.rule = r.label()
	applyTags(r, kv("tags"), el)

	det, corr := kv("detection"), kv("correlation")
	switch {
	case det != nil && corr != nil:
		k, _ := lastPair(top, "correlation")
		el.at(k, "a rule has either detection or correlation, not both; split it into two documents")
	case corr != nil:
		r.Correlation = parseCorrelation(corr, kv("generate"), el)
	case det != nil:
		r.formats, r.Unsupported = formatsFor(r.Logsource)
		if r.Unsupported == "" {
			r.cond = compileDetection(det, el)
			if r.cond != nil {
				r.lits, r.litsOK = r.cond.literals()
				r.cond = simplify(r.cond)
			}
		}
	default:
		el.at(root, "the rule has neither detection nor correlation")
	}
	if s := kv("samples"); s != nil {
		r.Samples = parseSamples(s, el)
	}
	if len(el.errs) > 0 {
		return nil
	}
	return r
}

func parseLogsource(n *yaml.Node, el *errorList) Logsource {
	var ls Logsource
	if n.Kind != yaml.MappingNode {
		el.at(n, "logsource must be a mapping with category, product and/or service")
		return ls
	}
	for _, p := range pairs(n) {
		k, v := p[0], p[1]
		s, _ := el.scalar(v, "logsource "+k.Value)
		switch k.Value {
		case "category":
			ls.Category = s
		case "product":
			ls.Product = s
		case "service":
			ls.Service = s
		case "definition":
			ls.Definition = s
		default:
			if hint, ok := closest(k.Value, []string{"category", "product", "service", "definition"}); ok {
				el.at(k, "unknown logsource key %q (did you mean %s?)", k.Value, hint)
			}
		}
	}
	return ls
}
