package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"
)

// addition is what a reporter adds to their report on the status page: text and at most one
// file. The request body is stored byte for byte; this is how it reads back.
type addition struct {
	Text     string
	FileName string
	File     []byte
	CSRF     string
}

// Fields of the status page's form.
const (
	additionText = "text"
	additionFile = "file"
)

var errEmptyAddition = errors.New("neither text nor a file")

// maxAdditionParts bounds the parts read from one body: the form has four fields.
const maxAdditionParts = 16

// parseAddition reads a status page form body (multipart/form-data, or urlencoded when no file
// was chosen and a browser sends it so).
func parseAddition(raw []byte, contentType string, maxFile int64) (addition, error) {
	var a addition
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return a, fmt.Errorf("content type: %w", err)
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(raw))
		if err != nil {
			return a, err
		}
		a.Text, a.CSRF = v.Get(additionText), v.Get(csrfField)
	case "multipart/form-data":
		if params["boundary"] == "" {
			return a, errors.New("multipart body without a boundary")
		}
		mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
		for n := 0; ; n++ {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return a, err
			}
			if n >= maxAdditionParts {
				return a, errors.New("too many parts")
			}
			data, err := io.ReadAll(io.LimitReader(p, maxFile+1))
			if err != nil {
				return a, err
			}
			if int64(len(data)) > maxFile {
				return a, fmt.Errorf("a part is larger than %d bytes", maxFile)
			}
			switch p.FormName() {
			case additionText:
				a.Text = string(data)
			case csrfField:
				a.CSRF = string(data)
			case additionFile:
				if name := p.FileName(); name != "" || len(data) > 0 {
					a.FileName, a.File = cleanFileName(name), data
				}
			}
		}
	default:
		return a, fmt.Errorf("unsupported content type %s", mt)
	}
	a.Text = strings.ReplaceAll(a.Text, "\r\n", "\n")
	if strings.TrimSpace(a.Text) == "" && a.FileName == "" && len(a.File) == 0 {
		return a, errEmptyAddition
	}
	return a, nil
}

// cleanFileName keeps the last element of a browser's file name, valid UTF-8.
func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" {
		name = ""
	}
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "\uFFFD")
	}
	return name
}
