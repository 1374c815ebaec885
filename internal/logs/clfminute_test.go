package logs

import "testing"

// TestClfTimeMinuteCache changes each byte of the minute ("dd/Mon/yyyy:hh:mm"), the seconds and
// the offset of a stamp parsed just before and compares with a fresh parser.
func TestClfTimeMinuteCache(t *testing.T) {
	const first = "10/Oct/2000:13:55:36 -0700] "
	seconds := []string{
		"11/Oct/2000:13:55:36 -0700] ", "20/Oct/2000:13:55:36 -0700] ", "10/Nov/2000:13:55:36 -0700] ",
		"10/Oct/3000:13:55:36 -0700] ", "10/Oct/2100:13:55:36 -0700] ", "10/Oct/2010:13:55:36 -0700] ",
		"10/Oct/2001:13:55:36 -0700] ", "10/Oct/2000:23:55:36 -0700] ", "10/Oct/2000:14:55:36 -0700] ",
		"10/Oct/2000:13:45:36 -0700] ", "10/Oct/2000:13:56:36 -0700] ", "10/Oct/2000:13:55:59 -0700] ",
		"10/Oct/2000:13:55:60 -0700] ", "10/Oct/2000:13:55:61 -0700] ", "10/Oct/2000:13:55:6x -0700] ",
		"10/Oct/2000:13:55:00 +0700] ", "10/Oct/2000:13:55:00 -0701] ", "10/Oct/2000:13:55x00 -0700] ",
		"10/Oct/2000:13:55:36x-0700] ",
	}
	for _, second := range seconds {
		warm := newTestParser()
		warm.clfTime([]byte(first))
		ns, off, n, ok := warm.clfTime([]byte(second))
		ns2, off2, n2, ok2 := newTestParser().clfTime([]byte(second))
		if ns != ns2 || off != off2 || n != n2 || ok != ok2 {
			t.Errorf("after %q, %q gave %d %d %d %v; fresh %d %d %d %v", first, second, ns, off, n, ok, ns2, off2, n2, ok2)
		}
	}
}
