// Package mailbox reads mail collected elsewhere, mbox files and maildir folders, one message at a
// time, and imports it as reports (Import*). Reading streams: an mbox of any size is read line by
// line and only the current message is held in memory.
//
// # mbox variants
//
// An mbox is a file of messages, each starting with a "From " line (From_ line). A body line that
// begins with "From " would look like the start of a message, so writers quote it:
//
//   - mboxo (classic sendmail mail.local, procmail) writes "From " as ">From " and leaves ">From "
//     alone, so a body line that really was ">From " cannot be told apart when reading.
//   - mboxrd (qmail, mutt, Python's mailbox, most writers since 1995) adds a ">" to every line
//     matching ^>*From , so reading removes one ">" from every line matching ^>+From .
//
// The two readings differ only on lines that start with two or more ">" before "From ". Such lines
// are almost always an mboxrd writer's quoting of a ">From " line in a reply, and only rarely an
// mboxo file's original text, so the reader defaults to mboxrd and counts those lines
// (AmbiguousLines): when the count is not zero and the file is known to come from an mboxo writer,
// read it again with MboxO. Content-Length-delimited variants (mboxcl, mboxcl2) are read as
// mboxrd, which is right unless a body holds an unquoted From_ line after a blank line.
package mailbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sync"
)

// Format selects how quoted From_ lines are read.
type Format int

const (
	MboxRD Format = iota // remove one ">" from ^>+From  (the default; see the package comment)
	MboxO                // remove one ">" from ^>From  only
)

// ParseFormat reads "mboxrd" or "mboxo" (as a command-line flag gives it); "" is mboxrd.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "", "mboxrd":
		return MboxRD, nil
	case "mboxo":
		return MboxO, nil
	}
	return 0, fmt.Errorf("unknown mbox format %q: use mboxrd or mboxo", s)
}

// Message is one message read from a mailbox.
type Message struct {
	// FromLine is the mbox separator line without its line break; empty for maildir.
	FromLine string
	// Raw is the message as it was delivered: From_ line and the blank line that separates it
	// from the next message removed, quoted From lines unquoted, line breaks as in the file.
	Raw []byte
	// Offset is the byte offset of the From_ line in the mbox.
	Offset int64
	// Path and Info are the maildir file and its flags (the part after ":2,").
	Path string
	Info string
}

var (
	// ErrNotMbox is returned when the input does not start with a From_ line.
	ErrNotMbox = errors.New("not an mbox file: the first line is not a \"From \" line (for a single message, use a maildir or an mbox with a From_ line)")
	// ErrTooLarge is returned (wrapped, with the offset) for a message that exceeds the size
	// limit; the reader skips it and can go on with Next.
	ErrTooLarge = errors.New("message larger than the limit")
)

// fromLine matches a From_ line as delivery agents write it: "From sender date", where the date
// holds a clock time. Requiring the time keeps an unquoted "From here on..." in a body of a badly
// written mbox from splitting a message.
// Compiled on first use: package init is the start-up of every command.
var fromLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^From \S*.*\d\d?:\d\d`) })

// MboxReader reads messages from an mbox stream.
type MboxReader struct {
	r       *bufio.Reader
	format  Format
	maxSize int64
	offset  int64
	next    []byte // the From_ line that starts the next message, when already read
	nextOff int64
	started bool
	eof     bool
	long    []byte // a line longer than the read buffer, assembled
	// AmbiguousLines counts lines ^>>+From  read so far: they are where mboxo and mboxrd differ.
	AmbiguousLines int
}

// NewMboxReader reads r as an mbox in the given format; a message longer than maxSize bytes is
// skipped with ErrTooLarge (maxSize <= 0: 256 MiB).
func NewMboxReader(r io.Reader, format Format, maxSize int64) *MboxReader {
	if maxSize <= 0 {
		maxSize = 256 << 20
	}
	return &MboxReader{r: bufio.NewReaderSize(r, 64<<10), format: format, maxSize: maxSize}
}

// Next returns the next message, io.EOF after the last, ErrNotMbox when the input is not an
// mbox, and an error wrapping ErrTooLarge for a skipped message (Next may be called again).
func (m *MboxReader) Next() (*Message, error) {
	if !m.started {
		m.started = true
		line, err := m.readLine()
		if len(line) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		if !fromLine().Match(line) {
			return nil, ErrNotMbox
		}
		m.next, m.nextOff = bytes.Clone(line), 0
		m.eof = err == io.EOF
	}
	if m.next == nil {
		return nil, io.EOF
	}
	msg := &Message{FromLine: string(trimEOL(m.next)), Offset: m.nextOff}
	m.next = nil
	var buf bytes.Buffer
	tooLarge := false
	prevBlank := false
	for !m.eof {
		lineOff := m.offset
		line, err := m.readLine()
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("reading mbox at byte %d: %w", lineOff, err)
		}
		m.eof = err == io.EOF
		if len(line) == 0 {
			break
		}
		if prevBlank && bytes.HasPrefix(line, []byte("From ")) && fromLine().Match(line) {
			m.next, m.nextOff = bytes.Clone(line), lineOff
			break
		}
		prevBlank = len(trimEOL(line)) == 0
		line = m.unquote(line)
		if !tooLarge && int64(buf.Len()+len(line)) > m.maxSize {
			tooLarge = true
			buf = bytes.Buffer{}
		}
		if !tooLarge {
			buf.Write(line)
		}
	}
	if tooLarge {
		return nil, fmt.Errorf("mbox message at byte %d (%s): %w of %d bytes; skipped", msg.Offset, msg.FromLine, ErrTooLarge, m.maxSize)
	}
	msg.Raw = trimSeparator(buf.Bytes())
	return msg, nil
}

// readLine reads one line with its line break, however long it is. The line is valid until the
// next call.
func (m *MboxReader) readLine() ([]byte, error) {
	line, err := m.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		m.long = append(m.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = m.r.ReadSlice('\n')
			m.long = append(m.long, line...)
		}
		line = m.long
	}
	m.offset += int64(len(line))
	return line, err
}

func (m *MboxReader) unquote(line []byte) []byte {
	n := 0
	for n < len(line) && line[n] == '>' {
		n++
	}
	if n == 0 || !bytes.HasPrefix(line[n:], []byte("From ")) {
		return line
	}
	if n >= 2 {
		m.AmbiguousLines++
	}
	if m.format == MboxO && n != 1 {
		return line
	}
	return line[1:]
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// trimSeparator removes the blank line that the mbox writer put after the message.
func trimSeparator(b []byte) []byte {
	switch {
	case bytes.HasSuffix(b, []byte("\r\n\r\n")):
		return b[:len(b)-2]
	case bytes.HasSuffix(b, []byte("\n\n")):
		return b[:len(b)-1]
	}
	return b
}
