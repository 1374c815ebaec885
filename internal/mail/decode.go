// Package mail decodes reports that arrive by e-mail, as the mail clients of 1998 to today wrote
// them, into report.Content for analysis; it also dates imported mail (ReceivedAt) and composes
// and sends the acknowledgement that answers a report.
//
// Decoding never gives up on a message: a part that cannot be decoded is listed in
// Content.Warnings and everything else is still decoded, since the raw message is stored anyway
// and a partial analysis is better than none. MIME is walked here on the bytes rather than through
// go-message's reader, because that reader stops at the first malformed part header or stray line,
// which is exactly the mail a CSIRT receives.
//
// Threads: ReadThread reads what places a reply (In-Reply-To, References, with or without angle
// brackets and comments; the Message-IDs of enclosed messages; the tracking number, also in
// full-width or retyped form, after the subject's encoded words are joined). Outlook's
// Thread-Index is not read: it names no message keikai sent. Automatic says whether a program
// sent a message; keikai records such mail on its thread and never answers it, and one that joins
// no thread becomes a report that is not acknowledged. What keikai sends keeps ASCII words of the
// subject (the tracking number) unencoded, so it reads in a raw header. A PGP/MIME signed
// forward survives mbox storage (no line an mbox quotes or unquotes); a relay that rewraps or
// re-encodes its text breaks the signature, as it would any signature, and that is not worked
// around.
package mail

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/reportform"
)

// Decoder holds the limits of decoding. The zero value uses the defaults.
type Decoder struct {
	// MaxDecompressed bounds the bytes that the gzip attachments of one message may expand to
	// (default 64 MiB). A gzip bomb yields its first MaxDecompressed bytes and a warning.
	MaxDecompressed int64
	// MaxDepth bounds the nesting of multiparts and forwarded messages (default 20).
	MaxDepth int
}

const (
	defaultMaxDecompressed = 64 << 20
	defaultMaxDepth        = 20
	maxWarnings            = 50
)

// ErrEmpty is returned for an input that holds nothing at all to decode.
var ErrEmpty = errors.New("mail: empty message")

// Decode decodes raw with the default limits.
func Decode(raw []byte) (report.Content, error) { return Decoder{}.Decode(raw) }

// Decode decodes a raw RFC 5322 message. The only error is ErrEmpty, for input without a single
// non-blank byte; everything else yields Content, with Warnings for what could not be decoded.
func (d Decoder) Decode(raw []byte) (report.Content, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return report.Content{}, ErrEmpty
	}
	if d.MaxDecompressed <= 0 {
		d.MaxDecompressed = defaultMaxDecompressed
	}
	if d.MaxDepth <= 0 {
		d.MaxDepth = defaultMaxDepth
	}
	w := &walker{budget: d.MaxDecompressed, maxDepth: d.MaxDepth}
	h, body, _, warns := splitMessage(raw)
	w.warn(warns...)
	c := &w.content
	c.Subject = decodeHeaderText(h.Get("Subject"))
	name, addr := address(h.Get("From"))
	if rname, raddr := address(h.Get("Reply-To")); raddr != "" {
		// Replies go where the reporter asked them to go.
		addr = raddr
		if name == "" {
			name = rname
		}
	}
	c.Reporter = report.Reporter{Name: name, Email: addr, Organization: decodeHeaderText(h.Get("Organization"))}
	w.walk(h, body, 0, "text/plain")
	w.applyForm()
	c.Lang = guessLang(c, w.jaHint)
	if w.dropped > 0 {
		c.Warnings = append(c.Warnings, "and "+strconv.Itoa(w.dropped)+" more warnings")
	}
	return *c, nil
}

type walker struct {
	content  report.Content
	budget   int64 // bytes that gzip may still expand to
	maxDepth int
	dropped  int  // warnings beyond maxWarnings, counted only
	jaHint   bool // a Japanese charset was declared on a body
}

func (w *walker) warn(msgs ...string) {
	for _, m := range msgs {
		if m == "" {
			continue
		}
		if len(w.content.Warnings) >= maxWarnings {
			w.dropped++
			continue
		}
		w.content.Warnings = append(w.content.Warnings, m)
	}
}

