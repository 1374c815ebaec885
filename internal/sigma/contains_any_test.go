package sigma

import (
	"slices"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/ascii"
)

// FuzzContainsAny checks the grouped matcher against the one-by-one contains matchers it
// replaces, which are its oracle: the same answer for every value.
func FuzzContainsAny(f *testing.F) {
	f.Add("failed password for|pam: authentication failure for|failed login|(login failed)", []byte("Dec 10 sshd[1]: FAILED LOGIN from x"), false)
	f.Add("/scripts/..%255c..|/msadc/..%c0%2f..|/_vti_bin/..%255c..|/_mem_bin/..%255c..", []byte("/MSADC/..%C0%2F../winnt/system32/cmd.exe"), false)
	f.Add("ab|bc|cd|de", []byte(""), true)
	f.Add("\xc1x|\xe1y|@z|`w", []byte("\xe1X \xc1Y @Z"), false)
	f.Fuzz(func(t *testing.T, spec string, value []byte, absent bool) {
		var one []valueMatcher
		for _, n := range strings.Split(spec, "|") {
			if n == "" {
				continue
			}
			n = ascii.ToLower(n)
			one = append(one, &containsMatcher{needle: n, needleBytes: []byte(n), fold: true})
		}
		n := &fieldNode{values: one}
		groupValues(n)
		if len(one) < minGroupedContains || len(one) > maxGroupedContains {
			return
		}
		if _, ok := n.values[0].(*containsAnyMatcher); !ok || len(n.values) != 1 {
			t.Fatalf("%d contains values were not grouped", len(one))
		}
		if absent {
			value = nil
		}
		want := false
		for _, m := range one {
			want = want || m.match(value)
		}
		if got := n.values[0].match(value); got != want {
			t.Fatalf("needles %q, value %q: grouped %v, one by one %v", spec, value, got, want)
		}
	})
}

// FuzzEqualAny checks the grouped equality matcher against the one-by-one equality matchers it
// replaces.
func FuzzEqualAny(f *testing.F) {
	f.Add("accept|allow|pass|permitted", []byte("PASS"), false)
	f.Add("tcp|udp", []byte("udp "), false)
	f.Add("|x", []byte(""), false)
	f.Add("a|b", []byte(""), true)
	f.Fuzz(func(t *testing.T, spec string, value []byte, absent bool) {
		var one []valueMatcher
		for _, n := range strings.Split(spec, "|") {
			one = append(one, &equalMatcher{needle: ascii.ToLower(n), fold: true})
		}
		n := &fieldNode{values: one}
		groupValues(n)
		if len(one) < 2 {
			return
		}
		if _, ok := n.values[0].(*equalAnyMatcher); !ok || len(n.values) != 1 {
			t.Fatalf("%d equality values were not grouped", len(one))
		}
		if absent {
			value = nil
		}
		want := false
		var wantLits []string
		litsOK := true
		for _, m := range one {
			want = want || m.match(value)
			l, ok := m.literals()
			litsOK = litsOK && ok
			wantLits = append(wantLits, l...)
		}
		if got := n.values[0].match(value); got != want {
			t.Fatalf("needles %q, value %q: grouped %v, one by one %v", spec, value, got, want)
		}
		if lits, ok := n.values[0].literals(); ok != litsOK || ok && !slices.Equal(lits, wantLits) {
			t.Fatalf("needles %q: literals %q %v, one by one %q %v", spec, lits, ok, wantLits, litsOK)
		}
	})
}
