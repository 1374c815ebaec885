package logs

import "testing"

// hmsReference is hms digit by digit, as it was before it read the eight bytes as one word; it
// is the oracle of FuzzHMSSameAsReference.
func hmsReference(b []byte, c *clock) bool {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return false
	}
	var ok1, ok2, ok3 bool
	c.hour, ok1 = digits(b, 2)
	c.min, ok2 = digits(b[3:], 2)
	c.sec, ok3 = digits(b[6:], 2)
	return ok1 && ok2 && ok3
}

func FuzzHMSSameAsReference(f *testing.F) {
	for _, s := range []string{"12:34:56", "00:00:00", "99:99:99", "1:23:456", "12:34:5", "12:34:5x", "/0:00:00", ":0:00:00", "12;34:56", "12:34:56 rest", "\xff\xff:\xff\xff:\xff\xff", "0\x00:00:00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got, want clock
		ok, wok := hms(b, &got), hmsReference(b, &want)
		if ok != wok || ok && got != want {
			t.Fatalf("hms(%q) = %+v, %v; reference %+v, %v", b, got, ok, want, wok)
		}
	})
}
