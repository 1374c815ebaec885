package topk

import "testing"

// hashReference is Hash as it read its last bytes one at a time, kept as the oracle of
// FuzzHashSameAsReference: the values must never change (the sketch's cells, and so reported
// counts, depend on them).
func hashReference(key []byte) uint64 {
	h := 0x6b65696b6169 ^ uint64(len(key))*0x9E3779B97F4A7C15
	for len(key) >= 8 {
		w := uint64(key[0]) | uint64(key[1])<<8 | uint64(key[2])<<16 | uint64(key[3])<<24 |
			uint64(key[4])<<32 | uint64(key[5])<<40 | uint64(key[6])<<48 | uint64(key[7])<<56
		h = mix(h ^ w)
		key = key[8:]
	}
	var w uint64
	for i, c := range key {
		w |= uint64(c) << (8 * i)
	}
	return mix(h ^ w)
}

func FuzzHashSameAsReference(f *testing.F) {
	for _, s := range []string{"", "a", "abc", "1.2.3.4", "10.0.0.1", "192.168.0.237", "203.0.113.155x", "/cgi-bin/formmail.pl"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, key []byte) {
		want := hashReference(key)
		if got := Hash(key); got != want {
			t.Fatalf("Hash(%q) = %#x, reference %#x", key, got, want)
		}
		if got := Hash(string(key)); got != want {
			t.Fatalf("Hash(string %q) = %#x, reference %#x", key, got, want)
		}
	})
}

// TestHashEveryLength checks each length up to 40 against the reference.
func TestHashEveryLength(t *testing.T) {
	key := make([]byte, 0, 40)
	for n := 0; n <= 40; n++ {
		if got, want := Hash(key), hashReference(key); got != want || Hash(string(key)) != want {
			t.Fatalf("Hash(%q) = %#x, reference %#x", key, got, want)
		}
		key = append(key, byte(0x80+n*7))
	}
}
