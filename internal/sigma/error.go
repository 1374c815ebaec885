package sigma

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is one problem found while loading rules, located in its file.
type Error struct {
	File   string
	Line   int
	Column int
	Rule   string // the rule's title, or its id when it has no title
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	fmt.Fprintf(&b, ":%d:%d: ", e.Line, e.Column)
	if e.Rule != "" {
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// errorList collects the errors of one file so that a user sees all of them at once.
type errorList struct {
	file string
	rule string
	errs []error
}

func (l *errorList) at(n *yaml.Node, format string, args ...any) {
	line, col := 0, 0
	if n != nil {
		line, col = n.Line, n.Column
	}
	l.atPos(line, col, format, args...)
}

func (l *errorList) atPos(line, col int, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Column: col, Rule: l.rule, Msg: fmt.Sprintf(format, args...)})
}

func (l *errorList) err() error { return errors.Join(l.errs...) }
