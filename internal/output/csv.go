package output

import (
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/finding"
)

// csvHeader names the columns, one finding per row; correlations and countermeasures, which do not
// fit a cell, are left to json.
var csvHeader = []string{"level", "rule", "name", "title", "category", "rsit", "advisories",
	"file", "line", "time", "source_ip", "destination_ip", "destination_port", "protocol", "artifact", "excerpt"}

// csvWriter writes RFC 4180 rows as encoding/csv does (see jsonenc_test.go), appending each row to
// one buffer; the rule's columns are encoded once per rule.
type csvWriter struct {
	w      io.Writer
	header bool
	rules  ruleCache
	// csvRules are the encoded rule columns, by the rule texts they were made from.
	csvRules map[*ruleTexts][]byte
	buf      []byte
}

func newCSVWriter(w io.Writer) *csvWriter {
	return &csvWriter{w: w, rules: ruleCache{}, csvRules: map[*ruleTexts][]byte{}}
}

// formula reports whether a spreadsheet would run s as a formula: a text that starts like one
// (=, +, -, @) gets a leading apostrophe, the convention spreadsheets read as "text", so that a
// log line cannot run.
func formula(s string) bool { return s != "" && strings.ContainsRune("=+-@", rune(s[0])) }

// appendCSVField appends s as one field, with the apostrophe when it looks like a formula.
func appendCSVField(b []byte, s string) []byte {
	guard := formula(s)
	if !csvNeedsQuotes(s, guard) {
		if guard {
			b = append(b, '\'')
		}
		return append(b, s...)
	}
	b = append(b, '"')
	if guard {
		b = append(b, '\'')
	}
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

// csvNeedsQuotes is encoding/csv's rule: a field with a comma, a quote or a line break, one that
// starts with a space, and `\.` are quoted. A guarded field starts with the apostrophe.
func csvNeedsQuotes(s string, guard bool) bool {
	if s == "" {
		return false
	}
	if strings.ContainsAny(s, ",\"\r\n") {
		return true
	}
	if guard {
		return false
	}
	if s == `\.` {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

func (c *csvWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	b := c.buf[:0]
	for i, h := range csvHeader {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, h)
	}
	c.buf = append(b, '\n')
	_, err := c.w.Write(c.buf)
	return err
}

// ruleColumns are the encoded columns level to advisories, with the comma after them.
func (c *csvWriter) ruleColumns(rt *ruleTexts) []byte {
	if b, ok := c.csvRules[rt]; ok {
		return b
	}
	e := rt.escaped
	var b []byte
	for _, s := range []string{e.Level, e.Rule, rt.slug, e.Title, e.Category, e.RSIT, strings.Join(e.Advisories, " ")} {
		b = appendCSVField(b, s)
		b = append(b, ',')
	}
	c.csvRules[rt] = b
	return b
}

func (c *csvWriter) Finding(f *finding.Finding) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	b := append(c.buf[:0], c.ruleColumns(c.rules.texts(f))...)
	b = appendCSVField(b, f.File)
	b = append(b, ',')
	if f.Line > 0 {
		b = strconv.AppendInt(b, f.Line, 10)
	}
	b = append(b, ',')
	for _, s := range []string{f.Time, f.SourceIP, f.DestinationIP} {
		b = appendCSVField(b, s)
		b = append(b, ',')
	}
	if f.DestinationPort > 0 {
		b = strconv.AppendInt(b, int64(f.DestinationPort), 10)
	}
	b = append(b, ',')
	for _, s := range []string{f.Protocol, f.Artifact} {
		b = appendCSVField(b, s)
		b = append(b, ',')
	}
	b = appendCSVField(b, f.Excerpt)
	c.buf = append(b, '\n')
	_, err := c.w.Write(c.buf)
	return err
}

func (c *csvWriter) Finish(any, func(io.Writer) error) error {
	return c.writeHeader()
}
