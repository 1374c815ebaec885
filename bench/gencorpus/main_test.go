package main

import (
	"bytes"
	"io"
	"testing"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"100MB": 100e6, "1GB": 1e9, "256MiB": 256 << 20, "1.5G": 1.5e9, "500k": 500e3, "123": 123, "2KiB": 2048,
	} {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "12QB", "-1MB", "1..2GB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}

func gen1(t *testing.T, size int64, seed uint64, workers int) ([]byte, *stats) {
	t.Helper()
	var b bytes.Buffer
	st, err := generate(&b, size, seed, 0.01, workers)
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), st
}

func TestDeterministicPrefixAndShape(t *testing.T) {
	a, st := gen1(t, 4e6, 7, 1)
	b, _ := gen1(t, 4e6, 7, 3)
	if !bytes.Equal(a, b) {
		t.Fatal("output depends on the number of workers")
	}
	small, _ := gen1(t, 1e6, 7, 2)
	if !bytes.HasPrefix(a, small) {
		t.Fatal("a smaller corpus is not a prefix of a larger one")
	}
	other, _ := gen1(t, 1e6, 8, 2)
	if bytes.Equal(small, other) {
		t.Fatal("seed does not change the output")
	}
	if int64(len(a)) > 4e6 || len(a) < 4e6-2000 || a[len(a)-1] != '\n' {
		t.Fatalf("size %d, last byte %q", len(a), a[len(a)-1])
	}
	if bytes.IndexByte(a, 0) >= 0 {
		t.Fatal("NUL byte in the corpus")
	}
	if n := int64(bytes.Count(a, []byte{'\n'})); n != st.lines {
		t.Fatalf("counted %d lines, stats say %d", n, st.lines)
	}
	var atk int64
	for k := kind(nBenign); k < nKinds; k++ {
		atk += st.kLines[k]
	}
	if share := float64(atk) / float64(st.lines); share < 0.004 || share > 0.02 {
		t.Errorf("attack share %.4f, want about 0.01", share)
	}
}

func TestEveryAttackKind(t *testing.T) {
	st, err := generate(io.Discard, 30e6, 1, 0.01, 2)
	if err != nil {
		t.Fatal(err)
	}
	for k := kind(nBenign); k < nKinds; k++ {
		if st.kEvts[k] == 0 {
			t.Errorf("no %s event in 30 MB", kindNames[k])
		}
	}
}
