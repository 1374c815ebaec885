package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/text/encoding/japanese"

	"github.com/keikai-project/keikai/internal/report"
)

// Original is what an acknowledgement takes from the report it answers.
type Original struct {
	// To is where the acknowledgement goes: the envelope sender (RFC 3834 4: an automatic
	// response goes to the Return-Path, never to From:, which a forger controls; this keeps keikai
	// from mailing the innocent party named in a forged report).
	To         string
	MessageID  string   // without angle brackets
	References []string // the report's References:, without angle brackets
	Subject    string   // decoded
}

// AckOriginal reads what an acknowledgement needs from a received message and decides whether
// one may be sent at all. It refuses (ok false), to avoid mail loops and backscatter, when the
// envelope sender is null ("<>", a bounce), when the message is itself automatic (see
// Automatic), from a mailing list (List-Id) or asks for no automatic answer
// (X-Auto-Response-Suppress), or when the sender is a mailer daemon or list address (RFC 3834 2).
func AckOriginal(raw []byte, envelopeFrom string) (Original, bool) {
	h, _, _, _ := splitMessage(raw)
	sender := strings.Trim(strings.TrimSpace(envelopeFrom), "<>")
	if sender == "" || !strings.Contains(sender, "@") {
		return Original{}, false
	}
	local := strings.ToLower(sender[:strings.LastIndexByte(sender, '@')])
	if local == "mailer-daemon" || local == "postmaster" || strings.HasPrefix(local, "owner-") ||
		strings.HasSuffix(local, "-request") || strings.HasSuffix(local, "-bounces") || local == "noreply" || local == "no-reply" {
		return Original{}, false
	}
	if automatic(h) != "" {
		return Original{}, false
	}
	if h.Get("List-Id") != "" || h.Get("X-Auto-Response-Suppress") != "" {
		return Original{}, false
	}
	o := Original{To: sender, MessageID: cleanMessageID(h.Get("Message-ID")), Subject: decodeHeaderText(h.Get("Subject"))}
	o.References = messageIDs(strings.Join(h.Values("References"), " "))
	return o, true
}

// Ack describes one acknowledgement.
type Ack struct {
	Lang      string // "ja" or "en"; anything else is answered in English
	Tracking  string
	StatusURL string // the reporter's secret status link
	// From is the intake address, e.g. "Incident Response <info@csirt.example>".
	From string
	Date time.Time
}

// maxReferences keeps References: short on long threads (the first and the newest are kept).
const maxReferences = 10

