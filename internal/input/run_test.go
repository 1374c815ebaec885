package input

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// splitConfig is one way of reading: sizes, and how the bytes arrive.
type splitConfig struct {
	name      string
	chunkSize int
	maxLine   int
	readSize  int
	oneByte   bool // stdin delivers one byte per Read, like a slow pipe
}

var splitConfigs = []splitConfig{
	{name: "chunk64/max32", chunkSize: 64, maxLine: 32, readSize: 4096},
	{name: "chunk64/max32/read7", chunkSize: 64, maxLine: 32, readSize: 7},
	{name: "chunk16/max32", chunkSize: 16, maxLine: 32, readSize: 50},
	{name: "chunk1/max1", chunkSize: 1, maxLine: 1, readSize: 3},
	{name: "chunk64/max32/onebyte", chunkSize: 64, maxLine: 32, readSize: 64, oneByte: true},
	{name: "chunk4096/max8", chunkSize: 4096, maxLine: 8, readSize: 1000},
}

func newTestReader(c splitConfig, buffers int) *Reader {
	r := NewReader(Options{ChunkSize: c.chunkSize, MaxLine: c.maxLine, Buffers: buffers})
	r.readSize = c.readSize
	return r
}

// runStdin reads data through Options.Stdin, the way "-" is read.
func runStdin(t testing.TB, c splitConfig, buffers int, data []byte) *result {
	t.Helper()
	r := newTestReader(c, buffers)
	if c.oneByte {
		r.stdin = iotest.OneByteReader(bytes.NewReader(data))
	} else {
		r.stdin = bytes.NewReader(data)
	}
	return runAll(t, r, r.Plan([]string{"-"}, nil))
}

func manyLines(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "line %d %s\n", i+1, strings.Repeat("x", i%40))
	}
	return b.Bytes()
}

// randomLines mixes short, empty, exact-limit and long lines with hostile bytes.
func randomLines(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	alphabet := []byte("abc \t\r\x00\x1b\xff\xe3\x81\x82")
	var b []byte
	for range n {
		length := rng.IntN(40)
		if rng.IntN(10) == 0 {
			length = rng.IntN(300)
		}
		for range length {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		b = append(b, '\n')
	}
	return b
}

func TestRunReassemblesLines(t *testing.T) {
	inputs := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one line without newline", []byte("only line")},
		{"one line", []byte("only line\n")},
		{"empty lines", []byte("\n\n\n")},
		{"crlf kept", []byte("GET / HTTP/1.0\r\nHost: example\r\n\r\nlast\r")},
		{"nul control invalid utf8", []byte("a\x00b\n\x1b[31mred\x1b[0m\n\xff\xfe\xe3\x81\n\x7f\x01\x02")},
		{"line of exactly max", []byte(strings.Repeat("m", 32) + "\nnext\n")},
		{"line one over max", []byte(strings.Repeat("o", 33) + "\nnext\n")},
		{"long line first and last without newline", []byte(strings.Repeat("L", 500) + "\nmid\n" + strings.Repeat("E", 77))},
		{"long line with crlf", []byte(strings.Repeat("c", 40) + "\r\nshort\r\n")},
		{"many long lines", bytes.Repeat([]byte(strings.Repeat("z", 45)+"\n"), 30)},
		{"many short lines", manyLines(300)},
		{"random hostile", randomLines(1, 400)},
	}
	for _, cfg := range splitConfigs {
		for _, in := range inputs {
			t.Run(cfg.name+"/"+in.name, func(t *testing.T) {
				res := runStdin(t, cfg, 3, in.data)
				want := expectLines(in.data, cfg.maxLine)
				if d := diffLines(res.lines[stdinName], want); d != "" {
					t.Fatal(d)
				}
				if res.lasts[stdinName] != 1 {
					t.Errorf("got %d Last chunks, want 1", res.lasts[stdinName])
				}
				checkLongLineWarnings(t, res.warningsFor(stdinName), want, cfg.maxLine)
			})
		}
	}
}

