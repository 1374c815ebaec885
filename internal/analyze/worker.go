package analyze

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/bits"
	"slices"
	"strconv"
	"time"

	"github.com/keikai-project/keikai/internal/ascii"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/input"
	"github.com/keikai-project/keikai/internal/logs"
	"github.com/keikai-project/keikai/internal/topk"
)

// maxExcerpt is how many bytes of a line a finding quotes; longer lines are cut with a note.
const maxExcerpt = 2048

// worker parses and matches chunks on one goroutine and tallies what the summary counts.
type worker struct {
	eng     *engine.Engine
	opts    *Options
	parser  *logs.Parser
	match   *engine.Worker
	ev      event.Event
	matched []int
	ends    []uint32 // line ends of a chunk that came without them
	source  *input.Source
	tally   *tally
	// most is the largest of the results this worker filled: the next it fills are made that
	// large at once, rather than grown step by step, each step garbage.
	most resultSizes
}

// chunkResult is what one chunk produced, handed to the sequencer; it owns its memory because
// the chunk's buffer is reused as soon as the worker is done with it.
type chunkResult struct {
	seq      int64
	findings []*finding.Finding
	// batch holds the chunk's correlation observations, by hash.
	batch engine.Batch
	// findingsBefore[i] is how many findings precede batch.Obs[i] in line order, so that the
	// sequencer can interleave findings and correlation bursts as the lines had them; kept only
	// when findings are built.
	findingsBefore []int
	// sources holds the source addresses of the matching lines back to back, sourceRuns how many
	// lines in a row named each: the sequencer ranks them in input order, so that the ranking is
	// the same whichever worker read which chunk.
	sources    []byte
	sourceRuns []sourceRun
	lastStart  int // of the last run's address in sources
}

// sourceRun is a run of matching lines from one source: a scan or a flood is one counter update.
type sourceRun struct {
	end   int // of the address in sources
	lines int64
}

func (r *chunkResult) addSource(ip []byte) {
	if n := len(r.sourceRuns); n > 0 && bytes.Equal(r.sources[r.lastStart:], ip) {
		r.sourceRuns[n-1].lines++
		return
	}
	r.lastStart = len(r.sources)
	r.sources = append(r.sources, ip...)
	r.sourceRuns = append(r.sourceRuns, sourceRun{end: len(r.sources), lines: 1})
}

// resultPool recycles chunk results, with the capacity of their slices, between the workers and
// the sequencer. It holds a fixed number of them and keeps them across garbage collections (a
// sync.Pool, emptied by each, had every batch grow from empty again after it): a result grows
// once, to the size a chunk needs, and the heap, and with it the memory the process touches,
// stays as small as the results in flight.
type resultPool struct {
	free chan *chunkResult
}

func newResultPool(n int) *resultPool {
	p := &resultPool{free: make(chan *chunkResult, n)}
	for range n {
		p.free <- new(chunkResult)
	}
	return p
}

// get waits for a free result: a worker takes one before it takes a chunk, so that the chunk the
// sequencer waits for always has one, and the workers cannot run further ahead of the sequencer
// than the pool allows. Once ctx is done the sequencer hands none back, and get makes new ones.
func (p *resultPool) get(ctx context.Context) *chunkResult {
	select {
	case r := <-p.free:
		return r
	case <-ctx.Done():
		return new(chunkResult)
	}
}

// put hands r back for reuse.
func (p *resultPool) put(r *chunkResult) {
	select {
	case p.free <- r:
	default: // one made after cancellation, beyond the pool's size
	}
}

// reset empties r for the chunk seq of file, keeping the capacity of its slices.
func (r *chunkResult) reset(seq int64, file string) {
	r.seq = seq
	clear(r.findings)
	r.findings, r.findingsBefore = r.findings[:0], r.findingsBefore[:0]
	r.batch.Reset(file)
	r.sources, r.sourceRuns, r.lastStart = r.sources[:0], r.sourceRuns[:0], 0
}

