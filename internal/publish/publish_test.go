package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/xml"
	"flag"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/keikai-project/keikai/advisories"
	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/csaf"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/sign"
	"github.com/keikai-project/keikai/internal/testenv"
	"github.com/keikai-project/keikai/rules"
)

var (
	now    = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")
)

// Golden files of the renderings that carry no signature (signatures are salted, so they differ
// on every run): one CSAF document, the pages, a feed and the provider metadata.
func TestGolden(t *testing.T) {
	tr := publishTree(t)
	for _, name := range []string{
		".well-known/csaf/white/2002/jpcert-at-2002-0006.json",
		".well-known/csaf/white/1998/jpcert-e-inf-98-0001.json",
		".well-known/csaf/white/2000/jpcert-pr-2000-0003.json",
		".well-known/csaf/provider-metadata.json",
		".well-known/csaf/feed-tlp-white.json",
		"advisories/JPCERT-AT-2002-0006/ja.html",
		"advisories/JPCERT-E-INF-98-0001/en.html",
		"index.html",
		"feed.en.atom",
	} {
		got, err := os.ReadFile(filepath.Join(tr.dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "golden", strings.NewReplacer("/", "_", ".well-known", "well-known").Replace(name))
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/publish -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run go test ./internal/publish -update after checking the change)\n--- got ---\n%s", name, golden, got)
		}
	}
}

type tree struct {
	dir     string
	signer  *sign.Signer
	keyring *sign.Keyring
	written *Written
}

func publishTree(t *testing.T) tree {
	t.Helper()
	advs, err := advisory.LoadFS(advisories.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	// A fixed key (testdata/test-key.asc, passphrase "test") keeps the golden files stable.
	priv, err := os.ReadFile(filepath.Join("testdata", "test-key.asc"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.Unlock(priv, []byte("test"))
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := s.PublicKey()
	kr, err := sign.ReadKeyring(pub)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	jst, _ := time.LoadLocation("Asia/Tokyo")
	w, err := Publish(advs, out, Options{
		BaseURL:   "https://csirt.example.org",
		Publisher: csaf.Publisher{Name: "Test CSIRT", Namespace: "https://csirt.example.org", ContactDetails: "csirt@example.org"},
		Contact:   "mailto:csirt@example.org",
		Signer:    s, Rules: set,
		ReadRule: func(name string) ([]byte, error) { return fs.ReadFile(rules.FS, name) },
		Engine:   "test", Now: now, Zone: jst,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree{out, s, kr, w}
}

// sharedDir finds the reference data beside the repository: ../shared from the repository root,
// as in CI, or in a directory above it (a worktree).
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "csaf", "csaf_2.0")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			testenv.Missing(t, "the CSAF reference data", "check out the shared/ folder beside the repository")
			return ""
		}
		dir = parent
	}
}

// compiler loads the OASIS schemas from the shared folder, with the FIRST CVSS schemas mapped to
// their local copies: nothing is fetched.
func compiler(t *testing.T, shared string) *jsonschema.Compiler {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	add := func(url, file string) {
		f, err := os.Open(filepath.Join(shared, file))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"2.0", "3.0", "3.1"} {
		add("https://www.first.org/cvss/cvss-v"+v+".json", "referenced_schema/first/cvss-v"+v+".json")
	}
	add("https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "json_schema/csaf_json_schema.json")
	add("https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json", "json_schema/provider_json_schema.json")
	return c
}

func validate(t *testing.T, sch *jsonschema.Schema, file string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("%s is not valid: %v", file, err)
	}
}

func csafDocuments(t *testing.T, out string) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(out, ".well-known", "csaf", "white", "*", "*.json"))
	if err != nil || len(docs) != 3 {
		t.Fatalf("CSAF documents %v (%v), want 3", docs, err)
	}
	return docs
}

