package mail

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/japanese"

	"github.com/keikai-project/keikai/internal/escape"
)

// The Japanese charsets are decoded here rather than by x/text's decoders alone, because a
// decoder replaces what it cannot map with U+FFFD, and a report's log bytes (the statd shellcode
// in an ISO-2022-JP or Shift_JIS part) must reach the rules as they were. The code tables come
// from x/text, built once: its JIS X 0208 table is the WHATWG index, which includes NEC row 13
// (①, Ⅰ, ㈱, ㍉) and the NEC-selected IBM extensions, so ISO-2022-JP decodes as CP50220 does,
// and Shift_JIS as CP932.

var (
	tablesOnce sync.Once
	jis0208    [94 * 94]rune // row-major from 0x21 0x21; 0 = unmapped
	jis0212    [94 * 94]rune
	sjisTable  [0xFD - 0x81][0xFD - 0x40]rune // lead 0x81..0xFC, trail 0x40..0xFC
)

func buildTables() {
	tablesOnce.Do(func() {
		dec := japanese.EUCJP.NewDecoder()
		for a := 0; a < 94; a++ {
			for b := 0; b < 94; b++ {
				jis0208[a*94+b] = single(dec, []byte{byte(a + 0xA1), byte(b + 0xA1)})
				jis0212[a*94+b] = single(dec, []byte{0x8F, byte(a + 0xA1), byte(b + 0xA1)})
			}
		}
		sdec := japanese.ShiftJIS.NewDecoder()
		for lead := 0x81; lead <= 0xFC; lead++ {
			if lead >= 0xA0 && lead <= 0xDF {
				continue
			}
			for trail := 0x40; trail <= 0xFC; trail++ {
				if trail == 0x7F {
					continue
				}
				sjisTable[lead-0x81][trail-0x40] = single(sdec, []byte{byte(lead), byte(trail)})
			}
		}
	})
}

// single decodes one multi-byte character; 0 when the decoder does not map it to exactly one rune.
func single(dec *encoding.Decoder, b []byte) rune {
	out, err := dec.Bytes(b)
	if err != nil {
		return 0
	}
	r, size := utf8.DecodeRune(out)
	if r == utf8.RuneError || size != len(out) {
		return 0
	}
	return r
}

// charsetKind groups the labels that real mail used for the same encoding.
type charsetKind int

const (
	csASCII charsetKind = iota // us-ascii or no label
	csUTF8
	csISO2022JP
	csShiftJIS
	csEUCJP
	csOther
)

func classify(label string) charsetKind {
	l := strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch l {
	case "", "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "default", "unknown-8bit", "x-unknown":
		return csASCII
	case "utf-8", "utf8", "x-utf8":
		return csUTF8
	case "iso-2022-jp", "iso2022jp", "csiso2022jp", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3",
		"iso-2022-jp-ms", "cp50220", "cp50221", "cp50222", "x-iso-2022-jp", "jis", "iso-2022-jp-2004":
		return csISO2022JP
	case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j", "cp932",
		"ms932", "x-ms-cp932", "shift_jisx0213", "x-shift_jis":
		return csShiftJIS
	case "euc-jp", "eucjp", "x-euc-jp", "x-euc", "cseucpkdfmtjapanese", "euc-jis-2004", "eucjp-ms", "cp51932":
		return csEUCJP
	}
	return csOther
}

