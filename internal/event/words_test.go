package event

import (
	"bytes"
	"testing"
)

// TestWordCode: a word has a code and the same code as any word of the same bytes (Word returns
// one slice per string); a copy, a long value or a nil one has none.
func TestWordCode(t *testing.T) {
	values := []string{"tcp", "udp", "in", "permitted", "", "fifteen-bytes!!"}
	codes := map[uint64]string{}
	for _, v := range values {
		w := Word(v)
		if string(w) != v || len(w) != cap(w) {
			t.Fatalf("Word(%q) = %q, cap %d", v, w, cap(w))
		}
		c, ok := WordCode(w)
		if !ok || c >= 1<<15 {
			t.Fatalf("WordCode(Word(%q)) = %d, %v", v, c, ok)
		}
		if c2, _ := WordCode(Word(v)); c2 != c {
			t.Errorf("%q: codes %d and %d", v, c, c2)
		}
		if prev, seen := codes[c]; seen && prev != v {
			t.Errorf("%q and %q share code %d", prev, v, c)
		}
		codes[c] = v
		if len(v) > 0 {
			if _, ok := WordCode(bytes.Clone(w)); ok {
				t.Errorf("a copy of %q has a code", v)
			}
		}
	}
	if long := Word("sixteen-bytes!!!"); len(long) != 16 {
		t.Fatalf("Word of 16 bytes: %q", long)
	} else if _, ok := WordCode(long); ok {
		t.Errorf("a 16-byte value has a code")
	}
	if _, ok := WordCode(nil); ok {
		t.Errorf("nil has a code")
	}
}
