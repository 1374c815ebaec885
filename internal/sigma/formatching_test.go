package sigma

import (
	"io/fs"
	"os"
	"path"
	"reflect"
	"strings"
	"testing"
)

// The bundled rules load for matching exactly as in full (but for what forMatching leaves out),
// and forMatching handles every bundled file, so none falls back to decoding the whole file.
func TestForMatchingBundled(t *testing.T) {
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
		short, ok := forMatching(data)
		if !ok {
			t.Errorf("%s: forMatching found nothing to remove", p)
			return nil
		}
		if strings.Count(string(short), "\n") != strings.Count(string(data), "\n") {
			t.Errorf("%s: forMatching changed the number of lines", p)
		}
		got, err := ParseFile(p, short)
		if err != nil {
			t.Errorf("%s for matching: %v", p, err)
			return nil
		}
		for _, r := range want {
			clearProse(r)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: rules differ for matching", p)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Errorf("only %d bundled files checked", n)
	}
}

func TestForMatching(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"title: a\n", ""},
		{"title: a\nsamples:\n  match:\n    - x\n\n# c\n  nomatch: [y]\nlevel: low\n", "title: a\n\n\n\n\n\n\nlevel: low\n"},
		{"samples: {match: [x]}\r\n---\r\nsamples:\r\n  a\r\n", "\n---\r\n\n\n"},
		{"samplesx: 1\nsamples:x\n", ""},
		{"samples:\n\tmatch: x\n", ""},
		{"a: 1\nsamples:\n  b", "a: 1\n\n"},
		{"description: |\n  text\n  more\nreferences:\n- x\nfalsepositives: [a]\nid: 1\n", "description:\n\n\nreferences:\n- x\nfalsepositives:\nid: 1\n"},
	} {
		got, ok := forMatching([]byte(c.in))
		if string(got) != c.out || ok != (c.out != "") {
			t.Errorf("forMatching(%q) = %q, %v; want %q", c.in, got, ok, c.out)
		}
	}
}

func TestParseFileForMatchingFallsBack(t *testing.T) {
	// The anchor is in the samples; blanking them breaks the alias, so the whole file is decoded.
	doc := "title: a\nlogsource: {product: linux, service: sshd}\ndescription: d\nsamples:\n  match: [&k x]\n  nomatch: [y]\ndetection:\n  s: {msg|contains: *k}\n  condition: s\n"
	rules, err := parseFileForMatching("a.yml", []byte(doc), decodeDocuments)
	if err != nil || len(rules) != 1 || len(rules[0].Samples.Match) != 0 || rules[0].Description != "" {
		t.Fatalf("got %v, %v", rules, err)
	}
}

// FuzzForMatching checks forMatching's invariants: the lines stay as many, each one is kept,
// emptied, or cut to a prose key's "key:"; and parseFileForMatching does not panic.
func FuzzForMatching(f *testing.F) {
	f.Add([]byte("title: a\nsamples:\n  match:\n    - x\ndescription: |\n  d\nlevel: low\n"))
	f.Add([]byte("references:\r\n- a\r\n\tb\r\nsamples: x"))
	f.Add([]byte("samples:x\nsamples:\n# c\n\n---\nfalsepositives: [a,\nb]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, ok := forMatching(data)
		if !ok {
			if out != nil {
				t.Fatalf("not ok but output %q", out)
			}
		} else {
			in, got := strings.Split(string(data), "\n"), strings.Split(string(out), "\n")
			if len(in) != len(got) {
				t.Fatalf("%d lines became %d", len(in), len(got))
			}
			for i, g := range got {
				if g == in[i] || g == "" {
					continue
				}
				if k, blank := proseKey([]byte(in[i])); !blank || g != k+":" {
					t.Fatalf("line %d %q became %q", i+1, in[i], g)
				}
			}
		}
		parseFileForMatching("f.yml", data, decodeDocuments)
	})
}

// A key written twice in a rule counts as its last value, as a map from key to value gives.
func TestRepeatedKeyLastWins(t *testing.T) {
	for _, c := range []struct{ doc, match string }{
		{"title: a\ndetection: {s: {Message|contains: first}, condition: s}\ndetection: {s: {Message|contains: second}, condition: s}\n", "second"},
		{"title: a\ntags: [keikai.category.probe]\ntags: [keikai.category.dos]\ndetection: {s: {Message|contains: x}, condition: s}\n", "dos"},
	} {
		rules, err := ParseFile("r.yml", []byte(c.doc))
		if err != nil || len(rules) != 1 {
			t.Fatalf("%q: %v, %d rules", c.doc, err, len(rules))
		}
		r := rules[0]
		lits, _ := r.Prefilter()
		if got := r.category + " " + strings.Join(lits, ","); !strings.Contains(got, c.match) || strings.Contains(got, "first") || strings.Contains(got, "probe") {
			t.Errorf("%q: category and prefilter %q, want %s", c.doc, got, c.match)
		}
	}
}
