package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/keikai-project/keikai/internal/testenv"
)

var screenshotDir = flag.String("screenshots", "", "also copy the browser test's screenshots (PNG) into `DIR`")

// statdLine is the log line of seed 000 (JPCERT-E-INF-98-0001, section III) as a reporter pastes
// it from their syslog: the traversal out of /var/statmon/sm and the shellcode's "XbinXsh".
const statdLine = `Mar 13 12:34:56 nfs1 statd[44]: attempt to create "/var/statmon/sm//../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../..//../../../../../../../../../../../../../../../../../../../../../../../../tmp/.nfs09 D H $ $ $ $ ` + "`" + ` O * * * * # # P *` + "`" + ` c 6 ) # # ; # XbinXsh tirdwr "`

// browserReporter is what one reporter types into the form, in one language.
type browserReporter struct {
	lang            string // the page language the reporter switches to
	switchLabel     string // the language control's text on the page before the switch
	name            string
	organization    string
	email           string
	phone           string
	incidentTime    string // as the datetime-local field's value, yyyy-mm-ddThh:mm
	timeZone        string
	affected        []string
	sources         []string
	description     string
	category        string // the category the status page must show once analysed
	analysedState   string // the state text the status page shows once analysed
	invalidEmailMsg string // the field error for an e-mail address the server refuses
	reattachMsg     string // the reminder that a form sent back has lost its files
	csrfMsg         string // the form sent back because it had no CSRF token
	quarterTotal    string // the activity report's sentence on the demo quarter's 718 reports
}

var browserReporters = []browserReporter{{
	lang:            "ja",
	switchLabel:     "日本語",
	name:            "山田 太郎",
	organization:    "株式会社サンプル 情報システム部",
	email:           "taro.yamada@example.co.jp",
	phone:           "03-1234-5678",
	incidentTime:    "2000-03-13T12:34",
	timeZone:        "Asia/Tokyo",
	affected:        []string{"192.0.2.10", "nfs1.example.co.jp"},
	sources:         []string{"198.51.100.23"},
	description:     "NFS サーバの syslog に statd の不審なメッセージが残っていました。その直前に portmap への接続が多数あります。侵入されたかどうか調べていただけますか。",
	category:        "システムへの侵入",
	analysedState:   "受付済み、解析済み",
	invalidEmailMsg: "電子メールアドレスは電子メールアドレスの形式",
	quarterTotal:    "報告の件数は 718 件",
	reattachMsg:     "ファイルをもう一度選んでください",
	csrfMsg:         "フォームの有効期限が切れていた",
}, {
	lang:            "en",
	switchLabel:     "English",
	name:            "Jane Doe (ジェーン・ドウ)",
	organization:    "Example University Computing Centre",
	email:           "jane.doe@example.ac.uk",
	phone:           "+44 20 7946 0000",
	incidentTime:    "2000-03-13T03:34",
	timeZone:        "Europe/London",
	affected:        []string{"203.0.113.5"},
	sources:         []string{"198.51.100.23", "scanner.example.net"},
	description:     "Our NFS server logged the statd message below after a burst of portmap connections. We fear it was broken into.",
	category:        "System intrusion",
	analysedState:   "received and analysed",
	invalidEmailMsg: "E-mail address is not an e-mail address",
	quarterTotal:    "718 reports concerning computer security incidents were received",
	reattachMsg:     "Choose your files again",
	csrfMsg:         "This form had expired",
}}

