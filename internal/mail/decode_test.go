package mail

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/report"
)

// statdBytes is the shellcode run of the statd line in the testdata; it must survive decoding.
var statdBytes = []byte("\x90\x90\x90\x90\xeb\x3c\x5e\x31\xc0\x88\x46\x07\x89\x76\x08 XbinXsh tirdwr")

type wantPart struct {
	kind        report.PartKind
	name        string
	contentType string
	contains    []string
	absent      []string
	bytes       []byte // raw bytes that must be present
}

func TestDecodeTestdata(t *testing.T) {
	tests := []struct {
		file         string
		subject      string
		reporter     report.Reporter
		lang         string
		parts        []wantPart
		warnings     []string // substrings, each must occur in some warning
		noWarnings   bool
		incidentTime string
		timeZone     string
		affected     []string
		sources      []string
		description  []string
	}{
		{
			file:    "oe_iso2022jp_form.eml",
			subject: "不正アクセスの報告 (statd)",
			reporter: report.Reporter{Name: "山田 太郎", Organization: "㈱例示ネットワークス 情報システム部",
				Email: "yamada@example.co.jp", Phone: "03-1234-5678"},
			lang: "ja",
			parts: []wantPart{
				{kind: report.PartBody, contentType: "text/plain", contains: []string{"JPCERT/CC 御中", "以上、よろしくお願いします。"}, absent: []string{"statd[44]"}},
				{kind: report.PartExcerpt, contentType: "text/plain", contains: []string{`statd[44]: attempt to create "/var/statmon/sm//../`}, bytes: statdBytes},
			},
			warnings:     []string{"bytes not valid in ISO-2022-JP kept as received"},
			incidentTime: "1998/03/13 12:34",
			timeZone:     "JST (+0900)",
			affected:     []string{"ns1.example.co.jp", "192.0.2.10"},
			sources:      []string{"198.51.100.23", "dialup7.example.net"},
			description:  []string{"① syslog に不審な行 ② /tmp/.nfs09 の作成", "対策Ⅰとして", "㍉"},
		},
		{
			file:     "becky_multipart_gzip.eml",
			subject:  "ポートスキャンの報告",
			reporter: report.Reporter{Name: "Hanako Suzuki", Email: "suzuki@example.ne.jp"},
			lang:     "ja",
			parts: []wantPart{
				{kind: report.PartBody, contentType: "text/plain", contains: []string{"ポートスキャンを受けました。"}},
				{kind: report.PartAttachment, name: "ログ.gz", contentType: "text/plain",
					contains: []string{"Apr  2 03:39:11 gw sshd[812]: Did not receive identification string from 203.0.113.39\n"}},
			},
			noWarnings: true,
		},
		{
			file:     "thunderbird_mixed_alternative.eml",
			subject:  "CGI probes — phf",
			reporter: report.Reporter{Name: "John Smith", Organization: "Example University", Email: "jsmith@example.org"},
			lang:     "en",
			parts: []wantPart{
				{kind: report.PartBody, contentType: "text/plain", contains: []string{"against our web server — logs attached."}, absent: []string{"<html>"}},
				{kind: report.PartAttachment, name: "ログ.txt", contentType: "text/plain", contains: []string{"GET /cgi-bin/phf?Qalias=x%0a/bin/cat%20/etc/passwd"}},
				{kind: report.PartAttachment, name: "kern.log.gz", contentType: "text/plain", contains: []string{"198.51.100.9:3341 192.0.2.80:111"}},
				{kind: report.PartAttachment, name: "access_log", contentType: "text/plain", contains: []string{`"GET /cgi-bin/phf`}},
			},
			noWarnings: true,
		},
		{
			file:       "eudora_sjis_8bit.eml",
			subject:    "スキャンのお知らせ",
			reporter:   report.Reporter{Name: "Sato", Email: "sato@example.ac.jp"},
			lang:       "ja",
			parts:      []wantPart{{kind: report.PartBody, contentType: "text/plain", contains: []string{"① 21/tcp へのスキャン\r\n② 111/udp", "被害はⅠ件もありません。"}}},
			noWarnings: true,
		},
		{
			file:     "mutt_eucjp_uuencode.eml",
			subject:  "backdoor port access",
			reporter: report.Reporter{Name: "TAKAHASHI Jiro", Email: "takahashi@example.or.jp"},
			lang:     "ja",
			parts: []wantPart{
				{kind: report.PartAttachment, name: "ipmon.log", contentType: "text/plain", contains: []string{"203.0.113.5,1024 -> 192.0.2.1,31337 PR tcp"}},
				{kind: report.PartBody, contentType: "text/plain", contains: []string{"バックドアのポートへのアクセスがありました。", "高橋"}, absent: []string{"begin 644", "end\n"}},
			},
			noWarnings: true,
		},
		{
			file:       "nomime_iso2022jp.eml",
			subject:    "プローブの報告",
			reporter:   report.Reporter{Name: "Ito Saburo", Email: "ito@example.ad.jp"},
			lang:       "ja",
			parts:      []wantPart{{kind: report.PartBody, contentType: "text/plain", contains: []string{"finger と telnet へのアクセス", "①②のとおりです。"}}},
			noWarnings: true,
		},
		{
			file:     "netscape_forwarded_bounce.eml",
			subject:  "[Fwd: Returned mail: User unknown]",
			reporter: report.Reporter{Name: "Postmaster", Email: "postmaster@example.co.jp"},
			lang:     "en",
			parts: []wantPart{
				{kind: report.PartBody, contentType: "text/plain", contains: []string{"Our address is forged."}},
				{kind: report.PartBody, contentType: "message/rfc822", contains: []string{"From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.com>"}},
				{kind: report.PartBody, contentType: "text/plain", contains: []string{"permanent fatal errors"}},
				{kind: report.PartBody, contentType: "message/delivery-status", contains: []string{"Status: 5.1.1"}},
				{kind: report.PartBody, contentType: "message/rfc822", contains: []string{"HELO example.co.jp) (203.0.113.66) by mail.example.co.jp with SMTP;", "Subject: MAKE MONEY FAST\n"}},
				{kind: report.PartBody, contentType: "text/plain", contains: []string{"Buy now."}},
			},
			noWarnings: true,
		},
		{
			file:       "pine_statd_usascii.eml",
			subject:    "statd exploit attempt",
			reporter:   report.Reporter{Name: "System Administrator", Email: "security@example.edu"},
			lang:       "en",
			parts:      []wantPart{{kind: report.PartBody, contentType: "text/plain", contains: []string{"Found this in /var/adm/messages:"}, bytes: statdBytes}},
			noWarnings: true,
		},
		{
			file:     "pine_english_form_qp.eml",
			subject:  "Incident report: scan from your constituency",
			reporter: report.Reporter{Name: "Alice Admin", Organization: "Example Networks Inc.", Email: "alice@example.net", Phone: "+1-555-0100"},
			lang:     "en",
			parts: []wantPart{
				{kind: report.PartBody, contentType: "text/plain", contains: []string{"Reporter: Alice Admin"}, absent: []string{"DPT=111"}},
				{kind: report.PartExcerpt, contentType: "text/plain", contains: []string{"Jun  6 07:30:01 fw kernel: DENY IN=eth0 SRC=203.0.113.45 DST=192.0.2.2 PROTO=UDP DPT=111"}},
			},
			noWarnings:   true,
			incidentTime: "2000-06-06 07:30",
			timeZone:     "PDT (-0700)",
			affected:     []string{"192.0.2.0/24"},
			sources:      []string{"203.0.113.45"},
			description:  []string{"A sweep of port 111 across our /24. Please contact the site responsible."},
		},
		{
			file:     "malformed.eml",
			subject:  "broken subject",
			reporter: report.Reporter{Email: "broken@example.com"},
			lang:     "en",
			parts: []wantPart{
				{kind: report.PartBody, contentType: "text/plain", contains: []string{"body text survives"}},
				{kind: report.PartAttachment, name: "data.bin", contentType: "application/octet-stream", bytes: []byte{0, 1, 2, 3, 4, 5}},
			},
			warnings: []string{"malformed header line ignored", `unknown charset "x-fake-charset"`, "base64 with invalid characters", "closing boundary missing"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			c, err := Decode(raw)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if c.Subject != tt.subject {
				t.Errorf("Subject = %q, want %q", c.Subject, tt.subject)
			}
			if c.Reporter != tt.reporter {
				t.Errorf("Reporter = %+v, want %+v", c.Reporter, tt.reporter)
			}
			if c.Lang != tt.lang {
				t.Errorf("Lang = %q, want %q", c.Lang, tt.lang)
			}
			if tt.noWarnings && len(c.Warnings) > 0 {
				t.Errorf("unexpected warnings: %q", c.Warnings)
			}
			for _, w := range tt.warnings {
				if !slices.ContainsFunc(c.Warnings, func(s string) bool { return strings.Contains(s, w) }) {
					t.Errorf("no warning containing %q in %q", w, c.Warnings)
				}
			}
			if len(c.Parts) != len(tt.parts) {
				for _, p := range c.Parts {
					t.Logf("part %s %q %s: %q", p.Kind, p.Name, p.ContentType, truncate(p.Text))
				}
				t.Fatalf("%d parts, want %d", len(c.Parts), len(tt.parts))
			}
			for i, want := range tt.parts {
				got := c.Parts[i]
				if got.Kind != want.kind || got.Name != want.name || got.ContentType != want.contentType {
					t.Errorf("part %d = %s %q %s, want %s %q %s", i, got.Kind, got.Name, got.ContentType, want.kind, want.name, want.contentType)
				}
				for _, s := range want.contains {
					if !bytes.Contains(got.Text, []byte(s)) {
						t.Errorf("part %d lacks %q; text: %q", i, s, truncate(got.Text))
					}
				}
				for _, s := range want.absent {
					if bytes.Contains(got.Text, []byte(s)) {
						t.Errorf("part %d contains %q", i, s)
					}
				}
				if want.bytes != nil && !bytes.Contains(got.Text, want.bytes) {
					t.Errorf("part %d lost the bytes %q; text: %q", i, want.bytes, truncate(got.Text))
				}
			}
			if c.IncidentTime != tt.incidentTime || c.TimeZone != tt.timeZone {
				t.Errorf("time = %q %q, want %q %q", c.IncidentTime, c.TimeZone, tt.incidentTime, tt.timeZone)
			}
			if !slices.Equal(c.AffectedHosts, tt.affected) || !slices.Equal(c.SourceHosts, tt.sources) {
				t.Errorf("hosts = %q / %q, want %q / %q", c.AffectedHosts, c.SourceHosts, tt.affected, tt.sources)
			}
			for _, s := range tt.description {
				if !strings.Contains(c.Description, s) {
					t.Errorf("Description lacks %q: %q", s, c.Description)
				}
			}
		})
	}
}

