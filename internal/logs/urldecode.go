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
		n := escapeLen(buf[r:])
		switch n {
		case 3:
			buf[w] = hexVal(buf[r+1])<<4 | hexVal(buf[r+2])
			w++
		case 6:
			cp := rune(hexVal(buf[r+2]))<<12 | rune(hexVal(buf[r+3]))<<8 |
				rune(hexVal(buf[r+4]))<<4 | rune(hexVal(buf[r+5]))
			w += utf8.EncodeRune(buf[w:], cp)
		default:
			buf[w] = buf[r]
			w++
			n = 1
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