// toUTF8 converts b from the named charset to UTF-8. Bytes that are not valid in that charset are
// kept as they were. The note is non-empty when the charset was unknown or bytes were kept raw.
func toUTF8(label string, b []byte) ([]byte, string) {
	kind := classify(label)
	switch kind {
	case csASCII, csUTF8:
		// ISO-2022-JP sent without a charset parameter (or mislabelled us-ascii) is recognised by
		// its escape sequences; unlabelled 8-bit Japanese by a strict trial decode.
		if hasISO2022JPEscape(b) {
			out, kept := decodeISO2022JP(b)
			return out, keptNote("ISO-2022-JP (detected)", kept)
		}
		if kind == csASCII && !isASCII(b) && !utf8.Valid(b) {
			if guessed, out, ok := guessJapanese(b); ok {
				return out, "no charset given for 8-bit text; decoded as " + guessed
			}
		}
		return b, ""
	case csISO2022JP:
		out, kept := decodeISO2022JP(b)
		return out, keptNote("ISO-2022-JP", kept)
	case csShiftJIS:
		out, kept := decodeShiftJIS(b)
		return out, keptNote("Shift_JIS", kept)
	case csEUCJP:
		out, kept := decodeEUCJP(b)
		return out, keptNote("EUC-JP", kept)
	}
	enc, err := htmlindex.Get(strings.ToLower(strings.TrimSpace(label)))
	if err != nil {
		if hasISO2022JPEscape(b) {
			out, kept := decodeISO2022JP(b)
			note := "unknown charset " + quote(label) + "; decoded as ISO-2022-JP, detected by its escape sequences"
			if kept > 0 {
				note += "; " + keptNote("ISO-2022-JP", kept)
			}
			return out, note
		}
		return b, "unknown charset " + quote(label) + "; text kept as received"
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return b, "charset " + quote(label) + " could not be decoded; text kept as received"
	}
	return out, ""
}

func keptNote(name string, kept int) string {
	if kept == 0 {
		return ""
	}
	return strconv.Itoa(kept) + " bytes not valid in " + name + " kept as received"
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func hasISO2022JPEscape(b []byte) bool {
	return bytes.Contains(b, []byte("\x1b$B")) || bytes.Contains(b, []byte("\x1b$@")) ||
		bytes.Contains(b, []byte("\x1b(I")) || bytes.Contains(b, []byte("\x1b$(D"))
}

type jisMode int

const (
	modeASCII jisMode = iota
	modeKana
	mode0208
	mode0212
)

// decodeISO2022JP decodes ISO-2022-JP as CP50220/CP50221 clients wrote it: JIS X 0208 with NEC
// row 13, JIS X 0201 katakana by ESC ( I or SO/SI, JIS X 0212 by ESC $ ( D. A line break returns
// to ASCII, as RFC 1468 requires every line to end there and some encoders forgot to say so.
// Bytes outside the code (8-bit bytes, unmapped pairs) are copied as they are; kept counts them.
func decodeISO2022JP(b []byte) (out []byte, kept int) {
	buildTables()
	out = make([]byte, 0, len(b)+len(b)/2)
	mode, shifted := modeASCII, false
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0x1B {
			if m, n, ok := escapeSequence(b[i:]); ok {
				if n > 0 {
					mode = m
				}
				i += max(n, 3)
				continue
			}
			out = append(out, c)
			i++
			continue
		}
		switch {
		case c == 0x0E:
			shifted = true
			i++
			continue
		case c == 0x0F:
			shifted = false
			i++
			continue
		case c == '\n' || c == '\r':
			mode, shifted = modeASCII, false
			out = append(out, c)
			i++
			continue
		}
		if (mode == modeKana || shifted) && c >= 0x21 && c <= 0x5F {
			out = utf8.AppendRune(out, rune(0xFF61+int(c)-0x21))
			i++
			continue
		}
		if (mode == mode0208 || mode == mode0212) && c >= 0x21 && c <= 0x7E && i+1 < len(b) && b[i+1] >= 0x21 && b[i+1] <= 0x7E {
			idx := (int(c)-0x21)*94 + int(b[i+1]) - 0x21
			r := jis0208[idx]
			if mode == mode0212 {
				r = jis0212[idx]
			}
			if r != 0 {
				out = utf8.AppendRune(out, r)
			} else {
				out = append(out, c, b[i+1])
				kept += 2
			}
			i += 2
			continue
		}
		if c >= 0x80 {
			kept++
		}
		out = append(out, c)
		i++
	}
	return out, kept
}