// Acknowledgement composes the acknowledgement of a report as an RFC 5322 message with CRLF
// line breaks, threaded to the report (In-Reply-To, References) and marked
// "Auto-Submitted: auto-replied" (RFC 3834) so that other responders do not answer it.
//
// Japanese is sent as ISO-2022-JP in 7bit (RFC 1468), not UTF-8: it is what every Japanese mail
// client has read since the 1990s, the reporters of the seeds' era included, and it needs no
// transfer encoding, so the text is readable even in a client that shows the raw source. The
// fixed text uses only JIS X 0208; a subject with characters outside it falls back to UTF-8
// encoded words.
func Acknowledgement(a Ack, orig Original) []byte {
	ja := a.Lang == "ja"
	var b bytes.Buffer
	header := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	header("From", formatAddress(a.From))
	header("To", formatAddress(orig.To))
	subject := "[" + a.Tracking + "] Report received"
	if ja {
		subject = "[" + a.Tracking + "] 報告を受け付けました"
	}
	if orig.Subject != "" {
		subject += " (Re: " + strings.ToValidUTF8(orig.Subject, "?") + ")"
	}
	header("Subject", encodeSubject(subject, ja))
	header("Date", a.Date.Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	header("Message-ID", "<"+ackMessageID(a)+">")
	if orig.MessageID != "" {
		header("In-Reply-To", "<"+orig.MessageID+">")
		refs := append(append([]string(nil), orig.References...), orig.MessageID)
		if len(refs) > maxReferences {
			refs = append(refs[:1], refs[len(refs)-maxReferences+1:]...)
		}
		header("References", "<"+strings.Join(refs, ">\r\n <")+">")
	}
	header("Auto-Submitted", "auto-replied")
	// Microsoft's clients and servers honour this instead of RFC 3834: no out-of-office replies.
	header("X-Auto-Response-Suppress", "All")
	header("MIME-Version", "1.0")
	if ja {
		header("Content-Type", "text/plain; charset=ISO-2022-JP")
	} else {
		header("Content-Type", "text/plain; charset=US-ASCII")
	}
	header("Content-Transfer-Encoding", "7bit")
	b.WriteString("\r\n")
	text := ackTextEN
	if ja {
		text = ackTextJA
	}
	text = strings.NewReplacer("{tracking}", a.Tracking, "{url}", a.StatusURL).Replace(text)
	text = strings.ReplaceAll(text, "\n", "\r\n")
	if ja {
		encoded, err := japanese.ISO2022JP.NewEncoder().String(text)
		if err != nil {
			// The fixed text is JIS X 0208; only a non-ASCII tracking number or URL gets here.
			encoded = text
		}
		text = encoded
	}
	b.WriteString(text)
	return b.Bytes()
}

const ackTextJA = `このメールは自動的にお送りしています。

ご報告を受け付けました。受付番号は {tracking} です。
このメールにご返信いただく際は、件名の受付番号を
変えずにお送りください。

対応の状況は次のアドレスでご確認いただけます。
このアドレスはご報告者だけにお知らせしているものですので、
他の方には知らせないでください。

  {url}

いただいた報告は、報告者の了解なしに、そのまま
他組織等に開示することはありません。
`

const ackTextEN = `This message was sent automatically.

We have received your report. Its tracking number is {tracking}.
When you reply to this message, please keep the tracking number in the
subject.

You can follow the handling of your report at the address below. It is
known only to you, the reporter; please do not pass it on.

  {url}

We never disclose a report to other organisations without the
reporter's consent.
`

func ackMessageID(a Ack) string {
	domain := "localhost"
	if addr, err := netmail.ParseAddress(a.From); err == nil {
		if at := strings.LastIndexByte(addr.Address, '@'); at >= 0 {
			domain = addr.Address[at+1:]
		}
	}
	return "ack." + a.Tracking + "." + a.Date.UTC().Format("20060102150405") + "@" + domain
}

func formatAddress(s string) string {
	if addr, err := netmail.ParseAddress(s); err == nil {
		return addr.String()
	}
	return "<" + strings.Trim(s, "<> ") + ">"
}

// encodeSubject writes a subject with RFC 2047 encoded words only where it must: words of ASCII
// (the tracking number, "Re:", "(") stay plain, so that the tracking number is readable in a
// client that shows the raw header, in a log line and to a grep, and still matches after a
// client re-encodes the rest; runs of other words become encoded words (the spaces between them
// inside, since white space between two encoded words is not text). Japanese goes as
// ISO-2022-JP B words, each a complete ISO-2022-JP string that starts in ASCII and returns to it
// (RFC 1468); the rest as UTF-8. Lines are folded before 78 characters where a space allows.
func encodeSubject(s string, ja bool) string {
	s = withoutControls(s)
	if isASCII([]byte(s)) && !strings.Contains(s, "=?") {
		return s
	}
	type run struct {
		words   []string
		encoded bool
	}
	var runs []run
	for _, w := range strings.Split(s, " ") {
		plain := isASCII([]byte(w)) && !strings.Contains(w, "=?") && len(w) <= 60
		// An empty word (two spaces) inside encoded text stays in it, or the space would be lost.
		if last := len(runs) - 1; last >= 0 && runs[last].encoded && (!plain || w == "") {
			runs[last].words = append(runs[last].words, w)
		} else {
			runs = append(runs, run{words: []string{w}, encoded: !plain})
		}
	}
	var pieces []string
	for _, r := range runs {
		text := strings.Join(r.words, " ")
		if !r.encoded {
			pieces = append(pieces, r.words...)
			continue
		}
		words, ok := []string(nil), false
		if ja {
			words, ok = encodedWords(text, "ISO-2022-JP", japanese.ISO2022JP.NewEncoder().String)
		}
		if !ok {
			words, _ = encodedWords(text, "UTF-8", func(s string) (string, error) { return s, nil })
		}
		pieces = append(pieces, words...)
	}
	var b strings.Builder
	lineLen := len("Subject: ")
	for i, p := range pieces {
		if i > 0 {
			if lineLen+1+len(p) > 76 {
				b.WriteString("\r\n ")
				lineLen = 1
			} else {
				b.WriteByte(' ')
				lineLen++
			}
		}
		b.WriteString(p)
		lineLen += len(p)
	}
	return b.String()
}

// withoutControls replaces control characters (a reporter's subject may carry ESC, SO, CR) with
// spaces: in a header they would end the field or switch an ISO-2022-JP decoder's mode.
func withoutControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) {
			return ' '
		}
		return r
	}, s)
}

