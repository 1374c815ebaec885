package demo

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

var from = time.Date(2000, time.April, 1, 0, 0, 0, 0, time.FixedZone("JST", 9*3600))

func TestQuarterDeterministic(t *testing.T) {
	a, b := Quarter(7, from, 60, nil), Quarter(7, from, 60, nil)
	for i := range a {
		if !bytes.Equal(a[i].Submission.Raw, b[i].Submission.Raw) || a[i].Category != b[i].Category {
			t.Fatalf("report %d differs between two runs with one seed", i)
		}
	}
	c := Quarter(8, from, 60, nil)
	same := 0
	for i := range a {
		if bytes.Equal(a[i].Submission.Raw, c[i].Submission.Raw) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d reports are the same under another seed", same)
	}
}

func TestQuarterMix(t *testing.T) {
	tests := []struct {
		n    int
		mix  map[string]int
		want map[string]int
	}{
		{0, nil, SeedMix()},
		{SeedTotal, nil, SeedMix()},
		{100, map[string]int{"probe": 3, "dos": 1}, map[string]int{"probe": 75, "dos": 25}},
		{10, map[string]int{"worm": 1, "other": 1, "probe": 1}, map[string]int{"probe": 4, "worm": 3, "other": 3}},
	}
	for _, tt := range tests {
		got := map[string]int{}
		reports := Quarter(1, from, tt.n, tt.mix)
		last := time.Time{}
		for _, g := range reports {
			got[g.Category]++
			at := g.Submission.ReceivedAt
			if at.Before(from) || !at.Before(from.AddDate(0, 3, 0)) || at.Before(last) {
				t.Errorf("received at %v: outside the quarter or out of order", at)
			}
			last = at
		}
		for _, k := range taxonomy.CategoryKeys() {
			if got[k] != tt.want[k] {
				t.Errorf("n=%d mix=%v: %s = %d, want %d", tt.n, tt.mix, k, got[k], tt.want[k])
			}
		}
	}
}

// labelPattern is what would tell a classifier the answer: a field naming the category.
var labelPattern = regexp.MustCompile(`(?im)^\s*(x-)?(category|classification|分類|カテゴリ)\s*[:：]|keikai\.category`)

// TestQuarterIsRealMail decodes every generated submission with a minimal test-only decoder
// (stdlib MIME plus golang.org/x/text) and requires what Content says a decoder yields; and
// requires the mail of the time: each charset, transfer encoding, gzip attachments, forms in
// the body, API submissions.
func TestQuarterIsRealMail(t *testing.T) {
	reports := Quarter(2000, from, SeedTotal, nil)
	seen := map[string]int{}
	for i, g := range reports {
		raw := g.Submission.Raw
		if labelPattern.Match(raw) {
			t.Errorf("report %d carries a category label", i)
		}
		switch g.Submission.Channel {
		case report.ChannelAPI:
			seen["api"]++
			var r apiReport
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Errorf("report %d: API JSON: %v", i, err)
				continue
			}
			if r.Description != g.Content.Description || r.TimeZone != g.Content.TimeZone {
				t.Errorf("report %d: JSON and content disagree", i)
			}
			continue
		case report.ChannelSMTP, report.ChannelImport:
		default:
			t.Errorf("report %d: channel %q", i, g.Submission.Channel)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Errorf("report %d: not an RFC 5322 message: %v", i, err)
			continue
		}
		if id := strings.Trim(msg.Header.Get("Message-ID"), "<>"); id != g.Submission.MessageID {
			t.Errorf("report %d: Message-ID %q, submission says %q", i, id, g.Submission.MessageID)
		}
		subject, err := (&mime.WordDecoder{CharsetReader: charsetReader}).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || subject != g.Content.Subject {
			t.Errorf("report %d: subject %q (%v), content says %q", i, subject, err, g.Content.Subject)
		}
		parts := decodeParts(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, seen)
		if len(parts) != len(g.Content.Parts) {
			t.Errorf("report %d: %d parts decoded, content has %d", i, len(parts), len(g.Content.Parts))
			continue
		}
		for k, p := range parts {
			if want := g.Content.Parts[k].Text; !bytes.Equal(p, want) {
				t.Errorf("report %d part %d: decoded text differs from content:\n%q\nwant\n%q", i, k, clip(p), clip(want))
			}
		}
		if strings.Contains(string(g.Content.Parts[0].Text), "1. 報告者氏名:") || strings.Contains(string(g.Content.Parts[0].Text), "Reporter: ") {
			seen["form"]++
		}
	}
	for _, want := range []string{"api", "form", "ISO-2022-JP", "Shift_JIS", "EUC-JP", "UTF-8", "us-ascii", "base64", "quoted-printable", "8bit", "gzip", "message/rfc822"} {
		if seen[want] == 0 {
			t.Errorf("no report uses %s (seen %v)", want, seen)
		}
	}
	t.Logf("mail features: %v", seen)
}

func clip(b []byte) []byte { return b[:min(len(b), 300)] }

func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-2022-jp":
		return japanese.ISO2022JP.NewDecoder().Reader(r), nil
	case "shift_jis":
		return japanese.ShiftJIS.NewDecoder().Reader(r), nil
	case "euc-jp":
		return japanese.EUCJP.NewDecoder().Reader(r), nil
	}
	return r, nil
}

// decodeParts returns the decoded text of each leaf part, in order, as Content lists them.
func decodeParts(t *testing.T, ctype, cte string, body io.Reader, seen map[string]int) [][]byte {
	t.Helper()
	media, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Errorf("content type %q: %v", ctype, err)
		return nil
	}
	if strings.HasPrefix(media, "multipart/") {
		var out [][]byte
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("multipart: %v", err)
				return out
			}
			out = append(out, decodeParts(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, seen)...)
		}
		return out
	}
	seen[cte]++
	var r io.Reader = body
	switch strings.ToLower(cte) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		t.Errorf("%s body: %v", cte, err)
	}
	switch {
	case media == "message/rfc822":
		seen[media]++
		return [][]byte{bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))}
	case media == "text/plain" && params["charset"] != "":
		seen[params["charset"]]++
		if cr, _ := charsetReader(params["charset"], bytes.NewReader(data)); cr != nil {
			data, err = io.ReadAll(cr)
			if err != nil {
				t.Errorf("%s: %v", params["charset"], err)
			}
		}
		return [][]byte{bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))}
	case media == "text/plain":
		return [][]byte{data}
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Errorf("%s attachment is not gzip: %v", media, err)
		return [][]byte{data}
	}
	seen["gzip"]++
	data, err = io.ReadAll(zr)
	if err != nil {
		t.Errorf("gzip: %v", err)
	}
	return [][]byte{data}
}
