package mail

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	netmail "net/mail"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// field is one header field as it stood, unfolded; Value keeps its bytes (8-bit or ESC included).
type field struct {
	Name  string
	Value string
}

// header is a message or part header in its original order.
type header []field

// Get returns the first value of the named field, trimmed, or "".
func (h header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return strings.TrimSpace(f.Value)
		}
	}
	return ""
}

// Values returns every value of the named field, in order.
func (h header) Values(name string) []string {
	var out []string
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			out = append(out, strings.TrimSpace(f.Value))
		}
	}
	return out
}

// splitMessage separates a header from its body. It never fails: a line that is not a header
// field is skipped with a warning, a leading mbox "From " line is skipped silently, and a message
// without a blank line after its header has an empty body. headerEnd is the offset of the blank
// line (the end of the header block).
func splitMessage(raw []byte) (h header, body []byte, headerEnd int, warnings []string) {
	off := 0
	first := true
	for off < len(raw) {
		nl := bytes.IndexByte(raw[off:], '\n')
		next := len(raw)
		line := raw[off:]
		if nl >= 0 {
			next = off + nl + 1
			line = raw[off : off+nl]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return h, raw[next:], off, warnings
		}
		switch {
		case line[0] == ' ' || line[0] == '\t':
			if len(h) == 0 {
				warnings = append(warnings, "header starts with a continuation line; line ignored")
			} else {
				h[len(h)-1].Value += " " + string(bytes.TrimLeft(line, " \t"))
			}
		default:
			colon := bytes.IndexByte(line, ':')
			name := ""
			if colon > 0 {
				name = string(bytes.TrimRight(line[:colon], " \t"))
			}
			switch {
			case validFieldName(name):
				h = append(h, field{Name: name, Value: string(line[colon+1:])})
			case first && bytes.HasPrefix(line, []byte("From ")):
				// The mbox separator line stays in front when a message is decoded straight from a file.
			case first:
				// Not a header at all: the whole input is body text (a pasted log, a bare body).
				return nil, raw, 0, []string{"message has no header; all of it read as body text"}
			default:
				warnings = append(warnings, "malformed header line ignored: "+quote(string(line)))
			}
		}
		first = false
		off = next
	}
	return h, nil, len(raw), warnings
}

func validFieldName(name string) bool {
	if name == "" || len(name) > 76 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7F {
			return false
		}
	}
	return true
}