// walk decodes one entity (the message or a part) with header h and undecoded body.
func (w *walker) walk(h header, body []byte, depth int, defaultType string) {
	if depth > w.maxDepth {
		w.warn("MIME nesting deeper than " + strconv.Itoa(w.maxDepth) + " levels; inner parts not decoded")
		return
	}
	mediaType, params := parseParams(h.Get("Content-Type"))
	if mediaType == "" || !strings.Contains(mediaType, "/") {
		if mediaType != "" {
			w.warn("Content-Type " + quote(mediaType) + " is not a media type; read as " + defaultType)
		}
		mediaType = defaultType
	}
	disposition, dparams := parseParams(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		w.walkMultipart(mediaType, params["boundary"], body, depth)
	case mediaType == "message/rfc822" || mediaType == "message/global":
		payload := w.transferDecode(h.Get("Content-Transfer-Encoding"), body, name)
		ih, ibody, _, warns := splitMessage(payload)
		w.warn(prefix("forwarded message: ", warns)...)
		// The forwarded header (a bounce's Received: and From: lines) is read by the rules too,
		// one field to a line with encoded words decoded.
		w.content.Parts = append(w.content.Parts, report.Part{
			Kind: report.PartBody, Name: name, ContentType: "message/rfc822", Text: headerText(ih),
		})
		w.walk(ih, ibody, depth+1, "text/plain")
	default:
		payload := w.transferDecode(h.Get("Content-Transfer-Encoding"), body, name)
		w.leaf(mediaType, params["charset"], name, disposition, payload)
	}
}

func headerText(h header) []byte {
	var b bytes.Buffer
	for _, f := range h {
		b.WriteString(f.Name)
		b.WriteString(": ")
		b.WriteString(decodeHeaderText(strings.TrimSpace(f.Value)))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func prefix(p string, msgs []string) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = p + m
	}
	return out
}

func (w *walker) walkMultipart(mediaType, boundary string, body []byte, depth int) {
	if boundary == "" {
		w.warn(mediaType + " without a boundary; body read as plain text")
		w.leaf("text/plain", "", "", "", body)
		return
	}
	parts, closed := splitMultipart(body, boundary)
	if len(parts) == 0 {
		w.warn(mediaType + ": boundary " + quote(boundary) + " not found; body read as plain text")
		w.leaf("text/plain", "", "", "", body)
		return
	}
	if !closed {
		w.warn(mediaType + ": closing boundary missing; the last part runs to the end of the message")
	}
	defaultType := "text/plain"
	if mediaType == "multipart/digest" {
		defaultType = "message/rfc822"
	}
	type parsed struct {
		h    header
		body []byte
	}
	var ps []parsed
	for _, p := range parts {
		ph, pbody, _, warns := splitMessage(p)
		w.warn(prefix("MIME part: ", warns)...)
		ps = append(ps, parsed{ph, pbody})
	}
	if mediaType == "multipart/alternative" {
		// The plain-text alternative carries the same text without markup; read only that one
		// when there is one, or the rules would count every line twice.
		for _, p := range ps {
			mt, _ := parseParams(p.h.Get("Content-Type"))
			if mt == "" || mt == "text/plain" {
				w.walk(p.h, p.body, depth+1, defaultType)
				return
			}
		}
	}
	for _, p := range ps {
		w.walk(p.h, p.body, depth+1, defaultType)
	}
}

// splitMultipart cuts body at the delimiter lines "--boundary" (trailing white space allowed, as
// RFC 2046 says), until "--boundary--". The line break before a delimiter belongs to it.
func splitMultipart(body []byte, boundary string) (parts [][]byte, closed bool) {
	delim := []byte("--" + boundary)
	start := -1
	off := 0
	for off < len(body) {
		nl := bytes.IndexByte(body[off:], '\n')
		next := len(body)
		if nl >= 0 {
			next = off + nl + 1
		}
		line := bytes.TrimRight(body[off:next], " \t\r\n")
		if bytes.HasPrefix(line, delim) {
			rest := line[len(delim):]
			final := bytes.Equal(rest, []byte("--"))
			if len(rest) == 0 || final {
				if start >= 0 {
					parts = append(parts, trimLineBreak(body[start:off]))
				}
				if final {
					return parts, true
				}
				start = next
			}
		}
		off = next
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	return parts, false
}

func trimLineBreak(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

func (w *walker) transferDecode(cte string, body []byte, name string) []byte {
	what := "body"
	if name != "" {
		what = quote(name)
	}
	switch enc := strings.ToLower(strings.TrimSpace(cte)); enc {
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit":
		return body
	case "base64":
		out, bad := decodeBase64(body)
		if bad {
			w.warn(what + ": base64 with invalid characters; decoded as far as possible")
		}
		return out
	case "quoted-printable":
		return decodeQP(body)
	case "x-uuencode", "x-uue", "uuencode", "x-uu":
		if blocks, _ := findUUBlocks(body); len(blocks) > 0 {
			return blocks[0].data
		}
		w.warn(what + ": uuencoded content without a begin line; kept as received")
		return body
	default:
		w.warn(what + ": unknown Content-Transfer-Encoding " + quote(cte) + "; kept as received")
		return body
	}
}

// decodeBase64 skips line breaks and stray characters; bad reports that something other than
// white space had to be skipped.
func decodeBase64(b []byte) (out []byte, bad bool) {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '=' || c == ' ' || c == '\t' || c == '\r' || c == '\n':
		default:
			bad = true
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
		bad = true
	}
	out = make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		bad = true
	}
	return out[:n], bad
}

