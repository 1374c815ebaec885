package output

import (
	"encoding/json"
	"io"

	"github.com/keikai-project/keikai/internal/finding"
)

// ndjsonWriter writes one finding per line and {"summary": {...}} as the last line.
type ndjsonWriter struct {
	w           io.Writer
	summaryOnly bool
	rules       ruleCache
	buf         []byte
}

func (n *ndjsonWriter) Finding(f *finding.Finding) error {
	if n.summaryOnly {
		return nil
	}
	b, err := appendFindingJSON(n.buf[:0], f, n.rules.texts(f))
	n.buf = append(b, '\n')
	if err != nil {
		return err
	}
	_, err = n.w.Write(n.buf)
	return err
}

func (n *ndjsonWriter) Finish(summary any, _ func(io.Writer) error) error {
	return writeLine(n.w, struct {
		Summary any `json:"summary"`
	}{summary})
}

func writeLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