// Compiled on first use: package init is the start-up of every command.
var encodedWord = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=`) })

// decodeHeaderText decodes a header value for people: RFC 2047 encoded words (adjacent words of
// one charset are joined before decoding, since some Japanese mailers split a character across
// two words), then raw ISO-2022-JP or 8-bit Japanese that old mailers put in headers unencoded.
func decodeHeaderText(v string) string {
	matches := encodedWord().FindAllStringSubmatchIndex(v, -1)
	if matches == nil {
		return plainHeaderText(v)
	}
	var out strings.Builder
	pos := 0
	var pending []byte
	pendingCharset := ""
	flush := func() {
		if pending != nil {
			text, _ := toUTF8(pendingCharset, pending)
			out.Write(text)
			pending, pendingCharset = nil, ""
		}
	}
	for _, m := range matches {
		gap := v[pos:m[0]]
		charset := v[m[2]:m[3]]
		if k := strings.IndexByte(charset, '*'); k >= 0 { // RFC 2231 language suffix
			charset = charset[:k]
		}
		data, ok := decodeWord(v[m[4]:m[5]], v[m[6]:m[7]])
		if !ok {
			flush()
			out.WriteString(plainHeaderText(v[pos:m[1]]))
			pos = m[1]
			continue
		}
		if strings.TrimSpace(gap) != "" || pos == 0 {
			flush()
			out.WriteString(plainHeaderText(gap))
		}
		if pending != nil && !strings.EqualFold(pendingCharset, charset) {
			flush()
		}
		pendingCharset = charset
		pending = append(pending, data...)
		if pending == nil {
			pending = []byte{}
		}
		pos = m[1]
	}
	flush()
	out.WriteString(plainHeaderText(v[pos:]))
	return out.String()
}

func decodeWord(enc, text string) ([]byte, bool) {
	if enc == "B" || enc == "b" {
		text = strings.TrimRight(text, "=")
		data, err := base64.RawStdEncoding.DecodeString(text)
		if err != nil {
			// A few mailers dropped a final character; decode what is whole.
			data, err = base64.RawStdEncoding.DecodeString(text[:len(text)/4*4])
		}
		return data, err == nil
	}
	var out []byte
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			b, _ := hex.DecodeString(text[i+1 : i+3])
			out = append(out, b...)
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out, true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// plainHeaderText converts unencoded header text: ISO-2022-JP by its escapes, 8-bit text by a
// Japanese guess; otherwise the bytes stay.
func plainHeaderText(s string) string {
	if isASCII([]byte(s)) && !strings.Contains(s, "\x1b") {
		return s
	}
	out, _ := toUTF8("", []byte(s))
	return string(out)
}

// parseParams parses "type/subtype; a=b; c*=charset'lang'%XX; d*0=...; d*1*=..." leniently:
// unquoted values with spaces, missing semicolons and RFC 2047 words inside quotes (Outlook
// Express and Becky! wrote file names that way) all occur. Names are lower case.
func parseParams(v string) (value string, params map[string]string) {
	parts := splitParams(v)
	params = map[string]string{}
	if len(parts) == 0 {
		return "", params
	}
	value = strings.ToLower(strings.TrimSpace(parts[0]))
	type segment struct {
		index   int
		encoded bool
		text    string
	}
	continued := map[string][]segment{}
	for _, p := range parts[1:] {
		eq := strings.IndexByte(p, '=')
		if eq <= 0 {
			continue
		}
		name := strings.ToLower(strings.TrimSpace(p[:eq]))
		val := unquote(strings.TrimSpace(p[eq+1:]))
		if star := strings.IndexByte(name, '*'); star >= 0 {
			base, rest := name[:star], name[star+1:]
			seg := segment{text: val}
			if strings.HasSuffix(rest, "*") || rest == "" {
				seg.encoded = true
				rest = strings.TrimSuffix(rest, "*")
			}
			if rest != "" {
				n, err := strconv.Atoi(rest)
				if err != nil || n > 100 {
					continue
				}
				seg.index = n
			}
			continued[base] = append(continued[base], seg)
			continue
		}
		if _, dup := params[name]; !dup {
			params[name] = val
		}
	}
	for name, segs := range continued {
		sort.SliceStable(segs, func(i, j int) bool { return segs[i].index < segs[j].index })
		charset := ""
		var buf []byte
		for i, s := range segs {
			text := s.text
			if s.encoded {
				if i == 0 {
					if q := strings.IndexByte(text, '\''); q >= 0 {
						charset = text[:q]
						text = text[q+1:]
						if q2 := strings.IndexByte(text, '\''); q2 >= 0 {
							text = text[q2+1:]
						}
					}
				}
				buf = append(buf, percentDecode(text)...)
			} else {
				buf = append(buf, text...)
			}
		}
		out, _ := toUTF8(charset, buf)
		params[name] = string(out)
	}
	for k, val := range params {
		if strings.Contains(val, "=?") || !isASCII([]byte(val)) || strings.Contains(val, "\x1b") {
			params[k] = decodeHeaderText(val)
		}
	}
	return value, params
}

func splitParams(v string) []string {
	var parts []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && inQuote && i+1 < len(v):
			cur.WriteByte(c)
			cur.WriteByte(v[i+1])
			i++
		case c == '"':
			inQuote = !inQuote
			cur.WriteByte(c)
		case c == ';' && !inQuote:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if s := cur.String(); strings.TrimSpace(s) != "" || len(parts) == 0 {
		parts = append(parts, s)
	}
	return parts
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' {
		end := strings.LastIndexByte(s, '"')
		if end <= 0 {
			end = len(s)
		}
		inner := s[1:end]
		var b strings.Builder
		for i := 0; i < len(inner); i++ {
			if inner[i] == '\\' && i+1 < len(inner) {
				i++
			}
			b.WriteByte(inner[i])
		}
		return b.String()
	}
	if sp := strings.IndexAny(s, " \t"); sp > 0 && !strings.Contains(s, "=?") {
		// An unquoted value ends at white space; what follows is junk from a broken mailer.
		return s[:sp]
	}
	return s
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b, _ := hex.DecodeString(s[i+1 : i+3])
			out = append(out, b...)
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

// address parses a From:/Reply-To: value. net/mail understands most; what it rejects (unquoted
// dots in names, raw 8-bit names, "user@host (Name)" with odd comments) is taken apart by hand.
func address(v string) (name, addr string) {
	if strings.TrimSpace(v) == "" {
		return "", ""
	}
	parser := netmail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charsetReader}}
	if isASCII([]byte(v)) {
		if list, err := parser.ParseList(v); err == nil && len(list) > 0 {
			return decodeHeaderText(list[0].Name), list[0].Address
		}
	}
	text := decodeHeaderText(v)
	if lt := strings.LastIndexByte(text, '<'); lt >= 0 {
		if gt := strings.IndexByte(text[lt:], '>'); gt > 0 {
			addr = strings.TrimSpace(text[lt+1 : lt+gt])
			name = strings.TrimSpace(text[:lt])
		}
	}
	if addr == "" {
		for _, tok := range strings.Fields(text) {
			if strings.Contains(tok, "@") {
				addr = strings.Trim(tok, "<>,;")
				break
			}
		}
		if open := strings.IndexByte(text, '('); open >= 0 {
			if end := strings.LastIndexByte(text, ')'); end > open {
				name = text[open+1 : end]
			}
		}
	}
	name = strings.Trim(strings.TrimSpace(name), `"`)
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "\uFFFD")
	}
	return name, addr
}

// charsetReader lets net/mail's word decoder use keikai's charsets.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	out, _ := toUTF8(label, buf.Bytes())
	return bytes.NewReader(out), nil
}

// MessageID returns the Message-ID of a raw message without angle brackets, or "" when it has
// none. It reads only the header.
func MessageID(raw []byte) string {
	h, _, _, _ := splitMessage(raw)
	return cleanMessageID(h.Get("Message-ID"))
}

func cleanMessageID(v string) string {
	v = strings.TrimSpace(v)
	if lt := strings.IndexByte(v, '<'); lt >= 0 {
		if gt := strings.IndexByte(v[lt:], '>'); gt > 0 {
			return strings.TrimSpace(v[lt+1 : lt+gt])
		}
	}
	if f := strings.Fields(v); len(f) > 0 {
		return f[0]
	}
	return ""
}
