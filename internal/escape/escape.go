// Package escape turns untrusted bytes from logs into text that is safe to show on a terminal or in
// a page, and back. A log line may carry terminal control sequences, NUL bytes, invalid UTF-8 or
// Unicode bidirectional overrides; none of them may reach a person raw.
//
// The escaped form keeps printable UTF-8 (Japanese included) as it is and writes everything else as
// a backslash escape: \\ \t \n \r, \xNN for a byte that is a control character or not valid UTF-8,
// and \uNNNN or \UNNNNNNNN for a valid but non-graphic rune (format characters such as U+202E)
// or a combining mark that does not follow a letter or digit: shellcode bytes often decode to
// marks that would otherwise stack invisibly on the punctuation before them.
// Unescape reverses it exactly, so an excerpt copied from keikai's output can be fed back as a rule
// sample and yields the original bytes.
package escape

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Bytes returns the escaped form of b.
func Bytes(b []byte) string {
	if plainPrefix(b) == len(b) {
		return string(b)
	}
	return string(Append(nil, b))
}

// String returns the escaped form of s: s itself, without a copy, when it needs no escape (most
// texts: rule titles, addresses, paths).
func String(s string) string {
	if plainPrefix(s) == len(s) {
		return s
	}
	return string(Append(nil, []byte(s)))
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plainPrefix is the length of the run of printable ASCII other than the backslash at the start
// of b: the bytes that are written as they are. It looks at eight bytes at a time; a log line is
// mostly such bytes.
func plainPrefix[T string | []byte](b T) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := uint64(b[i]) | uint64(b[i+1])<<8 | uint64(b[i+2])<<16 | uint64(b[i+3])<<24 |
			uint64(b[i+4])<<32 | uint64(b[i+5])<<40 | uint64(b[i+6])<<48 | uint64(b[i+7])<<56
		// A byte below 0x20, at or above 0x7f, or equal to '\\' sets its top bit in one of
		// these; each test is exact when no byte has its top bit set, which w&msb rules out.
		below := (w - 0x20*lsb) &^ w
		del, bs := w^0x7f*lsb, w^'\\'*lsb // zero where the byte is DEL or a backslash
		del = (del - lsb) &^ del
		bs = (bs - lsb) &^ bs
		if (w|below|del|bs)&msb != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c >= 0x7f || c == '\\' {
			break
		}
	}
	return i
}

// shown reports whether a valid rune is written as it is; base says whether the rune before it
// can carry combining marks.
func shown(r rune, base bool) bool {
	if !unicode.IsGraphic(r) {
		return false
	}
	return base || !unicode.Is(unicode.M, r)
}

func carriesMarks(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
}

func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Append appends the escaped form of b to dst.
func Append(dst, b []byte) []byte {
	base := false
	for i := 0; i < len(b); {
		if n := plainPrefix(b[i:]); n > 0 {
			dst = append(dst, b[i:i+n]...)
			i += n
			base = isASCIIAlnum(b[i-1])
			continue
		}
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

func appendHex(dst []byte, v uint32, digits int) []byte {
	for shift := (digits - 1) * 4; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(v>>uint(shift))&0xf])
	}
	return dst
}

// ErrSyntax is wrapped by every error Unescape returns.
var ErrSyntax = errors.New("invalid escape")

// Unescape returns the bytes whose escaped form is s.
func Unescape(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("%w: lone backslash at the end (write \\\\ for a backslash)", ErrSyntax)
		}
		i++
		switch s[i] {
		case '\\':
			out = append(out, '\\')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'x', 'u', 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[i]]
			if i+width >= len(s) {
				return nil, fmt.Errorf("%w: \\%c at offset %d needs %d hex digits", ErrSyntax, s[i], i-1, width)
			}
			v, err := strconv.ParseUint(s[i+1:i+1+width], 16, 32)
			if err != nil {
				return nil, fmt.Errorf("%w: \\%c at offset %d: %q is not hexadecimal", ErrSyntax, s[i], i-1, s[i+1:i+1+width])
			}
			if s[i] == 'x' {
				out = append(out, byte(v))
			} else {
				if !utf8.ValidRune(rune(v)) {
					return nil, fmt.Errorf("%w: \\%c%s at offset %d is not a valid rune", ErrSyntax, s[i], s[i+1:i+1+width], i-1)
				}
				out = utf8.AppendRune(out, rune(v))
			}
			i += width
		default:
			return nil, fmt.Errorf("%w: \\%c at offset %d (known escapes: \\\\ \\t \\n \\r \\xNN \\uNNNN \\UNNNNNNNN)", ErrSyntax, s[i], i-1)
		}
	}
	return out, nil
}
