package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/cli"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenSize is the size of the corpus the analysis golden is taken on: big enough that every
// attack kind and every correlation fires, small enough to generate and analyse in a second.
const goldenSize = 20e6

// TestAnalyzeGolden is the safety net for work on analysis speed: `keikai analyze` on the generated
// corpus (seed 1) must produce exactly the findings and summary it produced when the golden was
// taken, whatever the number of workers. Regenerate with -update only for a change meant to alter
// results, and say why in the commit.
func TestAnalyzeGolden(t *testing.T) {
	analyzeGolden(t, shapeMix, goldenSize, "analyze-seed1-20MB.ndjson.gz")
}

// realGoldenSize is the size of the real-shaped corpus of TestAnalyzeGoldenReal: a third of its
// lines are firewall denies and a tenth worm and IDS traffic, so it makes many findings per byte.
const realGoldenSize = 4e6

// TestAnalyzeGoldenReal is TestAnalyzeGolden on the real-shaped corpus (seed 1): every firewall
// format, sources from a large population, worms, and each bundled correlation firing.
func TestAnalyzeGoldenReal(t *testing.T) {
	analyzeGolden(t, shapeReal, realGoldenSize, "analyze-real-seed1-4MB.ndjson.gz")
}

func analyzeGolden(t *testing.T, sh shape, size int64, golden string) {
	if testing.Short() {
		t.Skip("generates and analyses a corpus of several MB")
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "corpus.log"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if _, err := generateShape(w, sh, size, 1, 0.01, 2); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir) // findings name the file as given: a relative name keeps the golden free of the temp dir

	var first []byte
	for _, workers := range []int{1, 2, 3} {
		out := runAnalyze(t, "--workers", strconv.Itoa(workers), "corpus.log")
		if first == nil {
			first = out
			continue
		}
		if !bytes.Equal(out, first) {
			t.Errorf("--workers %d: output differs from --workers 1 at %s", workers, firstDiff(first, out))
		}
	}
	checkGolden(t, golden, first)
}

// runAnalyze runs `keikai analyze --format ndjson` as the command line does, in UTC with the
// corpus' year, and returns what it printed: one finding per line, then the summary.
func runAnalyze(t *testing.T, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	args = append([]string{"analyze", "--format", "ndjson", "--tz", "UTC", "--year", "2002", "--lang", "en", "--quiet"}, args...)
	if code := cli.Run(args, env); code != 0 && code != 1 {
		t.Fatalf("keikai %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	if stdout.Len() == 0 {
		t.Fatalf("keikai %s printed nothing", strings.Join(args, " "))
	}
	return stdout.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir(t), name)
	if *update {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		if _, err := zw.Write(got); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	zf, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bench/gencorpus -run TestAnalyzeGolden -update to create it)", err)
	}
	defer zf.Close()
	zr, err := gzip.NewReader(zf)
	if err != nil {
		t.Fatal(err)
	}
	want, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("analysis of the seed-1 corpus changed (findings or summary, %s); first difference at %s", name, firstDiff(want, got))
	}
}

// goldenDir is testdata beside this file; the test has changed into a temp dir by the time it is needed.
var goldenDirPath = func() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "testdata")
}()

func goldenDir(t *testing.T) string {
	t.Helper()
	if err := os.MkdirAll(goldenDirPath, 0o755); err != nil {
		t.Fatal(err)
	}
	return goldenDirPath
}

// firstDiff describes the first line where a and b differ.
func firstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte{'\n'}), bytes.Split(got, []byte{'\n'})
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + strconv.Itoa(i+1) + ":\n want " + clip(w) + "\n  got " + clip(g)
		}
	}
	return "(no line differs)"
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}
