package sigma

import (
	"io/fs"
	"os"
	"path"
	"reflect"
	"strings"
	"testing"
)

// The bundled rules load without their samples exactly as with them (but for Samples), and
// withoutSamples handles every bundled file, so none falls back to decoding the whole file.
func TestWithoutSamplesBundled(t *testing.T) {
	fsys := os.DirFS("../../rules")
	n := 0
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (path.Ext(p) != ".yml" && path.Ext(p) != ".yaml") {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		want, err := ParseFile(p, data)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		short, ok := withoutSamples(data)
		if !ok {
			if strings.Contains(string(data), "\nsamples:") {
				t.Errorf("%s: withoutSamples found nothing to remove", p)
			}
			return nil
		}
		if strings.Count(string(short), "\n") != strings.Count(string(data), "\n") {
			t.Errorf("%s: withoutSamples changed the number of lines", p)
		}
		got, err := ParseFile(p, short)
		if err != nil {
			t.Errorf("%s without samples: %v", p, err)
			return nil
		}
		for _, r := range want {
			r.Samples = Samples{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: rules differ without samples", p)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Errorf("only %d bundled files had samples", n)
	}
}

func TestWithoutSamples(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"title: a\n", ""},
		{"title: a\nsamples:\n  match:\n    - x\n\n# c\n  nomatch: [y]\nlevel: low\n", "title: a\n\n\n\n\n\n\nlevel: low\n"},
		{"samples: {match: [x]}\r\n---\r\nsamples:\r\n  a\r\n", "\n---\r\n\n\n"},
		{"samplesx: 1\nsamples:x\n", ""},
		{"samples:\n\tmatch: x\n", ""},
		{"a: 1\nsamples:\n  b", "a: 1\n\n"},
	} {
		got, ok := withoutSamples([]byte(c.in))
		if string(got) != c.out || ok != (c.out != "") {
			t.Errorf("withoutSamples(%q) = %q, %v; want %q", c.in, got, ok, c.out)
		}
	}
}

func TestParseFileWithoutSamplesFallsBack(t *testing.T) {
	// The anchor is in the samples; blanking them breaks the alias, so the whole file is decoded.
	doc := "title: a\nlogsource: {product: linux, service: sshd}\nsamples:\n  match: [&k x]\n  nomatch: [y]\ndetection:\n  s: {msg|contains: *k}\n  condition: s\n"
	rules, err := parseFileWithoutSamples("a.yml", []byte(doc))
	if err != nil || len(rules) != 1 || len(rules[0].Samples.Match) != 0 {
		t.Fatalf("got %v, %v", rules, err)
	}
}
