package output

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/keikai-project/keikai/internal/finding"
)

// csvHeader names the columns, one finding per row; correlations and countermeasures, which do not
// fit a cell, are left to json.
var csvHeader = []string{"level", "rule", "name", "title", "category", "rsit", "advisories",
	"file", "line", "time", "source_ip", "destination_ip", "destination_port", "protocol", "artifact", "excerpt"}

type csvWriter struct {
	w      *csv.Writer
	header bool
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{w: csv.NewWriter(w)} }

// cell keeps a spreadsheet from running a log line as a formula: a text that starts like one
// (=, +, -, @) gets a leading apostrophe, the convention spreadsheets read as "text".
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (c *csvWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.w.Write(csvHeader)
}

func (c *csvWriter) Finding(raw *finding.Finding) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	f := withRuleTextsEscaped(raw)
	line, port := "", ""
	if f.Line > 0 {
		line = strconv.FormatInt(f.Line, 10)
	}
	if f.DestinationPort > 0 {
		port = strconv.Itoa(f.DestinationPort)
	}
	row := []string{f.Level, f.Rule, Slug(raw.Title), f.Title, f.Category, f.RSIT, strings.Join(f.Advisories, " "),
		f.File, line, f.Time, f.SourceIP, f.DestinationIP, port, f.Protocol, f.Artifact, f.Excerpt}
	for i := range row {
		row[i] = cell(row[i])
	}
	return c.w.Write(row)
}

func (c *csvWriter) Finish(any, func(io.Writer) error) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}
