package input

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/keikai-project/keikai/internal/journal"
	"github.com/keikai-project/keikai/internal/reason"
)

const (
	// zstdMaxWindow bounds the memory a zstd frame may ask for; zstd's own command line tool
	// refuses windows above 128 MiB unless told otherwise, and logs are written with far less.
	zstdMaxWindow = 256 << 20
)

// readJournalFile feeds the entries of a systemd journal file as syslog lines. A journal file is
// read by offsets, so it must be a regular file; through a pipe the user is told how to export it.
func (s *splitter) readJournalFile(ctx context.Context, body io.Reader, head []byte, progress func(int64)) error {
	ra, isFile := body.(io.ReaderAt)
	statter, canStat := body.(interface{ Stat() (fs.FileInfo, error) })
	if !isFile || !canStat {
		s.warn(Warning{File: s.src.Name, Msg: "a systemd journal file cannot be read from a pipe; give its path, or pipe: journalctl -o export --file FILE | keikai analyze -",
			MsgJa: "systemd の journal ファイルはパイプからは読めません。パスを指定するか、次のようにパイプしてください: journalctl -o export --file FILE | keikai analyze -",
			Err:   errors.New("journal file on a stream")})
		return s.finish()
	}
	fi, err := statter.Stat()
	if err != nil {
		return s.readFailed(ctx, err)
	}
	jr, err := journal.Open(ra, fi.Size())
	if err != nil {
		r := reason.Text(err)
		s.warn(Warning{File: s.src.Name, Msg: "systemd journal file not read: " + r.En, MsgJa: "systemd の journal ファイルを読めませんでした: " + r.Ja, Err: err})
		return s.finish()
	}
	s.codec = "journal"
	reported := int64(len(head))
	var e journal.Entry
	var line []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := jr.Next(&e)
		if jr.Progress > reported {
			progress(jr.Progress - reported)
			reported = jr.Progress
		}
		if errors.Is(err, io.EOF) {
			return s.finish()
		}
		if err != nil {
			line := s.linesSoFar()
			r := why(err)
			s.warn(Warning{File: s.src.Name, Line: line, Msg: fmt.Sprintf("systemd journal: %s; the entries before it were analysed", r.En),
				MsgJa: fmt.Sprintf("systemd の journal: %s。それより前のエントリは解析しました", r.Ja), Err: err})
			return s.finish()
		}
		line = append(journal.AppendLine(line[:0], &e), '\n')
		if err := s.feed(line); err != nil {
			return err
		}
	}
}

// tailBytes is how much of the end of a file is kept in Source.Tail: enough for a few lines.
const tailBytes = 4 << 10

// readTail returns the last bytes of a regular file without moving its read offset; for a file
// shorter than the head already read, the head itself. Streams and unreadable tails give nil.
func readTail(body io.Reader, head []byte, short bool) []byte {
	if short {
		return bytes.Clone(head)
	}
	ra, isFile := body.(io.ReaderAt)
	statter, canStat := body.(interface{ Stat() (fs.FileInfo, error) })
	if !isFile || !canStat {
		return nil
	}
	fi, err := statter.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	n := min(fi.Size(), tailBytes)
	tail := make([]byte, n)
	if got, _ := ra.ReadAt(tail, fi.Size()-n); int64(got) != n {
		return nil
	}
	return tail
}

// xzMaxDict bounds the dictionary an xz stream may make the decoder allocate: xz -9 uses 64 MiB,
// and the format allows up to 4 GiB, which a hostile file of a few bytes can claim.
const xzMaxDict = 128 << 20

// xzDictSize reads the LZMA2 dictionary size from the first block header of an xz stream, when
// head holds it (the .xz format: a 12-byte stream header, then the block header with its filter
// flags). Later blocks of a multi-block file are not looked at.
func xzDictSize(head []byte) (int64, bool) {
	const streamHeader = 12
	if len(head) < streamHeader+2 || head[streamHeader] == 0 {
		return 0, false // no block: an empty stream
	}
	p := streamHeader + 1
	flags := head[p]
	p++
	varint := func() (uint64, bool) {
		var v uint64
		for i := 0; i < 9 && p < len(head); i++ {
			b := head[p]
			p++
			v |= uint64(b&0x7f) << (7 * i)
			if b&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	for _, present := range []byte{0x40, 0x80} { // compressed and uncompressed size
		if flags&present != 0 {
			if _, ok := varint(); !ok {
				return 0, false
			}
		}
	}
	for range int(flags&3) + 1 {
		id, ok1 := varint()
		size, ok2 := varint()
		if !ok1 || !ok2 || p+int(size) > len(head) {
			return 0, false
		}
		if id == 0x21 && size == 1 { // LZMA2: one property byte, the dictionary size code
			code := head[p]
			if code > 40 {
				return 0, false
			}
			if code == 40 {
				return 1<<32 - 1, true
			}
			return int64(2|code&1) << (code/2 + 11), true
		}
		p += int(size)
	}
	return 0, false
}