func newWorker(eng *engine.Engine, opts *Options) *worker {
	parser := logs.NewParser(opts.Location)
	read := eng.FieldsRead()
	for _, f := range ownFields {
		read[f] = true
	}
	parser.SkipUnread(&read)
	return &worker{
		eng:    eng,
		opts:   opts,
		parser: parser,
		match:  eng.NewWorker(),
		tally:  newTally(len(eng.Rules)),
	}
}

// ownFields are the fields the worker reads besides the rules: for findings, the summary's
// rankings, and the prefilter's look at decoded URLs.
var ownFields = []event.Field{event.SourceIP, event.DestinationIP, event.DestinationPort, event.Protocol,
	event.Direction, event.ICMPType, event.URL, event.URLRaw, event.URLPath}

// resultSizes are the lengths of a result's slices.
type resultSizes struct {
	batch                                         engine.BatchSize
	findings, findingsBefore, sources, sourceRuns int
}

// note makes s the larger of s and r's sizes.
func (s *resultSizes) note(r *chunkResult) {
	s.batch = s.batch.Max(r.batch.Size())
	s.findings = max(s.findings, len(r.findings))
	s.findingsBefore = max(s.findingsBefore, len(r.findingsBefore))
	s.sources = max(s.sources, len(r.sources))
	s.sourceRuns = max(s.sourceRuns, len(r.sourceRuns))
}

// reserve makes room in the empty r for s.
func (r *chunkResult) reserve(s *resultSizes) {
	r.batch.Grow(s.batch)
	r.findings = slices.Grow(r.findings, s.findings)
	r.findingsBefore = slices.Grow(r.findingsBefore, s.findingsBefore)
	r.sources = slices.Grow(r.sources, s.sources)
	r.sourceRuns = slices.Grow(r.sourceRuns, s.sourceRuns)
}

// process fills res with what chunk c produced.
func (w *worker) process(c *input.Chunk, res *chunkResult) {
	if c.Source != w.source {
		w.source = c.Source
		w.parser.SetReference(reference(c.Source, w.opts))
		if c.Source.Tail != nil {
			w.parser.SetReferenceFromEnd(c.Source.Tail)
		}
	}
	res.reset(c.Seq, c.Source.Name)
	res.reserve(&w.most)
	defer w.most.note(res)
	w.tally.bytes += int64(len(c.Data))
	data, line := c.Data, c.FirstLine
	if c.Ends != nil {
		w.lines(data, 0, c.Ends, line, res)
		return
	}
	// A chunk of very many short lines comes without its line ends: they are found here, a
	// bounded number at a time.
	for start := 0; start < len(data); {
		from := start
		w.ends, start = input.LineEnds(w.ends[:0], data, from, maxEnds)
		line = w.lines(data, from, w.ends, line, res)
	}
}

// maxEnds bounds the line ends a worker finds at a time in a chunk that came without them.
const maxEnds = 4096

// lines parses, counts and matches the lines of data that end at ends, the first starting at
// start, numbered from line on, and returns the number of the line after them. It keeps what it
// uses per line in locals, and as few as it can: the calls would make the compiler load fields
// again for every line, and each value carried from line to line costs moves at every turn.
func (w *worker) lines(data []byte, start int, ends []uint32, line int64, res *chunkResult) int64 {
	t := w.tally
	parser, match, ev := w.parser, w.match, &w.ev
	for i, e := range ends {
		raw := data[start:e]
		start = int(e) + 1
		if n := len(raw); n > 0 && raw[n-1] == '\r' {
			raw = raw[:n-1]
		}
		parser.Parse(raw, ev)
		f := ev.Format
		t.formats[f]++
		if countsTraffic[f] {
			t.countTraffic(ev)
		}
		// w.matched is stored back only when it holds rules: Match reuses its array.
		if m := match.Match(ev, w.matched[:0]); len(m) > 0 {
			w.matched = m
			w.line(line+int64(i), res)
		}
	}
	t.lines += int64(len(ends))
	return line + int64(len(ends))
}

// countsTraffic says by format whether countTraffic counts its events: most lines are of other
// formats and skip the call.
var countsTraffic = func() (c [256]bool) {
	for f := range event.NumFormats {
		c[f] = event.Format(f).IsFirewall() || event.Format(f) == event.FormatWebAccess
	}
	return c
}()

