package logs

import "github.com/keikai-project/keikai/internal/event"

// ReportLine resets e to one line of a report's prose (a subject, a description, a line of a mail
// body that is not a log record): the whole line, without its line ending, is the Message, which
// rules with logsource product: keikai, service: report read.
func ReportLine(line []byte, e *event.Event) {
	e.Reset(line)
	e.Format = event.FormatReport
	e.Set(event.Message, trimCR(line))
}