// decodeQP decodes quoted-printable; a "=" that starts no valid escape stays as it is, as mailers
// that forgot to encode a literal "=" are common.
func decodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		nl := bytes.IndexByte(b, '\n')
		line, rest, hasNL := b, []byte(nil), false
		if nl >= 0 {
			line, rest, hasNL = b[:nl], b[nl+1:], true
		}
		crlf := bytes.HasSuffix(line, []byte("\r"))
		line = bytes.TrimRight(line, " \t\r")
		soft := bytes.HasSuffix(line, []byte("="))
		if soft {
			line = line[:len(line)-1]
		}
		for i := 0; i < len(line); i++ {
			if line[i] == '=' && i+2 < len(line) && isHex(line[i+1]) && isHex(line[i+2]) {
				out = append(out, unhex(line[i+1])<<4|unhex(line[i+2]))
				i += 2
				continue
			}
			out = append(out, line[i])
		}
		if hasNL && !soft {
			if crlf {
				out = append(out, '\r')
			}
			out = append(out, '\n')
		}
		b = rest
	}
	return out
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// leaf decodes a part that holds content: text is converted to UTF-8 (keeping invalid bytes),
// gzip is expanded, a mislabelled text file is found by sniffing, uuencoded files in a plain body
// become attachments of their own.
func (w *walker) leaf(mediaType, charset, name, disposition string, payload []byte) {
	attachment := name != "" || strings.EqualFold(disposition, "attachment")
	declaredText := strings.HasPrefix(mediaType, "text/") || mediaType == "message/delivery-status" ||
		mediaType == "message/disposition-notification" || mediaType == "text/rfc822-headers"
	label := name
	if label == "" {
		label = mediaType + " part"
	}
	data := payload
	if isGzip(data) {
		out, note := gunzip(data, &w.budget)
		w.warn(prefixed(quote(label), note))
		if out == nil {
			w.addBinary(name, mediaType, data)
			return
		}
		data = out
		declaredText = false // the declared type describes the archive, not what was in it
	}
	if !declaredText && !looksText(data) {
		w.addBinary(name, mediaType, data)
		return
	}
	if !declaredText {
		charset = "" // a sniffed text file has no declared charset; detect it
	}
	kind := classify(charset)
	if kind == csISO2022JP || kind == csShiftJIS || kind == csEUCJP {
		w.jaHint = w.jaHint || !attachment
	}
	text, note := toUTF8(charset, data)
	w.warn(prefixed(quote(label), note))
	contentType := mediaType
	if !strings.HasPrefix(contentType, "text/") && !strings.HasPrefix(contentType, "message/") {
		contentType = "text/plain"
	}
	if !attachment && (mediaType == "text/plain" || !declaredText) {
		blocks, rest := findUUBlocks(text)
		for _, b := range blocks {
			w.warn(prefixed(quote(b.name), b.note))
			w.leaf("application/octet-stream", "", b.name, "attachment", b.data)
		}
		if len(blocks) > 0 {
			text = rest
		}
	}
	if !attachment && mediaType == "text/html" {
		text, contentType = htmlText(text), "text/plain"
	}
	kindOfPart := report.PartBody
	if attachment {
		kindOfPart = report.PartAttachment
	}
	w.content.Parts = append(w.content.Parts, report.Part{Kind: kindOfPart, Name: name, ContentType: contentType, Text: text})
}

