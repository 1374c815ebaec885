package input

import (
	"cmp"
	"strconv"
	"time"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/finding"
)

// Source is one input as planned: a file, a FIFO or character device named on the command line, or
// stdin.
type Source struct {
	Name       string    // path as given or joined with its directory; "-" is shown as "(stdin)"
	ModTime    time.Time // zero for stdin
	Size       int64     // -1 when unknown (stdin, FIFOs, devices)
	Compressed bool      // set by Run once the gzip magic is seen
	// Tail holds the last bytes of a plain-text regular file, read by Run before the file's first
	// chunk: its last timestamp dates the lines without a year (logs.Parser.SetReferenceFromEnd).
	// Nil for streams, compressed files and journals.
	Tail []byte

	path  string // what to open; Name is for people
	stdin bool
	// regular marks a source planned as a regular file; it is opened by handle (no-follow unless
	// follow, non-blocking, inside root when the Reader has one) and read only if the handle is
	// the very file planned (id), so nothing swapped in after planning is ever read.
	regular bool
	follow  bool
	id      string
}

// stdinName is how stdin appears in warnings and reports.
const stdinName = "(stdin)"

// LongLine records a line that was cut because it exceeded MaxLine.
type LongLine struct {
	Line   int64 // 1-based line number within its source
	Length int64 // total bytes of the original line, without its '\n'
}

// Chunk is a run of whole lines from one source.
type Chunk struct {
	Seq       int64 // global order across all sources of one Run: 0, 1, 2, ...
	Source    *Source
	FirstLine int64      // 1-based line number of the first line in Data
	Data      []byte     // whole lines separated by '\n'; the last line of a source may lack '\n'
	Long      []LongLine // lines in Data that were cut because they exceeded MaxLine
	Last      bool       // last chunk of its source; every source yields exactly one, possibly empty
	// Ends holds where each line of Data ends, as LineEnds finds them, so that the consumer
	// need not look; nil when the chunk has too many lines to record them.
	Ends []uint32

	buf []byte // the pooled buffer behind Data, returned by Release
}

// Warning is one problem with the input, reported once; the rest of the input is still read.
type Warning struct {
	File string
	Line int64 // 0 if not line-specific
	Msg  string
	// MsgJa is Msg in Japanese.
	MsgJa string
	Err   error // non-nil for I/O problems: unreadable, truncated or corrupt gzip, directory loop
}

// String renders "file:line: msg" or "file: msg". File names and messages are escaped because a
// hostile file name may carry terminal control sequences.
func (w Warning) String() string {
	s := escape.String(w.File)
	if w.Line > 0 {
		s += ":" + strconv.FormatInt(w.Line, 10)
	}
	return s + ": " + escape.String(w.Msg)
}

// Text is the warning's message in both languages.
func (w Warning) Text() finding.Text {
	return finding.Text{En: w.Msg, Ja: cmp.Or(w.MsgJa, w.Msg)}
}
