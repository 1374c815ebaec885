package input

import (
	"bytes"
	"slices"
	"testing"
)

// checkLineEnds holds LineEnds, with and without the block search, to lineEndsRef.
func checkLineEnds(t *testing.T, data []byte, from, most int) {
	t.Helper()
	want, wantNext := lineEndsRef([]uint32{7}, data, from, most)
	saved := haveNewlineBlocks
	defer func() { haveNewlineBlocks = saved }()
	for _, blocks := range []bool{saved, false} {
		haveNewlineBlocks = blocks
		got, next := LineEnds([]uint32{7}, data, from, most)
		if !slices.Equal(got, want) || next != wantNext {
			t.Fatalf("LineEnds(%q, %d, %d) blocks=%v = %v, %d; want %v, %d", data, from, most, blocks, got, next, want, wantNext)
		}
	}
}

func TestLineEnds(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 200)
	nl := bytes.Repeat([]byte("\n"), 300)
	mixed := bytes.Repeat([]byte("ab\ncdefgh\n\r\nxyz"), 40)
	cases := []struct {
		data       []byte
		from, most int
	}{
		{nil, 0, 10},
		{[]byte("a"), 0, 10},
		{[]byte("\n"), 0, 10},
		{[]byte("a\nb"), 0, 10},
		{[]byte("a\nb\n"), 2, 10},
		{[]byte("a\nb\n"), 4, 10},
		{[]byte("a\nb\n"), 0, 0},
		{[]byte("a\nb\n"), 0, 1},
		{long, 0, 5},
		{append(slices.Clone(long), '\n'), 0, 5},
		{nl, 0, 1000},
		{nl, 0, 100}, // the room runs out inside the blocks
		{nl, 0, 64},
		{nl, 0, 63},
		{nl, 5, 70},
		{mixed, 0, 1000},
		{mixed, 3, 17},
		{mixed, 0, 130},
		{append(bytes.Repeat([]byte("y"), 63), '\n'), 0, 1},
		{append(bytes.Repeat([]byte("y"), 64), '\n'), 0, 1},
		{append(bytes.Repeat([]byte("y"), 127), "\n\n"...), 0, 2},
	}
	for _, c := range cases {
		checkLineEnds(t, c.data, c.from, c.most)
	}
}

func FuzzLineEnds(f *testing.F) {
	f.Add([]byte("a\nb\n"), 0, 10)
	f.Add(bytes.Repeat([]byte("ab\ncdefgh\n\r\nxyz"), 20), 3, 50)
	f.Add(bytes.Repeat([]byte("\n"), 200), 0, 70)
	f.Fuzz(func(t *testing.T, data []byte, from, most int) {
		if most > 1<<16 {
			most = 1 << 16
		}
		if from > 0 && from < len(data) && data[from-1] != '\n' {
			// LineEnds takes the start of a line; go to the next one.
			i := bytes.IndexByte(data[from:], '\n')
			if i < 0 {
				return
			}
			from += i + 1
		}
		checkLineEnds(t, data, from, most)
	})
}

func TestNewlineBlocks(t *testing.T) {
	for n := 64; n <= 256; n += 64 {
		b := make([]byte, n)
		for i := range b {
			if i%3 == 0 || i%64 == 63 || i%64 == 32 || i%64 == 31 {
				b[i] = '\n'
			}
		}
		want := make([]uint32, n)
		want = want[:newlineBlocksGo(b, 1000, want)]
		got := make([]uint32, n)
		got = got[:newlineBlocks(b, 1000, got)]
		if !slices.Equal(got, want) {
			t.Fatalf("n=%d: %v, want %v", n, got, want)
		}
	}
}