// TestBrowserReportDesk walks the public report desk in headless Chromium as a newcomer does: from
// the home page through the language control to the form, a filled form with a gzip log file,
// the tracking number, and the secret status link until the report is analysed. It also checks
// what the browser shows for a refused e-mail address and for a form without its CSRF token.
func TestBrowserReportDesk(t *testing.T) {
	chromium := testenv.Command(t, "chromium", "chromium")
	start := time.Now()
	srv := startKeikaiForBrowser(t, buildKeikaiForBrowser(t))
	base := srv.base
	ctx := newBrowser(t, chromium)
	shots := t.TempDir()
	logs := collectBrowserLogs(ctx)

	for _, r := range browserReporters {
		t.Run(r.lang, func(t *testing.T) {
			tracking := fileReport(t, ctx, base, r, shots)
			checkStored(t, srv, tracking, r)
		})
	}
	t.Run("activity", func(t *testing.T) {
		for _, r := range browserReporters {
			activityPage(t, ctx, base, r, shots)
		}
		// The navigation shows the last full quarter; today's reports are in the days around today.
		// The page counts by JST days, so a UTC "today" alone misses them between 15:00 and 24:00 UTC.
		now := time.Now().UTC()
		browse(t, ctx, base+"/activity?lang=ja&from="+now.AddDate(0, 0, -1).Format("2006-01-02")+"&to="+now.AddDate(0, 0, 1).Format("2006-01-02"))
		body := pageText(t, ctx)
		if !strings.Contains(body, "システムへの侵入について 2 件") {
			t.Errorf("the activity report of today does not count the two intrusions just filed:\n%s", body)
		}
		screenshot(t, ctx, shots, "activity-today-ja.png")
	})
	t.Run("invalid e-mail", func(t *testing.T) {
		for _, r := range browserReporters {
			refusedEmail(t, ctx, base, r, shots)
		}
	})
	t.Run("no CSRF token", func(t *testing.T) {
		for _, r := range browserReporters {
			tracking := missingCSRF(t, ctx, base, r, shots)
			checkStored(t, srv, tracking, r)
		}
	})
	for _, e := range logs.problems() {
		t.Errorf("the browser reported a page problem: %s", e)
	}
	copyScreenshots(t, shots)
	t.Logf("browser test took %v (including the build)", time.Since(start).Round(100*time.Millisecond))
}

// fileReport is the newcomer's whole path in one language; it returns the tracking number.
func fileReport(t *testing.T, ctx context.Context, base string, r browserReporter, shots string) string {
	browse(t, ctx, base+"/")
	if pageLang(t, ctx) != r.lang {
		link, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("a.lang")))
		if err != nil || strings.TrimSpace(link) != r.switchLabel {
			t.Fatalf("language control reads %q (%v), want %q", link, err, r.switchLabel)
		}
		clickAndLoad(t, ctx, chromedp.CSS("a.lang"), http.StatusOK)
	}
	if got := pageLang(t, ctx); got != r.lang {
		t.Fatalf("after the language control the home page is in %q, want %q", got, r.lang)
	}
	screenshot(t, ctx, shots, "index-"+r.lang+".png")
	clickAndLoad(t, ctx, chromedp.CSS("main a.button"), http.StatusOK)
	if loc := location(t, ctx); !strings.HasPrefix(loc, base+"/report") {
		t.Fatalf("the home page's button led to %s, want the form", loc)
	}
	if got := pageLang(t, ctx); got != r.lang {
		t.Fatalf("the form is in %q, want %q", got, r.lang)
	}
	fillForm(t, ctx, r, r.email)
	attachLogs(t, ctx, r.lang)
	screenshot(t, ctx, shots, "form-"+r.lang+".png")

	clickAndLoad(t, ctx, chromedp.CSS(`form button[type=submit]`), http.StatusOK)
	tracking := text(t, ctx, chromedp.CSS("dd.tracking"))
	if !regexp.MustCompile(`^KK-\d{4}-\d{6}$`).MatchString(tracking) {
		t.Fatalf("the result page shows tracking number %q, want KK-YYYY-NNNNNN", tracking)
	}
	link, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("a.secret"), "href"))
	if err != nil || !link.Exists {
		t.Fatalf("the result page has no status link: %v", err)
	}
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `/status/[A-Za-z0-9_-]{22,}$`).MatchString(link.Value) {
		t.Fatalf("status link %q is not a secret link on this server", link.Value)
	}
	if shown := text(t, ctx, chromedp.CSS("a.secret")); shown != link.Value {
		t.Errorf("the status link shows %q but leads to %q", shown, link.Value)
	}
	screenshot(t, ctx, shots, "submitted-"+r.lang+".png")

	clickAndLoad(t, ctx, chromedp.CSS("a.secret"), http.StatusOK)
	if got := text(t, ctx, chromedp.CSS("dd.tracking")); got != tracking {
		t.Fatalf("the status page shows tracking number %q, want %q", got, tracking)
	}
	waitAnalysed(t, ctx, r)
	if got := text(t, ctx, chromedp.CSS("dl dd:last-of-type")); got != r.category {
		t.Errorf("the status page shows category %q, want %q", got, r.category)
	}
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{r.name, r.email, r.organization, r.phone, "statd", "XbinXsh", r.sources[0], r.affected[0]} {
		if strings.Contains(html, secret) {
			t.Errorf("the status page reveals %q from the report", secret)
		}
	}
	screenshot(t, ctx, shots, "status-"+r.lang+".png")
	return tracking
}

