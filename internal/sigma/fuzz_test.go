package sigma

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

func FuzzParseFile(f *testing.F) {
	for _, dir := range []string{"valid", "broken"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.y*ml"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("title: t\ndetection: {s: {Message|re|i: '(?:a|b)+'}, condition: 'not (s)'}\n"))
	e := &event.Event{}
	e.Reset([]byte("Mar 13 12:34:56 host statd[44]: attempt to create"))
	e.Format = event.FormatSyslog
	e.Set(event.Message, e.Raw[32:])
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := ParseFile("fuzz.yml", data)
		if err != nil {
			_ = err.Error()
		}
		for _, r := range rules {
			r.Match(e) // must not panic
			r.Prefilter()
			_ = r.Key()
		}
		s := &Set{}
		s.add(rules)
		_ = s.Resolve()
	})
}

func FuzzCondition(f *testing.F) {
	for _, c := range []string{"a", "a and not b", "1 of sel_* or all of them", "(a or (b and c))", "a | count() > 5",
		"not not not a", "((((a", "any of them", "all of", "a b", ")"} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, cond string) {
		expr, err := parseCondition(cond)
		if err != nil {
			ce, ok := err.(*condError)
			if !ok || ce.pos < 0 || ce.pos > len(cond) {
				t.Fatalf("bad error %v for %q", err, cond)
			}
			return
		}
		if expr == nil {
			t.Fatalf("nil expression without error for %q", cond)
		}
	})
}

func TestCondition(t *testing.T) {
	tests := []struct {
		cond string
		want string // rendered tree, or "error: <pos>"
	}{
		{"a", "a"},
		{"a and b or c", "or(and(a b) c)"},
		{"a or b and c", "or(a and(b c))"},
		{"not a and b", "and(not(a) b)"},
		{"not (a or b)", "not(or(a b))"},
		{"1 of sel_* and all of them", "and(1of(sel_*) allof(them))"},
		{"any of x", "1of(x)"},
		{"A AND B", "and(A B)"},
		{"(a", "error: 0"},
		{"a)", "error: 1"},
		{"a b", "error: 2"},
		{"", "error: 0"},
		{"sel_*", "error: 0"},
		{"a | count() > 5", "error: 2"},
		{"a and", "error: 5"},
		{"1 of", "error: 0"},
		{"a & b", "error: 2"},
	}
	for _, tt := range tests {
		expr, err := parseCondition(tt.cond)
		got := ""
		if err != nil {
			got = "error: " + itoa(err.(*condError).pos)
		} else {
			got = render(expr)
		}
		if got != tt.want {
			t.Errorf("parseCondition(%q) = %s, want %s", tt.cond, got, tt.want)
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func render(e *condExpr) string {
	kids := func() string {
		s := ""
		for i, k := range e.kids {
			if i > 0 {
				s += " "
			}
			s += render(k)
		}
		return s
	}
	switch e.op {
	case condName:
		return e.name
	case condAnd:
		return "and(" + kids() + ")"
	case condOr:
		return "or(" + kids() + ")"
	case condNot:
		return "not(" + kids() + ")"
	case condOneOf:
		return "1of(" + e.name + ")"
	}
	return "allof(" + e.name + ")"
}
