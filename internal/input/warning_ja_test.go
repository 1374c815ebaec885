package input

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every warning carries its message in Japanese too, variable parts included, so that --lang ja
// shows no English prose.
func TestWarningsInJapanese(t *testing.T) {
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat("Mar 13 12:34:56 host sshd[1]: hello\n", 200)))
	zw.Close()
	files := map[string][]byte{
		"binary.log":  append([]byte("Mar 13 12:34:56 host x: a\x00b\n"), 'x', '\n'),
		"cut.log.gz":  gz.Bytes()[:gz.Len()/2],
		"long.log":    []byte(strings.Repeat("x", 300) + "\n"),
		"corrupt.gz":  append(append([]byte{}, gz.Bytes()[:20]...), bytes.Repeat([]byte{0xff}, 40)...),
		"journal.bad": []byte("LPKSHHRH" + strings.Repeat("\x00", 300)),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var ws []Warning
	r := NewReader(Options{MaxLine: 100, ChunkSize: 100})
	sources := r.Plan([]string{dir, filepath.Join(dir, "missing.log"), "", dir + "/../" + filepath.Base(dir)}, func(w Warning) { ws = append(ws, w) })
	res := runAll(t, r, sources)
	ws = append(ws, res.warnings...)
	want := []string{"missing.log", `""`, "binary.log", "cut.log.gz", "long.log", "corrupt.gz", "journal.bad"}
	for _, name := range want {
		found := false
		for _, w := range ws {
			found = found || strings.HasSuffix(w.File, name)
		}
		if !found {
			t.Errorf("no warning about %s; got %v", name, ws)
		}
	}
	for _, w := range ws {
		ja := w.Text().Ja
		if strings.HasSuffix(w.File, "journal.bad") && !strings.Contains(ja, "journal ファイルが壊れているか途中で切れています") {
			t.Errorf("the journal's own reason is not in Japanese: %q", ja)
		}
		if w.MsgJa == "" || ja == w.Msg || utf8.RuneCountInString(ja) == len(ja) {
			t.Errorf("%s: no Japanese for %q (got %q)", w.File, w.Msg, w.MsgJa)
		}
	}
}