// line handles a line that matched some rules (w.matched, as an event in w.ev): it counts and
// records the findings and passes the events to the correlations.
func (w *worker) line(line int64, res *chunkResult) {
	ev, t := &w.ev, w.tally
	if ip := ev.Get(event.SourceIP); len(ip) > 0 {
		res.addSource(ip)
	}
	// Locals, not fields: the calls below would make the compiler load the fields again for each
	// rule.
	eng, findings := w.eng, w.opts.Findings
	for _, ri := range w.matched {
		if eng.Generates(ri) {
			t.perRule[ri]++
			if findings {
				res.findings = append(res.findings, w.finding(ri, ev, w.source, line))
			}
		}
		for _, ci := range eng.CorrelationsOf(ri) {
			// Without findings, nothing is interleaved with the bursts (see sequencer.deliver).
			if eng.Add(&res.batch, ci, ev, line) && findings {
				res.findingsBefore = append(res.findingsBefore, len(res.findings))
			}
		}
	}
}

func (w *worker) finding(ri int, ev *event.Event, src *input.Source, line int64) *finding.Finding {
	f := engine.NewFinding(w.eng.Rules[ri])
	f.File, f.Line = escape.String(src.Name), line
	f.Time = FormatTime(ev.Time, w.opts.Location)
	f.Excerpt = Excerpt(ev.Raw)
	if v := ev.Get(event.SourceIP); len(v) > 0 {
		f.SourceIP = escape.Bytes(v)
	}
	if v := ev.Get(event.DestinationIP); len(v) > 0 {
		f.DestinationIP = escape.Bytes(v)
	}
	if p, ok := ev.Int(event.DestinationPort); ok && p <= 65535 {
		f.DestinationPort = int(p)
	}
	if v := ev.Get(event.Protocol); len(v) > 0 {
		f.Protocol = escape.Bytes(v)
	}
	return f
}

// Excerpt returns the escaped form of a log line as findings quote it, cut at maxExcerpt bytes.
func Excerpt(raw []byte) string {
	if len(raw) <= maxExcerpt {
		return escape.Bytes(raw)
	}
	b := escape.Append(nil, raw[:maxExcerpt])
	b = append(b, " …("...)
	b = strconv.AppendInt(b, int64(len(raw)-maxExcerpt), 10)
	b = append(b, " more bytes)"...)
	return string(b)
}

// FormatTime renders an event time as RFC 3339: in the offset the line stated, or else in loc.
func FormatTime(t event.Time, loc *time.Location) string {
	if !t.Known {
		return ""
	}
	tt := time.Unix(0, t.UnixNano)
	if t.Zoned {
		tt = tt.In(time.FixedZone("", int(t.Offset)))
	} else {
		tt = tt.In(loc)
	}
	if tt.Nanosecond() != 0 {
		return tt.Format(time.RFC3339Nano)
	}
	return tt.Format(time.RFC3339)
}

// reference is the instant against which a source's year-less timestamps are placed: its
// modification time, or now for standard input; --year moves it to the end of that year unless
// the file was last written in that year.
func reference(src *input.Source, opts *Options) time.Time {
	ref := src.ModTime
	if ref.IsZero() {
		ref = opts.Now()
	}
	if opts.Year != 0 && ref.Year() != opts.Year {
		ref = time.Date(opts.Year, time.December, 31, 23, 59, 59, 0, opts.Location)
	}
	return ref
}

// tally is one worker's share of the summary counts.
type tally struct {
	lines int64
	bytes int64
	// formats counts lines by format; indexed by any byte, so that counting needs no bounds
	// check (only the first NumFormats are ever counted).
	formats [256]int64
	tcp     portCounts
	udp     portCounts
	icmp    [256]int64
	cgi     *topk.Counter
	cgiKey  []byte // scratch for the normalised CGI program name
	perRule []int64
}