// checkStored reads the report back with `keikai report show`: what the reporter typed arrived
// intact, the consent stayed off, and the gzip file chosen in the browser was unpacked and
// analysed.
func checkStored(t *testing.T, srv keikaiForBrowser, tracking string, r browserReporter) {
	t.Helper()
	out, err := exec.Command(srv.bin, "report", "show", tracking, "--db", srv.db, "--format", "json").Output()
	if err != nil {
		t.Fatalf("keikai report show %s: %v", tracking, err)
	}
	var shown struct {
		Channel  string
		Analysis struct {
			Lang     string
			Reporter struct {
				Name, Organization, Email, Phone string
				DisclosureAllowed                bool `json:"disclosure_allowed"`
			}
			IncidentTime  string   `json:"incident_time"`
			TimeZone      string   `json:"time_zone"`
			AffectedHosts []string `json:"affected_hosts"`
			SourceHosts   []string `json:"source_hosts"`
			Description   string
			Parts         []struct{ Kind, Name string }
			Findings      []struct{ File, Category string }
		}
	}
	if err := json.Unmarshal(out, &shown); err != nil {
		t.Fatalf("keikai report show %s --format json: %v\n%s", tracking, err, out)
	}
	a := shown.Analysis
	for _, c := range []struct{ field, got, want string }{
		{"channel", shown.Channel, "form"},
		{"lang", a.Lang, r.lang},
		{"reporter name", a.Reporter.Name, r.name},
		{"organisation", a.Reporter.Organization, r.organization},
		{"e-mail", a.Reporter.Email, r.email},
		{"phone", a.Reporter.Phone, r.phone},
		{"incident time", a.IncidentTime, r.incidentTime},
		{"time zone", a.TimeZone, r.timeZone},
		{"affected hosts", strings.Join(a.AffectedHosts, " "), strings.Join(r.affected, " ")},
		{"source hosts", strings.Join(a.SourceHosts, " "), strings.Join(r.sources, " ")},
		{"description", a.Description, r.description},
	} {
		if c.got != c.want {
			t.Errorf("stored %s is %q, typed %q", c.field, c.got, c.want)
		}
	}
	if a.Reporter.DisclosureAllowed {
		t.Error("the stored report allows disclosure, but the reporter left the box unticked")
	}
	file := "messages-" + r.lang + ".gz"
	attached, analysed := false, false
	for _, p := range a.Parts {
		attached = attached || p.Kind == "attachment" && p.Name == file
	}
	for _, f := range a.Findings {
		analysed = analysed || f.File == file && f.Category == "intrusion"
	}
	if !attached || !analysed {
		t.Errorf("the chosen file %s: stored %v, intrusion found in it %v\n%s", file, attached, analysed, out)
	}
}

