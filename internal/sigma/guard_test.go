package sigma

import (
	"fmt"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/ascii"
	"github.com/keikai-project/keikai/internal/event"
)

// FuzzGuards compares Guards.Match with Rule.Match for three rules whose conditions combine the
// same selections (so that they share tests), on events with each field absent, empty, matching in
// other letter cases and not matching, the rules evaluated in a fuzzed order with one state per
// event.
func FuzzGuards(f *testing.F) {
	f.Add("a and not b and not d", "e and not b and not d", "1 of sel_* and not d", uint8(0))
	f.Add("a", "a and c", "not a or c", uint8(5))
	f.Add("not (b or d) and e", "g and not h", "all of them", uint8(3))
	f.Add("h and not g", "c and not h", "not c", uint8(1))
	f.Fuzz(func(t *testing.T, c1, c2, c3 string, order uint8) {
		var rules []*Rule
		for _, c := range []string{c1, c2, c3} {
			if _, err := parseCondition(c); err != nil {
				return
			}
			src := "title: t\nlogsource: {category: firewall}\ndetection:\n" +
				"  a: {Protocol: tcp}\n" +
				"  b: {Action: [accept, allow, pass, permitted]}\n" +
				"  c: {DestinationPort: [22, 23]}\n" +
				"  d: {Direction: out}\n" +
				"  e: {SourceIp|exists: true}\n" +
				"  g: {Action: null}\n" +
				"  h: {Direction|cased: Out}\n" +
				"  sel_x: {Protocol: [tcp, udp], Action: 'Deny'}\n" +
				"  sel_y: {Action|contains: eject}\n" +
				"  condition: " + yamlQuote(c) + "\n"
			rs, err := ParseFile("fuzz.yml", []byte(src))
			if err != nil || len(rs) != 1 {
				return
			}
			rules = append(rules, rs[0])
		}
		g := NewGuards(rules)
		var st GuardState
		for _, e := range guardEvents() {
			st.Reset()
			for k := range rules {
				i := (k + int(order)) % len(rules)
				if order&4 != 0 {
					i = len(rules) - 1 - i
				}
				if got, want := g.Match(i, e, &st), rules[i].Match(e); got != want {
					t.Fatalf("rule %d (%q) on %q: guarded %v, rule %v", i, []string{c1, c2, c3}[i], e.Raw, got, want)
				}
			}
		}
	})
}

// guardEvents returns firewall events with the fuzzed rules' fields absent, empty, matching in
// other cases, and not matching.
func guardEvents() []*event.Event {
	protocol := []string{"-", "", "tcp", "TCP", "udp", "tcpx"}
	action := []string{"-", "", "accept", "PERMITTED", "permitte", "deny", "Reject", "Pass"}
	port := []string{"-", "22", "80"}
	direction := []string{"-", "out", "Out", "in"}
	src := []string{"-", "192.0.2.1"}
	var out []*event.Event
	for _, p := range protocol {
		for _, a := range action {
			for _, d := range port {
				for _, dir := range direction {
					for _, s := range src {
						e := &event.Event{}
						e.Reset([]byte(fmt.Sprint(p, a, d, dir, s)))
						e.Format = event.FormatIptables
						for f, v := range map[event.Field]string{event.Protocol: p, event.Action: a, event.DestinationPort: d,
							event.Direction: dir, event.SourceIP: s} {
							if v != "-" {
								e.Set(f, []byte(v))
							}
						}
						out = append(out, e)
					}
				}
			}
		}
	}
	return out
}

// TestGuardsShared: the firewall rules' action and direction filters become guards, evaluated once
// for both rules.
func TestGuardsShared(t *testing.T) {
	var rules []*Rule
	for _, sel := range []string{"Protocol: tcp", "SourceIp|exists: true"} {
		rs, err := ParseFile("r.yml", []byte("title: t\nlogsource: {category: firewall}\ndetection:\n  sel: {"+sel+
			"}\n  filter_accepted: {Action: [accept, allow, pass, permitted]}\n  filter_outbound: {Direction: out}\n"+
			"  condition: sel and not filter_accepted and not filter_outbound\n"))
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, rs...)
	}
	g := NewGuards(rules)
	if len(g.tests) != 2 || g.rules[0].need != 3 || g.rules[1].need != 3 {
		t.Fatalf("%d guards, needs %b %b; want the two filters, needed by both", len(g.tests), g.rules[0].need, g.rules[1].need)
	}
}

// FuzzGuardWords compares the in-place evaluation of equality tests (words of up to 8 bytes
// compared as integers) with the tests' own matchers, for one needle or a list of them, folded
// or not, negated or not, on any value.
func FuzzGuardWords(f *testing.F) {
	f.Add("accept|allow|pass|permitted", []byte("PERMITTED"), true, false, false)
	f.Add("tcp|udp", []byte("UDP"), true, true, false)
	f.Add("out", []byte("Out"), false, false, false)
	f.Add("@[`{", []byte("`{@["), true, false, false)
	f.Add("a\x00|", []byte(""), true, false, true)
	f.Add("abcdefg", []byte("ABCDEFG\x00"), true, false, false)
	f.Fuzz(func(t *testing.T, spec string, value []byte, fold, negate, absent bool) {
		var values []valueMatcher
		for _, n := range strings.Split(spec, "|") {
			if fold {
				n = ascii.ToLower(n)
			}
			values = append(values, &equalMatcher{needle: n, fold: fold})
		}
		n := &fieldNode{field: event.Action, values: values, negate: negate}
		groupValues(n)
		e := &event.Event{}
		e.Reset([]byte("x"))
		if !absent {
			e.Set(event.Action, value)
		}
		g := newGuardTest(n)
		if got, want := g.eval(e), n.match(e); got != want {
			t.Fatalf("needles %q fold %v negate %v, value %q: %v, matcher %v", spec, fold, negate, value, got, want)
		}
	})
}
