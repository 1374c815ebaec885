package input

import (
	"bytes"
	"context"
	"fmt"
)

// splitter cuts one source's byte stream into chunks of whole lines. It looks at the data in
// windows of at most maxLine bytes: a line that lies wholly inside a window is shorter than maxLine,
// so only the line crossing into a window (found with one IndexByte) and the line left open at its
// end (one LastIndexByte) need a length check. There is no per-line work.
type splitter struct {
	r    *Reader
	ctx  context.Context
	out  chan<- *Chunk
	warn func(Warning)
	src  *Source
	seq  *int64
	// codec names the decoder in use ("gzip", "bzip2", "xz", "zstd", "journal export"), for its
	// error messages; empty for plain text.
	codec string

	cur       []byte // chunk being built, from the pool
	firstLine int64  // line number of cur's first line
	lineStart int    // offset in cur where the current, still open line starts
	long      []LongLine
	skipping  bool  // the open line exceeded maxLine: its first maxLine bytes are kept, the rest dropped
	lineLen   int64 // original length of the open line so far, while skipping
	longCount int   // long lines in this source, to cap the warnings
	sniffed   int   // bytes checked for NUL so far
	carry     []byte
}

func (s *splitter) begin() error {
	b, err := s.r.acquire(s.ctx)
	if err != nil {
		return err
	}
	s.cur, s.firstLine = b, 1
	return nil
}

// feed appends p to the source's stream, handing full chunks to out.
func (s *splitter) feed(p []byte) error {
	s.sniff(p)
	maxLine := s.r.maxLine
	for len(p) > 0 {
		if s.skipping {
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				s.lineLen += int64(len(p))
				return nil
			}
			s.lineLen += int64(i)
			s.endLongLine()
			s.cur = append(s.cur, '\n')
			s.lineStart = len(s.cur)
			p = p[i+1:]
			if err := s.maybeEmit(); err != nil {
				return err
			}
			continue
		}
		open := len(s.cur) - s.lineStart
		room := s.r.chunkSize - len(s.cur)
		if room <= 0 {
			room = maxLine // cur is one open line longer than a chunk; only maxLine bounds it
		}
		w := p[:min(len(p), maxLine, room)]
		first := bytes.IndexByte(w, '\n')
		switch {
		case first < 0 && open+len(w) > maxLine:
			s.startLongLine(w[:maxLine-open], int64(open+len(w)))
			p = p[len(w):]
		case first < 0:
			s.put(w)
			p = p[len(w):]
		case open+first > maxLine:
			s.startLongLine(w[:maxLine-open], int64(open+first))
			p = p[first:] // the '\n' is consumed in skipping mode, which records the line
		default:
			w = s.put(w)
			s.lineStart = len(s.cur) - (len(w) - 1 - bytes.LastIndexByte(w, '\n'))
			p = p[len(w):]
		}
		if err := s.maybeEmit(); err != nil {
			return err
		}
	}
	return nil
}

// readSpace is where the next read goes: the free end of the chunk being built, up to where the
// chunk is full (feed's window then ends there too, so the bytes are taken in place), at most
// readSize bytes.
func (s *splitter) readSpace() []byte {
	room := s.r.chunkSize - len(s.cur)
	if room <= 0 {
		room = s.r.maxLine // an open line longer than a chunk: feed takes up to maxLine of it
	}
	return s.cur[len(s.cur):min(cap(s.cur), len(s.cur)+min(room, s.r.readSize))]
}

// put appends p to the chunk being built and returns where it now lies there; p read into
// readSpace is there already. p may overlap the free end of the chunk (bytes after a cut line
// move down), so only the returned copy may be looked at afterwards.
func (s *splitter) put(p []byte) []byte {
	n := len(s.cur)
	if len(p) > 0 && len(p) <= cap(s.cur)-n && &s.cur[n : n+1][0] == &p[0] {
		s.cur = s.cur[:n+len(p)]
	} else {
		s.cur = append(s.cur, p...)
	}
	return s.cur[n:]
}