// fillForm types into every field as a person does: keys into the short fields, the log excerpt
// pasted, the consent box left alone.
func fillForm(t *testing.T, ctx context.Context, r browserReporter, email string) {
	t.Helper()
	typeInto := func(id, v string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(selectAll(id), chromedp.SendKeys(chromedp.ID(id), v))
	}
	err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID("reporter_name")),
		typeInto("reporter_name", r.name),
		typeInto("organization", r.organization),
		typeInto("email", email),
		typeInto("phone", r.phone),
		typeInto("subject", "statd"),
		typeInto("time_zone", r.timeZone),
		typeInto("affected_hosts", strings.Join(r.affected, "\n")),
		typeInto("source_hosts", strings.Join(r.sources, "\n")),
		typeInto("description", r.description),
		selectAll("excerpts"),
		paste(chromedp.ID("excerpts"), "Mar 13 12:34:50 nfs1 portmap[120]: connect from 198.51.100.23 to getport(status)\n"+statdLine),
		setDateTime(chromedp.ID("incident_time"), r.incidentTime),
	)
	if err != nil {
		t.Fatalf("fill the form: %v", err)
	}
	for id, want := range map[string]string{"reporter_name": r.name, "email": email, "time_zone": r.timeZone, "incident_time": r.incidentTime} {
		if got := value(t, ctx, chromedp.ID(id)); got != want {
			t.Errorf("field %s holds %q after typing, want %q", id, got, want)
		}
	}
	if got := value(t, ctx, chromedp.ID("excerpts")); !strings.Contains(got, "XbinXsh") {
		t.Errorf("the pasted excerpt is not in its field: %q", got)
	}
	checked, err := chromedp.Run(ctx, chromedp.JavascriptAttribute[bool](chromedp.ID("disclosure_allowed"), "checked"))
	if err != nil {
		t.Fatal(err)
	}
	if checked {
		t.Error("the disclosure consent is ticked by default; the reporter's identity must stay with us unless they tick it")
	}
}

// attachLogs chooses a gzip file of syslog in the file input.
func attachLogs(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	fmt.Fprintf(zw, "Mar 13 12:30:01 nfs1 portmap[120]: connect from 198.51.100.23 to dump()\n")
	fmt.Fprintf(zw, "Mar 13 12:34:50 nfs1 portmap[120]: connect from 198.51.100.23 to getport(status)\n")
	fmt.Fprintf(zw, "%s\n", statdLine)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "messages-"+lang+".gz")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("attachments"), []string{path})); err != nil {
		t.Fatalf("choose the log file: %v", err)
	}
	name, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("attachments").files[0].name`))
	if err != nil || name != filepath.Base(path) {
		t.Fatalf("the file input holds %q (%v), want %s", name, err, filepath.Base(path))
	}
}

// waitAnalysed reloads the status page, as a reporter does, until it says the report is analysed.
func waitAnalysed(t *testing.T, ctx context.Context, r browserReporter) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		state := text(t, ctx, chromedp.CSS(`dd[class^="state-"]`))
		if state == r.analysedState {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s the status page still says %q, want %q", state, r.analysedState)
		}
		time.Sleep(300 * time.Millisecond)
		if _, err := chromedp.RunResponse(ctx, chromedp.Reload()); err != nil {
			t.Fatalf("reload the status page: %v", err)
		}
	}
}

// refusedEmail sends the form with e-mail addresses a reporter might type. One the browser
// itself refuses never leaves the page; one the browser lets through and keikai refuses comes
// back with a field error in the page's language and the other fields still filled.
func refusedEmail(t *testing.T, ctx context.Context, base string, r browserReporter, shots string) {
	t.Helper()
	browse(t, ctx, base+"/report?lang="+r.lang)
	fillForm(t, ctx, r, "taro.yamada")
	attachLogs(t, ctx, r.lang)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if loc := location(t, ctx); loc != base+"/report?lang="+r.lang {
		t.Fatalf("the browser sent a form with e-mail %q (now at %s)", "taro.yamada", loc)
	}
	invalid, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("email").matches(":invalid")`))
	if err != nil || !invalid {
		t.Fatalf("the browser does not mark e-mail %q invalid (%v)", "taro.yamada", err)
	}

	// Consecutive dots in the local part: browsers accept them (HTML's e-mail syntax), RFC 5322
	// does not.
	const dotted = "taro..yamada@example.co.jp"
	if err := chromedp.Do(ctx, selectAll("email"), chromedp.SendKeys(chromedp.ID("email"), dotted)); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`form button[type=submit]`), http.StatusBadRequest)
	if got := pageLang(t, ctx); got != r.lang {
		t.Errorf("the refusal is in %q, want %q", got, r.lang)
	}
	errs := text(t, ctx, chromedp.CSS(`.errors`))
	if !strings.Contains(errs, r.invalidEmailMsg) {
		t.Errorf("the form's error reads %q, want it to contain %q", errs, r.invalidEmailMsg)
	}
	if !strings.Contains(errs, r.reattachMsg) {
		t.Errorf("the form's error reads %q, want the reminder to choose the files again (%q)", errs, r.reattachMsg)
	}
	checkKept(t, ctx, r, dotted)
	screenshot(t, ctx, shots, "form-error-"+r.lang+".png")
}

