package host

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// rpmEntry is one tag of a test header; value is a string or an int32.
type rpmEntry struct {
	tag   uint32
	value any
}

// buildRPMHeader lays out a header blob the way rpmdb.sqlite stores it.
func buildRPMHeader(entries ...rpmEntry) []byte {
	var index, data bytes.Buffer
	for _, e := range entries {
		var typ uint32
		off := uint32(data.Len())
		switch v := e.value.(type) {
		case string:
			typ = rpmTypeString
			data.WriteString(v)
			data.WriteByte(0)
		case int32:
			for data.Len()%4 != 0 {
				data.WriteByte(0)
			}
			off = uint32(data.Len())
			typ = rpmTypeInt32
			binary.Write(&data, binary.BigEndian, v)
		}
		binary.Write(&index, binary.BigEndian, [4]uint32{e.tag, typ, off, 1})
	}
	var blob bytes.Buffer
	binary.Write(&blob, binary.BigEndian, [2]uint32{uint32(len(entries)), uint32(data.Len())})
	blob.Write(index.Bytes())
	blob.Write(data.Bytes())
	return blob.Bytes()
}

func opensslHeader() []byte {
	return buildRPMHeader(
		rpmEntry{rpmTagName, "openssl"},
		rpmEntry{1004, "Secure Sockets Layer toolkit"}, // SUMMARY, ignored
		rpmEntry{rpmTagVersion, "0.9.6b"},
		rpmEntry{rpmTagRelease, "28"},
	)
}

func TestParseRPMHeader(t *testing.T) {
	withEpoch := buildRPMHeader(rpmEntry{rpmTagEpoch, int32(1)}, rpmEntry{rpmTagName, "openssl-libs"},
		rpmEntry{rpmTagVersion, "3.0.7"}, rpmEntry{rpmTagRelease, "27.el9"})
	withMagic := append([]byte{0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0}, opensslHeader()...)
	truncated := opensslHeader()[:30]
	badOffset := opensslHeader()
	binary.BigEndian.PutUint32(badOffset[8+8:], 1<<30) // NAME's offset far beyond the data
	unterminated := buildRPMHeader(rpmEntry{rpmTagName, "openssl"}, rpmEntry{rpmTagVersion, "1"})
	unterminated = unterminated[:len(unterminated)-1]
	binary.BigEndian.PutUint32(unterminated[4:], binary.BigEndian.Uint32(unterminated[4:])-1)
	wrongType := buildRPMHeader(rpmEntry{rpmTagName, int32(5)}, rpmEntry{rpmTagVersion, "1"})
	tests := []struct {
		name    string
		blob    []byte
		want    string
		wantErr bool
	}{
		{"name version release", opensslHeader(), "openssl 0.9.6b-28", false},
		{"epoch", withEpoch, "openssl-libs 1:3.0.7-27.el9", false},
		{"package file magic", withMagic, "openssl 0.9.6b-28", false},
		{"truncated", truncated, "", true},
		{"offset beyond data", badOffset, "", true},
		{"unterminated string", unterminated, "", true},
		{"integer where a name belongs", wrongType, "", true},
		{"no name", buildRPMHeader(rpmEntry{rpmTagVersion, "1"}), "", true},
		{"empty", nil, "", true},
		{"absurd counts", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseRPMHeader(tt.blob)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, errRPMHeader) {
					t.Errorf("error %v does not wrap errRPMHeader", err)
				}
				return
			}
			if got := p.Name + " " + p.FullVersion(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParseRPMHeader(f *testing.F) {
	f.Add(opensslHeader())
	f.Add(buildRPMHeader(rpmEntry{rpmTagEpoch, int32(2)}, rpmEntry{rpmTagName, "x"}, rpmEntry{rpmTagVersion, "1"}))
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, blob []byte) {
		p, err := parseRPMHeader(blob)
		if err == nil && (p.Name == "" || p.Version == "") {
			t.Errorf("accepted a header without name or version: %+v", p)
		}
	})
}

