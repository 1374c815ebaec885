package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/testenv"
)

// published makes a key and publishes the built-in advisories with it; it returns the tree and
// a keyring file with the public key.
func published(t *testing.T) (out, keyring string) {
	t.Helper()
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	if err := os.WriteFile(pass, []byte("a passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "key.asc")
	if r := keikai(t, "", "key", "generate", "--name", "Test CSIRT", "--email", "csirt@example.org", "--key", key, "--passphrase-file", pass); r.code != exitClean {
		t.Fatalf("key generate: %d %s", r.code, r.stderr)
	}
	if r := keikai(t, "", "key", "generate", "--name", "X", "--email", "x@example.org", "--key", key, "--passphrase-file", pass); r.code != exitError || !strings.Contains(r.stderr, "never overwrites") {
		t.Errorf("key generate over an existing key: %d %s", r.code, r.stderr)
	}
	r := keikai(t, "", "key", "export", "--key", key)
	if r.code != exitClean || !strings.Contains(r.stdout, "BEGIN PGP PUBLIC KEY BLOCK") {
		t.Fatalf("key export: %d %s", r.code, r.stderr)
	}
	keyring = filepath.Join(dir, "pub.asc")
	if err := os.WriteFile(keyring, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	out = filepath.Join(dir, "out")
	r = keikai(t, "", "advisory", "publish", "--out", out, "--base-url", "https://csirt.example.org", "--contact", "mailto:csirt@example.org",
		"--key", key, "--passphrase-file", pass)
	if r.code != exitClean {
		t.Fatalf("publish: %d %s", r.code, r.stderr)
	}
	return out, keyring
}

// The statd and Slapper bundles, published and signed, run on a fake root and find what the
// advisories describe; one changed byte in a bundle and nothing runs.
func TestCheckWithSignedAdvisoryBundles(t *testing.T) {
	out, keyring := published(t)
	bundles := filepath.Join(t.TempDir(), "bundles")
	if err := os.MkdirAll(bundles, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"JPCERT-E-INF-98-0001.e01.rules.json", "JPCERT-AT-2002-0006.e02.rules.json"} {
		for _, ext := range []string{"", ".asc"} {
			data, err := os.ReadFile(filepath.Join(out, "bundles", name+ext))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(bundles, name+ext), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	root := fakeRoot(t, infectedFiles(), map[string]string{"proc/4242/exe": "/tmp/.bugtraq"})
	r := keikai(t, "", "check", "--root", root, "--format", "json", "--tz", "UTC", "--advisories", bundles, "--keyring", keyring)
	if r.code != exitFindings {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "JPCERT-E-INF-98-0001 expired on 1998-03-06") {
		t.Errorf("the expired statd advisory is not reported:\n%s", r.stderr)
	}
	var doc checkDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	found := map[string]int{}
	for _, f := range doc.Findings {
		for _, a := range f.Advisories {
			found[a]++
		}
	}
	for _, id := range []string{"JPCERT-E-INF-98-0001", "JPCERT-AT-2002-0006"} {
		if found[id] == 0 {
			t.Errorf("no finding of %s:\n%s", id, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "0.9.6g") {
		t.Error("the Slapper countermeasures did not come with the findings")
	}

	p := filepath.Join(bundles, "JPCERT-E-INF-98-0001.e01.rules.json")
	data, _ := os.ReadFile(p)
	i := bytes.Index(data, []byte("statmon"))
	data[i] = 'S'
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r = keikai(t, "", "check", "--root", root, "--format", "json", "--advisories", bundles, "--keyring", keyring)
	if r.code != exitError || !strings.Contains(r.stderr, "tampered") || r.stdout != "" {
		t.Errorf("tampered bundle: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	r = keikai(t, "", "analyze", "--advisories", bundles, "--keyring", keyring, "-")
	if r.code != exitError || !strings.Contains(r.stderr, "tampered") {
		t.Errorf("analyze with a tampered bundle: exit %d, stderr %s", r.code, r.stderr)
	}
}

func TestAdvisoryVerify(t *testing.T) {
	out, keyring := published(t)
	text := filepath.Join(out, "advisories", "JPCERT-AT-2002-0006", "ja.txt")
	r := keikai(t, "", "advisory", "verify", "--keyring", keyring, text)
	if r.code != exitClean || !strings.Contains(r.stdout, "good signature by Test CSIRT <csirt@example.org>") {
		t.Fatalf("verify: %d %s %s", r.code, r.stdout, r.stderr)
	}
	data, _ := os.ReadFile(text)
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, bytes.Replace(data, []byte("0.9.6g"), []byte("0.9.6h"), 1), 0o644)
	r = keikai(t, "", "advisory", "verify", "--keyring", keyring, bad)
	if r.code != exitFindings || !strings.Contains(r.stdout, "BAD") {
		t.Errorf("verify of a changed text: %d %s", r.code, r.stdout)
	}
}

func TestAdvisoryLint(t *testing.T) {
	r := keikai(t, "", "advisory", "lint")
	if r.code != exitClean {
		t.Fatalf("built-in advisories: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = keikai(t, "", "advisory", "lint", "--dir", filepath.Join("..", "advisory", "testdata", "lint", "expiry-before-issue"))
	if r.code != exitFindings || !strings.Contains(r.stdout, "advisory.yml:11: expires 1998-02-01 is before the issue date") {
		t.Errorf("lint of a broken advisory: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestAdvisoryRender(t *testing.T) {
	r := keikai(t, "", "advisory", "render", "--lang", "ja", "--charset", "iso-2022-jp", "JPCERT-E-INF-98-0001")
	if r.code != exitClean || !strings.Contains(r.stdout, "\x1b$B") || !strings.Contains(r.stdout, "JPCERT-E-INF-98-0001-01") {
		t.Errorf("render ISO-2022-JP: %d %q", r.code, r.stderr)
	}
	r = keikai(t, "", "advisory", "render", "--key", "k", "JPCERT-E-INF-98-0001")
	if r.code != exitError {
		t.Errorf("render with a missing key: %d", r.code)
	}
	r = keikai(t, "", "advisory", "render", "NOPE")
	if r.code != exitError || !strings.Contains(r.stderr, "JPCERT-AT-2002-0006") {
		t.Errorf("unknown ID: %d %s", r.code, r.stderr)
	}
}

func TestAdvisoryNew(t *testing.T) {
	dir := t.TempDir()
	r := keikai(t, "", "advisory", "new", "--dir", dir, "--kind", "alert", "--issuer", "Test CSIRT", "X-2026-0001")
	if r.code != exitClean {
		t.Fatalf("new: %d %s", r.code, r.stderr)
	}
	r = keikai(t, "", "advisory", "lint", "--dir", dir)
	if r.code != exitFindings || !strings.Contains(r.stdout, "still says TODO") {
		t.Errorf("lint of a fresh skeleton: %d\n%s", r.code, r.stdout)
	}
	r = keikai(t, "", "advisory", "new", "--dir", dir, "--kind", "alert", "--issuer", "Test CSIRT", "X-2026-0001")
	if r.code != exitError {
		t.Errorf("new over an existing advisory: %d", r.code)
	}
	r = keikai(t, "", "advisory", "new", "--dir", dir, "--kind", "alert", "--issuer", "T", "../escape")
	if r.code != exitError {
		t.Errorf("new with a path as ID: %d", r.code)
	}
}

func TestAdvisoryNewFromStats(t *testing.T) {
	dir := t.TempDir()
	stats := filepath.Join(dir, "stats.json")
	os.WriteFile(stats, []byte(`{"from":"2000-04-01T00:00:00+09:00","to":"2000-07-01T00:00:00+09:00","total":718,"categories":{"probe":610,"mail-relay":27,"forged-mail":30,"intrusion":32,"dos":8,"worm":4,"other":7}}`), 0o644)
	advs := filepath.Join(dir, "advisories")
	r := keikai(t, "", "advisory", "new", "--dir", advs, "--kind", "activity-report", "--issuer", "Test CSIRT", "--stats", stats, "PR-2000-0003")
	if r.code != exitClean {
		t.Fatalf("new --stats: %d %s", r.code, r.stderr)
	}
	ja, _ := os.ReadFile(filepath.Join(advs, "PR-2000-0003", "ja.md"))
	if !strings.Contains(string(ja), "報告の件数は 718 件でした") {
		t.Errorf("draft:\n%s", ja)
	}
	r = keikai(t, "", "advisory", "new", "--dir", advs, "--kind", "alert", "--issuer", "T", "--stats", stats, "X")
	if r.code != exitError {
		t.Errorf("--stats with an alert: %d", r.code)
	}
}

func TestAdvisoryVerifyDetached(t *testing.T) {
	out, keyring := published(t)
	doc := filepath.Join(out, ".well-known", "csaf", "white", "2002", "jpcert-at-2002-0006.json")
	r := keikai(t, "", "advisory", "verify", "--keyring", keyring, doc, filepath.Join(out, "bundles", "JPCERT-AT-2002-0006.e02.rules.json"))
	if r.code != exitClean || strings.Count(r.stdout, "good signature") != 2 {
		t.Fatalf("verify CSAF and bundle: %d %s %s", r.code, r.stdout, r.stderr)
	}
	data, _ := os.ReadFile(doc)
	os.WriteFile(doc, bytes.Replace(data, []byte("0.9.6g"), []byte("0.9.6h"), 1), 0o644)
	r = keikai(t, "", "advisory", "verify", "--keyring", keyring, doc)
	if r.code != exitFindings || !strings.Contains(r.stdout, "does not match jpcert-at-2002-0006.json.sha") {
		t.Errorf("changed CSAF: %d %s", r.code, r.stdout)
	}
	os.Remove(doc + ".sha256")
	os.Remove(doc + ".sha512")
	r = keikai(t, "", "advisory", "verify", "--keyring", keyring, doc)
	if r.code != exitFindings || !strings.Contains(r.stdout, "signature does not match") {
		t.Errorf("changed CSAF without hashes: %d %s", r.code, r.stdout)
	}
}

// GnuPG, a judge keikai did not write, accepts everything keikai publishes: the clearsigned
// texts (UTF-8 and ISO-2022-JP), security.txt, and the detached signatures of the CSAF documents
// and rule bundles; and refuses a text with one changed byte.
func TestPublishedTreeVerifiesWithGnuPG(t *testing.T) {
	gpg := testenv.Command(t, "gpg", "gnupg")
	out, keyring := published(t)
	home, err := os.MkdirTemp("", "kg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if conf, err := exec.LookPath("gpgconf"); err == nil {
			kill := exec.Command(conf, "--kill", "gpg-agent")
			kill.Env = append(os.Environ(), "GNUPGHOME="+home)
			kill.Run()
		}
		os.RemoveAll(home)
	})
	run := func(args ...string) error {
		cmd := exec.Command(gpg, append([]string{"--batch", "--no-tty"}, args...)...)
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%v: %s", err, msg)
		}
		return nil
	}
	if err := run("--import", keyring); err != nil {
		t.Fatal(err)
	}
	var checked int
	err = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".txt") && !strings.HasSuffix(p, "index.txt"):
			checked++
			if err := run("--verify", p); err != nil {
				t.Errorf("gpg --verify %s: %v", p, err)
			}
		case strings.HasSuffix(p, ".asc") && !strings.Contains(p, "openpgp"):
			checked++
			if err := run("--verify", p, strings.TrimSuffix(p, ".asc")); err != nil {
				t.Errorf("gpg --verify %s: %v", p, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 17 { // 9 texts, security.txt, 3 CSAF, 3 bundles, provider metadata
		t.Errorf("only %d signed files checked", checked)
	}
	text := filepath.Join(out, "advisories", "JPCERT-E-INF-98-0001", "ja.iso-2022-jp.txt")
	data, _ := os.ReadFile(text)
	i := bytes.Index(data, []byte("statd"))
	data[i] = 'S'
	os.WriteFile(text, data, 0o644)
	if err := run("--verify", text); err == nil {
		t.Error("gpg accepted an ISO-2022-JP text with a changed byte")
	}
}

func TestCheckWithUnsignedBundle(t *testing.T) {
	out, keyring := published(t)
	bundles := t.TempDir()
	name := "JPCERT-AT-2002-0006.e02.rules.json"
	data, err := os.ReadFile(filepath.Join(out, "bundles", name))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(bundles, name), data, 0o644)
	root := fakeRoot(t, infectedFiles(), nil)
	r := keikai(t, "", "check", "--root", root, "--format", "json", "--advisories", bundles, "--keyring", keyring)
	if r.code != exitError || !strings.Contains(r.stderr, "unsigned") || !strings.Contains(r.stderr, "--insecure") {
		t.Errorf("unsigned bundle: exit %d, %s", r.code, r.stderr)
	}
	r = keikai(t, "", "check", "--root", root, "--format", "json", "--advisories", bundles, "--insecure")
	if r.code != exitFindings || !strings.Contains(r.stderr, "not signed") || !strings.Contains(r.stderr, "UNSIGNED") {
		t.Errorf("unsigned bundle with --insecure: exit %d, %s", r.code, r.stderr)
	}
	r = keikai(t, "", "check", "--root", root, "--insecure")
	if r.code != exitError || !strings.Contains(r.stderr, "go with --advisories") {
		t.Errorf("--insecure without --advisories: exit %d, %s", r.code, r.stderr)
	}
}

// validate reads anyone's CSAF documents: keikai's pass; a broken one fails with the CSAF test ID
// and the JSON path of each problem; verify validates the CSAF documents it checks the signature of.
func TestAdvisoryValidate(t *testing.T) {
	out, keyring := published(t)
	docs, _ := filepath.Glob(filepath.Join(out, ".well-known", "csaf", "white", "*", "*.json"))
	if len(docs) != 3 {
		t.Fatalf("CSAF documents: %v", docs)
	}
	r := keikai(t, "", append([]string{"advisory", "validate"}, docs...)...)
	if r.code != exitClean || strings.Count(r.stdout, "valid CSAF 2.0 (") != 3 {
		t.Fatalf("validate keikai's documents: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	doc := filepath.Join(out, ".well-known", "csaf", "white", "2002", "jpcert-at-2002-0006.json")
	data, _ := os.ReadFile(doc)
	var d map[string]any
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	d["document"].(map[string]any)["tracking"].(map[string]any)["version"] = "3"
	d["vulnerabilities"].([]any)[0].(map[string]any)["product_status"].(map[string]any)["fixed"] = []any{"NO-SUCH-PRODUCT"}
	broken, _ := json.Marshal(d)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, broken, 0o644)
	r = keikai(t, "", "advisory", "validate", bad)
	for _, want := range []string{
		"6.1.1 /vulnerabilities/0/product_status/fixed/0: product ID \"NO-SUCH-PRODUCT\" is not defined",
		"6.1.16 /document/tracking/version:",
		"INVALID: 2 problems (tests 6.1.1, 6.1.16)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("validate a broken document lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != exitFindings {
		t.Errorf("validate a broken document: exit %d, want %d", r.code, exitFindings)
	}
	os.WriteFile(bad, []byte(`{"document": `), 0o644)
	if r = keikai(t, "", "advisory", "validate", bad); r.code != exitFindings || !strings.Contains(r.stdout, "not JSON") {
		t.Errorf("validate truncated JSON: %d %s", r.code, r.stdout)
	}
	if r = keikai(t, "", "advisory", "validate", filepath.Join(out, "missing.json")); r.code != exitError {
		t.Errorf("validate a missing file: %d %s", r.code, r.stderr)
	}
	if r = keikai(t, "", "advisory", "validate"); r.code != exitError {
		t.Errorf("validate without files: %d", r.code)
	}
	r = keikai(t, "", "advisory", "verify", "--keyring", keyring, doc)
	if r.code != exitClean || !strings.Contains(r.stdout, "good signature") || !strings.Contains(r.stdout, "valid CSAF 2.0 (csaf_security_incident_response, JPCERT-AT-2002-0006 version 2)") {
		t.Errorf("verify validates CSAF: %d %s", r.code, r.stdout)
	}
}
