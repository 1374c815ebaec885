package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckTextGolden renders the default text output of 'keikai check' (findings with their
// countermeasures, the summary and the NOT EXAMINED section) in English and Japanese, on a fake
// system with the Slapper worm's files, process and port, an OpenSSL it exploits and the seed's
// statd log line. Two things in it cannot be examined: a web log directory that is a symbolic link
// loop, and a rotated log cut off in the middle of its gzip stream.
//
// What depends on the machine is fixed or replaced: every mode and mtime is set, the temporary root becomes
// $ROOT and the owner's uid $UID (the tests run as root in CI and as a developer elsewhere).
func TestCheckTextGolden(t *testing.T) {
	files := infectedFiles()
	files["var/log/messages.1.gz"] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xf3\x4d\x2c"
	root := fakeRoot(t, files, map[string]string{"proc/4242/exe": "/tmp/.bugtraq", "var/log/httpd": "httpd"})
	mtime := time.Date(2002, 9, 14, 3, 0, 0, 0, time.UTC)
	for p := range files {
		if err := os.Chmod(filepath.Join(root, p), 0o644); err != nil { // whatever the umask
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(root, p), mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []string{"en", "ja"} {
		t.Run(lang, func(t *testing.T) {
			r := keikai(t, "", "check", "--root", root, "--tz", "UTC", "--lang", lang)
			if r.code != exitFindings {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", r.code, exitFindings, r.stderr)
			}
			out := strings.ReplaceAll(r.stdout, root, "$ROOT")
			out = strings.ReplaceAll(out, fmt.Sprintf(" uid %d,", os.Getuid()), " uid $UID,")
			out = strings.ReplaceAll(out, fmt.Sprintf("、uid %d、", os.Getuid()), "、uid $UID、")
			golden(t, "check-"+lang+".text", out)
		})
	}
}