func TestParseRPMPkgsLine(t *testing.T) {
	tests := []struct {
		line, want string
		ok         bool
	}{
		{"openssl-0.9.6b-28.i386.rpm", "openssl 0.9.6b 28", true},
		{"mod_ssl-2.8.5-4.i386.rpm", "mod_ssl 2.8.5 4", true},
		{"nfs-utils-0.3.3-5.i386.rpm", "nfs-utils 0.3.3 5", true},
		{"glibc-common-2.2.5-34.noarch.rpm\r", "glibc-common 2.2.5 34", true},
		{"openssl-0.9.6b.i386.rpm", "", false},
		{"openssl", "", false},
		{"-1-2.i386.rpm", "", false},
		{"a b-1-2.i386.rpm", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		p, ok := parseRPMPkgsLine(tt.line)
		if ok != tt.ok {
			t.Errorf("parseRPMPkgsLine(%q) ok = %v, want %v", tt.line, ok, tt.ok)
			continue
		}
		if ok && p.Name+" "+p.Version+" "+p.Release != tt.want {
			t.Errorf("parseRPMPkgsLine(%q) = %+v, want %q", tt.line, p, tt.want)
		}
	}
}

// makeRPMDB writes an rpmdb.sqlite with the given header blobs, as rpm 4.16+ lays it out.
func makeRPMDB(t *testing.T, path string, blobs ...[]byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, b := range blobs {
		if _, err := db.Exec(`INSERT INTO Packages (blob) VALUES (?)`, b); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCollectRPMSQLite(t *testing.T) {
	root := fakeRoot(t, map[string]string{"var/lib/rpm": "->../../usr/lib/sysimage/rpm"})
	makeRPMDB(t, filepath.Join(root, "usr/lib/sysimage/rpm/rpmdb.sqlite"),
		opensslHeader(),
		buildRPMHeader(rpmEntry{rpmTagName, "nfs-utils"}, rpmEntry{rpmTagVersion, "2.5.4"}, rpmEntry{rpmTagRelease, "20.el9"}, rpmEntry{rpmTagEpoch, int32(1)}),
		[]byte("not a header"))
	before := snapshot(t, root)
	c := collect(t, root, Targets{})
	if after := snapshot(t, root); len(after) != len(before) {
		t.Errorf("reading the rpm database changed the root: %d paths before, %d after", len(before), len(after))
	}
	tests := []struct{ name, version string }{
		{"openssl", "0.9.6b-28"},
		{"nfs-utils", "1:2.5.4-20.el9"},
	}
	for _, tt := range tests {
		m, ok := c.find(event.FormatHostPackage, "PackageName", tt.name)
		if !ok || m["PackageVersion"] != tt.version || m["PackageSource"] != "rpm" {
			t.Errorf("package %s = %v, want version %s from rpm", tt.name, m, tt.version)
		}
	}
	if n := len(c.ofFormat(event.FormatHostPackage)); n != 2 {
		t.Errorf("%d packages, want 2 (the database is read once through the link)", n)
	}
	ps := c.problemsIn(AreaPackages)
	if len(ps) != 1 || !strings.Contains(ps[0].Err.Error(), "1 package headers could not be parsed") {
		t.Errorf("problems = %v, want one about the bad header", ps)
	}
}

func TestCollectRPMOther(t *testing.T) {
	tests := []struct {
		name        string
		tree        map[string]string
		wantPackage string
		wantProblem string
	}{
		{"berkeley db", map[string]string{"var/lib/rpm/Packages": "\x00\x06\x15\x61"}, "", "Berkeley DB"},
		{"rpmpkgs list", map[string]string{"var/log/rpmpkgs": "openssl-0.9.6b-28.i386.rpm\nnfs-utils-0.3.3-5.i386.rpm\n"}, "openssl 0.9.6b-28", ""},
		{"not a database", map[string]string{"var/lib/rpm/rpmdb.sqlite": "plain text"}, "", "rpm database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collect(t, fakeRoot(t, tt.tree), Targets{})
			if tt.wantPackage != "" {
				name, version, _ := strings.Cut(tt.wantPackage, " ")
				m, ok := c.find(event.FormatHostPackage, "PackageName", name)
				if !ok || m["PackageVersion"] != version {
					t.Errorf("packages %v, want %s", c.ofFormat(event.FormatHostPackage), tt.wantPackage)
				}
			}
			ps := c.problemsIn(AreaPackages)
			if tt.wantProblem == "" {
				if len(ps) != 0 {
					t.Errorf("problems = %v", ps)
				}
				return
			}
			if len(ps) != 1 || !strings.Contains(ps[0].Err.Error(), tt.wantProblem) {
				t.Errorf("problems = %v, want one mentioning %q", ps, tt.wantProblem)
			}
		})
	}
}
