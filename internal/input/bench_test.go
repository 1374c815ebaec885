package input

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// benchmarkFile writes a syslog-like file of about size bytes once per benchmark.
func benchmarkFile(b *testing.B, size int, compress bool) (string, int64) {
	b.Helper()
	// Varying fields keep gzip from compressing the file to nothing, as real logs do.
	rng := rand.New(rand.NewPCG(1, 2))
	users := []string{"root", "admin", "oracle", "test", "guest", "ubuntu", "pi"}
	data := make([]byte, 0, size+200)
	for len(data) < size {
		data = fmt.Appendf(data, "Jan %2d %02d:%02d:%02d host%d sshd[%d]: Failed password for invalid user %s from 192.0.2.%d port %d ssh2\n",
			rng.IntN(31)+1, rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(5), rng.IntN(65536),
			users[rng.IntN(len(users))], rng.IntN(256), rng.IntN(65536))
	}
	if compress {
		data = gzipBytes(b, data)
	}
	path := filepath.Join(b.TempDir(), "bench.log")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return path, int64(len(data))
}

func benchmarkRun(b *testing.B, size int, compress bool) {
	path, _ := benchmarkFile(b, size, compress)
	r := NewReader(Options{})
	sources := r.Plan([]string{path}, nil)
	b.SetBytes(int64(size)) // throughput of uncompressed text delivered
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		out := make(chan *Chunk, 8)
		go r.Run(context.Background(), sources, out, nil, nil)
		for c := range out {
			r.Release(c)
		}
	}
}

func BenchmarkRun(b *testing.B)     { benchmarkRun(b, 256<<20, false) }
func BenchmarkRunGzip(b *testing.B) { benchmarkRun(b, 64<<20, true) }

// BenchmarkRunStdin measures the interruptible read path used for stdin, FIFOs and devices.
func BenchmarkRunStdin(b *testing.B) {
	path, size := benchmarkFile(b, 128<<20, false)
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	stdin := bytes.NewReader(data)
	r := NewReader(Options{Stdin: stdin})
	sources := r.Plan([]string{"-"}, nil)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		stdin.Reset(data)
		out := make(chan *Chunk, 8)
		go r.Run(context.Background(), sources, out, nil, nil)
		for c := range out {
			r.Release(c)
		}
	}
}