func (w *walker) addBinary(name, mediaType string, data []byte) {
	if strings.HasPrefix(mediaType, "text/") || mediaType == "" {
		mediaType = "application/octet-stream"
	}
	w.content.Parts = append(w.content.Parts, report.Part{Kind: report.PartAttachment, Name: name, ContentType: mediaType, Text: data})
}

func prefixed(what, note string) string {
	if note == "" {
		return ""
	}
	return what + ": " + note
}

func isGzip(b []byte) bool { return len(b) >= 3 && b[0] == 0x1F && b[1] == 0x8B && b[2] == 8 }

// gunzip expands b within *budget bytes. Beyond the budget it keeps what fits (the head of a log
// is still worth analysing) and says so; a corrupt stream keeps what was decoded before the fault.
// nil means nothing could be decoded.
func gunzip(b []byte, budget *int64) ([]byte, string) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, "gzip header unreadable (" + err.Error() + "); kept compressed"
	}
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(zr, *budget+1))
	if n > *budget {
		kept := *budget
		*budget = 0
		out.Truncate(int(kept))
		return out.Bytes(), "gzip expands beyond the decompression limit; only the first " + strconv.FormatInt(kept, 10) + " bytes decoded"
	}
	*budget -= n
	if err != nil {
		if n == 0 {
			return nil, "gzip data corrupt (" + err.Error() + "); kept compressed"
		}
		return out.Bytes(), "gzip data corrupt after " + strconv.FormatInt(n, 10) + " bytes (" + err.Error() + "); the rest is lost"
	}
	return out.Bytes(), ""
}

// looksText sniffs the first 8 KiB: no NUL byte and at most one byte in ten a control character.
// 8-bit bytes count as text, since logs with shellcode and Japanese in any charset must pass.
func looksText(b []byte) bool {
	if len(b) > 8192 {
		b = b[:8192]
	}
	if len(b) == 0 {
		return true
	}
	control := 0
	for _, c := range b {
		switch {
		case c == 0:
			return false
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B && c != 0x0E && c != 0x0F:
			control++
		}
	}
	return control*10 <= len(b)
}

// applyForm reads the report form in the first plain-text body: its fields fill Content, and its
// log section becomes an excerpt that is cut out of the body, so that no log line is read twice.
func (w *walker) applyForm() {
	c := &w.content
	for i, p := range c.Parts {
		if p.Kind != report.PartBody || p.ContentType != "text/plain" {
			continue
		}
		form, ok := reportform.Parse(string(p.Text))
		if !ok {
			continue
		}
		r := &c.Reporter
		setIf(&r.Name, form.Name)
		setIf(&r.Organization, form.Organization)
		setIf(&r.Email, form.Email)
		setIf(&r.Phone, form.Phone)
		r.DisclosureAllowed = form.DisclosureAllowed
		c.IncidentTime, c.TimeZone = form.IncidentTime, form.TimeZone
		c.AffectedHosts, c.SourceHosts = form.AffectedHosts, form.SourceHosts
		c.Description = form.Description
		if form.Log != "" {
			rest := make([]byte, 0, len(p.Text)-(form.LogEnd-form.LogStart))
			rest = append(rest, p.Text[:form.LogStart]...)
			rest = append(rest, p.Text[form.LogEnd:]...)
			c.Parts[i].Text = rest
			c.Parts = append(c.Parts, report.Part{Kind: report.PartExcerpt, ContentType: "text/plain", Text: []byte(form.Log)})
		}
		return
	}
}

// setIf lets a form's stated value win over the mail header: a form filled in for someone else
// names the person to contact.
func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// guessLang says "ja" when the subject and bodies hold Japanese (kana or kanji make up a fair
// share of the letters), or when the text is too short to say and a Japanese charset was used.
func guessLang(c *report.Content, jaCharset bool) string {
	ja, letters := countJapanese(c.Subject)
	for _, p := range c.Parts {
		if p.Kind == report.PartBody || p.Kind == report.PartExcerpt {
			j, l := countJapanese(string(p.Text))
			ja, letters = ja+j, letters+l
		}
	}
	j, l := countJapanese(c.Description)
	ja, letters = ja+j, letters+l
	switch {
	case ja >= 4 && ja*10 >= letters:
		return "ja"
	case (ja > 0 || jaCharset) && letters < 40:
		return "ja"
	}
	return "en"
}

func countJapanese(s string) (ja, letters int) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError {
			continue
		}
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			ja++
			letters++
		} else if unicode.IsLetter(r) {
			letters++
		}
	}
	return ja, letters
}