func TestCSAFValidAgainstOASISSchemas(t *testing.T) {
	shared := sharedDir(t)
	tr := publishTree(t)
	c := compiler(t, shared)
	docSchema, err := c.Compile("https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range csafDocuments(t, tr.dir) {
		validate(t, docSchema, doc)
		data, _ := os.ReadFile(doc)
		sig, _ := os.ReadFile(doc + ".asc")
		if _, err := tr.keyring.VerifyDetached(data, sig); err != nil {
			t.Errorf("%s.asc: %v", doc, err)
		}
	}
	providerSchema, err := c.Compile("https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	validate(t, providerSchema, filepath.Join(tr.dir, ".well-known", "csaf", "provider-metadata.json"))

	// The schema validator itself rejects what it should: a document without tracking.
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"document":{"category":"csaf_base","csaf_version":"2.0","title":"x","publisher":{"category":"other","name":"x","namespace":"https://x.example"}}}`), 0o644)
	f, _ := os.Open(bad)
	defer f.Close()
	doc, _ := jsonschema.UnmarshalJSON(f)
	if docSchema.Validate(doc) == nil {
		t.Error("the schema accepted a document without tracking")
	}
}

// BSI's validator library runs its schema test and all mandatory tests on every document keikai
// writes. CI installs it and sets KEIKAI_CSAF_VALIDATOR_DIR.
func TestCSAFMandatoryTests(t *testing.T) {
	dir := os.Getenv("KEIKAI_CSAF_VALIDATOR_DIR")
	if dir == "" {
		testenv.Missing(t, "@secvisogram/csaf-validator-lib", "npm install --prefix DIR @secvisogram/csaf-validator-lib and set KEIKAI_CSAF_VALIDATOR_DIR=DIR")
	}
	node := testenv.Command(t, "node", "nodejs")
	tr := publishTree(t)
	script, _ := filepath.Abs(filepath.Join("testdata", "csaf-validate.mjs"))
	cmd := exec.Command(node, append([]string{script}, csafDocuments(t, tr.dir)...)...)
	cmd.Env = append(os.Environ(), "KEIKAI_CSAF_VALIDATOR_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("csaf-validator-lib: %v\n%s", err, out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
}

func TestProviderFiles(t *testing.T) {
	tr := publishTree(t)
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(tr.dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if got, want := read(".well-known/csaf/white/index.txt"), "1998/jpcert-e-inf-98-0001.json\n2000/jpcert-pr-2000-0003.json\n2002/jpcert-at-2002-0006.json\n"; got != want {
		t.Errorf("index.txt = %q, want %q", got, want)
	}
	if got, want := read("bundles/index.txt"), "JPCERT-AT-2002-0006.e02.rules.json\nJPCERT-E-INF-98-0001.e01.rules.json\nJPCERT-PR-2000-0003.e01.rules.json\n"; got != want {
		t.Errorf("bundles/index.txt = %q, want %q", got, want)
	}
	changes := strings.Split(strings.TrimSpace(read(".well-known/csaf/white/changes.csv")), "\n")
	if len(changes) != 3 || changes[0] != `"2002/jpcert-at-2002-0006.json","2002-09-19T15:00:00Z"` {
		t.Errorf("changes.csv newest first with the edition's time: %q", changes)
	}
	sec := read(".well-known/security.txt")
	v, err := tr.keyring.VerifyClearsigned([]byte(sec))
	if err != nil {
		t.Fatalf("security.txt signature: %v", err)
	}
	for _, field := range []string{"Contact: mailto:csirt@example.org\n", "Expires: 2027-01-02T03:04:05Z\n", "CSAF: https://csirt.example.org/.well-known/csaf/provider-metadata.json\n"} {
		if !strings.Contains(string(v.Text)+"\n", field) {
			t.Errorf("security.txt lacks %q:\n%s", field, v.Text)
		}
	}
	meta := read(".well-known/csaf/provider-metadata.json")
	if !strings.Contains(meta, tr.signer.Fingerprint()) || !strings.Contains(meta, `"role": "csaf_trusted_provider"`) {
		t.Errorf("provider metadata lacks the key or role:\n%s", meta)
	}
	for _, lang := range []string{"ja", "en"} {
		var f atomFeed
		if err := xml.Unmarshal([]byte(read("feed."+lang+".atom")), &f); err != nil {
			t.Fatalf("feed.%s.atom: %v", lang, err)
		}
		if len(f.Entries) != 3 || !strings.Contains(f.Entries[0].ID, "JPCERT-AT-2002-0006") {
			t.Errorf("feed.%s.atom: %d entries, first %+v", lang, len(f.Entries), f.Entries[0])
		}
		page := read("advisories/JPCERT-AT-2002-0006/" + lang + ".html")
		for _, want := range []string{"Ver.02", "0.9.6g", sign.FormatFingerprint(tr.signer.Fingerprint()), "http://www.cert.org/advisories/CA-2002-27.html"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s page lacks %q", lang, want)
			}
		}
		statd := read("advisories/JPCERT-E-INF-98-0001/" + lang + ".html")
		if !strings.Contains(statd, "&lt;JPCERT/CC") && !strings.Contains(statd, "&lt;Requests from JPCERT/CC&gt;") {
			t.Errorf("%s statd page does not escape the notice's angle brackets", lang)
		}
	}
}

func TestHandler(t *testing.T) {
	tr := publishTree(t)
	srv := httptest.NewServer(Handler(os.DirFS(tr.dir)))
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		contentType  string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8"},
		{"GET", "/index.en.html", 200, "text/html; charset=utf-8"},
		{"GET", "/.well-known/csaf/provider-metadata.json", 200, "application/json"},
		{"GET", "/.well-known/csaf/white/2002/jpcert-at-2002-0006.json.asc", 200, "application/pgp-signature"},
		{"GET", "/.well-known/csaf/openpgp/" + tr.signer.Fingerprint() + ".asc", 200, "application/pgp-keys"},
		{"GET", "/.well-known/security.txt", 200, "text/plain; charset=utf-8"},
		{"GET", "/advisories/JPCERT-AT-2002-0006/ja.iso-2022-jp.txt", 200, "text/plain; charset=iso-2022-jp"},
		{"GET", "/feed.ja.atom", 200, "application/atom+xml"},
		{"HEAD", "/.well-known/csaf/white/index.txt", 200, "text/plain; charset=utf-8"},
		{"GET", "/advisories/", 404, ""},
		{"GET", "/.well-known/csaf/white/2002/", 200, "text/html; charset=utf-8"},
		{"GET", "/../../etc/passwd", 404, ""},
		{"POST", "/index.html", 405, ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status || (tt.contentType != "" && resp.Header.Get("Content-Type") != tt.contentType) {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, tt.contentType)
		}
	}
}

func TestPublishRefusesNonEmptyOut(t *testing.T) {
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "old.html"), nil, 0o644)
	_, s, _ := sign.Generate("T", "t@example.org", []byte("p"), now)
	_, err := Publish(&advisory.Collection{}, out, Options{BaseURL: "https://x.example", Signer: s, Contact: "mailto:x@example.org", Now: now})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("err = %v", err)
	}
}

// Written names each advisory's signed files with the SHA-256 of what was written.
func TestWrittenSigned(t *testing.T) {
	tr := publishTree(t)
	if len(tr.written.Signed) != 3 {
		t.Fatalf("signed files of %d advisories, want 3", len(tr.written.Signed))
	}
	files := tr.written.Signed["JPCERT-AT-2002-0006"]
	for _, name := range []string{
		"advisories/JPCERT-AT-2002-0006/ja.txt", "advisories/JPCERT-AT-2002-0006/en.txt", "advisories/JPCERT-AT-2002-0006/ja.iso-2022-jp.txt",
		"bundles/JPCERT-AT-2002-0006.e02.rules.json", "bundles/JPCERT-AT-2002-0006.e02.rules.json.asc",
		".well-known/csaf/white/2002/jpcert-at-2002-0006.json", ".well-known/csaf/white/2002/jpcert-at-2002-0006.json.asc",
	} {
		data, err := os.ReadFile(filepath.Join(tr.dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if sum, ok := files[name]; !ok || sum != sha256.Sum256(data) {
			t.Errorf("%s: recorded %x (%v), want the SHA-256 of the file", name, sum, ok)
		}
	}
	for name := range files {
		if strings.Contains(name, "E-INF-98") || strings.HasSuffix(name, ".html") || strings.Contains(name, "index") {
			t.Errorf("%s is not one of JPCERT-AT-2002-0006's signed files", name)
		}
	}
}
