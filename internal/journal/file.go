package journal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/keikai-project/keikai/internal/reason"
)

// Magic starts every journal file.
const Magic = "LPKSHHRH"

// IsFile reports whether head (the first bytes of an input) is a journal file's signature.
func IsFile(head []byte) bool { return bytes.HasPrefix(head, []byte(Magic)) }

// ErrCorrupt is wrapped by errors about a damaged or truncated journal file.
var ErrCorrupt = reason.New("journal file is damaged or truncated", "journal ファイルが壊れているか途中で切れています")

// Header incompatible flags, from systemd's file format description.
const (
	flagCompressedXZ   = 1 << 0
	flagCompressedLZ4  = 1 << 1
	flagKeyedHash      = 1 << 2
	flagCompressedZstd = 1 << 3
	flagCompact        = 1 << 4
	knownIncompatible  = flagCompressedXZ | flagCompressedLZ4 | flagKeyedHash | flagCompressedZstd | flagCompact
)

// Object types and DATA object compression flags.
const (
	objectData  = 1
	objectEntry = 3
	objectTag   = 7

	objectCompressedXZ   = 1 << 0
	objectCompressedLZ4  = 1 << 1
	objectCompressedZstd = 1 << 2
)

const (
	minHeaderSize     = 208 // the header up to tail_entry_monotonic, as the oldest readable files have it
	objectHeaderSize  = 16
	entryItemsAt      = 64
	dataPayloadAt     = 64
	dataPayloadAtCmpt = 72
	// maxPayload bounds one field after decompression; systemd itself caps fields far lower.
	maxPayload = 64 << 20
)

// Reader walks one journal file's entries. It reads through a small page cache, so memory stays
// bounded whatever the file's size.
type Reader struct {
	src     *pageCache
	size    int64
	compact bool
	off     int64 // next object to look at
	end     int64 // end of the objects (header_size + arena_size, within the file)
	// Progress is the offset up to which the file has been read; callers report it.
	Progress int64
	scratch  []byte
}

// Open checks the header of the journal file behind ra (size bytes long).
func Open(ra io.ReaderAt, size int64) (*Reader, error) {
	var h [minHeaderSize]byte
	if size < minHeaderSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than a journal header", ErrCorrupt, size)
	}
	if _, err := ra.ReadAt(h[:], 0); err != nil {
		return nil, fmt.Errorf("read journal header: %w", err)
	}
	if !IsFile(h[:]) {
		return nil, fmt.Errorf("%w: no journal signature", ErrCorrupt)
	}
	incompatible := binary.LittleEndian.Uint32(h[12:])
	if unknown := incompatible &^ knownIncompatible; unknown != 0 {
		return nil, reason.New(
			fmt.Sprintf("journal file uses features newer than keikai reads (incompatible flags %#x); export it with journalctl -o export --file FILE | keikai analyze -", unknown),
			fmt.Sprintf("journal ファイルが keikai の読めない新しい機能を使っています (incompatible flags %#x)。次のようにエクスポートしてください: journalctl -o export --file FILE | keikai analyze -", unknown))
	}
	headerSize := int64(binary.LittleEndian.Uint64(h[88:]))
	arenaSize := int64(binary.LittleEndian.Uint64(h[96:]))
	if headerSize < minHeaderSize || headerSize > size || headerSize%8 != 0 {
		return nil, fmt.Errorf("%w: header size %d", ErrCorrupt, headerSize)
	}
	end := size
	if arenaSize >= 0 && arenaSize <= size-headerSize {
		end = headerSize + arenaSize
	}
	return &Reader{
		src:     newPageCache(ra, size),
		size:    size,
		compact: incompatible&flagCompact != 0,
		off:     headerSize,
		end:     end,
	}, nil
}

// Entry is the part of a journal entry that becomes a log line. Field values are only valid until
// the next call to Next.
type Entry struct {
	Realtime   int64 // microseconds since the Unix epoch
	Hostname   []byte
	Identifier []byte // SYSLOG_IDENTIFIER
	Comm       []byte // _COMM
	PID        []byte // _PID
	SyslogPID  []byte // SYSLOG_PID
	Message    []byte
}

func (e *Entry) reset() { *e = Entry{} }

// set records one "FIELD=value" payload when it is a field the line needs.
func (e *Entry) set(name, value []byte) {
	switch string(name) {
	case "_HOSTNAME":
		e.Hostname = value
	case "SYSLOG_IDENTIFIER":
		e.Identifier = value
	case "_COMM":
		e.Comm = value
	case "_PID":
		e.PID = value
	case "SYSLOG_PID":
		e.SyslogPID = value
	case "MESSAGE":
		e.Message = value
	case "__REALTIME_TIMESTAMP":
		if v, ok := parseUint(value); ok {
			e.Realtime = int64(v)
		}
	}
}

