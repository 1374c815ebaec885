package intake

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/assess"
	"github.com/keikai-project/keikai/internal/report"
)

// Form is a report as the web form and the API carry it: the fields of a CSIRT report form. The
// form's field names and the API's JSON keys are the same (see FieldNames).
type Form struct {
	Subject           string
	Lang              string
	ReporterName      string
	Organization      string
	Email             string
	Phone             string
	PGPKey            string
	DisclosureAllowed bool
	// IncidentTime is the stated time of the incident as the reporter wrote it
	// (2006-01-02T15:04 from a browser, or RFC 3339); TimeZone is its zone (IANA name or ±hh:mm).
	IncidentTime  string
	TimeZone      string
	AffectedHosts []string
	SourceHosts   []string
	Description   string
	Excerpts      []string
	Attachments   []Attachment
	// Other holds form fields that are not a report's (the web form's CSRF token), for the front
	// end that sent them; they are not analysed.
	Other map[string]string
}

// Attachment is a file attached to a report, as sent (gzip stays compressed until decoding).
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Field names shared by the form and the API.
const (
	FieldSubject           = "subject"
	FieldLang              = "lang"
	FieldReporterName      = "reporter_name"
	FieldOrganization      = "organization"
	FieldEmail             = "email"
	FieldPhone             = "phone"
	FieldPGPKey            = "pgp_key"
	FieldDisclosureAllowed = "disclosure_allowed"
	FieldIncidentTime      = "incident_time"
	FieldTimeZone          = "time_zone"
	FieldAffectedHosts     = "affected_hosts"
	FieldSourceHosts       = "source_hosts"
	FieldDescription       = "description"
	FieldExcerpts          = "excerpts"
	FieldAttachments       = "attachments"
)

// FieldNames lists every field a report may carry, for error messages.
var FieldNames = []string{
	FieldSubject, FieldLang, FieldReporterName, FieldOrganization, FieldEmail, FieldPhone, FieldPGPKey,
	FieldDisclosureAllowed, FieldIncidentTime, FieldTimeZone, FieldAffectedHosts, FieldSourceHosts,
	FieldDescription, FieldExcerpts, FieldAttachments,
}

// Limits bound what one submission may hold. They are checked at receipt, so a report that was
// acknowledged always decodes within them.
type Limits struct {
	// MaxSubmission is the size of a raw submission in bytes (an HTTP body, a mail).
	MaxSubmission int64
	// MaxAttachments is the number of attached files.
	MaxAttachments int
	// MaxAttachment is the size of one attached file as sent, in bytes.
	MaxAttachment int64
	// MaxDecompressed bounds a gzip attachment after decompression: beyond it the rest is not
	// read (a gzip bomb costs nothing) and the report carries a warning.
	MaxDecompressed int64
	// MaxText is the size of one text field (description, one excerpt, the OpenPGP key).
	MaxText int
	// MaxHosts is the number of entries in each host list.
	MaxHosts int
}

// DefaultLimits are generous for logs of a real incident and small enough for one process.
func DefaultLimits() Limits {
	return Limits{
		MaxSubmission:   16 << 20,
		MaxAttachments:  20,
		MaxAttachment:   8 << 20,
		MaxDecompressed: 32 << 20,
		MaxText:         1 << 20,
		MaxHosts:        1000,
	}
}

// maxShortField bounds one-line fields (name, e-mail, phone, time, zone, one host).
const maxShortField = 1024

// InputError says which field of a submission is wrong and why, in words a reporter can act on.
type InputError struct {
	Field string
	Code  ErrorCode
	// Detail adds specifics (a limit, a position); it is not translated.
	Detail string
}

// ErrorCode classifies an InputError for translation.
type ErrorCode string

// Error codes of InputError.
const (
	CodeRequired     ErrorCode = "required"
	CodeTooLong      ErrorCode = "too_long"
	CodeTooMany      ErrorCode = "too_many"
	CodeInvalid      ErrorCode = "invalid"
	CodeEmail        ErrorCode = "email"
	CodeTime         ErrorCode = "time"
	CodeZone         ErrorCode = "zone"
	CodeEncoding     ErrorCode = "encoding"
	CodeUnknownField ErrorCode = "unknown_field"
	CodeSyntax       ErrorCode = "syntax"
)

