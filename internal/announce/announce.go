// Package announce mails a signed advisory to its subscribers through an SMTP relay: one message
// per recipient (so that no subscriber sees another's address and one refusal does not stop the
// rest), in the language and charset each subscriber chose. Japanese mail goes out as
// ISO-2022-JP when the subscriber asked for it, as Japanese mail has since the seeds' days; the
// clearsignature is made over exactly the bytes that travel, so GnuPG verifies the message as
// received.
package announce

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-smtp"

	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/sign"
)

// Charsets a subscriber may choose.
const (
	UTF8      = "utf-8"
	ISO2022JP = "iso-2022-jp"
)

// Subscriber is one address on the list.
type Subscriber struct {
	Address string
	Lang    string
	Charset string
}

// ParseSubscribers reads a list: one subscriber per line, "address lang charset" (charset
// optional, utf-8 by default), with # comments and blank lines.
func ParseSubscribers(r io.Reader) ([]Subscriber, error) {
	var subs []Subscriber
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 || len(f) > 3 {
			return nil, fmt.Errorf("line %d: want \"address lang [charset]\"", n)
		}
		addr, err := mail.ParseAddress(f[0])
		if err != nil || addr.Name != "" {
			return nil, fmt.Errorf("line %d: %q is not a bare mail address", n, f[0])
		}
		s := Subscriber{Address: addr.Address, Lang: f[1], Charset: UTF8}
		if len(f) == 3 {
			s.Charset = strings.ToLower(f[2])
		}
		if s.Lang != advisory.Ja && s.Lang != advisory.En {
			return nil, fmt.Errorf("line %d: language %q; use ja or en", n, s.Lang)
		}
		if s.Charset != UTF8 && s.Charset != ISO2022JP {
			return nil, fmt.Errorf("line %d: charset %q; use utf-8 or iso-2022-jp", n, s.Charset)
		}
		if s.Charset == ISO2022JP && s.Lang != advisory.Ja {
			return nil, fmt.Errorf("line %d: iso-2022-jp is for Japanese; English goes out as utf-8", n)
		}
		if seen[strings.ToLower(s.Address)] {
			return nil, fmt.Errorf("line %d: %s is listed twice", n, s.Address)
		}
		seen[strings.ToLower(s.Address)] = true
		subs = append(subs, s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return subs, nil
}

// Compose writes the message for one subscriber: the advisory's text in the subscriber's
// language and charset, clearsigned, with the key's fingerprint in the text.
func Compose(a *advisory.Advisory, sub Subscriber, from string, signer *sign.Signer, now time.Time) ([]byte, error) {
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("from address %q: %w", from, err)
	}
	text := advisory.RenderText(a, sub.Lang, advisory.TextOptions{Fingerprint: sign.FormatFingerprint(signer.Fingerprint())})
	if sub.Charset == ISO2022JP {
		if text, err = advisory.ToISO2022JP(text); err != nil {
			return nil, err
		}
	}
	signed, err := signer.Clearsign(text, now)
	if err != nil {
		return nil, err
	}
	subject := fmt.Sprintf("[%s Ver.%02d] %s - %s", a.PrintedID(a.Latest().Number), a.Latest().Number,
		advisory.InLang(a.HeadingLabel(), sub.Lang), advisory.InLang(a.Title, sub.Lang))
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", fromAddr.String())
	header("To", (&mail.Address{Address: sub.Address}).String())
	header("Subject", encodeSubject(subject, sub.Charset))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", messageID(a, fromAddr.Address))
	header("MIME-Version", "1.0")
	header("Content-Language", sub.Lang)
	if sub.Charset == ISO2022JP {
		header("Content-Type", "text/plain; charset=ISO-2022-JP")
		header("Content-Transfer-Encoding", "7bit")
		b.WriteString("\r\n")
		b.Write(crlf(signed))
		return b.Bytes(), nil
	}
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write(crlf(signed)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// crlf gives text mail's line ends; the clearsignature is over canonical CRLF text already.
func crlf(text []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

func messageID(a *advisory.Advisory, from string) string {
	var r [8]byte
	rand.Read(r[:])
	domain := from[strings.LastIndexByte(from, '@')+1:]
	return fmt.Sprintf("<%s.%d.%s@%s>", a.ID, a.Latest().Number, hex.EncodeToString(r[:]), domain)
}

// encodeSubject writes an RFC 2047 header. ISO-2022-JP is encoded in pieces that each start and
// end in ASCII, so that no encoded word cuts an escape sequence in half.
func encodeSubject(s, charset string) string {
	if charset != ISO2022JP {
		return mime.BEncoding.Encode("UTF-8", s)
	}
	var words []string
	for s != "" {
		piece := s
		for utf8.RuneCountInString(piece) > 12 {
			_, size := utf8.DecodeLastRuneInString(piece)
			piece = piece[:len(piece)-size]
		}
		s = s[len(piece):]
		jis, err := advisory.ToISO2022JP([]byte(piece))
		if err != nil {
			return mime.BEncoding.Encode("UTF-8", piece+s)
		}
		words = append(words, "=?ISO-2022-JP?B?"+base64.StdEncoding.EncodeToString(jis)+"?=")
	}
	return strings.Join(words, "\r\n ")
}

// Delivery is the outcome for one subscriber.
type Delivery struct {
	Address string
	Err     error
}

// Relay is the SMTP server that takes the messages.
type Relay struct {
	Addr string
	// Hello is the name keikai gives in EHLO.
	Hello string
	// StartTLS demands STARTTLS before anything is sent; TLS configures it (nil: verify the
	// relay's name against the system's roots). A relay on the loopback needs neither.
	StartTLS bool
	TLS      *tls.Config
}

// Send delivers each message in its own transaction over one connection; a recipient the relay
// refuses is reported and the others are still sent.
func (r Relay) Send(from string, messages map[string][]byte, order []string) ([]Delivery, error) {
	var c *smtp.Client
	var err error
	if r.StartTLS {
		c, err = smtp.DialStartTLS(r.Addr, r.TLS)
	} else {
		c, err = smtp.Dial(r.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to the SMTP relay %s: %w", r.Addr, err)
	}
	defer c.Close()
	if r.Hello != "" && !r.StartTLS { // DialStartTLS has greeted already
		if err := c.Hello(r.Hello); err != nil {
			return nil, fmt.Errorf("SMTP relay %s: %w", r.Addr, err)
		}
	}
	var out []Delivery
	for _, to := range order {
		err := sendOne(c, from, to, messages[to])
		out = append(out, Delivery{Address: to, Err: err})
		if err != nil {
			if rerr := c.Reset(); rerr != nil {
				return out, fmt.Errorf("SMTP relay %s after refusing %s: %w", r.Addr, to, errors.Join(err, rerr))
			}
		}
	}
	return out, c.Quit()
}

func sendOne(c *smtp.Client, from, to string, msg []byte) error {
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	if err := c.Rcpt(to, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