// Next fills e with the next entry. It returns io.EOF after the last one, and an error wrapping
// ErrCorrupt when an object cannot be read (the entries before it were returned).
func (r *Reader) Next(e *Entry) error {
	for {
		if r.off+objectHeaderSize > r.end {
			r.Progress = r.size
			return io.EOF
		}
		hdr, err := r.src.slice(r.off, objectHeaderSize)
		if err != nil {
			return err
		}
		typ := hdr[0]
		size := int64(binary.LittleEndian.Uint64(hdr[8:]))
		if typ == 0 && size == 0 {
			// Space allocated but never written: the tail of a file that is still being written.
			r.Progress = r.size
			return io.EOF
		}
		if size < objectHeaderSize || size > r.end-r.off {
			return fmt.Errorf("%w: object at offset %d has size %d", ErrCorrupt, r.off, size)
		}
		at := r.off
		r.off += (size + 7) &^ 7
		r.Progress = r.off
		if typ != objectEntry {
			continue
		}
		if err := r.readEntry(at, size, e); err != nil {
			return err
		}
		return nil
	}
}

// readEntry decodes the ENTRY object at off.
func (r *Reader) readEntry(off, size int64, e *Entry) error {
	if size < entryItemsAt {
		return fmt.Errorf("%w: entry at offset %d is too short", ErrCorrupt, off)
	}
	fixed, err := r.src.slice(off+24, 8)
	if err != nil {
		return err
	}
	e.reset()
	e.Realtime = int64(binary.LittleEndian.Uint64(fixed))
	itemSize := int64(16)
	if r.compact {
		itemSize = 4
	}
	n := (size - entryItemsAt) / itemSize
	r.scratch = r.scratch[:0]
	for i := range n {
		item, err := r.src.slice(off+entryItemsAt+i*itemSize, int(itemSize))
		if err != nil {
			return err
		}
		var dataOff int64
		if r.compact {
			dataOff = int64(binary.LittleEndian.Uint32(item))
		} else {
			dataOff = int64(binary.LittleEndian.Uint64(item))
		}
		if err := r.readData(dataOff, e); err != nil {
			return err
		}
	}
	return nil
}

// readData decodes the DATA object at off into e. Values are copied into the reader's scratch
// space, because the page cache may reuse the pages they came from.
func (r *Reader) readData(off int64, e *Entry) error {
	if off <= 0 || off%8 != 0 || off+dataPayloadAt > r.end {
		return fmt.Errorf("%w: entry refers to data at offset %d", ErrCorrupt, off)
	}
	hdr, err := r.src.slice(off, objectHeaderSize)
	if err != nil {
		return err
	}
	typ, flags := hdr[0], hdr[1]
	size := int64(binary.LittleEndian.Uint64(hdr[8:]))
	payloadAt := int64(dataPayloadAt)
	if r.compact {
		payloadAt = dataPayloadAtCmpt
	}
	if typ != objectData || size < payloadAt || size > r.end-off || size-payloadAt > maxPayload {
		return fmt.Errorf("%w: object at offset %d is not a data object", ErrCorrupt, off)
	}
	n := int(size - payloadAt)
	// Only the fields a line needs are kept; an uncompressed payload is looked at by its name
	// first, so that the many other fields of an entry cost one small read each.
	if flags&(objectCompressedXZ|objectCompressedLZ4|objectCompressedZstd) == 0 {
		name, err := r.src.slice(off+payloadAt, min(n, 24))
		if err != nil {
			return err
		}
		if !wanted(name) {
			return nil
		}
	}
	payload, err := r.src.slice(off+payloadAt, n)
	if err != nil {
		return err
	}
	if flags != 0 {
		payload, err = decompress(flags, payload)
		if err != nil {
			return fmt.Errorf("%w: data at offset %d: %v", ErrCorrupt, off, err)
		}
	}
	eq := bytes.IndexByte(payload, '=')
	if eq <= 0 || !wanted(payload) {
		return nil
	}
	// When append moves the buffer, values set earlier keep the old one alive: they stay valid.
	start := len(r.scratch)
	r.scratch = append(r.scratch, payload...)
	v := r.scratch[start:len(r.scratch):len(r.scratch)]
	e.set(v[:eq], v[eq+1:])
	return nil
}

// wanted reports whether a payload (or its first bytes) names a field that Entry keeps.
func wanted(p []byte) bool {
	for _, f := range [...]string{"MESSAGE=", "_HOSTNAME=", "SYSLOG_IDENTIFIER=", "_COMM=", "_PID=", "SYSLOG_PID="} {
		if bytes.HasPrefix(p, []byte(f)) {
			return true
		}
	}
	return false
}

func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}
