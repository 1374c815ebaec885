package sigma

import (
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
		groupContains(n)
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
