package topk

import (
	"fmt"
	"strconv"
	"testing"
)

func TestHashesAgree(t *testing.T) {
	for _, k := range []string{"", "a", "198.51.100.7", "/cgi-bin/phf"} {
		if Hash([]byte(k)) != Hash(k) {
			t.Errorf("the hashes of bytes and string differ for %q: the sketch would count one key in two places", k)
		}
	}
}

// TestHashIsStable: the hash places keys in the sketch, so a change of its values would change
// approximate rankings; it must stay the one of eight-byte words and a byte-wise tail.
func TestHashIsStable(t *testing.T) {
	ref := func(key []byte) uint64 {
		h := 0x6b65696b6169 ^ uint64(len(key))*0x9E3779B97F4A7C15
		for ; len(key) >= 8; key = key[8:] {
			var w uint64
			for i := range 8 {
				w |= uint64(key[i]) << (8 * i)
			}
			h = mix(h ^ w)
		}
		var w uint64
		for i := range key {
			w |= uint64(key[i]) << (8 * i)
		}
		return mix(h ^ w)
	}
	key := []byte("203.0.113.254/cgi-bin/formmail.pl?x=1")
	for n := range len(key) + 1 {
		if got, want := Hash(key[:n]), ref(key[:n]); got != want {
			t.Errorf("hash of %q: %#x, want %#x", key[:n], got, want)
		}
	}
}

// TestOverflowKeyDoesNotAllocate: once the counter is full, a one-off key goes into the sketch
// without a copy of it being made.
func TestOverflowKeyDoesNotAllocate(t *testing.T) {
	c := New(4)
	for i := range 4 {
		c.Add([]byte("held"+strconv.Itoa(i)), 1000)
	}
	keys := make([][]byte, 256)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("198.51.100.%d", i))
	}
	i := 0
	if a := testing.AllocsPerRun(200, func() {
		c.Add(keys[i%len(keys)], 1)
		i++
	}); a != 0 {
		t.Errorf("%.2f allocations per Add of a key that stays in the sketch", a)
	}
	if !c.Approximate() {
		t.Error("Approximate() = false after overflow")
	}
}

// TestMergeMatchesAdd: counting a stream in two counters and merging them keeps the heavy keys on
// top, as one counter over the whole stream does, through the string path of the sketch.
func TestMergeMatchesAdd(t *testing.T) {
	one, a, b := New(8), New(8), New(8)
	for i := range 2000 {
		k := []byte("tail" + strconv.Itoa(i))
		if i%3 == 0 {
			k = []byte("heavy")
		}
		one.Add(k, 1)
		if i%2 == 0 {
			a.Add(k, 1)
		} else {
			b.Add(k, 1)
		}
	}
	a.Merge(b)
	for _, c := range []*Counter{one, a} {
		top := c.Top(1)
		if len(top) != 1 || top[0].Key != "heavy" || top[0].Count < 667 {
			t.Errorf("Top(1) = %v, want heavy with at least 667", top)
		}
	}
}

// TestSketchAddAsLoop: the written-out rows of sketch.add place and count as the loop over rows
// did, so that approximate rankings stay the same.
func TestSketchAddAsLoop(t *testing.T) {
	got, want := newSketch(), newSketch()
	for k := range 20000 {
		h := Hash(strconv.Itoa(k % 5000))
		n := int64(k%3 + 1)
		if k == 7 {
			n = 1 << 33 // saturates
		}
		h1, h2 := uint32(h), uint32(h>>32)|1
		est := int64(-1)
		for row := range want.cells {
			i := (h1 + uint32(row)*h2) % sketchWidth
			v := min(int64(want.cells[row][i])+n, 1<<32-1)
			want.cells[row][i] = uint32(v)
			if est < 0 || v < est {
				est = v
			}
		}
		if e := got.add(h, n); e != est {
			t.Fatalf("add %d: estimate %d, want %d", k, e, est)
		}
	}
	if got.cells != want.cells {
		t.Fatal("the cells differ")
	}
}

// TestTopSelectsAsSort: the selection Top makes for small n lists what sorting every entry
// would, ties (ordered by key) included.
func TestTopSelectsAsSort(t *testing.T) {
	c := New(300)
	for i := range 5000 {
		c.Add([]byte("k"+strconv.Itoa(i*7919%997)), int64(i%3+1))
	}
	all := c.Top(-1)
	if len(all) != 300 {
		t.Fatalf("Top(-1) has %d entries", len(all))
	}
	for i := 1; i < len(all); i++ {
		if a, b := all[i-1], all[i]; a.Count < b.Count || a.Count == b.Count && a.Key >= b.Key {
			t.Fatalf("Top(-1) out of order at %d: %v, %v", i, a, b)
		}
	}
	for _, n := range []int{0, 1, 2, 5, 20, 63, 64, 65, 299, 300, 301} {
		got := c.Top(n)
		want := all[:min(n, len(all))]
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Top(%d) = %v, want %v", n, got, want)
		}
	}
}