// merge adds o's counts to t.
func (t *tally) merge(o *tally) {
	t.lines += o.lines
	t.bytes += o.bytes
	for f, n := range o.formats {
		t.formats[f] += n
	}
	t.tcp.merge(&o.tcp)
	t.udp.merge(&o.udp)
	for i, n := range o.icmp {
		t.icmp[i] += n
	}
	t.cgi.Merge(o.cgi)
	for i, n := range o.perRule {
		t.perRule[i] += n
	}
}

// counterCapacity is how many distinct paths or sources each counter holds exactly; the tail
// beyond it goes through the counter's sketch.
const counterCapacity = 2048

func newTally(rules int) *tally {
	return &tally{
		cgi:     topk.New(counterCapacity),
		perRule: make([]int64, rules),
	}
}

// countTraffic counts what seed 002 ranks: ports and ICMP types probed (firewall events, inbound
// where the log says which way the packet went) and CGI programs requested. The values are
// compared with constant strings, which the compiler does inline.
func (t *tally) countTraffic(ev *event.Event) {
	switch {
	case ev.Format.IsFirewall():
		if string(ev.Get(event.Direction)) == "out" {
			return
		}
		switch string(ev.Get(event.Protocol)) {
		case "tcp":
			if p, ok := ev.Int(event.DestinationPort); ok && p < 65536 {
				t.tcp.add(uint16(p))
			}
		case "udp":
			if p, ok := ev.Int(event.DestinationPort); ok && p < 65536 {
				t.udp.add(uint16(p))
			}
		case "icmp":
			if p, ok := ev.Int(event.ICMPType); ok && p < 256 {
				t.icmp[p]++
			}
		}
	case ev.Format == event.FormatWebAccess:
		if key, ok := cgiProgram(ev.Get(event.URLPath), t.cgiKey[:0]); ok {
			t.cgiKey = key
			t.cgi.Add(key, 1)
		}
	}
}

// wormPrograms are the ISAPI and shell programs that the worms of seed 002's time requested;
// the ranking of probed programs shows them beside the CGI programs. Each is in lower case and
// ends in a letter (wormSuffix looks at the last byte first).
var wormPrograms = []string{"default.ida", "cmd.exe", "root.exe"}

// cgiProgram appends to dst the program a request path names, for seed 002's ranking of probed
// CGI programs, and reports whether it names one: "/cgi-bin/x.pl" for anything under a cgi-bin
// style directory, "/x.cgi" for a .cgi file elsewhere, "/cmd.exe" and the like for the worms'
// programs wherever they are. Scanners' spellings of one program fall together: empty
// segments and spaces around segments are dropped, a repeated directory counts once
// ("//cgi-bin//x.pl" and "/cgi-bin/ cgi-bin/x.pl" are "/cgi-bin/x.pl"), letters are made lower
// case and "\" separates like "/" (IIS). An absolute URL (a proxy request) names no program.
func cgiProgram(path, dst []byte) ([]byte, bool) {
	if len(path) == 0 || path[0] != '/' {
		return dst, false // "http://host/..." and "*" are not paths on this server
	}
	if !containsCGI(path) {
		w := wormSuffix(path)
		if w < 0 {
			return dst, false // most requests: decided without splitting the path
		}
		// No segment starts with "cgi-" or ends in ".cgi": only the last one, which ends in the
		// worm's program, can name one. Mostly it is the program's name alone ("/scripts/
		// root.exe"), which is what the key spells, in lower case.
		if prog := wormPrograms[w]; len(path) > len(prog) {
			if c := path[len(path)-len(prog)-1]; c == '/' || c == '\\' {
				return append(append(dst, '/'), prog...), true
			}
		}
		i := len(path) - 1
		for i >= 0 && path[i] != '/' && path[i] != '\\' {
			i--
		}
		last := bytes.TrimSpace(path[i+1:])
		if !isWormProgram(last) {
			return dst, false
		}
		dst = append(append(dst, '/'), last...)
		ascii.LowerInPlace(dst)
		return dst, true
	}
	var dir, prog, last []byte
	for rest := path; len(rest) > 0; {
		i := bytes.IndexAny(rest, "/\\")
		var seg []byte
		if i < 0 {
			seg, rest = rest, nil
		} else {
			seg, rest = rest[:i], rest[i+1:]
		}
		seg = bytes.TrimSpace(seg)
		if len(seg) == 0 || (len(seg) == 1 && seg[0] == '.') {
			continue
		}
		last = seg
		switch {
		case ascii.HasPrefixFold(seg, "cgi-"):
			dir, prog = seg, nil
		case dir != nil && prog == nil:
			prog = seg
		}
	}
	switch {
	case dir != nil:
		dst = append(append(dst, '/'), dir...)
		dst = append(dst, '/')
		dst = append(dst, prog...)
	case len(last) > len(".cgi") && ascii.HasSuffixFold(last, ".cgi") || isWormProgram(last):
		dst = append(append(dst, '/'), last...)
	default:
		return dst, false
	}
	ascii.LowerInPlace(dst)
	return dst, true
}

