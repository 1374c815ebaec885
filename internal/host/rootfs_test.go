package host

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/safeopen"
)

func TestResolveStaysInsideRoot(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"srv/log/messages":   "x",
		"var/log":            "->/srv/log",                 // absolute target: re-rooted
		"var/spool":          "->../srv/log",               // relative target
		"var/escape":         "->../../../../../../../etc", // climbs past the root: stays at ROOT/etc
		"etc/passwd":         "root:x:0:0::/root:/bin/sh",
		"tmp/a":              "->b",
		"tmp/b":              "->a",
		"tmp/file":           "x",
		"usr/lib/libssl.so":  "x",
		"lib":                "->usr/lib",
		"self":               "->/self", // a link to itself through the root
		"dotdot/inner/":      "",
		"dotdot/linkup":      "->inner/..",
		"var/tmp/deep/there": "x",
	})
	tests := []struct {
		name       string
		target     string
		followLast bool
		want       string // relative to root; empty when an error is expected
		wantErr    error
	}{
		{"absolute link is re-rooted", "/var/log/messages", true, "srv/log/messages", nil},
		{"relative link", "/var/spool/messages", true, "srv/log/messages", nil},
		{"dotdot cannot climb out", "/var/escape/passwd", true, "etc/passwd", nil},
		{"dotdot in the target path", "/../../etc/passwd", true, "etc/passwd", nil},
		{"last component not followed", "/var/log", false, "var/log", nil},
		{"last component followed", "/var/log", true, "srv/log", nil},
		{"merged usr", "/lib/libssl.so", true, "usr/lib/libssl.so", nil},
		{"link loop", "/tmp/a/x", true, "", errSymlinkLoop},
		{"link loop as last component", "/tmp/a", true, "", errSymlinkLoop},
		{"self loop", "/self/x", true, "", errSymlinkLoop},
		{"file as directory", "/tmp/file/x", true, "", errNotDirSentinel},
		{"missing directory", "/nope/x", false, "", fs.ErrNotExist},
		{"missing last is no error", "/tmp/nope", false, "tmp/nope", nil},
		{"dotdot after link goes to the link target's parent", "/dotdot/linkup/inner", true, "dotdot/inner", nil},
		{"root itself", "/", true, "", nil},
	}
	r, err := newRootFS(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.resolve(tt.target, tt.followLast)
			if tt.wantErr != nil {
				if tt.wantErr == errNotDirSentinel {
					if !isAbsent(err) || errors.Is(err, fs.ErrNotExist) {
						t.Fatalf("resolve(%q) error = %v, want ENOTDIR", tt.target, err)
					}
					return
				}
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("resolve(%q) error = %v, want %v", tt.target, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolve(%q): %v", tt.target, err)
			}
			want := filepath.Join(root, tt.want)
			if got != want {
				t.Errorf("resolve(%q) = %q, want %q", tt.target, got, want)
			}
			if got != root && !strings.HasPrefix(got, root+"/") {
				t.Errorf("resolve(%q) = %q left the root %q", tt.target, got, root)
			}
		})
	}
}

// errNotDirSentinel marks the table rows that expect ENOTDIR.
var errNotDirSentinel = errors.New("want ENOTDIR")

func TestNewRootFS(t *testing.T) {
	dir := t.TempDir()
	file := fakeRoot(t, map[string]string{"f": "x"}) + "/f"
	tests := []struct {
		root    string
		want    string
		wantErr bool
	}{
		{"", "/", false},
		{"/", "/", false},
		{dir, dir, false},
		{dir + "/missing", "", true},
		{file, "", true},
	}
	for _, tt := range tests {
		r, err := newRootFS(tt.root)
		if (err != nil) != tt.wantErr {
			t.Errorf("newRootFS(%q) error = %v, wantErr %v", tt.root, err, tt.wantErr)
			continue
		}
		if err == nil && r.root != tt.want {
			t.Errorf("newRootFS(%q) = %q, want %q", tt.root, r.root, tt.want)
		}
	}
}

func TestReadRegularRefusesNonRegular(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"etc/real":  "content",
		"etc/link":  "->real",
		"etc/dir/":  "",
		"etc/large": strings.Repeat("x", 100),
	})
	tests := []struct {
		name    string
		path    string
		limit   int64
		wantErr error
	}{
		{"regular file", "etc/real", 1024, nil},
		{"symlink not opened", "etc/link", 1024, safeopen.ErrNotRegular},
		{"directory not opened", "etc/dir", 1024, safeopen.ErrNotRegular},
		{"too large", "etc/large", 10, safeopen.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := rootFS{root: root}.readRegular(filepath.Join(root, tt.path), tt.limit)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("readRegular error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && string(data) != "content" {
				t.Errorf("readRegular = %q", data)
			}
		})
	}
}
