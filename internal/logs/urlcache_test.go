package logs

import (
	"bytes"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// FuzzURLCacheSameAsDecodeURL feeds the targets of one input (one per line, so that targets
// repeat and collide in the cache) through one cache: each must come out as decodeURL decodes it,
// the raw slice itself when nothing decodes, and no result may share memory with the cache.
func FuzzURLCacheSameAsDecodeURL(f *testing.F) {
	f.Add([]byte("/a%20b\n/a%20b\n/plain\n/a%20c\n/a%20b"))
	f.Add([]byte("/scripts/..%c1%9c../x\n/scripts/..%c1%1c../x\n/scripts/..%c1%9c../x\n/%u9090%u6858\n/%%35c\n/%"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var c urlCache
		var e, ref event.Event
		targets := bytes.Split(in, []byte("\n"))
		for round := 0; round < 2; round++ {
			for _, raw := range targets {
				e.Reset(raw)
				ref.Reset(raw)
				got := c.decodeURL(&e, raw)
				want := decodeURL(&ref, raw)
				if !bytes.Equal(got, want) {
					t.Fatalf("cached decodeURL(%q) = %q, want %q", raw, got, want)
				}
				same := len(raw) > 0 && len(want) > 0 && &want[0] == &raw[0]
				if same != (len(raw) > 0 && len(got) > 0 && &got[0] == &raw[0]) {
					t.Fatalf("cached decodeURL(%q): copied differently from decodeURL", raw)
				}
				if len(got) > 0 && !same {
					got[0] ^= 0xff // the caller's copy: the cache must not change
				}
			}
		}
	})
}

// TestURLCacheCollisions: more escaped targets than slots, each asked for several times, all
// decode as decodeURL does.
func TestURLCacheCollisions(t *testing.T) {
	var c urlCache
	var e, ref event.Event
	for round := 0; round < 3; round++ {
		for i := 0; i < 3*urlCacheSlots; i++ {
			raw := []byte("/x%41" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "?q=%u0042")
			e.Reset(raw)
			ref.Reset(raw)
			if got, want := c.decodeURL(&e, raw), decodeURL(&ref, raw); !bytes.Equal(got, want) {
				t.Fatalf("round %d: %q decoded to %q, want %q", round, raw, got, want)
			}
		}
	}
	long := append(bytes.Repeat([]byte("a"), urlCacheMax), "%41"...)
	e.Reset(long)
	if got := c.decodeURL(&e, long); len(got) != urlCacheMax+1 || got[urlCacheMax] != 'A' {
		t.Fatalf("long target decoded to %d bytes", len(got))
	}
}
