package sigma

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wantError is one expected error: its position and a piece of its message.
type wantError struct {
	line, col int // col 0: any column
	msg       string
}

func TestBrokenFiles(t *testing.T) {
	tests := []struct {
		file string
		want []wantError
	}{
		{"misspelled.yml", []wantError{
			{2, 1, `unknown key "logsoruce" (did you mean logsource?)`},
			{4, 1, `unknown key "detections" (did you mean detection?)`},
			{1, 1, "neither detection nor correlation"},
		}},
		{"detection.yml", []wantError{
			{6, 5, `unknown field "Programm" (did you mean Program?); known fields: Host, Program`},
			{7, 5, "modifier windash is not supported by keikai"},
			{8, 5, `unknown modifier "contain" (did you mean contains?)`},
			{9, 5, "modifier base64offset is not supported by keikai"},
			{10, 13, `Pid compares integers; "abc" is not one`},
			{11, 17, "need a numeric field or PackageVersion; Message is neither"},
			{12, 20, `cidr: "not-a-net" is not a network`},
			{13, 17, "re: error parsing regexp"},
			{14, 0, `condition: selection "missing" is not defined`},
			{18, 3, `detection has no condition; is "condtion" a misspelling (did you mean condition?)`},
			{26, 18, "aggregations in conditions"},
			{32, 30, "condition: condition ends too early"},
			{38, 14, `condition: "foo_*" matches no selection`},
		}},
		{"tags.yml", []wantError{
			{3, 5, `unknown category "spam"`},
			{5, 5, "a rule has one category, but tags name both probe and dos"},
			{6, 5, `tag "rsit.information-gathering.portscan" does not name an RSIT class and type`},
			{8, 8, `level "severe" is not one of`},
			{9, 9, `status "draft" is not one of`},
		}},
		{"correlation.yml", []wantError{
			{10, 9, "correlation type temporal is not supported by keikai"},
			{19, 13, `group-by: unknown field "SourceIP"`},
			{20, 13, `timespan "5 minutes" is not a number`},
			{21, 14, "a value_count correlation needs condition field"},
		}},
		{"samples.yml", []wantError{
			{8, 8, `sample: unknown field "TargetFile"`},
			{10, 7, "sample line 1:"},
		}},
		{"yaml.yml", []wantError{
			{1, 1, "invalid YAML"},
		}},
		// The parser's own position must reach the error: file:line:col, not line 1.
		{"yaml_line.yml", []wantError{
			{4, 1, "invalid YAML: line 4:"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "broken", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseFile(path, data)
			got := flatten(err)
			if len(got) != len(tt.want) {
				t.Errorf("got %d errors, want %d:\n%s", len(got), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !hasError(got, path, w) {
					t.Errorf("missing error %d:%d %q in:\n%v", w.line, w.col, w.msg, err)
				}
			}
		})
	}
}

func flatten(err error) []*Error {
	var out []*Error
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	var re *Error
	if errors.As(err, &re) {
		out = append(out, re)
	}
	return out
}

func hasError(errs []*Error, file string, w wantError) bool {
	for _, e := range errs {
		if e.File == file && (w.line == 0 || e.Line == w.line) && (w.col == 0 || e.Column == w.col) && strings.Contains(e.Msg, w.msg) {
			return true
		}
	}
	return false
}

func TestErrorString(t *testing.T) {
	e := &Error{File: "rules/x.yml", Line: 3, Column: 5, Rule: "Slapper", Msg: "bad"}
	if got, want := e.Error(), `rules/x.yml:3:5: rule "Slapper": bad`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestCorrelationResolveErrors(t *testing.T) {
	path := filepath.Join("testdata", "broken", "correlation.yml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := ParseFile(path, data)
	s := &Set{}
	s.add(rules)
	err = s.Resolve()
	if err == nil || !strings.Contains(err.Error(), `correlation refers to rule "no_such_rule", which is not loaded`) ||
		!strings.Contains(err.Error(), path+":23:1:") {
		t.Errorf("Resolve error = %v", err)
	}
}
