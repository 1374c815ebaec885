package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime/quotedprintable"
	netmail "net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/keikai-project/keikai/internal/sign"
)

// Thread is what a message says about its place in a conversation (RFC 5322 3.6.4).
type Thread struct {
	MessageID string // without angle brackets
	// InReplyTo and References are message IDs without angle brackets, in header order.
	InReplyTo  []string
	References []string
	Subject    string // decoded
	From       string // the address only
	To         []string
	Date       time.Time
	// Automatic is why the message is automatic (see Automatic), "" for a person's message.
	Automatic string
	// Enclosed are the Message-IDs of messages it carries as parts: a bounce's returned
	// message, a reply sent as a forwarded attachment.
	Enclosed []string
}

// ReadThread reads the thread fields of a raw message: its header, and the headers of the
// messages it encloses. It never fails: a field that does not parse is left empty.
func ReadThread(raw []byte) Thread {
	h, body, _, _ := splitMessage(raw)
	t := Thread{
		Automatic:  automatic(h),
		Enclosed:   enclosedMessageIDs(h, body, 0),
		MessageID:  cleanMessageID(h.Get("Message-ID")),
		InReplyTo:  messageIDs(h.Get("In-Reply-To")),
		References: messageIDs(strings.Join(h.Values("References"), " ")),
		Subject:    decodeHeaderText(h.Get("Subject")),
	}
	_, t.From = address(h.Get("From"))
	for _, v := range h.Values("To") {
		if list, err := netmail.ParseAddressList(v); err == nil {
			for _, a := range list {
				t.To = append(t.To, a.Address)
			}
		} else if _, a := address(v); a != "" {
			t.To = append(t.To, a)
		}
	}
	if d, ok := ParseDate(h.Get("Date")); ok {
		t.Date = d
	}
	return t
}

// maxThreadIDs bounds the IDs read from one header: a References field of thousands of IDs is
// an attack on the lookup, not a thread.
const maxThreadIDs = 50

