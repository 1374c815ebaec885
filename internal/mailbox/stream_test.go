package mailbox

import (
	"io"
	"runtime"
	"strconv"
	"testing"
)

// synthMbox generates an mbox of n messages of about 1 KiB without holding it, and samples the heap
// every 8 MiB it hands out.
type synthMbox struct {
	n, i     int
	buf      []byte
	served   int64
	nextPeek int64
	maxHeap  uint64
}

func (s *synthMbox) Read(p []byte) (int, error) {
	if len(s.buf) == 0 {
		if s.i == s.n {
			return 0, io.EOF
		}
		s.buf = append(s.buf[:0], "From reporter@example.co.jp Sat Apr  1 10:23:45 2000\nMessage-ID: <"...)
		s.buf = strconv.AppendInt(s.buf, int64(s.i), 10)
		s.buf = append(s.buf, "@example.co.jp>\nSubject: scan\n\n"...)
		for range 12 {
			s.buf = append(s.buf, "Apr  1 10:00:00 gw kernel: DENY IN=eth0 SRC=203.0.113.9 DST=192.0.2.1 DPT=111\n"...)
		}
		s.buf = append(s.buf, '\n')
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	s.served += int64(n)
	if s.served >= s.nextPeek {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		s.maxHeap = max(s.maxHeap, ms.HeapAlloc)
		s.nextPeek += 8 << 20
	}
	return n, nil
}

// Reading an mbox holds one message at a time: the heap stays flat however large the file.
func TestMboxReaderStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100 MiB")
	}
	src := &synthMbox{n: 100_000}
	mr := NewMboxReader(src, MboxRD, 0)
	count := 0
	for {
		_, err := mr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != src.n {
		t.Fatalf("%d messages, want %d", count, src.n)
	}
	t.Logf("read %d MiB in %d messages; peak heap %d MiB", src.served>>20, count, src.maxHeap>>20)
	if src.maxHeap > 32<<20 {
		t.Errorf("heap reached %d MiB while streaming", src.maxHeap>>20)
	}
}

func BenchmarkMboxReader(b *testing.B) {
	for b.Loop() {
		src := &synthMbox{n: 10_000}
		mr := NewMboxReader(src, MboxRD, 0)
		for {
			if _, err := mr.Next(); err != nil {
				break
			}
		}
		b.SetBytes(src.served)
	}
}
