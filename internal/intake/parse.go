package intake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"reflect"
	"strings"
)

// apiReport is the JSON body of POST /api/v1/reports.
type apiReport struct {
	Subject           string          `json:"subject"`
	Lang              string          `json:"lang"`
	ReporterName      string          `json:"reporter_name"`
	Organization      string          `json:"organization"`
	Email             string          `json:"email"`
	Phone             string          `json:"phone"`
	PGPKey            string          `json:"pgp_key"`
	DisclosureAllowed bool            `json:"disclosure_allowed"`
	IncidentTime      string          `json:"incident_time"`
	TimeZone          string          `json:"time_zone"`
	AffectedHosts     []string        `json:"affected_hosts"`
	SourceHosts       []string        `json:"source_hosts"`
	Description       string          `json:"description"`
	Excerpts          []string        `json:"excerpts"`
	Attachments       []apiAttachment `json:"attachments"`
}

type apiAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	// Data is base64 (standard alphabet, padding and line breaks optional).
	Data string `json:"data"`
}

// ParseJSON reads an API submission. Errors are *InputError and say what to fix: the field, the
// type it must have, or where the syntax breaks.
func ParseJSON(raw []byte, lim Limits) (*Form, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var r apiReport
	if err := dec.Decode(&r); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &InputError{Field: "body", Code: CodeSyntax, Detail: "more data after the JSON object; send one object"}
	}
	if len(r.Attachments) > lim.MaxAttachments {
		return nil, inputErr(FieldAttachments, CodeTooMany, "at most %d files", lim.MaxAttachments)
	}
	f := &Form{
		Subject: r.Subject, Lang: r.Lang, ReporterName: r.ReporterName, Organization: r.Organization,
		Email: r.Email, Phone: r.Phone, PGPKey: r.PGPKey, DisclosureAllowed: r.DisclosureAllowed,
		IncidentTime: r.IncidentTime, TimeZone: r.TimeZone,
		AffectedHosts: trimAll(r.AffectedHosts), SourceHosts: trimAll(r.SourceHosts),
		Description: r.Description, Excerpts: r.Excerpts,
	}
	for i, a := range r.Attachments {
		data, err := decodeBase64(a.Data)
		if err != nil {
			return nil, inputErr(fmt.Sprintf("attachments[%d].data", i), CodeEncoding, "%v", err)
		}
		name := a.Name
		if name == "" {
			name = fmt.Sprintf("attachment-%d", i+1)
		}
		f.Attachments = append(f.Attachments, Attachment{Name: name, ContentType: a.ContentType, Data: data})
	}
	return f, nil
}

// decodeBase64 accepts the standard alphabet with or without padding, and line breaks as MIME
// writes them.
func decodeBase64(s string) ([]byte, error) {
	s = strings.NewReplacer("\r", "", "\n", "", " ", "", "\t", "").Replace(s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

func jsonError(err error) *InputError {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return &InputError{Field: "body", Code: CodeSyntax, Detail: fmt.Sprintf("at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return &InputError{Field: "body", Code: CodeInvalid, Detail: "send a JSON object with the report's fields"}
		}
		return &InputError{Field: field, Code: CodeInvalid, Detail: fmt.Sprintf("must be %s, not a JSON %s", kindWords(typ.Type), typ.Value)}
	case errors.Is(err, io.EOF):
		return &InputError{Field: "body", Code: CodeSyntax, Detail: "the body is empty; send a JSON object with the report's fields"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &InputError{Field: "body", Code: CodeSyntax, Detail: "the JSON ends too early"}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &InputError{Field: strings.Trim(name, `"`), Code: CodeUnknownField, Detail: "the fields are " + strings.Join(FieldNames, ", ")}
	}
	return &InputError{Field: "body", Code: CodeSyntax, Detail: strings.TrimPrefix(err.Error(), "json: ")}
}

func kindWords(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "an array of strings"
		}
		return "an array of objects"
	case reflect.Struct:
		return "an object"
	}
	return t.String()
}

// maxFormParts bounds the parts of a multipart body, so that a body of many empty parts cannot
// make the parser loop long.
const maxFormParts = 200

// ParseForm reads a web form or multipart API submission (multipart/form-data or
// application/x-www-form-urlencoded). Fields it does not know (the CSRF token) are skipped.
func ParseForm(raw []byte, contentType string, lim Limits) (*Form, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, &InputError{Field: "Content-Type", Code: CodeInvalid, Detail: err.Error()}
	}
	f := &Form{}
	switch mediaType {
	case "application/x-www-form-urlencoded":
		values, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, &InputError{Field: "body", Code: CodeSyntax, Detail: "not URL-encoded form data: " + err.Error()}
		}
		for name, vs := range values {
			for _, v := range vs {
				if err := f.set(name, v); err != nil {
					return nil, err
				}
			}
		}
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, &InputError{Field: "Content-Type", Code: CodeInvalid, Detail: "multipart/form-data without a boundary"}
		}
		if err := f.readMultipart(multipart.NewReader(bytes.NewReader(raw), params["boundary"]), lim); err != nil {
			return nil, err
		}
	default:
		return nil, &InputError{Field: "Content-Type", Code: CodeInvalid, Detail: "send application/json, multipart/form-data or application/x-www-form-urlencoded, not " + mediaType}
	}
	return f, nil
}

