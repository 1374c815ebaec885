package e2e

import (
	"bufio"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/keikai-project/keikai/internal/testenv"
)

// TestBrowserAuth: the first administrator of a new database signs in with the one-time password
// keikai serve printed, is held to choosing a new one, does so, logs out and signs in with the new
// one; a wrong password is refused. All in headless Chromium against the real keikai serve.
func TestBrowserAuth(t *testing.T) {
	chromium := testenv.Command(t, "chromium", "chromium")
	srv, oneTime := startServeForAuth(t, buildKeikaiForBrowser(t))
	ctx := newBrowser(t, chromium)
	shots := t.TempDir()
	logs := collectBrowserLogs(ctx)
	const newPassword = "a passphrase of my own, 2026"

	// The login form comes back to the account page: the report queue (/staff/) is another
	// part's page.
	login := func(name, password string, status int64) {
		t.Helper()
		browse(t, ctx, srv+"/staff/login?lang=en&next=%2Fstaff%2Faccount")
		err := chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.ID("name")),
			chromedp.SendKeys(chromedp.ID("name"), name),
			chromedp.SendKeys(chromedp.ID("password"), password),
		)
		if err != nil {
			t.Fatalf("fill the login form: %v", err)
		}
		clickAndLoad(t, ctx, `form.login button[type="submit"]`, status)
	}

	t.Run("wrong password", func(t *testing.T) {
		login("admin", "not the password at all", 401)
		if body := pageText(t, ctx); !strings.Contains(body, "Wrong user name or password") {
			t.Fatalf("a wrong password: the page says\n%s", body)
		}
		screenshot(t, ctx, shots, "login-refused-en.png")
	})
	t.Run("one-time password", func(t *testing.T) {
		login("admin", oneTime, 200)
		if loc := location(t, ctx); !strings.HasSuffix(loc, "/staff/account") {
			t.Fatalf("after login with the one-time password the browser is at %s, want the account page", loc)
		}
		if body := pageText(t, ctx); !strings.Contains(body, "Choose your own password now") {
			t.Fatalf("the account page does not ask for a new password:\n%s", body)
		}
		screenshot(t, ctx, shots, "account-must-change-en.png")
		// Nothing else opens until the password is changed.
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv+"/staff/users"))
		if err != nil {
			t.Fatal(err)
		}
		if loc := location(t, ctx); resp.Status != 200 || !strings.HasSuffix(loc, "/staff/account") {
			t.Fatalf("the users page before the change: %d at %s, want the account page", resp.Status, loc)
		}
		err = chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.ID("current")),
			chromedp.SendKeys(chromedp.ID("current"), oneTime),
			chromedp.SendKeys(chromedp.ID("new"), newPassword),
			chromedp.SendKeys(chromedp.ID("confirm"), newPassword),
		)
		if err != nil {
			t.Fatal(err)
		}
		clickAndLoad(t, ctx, `form[action="/staff/account/password"] button[type="submit"]`, 200)
		if body := pageText(t, ctx); !strings.Contains(body, "Your password was changed") || strings.Contains(body, "Choose your own password now") {
			t.Fatalf("after the change:\n%s", body)
		}
		browse(t, ctx, srv+"/staff/users?lang=ja")
		if body := pageText(t, ctx); !strings.Contains(body, "担当者アカウント") || !strings.Contains(body, "admin") {
			t.Fatalf("the users page after the change:\n%s", body)
		}
		screenshot(t, ctx, shots, "users-ja.png")
	})
	t.Run("logout", func(t *testing.T) {
		clickAndLoad(t, ctx, `form.logout button`, 200)
		if loc := location(t, ctx); !strings.HasSuffix(loc, "/staff/login") {
			t.Fatalf("after logout the browser is at %s", loc)
		}
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv+"/staff/account"))
		if err != nil {
			t.Fatal(err)
		}
		if loc := location(t, ctx); !strings.Contains(loc, "/staff/login?next=") || resp.Status != 200 {
			t.Fatalf("the account page after logout: %d at %s, want the login page", resp.Status, loc)
		}
	})
	t.Run("new password", func(t *testing.T) {
		login("admin", oneTime, 401)
		login("admin", newPassword, 200)
		if loc := location(t, ctx); !strings.HasSuffix(loc, "/staff/account") {
			t.Fatalf("the new password did not sign in: at %s", loc)
		}
		if body := pageText(t, ctx); strings.Contains(body, "Choose your own password now") {
			t.Fatalf("still held to a password change:\n%s", body)
		}
	})
	for _, e := range logs.problems() {
		// The refusals this test provokes are no page problem.
		if strings.Contains(e, "/staff/login") && strings.Contains(e, "status of 401") {
			continue
		}
		t.Errorf("the browser reported a page problem: %s", e)
	}
	copyScreenshots(t, shots)
}

var oneTimeLine = regexp.MustCompile(`^    ([A-Za-z0-9]{20})$`)

// startServeForAuth runs keikai serve on a new SQLite database and returns its address and the
// one-time password it printed for the first administrator.
func startServeForAuth(t *testing.T, bin string) (base, oneTime string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", filepath.Join(t.TempDir(), "keikai.db"), "--listen", "127.0.0.1:0", "--workers", "2")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log strings.Builder
	addr := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			if m := oneTimeLine.FindStringSubmatch(line); m != nil && oneTime == "" {
				oneTime = m[1]
			}
			log.WriteString(line + "\n")
			mu.Unlock()
			if a, ok := strings.CutPrefix(line, "keikai serve: listening on "); ok {
				a, _, _ = strings.Cut(a, " ")
				addr <- a
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { <-copied; done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("keikai serve did not stop cleanly: %v", err)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Errorf("keikai serve did not stop within 20 s of SIGTERM")
		}
		if t.Failed() {
			mu.Lock()
			t.Logf("keikai serve's log:\n%s", log.String())
			mu.Unlock()
		}
	})
	select {
	case base = <-addr:
	case <-copied:
		t.Fatal("keikai serve exited before it listened")
	case <-time.After(30 * time.Second):
		t.Fatal("keikai serve did not say where it listens within 30 s")
	}
	mu.Lock()
	defer mu.Unlock()
	if oneTime == "" {
		t.Fatalf("keikai serve printed no one-time password:\n%s", log.String())
	}
	return base, oneTime
}
