package logs

import (
	"bytes"
	"testing"
)

// spaceMaskReference is spaceMask byte by byte.
func spaceMaskReference(b []byte, from int) (m [spaceWindow / 64]uint64) {
	for j := 0; j < spaceWindow && from+j < len(b); j++ {
		if b[from+j] == ' ' {
			m[j/64] |= 1 << (j % 64)
		}
	}
	return m
}

func checkSpaceMask(t *testing.T, b []byte, from int) {
	t.Helper()
	want := spaceMaskReference(b, from)
	var got, generic [spaceWindow / 64]uint64
	for i := range got {
		got[i], generic[i] = ^uint64(0), ^uint64(0) // every word is written
	}
	spaceMask(b, from, &got)
	spaceMaskGeneric(b, from, &generic)
	if got != want || generic != want {
		t.Fatalf("spaceMask(%q, %d) = %x, generic %x, want %x", b, from, got, generic, want)
	}
}

func TestSpaceMask(t *testing.T) {
	long := bytes.Repeat([]byte("ab cdefg hi  jklmnop "), 60)
	for n := 0; n < len(long); n += 7 {
		for _, from := range []int{0, 1, 15, 16, 17, n / 2, n} {
			if from <= n {
				checkSpaceMask(t, long[:n], from)
			}
		}
	}
}

// FuzzSpaceMask holds spaceMask (SSE2 on amd64) and its portable form to a byte-by-byte test.
func FuzzSpaceMask(f *testing.F) {
	f.Add([]byte("IN=eth0 OUT= MAC=00:0c:29:19:44:6b:00:50:56:dd:ee:ff:08:00 SRC=198.18.58.64 DST=192.0.2.109"), 3)
	f.Add(bytes.Repeat([]byte(" x"), 300), 17)
	f.Add([]byte("      "), 2)
	f.Fuzz(func(t *testing.T, b []byte, from int) {
		if from < 0 || from > len(b) {
			return
		}
		checkSpaceMask(t, b, from)
	})
}
