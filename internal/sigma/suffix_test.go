package sigma

import "testing"

// FuzzSuffixMatcherSameAsHasSuffix holds the suffix matcher, which turns most values down by
// their last eight bytes folded as one word, to hasSuffix, the comparison it goes around.
func FuzzSuffixMatcherSameAsHasSuffix(f *testing.F) {
	f.Add([]byte("/scripts/ROOT.EXE"), "/root.exe", true)
	f.Add([]byte("/winnt/system32/cmd.exe"), "/c/winnt/system32/cmd.exe", true)
	f.Add([]byte("@Z[`z{\xc1\xe1cmd.exe"), "`z{\xe1\xe1cmd.exe", true)
	f.Add([]byte("/index.html"), "/cmd.exe", false)
	f.Add([]byte("12345678"), "12345678", true)
	f.Fuzz(func(t *testing.T, v []byte, needle string, fold bool) {
		if v == nil {
			v = []byte{}
		}
		if got, want := newSuffixMatcher(needle, fold).match(v), hasSuffix(v, needle, fold); got != want {
			t.Fatalf("needle %q fold %v on %q: %v, want %v", needle, fold, v, got, want)
		}
	})
}
