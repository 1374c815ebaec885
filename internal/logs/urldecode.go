package logs

import (
	"bytes"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/event"
)

// decodeURL percent-decodes a request target once: %XX becomes that byte and %uXXXX (IIS style,
// as Code Red sends it) the UTF-8 encoding of that code point; invalid escapes and '+' stay as
// they are. When nothing decodes, the raw slice itself is returned, so most lines copy nothing.
func decodeURL(e *event.Event, raw []byte) []byte {
	first := -1
	for i := 0; i < len(raw); i++ {
		j := bytes.IndexByte(raw[i:], '%') // most targets hold no '%' at all
		if j < 0 {
			break
		}
		i += j
		if escapeLen(raw[i:]) > 0 {
			first = i
			break
		}
	}
	if first < 0 {
		return raw
	}
	// Decoding never lengthens the text (3 bytes → 1, 6 bytes → at most 3), so it runs in place
	// over a scratch copy.
	buf := e.Scratch(raw)
	w := first
	for r := first; r < len(buf); {
		// An escape's digits are read through hexDigits, which marks a non-digit as 0xff: one
		// OR of the digits tells a valid escape (escapeLen's rules) from an invalid one.
		n := 1
		if buf[r] == '%' && r+2 < len(buf) {
			if buf[r+1]|0x20 == 'u' {
				if r+5 < len(buf) {
					a, b, c, d := hexDigits[buf[r+2]], hexDigits[buf[r+3]], hexDigits[buf[r+4]], hexDigits[buf[r+5]]
					if a|b|c|d < 16 {
						w += utf8.EncodeRune(buf[w:], rune(a)<<12|rune(b)<<8|rune(c)<<4|rune(d))
						n = 6
					}
				}
			} else if h, l := hexDigits[buf[r+1]], hexDigits[buf[r+2]]; h|l < 16 {
				buf[w] = h<<4 | l
				w++
				n = 3
			}
		}
		if n == 1 {
			buf[w] = buf[r]
			w++
		}
		r += n
		// The text up to the next '%' moves as one run: long targets (Code Red's padding, query
		// strings) have few escapes among many plain bytes.
		if r < len(buf) && buf[r] != '%' {
			j := bytes.IndexByte(buf[r:], '%')
			if j < 0 {
				j = len(buf) - r
			}
			w += copy(buf[w:], buf[r:r+j])
			r += j
		}
	}
	return buf[:w:w]
}

// hexDigits holds each byte's value as a hex digit, 0xff for bytes that are none.
var hexDigits = func() (t [256]byte) {
	for c := range t {
		t[c] = 0xff
		if isHex(byte(c)) {
			t[c] = hexVal(byte(c))
		}
	}
	return t
}()

// escapeLen returns the length of a valid escape at the start of b (3 for %XX, 6 for %uXXXX), or 0.
func escapeLen(b []byte) int {
	if len(b) < 3 || b[0] != '%' {
		return 0
	}
	if (b[1] == 'u' || b[1] == 'U') && len(b) >= 6 && isHex(b[2]) && isHex(b[3]) && isHex(b[4]) && isHex(b[5]) {
		return 6
	}
	if isHex(b[1]) && isHex(b[2]) {
		return 3
	}
	return 0
}
