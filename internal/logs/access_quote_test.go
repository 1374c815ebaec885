package logs

import "testing"

// closingQuoteStepwise is closingQuote's definition, byte by byte: a backslash escapes the byte
// after it.
func closingQuoteStepwise(b []byte) int {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func TestClosingQuote(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{``, -1},
		{`"`, 0},
		{`abc`, -1},
		{`GET / HTTP/1.0" 200`, 14},
		{`a\"b"`, 4},
		{`a\\"b"`, 3},
		{`a\\\"b"`, 6},
		{`\"`, -1},
		{`\\"`, 2},
		{`x\`, -1},
		{`x\"\"\"`, -1},
		{`x\"\\"`, 5},
		{`\x\\"`, 4},
	} {
		if got := closingQuote([]byte(tc.in)); got != tc.want {
			t.Errorf("closingQuote(%q) = %d, want %d", tc.in, got, tc.want)
		}
		if got := closingQuoteStepwise([]byte(tc.in)); got != tc.want {
			t.Errorf("closingQuoteStepwise(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func FuzzClosingQuote(f *testing.F) {
	for _, s := range []string{`a\"b"`, `\\\\"`, `x\`, `Mozilla/4.0 (compatible; MSIE 6.0)" "-"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := closingQuote(b), closingQuoteStepwise(b); got != want {
			t.Fatalf("closingQuote(%q) = %d, byte by byte %d", b, got, want)
		}
	})
}