// encodedWords splits s into B-encoded words of at most 66 characters, so that even the first,
// after "Subject: ", stays within RFC 2047's 76 and RFC 5322's 78. A word never splits a character.
func encodedWords(s, charset string, encode func(string) (string, error)) ([]string, bool) {
	prefix, suffix := "=?"+charset+"?B?", "?="
	maxRaw := (66 - len(prefix) - len(suffix)) / 4 * 3
	var words []string
	runes := []rune(s)
	for start := 0; start < len(runes); {
		end, chunk := start, ""
		for end < len(runes) {
			candidate, err := encode(string(runes[start : end+1]))
			if err != nil {
				return nil, false
			}
			if len(candidate) > maxRaw {
				break
			}
			end, chunk = end+1, candidate
		}
		if end == start {
			return nil, false
		}
		words = append(words, prefix+base64.StdEncoding.EncodeToString([]byte(chunk))+suffix)
		start = end
	}
	return words, true
}

// SendRelay hands msg to the SMTP relay at relayAddr (host:port) for delivery to the recipients
// (envelope). ctx bounds the whole exchange. The relay is the site's own MTA, reached without
// authentication or TLS, as a local submission; it does the delivery and retries.
func SendRelay(ctx context.Context, relayAddr, from string, to []string, msg []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", relayAddr)
	if err != nil {
		return fmt.Errorf("acknowledgement relay %s: %w", relayAddr, err)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(2 * time.Minute)
	}
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.SendMail(from, to, bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("acknowledgement relay %s: %w", relayAddr, err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("acknowledgement relay %s: %w", relayAddr, err)
	}
	return nil
}

// Acknowledger answers stored reports through a relay. Its Send method has the shape of
// smtpd.Options.Acknowledge.
type Acknowledger struct {
	Relay string // host:port of the SMTP relay, reached without TLS or authentication
	// Via, when set, is the relay used instead of Relay (STARTTLS, AUTH).
	Via *Relay
	// From is the intake address shown in From: (e.g. "Incident Response <info@csirt.example>").
	From string
	// StatusURL returns the reporter's status link for a receipt.
	StatusURL func(report.Receipt) string
	// Sent, when set, is called with each acknowledgement the relay accepted: the place to
	// record it in the report's thread.
	Sent   func(ctx context.Context, r report.Receipt, msg []byte)
	Logger *slog.Logger
	Now    func() time.Time
}

// Send acknowledges one stored report, unless AckOriginal refuses (bounces, automatic mail). The
// acknowledgement goes out with a null envelope sender, as RFC 3834 3.3 asks of automatic
// responses, so that a failure to deliver it cannot bounce back into the intake. Failures are
// logged: the report is stored whether or not its acknowledgement arrives.
func (a *Acknowledger) Send(ctx context.Context, s *report.Submission, envelopeFrom string, r report.Receipt) {
	log := a.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	orig, ok := AckOriginal(s.Raw, envelopeFrom)
	if !ok {
		log.Info("no acknowledgement: automatic or bounce message", "tracking", r.Tracking, "envelope_from", envelopeFrom)
		return
	}
	lang := s.Lang
	if lang == "" {
		if c, err := Decode(s.Raw); err == nil {
			lang = c.Lang
		}
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	url := ""
	if a.StatusURL != nil {
		url = a.StatusURL(r)
	}
	msg := Acknowledgement(Ack{Lang: lang, Tracking: r.Tracking, StatusURL: url, From: a.From, Date: now()}, orig)
	var err error
	if a.Via != nil {
		err = a.Via.Send(ctx, "", []string{orig.To}, msg)
	} else {
		err = SendRelay(ctx, a.Relay, "", []string{orig.To}, msg)
	}
	if err != nil {
		log.Error("acknowledgement not sent", "tracking", r.Tracking, "to", orig.To, "err", err)
		return
	}
	if a.Sent != nil {
		a.Sent(ctx, r, msg)
	}
	log.Info("acknowledgement sent", "tracking", r.Tracking, "to", orig.To, "lang", lang)
}