func truncate(b []byte) []byte {
	if len(b) > 300 {
		return b[:300]
	}
	return b
}

func TestDecodeEmpty(t *testing.T) {
	for _, in := range []string{"", " \r\n\t\n"} {
		if _, err := Decode([]byte(in)); err != ErrEmpty {
			t.Errorf("Decode(%q) error = %v, want ErrEmpty", in, err)
		}
	}
}

func TestDecodeHeaderless(t *testing.T) {
	c, err := Decode([]byte("Mar 13 12:34:56 host statd[44]: attempt\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Parts) != 1 || !bytes.Contains(c.Parts[0].Text, []byte("statd[44]: attempt")) {
		t.Fatalf("parts = %+v", c.Parts)
	}
}

func TestDecodeHTMLOnly(t *testing.T) {
	raw := "From: a@example.com\r\nContent-Type: text/html; charset=Shift_JIS\r\n\r\n" +
		"<html><head><title>t</title><style>p{}</style></head><body><p>\x83\x8d\x83\x4f:</p>" +
		"<pre>203.0.113.7 - - &quot;GET&nbsp;/cgi-bin/<b>phf</b> HTTP/1.0&quot;</pre></body></html>"
	c, err := Decode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Parts) != 1 || c.Parts[0].ContentType != "text/plain" {
		t.Fatalf("parts: %+v", c.Parts)
	}
	want := "ログ:\n203.0.113.7 - - \"GET /cgi-bin/phf HTTP/1.0\"\n"
	if got := string(c.Parts[0].Text); got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
}

