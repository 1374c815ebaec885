package e2e

import (
	"context"
	"flag"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/keikai-project/keikai/internal/testenv"
)

var docsDir = flag.String("docs", "", "write the triage test's screenshots of the queue and an incident into `DIR` (the README's)")

// TestBrowserTriage walks an analyst's work in headless Chromium on the real keikai serve: a
// reporter files a report in the form, the analyst signs in, finds it in the queue by its source
// network, decides its category, and groups it into a new incident. The screenshots of the queue
// and of the incident page are the README's (go test ./e2e -run TestBrowserTriage -docs ../docs).
func TestBrowserTriage(t *testing.T) {
	chromium := testenv.Command(t, "chromium", "chromium")
	bin := buildKeikaiForBrowser(t)
	srv := startKeikaiForBrowser(t, bin)
	base := srv.base
	ctx := newBrowser(t, chromium)
	shots := t.TempDir()
	logs := collectBrowserLogs(ctx)

	const analyst, password = "hanako", "correct horse battery staple"
	add := exec.Command(bin, "user", "add", analyst, "--role", "analyst", "--password-stdin", "--db", srv.db)
	add.Stdin = strings.NewReader(password + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("keikai user add: %v\n%s", err, out)
	}

	r := browserReporters[1]
	tracking := fileReport(t, ctx, base, r, shots)

	// A staff page without a session leads to the login form, which leads back.
	browse(t, ctx, base+"/staff/?lang=en&source=198.51.100.0/24&decided=no")
	if loc := location(t, ctx); !strings.HasPrefix(loc, base+"/staff/login") {
		t.Fatalf("the queue without a session shows %s, want the login form", loc)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("name"), analyst),
		chromedp.SendKeys(chromedp.ID("password"), password),
	); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`form.login button[type=submit]`), http.StatusOK)
	if loc := location(t, ctx); !strings.Contains(loc, "/staff/") || !strings.Contains(loc, "source=198.51.100.0") {
		t.Fatalf("after the login the browser is at %s, want the filtered queue", loc)
	}
	link := chromedp.CSS(`table.reports a.tracking[href^="/staff/reports/` + tracking + `"]`)
	if _, err := chromedp.Run(ctx, chromedp.WaitVisible(link)); err != nil {
		t.Fatalf("the queue filtered by 198.51.100.0/24, undecided, does not list %s: %v\n%s", tracking, err, pageText(t, ctx))
	}
	screenshot(t, ctx, shots, "staff-queue.png")
	docShot(t, ctx, "staff-queue.png")

	clickAndLoad(t, ctx, link, http.StatusOK)
	if got := text(t, ctx, chromedp.CSS("h1.tracking")); got != tracking {
		t.Fatalf("the report page shows %q, want %s", got, tracking)
	}
	body := pageText(t, ctx)
	for _, want := range []string{r.name, r.email, "XbinXsh", "198.51.100.23", "System intrusion"} {
		if !strings.Contains(body, want) {
			t.Errorf("the report page does not show %q", want)
		}
	}
	// The analyst finds root was taken: intrusion, privileged account compromise.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("category"), "intrusion"),
		chromedp.SetValue(chromedp.ID("rsit"), "intrusions:privileged-account-compromise"),
		chromedp.SendKeys(chromedp.ID("note"), "statd overflow, root shell"),
	); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`form.triage button[type=submit]`), http.StatusOK)
	screenshot(t, ctx, shots, "staff-report.png")
	decision := text(t, ctx, chromedp.CSS("dd.decision"))
	for _, want := range []string{"System intrusion", "intrusions:privileged-account-compromise", analyst, "statd overflow, root shell"} {
		if !strings.Contains(decision, want) {
			t.Errorf("the decision reads %q, want %q in it", decision, want)
		}
	}

	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("title"), "statd intrusion at example.ac.uk")); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`form.add-incident button[type=submit]`), http.StatusOK)
	if loc := location(t, ctx); !strings.Contains(loc, "/staff/incidents/") {
		t.Fatalf("adding to a new incident led to %s", loc)
	}
	ref := text(t, ctx, chromedp.CSS("h1 .ref"))
	if !strings.HasPrefix(ref, "IN-") {
		t.Errorf("the incident page's reference is %q", ref)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS(`section.reports a.tracking[href^="/staff/reports/`+tracking+`"]`))); err != nil {
		t.Errorf("the incident does not list %s: %v", tracking, err)
	}
	// Take it on, and label it for the sites involved.
	clickAndLoad(t, ctx, chromedp.CSS(`form[action$="/assign"] button`), http.StatusOK)
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("status"), "coordinating")); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`form[action$="/status"] button`), http.StatusOK)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("note"), "Asked the site's abuse contact to check nfs1.")); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`section.notes button[type=submit]`), http.StatusOK)
	page := pageText(t, ctx)
	for _, want := range []string{"coordinating", "TLP:AMBER", analyst, "Asked the site's abuse contact"} {
		if !strings.Contains(page, want) {
			t.Errorf("the incident page does not show %q:\n%s", want, page)
		}
	}
	screenshot(t, ctx, shots, "staff-incident.png")
	docShot(t, ctx, "staff-incident.png")

	// The statistics for staff: the demo quarter with its charts (inline SVG, no script; the
	// browser log shows any refusal of the Content-Security-Policy), and today's decision.
	browse(t, ctx, base+"/staff/activity?lang=ja&from=2000-04-01&to=2000-06-30")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("main article.keikai-activity svg").length`)); err != nil || n == 0 {
		t.Errorf("the staff statistics show no chart (%d, %v)", n, err)
	}
	if body := pageText(t, ctx); !strings.Contains(body, "報告の件数は 718 件") {
		t.Errorf("the staff statistics of the demo quarter do not count its 718 reports:\n%s", body)
	}
	screenshot(t, ctx, shots, "staff-activity-ja.png")
	// Days around today, whatever the server's reporting zone.
	now := time.Now().UTC()
	today := now.Format("2006-01-02")
	browse(t, ctx, base+"/staff/activity?lang=en&from="+now.AddDate(0, 0, -1).Format("2006-01-02")+"&to="+now.AddDate(0, 0, 1).Format("2006-01-02"))
	if body := pageText(t, ctx); !strings.Contains(body, "Every category was decided by an analyst") {
		t.Errorf("the staff statistics of today do not count the decision:\n%s", body)
	}

	// keikai report activity counts it too.
	out, err := exec.Command(bin, "report", "activity", "--db", srv.db, "--from", today, "--to", today, "--tz", "UTC", "--format", "json").Output()
	if err != nil {
		t.Fatalf("keikai report activity: %v", err)
	}
	if !regexp.MustCompile(`"decided":\s*1\b`).Match(out) {
		t.Errorf("keikai report activity does not count the decision:\n%s", out)
	}

	for _, e := range logs.problems() {
		t.Errorf("the browser reported a page problem: %s", e)
	}
	copyScreenshots(t, shots)
}

// docShot writes what the browser window shows (not the whole page: a README image is read at a
// glance) into -docs DIR.
func docShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if *docsDir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(*docsDir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
