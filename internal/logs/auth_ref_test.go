package logs

import (
	"bytes"
	"testing"
)

// FuzzSSHSearchesSameAsReference compares lastFrom with bytes.LastIndex and, for messages that
// start with "Failed " or "Accepted ", indexSSHFor with index.
func FuzzSSHSearchesSameAsReference(f *testing.F) {
	for _, s := range []string{"root from 198.51.100.7 port 1 ssh2", "a from b from c", "from x", " from ", "x from", "ffffffffffffffff from x",
		"from from from from from", "Failed password for root from 1.2.3.4", "Failed for for x from 1.2.3.4", "Accepted publickey for a from b",
		"Failed keyboard-interactive/pam for invalid user x from 1.2.3.4 port 2 ssh2", "Failed  for x", "Accepted x", "Failed none"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := lastFrom(b), bytes.LastIndex(b, []byte(" from ")); got != want {
			t.Fatalf("lastFrom(%q) = %d, want %d", b, got, want)
		}
		if hasPrefix(b, "Failed ") || hasPrefix(b, "Accepted ") {
			if got, want := indexSSHFor(b), index(b, " for "); got != want {
				t.Fatalf("indexSSHFor(%q) = %d, want %d", b, got, want)
			}
		}
	})
}