// A gzip bomb yields its first MaxDecompressed bytes and a warning, not an exhausted memory.
func TestDecodeGzipBomb(t *testing.T) {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 64 { // 64 MiB of zeros in about 64 KiB
		zw.Write(zeros)
	}
	zw.Close()
	raw := []byte("From: a@example.com\nSubject: bomb\nContent-Type: multipart/mixed; boundary=b\n\n--b\n" +
		"Content-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/x-gzip; name=\"x.gz\"\n" +
		"Content-Transfer-Encoding: base64\n\n" + string(b64(gz.Bytes())) + "\n--b--\n")
	d := Decoder{MaxDecompressed: 1 << 20}
	c, err := d.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	var att *report.Part
	for i := range c.Parts {
		if c.Parts[i].Name == "x.gz" {
			att = &c.Parts[i]
		}
	}
	if att == nil || len(att.Text) != 1<<20 {
		t.Fatalf("attachment = %+v", att)
	}
	if !slices.ContainsFunc(c.Warnings, func(s string) bool { return strings.Contains(s, "decompression limit") }) {
		t.Errorf("no decompression warning: %q", c.Warnings)
	}
}

func TestDecodeNested(t *testing.T) {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/mixed; boundary=b0\n\n")
	for i := range 30 {
		b.WriteString("--b" + strconv.Itoa(i) + "\nContent-Type: multipart/mixed; boundary=b" + strconv.Itoa(i+1) + "\n\n")
	}
	b.WriteString("--b30\nContent-Type: text/plain\n\ndeep\n")
	c, err := Decode([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(c.Warnings, func(s string) bool { return strings.Contains(s, "nesting deeper") }) {
		t.Errorf("no nesting warning: %q", c.Warnings)
	}
}

func b64(b []byte) []byte {
	var out bytes.Buffer
	enc := make([]byte, ((len(b)+2)/3)*4)
	base64.StdEncoding.Encode(enc, b)
	for len(enc) > 76 {
		out.Write(enc[:76])
		out.WriteByte('\n')
		enc = enc[76:]
	}
	out.Write(enc)
	return out.Bytes()
}

// BenchmarkDecode decodes a report with an ISO-2022-JP body and a base64 gzip log of 8 MiB.
func BenchmarkDecode(b *testing.B) {
	line := "Apr  1 10:00:00 gw kernel: DENY IN=eth0 SRC=203.0.113.9 DST=192.0.2.1 DPT=111\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for range (8 << 20) / len(line) {
		zw.Write([]byte(line))
	}
	zw.Close()
	body := strings.Repeat("\x1b$BIT@5%\"%/%;%9$NJs9p$G$9!#\x1b(B\r\n", 10000)
	raw := []byte("From: a@example.co.jp\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" +
		"Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n" + body + "--b\r\nContent-Type: application/octet-stream; name=messages.gz\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + string(b64(gz.Bytes())) + "\r\n--b--\r\n")
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func TestForwardedHeaderDecoded(t *testing.T) {
	raw := "Content-Type: message/rfc822\r\n\r\nReceived: from x\r\n  by y; Sat, 1 Apr 2000 10:00:00 +0900\r\n" +
		"Subject: =?ISO-2022-JP?B?GyRCSnM5cBsoQg==?=\r\nFrom: \x1b$B;3ED\x1b(B <yamada@example.co.jp>\r\n\r\nbody\r\n"
	c, err := Decode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := "Received: from x by y; Sat, 1 Apr 2000 10:00:00 +0900\nSubject: 報告\nFrom: 山田 <yamada@example.co.jp>\n"
	if len(c.Parts) != 2 || string(c.Parts[0].Text) != want || string(c.Parts[1].Text) != "body\r\n" {
		t.Errorf("parts: %q", c.Parts)
	}
}

func TestWarningsEscaped(t *testing.T) {
	raw := "Content-Type: application/octet-stream; name=\"evil\x1b]0;title\x07.gz\"\r\nContent-Transfer-Encoding: x-weird\r\n\r\nx"
	c, err := Decode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range c.Warnings {
		if strings.ContainsAny(w, "\x1b\x07") {
			t.Errorf("warning carries control characters: %q", w)
		}
	}
	if len(c.Warnings) == 0 {
		t.Error("no warning for the unknown transfer encoding")
	}
}
