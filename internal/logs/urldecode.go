package logs

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/event"
)

// decodeURL percent-decodes a request target once: %XX becomes that byte and %uXXXX (IIS style,
// as Code Red sends it) the UTF-8 encoding of that code point; invalid escapes and '+' stay as
// they are. When nothing decodes, the raw slice itself is returned, so most lines copy nothing.
func decodeURL(e *event.Event, raw []byte) []byte {
	first := firstEscape(raw)
	if first < 0 {
		return raw
	}
	return decodeFrom(e, raw, first)
}

// firstEscape returns the index of the first valid escape in raw, or -1.
func firstEscape(raw []byte) int {
	for i := 0; i < len(raw); i++ {
		j := bytes.IndexByte(raw[i:], '%') // most targets hold no '%' at all
		if j < 0 {
			break
		}
		i += j
		if escapeLen(raw[i:]) > 0 {
			return i
		}
	}
	return -1
}

// decodeFrom decodes raw, whose first valid escape is at first, into e's scratch space.
func decodeFrom(e *event.Event, raw []byte, first int) []byte {
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

// urlCache remembers the last targets that needed decoding, with their decoded text: worms send
// the same few escaped requests over and over (Code Red's %u shell code, Nimda's dozen
// directory-traversal spellings), and comparing a target with a remembered one costs a fraction
// of decoding it again. A target may sit in either of two slots its hash picks, so that two
// frequent targets whose first choices collide both stay; a miss decodes and takes an empty one
// of the two, or else each in turn.
type urlCache struct {
	slots [urlCacheSlots]urlCacheSlot
	turn  int // which of two full slots a miss takes next
}

type urlCacheSlot struct {
	raw, decoded []byte
}

const (
	urlCacheBits  = 6
	urlCacheSlots = 1 << urlCacheBits
	// urlCacheMax is the longest target remembered, which bounds the cache's memory.
	urlCacheMax = 1024
)

// decodeURL is decodeURL(e, raw), taken from the cache when raw was decoded lately.
func (c *urlCache) decodeURL(e *event.Event, raw []byte) []byte {
	first := firstEscape(raw)
	if first < 0 {
		return raw
	}
	if len(raw) > urlCacheMax {
		return decodeFrom(e, raw, first)
	}
	k := urlHash(raw, first)
	s1, s2 := &c.slots[k>>(64-urlCacheBits)], &c.slots[k&(urlCacheSlots-1)]
	if bytes.Equal(s1.raw, raw) {
		return e.Scratch(s1.decoded)
	}
	if bytes.Equal(s2.raw, raw) {
		return e.Scratch(s2.decoded)
	}
	dec := decodeFrom(e, raw, first)
	s := s1
	if s1.raw != nil && (s2.raw == nil || c.turn&1 != 0) {
		s = s2
	}
	c.turn++
	s.raw = append(s.raw[:0], raw...)
	s.decoded = append(s.decoded[:0], dec...)
	return dec
}

// urlHash hashes a target that has an escape at first by its length and the eight bytes on
// either side of that escape: the worms' requests differ there (Nimda's spellings in the escape,
// Code Red's padding before it). Other differences only cost misses.
func urlHash(raw []byte, first int) uint64 {
	k := uint64(len(raw)) * 0x9E3779B97F4A7C15
	if first >= 8 {
		k ^= binary.LittleEndian.Uint64(raw[first-8:])
	}
	if len(raw)-first >= 8 {
		k += binary.LittleEndian.Uint64(raw[first:]) * 0xff51afd7ed558ccd
	}
	k *= 0xc4ceb9fe1a85ec53
	return k ^ k>>29
}
