package cli

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/store/postgres/pgtest"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// keikaiBinary builds cmd/keikai once for the tests that drive the real program.
func keikaiBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "keikai-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "keikai")
		out, err := exec.Command("go", "build", "-o", binary, "github.com/keikai-project/keikai/cmd/keikai").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// runKeikai runs one keikai command to completion.
func runKeikai(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(keikaiBinary(t), args...)
	cmd.Env = append(os.Environ(), "LANG=C")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errOut.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), 0
}

type serveProcess struct {
	cmd  *exec.Cmd
	base string
	mu   sync.Mutex
	log  bytes.Buffer
	done chan error
}

var listening = regexp.MustCompile(`listening on (https?://\S+)`)

// startServe starts keikai serve on a free port, with extra flags, and waits until it listens.
func startServe(t *testing.T, db string, extra ...string) *serveProcess {
	t.Helper()
	cmd := exec.Command(keikaiBinary(t), append([]string{"serve", "--db", db, "--listen", "127.0.0.1:0", "--workers", "8", "--lease", "5s"}, extra...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	select {
	case p.base = <-addr:
	case err := <-p.done:
		t.Fatalf("keikai serve exited before listening (%v):\n%s", err, p.logText())
	case <-time.After(30 * time.Second):
		t.Fatalf("keikai serve did not listen within 30 s:\n%s", p.logText())
	}
	return p
}

func (p *serveProcess) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// stop sends SIGTERM and returns the exit code.
func (p *serveProcess) stop(t *testing.T) int {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		return 0
	case <-time.After(40 * time.Second):
		t.Fatalf("keikai serve did not stop within 40 s of SIGTERM:\n%s", p.logText())
		return -1
	}
}

func addPartnerToken(t *testing.T, db string) string {
	t.Helper()
	out, errOut, code := runKeikai(t, "token", "add", "partner", "--db", db)
	if code != 0 || len(strings.TrimSpace(out)) < 40 {
		t.Fatalf("token add: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	return strings.TrimSpace(out)
}

type receipt struct {
	ID        int64  `json:"id"`
	Tracking  string `json:"tracking"`
	StatusURL string `json:"status_url"`
}

func postReport(client *http.Client, base, token, key, body string) (int, receipt, error) {
	req, err := http.NewRequest("POST", base+"/api/v1/reports", strings.NewReader(body))
	if err != nil {
		return 0, receipt{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, receipt{}, err
	}
	defer resp.Body.Close()
	var rc receipt
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &rc); err != nil {
		return resp.StatusCode, rc, fmt.Errorf("%d %q: %w", resp.StatusCode, b, err)
	}
	return resp.StatusCode, rc, nil
}

// waitAnalysed polls the API until the report is analysed.
func waitAnalysed(t *testing.T, base, token string, id int64) map[string]any {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/reports/%d", base, id), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET report %d: %d %v", id, resp.StatusCode, v)
		}
		if v["state"] == "analysed" {
			return v
		}
		if v["state"] == "failed" || time.Now().After(deadline) {
			t.Fatalf("report %d: %v", id, v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const probeLines = "Jun  1 12:00:00 fw kernel: IN=eth0 OUT= SRC=198.51.100.7 DST=192.0.2.1 LEN=60 PROTO=TCP SPT=4000 DPT=111 SYN\n" +
	"Jun  1 12:00:01 fw kernel: IN=eth0 OUT= SRC=198.51.100.7 DST=192.0.2.2 LEN=60 PROTO=TCP SPT=4001 DPT=111 SYN\n"

func apiBody(description string) string {
	b, _ := json.Marshal(map[string]any{"reporter_name": "Partner SOC", "description": description, "excerpts": []string{probeLines}})
	return string(b)
}

// TestServeEndToEnd drives the real binary: a partner submits through the API (and retries), a
// reporter through the browser form with a gzip attachment and follows the status link, and the
// analyst reads the result with keikai report show.
func TestServeEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "keikai.db")
	token := addPartnerToken(t, db)
	srv := startServe(t, db)

	status, first, err := postReport(http.DefaultClient, srv.base, token, "e2e-1", apiBody("API report"))
	if err != nil || status != 201 {
		t.Fatalf("API POST: %d %v", status, err)
	}
	status, again, err := postReport(http.DefaultClient, srv.base, token, "e2e-1", apiBody("API report"))
	if err != nil || status != 200 || again != first {
		t.Fatalf("API retry: %d %+v %v; want 200 and %+v", status, again, err, first)
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(srv.base + "/report?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	form, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(form)
	if csrf == nil {
		t.Fatalf("no CSRF token in the form")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"csrf_token": string(csrf[1]), "lang": "en", "reporter_name": "Taro Suzuki",
		"email": "taro@example.jp", "time_zone": "Asia/Tokyo", "description": "someone probed our portmapper"} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("attachments", "messages.gz")
	zw := gzip.NewWriter(fw)
	zw.Write([]byte(probeLines))
	zw.Close()
	mw.Close()
	resp, err = browser.Post(srv.base+"/report", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tracking := regexp.MustCompile(`class="tracking">([^<]+)<`).FindSubmatch(page)
	link := regexp.MustCompile(`href="(http://[^"]+/status/[^"]+)"`).FindSubmatch(page)
	if resp.StatusCode != 200 || tracking == nil || link == nil {
		t.Fatalf("form POST: %d\n%s", resp.StatusCode, page)
	}
	var statusPage []byte
	for deadline := time.Now().Add(60 * time.Second); ; {
		resp, err := http.Get(string(link[1]))
		if err != nil {
			t.Fatal(err)
		}
		statusPage, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if bytes.Contains(statusPage, []byte("state-analysed")) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !bytes.Contains(statusPage, tracking[1]) || !bytes.Contains(statusPage, []byte("state-analysed")) || bytes.Contains(statusPage, []byte("Taro")) {
		t.Fatalf("status page:\n%s", statusPage)
	}
	waitAnalysed(t, srv.base, token, first.ID)
	if code := srv.stop(t); code != 0 {
		t.Fatalf("keikai serve exited %d after SIGTERM:\n%s", code, srv.logText())
	}
	if log := srv.logText(); !strings.Contains(log, "/status/[redacted]") || strings.Contains(log, strings.TrimPrefix(string(link[1]), srv.base)) {
		t.Errorf("server log shows the status secret or no redacted path:\n%s", log)
	}

	out, errOut, code := runKeikai(t, "report", "show", string(tracking[1]), "--db", db)
	for _, want := range []string{string(tracking[1]), "Taro Suzuki", "taro@example.jp", "probe", "messages.gz", "198.51.100.7", "111"} {
		if !strings.Contains(out, want) {
			t.Errorf("report show lacks %q (exit %d, stderr %q):\n%s", want, code, errOut, out)
		}
	}
	out, _, code = runKeikai(t, "report", "show", fmt.Sprint(first.ID), "--db", db, "--format", "json")
	var shown struct {
		Tracking string
		Analysis struct {
			Category string
			Findings []any
		}
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil || code != 0 || shown.Tracking != first.Tracking || shown.Analysis.Category != "probe" || len(shown.Analysis.Findings) == 0 {
		t.Errorf("report show --format json: exit %d, %v: %s", code, err, out)
	}
	out, _, code = runKeikai(t, "report", "list", "--db", db, "--category", "probe")
	if code != 0 || strings.Count(out, "\n") != 3 {
		t.Errorf("report list: exit %d, want a header and 2 reports:\n%s", code, out)
	}
	if _, errOut, code := runKeikai(t, "report", "show", "KK-1999-999999", "--db", db); code != 1 || !strings.Contains(errOut, "no report") {
		t.Errorf("report show of a missing report: exit %d, %q; want 1", code, errOut)
	}
	if _, errOut, code := runKeikai(t, "report", "reanalyse", "--all", "--db", db); code != 0 || !strings.Contains(errOut, "2 report(s) queued") {
		t.Errorf("reanalyse --all: exit %d, %q", code, errOut)
	}
}

// TestServeCrash kills keikai serve with SIGKILL while partners submit, restarts it, and finds
// every acknowledged report stored and analysed. On PostgreSQL a second server shares the
// database throughout: it takes submissions too and analyses what the killed one held.
func TestServeCrash(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		crashTest(t, filepath.Join(t.TempDir(), "keikai.db"), false)
	})
	t.Run("postgres", func(t *testing.T) {
		crashTest(t, pgtest.DSN(t, "keikai_serve_"), true)
	})
}

func crashTest(t *testing.T, db string, shared bool) {
	token := addPartnerToken(t, db)
	victim := startServe(t, db)
	targets := []string{victim.base}
	var other *serveProcess
	if shared {
		other = startServe(t, db)
		targets = append(targets, other.base)
	}

	var mu sync.Mutex
	var acked []receipt
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				base := targets[(c+i)%len(targets)]
				status, rc, err := postReport(client, base, token, fmt.Sprintf("crash-%d-%d", c, i), apiBody(fmt.Sprintf("report %d/%d", c, i)))
				if err == nil && status == 201 {
					mu.Lock()
					acked = append(acked, rc)
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	victim.cmd.Process.Kill()
	<-victim.done
	if shared {
		time.Sleep(500 * time.Millisecond) // the survivor goes on taking reports
	}
	close(stop)
	wg.Wait()
	if len(acked) < 10 {
		t.Fatalf("only %d reports acknowledged before the kill; the load did not run", len(acked))
	}

	restarted := startServe(t, db)
	for _, rc := range acked {
		v := waitAnalysed(t, restarted.base, token, rc.ID)
		if v["tracking"] != rc.Tracking {
			t.Fatalf("report %d has tracking %v after the restart, acknowledged as %s", rc.ID, v["tracking"], rc.Tracking)
		}
	}
	t.Logf("%d acknowledged reports intact and analysed after SIGKILL and restart", len(acked))
	for _, p := range []*serveProcess{restarted, other} {
		if p != nil {
			if code := p.stop(t); code != 0 {
				t.Errorf("exit %d after SIGTERM:\n%s", code, p.logText())
			}
		}
	}
}
