package host

import (
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

const dpkgStatusSample = `Package: openssl
Status: install ok installed
Priority: optional
Version: 0.9.6d-1
Description: Secure Socket Layer (SSL) binary and related cryptographic tools
 This package contains the openssl binary and related tools.
 .
 Version: 9.9.9 in a description is not the version

Package: libssl0.9.6
Status: hold ok installed
Version: 0.9.6c-2

Package: nfs-common
Status: deinstall ok config-files
Version: 1:1.0-2

Package: apache
Status: install ok half-installed
Version: 1.3.26-0woody1

Package: libc6
Version: 2.2.5-11.1
Status: install ok installed`

func TestParseDpkgStatus(t *testing.T) {
	var got []string
	if err := parseDpkgStatus(strings.NewReader(dpkgStatusSample), func(p dpkgPackage) {
		got = append(got, p.Name+" "+p.Version)
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"openssl 0.9.6d-1", "libssl0.9.6 0.9.6c-2", "libc6 2.2.5-11.1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestInstalledStatus(t *testing.T) {
	tests := []struct {
		status string
		want   bool
	}{
		{"install ok installed", true},
		{"hold ok installed", true},
		{"deinstall ok installed", true},
		{"deinstall ok config-files", false},
		{"purge ok not-installed", false},
		{"install reinstreq half-installed", false},
		{"installed", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := installedStatus(tt.status); got != tt.want {
			t.Errorf("installedStatus(%q) = %v, want %v", tt.status, got, tt.want)
		}
	}
}

func FuzzParseDpkgStatus(f *testing.F) {
	f.Add([]byte(dpkgStatusSample))
	f.Add([]byte("Package:\nStatus: install ok installed\n\n\n"))
	f.Add([]byte("Package: x\r\nStatus: install ok installed\r\nVersion: 1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := parseDpkgStatus(strings.NewReader(string(data)), func(p dpkgPackage) {
			if p.Name == "" {
				t.Errorf("package without a name from %q", data)
			}
		})
		_ = err // a line too long is an error, never a panic
	})
}

func TestCollectDpkg(t *testing.T) {
	root := fakeRoot(t, map[string]string{"var/lib/dpkg/status": dpkgStatusSample})
	c := collect(t, root, Targets{})
	m, ok := c.find(event.FormatHostPackage, "PackageName", "openssl")
	if !ok {
		t.Fatalf("no openssl package; packages: %v", c.ofFormat(event.FormatHostPackage))
	}
	if m["PackageVersion"] != "0.9.6d-1" || m["PackageSource"] != "dpkg" || m["Raw"] != "dpkg package openssl 0.9.6d-1" {
		t.Errorf("openssl event %v", m)
	}
	if _, ok := c.find(event.FormatHostPackage, "PackageName", "nfs-common"); ok {
		t.Error("a package with only its configuration files left was reported as installed")
	}
	if ps := c.problemsIn(AreaPackages); len(ps) != 0 {
		t.Errorf("problems = %v", ps)
	}
}

func TestCollectNoPackageDatabase(t *testing.T) {
	c := collect(t, fakeRoot(t, map[string]string{"etc/": ""}), Targets{})
	ps := c.problemsIn(AreaPackages)
	if len(ps) != 1 || !strings.Contains(ps[0].Err.Error(), "no package database found") {
		t.Errorf("problems = %v, want one saying no package database was found", ps)
	}
}
