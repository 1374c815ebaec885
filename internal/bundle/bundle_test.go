package bundle

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/advisories"
	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/sign"
	"github.com/keikai-project/keikai/rules"
)

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type fixture struct {
	advs    *advisory.Collection
	set     *sigma.Set
	signer  *sign.Signer
	keyring *sign.Keyring
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	advs, err := advisory.LoadFS(advisories.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	_, s, err := sign.Generate("Test CSIRT", "csirt@example.org", []byte("p"), now)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := s.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	kr, err := sign.ReadKeyring(pub)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{advs, set, s, kr}
}

// write builds and signs the bundle of advisory id into dir; it returns the bundle's path.
func (f *fixture) write(t *testing.T, dir, id string, a *advisory.Advisory) string {
	t.Helper()
	if a == nil {
		a, _ = f.advs.Lookup(id)
	}
	data, err := Build(a, f.set, func(name string) ([]byte, error) { return fs.ReadFile(rules.FS, name) })
	if err != nil {
		t.Fatal(err)
	}
	sig, err := f.signer.DetachSign(data, now)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, FileName(a.ID, a.Latest().Number))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p+".asc", sig, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadVerified(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	f.write(t, dir, "JPCERT-E-INF-98-0001", nil)
	f.write(t, dir, "JPCERT-AT-2002-0006", nil)
	f.write(t, dir, "JPCERT-PR-2000-0003", nil)
	var warnings []string
	res, err := LoadDir(dir, Options{Keyring: f.keyring, Now: now, Warn: func(s string) { warnings = append(warnings, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Bundles) != 3 {
		t.Fatalf("%d bundles", len(res.Bundles))
	}
	for _, b := range res.Bundles {
		if b.Signer == nil || b.Signer.Fingerprint != f.signer.Fingerprint() {
			t.Errorf("%s: signer %+v", b.Advisory, b.Signer)
		}
		if want := b.Advisory == "JPCERT-E-INF-98-0001"; b.Expired != want {
			t.Errorf("%s: expired %v, want %v", b.Advisory, b.Expired, want)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "JPCERT-E-INF-98-0001 expired on 1998-03-06") {
		t.Errorf("warnings %q", warnings)
	}
	// Every rule the advisories link is in the set, each once although files are shared.
	have := map[string]int{}
	for _, r := range append(res.Rules.Rules, res.Rules.Unsupported...) {
		have[r.ID]++
	}
	for _, a := range f.advs.Advisories {
		for _, id := range a.Rules {
			if have[id] != 1 {
				t.Errorf("%s: rule %s loaded %d times", a.ID, id, have[id])
			}
		}
	}
	if cm := res.Advisories().Countermeasures([]string{"JPCERT-AT-2002-0006"}); len(cm) != 4 {
		t.Errorf("countermeasures from the bundle: %d", len(cm))
	}
}

func TestLoadRefuses(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		opts  func(o *Options)
		want  error
		says  string
	}{
		{"one changed byte", func(t *testing.T, dir string) {
			p := f.write(t, dir, "JPCERT-AT-2002-0006", nil)
			data, _ := os.ReadFile(p)
			i := bytes.Index(data, []byte(".bugtraq"))
			data[i+1] ^= 0x20
			os.WriteFile(p, data, 0o644)
		}, nil, ErrTampered, "signature does not match"},
		{"edition in the manifest changed", func(t *testing.T, dir string) {
			p := f.write(t, dir, "JPCERT-E-INF-98-0001", nil)
			data, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.Replace(data, []byte(`"edition": 1`), []byte(`"edition": 9`), 1), 0o644)
		}, nil, ErrTampered, ""},
		{"signature missing", func(t *testing.T, dir string) {
			p := f.write(t, dir, "JPCERT-AT-2002-0006", nil)
			os.Remove(p + ".asc")
		}, nil, ErrUnsigned, ".asc is missing"},
		{"signed by a stranger", func(t *testing.T, dir string) {
			p := f.write(t, dir, "JPCERT-AT-2002-0006", nil)
			_, other, _ := sign.Generate("Stranger", "s@example.org", []byte("p"), now)
			data, _ := os.ReadFile(p)
			sig, _ := other.DetachSign(data, now)
			os.WriteFile(p+".asc", sig, 0o644)
		}, nil, ErrUnsigned, "not in the keyring"},
		{"older edition beside a newer one", func(t *testing.T, dir string) {
			a, _ := f.advs.Lookup("JPCERT-AT-2002-0006")
			first := *a
			first.Editions = a.Editions[:1]
			f.write(t, dir, "", &first)
			f.write(t, dir, "JPCERT-AT-2002-0006", nil)
		}, nil, ErrSuperseded, "superseded by edition 2"},
		{"no keyring", func(t *testing.T, dir string) {
			f.write(t, dir, "JPCERT-AT-2002-0006", nil)
		}, func(o *Options) { o.Keyring = nil }, ErrUnsigned, "--keyring"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			o := Options{Keyring: f.keyring, Now: now}
			if tt.opts != nil {
				tt.opts(&o)
			}
			res, err := LoadDir(dir, o)
			if !errors.Is(err, tt.want) || res != nil {
				t.Fatalf("err = %v, want %v and no result", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
		})
	}
}

func TestInsecureRunsUnsignedWithWarning(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	p := f.write(t, dir, "JPCERT-AT-2002-0006", nil)
	os.Remove(p + ".asc")
	var warnings []string
	res, err := LoadDir(dir, Options{Insecure: true, Now: now, Warn: func(s string) { warnings = append(warnings, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bundles[0].Signer != nil || len(warnings) == 0 || !strings.Contains(warnings[0], "not signed") {
		t.Errorf("signer %v, warnings %q", res.Bundles[0].Signer, warnings)
	}
	// Unsigned, the manifest's hashes still guard the rules against a damaged copy.
	data, _ := os.ReadFile(p)
	damaged := bytes.Replace(data, []byte("detection:"), []byte("detectiom:"), 1)
	os.WriteFile(p, damaged, 0o644)
	if _, err := LoadDir(dir, Options{Insecure: true, Now: now}); !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("unsigned bundle with a changed rule: %v", err)
	}
	// --insecure does not excuse a signature that is present and bad.
	f.write(t, dir, "JPCERT-AT-2002-0006", nil)
	data, _ = os.ReadFile(p)
	data[100] ^= 1
	os.WriteFile(p, data, 0o644)
	if _, err := LoadDir(dir, Options{Insecure: true, Keyring: f.keyring, Now: now}); !errors.Is(err, ErrTampered) {
		t.Errorf("tampered bundle under --insecure: %v", err)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte(`{"format":"keikai-rule-bundle/1","advisory":"X","edition":1,"files":[{"name":"a.yml","sha256":"00","source":"title: x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "x"+Extension)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		LoadDir(dir, Options{Insecure: true, Now: now}) // must not panic
	})
}
