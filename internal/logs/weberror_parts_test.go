package logs

import (
	"bytes"
	"testing"
)

// apacheLevelReference and stripPortReference are apacheLevel and stripPort as parseApacheError
// had them before: the module cut off before the severity word is tested, and the colons of an
// address counted. They are the oracles of FuzzApacheErrorPartsSameAsReference.
func apacheLevelReference(field []byte) ([]byte, bool) {
	if i := bytes.LastIndexByte(field, ':'); i >= 0 {
		field = field[i+1:]
	}
	return field, isSeverityWord(field)
}

func stripPortReference(b []byte) []byte {
	if len(b) > 0 && b[0] == '[' {
		if j := bytes.IndexByte(b, ']'); j > 0 {
			return b[1:j]
		}
	}
	if bytes.Count(b, []byte(":")) == 1 {
		return b[:bytes.IndexByte(b, ':')]
	}
	return b
}

func TestApacheErrorParts(t *testing.T) {
	for _, tc := range []struct{ field, level string }{
		{"error", "error"}, {"ssl:error", "error"}, {"core:trace5", "trace5"}, {"a:b:warn", "warn"},
		{"warning", ""}, {"error:", ""}, {":", ""}, {"", ""},
	} {
		level, ok := apacheLevel([]byte(tc.field))
		if ok != (tc.level != "") || ok && string(level) != tc.level {
			t.Errorf("apacheLevel(%q) = %q, %v, want %q", tc.field, level, ok, tc.level)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"1.2.3.4", "1.2.3.4"}, {"1.2.3.4:5678", "1.2.3.4"}, {"[2001:db8::1]:5678", "2001:db8::1"},
		{"2001:db8::1", "2001:db8::1"}, {"a:b:c", "a:b:c"}, {":", ""}, {"x:", "x"}, {"", ""},
	} {
		if got := stripPort([]byte(tc.in)); string(got) != tc.want {
			t.Errorf("stripPort(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzApacheErrorPartsSameAsReference(f *testing.F) {
	for _, s := range []string{"error", "ssl:error", "core:trace5", "x:", ":", "1.2.3.4:80", "[::1]:80", "::1", "a:b:warn"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		level, ok := apacheLevel(b)
		wlevel, wok := apacheLevelReference(b)
		if ok != wok || ok && !bytes.Equal(level, wlevel) {
			t.Fatalf("apacheLevel(%q) = %q, %v, reference %q, %v", b, level, ok, wlevel, wok)
		}
		if got, want := stripPort(b), stripPortReference(b); !bytes.Equal(got, want) {
			t.Fatalf("stripPort(%q) = %q, reference %q", b, got, want)
		}
	})
}
