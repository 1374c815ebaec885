package sign

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/testenv"
)

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// text has what a clearsignature must survive: Japanese, a line that starts with a dash (dash-
// escaped), a "From " line, and an empty line.
const text = "======================================================================\nJPCERT-E-INF-98-0001-01\n\n  いくつかの OS に標準で含まれている statd プログラム\n- dash line\nFrom the log:\n"

// gnupg is a throw-away GnuPG home. Its path is short because gpg-agent's socket lives there.
type gnupg struct {
	t    *testing.T
	gpg  string
	home string
}

func newGnuPG(t *testing.T) *gnupg {
	t.Helper()
	gpg := testenv.Command(t, "gpg", "gnupg")
	home, err := os.MkdirTemp("", "kg")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	g := &gnupg{t: t, gpg: gpg, home: home}
	t.Cleanup(func() {
		if conf, err := exec.LookPath("gpgconf"); err == nil {
			cmd := exec.Command(conf, "--kill", "gpg-agent")
			cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
			_ = cmd.Run()
		}
		os.RemoveAll(home)
	})
	return g
}

func (g *gnupg) run(stdin []byte, args ...string) ([]byte, error) {
	g.t.Helper()
	cmd := exec.Command(g.gpg, append([]string{"--batch", "--no-tty", "--pinentry-mode", "loopback"}, args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+g.home)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		return out.Bytes(), errors.New(errOut.String())
	}
	return out.Bytes(), nil
}

func (g *gnupg) must(stdin []byte, args ...string) []byte {
	g.t.Helper()
	out, err := g.run(stdin, args...)
	if err != nil {
		g.t.Fatalf("gpg %v: %v", args, err)
	}
	return out
}

func (g *gnupg) file(name string, data []byte) string {
	p := filepath.Join(g.home, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		g.t.Fatal(err)
	}
	return p
}

func flipByte(data []byte, marker string) []byte {
	out := bytes.Clone(data)
	i := bytes.Index(out, []byte(marker))
	out[i] ^= 0x01
	return out
}

