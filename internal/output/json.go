package output

import (
	"encoding/json"
	"io"

	"github.com/keikai-project/keikai/internal/finding"
)

// jsonWriter writes {"findings": [...], "summary": {...}} as it goes.
type jsonWriter struct {
	w           io.Writer
	summaryOnly bool
	n           int
	started     bool
	rules       ruleCache
	buf         []byte
}

func (j *jsonWriter) start() error {
	if j.started {
		return nil
	}
	j.started = true
	_, err := io.WriteString(j.w, `{"findings":[`)
	return err
}

func (j *jsonWriter) Finding(f *finding.Finding) error {
	if j.summaryOnly {
		return nil
	}
	if err := j.start(); err != nil {
		return err
	}
	b := j.buf[:0]
	if j.n > 0 {
		b = append(b, ',')
	}
	b, err := appendFindingJSON(append(b, '\n'), f, j.rules.texts(f))
	j.buf = b
	if err != nil {
		return err
	}
	j.n++
	_, err = j.w.Write(b)
	return err
}

func (j *jsonWriter) Finish(summary any, _ func(io.Writer) error) error {
	if err := j.start(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(summary, "", "  ")
	if err != nil {
		return err
	}
	if j.n > 0 {
		_, err = io.WriteString(j.w, "\n")
		if err != nil {
			return err
		}
	}
	if _, err := io.WriteString(j.w, "],\n\"summary\": "); err != nil {
		return err
	}
	if _, err := j.w.Write(b); err != nil {
		return err
	}
	_, err = io.WriteString(j.w, "}\n")
	return err
}
