package journal

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// IsExport reports whether head starts journalctl's export format ("journalctl -o export"):
// records of FIELD=value lines that start with the cursor or the realtime timestamp.
func IsExport(head []byte) bool {
	return bytes.HasPrefix(head, []byte("__CURSOR=")) || bytes.HasPrefix(head, []byte("__REALTIME_TIMESTAMP="))
}

// LooksJSON reports whether head may start journalctl's JSON output ("-o json", one object a
// line). Its fields come in no fixed order, so whether a line is a journal entry is decided per
// line, by NewJSONLines.
func LooksJSON(head []byte) bool { return bytes.HasPrefix(head, []byte(`{"`)) }

// maxTextLine bounds one line of JSON or one text field of the export format.
const maxTextLine = 16 << 20

// lineReader turns records read by next into newline-terminated log lines.
type lineReader struct {
	br   *bufio.Reader
	next func(l *lineReader) error // appends one line (with '\n') to out, or returns io.EOF
	out  []byte
	pos  int
	err  error
	e    Entry
	buf  []byte
}

func (l *lineReader) Read(p []byte) (int, error) {
	for l.pos == len(l.out) {
		if l.err != nil {
			return 0, l.err
		}
		l.out, l.pos = l.out[:0], 0
		l.err = l.next(l)
	}
	n := copy(p, l.out[l.pos:])
	l.pos += n
	return n, nil
}

// readLine returns the next line without its '\n'; a line longer than maxTextLine is an error.
func (l *lineReader) readLine() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		frag, err := l.br.ReadSlice('\n')
		l.buf = append(l.buf, frag...)
		if len(l.buf) > maxTextLine {
			return nil, fmt.Errorf("journal text line longer than %d bytes", maxTextLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(l.buf) > 0 {
			return l.buf, nil
		}
		if err != nil {
			return nil, err
		}
		return l.buf[:len(l.buf)-1], nil
	}
}

// NewExportLines reads journalctl's export format from r and yields one log line per record.
// Binary fields (name, newline, 64-bit little-endian length, bytes, newline) are read as such.
func NewExportLines(r io.Reader) io.Reader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), next: nextExport}
}

func nextExport(l *lineReader) error {
	l.e.reset()
	fields := 0
	var vals []byte // the record's wanted values, copied: readLine reuses its buffer
	type kv struct {
		name       string
		start, end int
	}
	var kept []kv
	for {
		line, err := l.readLine()
		if err == io.EOF {
			if fields == 0 {
				return io.EOF
			}
			break
		}
		if err != nil {
			return err
		}
		if len(line) == 0 {
			if fields == 0 {
				continue
			}
			break
		}
		fields++
		name, value := line, []byte(nil)
		if eq := bytes.IndexByte(line, '='); eq >= 0 {
			name, value = line[:eq], line[eq+1:]
		} else {
			var size [8]byte
			if _, err := io.ReadFull(l.br, size[:]); err != nil {
				return fmt.Errorf("export format: binary field %q: %w", name, unexpected(err))
			}
			n := binary.LittleEndian.Uint64(size[:])
			if n > maxPayload {
				return fmt.Errorf("export format: binary field %q of %d bytes", name, n)
			}
			name = append([]byte(nil), name...)
			value = make([]byte, n+1)
			if _, err := io.ReadFull(l.br, value); err != nil {
				return fmt.Errorf("export format: binary field %q: %w", name, unexpected(err))
			}
			value = value[:n] // the byte after the data is its newline
		}
		if string(name) == "__REALTIME_TIMESTAMP" || wanted(append(append([]byte(nil), name...), '=')) {
			start := len(vals)
			vals = append(vals, value...)
			kept = append(kept, kv{string(name), start, len(vals)})
		}
	}
	for _, k := range kept {
		l.e.set([]byte(k.name), vals[k.start:k.end])
	}
	l.out = append(AppendLine(l.out, &l.e), '\n')
	return nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// NewJSONLines reads journalctl's JSON output (one object a line) from r and yields one log line
// per object; a line that is not a journal entry (no __REALTIME_TIMESTAMP) is passed through
// unchanged.
func NewJSONLines(r io.Reader) io.Reader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), next: nextJSON}
}

func nextJSON(l *lineReader) error {
	line, err := l.readLine()
	if err != nil {
		return err
	}
	if e, ok := parseJSONEntry(line); ok {
		l.out = append(AppendLine(l.out, e), '\n')
	} else {
		l.out = append(append(l.out, line...), '\n')
	}
	return nil
}

// parseJSONEntry decodes one "journalctl -o json" object. Field values are strings, arrays of
// byte values (non-UTF-8 data), arrays of either (a field given more than once: the first counts)
// or null (too large to show).
func parseJSONEntry(line []byte) (*Entry, bool) {
	if len(line) == 0 || line[0] != '{' || !bytes.Contains(line, []byte(`"__REALTIME_TIMESTAMP":`)) {
		return nil, false
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(line, &obj) != nil {
		return nil, false
	}
	e := &Entry{}
	found := false
	for _, name := range [...]string{"__REALTIME_TIMESTAMP", "MESSAGE", "_HOSTNAME", "SYSLOG_IDENTIFIER", "_COMM", "_PID", "SYSLOG_PID"} {
		raw, ok := obj[name]
		if !ok {
			continue
		}
		if v, ok := jsonValue(raw); ok {
			e.set([]byte(name), v)
			found = true
		}
	}
	return e, found
}

func jsonValue(raw json.RawMessage) ([]byte, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []byte(s), true
	}
	var bytesValue []byte
	var nums []int
	if json.Unmarshal(raw, &nums) == nil {
		for _, n := range nums {
			if n < 0 || n > 255 {
				return nil, false
			}
			bytesValue = append(bytesValue, byte(n))
		}
		return bytesValue, true
	}
	var many []json.RawMessage
	if json.Unmarshal(raw, &many) == nil && len(many) > 0 {
		return jsonValue(many[0])
	}
	return nil, false
}
