package input

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// line is one line as a consumer sees it, with its number and whether it was cut.
type line struct {
	num  int64
	text string
	long int64 // original length when cut, else 0
}

// expectLines is the reference model: the input's lines, each cut to maxLine bytes.
func expectLines(data []byte, maxLine int) []line {
	var lines []line
	for n := int64(1); len(data) > 0; n++ {
		text := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			text, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		l := line{num: n, text: string(text)}
		if len(text) > maxLine {
			l.text, l.long = string(text[:maxLine]), int64(len(text))
		}
		lines = append(lines, l)
	}
	return lines
}

// result is what one Run delivered.
type result struct {
	lines    map[string][]line // by source name
	lasts    map[string]int
	warnings []Warning
}

func (res *result) warningsFor(name string) []Warning {
	var ws []Warning
	for _, w := range res.warnings {
		if w.File == name {
			ws = append(ws, w)
		}
	}
	return ws
}

// runAll runs r over sources, checks the invariants every chunk stream must keep, and returns the
// lines reassembled per source.
func runAll(t testing.TB, r *Reader, sources []*Source) *result {
	t.Helper()
	out := make(chan *Chunk)
	res := &result{lines: map[string][]line{}, lasts: map[string]int{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(context.Background(), sources, out, func(w Warning) { res.warnings = append(res.warnings, w) }, nil)
	}()
	var problems []string
	nextLine := map[string]int64{}
	var seq int64
	for c := range out {
		name := c.Source.Name
		if err := checkChunk(r, c, seq, nextLine[name], res.lasts[name]); err != nil {
			problems = append(problems, err.Error())
		}
		seq++
		if nextLine[name] == 0 {
			nextLine[name] = 1
		}
		nextLine[name] += int64(bytes.Count(c.Data, []byte{'\n'}))
		res.lines[name] = append(res.lines[name], chunkLines(c)...)
		if c.Last {
			res.lasts[name]++
		}
		r.Release(c)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after closing out")
	}
	if len(problems) > 0 {
		t.Fatalf("chunk invariants broken:\n%s", strings.Join(problems[:min(len(problems), 10)], "\n"))
	}
	return res
}

func checkChunk(r *Reader, c *Chunk, wantSeq, wantFirst int64, lastsBefore int) error {
	if wantFirst == 0 {
		wantFirst = 1
	}
	switch {
	case c.Seq != wantSeq:
		return fmt.Errorf("Seq = %d, want %d", c.Seq, wantSeq)
	case c.FirstLine != wantFirst:
		return fmt.Errorf("seq %d: FirstLine = %d, want %d", c.Seq, c.FirstLine, wantFirst)
	case lastsBefore > 0:
		return fmt.Errorf("seq %d: chunk of %s after its Last chunk", c.Seq, c.Source.Name)
	case !c.Last && (len(c.Data) == 0 || c.Data[len(c.Data)-1] != '\n'):
		return fmt.Errorf("seq %d: non-last chunk %q does not end with a whole line", c.Seq, c.Data)
	case c.buf != nil && cap(c.buf) != r.bufCap:
		return fmt.Errorf("seq %d: buffer grew to %d bytes, pool size is %d", c.Seq, cap(c.buf), r.bufCap)
	case !c.Last && len(c.Data) > max(r.chunkSize, 2*r.maxLine+1):
		return fmt.Errorf("seq %d: %d bytes, more than chunk size %d", c.Seq, len(c.Data), r.chunkSize)
	}
	lines := int64(bytes.Count(c.Data, []byte{'\n'}))
	if c.Last && len(c.Data) > 0 && c.Data[len(c.Data)-1] != '\n' {
		lines++
	}
	if c.Ends != nil {
		if want, _ := lineEndsRef(nil, c.Data, 0, len(c.Data)+1); !slices.Equal(c.Ends, want) {
			return fmt.Errorf("seq %d: Ends = %v, want %v", c.Seq, c.Ends, want)
		}
	}
	for _, l := range c.Long {
		if l.Line < c.FirstLine || l.Line >= c.FirstLine+lines {
			return fmt.Errorf("seq %d: long line %d outside the chunk's lines %d..%d", c.Seq, l.Line, c.FirstLine, c.FirstLine+lines-1)
		}
	}
	return nil
}

// chunkLines splits a chunk into numbered lines, marking the cut ones from c.Long.
func chunkLines(c *Chunk) []line {
	long := map[int64]int64{}
	for _, l := range c.Long {
		long[l.Line] = l.Length
	}
	var lines []line
	data := c.Data
	for n := c.FirstLine; len(data) > 0; n++ {
		text := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			text, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		lines = append(lines, line{num: n, text: string(text), long: long[n]})
	}
	return lines
}

func diffLines(got, want []line) string {
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			return fmt.Sprintf("missing line %d %q (got %d lines, want %d)", want[i].num, clip(want[i].text), len(got), len(want))
		case i >= len(want):
			return fmt.Sprintf("extra line %d %q (got %d lines, want %d)", got[i].num, clip(got[i].text), len(got), len(want))
		case got[i] != want[i]:
			return fmt.Sprintf("line %d: got {%d %q long=%d}, want {%d %q long=%d}", i,
				got[i].num, clip(got[i].text), got[i].long, want[i].num, clip(want[i].text), want[i].long)
		}
	}
	return ""
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}
