package demo

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
)

// charsets are the encodings of Japanese mail of the time, by their MIME names.
var charsets = map[string]encoding.Encoding{
	"ISO-2022-JP": japanese.ISO2022JP,
	"Shift_JIS":   japanese.ShiftJIS,
	"EUC-JP":      japanese.EUCJP,
}

// encodeText converts UTF-8 text to charset. Text that the charset cannot hold, and text with
// bytes that are not UTF-8 (a pasted statd line), is sent as UTF-8 instead, as a mailer that
// cannot convert would; the returned charset says which was used.
func encodeText(s, charset string) ([]byte, string) {
	enc, ok := charsets[charset]
	if !ok || !utf8.ValidString(s) {
		if charset == "us-ascii" || charset == "UTF-8" {
			return []byte(s), charset
		}
		return []byte(s), "UTF-8"
	}
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		return []byte(s), "UTF-8"
	}
	return b, charset
}

// encodeWord encodes a header value as RFC 2047 encoded words when it is not ASCII. ISO-2022-JP
// words each end in ASCII mode, as RFC 1468 requires, so a long value is cut into short runs.
func encodeWord(s, charset string) string {
	if isASCII(s) {
		return s
	}
	if charset != "ISO-2022-JP" {
		return mime.BEncoding.Encode("UTF-8", s)
	}
	var words []string
	runes := []rune(s)
	for len(runes) > 0 {
		n := min(len(runes), 12)
		b, err := japanese.ISO2022JP.NewEncoder().Bytes([]byte(string(runes[:n])))
		if err != nil {
			return mime.BEncoding.Encode("UTF-8", s)
		}
		words = append(words, "=?ISO-2022-JP?B?"+base64.StdEncoding.EncodeToString(b)+"?=")
		runes = runes[n:]
	}
	return strings.Join(words, "\r\n ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// part is one MIME body part ready to write.
type part struct {
	header string // Content-Type and the rest, without the trailing blank line
	body   []byte // already transfer-encoded
}

func wrap64(b []byte) []byte {
	s := base64.StdEncoding.EncodeToString(b)
	var out bytes.Buffer
	for len(s) > 76 {
		out.WriteString(s[:76])
		out.WriteString("\r\n")
		s = s[76:]
	}
	out.WriteString(s)
	out.WriteString("\r\n")
	return out.Bytes()
}

func qp(b []byte) []byte {
	var out bytes.Buffer
	w := quotedprintable.NewWriter(&out)
	w.Write(b)
	w.Close()
	return crlf(out.Bytes())
}

// crlf turns bare line feeds into CRLF, as RFC 5322 requires on the wire.
func crlf(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

// textPart encodes text in charset with a transfer encoding chosen as mailers of the time did.
func textPart(rng *rand.Rand, text, charset string) part {
	body, charset := encodeText(text, charset)
	cte := "7bit"
	switch charset {
	case "ISO-2022-JP":
	case "us-ascii":
		if !isASCII(text) {
			cte = "8bit"
		}
	case "UTF-8":
		cte = []string{"base64", "quoted-printable", "8bit"}[rng.IntN(3)]
		if !utf8.ValidString(text) {
			cte = "8bit"
		}
	default: // Shift_JIS, EUC-JP
		cte = []string{"base64", "8bit"}[rng.IntN(2)]
	}
	header := fmt.Sprintf("Content-Type: text/plain; charset=%s\r\nContent-Transfer-Encoding: %s", charset, cte)
	switch cte {
	case "base64":
		return part{header, wrap64(body)}
	case "quoted-printable":
		return part{header, qp(body)}
	}
	return part{header, crlf(body)}
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// message assembles an RFC 5322 message from its headers and parts: one part is sent as the
// whole body, more as multipart/mixed.
func message(rng *rand.Rand, headers []string, parts []part) []byte {
	var b bytes.Buffer
	for _, h := range headers {
		b.WriteString(h)
		b.WriteString("\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	if len(parts) == 1 {
		b.WriteString(parts[0].header)
		b.WriteString("\r\n\r\n")
		b.Write(parts[0].body)
		return b.Bytes()
	}
	boundary := fmt.Sprintf("------------%012X%08X", rng.Uint64()>>16, rng.Uint32())
	fmt.Fprintf(&b, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\nThis is a multi-part message in MIME format.\r\n", boundary)
	for _, p := range parts {
		fmt.Fprintf(&b, "--%s\r\n%s\r\n\r\n", boundary, p.header)
		b.Write(p.body)
		// The line break before a boundary belongs to the boundary (RFC 2046, 5.1.1): without
		// one of its own, the part would lose its last line break.
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

// rfc2822Date is the Date: header form.
func rfc2822Date(t time.Time) string { return t.Format("Mon, 2 Jan 2006 15:04:05 -0700") }
