package analyze

import (
	"bytes"
	"testing"

	"github.com/keikai-project/keikai/internal/ascii"
)

// TestContainsCGIPlaces puts "cgi" (and near misses) at every place of paths of every length up
// to 24, across the word boundaries and the overlapping last word of containsCGI.
func TestContainsCGIPlaces(t *testing.T) {
	for _, w := range []string{"cgi", "CGI", "cGi", "cg", "gi", "cgx", "xgi", "ggi", "cgg", "gGi"} {
		for n := 0; n <= 24; n++ {
			for at := 0; at+len(w) <= n; at++ {
				path := bytes.Repeat([]byte("/"), n)
				copy(path[at:], w)
				want := ascii.IndexFold(path, "cgi") >= 0
				if got := containsCGI(path); got != want {
					t.Fatalf("containsCGI(%q) = %v, want %v", path, got, want)
				}
			}
		}
	}
	for _, p := range []string{"", "g", "gi", "cgi", "/gGgGgGgGgGgGgGgGgG", "/images/logo.gif", "/cgi-bin/x", "/x.CGI", "/a/b/c/d/e/f/g/cgi"} {
		if got, want := containsCGI([]byte(p)), ascii.IndexFold([]byte(p), "cgi") >= 0; got != want {
			t.Fatalf("containsCGI(%q) = %v, want %v", p, got, want)
		}
	}
}
