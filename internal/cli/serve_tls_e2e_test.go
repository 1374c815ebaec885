package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/testenv"
)

// testCertificate writes a self-signed ECDSA certificate for localhost and 127.0.0.1 and its
// key, PEM-encoded, into dir, and returns their paths and a pool that trusts the certificate.
func testCertificate(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// freePort returns a loopback port that was free a moment ago: the base URL must name the port
// before keikai serve starts.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestServeTLSFlags: --tls-cert and --tls-key come together, and files that are not a PEM
// certificate and key are refused before the database is created.
func TestServeTLSFlags(t *testing.T) {
	dir := t.TempDir()
	cert, key, _ := testCertificate(t, dir)
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate\n"), 0o644)
	db := filepath.Join(dir, "keikai.db")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"cert alone", []string{"--tls-cert", cert}, "--tls-cert and --tls-key go together"},
		{"key alone", []string{"--tls-key", key}, "--tls-cert and --tls-key go together"},
		{"not PEM", []string{"--tls-cert", junk, "--tls-key", key}, "both must be PEM"},
		{"missing file", []string{"--tls-cert", filepath.Join(dir, "none.pem"), "--tls-key", key}, "none.pem"},
		{"key of another certificate", []string{"--tls-cert", cert, "--tls-key", writeOtherKey(t, dir)}, "private key does not match public key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := keikai(t, "", append([]string{"serve", "--db", db, "--listen", "127.0.0.1:0"}, c.args...)...)
			if r.code != exitError || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, exitError, c.want)
			}
		})
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a refused start left %s behind", db)
	}
}