// wormSuffix returns the index in wormPrograms of the program path ends in, in any letter case,
// or -1.
func wormSuffix(path []byte) int {
	if len(path) == 0 {
		return -1
	}
	// Most paths end in none of the programs' last letters: one byte turns them down.
	last := path[len(path)-1] | 0x20
	if wormEnds>>(last&63)&1 == 0 {
		return -1
	}
	for i, w := range wormPrograms {
		if last == w[len(w)-1] && ascii.HasSuffixFold(path, w) {
			return i
		}
	}
	return -1
}

// wormEnds has bit c&63 set for the last byte c of each worm program.
var wormEnds = func() (m uint64) {
	for _, w := range wormPrograms {
		m |= 1 << (w[len(w)-1] & 63)
	}
	return m
}()

// containsCGI reports whether path contains "cgi" in any letter case, as ascii.IndexFold(path,
// "cgi") >= 0 does. It looks for the 'g' eight bytes at a time and reads the bytes on either side
// of each one flagged: most paths hold no 'g' at all, and few hold more than one.
func containsCGI(path []byte) bool {
	n := len(path)
	if n < 8 {
		if n < 4 {
			return n == 3 && path[0]|0x20 == 'c' && path[1]|0x20 == 'g' && path[2]|0x20 == 'i'
		}
		// Two four-byte loads that overlap make the path's bytes in place, zeros after them.
		w := uint64(binary.LittleEndian.Uint32(path)) | uint64(binary.LittleEndian.Uint32(path[n-4:]))<<(8*(n-4)&63)
		return cgiAround(path, 0, gBytes(w))
	}
	// Written with i <= n-8 and path[i:i+8], the loop lets the compiler prove every bound: it
	// checks none.
	i := 0
	for ; i <= n-8; i += 8 {
		if m := gBytes(binary.LittleEndian.Uint64(path[i : i+8])); m != 0 && cgiAround(path, i, m) {
			return true
		}
	}
	if i == n {
		return false
	}
	// The last bytes: the word that ends where the path ends, without the bytes read already.
	m := gBytes(binary.LittleEndian.Uint64(path[n-8:])) >> (8 * (i - (n - 8)) & 63)
	return cgiAround(path, i, m)
}

// gBytes has the high bit set in each byte of w that is 'g' or 'G', and may have it set in a byte
// above one of those as well (a borrow); no other bit is set. Each flagged byte is checked by
// cgiAround, and a word without 'g' flags none.
func gBytes(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := (w | 0x20*ones) ^ 'g'*ones
	return (x - ones) &^ x & highs
}

// cgiAround reports whether one of the bytes that m marks (high bits, byte k of m standing for
// path[at+k]) is the 'g' of a "cgi" in any letter case.
func cgiAround(path []byte, at int, m uint64) bool {
	for ; m != 0; m &= m - 1 {
		p := at + bits.TrailingZeros64(m)>>3
		if p >= 1 && p+1 < len(path) && path[p-1]|0x20 == 'c' && path[p+1]|0x20 == 'i' {
			return true
		}
	}
	return false
}

func isWormProgram(seg []byte) bool {
	for _, w := range wormPrograms {
		if ascii.EqualFold(seg, w) {
			return true
		}
	}
	return false
}
