package csaf

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The OASIS schema and the FIRST CVSS schemas it references, copied unchanged (schema/README.md),
// so that reading needs neither the shared reference data nor the network.
//
//go:embed schema/*.json
var schemaFS embed.FS

const schemaURL = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"

// MaxDocumentSize bounds what Read accepts; the largest published advisories are a few MB.
const MaxDocumentSize = 64 << 20

// Problem is one reason a document is not valid CSAF 2.0.
type Problem struct {
	// Test is the CSAF 2.0 section 6.1 test that failed ("6.1.1"), or "schema" for the JSON schema.
	Test string
	// Path is the JSON pointer of the offending value ("/vulnerabilities/0/product_status/fixed/1").
	Path    string
	Message string
}

func (p Problem) String() string {
	path := p.Path
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("%s %s: %s", p.Test, path, p.Message)
}

// Problems is the error Read returns for a document that parses but is not valid.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return "not a valid CSAF 2.0 document:\n" + strings.Join(lines, "\n")
}

// Tests lists the test IDs Problems carries, each once, in order.
func (ps Problems) Tests() []string {
	seen := map[string]bool{}
	var ids []string
	for _, p := range ps {
		if !seen[p.Test] {
			seen[p.Test] = true
			ids = append(ids, p.Test)
		}
	}
	return ids
}

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

func compiledSchema() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		for url, file := range map[string]string{
			schemaURL: "schema/csaf_json_schema.json",
			"https://www.first.org/cvss/cvss-v2.0.json": "schema/cvss-v2.0.json",
			"https://www.first.org/cvss/cvss-v3.0.json": "schema/cvss-v3.0.json",
			"https://www.first.org/cvss/cvss-v3.1.json": "schema/cvss-v3.1.json",
		} {
			data, err := schemaFS.ReadFile(file)
			if err != nil {
				schemaErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				schemaErr = fmt.Errorf("embedded %s: %w", file, err)
				return
			}
			if err := c.AddResource(url, doc); err != nil {
				schemaErr = fmt.Errorf("embedded %s: %w", file, err)
				return
			}
		}
		schema, schemaErr = c.Compile(schemaURL)
	})
	return schema, schemaErr
}

// Read parses a CSAF 2.0 document, validates it against the OASIS JSON schema and runs the
// mandatory tests of CSAF 2.0 section 6.1 that this package implements (MandatoryTests). A
// document that parses but fails returns a Problems error listing every failure; malformed JSON
// or a read failure returns another error.
func Read(r io.Reader) (*Document, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("read CSAF document: %w", err)
	}
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("CSAF document larger than %d MB", MaxDocumentSize>>20)
	}
	problems, err := Check(data)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, problems
	}
	d := &Document{}
	if err := json.Unmarshal(data, d); err != nil {
		return nil, fmt.Errorf("CSAF document: %w", err)
	}
	return d, nil
}

// Check validates a document and returns its problems, sorted by test and path; the error is
// for input that is not JSON at all.
func Check(data []byte) (Problems, error) {
	sch, err := compiledSchema()
	if err != nil {
		return nil, fmt.Errorf("CSAF schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("CSAF document is not JSON: %w", err)
	}
	var problems Problems
	if err := sch.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, fmt.Errorf("CSAF schema validation: %w", err)
		}
		problems = append(problems, schemaProblems(ve)...)
	}
	problems = append(problems, runMandatory(doc)...)
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].Test != problems[j].Test {
			return testLess(problems[i].Test, problems[j].Test)
		}
		return problems[i].Path < problems[j].Path
	})
	return dedupe(problems), nil
}

var printer = message.NewPrinter(language.English)

// schemaProblems flattens the validator's tree into its leaves. A failure inside a CVSS object is
// test 6.1.8 (invalid CVSS), which the specification defines as validation against FIRST's schema.
func schemaProblems(ve *jsonschema.ValidationError) Problems {
	if len(ve.Causes) > 0 {
		var ps Problems
		for _, c := range ve.Causes {
			ps = append(ps, schemaProblems(c)...)
		}
		return ps
	}
	test := "schema"
	for _, tok := range ve.InstanceLocation {
		if tok == "cvss_v2" || tok == "cvss_v3" {
			test = "6.1.8"
		}
	}
	return Problems{{Test: test, Path: pointer(ve.InstanceLocation), Message: ve.ErrorKind.LocalizedString(printer)}}
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

func dedupe(ps Problems) Problems {
	var out Problems
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// testLess orders test IDs numerically (6.1.9 before 6.1.10), the schema first.
func testLess(a, b string) bool {
	if a == "schema" || b == "schema" {
		return a == "schema" && b != "schema"
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] != bs[i] {
			if len(as[i]) != len(bs[i]) {
				return len(as[i]) < len(bs[i])
			}
			return as[i] < bs[i]
		}
	}
	return len(as) < len(bs)
}