func writeOtherKey(t *testing.T, dir string) string {
	t.Helper()
	_, key, _ := testCertificate(t, t.TempDir())
	data, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other-key.pem")
	if err := os.WriteFile(other, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return other
}

// TestServeTLSDesk: with a certificate and no --base-url, the published advisories name
// https://LISTEN, and a reporter's form works over HTTPS (the CSRF cookie is Secure) and links to
// an https:// status page.
func TestServeTLSDesk(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := testCertificate(t, dir)
	srv := startServe(t, filepath.Join(dir, "keikai.db"), "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(srv.base, "https://127.0.0.1:") {
		t.Fatalf("keikai serve says it listens on %s, want https://127.0.0.1:PORT", srv.base)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := browser.Get(srv.base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, body
	}
	if _, sec := get("/.well-known/security.txt"); !strings.Contains(string(sec), "CSAF: "+srv.base+"/.well-known/csaf/provider-metadata.json") {
		t.Errorf("security.txt does not point at %s:\n%s", srv.base, sec)
	}
	if _, pmd := get("/.well-known/csaf/provider-metadata.json"); !strings.Contains(string(pmd), `"canonical_url": "`+srv.base+`/.well-known/csaf/provider-metadata.json"`) {
		t.Errorf("provider-metadata.json does not name %s:\n%s", srv.base, pmd)
	}

	resp, form := get("/report?lang=en")
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(form)
	if csrf == nil {
		t.Fatalf("no CSRF token in the form")
	}
	if c := resp.Cookies(); len(c) == 0 || !slices.ContainsFunc(c, func(c *http.Cookie) bool { return c.Secure }) {
		t.Errorf("cookies over HTTPS are not Secure: %v", c)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"csrf_token": string(csrf[1]), "lang": "en", "reporter_name": "Taro Suzuki",
		"email": "taro@example.jp", "time_zone": "Asia/Tokyo", "description": "someone probed our portmapper\n" + probeLines} {
		mw.WriteField(k, v)
	}
	mw.Close()
	resp, err := browser.Post(srv.base+"/report", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	link := regexp.MustCompile(`href="(https://[^"]+/status/[^"]+)"`).FindSubmatch(page)
	if resp.StatusCode != 200 || link == nil || !strings.HasPrefix(string(link[1]), srv.base+"/status/") {
		t.Fatalf("form POST over HTTPS: %d, want a status link under %s:\n%s", resp.StatusCode, srv.base, page)
	}
	if resp, _ := get(strings.TrimPrefix(string(link[1]), srv.base)); resp.StatusCode != 200 {
		t.Errorf("status page over HTTPS: %s", resp.Status)
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("keikai serve exited %d after SIGTERM:\n%s", code, srv.logText())
	}
}

// TestServeTLSCSAFChecker runs gocsaf's csaf_checker against the real keikai serve over HTTPS,
// with a self-signed certificate, the team's key from keikai key generate and a fresh SQLite
// database: no error in any requirement of a csaf_trusted_provider except requirement 10 (the
// DNS path csaf.data.security.DOMAIN, which cannot exist on localhost). KEIKAI_CSAF_CHECKER names
// the checker binary (go install github.com/gocsaf/csaf/v3/cmd/csaf_checker@v3.5.1).
func TestServeTLSCSAFChecker(t *testing.T) {
	checker := os.Getenv("KEIKAI_CSAF_CHECKER")
	if checker == "" {
		testenv.Missing(t, "csaf_checker", "go install github.com/gocsaf/csaf/v3/cmd/csaf_checker@v3.5.1 and set KEIKAI_CSAF_CHECKER to its path")
	}
	dir := t.TempDir()
	certFile, keyFile, pool := testCertificate(t, dir)
	pass := filepath.Join(dir, "pass")
	if err := os.WriteFile(pass, []byte("a passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	signingKey := filepath.Join(dir, "team.asc")
	if _, errOut, code := runKeikai(t, "key", "generate", "--name", "Test CSIRT", "--email", "csirt@example.org", "--key", signingKey, "--passphrase-file", pass); code != 0 {
		t.Fatalf("key generate: exit %d: %s", code, errOut)
	}
	port := freePort(t)
	host := fmt.Sprintf("localhost:%d", port)
	srv := startServe(t, filepath.Join(dir, "keikai.db"), "--tls-cert", certFile, "--tls-key", keyFile,
		"--listen", fmt.Sprintf("127.0.0.1:%d", port), "--base-url", "https://"+host,
		"--key", signingKey, "--passphrase-file", pass, "--intake-address", "csirt@example.org")
	if want := fmt.Sprintf("https://127.0.0.1:%d", port); srv.base != want {
		t.Fatalf("keikai serve says it listens on %s, want %s", srv.base, want)
	}

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}, Timeout: 10 * time.Second}
	resp, err := client.Get("https://" + host + "/.well-known/security.txt")
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"Contact: mailto:csirt@example.org", "CSAF: https://" + host + "/.well-known/csaf/provider-metadata.json"} {
		if !strings.Contains(string(sec), want) {
			t.Errorf("security.txt lacks %q:\n%s", want, sec)
		}
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("HTTPS served as %s, want HTTP/2 offered over TLS", resp.Proto)
	}
	// Plain HTTP on the HTTPS port gets Go's 400, never a page.
	if resp, err := http.Get("http://" + host + "/.well-known/security.txt"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP on the HTTPS port: %s, want 400", resp.Status)
		}
	}

	report := filepath.Join(dir, "report.json")
	cmd := exec.Command(checker, "--insecure", "-o", report, host)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("csaf_checker: %v\n%s\nserver log:\n%s", err, msg, srv.logText())
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Domains []struct {
			Role         string `json:"role"`
			Requirements []struct {
				Num         int    `json:"num"`
				Description string `json:"description"`
				Messages    []struct {
					Type int    `json:"type"`
					Text string `json:"text"`
				} `json:"messages"`
			} `json:"requirements"`
		} `json:"domains"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("report: %v\n%s", err, data)
	}
	if len(r.Domains) != 1 || r.Domains[0].Role != "csaf_trusted_provider" {
		t.Fatalf("report: want one domain in the role csaf_trusted_provider:\n%s", data)
	}
	failedDNS := false
	for _, req := range r.Domains[0].Requirements {
		for _, m := range req.Messages {
			switch {
			case m.Type >= 2 && req.Num == 10:
				failedDNS = true
			case m.Type >= 2:
				t.Errorf("requirement %d (%s): %s", req.Num, req.Description, m.Text)
			}
			if testing.Verbose() {
				t.Logf("requirement %d (%s): [%d] %s", req.Num, req.Description, m.Type, strings.TrimSpace(m.Text))
			}
		}
	}
	if len(r.Domains[0].Requirements) < 20 {
		t.Errorf("the checker reported only %d requirements:\n%s", len(r.Domains[0].Requirements), data)
	}
	if !failedDNS {
		t.Logf("requirement 10 passed too; it checks csaf.data.security.%s, which should not resolve here", "localhost")
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("keikai serve exited %d after SIGTERM:\n%s", code, srv.logText())
	}
}
