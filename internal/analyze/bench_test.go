package analyze

import (
	"context"
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