var errorTexts = map[ErrorCode][2]string{ // English, Japanese
	CodeRequired:     {"give at least a description, a log excerpt or an attached file", "説明、ログの抜粋、添付ファイルのいずれかを記入してください"},
	CodeTooLong:      {"is too long", "が長すぎます"},
	CodeTooMany:      {"has too many entries", "の項目が多すぎます"},
	CodeInvalid:      {"is not valid", "が正しくありません"},
	CodeEmail:        {"is not an e-mail address (like name@example.jp)", "は電子メールアドレスの形式 (name@example.jp など) ではありません"},
	CodeTime:         {"is not a time (like 2000-05-01T13:45 or 2000-05-01T13:45:00+09:00)", "は日時の形式 (2000-05-01T13:45 など) ではありません"},
	CodeZone:         {"is not a time zone (like Asia/Tokyo, UTC or +09:00)", "はタイムゾーン (Asia/Tokyo、UTC、+09:00 など) ではありません"},
	CodeEncoding:     {"is not valid base64", "が正しい base64 ではありません"},
	CodeUnknownField: {"is not a field of a report", "は報告の項目ではありません"},
	CodeSyntax:       {"is not valid JSON", "が正しい JSON ではありません"},
}

func (e *InputError) Error() string { return e.Message("en") }

// Message is the error in lang ("ja" or "en").
func (e *InputError) Message(lang string) string {
	texts, ok := errorTexts[e.Code]
	if !ok {
		texts = errorTexts[CodeInvalid]
	}
	var msg string
	switch {
	case e.Code == CodeRequired:
		msg = texts[0]
		if lang == "ja" {
			msg = texts[1]
		}
	case lang == "ja":
		msg = e.Field + " " + texts[1]
	default:
		msg = e.Field + " " + texts[0]
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

func inputErr(field string, code ErrorCode, detailFormat string, args ...any) *InputError {
	e := &InputError{Field: field, Code: code}
	if detailFormat != "" {
		e.Detail = fmt.Sprintf(detailFormat, args...)
	}
	return e
}

// Validate checks the fields against lim and their syntax. It returns an *InputError for the
// first problem.
func (f *Form) Validate(lim Limits) error {
	short := []struct{ name, value string }{
		{FieldSubject, f.Subject}, {FieldReporterName, f.ReporterName}, {FieldOrganization, f.Organization},
		{FieldEmail, f.Email}, {FieldPhone, f.Phone}, {FieldIncidentTime, f.IncidentTime}, {FieldTimeZone, f.TimeZone},
	}
	for _, s := range short {
		if len(s.value) > maxShortField {
			return inputErr(s.name, CodeTooLong, "at most %d bytes", maxShortField)
		}
		if !utf8.ValidString(s.value) {
			return inputErr(s.name, CodeInvalid, "not UTF-8")
		}
	}
	if f.Lang != "" && f.Lang != "ja" && f.Lang != "en" {
		return inputErr(FieldLang, CodeInvalid, `"ja" or "en"`)
	}
	if f.Email != "" {
		if a, err := mail.ParseAddress(f.Email); err != nil || a.Name != "" {
			return inputErr(FieldEmail, CodeEmail, "")
		}
	}
	if f.TimeZone != "" {
		if _, err := assess.ParseZone(f.TimeZone); err != nil {
			return inputErr(FieldTimeZone, CodeZone, "")
		}
	}
	if f.IncidentTime != "" {
		if _, err := assess.ParseIncidentTime(f.IncidentTime, time.UTC); err != nil {
			return inputErr(FieldIncidentTime, CodeTime, "")
		}
	}
	for _, l := range []struct {
		name  string
		hosts []string
	}{{FieldAffectedHosts, f.AffectedHosts}, {FieldSourceHosts, f.SourceHosts}} {
		if len(l.hosts) > lim.MaxHosts {
			return inputErr(l.name, CodeTooMany, "at most %d", lim.MaxHosts)
		}
		for _, h := range l.hosts {
			if len(h) > maxShortField {
				return inputErr(l.name, CodeTooLong, "at most %d bytes per host", maxShortField)
			}
		}
	}
	if len(f.PGPKey) > lim.MaxText {
		return inputErr(FieldPGPKey, CodeTooLong, "at most %d bytes", lim.MaxText)
	}
	if len(f.Description) > lim.MaxText {
		return inputErr(FieldDescription, CodeTooLong, "at most %d bytes", lim.MaxText)
	}
	for _, e := range f.Excerpts {
		if len(e) > lim.MaxText {
			return inputErr(FieldExcerpts, CodeTooLong, "at most %d bytes each", lim.MaxText)
		}
	}
	if len(f.Attachments) > lim.MaxAttachments {
		return inputErr(FieldAttachments, CodeTooMany, "at most %d files", lim.MaxAttachments)
	}
	for _, a := range f.Attachments {
		if int64(len(a.Data)) > lim.MaxAttachment {
			return inputErr(FieldAttachments, CodeTooLong, "%s: at most %d bytes per file", a.Name, lim.MaxAttachment)
		}
		if len(a.Name) > maxShortField {
			return inputErr(FieldAttachments, CodeTooLong, "file name at most %d bytes", maxShortField)
		}
	}
	if strings.TrimSpace(f.Description) == "" && !anyNonBlank(f.Excerpts) && len(f.Attachments) == 0 {
		return &InputError{Field: FieldDescription, Code: CodeRequired}
	}
	return nil
}

func anyNonBlank(ss []string) bool {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return true
		}
	}
	return false
}

