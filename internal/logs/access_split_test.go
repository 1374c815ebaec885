package logs

import (
	"bytes"
	"strings"
	"testing"
)

// accessSplitReference is what parseAccess did before accessSplit: find the first " [", then
// split the text before it with accessHead (itself held to accessHeadReference).
func accessSplitReference(b []byte) (br int, client, user []byte, ok bool) {
	br = indexVia(b, " [", 1)
	if br < 0 || br > 512 {
		return 0, nil, nil, false
	}
	client, user, ok = accessHead(b[:br])
	return br, client, user, ok
}

func FuzzAccessSplitSameAsReference(f *testing.F) {
	for _, s := range []string{`198.51.100.161 - - [10/Sep/2002:00:00:00 +0900] "GET / HTTP/1.1" 200 1`,
		`www.example.jp:80 198.51.100.7 - alice [x`, "a b c  [", "a  b [", "a b c d e [", "a b [", " [", "[", "a b c[ d [",
		"a b c", "0123456789abcdef 0123456 x [", "a\x00b c d [", "a b c [" + strings.Repeat("x", 600),
		strings.Repeat("x", 510) + " - - [", strings.Repeat("x", 511) + " a b [", strings.Repeat("x", 508) + " - - [12",
		strings.Repeat("x", 509) + " - - [12", " - - [10/Sep", "a - - [1", "a - - [", "a - - x [1", "a b - - [1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		br, c, u, ok := accessSplit(b)
		wbr, wc, wu, wok := accessSplitReference(b)
		if ok != wok || ok && (br != wbr || !bytes.Equal(c, wc) || !bytes.Equal(u, wu)) {
			t.Fatalf("accessSplit(%q) = %d, %q, %q, %v; reference %d, %q, %q, %v", b, br, c, u, ok, wbr, wc, wu, wok)
		}
	})
}

// TestAccessSplitLimit: the space before the time may be at most 512 bytes in, wherever the
// words of the head end.
func TestAccessSplitLimit(t *testing.T) {
	for n := 500; n <= 520; n++ {
		b := []byte(strings.Repeat("x", n) + " - - [rest")
		br, _, _, ok := accessSplit(b)
		wbr, _, _, wok := accessSplitReference(b)
		if ok != wok || br != wbr {
			t.Fatalf("client of %d bytes: %d %v, reference %d %v", n, br, ok, wbr, wok)
		}
	}
}

// FuzzAccessClientSameAsReference holds accessClient to the test it stands for, isIP ||
// looksLikeHostname, on words alone and inside a longer line.
func FuzzAccessClientSameAsReference(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "192.168.100.200", "10.0.0.1", "1234567890123456", "........", "12345678.", "host.example.com", "::1", "2001:db8::1", "1.2.3.4 -", "a"} {
		f.Add([]byte(s), 0)
	}
	f.Fuzz(func(t *testing.T, line []byte, cut int) {
		for _, client := range [][]byte{line, line[:min(max(cut, 0), len(line))]} {
			if got, want := accessClient(client), isIP(client) || looksLikeHostname(client); got != want {
				t.Fatalf("accessClient(%q) = %v, want %v", client, got, want)
			}
		}
	})
}

func TestAccessClient(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"", false}, {"1.2.3.4", true}, {"12.34.56.78", true}, {"255.255.255.255", true},
		{"1234567890123456", true}, {"12345678901234567", true}, {"1.2.3.4:80", false},
		{"::ffff:1.2.3.4", true}, {"host.example.com", true}, {"a b", false}, {"1.2.3.4/", false},
	} {
		if got := accessClient([]byte(tc.in)); got != tc.want {
			t.Errorf("accessClient(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
