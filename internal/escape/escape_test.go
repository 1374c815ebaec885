package escape

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"
)

func TestBytes(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"plain ascii", []byte("GET /index.html"), "GET /index.html"},
		{"japanese kept", []byte("不正アクセス　報告"), "不正アクセス　報告"},
		{"terminal escape", []byte("a\x1b[31mred"), `a\x1b[31mred`},
		{"nul and del", []byte{0, 'x', 0x7f}, `\x00x\x7f`},
		{"backslash", []byte(`C:\dir`), `C:\\dir`},
		{"whitespace controls", []byte("a\tb\nc\rd"), `a\tb\nc\rd`},
		{"invalid utf8", []byte{'a', 0x90, 0x90, 'b'}, `a\x90\x90b`},
		{"truncated rune", []byte{0xe3, 0x81}, `\xe3\x81`},
		{"bidi override", []byte("x\u202ey"), `x\u202ey`},
		{"private use plane", []byte("\U000F0000"), `\U000f0000`},
		{"empty", nil, ""},
		{"mark after punctuation", []byte("*\xcd\x80*"), `*\u0340*`},
		{"dakuten after kana kept", []byte("か\u3099"), "か\u3099"},
		{"accent after letter kept", []byte("e\u0301"), "e\u0301"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Bytes(tt.in)
			if got != tt.want {
				t.Fatalf("Bytes(%q) = %q, want %q", tt.in, got, tt.want)
			}
			back, err := Unescape(got)
			if err != nil {
				t.Fatalf("Unescape(%q): %v", got, err)
			}
			if !bytes.Equal(back, tt.in) && !(len(back) == 0 && len(tt.in) == 0) {
				t.Errorf("round trip: got %q, want %q", back, tt.in)
			}
		})
	}
}

func TestUnescapeErrors(t *testing.T) {
	for _, in := range []string{`\`, `\q`, `\x4`, `\xzz`, `\u12`, `\ud800`, `\U00110000`} {
		if _, err := Unescape(in); !errors.Is(err, ErrSyntax) {
			t.Errorf("Unescape(%q) error = %v, want ErrSyntax", in, err)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "abc", "\x00\x1b[0m", "不正\xff", "\\x41", "\u202e"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		esc := Bytes(in)
		for i := 0; i < len(esc); i++ {
			if c := esc[i]; c < 0x20 || c == 0x7f {
				t.Fatalf("escaped form %q carries control byte %#x", esc, c)
			}
		}
		back, err := Unescape(esc)
		if err != nil {
			t.Fatalf("Unescape(Bytes(%q)) = %v", in, err)
		}
		if !bytes.Equal(back, in) && len(in)+len(back) != 0 {
			t.Fatalf("round trip of %q gave %q", in, back)
		}
	})
}

func FuzzUnescape(f *testing.F) {
	for _, s := range []string{`\x00`, `\\`, `\u3042`, `abc\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = Unescape(s) // must not panic on any input
	})
}

// TestPlainPrefix compares the eight-bytes-at-a-time scan with a byte-at-a-time one, with every
// byte value at every position of a 17-byte text.
func TestPlainPrefix(t *testing.T) {
	naive := func(b []byte) int {
		for i, c := range b {
			if c < 0x20 || c >= 0x7f || c == '\\' {
				return i
			}
		}
		return len(b)
	}
	base := []byte("GET /index.html?a")
	for pos := range base {
		for c := range 256 {
			b := bytes.Clone(base)
			b[pos] = byte(c)
			if got, want := plainPrefix(b), naive(b); got != want {
				t.Fatalf("plainPrefix(%q) = %d, want %d", b, got, want)
			}
			if got, want := plainPrefix(string(b)), naive(b); got != want {
				t.Fatalf("plainPrefix(string %q) = %d, want %d", b, got, want)
			}
		}
	}
}

func FuzzAppendMatchesSlowPath(f *testing.F) {
	for _, s := range []string{"", "abcdefghij", "abcdefg\\hij", "0123456\x7f89", "e\u0301abcdefgh\u0301", "abcdefgh*\xcd\x80"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		// Escaping byte by byte from any split point gives the same text as a whole: the fast
		// path must carry the state (whether a mark may follow) like the slow one.
		want := string(slowAppend(nil, in))
		if got := Bytes(in); got != want {
			t.Fatalf("Bytes(%q) = %q, want %q", in, got, want)
		}
		if got := String(string(in)); got != want {
			t.Fatalf("String(%q) = %q, want %q", in, got, want)
		}
	})
}

// slowAppend is Append without the fast path, one byte or rune at a time: the oracle of
// FuzzAppendMatchesSlowPath.
func slowAppend(dst, b []byte) []byte {
	base := false
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			base = isASCIIAlnum(c)
			switch {
			case c == '\\':
				dst = append(dst, '\\', '\\')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			base = false
		case !shown(r, base):
			base = false
			if r <= 0xffff {
				dst = append(dst, '\\', 'u')
				dst = appendHex(dst, uint32(r), 4)
			} else {
				dst = append(dst, '\\', 'U')
				dst = appendHex(dst, uint32(r), 8)
			}
		default:
			dst = append(dst, b[i:i+n]...)
			base = carriesMarks(r)
		}
		i += n
	}
	return dst
}
