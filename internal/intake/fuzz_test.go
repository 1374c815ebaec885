package intake

import (
	"bytes"
	"mime/multipart"
	"testing"
)

// FuzzParseJSON: no input makes the API decoder panic, and whatever it accepts and validates can
// be turned into content within the limits.
func FuzzParseJSON(f *testing.F) {
	for _, seed := range []string{
		`{"description": "x", "excerpts": ["a"], "attachments": [{"name": "a", "data": "aGVsbG8="}]}`,
		`{"affected_hosts": ["192.0.2.1"], "disclosure_allowed": true, "time_zone": "+09:00", "incident_time": "2000-05-01T13:45"}`,
		`{"attachments": [{"data": "H4sIAAAAAAAA/w=="}]}`, `[]`, `{`, `{"a":1}`, `null`,
	} {
		f.Add([]byte(seed))
	}
	lim := DefaultLimits()
	lim.MaxDecompressed = 1 << 16
	f.Fuzz(func(t *testing.T, raw []byte) {
		form, err := ParseJSON(raw, lim)
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if form.Validate(lim) != nil {
			return
		}
		for _, p := range form.Content(lim).Parts {
			if int64(len(p.Text)) > max(lim.MaxDecompressed, lim.MaxAttachment, int64(lim.MaxText)) {
				t.Fatalf("part %q of %d bytes exceeds the limits", p.Name, len(p.Text))
			}
		}
	})
}

// FuzzParseForm runs the form decoder over arbitrary multipart bodies.
func FuzzParseForm(f *testing.F) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.SetBoundary("fuzzboundary")
	mw.WriteField("description", "scan")
	mw.WriteField("source_hosts", "198.51.100.7\n198.51.100.8")
	fw, _ := mw.CreateFormFile("attachments", "a.log.gz")
	fw.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	mw.Close()
	f.Add(body.Bytes())
	f.Add([]byte("--fuzzboundary\r\nContent-Disposition: form-data; name=\"excerpts\"\r\n\r\nx\r\n--fuzzboundary--\r\n"))
	lim := DefaultLimits()
	lim.MaxDecompressed = 1 << 16
	f.Fuzz(func(t *testing.T, raw []byte) {
		form, err := ParseForm(raw, "multipart/form-data; boundary=fuzzboundary", lim)
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if form.Validate(lim) == nil {
			form.Content(lim)
		}
	})
}
