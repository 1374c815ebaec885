package input

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/keikai-project/keikai/internal/journal"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// gzipMagic starts every gzip member; detection is by content because rotated logs are often
// compressed without a .gz suffix, and a .gz file may be plain text.
var gzipMagic = []byte{0x1f, 0x8b}

// Other compressors' magic numbers; all are decoded in pure Go.
var (
	bzip2Magic = []byte("BZh")
	xzMagic    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	zstdMagic  = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// sniffHead is how many bytes are read before choosing how to decode a source: enough for every
// compressor's magic and the start of journalctl's export format.
const sniffHead = 32

// isBzip2 checks the stream header "BZh" + block size digit + the block or end-of-stream magic.
func isBzip2(head []byte) bool {
	if len(head) < 10 || !bytes.HasPrefix(head, bzip2Magic) || head[3] < '1' || head[3] > '9' {
		return false
	}
	block := head[4:10]
	return bytes.Equal(block, []byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59}) || bytes.Equal(block, []byte{0x17, 0x72, 0x45, 0x38, 0x50, 0x90})
}

// gzipReadBuffer is how much compressed input is read at once; large reads keep syscalls rare.
const gzipReadBuffer = 256 << 10

// Run reads the sources in order and sends their chunks to out, numbered 0, 1, 2, ... across all
// sources; it closes out when done or when ctx is cancelled. Every source yields exactly one chunk
// with Last set, also one that could not be opened, so consumers can count sources as they end.
// progress, if not nil, is called with the number of bytes just consumed from the underlying file
// (compressed bytes for gzip). Run waits for Release when all buffers are in flight.
func (r *Reader) Run(ctx context.Context, sources []*Source, out chan<- *Chunk, warn func(Warning), progress func(n int64)) {
	defer close(out)
	if warn == nil {
		warn = func(Warning) {}
	}
	if progress == nil {
		progress = func(int64) {}
	}
	var seq int64
	for _, src := range sources {
		if src == nil {
			continue
		}
		if r.runSource(ctx, src, &seq, out, warn, progress) != nil {
			return // only cancellation stops Run; problems with one source are warnings
		}
	}
}

