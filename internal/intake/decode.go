package intake

import (
	"context"
	"errors"

	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/report"
)

// Media types of the submissions the web front end stores.
const (
	MediaJSON       = "application/json"
	MediaMultipart  = "multipart/form-data"
	MediaURLEncoded = "application/x-www-form-urlencoded"
	// MediaMail is the media type of mail stored by the SMTP listener and keikai import.
	MediaMail = "message/rfc822"
)

// JSONDecoder decodes API submissions (application/json).
func JSONDecoder(lim Limits) Decoder {
	return DecoderFunc(func(_ context.Context, s *report.Submission) (report.Content, error) {
		f, err := ParseJSON(s.Raw, lim)
		return contentOf(f, err, s, lim), nil
	})
}

// FormDecoder decodes web form and multipart API submissions (multipart/form-data and
// application/x-www-form-urlencoded).
func FormDecoder(lim Limits) Decoder {
	return DecoderFunc(func(_ context.Context, s *report.Submission) (report.Content, error) {
		f, err := ParseForm(s.Raw, s.ContentType, lim)
		return contentOf(f, err, s, lim), nil
	})
}

// WebDecoders are the decoders for everything the web front end stores, by media type.
func WebDecoders(lim Limits) map[string]Decoder {
	form := FormDecoder(lim)
	return map[string]Decoder{MediaJSON: JSONDecoder(lim), MediaMultipart: form, MediaURLEncoded: form}
}

// contentOf builds the content of a parsed submission. A submission that no longer parses (it was
// accepted under other limits, or by an older keikai) is still analysed: its raw bytes become the
// body, with a warning.
func contentOf(f *Form, err error, s *report.Submission, lim Limits) report.Content {
	if err != nil {
		return report.Content{
			Lang:     s.Lang,
			Parts:    []report.Part{{Kind: report.PartBody, ContentType: s.ContentType, Text: s.Raw}},
			Warnings: []string{"the submission could not be decoded (" + err.Error() + "); its raw bytes were analysed"},
		}
	}
	c := f.Content(lim)
	if c.Lang == "" {
		c.Lang = s.Lang
	}
	return c
}

// MailDecoder decodes mail (message/rfc822) as the SMTP listener and keikai import store it,
// with gzip attachments bounded by lim.MaxDecompressed.
func MailDecoder(lim Limits) Decoder {
	d := mail.Decoder{MaxDecompressed: lim.MaxDecompressed}
	return DecoderFunc(func(_ context.Context, s *report.Submission) (report.Content, error) {
		c, err := d.Decode(s.Raw)
		if errors.Is(err, mail.ErrEmpty) {
			// Nothing to read will not change on a retry: the report is analysed as empty.
			return report.Content{Lang: s.Lang, Warnings: []string{"the message is empty"}}, nil
		}
		if err != nil {
			return report.Content{}, err
		}
		if c.Lang == "" {
			c.Lang = s.Lang
		}
		return c, nil
	})
}
