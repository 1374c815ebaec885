package logs

import (
	"bytes"
	"testing"
)

// FuzzProgCacheSameAsClassify feeds the names of the input (one a line) through one progCache,
// each both as a slice of the input (so that progKey may load bytes past it) and as a copy of its
// own size, and holds every answer to classifyProgram's.
func FuzzProgCacheSameAsClassify(f *testing.F) {
	for _, s := range []string{"sshd\nCRON\nsshd", "postfix/smtpd\npostfix/qmgr\nsm-mta\nsendmail", "/usr/sbin/pflogd\npf\nkernel\n\nipfw",
		"in.ftpd\nin.telnetd\nlogin\nsu\n/bin/su\nxinetd", "a\nab\nabc\nabcdefg\nabcdefgh\nabcdefghi\nabcdefghijklmnop\nabcdefghijklmnopq",
		"su\x00\nsu", "sshd(pam_unix)\nsystemd-logind\nulogd2", "x/\n/\n//a"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var c progCache
		for range 2 {
			for _, name := range bytes.Split(in, []byte("\n")) {
				own := bytes.Clone(name)
				for _, prog := range [][]byte{name, own} {
					if got, want := c.class(prog), classifyProgram(prog); got != want {
						t.Fatalf("class(%q) = %+v, want %+v", prog, got, want)
					}
				}
			}
		}
	})
}

// TestProgKey checks that names that differ only past their length, or by a zero byte, get
// different keys or lengths.
func TestProgKey(t *testing.T) {
	line := []byte("sshd[1]: x sshd\x00\x00\x00\x00\x00")
	a, _, _ := progKey(line[:4])
	b, _, _ := progKey(line[11:15])
	if a != b {
		t.Errorf("sshd in two places: %x, %x", a, b)
	}
	c, _, _ := progKey(line[11:16])
	if c != b {
		t.Errorf("a zero byte more does not change the word (the length tells them apart): %x, %x", c, b)
	}
	var pc progCache
	if pc.class(line[11:16]) != classifyProgram(line[11:16]) || pc.class(line[11:15]) != classifyProgram(line[11:15]) {
		t.Error("sshd and sshd\\x00 mixed up")
	}
	if _, _, ok := progKey(make([]byte, 17)); ok {
		t.Error("a name of 17 bytes has no key")
	}
}

// TestProgCacheTwoWays checks that two names of one set both stay cached: the second does not
// evict the first, a third evicts the older.
func TestProgCacheTwoWays(t *testing.T) {
	setOf := func(name string) uint64 {
		w0, w1, _ := progKey([]byte(name))
		return ((w0^w1*0x9e3779b97f4a7c15)*0xff51afd7ed558ccd + uint64(len(name))) >> (64 - progCacheSetBits)
	}
	var same []string
	for i := 0; len(same) < 3 && i < 100000; i++ {
		name := "p" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26))
		if setOf(name) == setOf("sshd") && name != "sshd" {
			same = append(same, name)
		}
	}
	if len(same) < 3 {
		t.Fatal("no colliding names found")
	}
	cached := func(c *progCache, name string) bool {
		w0, w1, _ := progKey([]byte(name))
		for _, s := range c.slots {
			if s.w0 == w0 && s.w1 == w1 && s.n == len(name)+1 {
				return true
			}
		}
		return false
	}
	var c progCache
	c.class([]byte("sshd"))
	c.class([]byte(same[0]))
	if !cached(&c, "sshd") || !cached(&c, same[0]) {
		t.Fatalf("sshd and %s share a set: both should be cached", same[0])
	}
	c.class([]byte(same[1]))
	if cached(&c, "sshd") || !cached(&c, same[0]) || !cached(&c, same[1]) {
		t.Fatalf("a third name should evict the oldest, sshd")
	}
}
