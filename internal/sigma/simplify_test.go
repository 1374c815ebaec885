package sigma

import (
	"testing"

	"github.com/keikai-project/keikai/internal/event"
	"go.yaml.in/yaml/v3"
)

// FuzzSimplify compares the simplified match tree of a condition over three selections with the
// tree as compiled, on every combination of the selections' fields being absent, matching and
// not matching; the compiled tree must be left as it was.
func FuzzSimplify(f *testing.F) {
	for _, c := range []string{"a and not b and not c", "not (a or b) or not not c", "a and (b and (c and a))",
		"not (not a and not (b or c))", "1 of them and not all of them", "(a or b) or (c or not a)"} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, cond string) {
		if _, err := parseCondition(cond); err != nil {
			return
		}
		src := "a:\n  Protocol: tcp\nb:\n  Action|contains: [acc, all]\nc:\n  DestinationPort: [22, 23]\ncondition: " + yamlQuote(cond) + "\n"
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil || len(doc.Content) == 0 {
			return
		}
		el := &errorList{}
		compiled := compileDetection(doc.Content[0], el)
		if compiled == nil {
			return
		}
		events := threeFieldEvents()
		before := make([]bool, len(events))
		for i, e := range events {
			before[i] = compiled.match(e)
		}
		simple := simplify(compiled)
		for i, e := range events {
			if got := simple.match(e); got != before[i] {
				t.Fatalf("%q on event %d: simplified %v, compiled %v", cond, i, got, before[i])
			}
			if compiled.match(e) != before[i] {
				t.Fatalf("%q: simplify changed the compiled tree", cond)
			}
		}
	})
}

func yamlQuote(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}

// threeFieldEvents returns events with each of the fuzzed selections' fields absent, matching
// and not matching.
func threeFieldEvents() []*event.Event {
	protocol := []string{"", "tcp", "udp"}
	action := []string{"", "accept", "drop"}
	port := []string{"", "22", "80"}
	var out []*event.Event
	for _, p := range protocol {
		for _, a := range action {
			for _, d := range port {
				e := &event.Event{}
				e.Reset([]byte("x"))
				for f, v := range map[event.Field]string{event.Protocol: p, event.Action: a, event.DestinationPort: d} {
					if v != "" {
						e.SetString(f, v)
					}
				}
				out = append(out, e)
			}
		}
	}
	return out
}

// TestSimplifyFlattens: the firewall rules' "sel and not filter_accepted and not filter_outbound"
// becomes one and of field tests, two of them negated.
func TestSimplifyFlattens(t *testing.T) {
	var doc yaml.Node
	src := "a:\n  Protocol: tcp\n  DestinationPort: 22\nb:\n  Action: [accept, allow]\nc:\n  Direction: out\ncondition: a and not b and not c\n"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	and, ok := simplify(compileDetection(doc.Content[0], &errorList{})).(andNode)
	if !ok || len(and) != 4 {
		t.Fatalf("simplified to %#v, want an and of four field tests", and)
	}
	for i, c := range and {
		f, ok := c.(*fieldNode)
		if !ok || f.negate != (i >= 2) {
			t.Fatalf("test %d is %#v", i, c)
		}
	}
}