func (r *Reader) runSource(ctx context.Context, src *Source, seq *int64, out chan<- *Chunk, warn func(Warning), progress func(int64)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s := &splitter{r: r, ctx: ctx, out: out, warn: warn, src: src, seq: seq, firstLine: 1}
	body, closeBody, err := r.open(ctx, src)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		warn(openWarning(src.Name, err))
		return s.emit(nil, true)
	}
	defer closeBody()
	if err := s.begin(); err != nil {
		return err
	}
	counted := &countingReader{r: body, progress: progress}

	// Read enough to see a compressor's magic even from a pipe that delivers a byte at a time;
	// a shorter input is simply a short text. The head is read into the first chunk, like every
	// later read, so plain text (nearly every source) needs no buffer of its own and no copy;
	// only a chunk too small for the magic numbers needs one.
	need := min(sniffHead, r.readSize)
	head := s.readSpace()
	if len(head) < need {
		head = make([]byte, r.readSize)
	}
	n, err := io.ReadAtLeast(counted, head, need)
	head = head[:n]
	short := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
	if err != nil && !short {
		if err := s.feed(head); err != nil {
			return err
		}
		return s.readFailed(ctx, err)
	}
	var stream io.Reader = counted
	// A decoder reads the head again while its output is read into the chunk over the head.
	whole := func() io.Reader { return io.MultiReader(bytes.NewReader(bytes.Clone(head)), counted) }
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		src.Compressed = true
		s.codec = "gzip"
		zr, err := gzip.NewReader(bufio.NewReaderSize(whole(), gzipReadBuffer))
		if err != nil {
			return s.readFailed(ctx, err)
		}
		stream = zr
	case isBzip2(head):
		src.Compressed = true
		s.codec = "bzip2"
		stream = bzip2.NewReader(bufio.NewReaderSize(whole(), gzipReadBuffer))
	case bytes.HasPrefix(head, xzMagic):
		src.Compressed = true
		s.codec = "xz"
		if dict, ok := xzDictSize(head); ok && dict > xzMaxDict {
			err := fmt.Errorf("xz dictionary of %d MiB", dict>>20)
			s.warn(Warning{File: src.Name, Msg: fmt.Sprintf("compressed with an xz dictionary of %d MiB, more than keikai allocates (%d MiB); decompress it first: xz -dc FILE | keikai analyze -", dict>>20, xzMaxDict>>20),
				MsgJa: fmt.Sprintf("xz の辞書が %d MiB あり、keikai が割り当てる上限 (%d MiB) を超えています。先に展開してください: xz -dc FILE | keikai analyze -", dict>>20, xzMaxDict>>20), Err: err})
			return s.finish()
		}
		zr, err := xz.NewReader(bufio.NewReaderSize(whole(), gzipReadBuffer))
		if err != nil {
			return s.readFailed(ctx, err)
		}
		stream = zr
	case bytes.HasPrefix(head, zstdMagic):
		src.Compressed = true
		s.codec = "zstd"
		zr, err := zstd.NewReader(bufio.NewReaderSize(whole(), gzipReadBuffer),
			zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(zstdMaxWindow))
		if err != nil {
			return s.readFailed(ctx, err)
		}
		defer zr.Close()
		stream = zr
	case journal.IsFile(head):
		return s.readJournalFile(ctx, body, head, progress)
	case journal.IsExport(head):
		s.codec = "journal export"
		stream = journal.NewExportLines(whole())
	case journal.LooksJSON(head):
		stream = journal.NewJSONLines(whole())
	default:
		src.Tail = readTail(body, head, short)
		if err := s.feed(head); err != nil {
			return err
		}
		if short {
			return s.finish()
		}
	}
	if src.Compressed {
		stream = &expansionWatch{r: stream, compressed: counted, warn: s.warn, src: src}
	}
	if err := s.copyFrom(ctx, stream); err != nil {
		return s.readFailed(ctx, err)
	}
	return s.finish()
}

// copyFrom feeds everything stream yields; it returns the first read or feed error. It reads
// straight into the free end of the chunk being built, where feed finds the bytes already in place
// and need not copy them (only a line cut for length or carried to the next chunk moves).
func (s *splitter) copyFrom(ctx context.Context, stream io.Reader) error {
	idle := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		buf := s.readSpace()
		n, err := stream.Read(buf)
		if n < 0 || n > len(buf) {
			return errBadRead
		}
		if n > 0 {
			idle = 0
			if err := s.feed(buf[:n]); err != nil {
				return err
			}
		} else if idle++; idle > maxEmptyReads && err == nil {
			return io.ErrNoProgress // a broken reader that returns nothing forever
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readFailed reports a read or decompression error once and ends the source with the lines read so
// far. Cancellation is not a problem with the input and is passed on instead.
func (s *splitter) readFailed(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var problem, problemJa string
	r := why(err)
	switch {
	case s.codec != "" && errors.Is(err, io.ErrUnexpectedEOF):
		problem = s.codec + " data ends early (truncated file?)"
		problemJa = s.codec + " のデータが途中で終わっています (ファイルが切れている?)"
	case s.codec == "gzip" && !isCorruptGzip(err), s.codec == "":
		problem = fmt.Sprintf("read error (%s)", r.En)
		problemJa = fmt.Sprintf("読み取りエラー (%s)", r.Ja)
	default:
		problem = fmt.Sprintf("corrupt %s data (%s)", s.codec, r.En)
		problemJa = fmt.Sprintf("%s のデータが壊れています (%s)", s.codec, r.Ja)
	}
	line := s.linesSoFar()
	msg, msgJa := problem+"; nothing of it could be analysed", problemJa+"。何も解析できませんでした"
	if line > 0 {
		msg, msgJa = problem+"; the lines up to here were analysed, the rest was skipped", problemJa+"。ここまでの行は解析し、残りは読み飛ばしました"
	}
	s.warn(Warning{File: s.src.Name, Line: line, Msg: msg, MsgJa: msgJa, Err: err})
	return s.finish()
}
