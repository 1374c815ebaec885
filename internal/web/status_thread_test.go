package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

// fileReport files a report through the form and returns its tracking number and status link.
func fileReport(t *testing.T, s *server, description string) (string, string) {
	t.Helper()
	client, token := formSession(t, s)
	ct, body := multipartForm(t, map[string]string{"csrf_token": token, "lang": "en", "reporter_name": "Taro Yamada",
		"email": "taro@reporter.example", "phone": "03-1234-5678", "description": description}, nil)
	resp, err := client.Post(s.URL+"/report", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	m := regexp.MustCompile(`class="tracking">(KK-[0-9-]+)<`).FindStringSubmatch(page)
	link := regexp.MustCompile(`href="(http://[^"]+/status/[A-Za-z0-9_-]+)"`).FindStringSubmatch(page)
	if m == nil || link == nil {
		t.Fatalf("no receipt:\n%s", page)
	}
	return m[1], link[1]
}

func mailMessage(subject, body string) []byte {
	return []byte("From: abuse@site.example\r\nSubject: " + subject + "\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + body + "\r\n")
}

func TestStatusShowsOnlySharedMessagesOfItsReport(t *testing.T) {
	s := newServer(t, withThreads)
	ctx := context.Background()
	trackA, linkA := fileReport(t, s, "report A")
	trackB, linkB := fileReport(t, s, "report B")
	repA, _ := s.store.ByTracking(ctx, trackA)
	repB, _ := s.store.ByTracking(ctx, trackB)
	analyst := audit.Actor{UserID: 1, Name: "analyst"}
	add := func(reportID int64, kind store.MessageKind, subject, body string, share bool) store.Message {
		m, _, err := s.store.AddMessage(ctx, store.Message{ReportID: reportID, Direction: store.Inbound, Kind: kind, Subject: subject,
			Raw: mailMessage(subject, body)}, analyst)
		if err != nil {
			t.Fatal(err)
		}
		if share {
			if err := s.store.ShareMessage(ctx, m.ID, true, analyst); err != nil {
				t.Fatal(err)
			}
		}
		return m
	}
	add(repA.ID, store.MessageReply, "Re: A shared", "SHARED-A <script>alert(1)</script> \x1b[31mred \u202eevil", true)
	add(repA.ID, store.MessageReply, "Re: A unshared", "UNSHARED-A staff only", false)
	add(repB.ID, store.MessageReply, "Re: B shared", "SHARED-B", true)

	get := func(link string) string {
		resp, err := http.Get(link + "?lang=en")
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", link, resp.StatusCode)
		}
		return body
	}
	pageA, pageB := get(linkA), get(linkB)
	for _, tc := range []struct {
		page, want string
		shown      bool
	}{
		{pageA, "SHARED-A", true},
		{pageA, "&lt;script&gt;alert(1)&lt;/script&gt;", true},
		{pageA, `\x1b[31m`, true},
		{pageA, `\u202e`, true},
		{pageA, "\x1b", false},
		{pageA, "\u202e", false},
		{pageA, "<script>", false},
		{pageA, "UNSHARED-A", false},
		{pageA, "SHARED-B", false},
		{pageA, trackB, false},
		{pageA, "Taro", false},
		{pageA, "taro@reporter.example", false},
		{pageB, "SHARED-B", true},
		{pageB, "SHARED-A", false},
		{pageB, trackA, false},
	} {
		if strings.Contains(tc.page, tc.want) != tc.shown {
			t.Errorf("page shows %q: %v, want %v", tc.want, !tc.shown, tc.shown)
		}
	}
}

func TestStatusAddInformation(t *testing.T) {
	s := newServer(t, withThreads)
	ctx := context.Background()
	track, link := fileReport(t, s, "a scan")
	page := readAll(t, must(http.Get(link+"?lang=ja")))
	token := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
	if token == nil || !strings.Contains(page, "この報告に情報を追加する") {
		t.Fatalf("no form on the status page:\n%s", page)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(fields map[string]string, files map[string][]byte) *http.Response {
		ct, body := multipartForm(t, fields, nil)
		if files != nil {
			ct, body = multipartFile(t, fields, files)
		}
		resp, err := noRedirect.Post(link+"?lang=ja", ct, body)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	tests := []struct {
		name   string
		fields map[string]string
		files  map[string][]byte
		status int
	}{
		{"text and a file", map[string]string{"csrf_token": token[1], "text": "もう一つのログです"}, map[string][]byte{"more.log": []byte(firewallLines)}, http.StatusSeeOther},
		{"a wrong token", map[string]string{"csrf_token": "forged", "text": "x"}, nil, http.StatusForbidden},
		{"no token", map[string]string{"text": "x"}, nil, http.StatusForbidden},
		{"nothing to add", map[string]string{"csrf_token": token[1], "text": "  "}, nil, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(tc.fields, tc.files)
			readAll(t, resp)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
	rep, _ := s.store.ByTracking(ctx, track)
	thread, err := s.store.Messages(ctx, store.MessageFilter{ReportID: rep.ID})
	if err != nil || len(thread) != 1 {
		t.Fatalf("thread %+v, %v", thread, err)
	}
	v := viewMessage(thread[0], 1<<20)
	if v.Kind != store.MessageReporter || v.Direction != store.Inbound || v.Text != "もう一つのログです" || len(v.Files) != 1 ||
		v.Files[0].Name != "more.log" || v.Files[0].Text != firewallLines || thread[0].Shared {
		t.Errorf("stored addition %+v", v)
	}
	// A wrong link adds nothing anywhere.
	resp, err := noRedirect.Post(s.URL+"/status/"+strings.Repeat("A", 43), "application/x-www-form-urlencoded", strings.NewReader("text=x"))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown link: %d", resp.StatusCode)
	}
}

// withThreads turns the mail threads on, in the server's own store.
func withThreads(c *Config) { c.Messages = c.Store.(store.Messages) }

func multipartFile(t *testing.T, fields map[string]string, files map[string][]byte) (string, *bytes.Buffer) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return mw.FormDataContentType(), &body
}

func must(resp *http.Response, err error) *http.Response {
	if err != nil {
		panic(err)
	}
	return resp
}

func TestStatusThreadGolden(t *testing.T) {
	h := &handler{cfg: Config{}, pages: mustPages(t)}
	at := time.Date(2000, 7, 3, 10, 0, 0, 0, time.UTC)
	for _, lang := range []string{"en", "ja"} {
		p := statusPage{page: h.newPage(lang, "status.state"), Tracking: "KK-2000-000718", ReceivedAt: at.Add(-72 * time.Hour),
			State: report.StateAnalysed, Category: "probe", Thread: true, Secret: "SECRET", CSRF: "TOKEN", MaxFile: "8 MiB", Added: true,
			Messages: []messageView{{ID: 3, At: at, Subject: "Re: [KK-2000-000718] <b>fixed</b>", Text: "We removed the scanner.\n\x1b[2J\u202egnp.exe",
				Files: []fileView{{Name: "cleanup.txt", Size: 120}}}}}
		rec := httptest.NewRecorder()
		h.render(rec, 200, "status", p)
		golden(t, "status-thread."+lang+".html", rec.Body.String())
	}
}

// FuzzParseAddition: a status page body from outside parses without panic, within its limits.
func FuzzParseAddition(f *testing.F) {
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhello\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\\\\b.log\"\r\n\r\nlog\r\n--x--\r\n"), "multipart/form-data; boundary=x")
	f.Add([]byte("text=%E3%81%82&csrf_token=t"), "application/x-www-form-urlencoded")
	f.Fuzz(func(t *testing.T, raw []byte, contentType string) {
		a, err := parseAddition(raw, contentType, 64)
		if err != nil {
			return
		}
		if len(a.File) > 64 || strings.ContainsAny(a.FileName, "/\\") {
			t.Fatalf("addition %+v", a)
		}
	})
}
