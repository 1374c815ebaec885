package web

import (
	"crypto/hmac"
	"mime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

// messageView is a message of a thread as a page shows it: decoded text, never raw bytes.
type messageView struct {
	ID        int64
	At        time.Time
	Direction store.Direction
	Kind      store.MessageKind
	From      string
	To        string
	Subject   string
	Text      string
	Files     []fileView
	Shared    bool
	By        string
	// Shareable: the reporter may be shown it. An incident's forward carries the excerpts of
	// every report of the incident, so the status page never shows it.
	Shareable bool
}

type fileView struct {
	Name string
	Size int
	Text string // the content when it is text
}

// viewMessage decodes a stored message for a page: mail through the mail decoder (charsets,
// transfer encodings, attachments), a reporter's addition through its form.
func viewMessage(m store.Message, maxFile int64) messageView {
	v := messageView{ID: m.ID, At: m.At, Direction: m.Direction, Kind: m.Kind, From: m.From, To: strings.Join(m.To, ", "),
		Subject: m.Subject, Shared: m.Shared, By: m.By.Name, Shareable: m.ReportID != 0 && !(m.IncidentID != 0 && m.Kind == store.MessageForward)}
	mt, _, _ := mime.ParseMediaType(m.ContentType)
	if mt != "message/rfc822" {
		a, err := parseAddition(m.Raw, m.ContentType, maxFile)
		if err != nil {
			v.Text = "(" + err.Error() + ")"
			return v
		}
		v.Text = a.Text
		if a.FileName != "" || len(a.File) > 0 {
			f := fileView{Name: a.FileName, Size: len(a.File)}
			if utf8.Valid(a.File) {
				f.Text = string(a.File)
			}
			v.Files = append(v.Files, f)
		}
		return v
	}
	c, err := mail.Decode(m.Raw)
	if err != nil {
		return v
	}
	var body []string
	for _, p := range c.Parts {
		if p.Kind == report.PartAttachment {
			v.Files = append(v.Files, fileView{Name: p.Name, Size: len(p.Text)})
			continue
		}
		body = append(body, strings.ReplaceAll(string(p.Text), "\r\n", "\n"))
	}
	v.Text = strings.Join(body, "\n")
	return v
}

// inert makes text from outside safe to show beyond what html/template does: lines with
// control characters (ANSI escapes), invalid UTF-8 or bidirectional overrides are shown
// escaped (internal/escape), so nothing in a message can recolour or reorder the page.
func inert(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if needsEscape(l) {
			lines[i] = escape.String(l)
		}
	}
	return strings.Join(lines, "\n")
}

func needsEscape(s string) bool {
	for _, c := range s {
		if c == utf8.RuneError || (c < ' ' && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0) || unicode.Is(unicode.Cf, c) {
			return true
		}
	}
	return false
}

// csrfEqual compares form tokens in constant time.
func (h *handler) csrfEqual(got, want string) bool {
	return got != "" && hmac.Equal([]byte(got), []byte(want))
}
