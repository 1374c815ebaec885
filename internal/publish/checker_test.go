package publish

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/advisories"
	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/csaf"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/sign"
	"github.com/keikai-project/keikai/internal/testenv"
	"github.com/keikai-project/keikai/rules"
)

// csaf_checker (github.com/gocsaf/csaf) checks the tree, served over TLS by Handler, as a
// csaf_trusted_provider. Requirement 10 (the DNS path csaf.data.security.DOMAIN) cannot exist on
// localhost. KEIKAI_CSAF_CHECKER names the checker binary (go install
// github.com/gocsaf/csaf/v3/cmd/csaf_checker@v3.5.1).
func TestCSAFChecker(t *testing.T) {
	checker := os.Getenv("KEIKAI_CSAF_CHECKER")
	if checker == "" {
		testenv.Missing(t, "csaf_checker", "go install github.com/gocsaf/csaf/v3/cmd/csaf_checker@v3.5.1 and set KEIKAI_CSAF_CHECKER to its path")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := "localhost:" + fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	advs, err := advisory.LoadFS(advisories.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	_, s, err := sign.Generate("Test CSIRT", "csirt@example.org", []byte("p"), time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	jst, _ := time.LoadLocation("Asia/Tokyo")
	if _, err := Publish(advs, out, Options{
		BaseURL: "https://" + host, Publisher: csaf.Publisher{Name: "Test CSIRT", Namespace: "https://" + host, ContactDetails: "csirt@example.org"},
		Contact: "mailto:csirt@example.org", Signer: s, Rules: set,
		ReadRule: func(name string) ([]byte, error) { return fs.ReadFile(rules.FS, name) },
		Engine:   "test", Now: time.Now(), Zone: jst,
	}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(Handler(os.DirFS(out)))
	srv.Listener.Close()
	srv.Listener = ln
	srv.StartTLS()
	defer srv.Close()

	report := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(checker, "--insecure", "-o", report, host)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("csaf_checker: %v\n%s", err, msg)
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
	if len(r.Domains) != 1 {
		t.Fatalf("report: %s", data)
	}
	for _, req := range r.Domains[0].Requirements {
		for _, m := range req.Messages {
			if m.Type >= 2 && req.Num != 10 {
				t.Errorf("requirement %d (%s): %s", req.Num, req.Description, m.Text)
			} else if testing.Verbose() {
				t.Logf("requirement %d (%s): [%d] %s", req.Num, req.Description, m.Type, strings.TrimSpace(m.Text))
			}
		}
	}
}
