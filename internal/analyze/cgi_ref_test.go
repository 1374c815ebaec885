package analyze

import (
	"bytes"
	"testing"

	"github.com/keikai-project/keikai/internal/ascii"
)

// cgiProgramReference is cgiProgram as it was before its fast paths: every path with "cgi" or a
// worm's program at its end split into segments. It is the oracle of FuzzCgiProgramSameAsReference.
func cgiProgramReference(path, dst []byte) ([]byte, bool) {
	if len(path) == 0 || path[0] != '/' {
		return dst, false
	}
	if ascii.IndexFold(path, "cgi") < 0 && wormSuffix(path) < 0 {
		return dst, false
	}
	var dir, prog, last []byte
	for rest := path; len(rest) > 0; {
		i := bytes.IndexAny(rest, "/\\")
		var seg []byte
		if i < 0 {
			seg, rest = rest, nil
		} else {
			seg, rest = rest[:i], rest[i+1:]
		}
		seg = bytes.TrimSpace(seg)
		if len(seg) == 0 || (len(seg) == 1 && seg[0] == '.') {
			continue
		}
		last = seg
		switch {
		case ascii.HasPrefixFold(seg, "cgi-"):
			dir, prog = seg, nil
		case dir != nil && prog == nil:
			prog = seg
		}
	}
	switch {
	case dir != nil:
		dst = append(append(dst, '/'), dir...)
		dst = append(dst, '/')
		dst = append(dst, prog...)
	case len(last) > len(".cgi") && ascii.HasSuffixFold(last, ".cgi") || isWormProgram(last):
		dst = append(append(dst, '/'), last...)
	default:
		return dst, false
	}
	ascii.LowerInPlace(dst)
	return dst, true
}

func FuzzCgiProgramSameAsReference(f *testing.F) {
	for _, s := range []string{"/", "/cgi-bin/x.pl", "//CGI-BIN// x.pl", "/a/b.cgi", "/default.ida", "/scripts/..\xc1\x1c../winnt/system32/cmd.exe",
		"/x/ root.exe", "/x\\CMD.EXE", "/scripts/Root.EXE", "cmd.exe", "/cmd.exe", "\\cmd.exe", "/a\\default.IDA", "/xcmd.exe", "/\u00a0cmd.exe", "/c/g/i", "/aaaaaaacgi", "/aaaaaaaacG", "/aaaaaaaaCgI", "/ab/c.exe/", "/.cgi"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, path []byte) {
		got, ok := cgiProgram(path, []byte("k:"))
		want, wok := cgiProgramReference(path, []byte("k:"))
		if ok != wok || !bytes.Equal(got, want) {
			t.Fatalf("cgiProgram(%q) = %q, %v; reference %q, %v", path, got, ok, want, wok)
		}
		if c, r := containsCGI(path), ascii.IndexFold(path, "cgi") >= 0; c != r {
			t.Fatalf("containsCGI(%q) = %v, IndexFold says %v", path, c, r)
		}
	})
}