// escapeSequence recognises the designations of ISO-2022-JP and its extensions. n is the length
// consumed; n == 0 with ok means a sequence that changes nothing (ESC & @, the 1990 revision prefix).
func escapeSequence(b []byte) (jisMode, int, bool) {
	for _, e := range []struct {
		seq  string
		mode jisMode
	}{
		{"\x1b(B", modeASCII}, {"\x1b(J", modeASCII}, {"\x1b(H", modeASCII},
		{"\x1b(I", modeKana},
		{"\x1b$@", mode0208}, {"\x1b$B", mode0208}, {"\x1b$(B", mode0208}, {"\x1b$(@", mode0208}, {"\x1b$(Q", mode0208}, {"\x1b$(O", mode0208},
		{"\x1b$(D", mode0212},
	} {
		if bytes.HasPrefix(b, []byte(e.seq)) {
			return e.mode, len(e.seq), true
		}
	}
	if bytes.HasPrefix(b, []byte("\x1b&@")) {
		return 0, 0, true
	}
	return 0, 0, false
}

// decodeShiftJIS decodes CP932 (Shift_JIS with the NEC and IBM extensions).
func decodeShiftJIS(b []byte) (out []byte, kept int) {
	buildTables()
	out = make([]byte, 0, len(b)+len(b)/2)
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			out = append(out, c)
			i++
		case c >= 0xA1 && c <= 0xDF:
			out = utf8.AppendRune(out, rune(0xFF61+int(c)-0xA1))
			i++
		case (c >= 0x81 && c <= 0x9F || c >= 0xE0 && c <= 0xFC) && i+1 < len(b) && b[i+1] >= 0x40 && b[i+1] <= 0xFC && b[i+1] != 0x7F:
			if r := sjisTable[c-0x81][b[i+1]-0x40]; r != 0 {
				out = utf8.AppendRune(out, r)
				i += 2
				continue
			}
			out = append(out, c)
			kept++
			i++
		default:
			out = append(out, c)
			kept++
			i++
		}
	}
	return out, kept
}

func decodeEUCJP(b []byte) (out []byte, kept int) {
	buildTables()
	out = make([]byte, 0, len(b)+len(b)/2)
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			out = append(out, c)
			i++
			continue
		case c == 0x8E && i+1 < len(b) && b[i+1] >= 0xA1 && b[i+1] <= 0xDF:
			out = utf8.AppendRune(out, rune(0xFF61+int(b[i+1])-0xA1))
			i += 2
			continue
		case c == 0x8F && i+2 < len(b) && inEUC(b[i+1]) && inEUC(b[i+2]):
			if r := jis0212[(int(b[i+1])-0xA1)*94+int(b[i+2])-0xA1]; r != 0 {
				out = utf8.AppendRune(out, r)
				i += 3
				continue
			}
		case inEUC(c) && i+1 < len(b) && inEUC(b[i+1]):
			if r := jis0208[(int(c)-0xA1)*94+int(b[i+1])-0xA1]; r != 0 {
				out = utf8.AppendRune(out, r)
				i += 2
				continue
			}
		}
		out = append(out, c)
		kept++
		i++
	}
	return out, kept
}

func inEUC(c byte) bool { return c >= 0xA1 && c <= 0xFE }

// guessJapanese decodes unlabelled 8-bit text as EUC-JP or Shift_JIS only when one of them decodes
// every byte and yields real Japanese (kana); anything else, shellcode included, stays raw.
func guessJapanese(b []byte) (string, []byte, bool) {
	best, bestName, bestKana := []byte(nil), "", 0
	for _, c := range []struct {
		name string
		dec  func([]byte) ([]byte, int)
	}{{"EUC-JP", decodeEUCJP}, {"Shift_JIS", decodeShiftJIS}} {
		out, kept := c.dec(b)
		if kept > 0 {
			continue
		}
		kana, nonASCII := 0, 0
		for _, r := range string(out) {
			if r >= 0x80 {
				nonASCII++
			}
			if unicode.In(r, unicode.Hiragana, unicode.Katakana) {
				kana++
			}
		}
		if kana >= 2 && kana*5 >= nonASCII && kana > bestKana {
			best, bestName, bestKana = out, c.name, kana
		}
	}
	return bestName, best, best != nil
}

// quote puts text from a message into a warning: shortened, and escaped (internal/escape) so
// that a file name with control characters cannot reach an analyst's terminal raw.
func quote(s string) string {
	if len(s) > 60 {
		s = strings.ToValidUTF8(s[:60], "") + "..."
	}
	return `"` + escape.String(s) + `"`
}
