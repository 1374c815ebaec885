package analyze

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/rules"
)

// BenchmarkCorpus analyses the file named by KEIKAI_BENCH_CORPUS (make one with
// `go run ./bench/gencorpus`) with the bundled rules, as `keikai analyze --summary` does.
func BenchmarkCorpus(b *testing.B) {
	path := os.Getenv("KEIKAI_BENCH_CORPUS")
	if path == "" {
		b.Skip("set KEIKAI_BENCH_CORPUS to a log file, e.g. one made by go run ./bench/gencorpus")
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		b.Fatal(err)
	}
	eng, err := engine.New(set)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(info.Size())
	for b.Loop() {
		if _, err := Run(context.Background(), eng, Options{Paths: []string{path}, Location: time.UTC}, Callbacks{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatch parses the first 16 MB of KEIKAI_BENCH_CORPUS line by line, and with match=true
// also matches each event against the bundled rules: the difference is the cost of matching
// alone, steadier on a shared machine than a whole analysis.
func BenchmarkMatch(b *testing.B) {
	path := os.Getenv("KEIKAI_BENCH_CORPUS")
	if path == "" {
		b.Skip("set KEIKAI_BENCH_CORPUS to a log file, e.g. one made by go run ./bench/gencorpus")
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	data := make([]byte, 16<<20)
	n, _ := io.ReadFull(f, data)
	data = data[:bytes.LastIndexByte(data[:n], '\n')+1]
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		b.Fatal(err)
	}
	eng, err := engine.New(set)
	if err != nil {
		b.Fatal(err)
	}
	for _, match := range []bool{false, true} {
		b.Run(fmt.Sprintf("match=%v", match), func(b *testing.B) {
			w := newWorker(eng, &Options{Location: time.UTC})
			w.parser.SetReference(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			var matched []int
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				for rest := data; len(rest) > 0; {
					i := bytes.IndexByte(rest, '\n')
					w.parser.Parse(rest[:i], &w.ev)
					if match {
						matched = w.match.Match(&w.ev, matched)
					}
					rest = rest[i+1:]
				}
			}
		})
	}
}
