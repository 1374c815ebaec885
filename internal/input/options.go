package input

import (
	"io"
	"os"
	"runtime"
	"sync"
)

// Options tunes a Reader. The zero value is ready to use.
type Options struct {
	ChunkSize int       // bytes of whole lines per chunk; default 1 MiB
	MaxLine   int       // longer lines are cut to this many bytes; default 1 MiB
	Buffers   int       // chunks in flight before Run waits for Release; default 4*GOMAXPROCS
	Stdin     io.Reader // read for "-"; default os.Stdin
	// Root confines every path to the directory of a checked system (check --root): the paths
	// must lie under it, only regular files are read, and no symlink leads out of it, even one
	// swapped in while keikai runs. "" reads paths as given.
	Root string
}

const (
	defaultChunkSize = 1 << 20
	defaultMaxLine   = 1 << 20
	// Limits keep a mistyped flag from asking for an allocation that cannot succeed.
	maxChunkSize = 256 << 20
	maxMaxLine   = 256 << 20
	maxBuffers   = 1024
	// binarySniffBytes is how much of a source is checked for NUL bytes (wtmp, core files).
	binarySniffBytes = 8 << 10
	// maxLongLineWarnings caps per-source warnings about long lines; the rest are summarised once
	// (every one is still listed in Chunk.Long).
	maxLongLineWarnings = 10
)

// Reader plans and reads inputs. Its buffer pool is shared by every Run on it.
type Reader struct {
	chunkSize int
	maxLine   int
	readSize  int // bytes asked of the OS per read; tests lower it to exercise read boundaries
	stdin     io.Reader
	root      string
	bufCap    int
	slots     chan struct{} // one token per buffer that may be handed out
	// free holds the buffers handed back, the latest last; it is reused first, so only as many
	// buffers are ever allocated (and their pages touched) as are in use at once, often fewer
	// than the pool allows. Guarded by mu, which also orders a token's return after its buffer.
	mu   sync.Mutex
	free [][]byte
	// freeEnds holds the chunks' line-end slices handed back, under mu too; maxEnds is the most
	// line ends a chunk records (Chunk.Ends).
	freeEnds [][]uint32
	maxEnds  int
}

// NewReader applies defaults and limits to opts and prepares the buffer pool; buffers are
// allocated only when first needed.
func NewReader(opts Options) *Reader {
	r := &Reader{
		chunkSize: clamp(opts.ChunkSize, defaultChunkSize, maxChunkSize),
		maxLine:   clamp(opts.MaxLine, defaultMaxLine, maxMaxLine),
		stdin:     opts.Stdin,
		root:      opts.Root,
	}
	if r.stdin == nil {
		r.stdin = os.Stdin
	}
	buffers := clamp(opts.Buffers, 4*runtime.GOMAXPROCS(0), maxBuffers)
	// A chunk fills up to chunkSize, then may take one more window of at most maxLine bytes; a
	// single partial line (chunkSize < maxLine) holds up to maxLine bytes before that window.
	r.bufCap = max(r.chunkSize, r.maxLine) + r.maxLine + 1
	r.readSize = min(max(r.chunkSize, 64<<10), 1<<20)
	// Lines of 16 bytes or more on average: shorter ones are not log lines worth the memory.
	r.maxEnds = r.chunkSize/16 + 64
	r.slots = make(chan struct{}, buffers)
	for range buffers {
		r.slots <- struct{}{}
	}
	return r
}

func clamp(v, def, limit int) int {
	if v <= 0 {
		return def
	}
	return min(v, limit)
}