// Content turns the form into what analysis reads: the description, every excerpt and every
// attachment as a part. Gzip attachments are decompressed up to lim.MaxDecompressed; what could
// not be decompressed is said in Warnings and the rest is kept.
func (f *Form) Content(lim Limits) report.Content {
	c := report.Content{
		Subject: f.Subject,
		Reporter: report.Reporter{
			Name: f.ReporterName, Organization: f.Organization, Email: f.Email, Phone: f.Phone,
			PGPKey: f.PGPKey, DisclosureAllowed: f.DisclosureAllowed,
		},
		Lang:          f.Lang,
		IncidentTime:  f.IncidentTime,
		TimeZone:      f.TimeZone,
		AffectedHosts: f.AffectedHosts,
		SourceHosts:   f.SourceHosts,
		Description:   f.Description,
	}
	if strings.TrimSpace(f.Description) != "" {
		c.Parts = append(c.Parts, report.Part{Kind: report.PartBody, Name: FieldDescription, ContentType: "text/plain; charset=utf-8", Text: unixLines(f.Description)})
	}
	for i, e := range f.Excerpts {
		if strings.TrimSpace(e) == "" {
			continue
		}
		c.Parts = append(c.Parts, report.Part{Kind: report.PartExcerpt, Name: fmt.Sprintf("excerpt %d", i+1), ContentType: "text/plain; charset=utf-8", Text: unixLines(e)})
	}
	for _, a := range f.Attachments {
		text, warn := decompress(a, lim.MaxDecompressed)
		if warn != "" {
			c.Warnings = append(c.Warnings, warn)
		}
		c.Parts = append(c.Parts, report.Part{Kind: report.PartAttachment, Name: a.Name, ContentType: a.ContentType, Text: text})
	}
	return c
}

// unixLines turns the CRLF line ends that browsers send into LF, as in the logs pasted.
func unixLines(s string) []byte {
	return bytes.ReplaceAll([]byte(s), []byte("\r\n"), []byte("\n"))
}

// decompress returns a gzip attachment's content, at most limit bytes of it; other attachments
// are returned as they are. Recognised by the gzip magic number, not by the name or type, since
// both are often wrong.
func decompress(a Attachment, limit int64) ([]byte, string) {
	if len(a.Data) < 2 || a.Data[0] != 0x1f || a.Data[1] != 0x8b {
		return a.Data, ""
	}
	zr, err := gzip.NewReader(bytes.NewReader(a.Data))
	if err != nil {
		return a.Data, fmt.Sprintf("attachment %q: looks like gzip but is not (%v); analysed as it is", a.Name, err)
	}
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(zr, limit+1))
	switch {
	case n > limit:
		out.Truncate(int(limit))
		return out.Bytes(), fmt.Sprintf("attachment %q: decompresses to more than %d bytes; only the first %d were analysed", a.Name, limit, limit)
	case err != nil && !errors.Is(err, io.EOF):
		return out.Bytes(), fmt.Sprintf("attachment %q: gzip data broken after %d bytes (%v); analysed what could be read", a.Name, n, err)
	}
	return out.Bytes(), ""
}