// startLongLine keeps the first maxLine bytes of the open line and drops the rest up to '\n'.
func (s *splitter) startLongLine(keep []byte, seen int64) {
	s.put(keep)
	s.skipping, s.lineLen = true, seen
}

func (s *splitter) endLongLine() {
	line := s.firstLine + s.lines()
	s.long = append(s.long, LongLine{Line: line, Length: s.lineLen})
	s.skipping = false
	s.longCount++
	if s.longCount <= maxLongLineWarnings {
		s.warn(Warning{File: s.src.Name, Line: line, Msg: fmt.Sprintf(
			"line %d is %d bytes; only the first %d bytes were analysed", line, s.lineLen, s.r.maxLine),
			MsgJa: fmt.Sprintf("%d 行目が %d バイトあります。先頭の %d バイトだけを解析しました", line, s.lineLen, s.r.maxLine)})
	}
}

func (s *splitter) sniff(p []byte) {
	if s.sniffed >= binarySniffBytes {
		return
	}
	n := min(len(p), binarySniffBytes-s.sniffed)
	s.sniffed += n
	if bytes.IndexByte(p[:n], 0) >= 0 {
		s.sniffed = binarySniffBytes
		s.warn(Warning{File: s.src.Name, Msg: "looks binary (NUL bytes); analysed as text",
			MsgJa: "バイナリのようです (NUL バイトを含む)。テキストとして解析しました"})
	}
}

// maybeEmit hands over the complete lines once the chunk is full. The open line moves to the next
// buffer; it is at most maxLine bytes, so a chunk never grows past the pool's buffer size.
func (s *splitter) maybeEmit() error {
	if len(s.cur) < s.r.chunkSize || s.lineStart == 0 {
		return nil
	}
	s.carry = append(s.carry[:0], s.cur[s.lineStart:]...)
	if err := s.emit(s.cur[:s.lineStart], false); err != nil {
		return err
	}
	b, err := s.r.acquire(s.ctx)
	if err != nil {
		return err
	}
	s.cur = append(b, s.carry...)
	s.lineStart = 0
	return nil
}

// finish ends the source: the open line (without '\n') is a line, and the Last chunk is sent.
func (s *splitter) finish() error {
	if s.skipping {
		s.endLongLine()
	}
	if extra := s.longCount - maxLongLineWarnings; extra > 0 {
		s.warn(Warning{File: s.src.Name, Msg: fmt.Sprintf(
			"%d more lines were longer than %d bytes and were cut to their first %d bytes",
			extra, s.r.maxLine, s.r.maxLine),
			MsgJa: fmt.Sprintf("ほかに %d 行が %d バイトを超えていたため、先頭の %d バイトに切り詰めました", extra, s.r.maxLine, s.r.maxLine)})
	}
	return s.emit(s.cur, true)
}

// linesSoFar is the number of the last line delivered or being delivered, for warnings.
func (s *splitter) linesSoFar() int64 {
	n := s.firstLine + s.lines() - 1
	if len(s.cur) > s.lineStart {
		n++
	}
	return n
}

// lines counts the complete lines in cur, which only warnings need: emit counts a chunk's lines
// as it finds their ends.
func (s *splitter) lines() int64 {
	return int64(bytes.Count(s.cur[:s.lineStart], []byte{'\n'}))
}

func (s *splitter) emit(data []byte, last bool) error {
	ends, newlines := s.r.lineEnds(data)
	c := &Chunk{
		Seq:       *s.seq,
		Source:    s.src,
		FirstLine: s.firstLine,
		Data:      data[:len(data):len(data)], // a consumer's append must not overwrite the carry
		Long:      s.long,
		Last:      last,
		Ends:      ends,
		buf:       s.cur,
	}
	s.cur = nil
	*s.seq++
	s.firstLine += newlines
	s.long = nil
	select {
	case s.out <- c:
		return nil
	case <-s.ctx.Done():
		s.r.Release(c)
		return s.ctx.Err()
	}
}