func TestKeikaiSignsGnuPGVerifies(t *testing.T) {
	g := newGnuPG(t)
	priv, s, err := Generate("Test CSIRT", "csirt@example.org", []byte("correct horse"), now)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(priv, []byte("PRIVATE KEY BLOCK")) {
		t.Fatalf("private key not armored: %.60s", priv)
	}
	pub, err := s.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	g.must(pub, "--import")
	signed, err := s.Clearsign([]byte(text), now)
	if err != nil {
		t.Fatal(err)
	}
	out, err := g.run(nil, "--status-fd", "1", "--verify", g.file("good.txt", signed))
	if err != nil || !bytes.Contains(out, []byte("VALIDSIG "+s.Fingerprint())) {
		t.Fatalf("gpg --verify refused keikai's clearsignature: %v\n%s\n%s", err, out, signed)
	}
	plain := g.must(nil, "--decrypt", g.file("good2.txt", signed))
	if string(plain) != text {
		t.Errorf("gpg recovered %q, want %q", plain, text)
	}
	if _, err := g.run(nil, "--verify", g.file("bad.txt", flipByte(signed, "statd"))); err == nil {
		t.Error("gpg --verify accepted a clearsigned text with a changed byte")
	}

	data := []byte(`{"document":{"title":"x"}}`)
	sig, err := s.DetachSign(data, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.run(nil, "--verify", g.file("d.asc", sig), g.file("d.json", data)); err != nil {
		t.Errorf("gpg --verify refused keikai's detached signature: %v", err)
	}
	if _, err := g.run(nil, "--verify", g.file("d.asc", sig), g.file("d.json", flipByte(data, "title"))); err == nil {
		t.Error("gpg accepted a detached signature over changed data")
	}

	// The stored key is encrypted: it unlocks with the passphrase and only with it.
	if _, err := Unlock(priv, []byte("wrong")); !errors.Is(err, ErrPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	again, err := Unlock(priv, []byte("correct horse"))
	if err != nil || again.Fingerprint() != s.Fingerprint() {
		t.Fatalf("unlock: %v", err)
	}
	// GnuPG can import the private key with the same passphrase.
	g.must([]byte("correct horse\n"), "--passphrase-fd", "0", "--import", g.file("priv.asc", priv))
}

func TestGnuPGSignsKeikaiVerifies(t *testing.T) {
	g := newGnuPG(t)
	g.must(nil, "--passphrase", "", "--quick-gen-key", "Other CSIRT <other@example.org>", "ed25519", "sign", "never")
	signed := g.must([]byte(text), "--clearsign", "--armor")
	pub := g.must(nil, "--export", "--armor")
	kr, err := ReadKeyring(pub)
	if err != nil {
		t.Fatal(err)
	}
	v, err := kr.VerifyClearsigned(signed)
	if err != nil {
		t.Fatalf("keikai refused GnuPG's clearsignature: %v\n%s", err, signed)
	}
	if string(v.Text) != strings.TrimSuffix(text, "\n") && string(v.Text) != text {
		t.Errorf("text %q", v.Text)
	}
	if v.Signer != "Other CSIRT <other@example.org>" || len(v.Fingerprint) != 40 {
		t.Errorf("signer %q fingerprint %q", v.Signer, v.Fingerprint)
	}
	if _, err := kr.VerifyClearsigned(flipByte(signed, "statd")); !errors.Is(err, ErrBadSignature) {
		t.Errorf("a changed byte: %v, want ErrBadSignature", err)
	}
	binary := g.must(nil, "--export")
	if _, err := ReadKeyring(binary); err != nil {
		t.Errorf("binary keyring: %v", err)
	}

	// A key made by keikai is not in this keyring.
	_, other, err := Generate("Stranger", "s@example.org", []byte("p"), now)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.Clearsign([]byte(text), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.VerifyClearsigned(foreign); !errors.Is(err, ErrUnknownSigner) {
		t.Errorf("unknown signer: %v", err)
	}
	if _, err := kr.VerifyClearsigned([]byte(text)); !errors.Is(err, ErrNotSigned) {
		t.Errorf("unsigned: %v", err)
	}

	// A GnuPG private key imports into keikai's store and signs what GnuPG accepts.
	secret := g.must(nil, "--passphrase", "", "--export-secret-keys", "--armor")
	stored, s, err := Import(secret, nil, []byte("new pass"), now)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if _, err := Unlock(stored, []byte("new pass")); err != nil {
		t.Fatalf("unlock imported: %v", err)
	}
	signed2, err := s.Clearsign([]byte(text), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.run(nil, "--verify", g.file("k.txt", signed2)); err != nil {
		t.Errorf("gpg refused a text signed with its own key imported into keikai: %v", err)
	}
}

func FuzzVerifyClearsigned(f *testing.F) {
	_, s, err := Generate("Fuzz", "f@example.org", []byte("p"), now)
	if err != nil {
		f.Fatal(err)
	}
	pub, _ := s.PublicKey()
	kr, err := ReadKeyring(pub)
	if err != nil {
		f.Fatal(err)
	}
	signed, _ := s.Clearsign([]byte(text), now)
	f.Add(signed)
	f.Add([]byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nx\n-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := kr.VerifyClearsigned(data)
		if err == nil && v == nil {
			t.Fatal("nil result without error")
		}
	})
}

func FuzzVerifyDetached(f *testing.F) {
	_, s, err := Generate("Fuzz", "f@example.org", []byte("p"), now)
	if err != nil {
		f.Fatal(err)
	}
	pub, _ := s.PublicKey()
	kr, err := ReadKeyring(pub)
	if err != nil {
		f.Fatal(err)
	}
	sig, _ := s.DetachSign([]byte("data"), now)
	f.Add([]byte("data"), sig)
	f.Add([]byte("data"), []byte("-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n"))
	f.Fuzz(func(t *testing.T, data, sig []byte) {
		v, err := kr.VerifyDetached(data, sig)
		if err == nil && (v == nil || string(v.Text) != string(data)) {
			t.Fatal("good signature without the signed data")
		}
	})
}

func FuzzReadKeyring(f *testing.F) {
	_, s, err := Generate("Fuzz", "f@example.org", []byte("p"), now)
	if err != nil {
		f.Fatal(err)
	}
	pub, _ := s.PublicKey()
	f.Add(pub)
	f.Fuzz(func(t *testing.T, data []byte) {
		ReadKeyring(data) // must not panic
	})
}