// missingCSRF sends a filled form whose CSRF token was taken out of the page, as a form left
// open too long or kept across a server restart arrives: it comes back refused but filled in,
// with a fresh token, and once the reporter has chosen the file again it is received. It returns
// the tracking number.
func missingCSRF(t *testing.T, ctx context.Context, base string, r browserReporter, shots string) string {
	t.Helper()
	browse(t, ctx, base+"/report?lang="+r.lang)
	fillForm(t, ctx, r, r.email)
	attachLogs(t, ctx, r.lang)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name="csrf_token"]').remove()`)); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`form button[type=submit]`), http.StatusForbidden)
	if got := pageLang(t, ctx); got != r.lang {
		t.Errorf("the form sent back is in %q, want %q", got, r.lang)
	}
	msg := text(t, ctx, chromedp.CSS(`.errors`))
	if !strings.Contains(msg, r.csrfMsg) || !strings.Contains(msg, r.reattachMsg) {
		t.Errorf("the form sent back reads %q, want %q and the reminder %q", msg, r.csrfMsg, r.reattachMsg)
	}
	checkKept(t, ctx, r, r.email)
	token, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name="csrf_token"]').value`))
	if err != nil || token == "" {
		t.Fatalf("the form sent back has no fresh CSRF token (%v)", err)
	}
	screenshot(t, ctx, shots, "csrf-"+r.lang+".png")

	attachLogs(t, ctx, r.lang)
	clickAndLoad(t, ctx, chromedp.CSS(`form button[type=submit]`), http.StatusOK)
	tracking := text(t, ctx, chromedp.CSS("dd.tracking"))
	if !regexp.MustCompile(`^KK-\d{4}-\d{6}$`).MatchString(tracking) {
		t.Fatalf("the form sent again shows tracking number %q, want KK-YYYY-NNNNNN", tracking)
	}
	screenshot(t, ctx, shots, "csrf-retried-"+r.lang+".png")
	return tracking
}

// checkKept checks that a form sent back holds what the reporter typed.
func checkKept(t *testing.T, ctx context.Context, r browserReporter, email string) {
	t.Helper()
	for id, want := range map[string]string{
		"reporter_name":  r.name,
		"organization":   r.organization,
		"email":          email,
		"phone":          r.phone,
		"time_zone":      r.timeZone,
		"incident_time":  r.incidentTime,
		"affected_hosts": strings.Join(r.affected, "\n"),
		"source_hosts":   strings.Join(r.sources, "\n"),
		"description":    r.description,
	} {
		if got := value(t, ctx, chromedp.ID(id)); got != want {
			t.Errorf("the form sent back holds %q in field %s, want %q", got, id, want)
		}
	}
	if got := value(t, ctx, chromedp.ID("excerpts")); !strings.Contains(got, "XbinXsh") {
		t.Errorf("the form sent back lost the log excerpt: %q", got)
	}
}