func (f *Form) readMultipart(mr *multipart.Reader, lim Limits) error {
	for n := 0; ; n++ {
		if n == maxFormParts {
			return inputErr("body", CodeTooMany, "at most %d form fields and files", maxFormParts)
		}
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &InputError{Field: "body", Code: CodeSyntax, Detail: "broken multipart/form-data: " + err.Error()}
		}
		name, file := p.FormName(), p.FileName()
		limit := int64(lim.MaxText)
		if file != "" || name == FieldAttachments {
			limit = lim.MaxAttachment
		}
		data, err := io.ReadAll(io.LimitReader(p, limit+1))
		p.Close()
		if err != nil {
			return &InputError{Field: name, Code: CodeSyntax, Detail: "broken multipart/form-data: " + err.Error()}
		}
		if int64(len(data)) > limit {
			return inputErr(name, CodeTooLong, "at most %d bytes", limit)
		}
		if name == FieldAttachments || file != "" {
			// A file input left empty still sends a part with no name and no data.
			if file == "" && len(data) == 0 {
				continue
			}
			if len(f.Attachments) == lim.MaxAttachments {
				return inputErr(FieldAttachments, CodeTooMany, "at most %d files", lim.MaxAttachments)
			}
			f.Attachments = append(f.Attachments, Attachment{Name: file, ContentType: p.Header.Get("Content-Type"), Data: data})
			continue
		}
		if err := f.set(name, string(data)); err != nil {
			return err
		}
	}
}

// set assigns one form value. Host lists take one host per line (or separated by commas or
// spaces); excerpts may repeat.
func (f *Form) set(name, v string) error {
	switch name {
	case FieldSubject:
		f.Subject = v
	case FieldLang:
		f.Lang = v
	case FieldReporterName:
		f.ReporterName = v
	case FieldOrganization:
		f.Organization = v
	case FieldEmail:
		f.Email = strings.TrimSpace(v)
	case FieldPhone:
		f.Phone = v
	case FieldPGPKey:
		f.PGPKey = v
	case FieldDisclosureAllowed:
		switch strings.ToLower(v) {
		case "on", "yes", "true", "1":
			f.DisclosureAllowed = true
		case "", "off", "no", "false", "0":
		default:
			return inputErr(FieldDisclosureAllowed, CodeInvalid, "on or off")
		}
	case FieldIncidentTime:
		f.IncidentTime = strings.TrimSpace(v)
	case FieldTimeZone:
		f.TimeZone = strings.TrimSpace(v)
	case FieldAffectedHosts:
		f.AffectedHosts = append(f.AffectedHosts, splitHosts(v)...)
	case FieldSourceHosts:
		f.SourceHosts = append(f.SourceHosts, splitHosts(v)...)
	case FieldDescription:
		f.Description = v
	case FieldExcerpts:
		f.Excerpts = append(f.Excerpts, v)
	default:
		if f.Other == nil {
			f.Other = map[string]string{}
		}
		f.Other[name] = v
	}
	return nil
}

func splitHosts(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '　'
	})
}

func trimAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