// checkLongLineWarnings wants one warning per cut line, up to the cap, then one summary.
func checkLongLineWarnings(t *testing.T, ws []Warning, want []line, maxLine int) {
	t.Helper()
	var wantMsgs []string
	cut := 0
	for _, l := range want {
		if l.long == 0 {
			continue
		}
		if cut++; cut <= maxLongLineWarnings {
			wantMsgs = append(wantMsgs, fmt.Sprintf("-:%d: line %d is %d bytes; only the first %d bytes were analysed", l.num, l.num, l.long, maxLine))
		}
	}
	if cut > maxLongLineWarnings {
		wantMsgs = append(wantMsgs, fmt.Sprintf("-: %d more lines were longer than %d bytes and were cut to their first %d bytes", cut-maxLongLineWarnings, maxLine, maxLine))
	}
	var got []string
	for _, w := range ws {
		if strings.Contains(w.Msg, "binary") {
			continue
		}
		got = append(got, strings.Replace(w.String(), stdinName, "-", 1))
	}
	if strings.Join(got, "\n") != strings.Join(wantMsgs, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantMsgs, "\n"))
	}
}

func TestRunBinaryWarning(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want int
	}{
		{"text", manyLines(10), 0},
		{"nul at start", append([]byte("\x00\x00utmp\x00"), manyLines(10)...), 1},
		{"many nuls in first 8 KiB", bytes.Repeat([]byte("\x00ab\n"), 5000), 1},
		{"nul after 8 KiB", append(bytes.Repeat([]byte("a\n"), 8<<10), 0, '\n'), 0},
	}
	cfg := splitConfig{chunkSize: 512, maxLine: 256, readSize: 100}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runStdin(t, cfg, 2, tt.data)
			got := 0
			for _, w := range res.warnings {
				if w.Msg == "looks binary (NUL bytes); analysed as text" && w.Err == nil && w.Line == 0 {
					got++
				}
			}
			if got != tt.want {
				t.Errorf("got %d binary warnings, want %d: %v", got, tt.want, res.warnings)
			}
			if d := diffLines(res.lines[stdinName], expectLines(tt.data, cfg.maxLine)); d != "" {
				t.Error("data not passed through untouched: " + d)
			}
		})
	}
}

func TestWarningString(t *testing.T) {
	tests := []struct {
		w    Warning
		want string
	}{
		{Warning{File: "a.log", Line: 3, Msg: "line 3 is long"}, "a.log:3: line 3 is long"},
		{Warning{File: "a.log", Msg: "looks binary"}, "a.log: looks binary"},
		{Warning{File: "evil\x1b[2J.log", Msg: "x"}, `evil\x1b[2J.log: x`},
	}
	for _, tt := range tests {
		if got := tt.w.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestNewReaderDefaults(t *testing.T) {
	tests := []struct {
		opts                Options
		chunk, max, buffers int
	}{
		{Options{}, defaultChunkSize, defaultMaxLine, -1},
		{Options{ChunkSize: -5, MaxLine: -1, Buffers: -3}, defaultChunkSize, defaultMaxLine, -1},
		{Options{ChunkSize: math.MaxInt, MaxLine: math.MaxInt, Buffers: 1 << 30}, maxChunkSize, maxMaxLine, maxBuffers},
		{Options{ChunkSize: 10, MaxLine: 5, Buffers: 1}, 10, 5, 1},
	}
	for _, tt := range tests {
		r := NewReader(tt.opts)
		if r.chunkSize != tt.chunk || r.maxLine != tt.max || (tt.buffers > 0 && cap(r.slots) != tt.buffers) || r.stdin == nil {
			t.Errorf("NewReader(%+v): chunk %d max %d buffers %d", tt.opts, r.chunkSize, r.maxLine, cap(r.slots))
		}
	}
}
