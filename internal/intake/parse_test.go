package intake

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/demo"
	"github.com/keikai-project/keikai/internal/report"
)

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		name, body string
		field      string
		code       ErrorCode
		detail     string
	}{
		{"empty", ``, "body", CodeSyntax, "empty"},
		{"truncated", `{"description": "x"`, "body", CodeSyntax, "ends too early"},
		{"syntax", `{"description" "x"}`, "body", CodeSyntax, "at byte"},
		{"not an object", `["x"]`, "body", CodeInvalid, "JSON object"},
		{"unknown field", `{"descripton": "x"}`, "descripton", CodeUnknownField, "description"},
		{"wrong type", `{"excerpts": "one line"}`, "excerpts", CodeInvalid, "an array of strings"},
		{"wrong bool", `{"disclosure_allowed": "yes"}`, "disclosure_allowed", CodeInvalid, "true or false"},
		{"bad base64", `{"attachments": [{"name": "a.log", "data": "!!!"}]}`, "attachments[0].data", CodeEncoding, ""},
		{"two objects", `{"description": "x"} {}`, "body", CodeSyntax, "one object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseJSON([]byte(tt.body), DefaultLimits())
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("ParseJSON(%q) = %v; want an *InputError", tt.body, err)
			}
			if ie.Field != tt.field || ie.Code != tt.code || !strings.Contains(ie.Error(), tt.detail) {
				t.Errorf("error %q (field %q, code %s); want field %q, code %s, mentioning %q", ie.Error(), ie.Field, ie.Code, tt.field, tt.code, tt.detail)
			}
			if ja := ie.Message("ja"); ja == ie.Message("en") {
				t.Errorf("no Japanese message for %s", ie.Code)
			}
		})
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestParseJSONContent(t *testing.T) {
	lim := DefaultLimits()
	lim.MaxDecompressed = 1000
	log := []byte(probeExcerpt(2))
	bomb := gzipped(t, bytes.Repeat([]byte("A"), 1<<20))
	body := `{"reporter_name": "山田", "disclosure_allowed": true, "affected_hosts": [" 192.0.2.1 ", ""],
		"description": "scan\r\nseen", "excerpts": ["", "line"],
		"attachments": [
			{"name": "fw.log.gz", "data": "` + b64(gzipped(t, log)) + `"},
			{"name": "bomb.gz", "content_type": "text/plain", "data": "` + b64(bomb) + `"},
			{"data": "` + b64([]byte("plain")) + `"}]}`
	f, err := ParseJSON([]byte(body), lim)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Validate(lim); err != nil {
		t.Fatal(err)
	}
	c := f.Content(lim)
	if c.Reporter.Name != "山田" || !c.Reporter.DisclosureAllowed || len(c.AffectedHosts) != 1 || c.AffectedHosts[0] != "192.0.2.1" {
		t.Errorf("reporter %+v hosts %q", c.Reporter, c.AffectedHosts)
	}
	var kinds []report.PartKind
	for _, p := range c.Parts {
		kinds = append(kinds, p.Kind)
	}
	want := []report.PartKind{report.PartBody, report.PartExcerpt, report.PartAttachment, report.PartAttachment, report.PartAttachment}
	if len(kinds) != len(want) {
		t.Fatalf("parts %v, want %v", kinds, want)
	}
	if string(c.Parts[0].Text) != "scan\nseen" {
		t.Errorf("description part %q; want CRLF turned into LF", c.Parts[0].Text)
	}
	if !bytes.Equal(c.Parts[2].Text, log) {
		t.Errorf("gzip attachment not decompressed: %q", c.Parts[2].Text)
	}
	if len(c.Parts[3].Text) != 1000 || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "bomb.gz") {
		t.Errorf("gzip bomb: %d bytes kept, warnings %q; want 1000 bytes and a warning naming it", len(c.Parts[3].Text), c.Warnings)
	}
	if c.Parts[4].Name != "attachment-3" || string(c.Parts[4].Text) != "plain" {
		t.Errorf("unnamed attachment: %q %q", c.Parts[4].Name, c.Parts[4].Text)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestParseForm(t *testing.T) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", "tok")
	mw.WriteField("reporter_name", "Taro")
	mw.WriteField("email", " taro@example.jp ")
	mw.WriteField("disclosure_allowed", "on")
	mw.WriteField("source_hosts", "198.51.100.7\r\n198.51.100.8, 198.51.100.9")
	mw.WriteField("excerpts", probeExcerpt(1))
	fw, _ := mw.CreateFormFile("attachments", "messages.gz")
	fw.Write(gzipped(t, []byte(probeExcerpt(2))))
	empty, _ := mw.CreateFormFile("attachments", "")
	empty.Write(nil)
	mw.Close()
	f, err := ParseForm(body.Bytes(), mw.FormDataContentType(), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Validate(DefaultLimits()); err != nil {
		t.Fatal(err)
	}
	if f.Other["csrf_token"] != "tok" || f.ReporterName != "Taro" || f.Email != "taro@example.jp" || !f.DisclosureAllowed {
		t.Errorf("fields: %+v", f)
	}
	if len(f.SourceHosts) != 3 || len(f.Attachments) != 1 || f.Attachments[0].Name != "messages.gz" {
		t.Errorf("hosts %q, attachments %d; want 3 hosts and the one file chosen", f.SourceHosts, len(f.Attachments))
	}
	url, err := ParseForm([]byte("description=hello+world&disclosure_allowed=on&csrf_token=x"), "application/x-www-form-urlencoded", DefaultLimits())
	if err != nil || url.Description != "hello world" || !url.DisclosureAllowed {
		t.Errorf("urlencoded: %+v, %v", url, err)
	}
}

func TestParseFormErrors(t *testing.T) {
	lim := DefaultLimits()
	lim.MaxText = 10
	tests := []struct {
		name, contentType, body string
		field                   string
	}{
		{"no boundary", "multipart/form-data", "x", "Content-Type"},
		{"other type", "text/plain", "x", "Content-Type"},
		{"broken multipart", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nxx", "body"},
		{"field too long", "application/x-www-form-urlencoded", "description=12345678901", ""},
		{"bad checkbox", "application/x-www-form-urlencoded", "disclosure_allowed=maybe", "disclosure_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseForm([]byte(tt.body), tt.contentType, lim)
			if err == nil {
				err = f.Validate(lim)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v; want an *InputError", err)
			}
			if tt.field != "" && ie.Field != tt.field {
				t.Errorf("field %q (%v); want %q", ie.Field, ie, tt.field)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	lim := DefaultLimits()
	tests := []struct {
		name  string
		form  Form
		field string
		code  ErrorCode
	}{
		{"nothing to analyse", Form{ReporterName: "x", Excerpts: []string{" "}}, FieldDescription, CodeRequired},
		{"email", Form{Description: "x", Email: "not an address"}, FieldEmail, CodeEmail},
		{"email with name", Form{Description: "x", Email: "Taro <t@example.jp>"}, FieldEmail, CodeEmail},
		{"zone", Form{Description: "x", TimeZone: "Mars/Olympus"}, FieldTimeZone, CodeZone},
		{"zone path", Form{Description: "x", TimeZone: "../../etc/passwd"}, FieldTimeZone, CodeZone},
		{"time", Form{Description: "x", IncidentTime: "yesterday"}, FieldIncidentTime, CodeTime},
		{"lang", Form{Description: "x", Lang: "fr"}, FieldLang, CodeInvalid},
		{"invalid UTF-8", Form{Description: "x", ReporterName: "\xff"}, FieldReporterName, CodeInvalid},
		{"too many attachments", Form{Attachments: make([]Attachment, lim.MaxAttachments+1)}, FieldAttachments, CodeTooMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ie *InputError
			if err := tt.form.Validate(lim); !errors.As(err, &ie) || ie.Field != tt.field || ie.Code != tt.code {
				t.Fatalf("Validate: %v; want %s on %s", err, tt.code, tt.field)
			}
		})
	}
	ok := Form{Description: "x", Email: "a@example.jp", TimeZone: "+09:00", IncidentTime: "2000-05-01T13:45", Lang: "ja"}
	if err := ok.Validate(lim); err != nil {
		t.Errorf("valid form refused: %v", err)
	}
}

// TestDemoAPIReportsValidate: the partner submissions of the demo quarter are what the API takes
// (the keys of ParseJSON, zones and times that Validate accepts), so that the demo goes through
// the same checks as a partner's tool.
func TestDemoAPIReportsValidate(t *testing.T) {
	lim := DefaultLimits()
	n := 0
	for i, g := range demo.Quarter(2000, time.Date(2000, 4, 1, 0, 0, 0, 0, time.FixedZone("JST", 9*3600)), demo.SeedTotal, nil) {
		if g.Submission.Channel != report.ChannelAPI {
			continue
		}
		n++
		f, err := ParseJSON(g.Submission.Raw, lim)
		if err == nil {
			err = f.Validate(lim)
		}
		if err != nil {
			t.Errorf("demo report %d: %v", i, err)
		}
	}
	if n == 0 {
		t.Fatal("the demo quarter has no API submissions")
	}
}