// messageIDs reads the msg-id list of In-Reply-To or References: every <...> in order.
// Comments (outside angle brackets, nested) and phrases between ids (old mailers wrote "<id>
// from Taro") are skipped. A field without any angle bracket (some webmail and list software
// write bare ids) is read as the whitespace-separated words that look like addr-spec ids.
func messageIDs(v string) []string {
	v = stripComments(v)
	if !strings.ContainsRune(v, '<') {
		return bareMessageIDs(v)
	}
	var ids []string
	for len(ids) < maxThreadIDs {
		lt := strings.IndexByte(v, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(v[lt:], '>')
		if gt < 0 {
			break
		}
		if id := strings.TrimSpace(v[lt+1 : lt+gt]); id != "" && !strings.ContainsAny(id, "<> \t\r\n") {
			ids = append(ids, id)
		}
		v = v[lt+gt+1:]
	}
	return ids
}

// stripComments removes RFC 5322 comments, "(...)" nested, that stand outside angle brackets.
func stripComments(v string) string {
	if !strings.ContainsRune(v, '(') {
		return v
	}
	var b strings.Builder
	depth, inAngle := 0, false
	for _, c := range v {
		switch {
		case depth == 0 && c == '<':
			inAngle = true
		case depth == 0 && c == '>':
			inAngle = false
		case !inAngle && c == '(':
			depth++
			continue
		case !inAngle && c == ')' && depth > 0:
			if depth--; depth == 0 {
				b.WriteByte(' ') // a comment separates what stood on either side of it
			}
			continue
		}
		if depth == 0 {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func bareMessageIDs(v string) []string {
	var ids []string
	for _, f := range strings.Fields(v) {
		if len(ids) == maxThreadIDs {
			break
		}
		if at := strings.IndexByte(f, '@'); at > 0 && at < len(f)-1 && !strings.ContainsAny(f, ">\"") {
			ids = append(ids, f)
		}
	}
	return ids
}

// trackingRE matches keikai's tracking numbers (store/derive: "KK-2000-000718") in a subject
// folded by foldTracking.
// Compiled on first use: package init is the start-up of every command.
var trackingRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bKK-[0-9]{4}-[0-9]{6,12}\b`) })

// TrackingNumbers returns the tracking numbers a subject names, in order, without repeats.
// Japanese clients and people retyping the number write it in full-width letters and digits
// ("ＫＫ－２０２６－０００１２３"), with another dash (U+2010-2015, U+2212, U+30FC) or in lower
// case; all are read as the number.
func TrackingNumbers(subject string) []string {
	var out []string
	for _, m := range trackingRE().FindAllString(foldTracking(subject), 5) {
		if !containsString(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// foldTracking maps the full-width forms of ASCII to ASCII, the dashes people type for "-" to
// "-", and "kk" to "KK", so that trackingRE sees one spelling. Other text may change too; the
// result is only searched.
func foldTracking(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			r -= 0xFF01 - 0x21
		case r >= 0x2010 && r <= 0x2015, r == 0x2212, r == 0x30FC, r == 0xFF70, r == 0xFE63:
			r = '-'
		}
		if r == 'k' {
			r = 'K'
		}
		return r
	}, s)
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TaggedSubject puts the tracking number in front of a subject, once: "[KK-2000-000718] ...".
// A reply's subject keeps its "Re:".
func TaggedSubject(tracking, subject string) string {
	if tracking == "" || strings.Contains(subject, tracking) {
		return subject
	}
	return "[" + tracking + "] " + subject
}

// NewMessageID makes a globally unique Message-ID (without angle brackets) in the domain of
// from: the tracking number, the time and 64 random bits.
func NewMessageID(tracking, from string, now time.Time) string {
	domain := "localhost"
	if a, err := netmail.ParseAddress(from); err == nil {
		if at := strings.LastIndexByte(a.Address, '@'); at >= 0 {
			domain = a.Address[at+1:]
		}
	}
	var r [8]byte
	rand.Read(r[:])
	tag := strings.ToLower(tracking)
	if tag == "" {
		tag = "keikai"
	}
	return fmt.Sprintf("%s.%s.%s@%s", tag, now.UTC().Format("20060102150405"), hex.EncodeToString(r[:]), domain)
}

// Outgoing is one message keikai sends in a thread: a forward to a site, or a reply.
type Outgoing struct {
	From string
	To   []string
	// Subject is tagged with Tracking when it does not carry it yet.
	Subject  string
	Tracking string
	Lang     string
	Body     string // plain text, LF or CRLF line ends
	// MessageID is set by Compose when empty.
	MessageID string
	// Parent is the message this one answers, if any: In-Reply-To is its ID, References its
	// References plus its ID (RFC 5322 3.6.4).
	Parent *Thread
	Date   time.Time
}

// ErrNoRecipient is returned by Compose for a message without a valid recipient.
var ErrNoRecipient = errors.New("no valid recipient")

// Compose writes the message as RFC 5322 bytes with CRLF line ends, UTF-8 text in
// quoted-printable (7-bit safe for any relay and for a signature, which a relay must not
// re-encode). With a signer it is PGP/MIME signed (RFC 3156, multipart/signed), which any
// OpenPGP mail client verifies. It returns the bytes and the final Outgoing (with its
// Message-ID and Subject).
func Compose(o Outgoing, signer *sign.Signer) ([]byte, Outgoing, error) {
	from, err := netmail.ParseAddress(o.From)
	if err != nil {
		return nil, o, fmt.Errorf("the From address %q: %w", o.From, err)
	}
	var to []string
	for _, t := range o.To {
		a, err := netmail.ParseAddress(t)
		if err != nil {
			return nil, o, fmt.Errorf("recipient %q: %w", t, err)
		}
		to = append(to, a.String())
	}
	if len(to) == 0 {
		return nil, o, ErrNoRecipient
	}
	if o.Date.IsZero() {
		o.Date = time.Now()
	}
	o.Subject = TaggedSubject(o.Tracking, o.Subject)
	if o.MessageID == "" {
		o.MessageID = NewMessageID(o.Tracking, o.From, o.Date)
	}
	var b bytes.Buffer
	header := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	header("From", from.String())
	header("To", strings.Join(to, ",\r\n "))
	// UTF-8 encoded words one to a line, as the acknowledgement writes them.
	header("Subject", encodeSubject(o.Subject, false))
	header("Date", o.Date.Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	header("Message-ID", "<"+o.MessageID+">")
	if p := o.Parent; p != nil && p.MessageID != "" {
		header("In-Reply-To", "<"+p.MessageID+">")
		refs := append(append([]string(nil), p.References...), p.MessageID)
		if len(refs) == 1 && len(p.InReplyTo) == 1 {
			// A parent without References: its In-Reply-To is the thread's start (RFC 5322 3.6.4).
			refs = append([]string{p.InReplyTo[0]}, refs...)
		}
		if len(refs) > maxReferences {
			refs = append(refs[:1], refs[len(refs)-maxReferences+1:]...)
		}
		header("References", "<"+strings.Join(refs, ">\r\n <")+">")
	}
	header("MIME-Version", "1.0")
	if o.Lang == "ja" || o.Lang == "en" {
		header("Content-Language", o.Lang)
	}
	part, err := textPart(o.Body)
	if err != nil {
		return nil, o, err
	}
	if signer == nil {
		b.Write(part)
		return b.Bytes(), o, nil
	}
	sig, err := signer.DetachSign(part, o.Date)
	if err != nil {
		return nil, o, err
	}
	var rb [12]byte
	rand.Read(rb[:])
	boundary := "keikai-signed-" + hex.EncodeToString(rb[:])
	header("Content-Type", `multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="`+boundary+`"`)
	b.WriteString("\r\nThis is an OpenPGP/MIME signed message (RFC 3156).\r\n")
	b.WriteString("--" + boundary + "\r\n")
	b.Write(part)
	b.WriteString("\r\n--" + boundary + "\r\n")
	b.WriteString("Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n")
	b.WriteString("Content-Description: OpenPGP digital signature\r\n")
	b.WriteString("Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n")
	b.Write(crlf(sig))
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return b.Bytes(), o, nil
}

// textPart is the MIME entity of the text: its header fields and its quoted-printable body,
// CRLF throughout, as RFC 3156 5 signs it.
func textPart(text string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	var body bytes.Buffer
	qp := quotedprintable.NewWriter(&body)
	if _, err := qp.Write(crlf([]byte(strings.ToValidUTF8(text, "\uFFFD")))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	b.Write(mboxSafe(body.Bytes()))
	out := b.Bytes()
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		out = append(out, '\r', '\n')
	}
	return out, nil
}

// mboxSafe protects quoted-printable text from mbox quoting, which would break a signature: a
// mailer storing mbox writes a line "From " as ">From " (mboxo, mboxrd) and reads ">From " back
// as "From " (mboxrd, keikai's reader), so a line of ">"s and "From " changes either way. Its
// first character is written encoded ("=46rom", "=3EFrom"): it decodes the same and no mbox
// touches it. A line the encoding makes longer than RFC 2045's 76 gets a soft line break.
func mboxSafe(qp []byte) []byte {
	lines := bytes.Split(qp, []byte("\r\n"))
	var out bytes.Buffer
	for i, line := range lines {
		if i > 0 {
			out.WriteString("\r\n")
		}
		if rest := bytes.TrimLeft(line, ">"); bytes.HasPrefix(rest, []byte("From ")) {
			line = append([]byte(fmt.Sprintf("=%02X", line[0])), line[1:]...)
			for len(line) > 76 {
				cut := 75
				// never inside an =XX escape
				if line[cut-1] == '=' {
					cut--
				} else if line[cut-2] == '=' {
					cut -= 2
				}
				out.Write(line[:cut])
				out.WriteString("=\r\n")
				line = line[cut:]
			}
		}
		out.Write(line)
	}
	return out.Bytes()
}

// crlf makes every line end CRLF; a lone CR, which RFC 5322 forbids in a body, ends a line too.
func crlf(b []byte) []byte {
	b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}