// activityPage opens the activity report from the navigation in r's language and checks that it
// is a page of the site: the header, a period picker that shows the demo quarter, chart labels
// and table headings that fit, and a language control that keeps the period.
func activityPage(t *testing.T, ctx context.Context, base string, r browserReporter, shots string) {
	t.Helper()
	browse(t, ctx, base+"/?lang="+r.lang)
	clickAndLoad(t, ctx, chromedp.CSS(`nav a[href^="/activity"]`), http.StatusOK)
	if got := pageLang(t, ctx); got != r.lang {
		t.Errorf("the navigation's activity report is in %q, want %s", got, r.lang)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("body > header nav a.site, body > header nav a.lang, main form.period, main article.keikai-activity").length`)); err != nil || n != 4 {
		t.Fatalf("the activity page lacks the site's header, language control, period picker or report (%d of 4, %v)", n, err)
	}
	if err := chromedp.Do(ctx, setDateTime(chromedp.ID("from"), "2000-04-01"), setDateTime(chromedp.ID("to"), "2000-06-30")); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`form.period button[type=submit]`), http.StatusOK)
	quarter := "from=2000-04-01&to=2000-06-30"
	if loc := location(t, ctx); !strings.Contains(loc, quarter) {
		t.Fatalf("the period picker led to %s, want the quarter %s", loc, quarter)
	}
	if body := pageText(t, ctx); !strings.Contains(body, r.quarterTotal) {
		t.Errorf("the demo quarter's report does not say %q:\n%s", r.quarterTotal, body)
	}
	// What a reader would see cut off: a chart label drawn outside its chart, a table heading or
	// an advisory's identifier broken over two lines.
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const bad = [];
		for (const svg of document.querySelectorAll("article svg")) {
			const w = svg.viewBox.baseVal.width;
			for (const t of svg.querySelectorAll("text")) {
				const b = t.getBBox();
				if (b.x < 0 || b.x + b.width > w) bad.push("chart label " + t.textContent + " at " + Math.round(b.x) + ".." + Math.round(b.x + b.width) + " of " + w);
			}
		}
		for (const el of document.querySelectorAll("article th, article code.whole")) {
			const range = document.createRange();
			range.selectNodeContents(el);
			const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
			if (lines.size > 1) bad.push((el.tagName == "TH" ? "table heading " : "identifier ") + el.textContent + " on " + lines.size + " lines");
		}
		return bad;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range overflow {
		t.Errorf("the %s activity report shows %s", r.lang, o)
	}
	screenshot(t, ctx, shots, "activity-"+r.lang+".png")

	clickAndLoad(t, ctx, chromedp.CSS("a.lang"), http.StatusOK)
	other := "en"
	if r.lang == "en" {
		other = "ja"
	}
	if got, loc := pageLang(t, ctx), location(t, ctx); got != other || !strings.Contains(loc, "from=2000-04-01") || !strings.Contains(loc, "to=2000-06-30") {
		t.Errorf("the language control led to %s in %q, want the same quarter in %s", loc, got, other)
	}
}

// buildKeikaiForBrowser builds the keikai binary into the test's temporary directory (so
// nothing is left behind); the other e2e tests build their own.
func buildKeikaiForBrowser(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keikai")
	out, err := exec.Command("go", "build", "-o", path, "github.com/keikai-project/keikai/cmd/keikai").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return path
}

// keikaiForBrowser is a running `keikai serve`.
type keikaiForBrowser struct {
	base string // http://127.0.0.1:PORT
	bin  string
	db   string
}

// startKeikaiForBrowser runs `keikai serve` on a fresh SQLite database and a free port, waits
// until /healthz answers, and stops it with SIGTERM when the test ends, checking that it stops
// cleanly.
func startKeikaiForBrowser(t *testing.T, bin string) keikaiForBrowser {
	t.Helper()
	srv := keikaiForBrowser{bin: bin, db: filepath.Join(t.TempDir(), "keikai.db")}
	// The demo quarter (2000-04-01 to 2000-06-30) gives the activity report the seed's ports, CGI
	// paths and categories; the reports filed here land in today's.
	cmd := exec.Command(bin, "serve", "--db", srv.db, "--listen", "127.0.0.1:0", "--form-burst", "20", "--demo")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logMu sync.Mutex
	var logs bytes.Buffer
	addr := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "keikai serve: listening on "); ok {
				a, _, _ = strings.Cut(a, " ")
				addr <- a
			}
			logMu.Lock()
			logs.WriteString(line + "\n")
			logMu.Unlock()
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
				t.Errorf("keikai serve did not stop cleanly on SIGTERM: %v", err)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Errorf("keikai serve did not stop within 20 s of SIGTERM")
		}
		if t.Failed() {
			logMu.Lock()
			t.Logf("keikai serve's log:\n%s", logs.String())
			logMu.Unlock()
		}
	})
	select {
	case srv.base = <-addr:
	case <-copied:
		t.Fatal("keikai serve exited before it listened")
	case <-time.After(30 * time.Second):
		t.Fatal("keikai serve did not say where it listens within 30 s")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(srv.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return srv
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/healthz did not answer 200 within 30 s: %v", srv.base, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// newBrowser starts headless Chromium with a fresh profile. The flags that stop background
// networking matter: on a closed network Chromium's own connections would otherwise be refused
// and slow every page.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // the tests run as root in CI's container
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("accept-lang", "en-US,en"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// Every step below is bounded, so a page that never loads fails the test instead of hanging it.
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// browserLogs keeps what the browser reports about the pages: script errors, content refused
// by the Content-Security-Policy, and resources that failed to load.
type browserLogs struct {
	mu      sync.Mutex
	entries []string
}

func collectBrowserLogs(ctx context.Context) *browserLogs {
	l := &browserLogs{}
	entries := chromedp.Events(ctx, cdplog.EntryAdded)
	go func() {
		for ev, err := range entries {
			if err != nil {
				return
			}
			if e := ev.Entry; e.Source == cdplog.EntrySourceSecurity || e.Source == cdplog.EntrySourceJavascript ||
				e.Source == cdplog.EntrySourceNetwork && !provokedRefusal(e) {
				l.mu.Lock()
				l.entries = append(l.entries, fmt.Sprintf("%s %s: %s (%s)", e.Source, e.Level, e.Text, e.URL))
				l.mu.Unlock()
			}
		}
	}()
	return l
}

// provokedRefusal tells the refusals this test asks for (a form sent back with an error, a form
// without its token) from a resource that fails to load.
func provokedRefusal(e *cdplog.Entry) bool {
	return strings.HasSuffix(e.URL, "/report") &&
		(strings.Contains(e.Text, "status of 400") || strings.Contains(e.Text, "status of 403"))
}

func (l *browserLogs) problems() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.entries...)
}

func browse(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("open %s: status %d", url, resp.Status)
	}
}

// clickAndLoad clicks what leads to another page and checks the status of that page.
func clickAndLoad(t *testing.T, ctx context.Context, sel chromedp.CSS, status int64) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
	if err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	if resp.Status != status {
		t.Fatalf("click %s: the page %s answered %d, want %d", sel, resp.URL, resp.Status, status)
	}
}

// selectAll selects what a field holds, as a person does before typing over it: the time zone
// has a default, and a form sent back with an error holds the earlier input.
func selectAll(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Focus(chromedp.ID(id)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).select()`, id)),
	)
}

func paste(sel chromedp.ID, s string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Focus(sel),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: s})
			return err
		}),
	)
}

// setDateTime sets a datetime-local field the way its picker does: Chromium's segmented
// editor depends on the browser's locale, so the value is set and the events a choice fires
// are sent.
func setDateTime(sel chromedp.ID, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.SetValue(sel, v),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); })()`, string(sel))),
	)
}

func text(t *testing.T, ctx context.Context, sel chromedp.CSS) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func value(t *testing.T, ctx context.Context, sel chromedp.ID) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Value(sel))
	if err != nil {
		t.Fatalf("read field %s: %v", sel, err)
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}

func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func pageLang(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyScreenshots copies the screenshots to -screenshots DIR, for a person to look at.
func copyScreenshots(t *testing.T, from string) {
	t.Helper()
	if *screenshotDir == "" {
		return
	}
	if err := os.MkdirAll(*screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(from, "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*screenshotDir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d screenshots in %s", len(files), *screenshotDir)
}
