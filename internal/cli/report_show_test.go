package cli

import (
	"bytes"
	"context"
	"mime/multipart"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store/sqlite"
)

// storedFormReport files one hostile form report through the real intake (SQLite, engine
// analysis) at a fixed time and returns the database path. The reporter's name carries a terminal
// escape; the attachment carries the 1998 statd line with its raw shellcode bytes.
func storedFormReport(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keikai.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	eng, err := loadEngine(nil, &Env{}, false)
	if err != nil {
		t.Fatal(err)
	}
	fixed := time.Date(2000, 5, 14, 3, 30, 0, 0, time.UTC)
	svc, err := intake.New(intake.Config{
		Store: db, Decoders: intake.WebDecoders(intake.DefaultLimits()),
		Analyzer: intake.AssessAnalyzer(eng, time.UTC, "test rules"), Poll: 10 * time.Millisecond,
		Now: func() time.Time { return fixed },
	})
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range [][2]string{
		{"reporter_name", "Mallory \x1b[2J\x1b]0;pwned\x07"}, {"organization", "大学 計算機センター"},
		{"email", "admin@example.ac.jp"}, {"time_zone", "Asia/Tokyo"}, {"incident_time", "2000-05-14T12:10"},
		{"affected_hosts", "192.0.2.10\nnfs1.example.ac.jp"}, {"source_hosts", "203.0.113.66"},
		{"description", "statd が攻撃されました。\nroot shell が作られた形跡があります。"},
	} {
		mw.WriteField(f[0], f[1])
	}
	fw, _ := mw.CreateFormFile("attachments", "messages")
	fw.Write([]byte("May 14 12:10:22 nfs1 rpc.statd[211]: attempt to create \"/var/statmon/sm//../../../../../../tmp/.nfs09\x90\xeb\x1f^\x89v\x08XbinXsh tirdwr\"\n"))
	mw.Close()
	rc, err := svc.Submit(ctx, &report.Submission{Channel: report.ChannelForm, Raw: body.Bytes(), ContentType: mw.FormDataContentType(), Lang: "ja"})
	if err != nil {
		t.Fatal(err)
	}
	svc.Start()
	defer svc.Stop(ctx)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		r, err := db.Get(ctx, rc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != report.StateReceived {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("report not analysed within 20 s")
		}
	}
	return path
}

func TestReportShowGolden(t *testing.T) {
	db := storedFormReport(t)
	for _, tt := range []struct{ golden, lang, format string }{
		{"report-show.en.txt", "en", "text"}, {"report-show.ja.txt", "ja", "text"}, {"report-show.json", "en", "json"},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			r := keikai(t, "", "report", "show", "1", "--db", db, "--lang", tt.lang, "--format", tt.format)
			if r.code != exitClean {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if bytes.ContainsAny([]byte(r.stdout), "\x1b\x07\x90") {
				t.Fatalf("control bytes from the report reached the output:\n%q", r.stdout)
			}
			golden(t, tt.golden, r.stdout)
		})
	}
	r := keikai(t, "", "report", "list", "--db", db, "--format", "json", "--from", "2000-04-01", "--to", "2000-06-30")
	golden(t, "report-list.json", r.stdout)
}

// TestReportShowDecision: report show prints the analyst's decision (category, who, when, note)
// and the incident's reference, every value from outside escaped; audit list prints the same
// names escaped.
func TestReportShowDecision(t *testing.T) {
	path := storedFormReport(t)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	hostile := "Eve \x1b[31m\u202eevil\u2066 <script>\x00"
	who := audit.Actor{UserID: 7, Name: hostile}
	if err := db.DecideReport(ctx, 1, "intrusion", "intrusions:system-compromise", "note "+hostile, who); err != nil {
		t.Fatal(err)
	}
	in, err := db.CreateIncident(ctx, "statd "+hostile, []int64{1}, who)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, tc := range []struct{ lang, format string }{{"en", "text"}, {"ja", "text"}, {"en", "json"}} {
		r := keikai(t, "", "report", "show", "1", "--db", path, "--lang", tc.lang, "--format", tc.format)
		if r.code != exitClean {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		want := []string{in.Ref, "intrusions:system-compromise", `Eve \x1b[31m\u202eevil\u2066 <script>`}
		switch {
		case tc.format == "json":
			want = []string{`"incident": "` + in.Ref + `"`, `"category": "intrusion"`, `"by": "Eve \u001b[31m`}
		case tc.lang == "ja":
			want = append(want, "判断した類型", "判断者", "所属インシデント")
		default:
			want = append(want, "Decided category:", "Decided by:", "Grouped into incident:")
		}
		for _, w := range want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("report show --lang %s --format %s lacks %q:\n%s", tc.lang, tc.format, w, r.stdout)
			}
		}
		// JSON is for programs: its encoder escapes control bytes, and leaves text as text.
		bad := "\x1b\x00\u202e\u2066"
		if tc.format == "json" {
			bad = "\x1b\x00"
		}
		if strings.ContainsAny(r.stdout, bad) {
			t.Errorf("report show --lang %s --format %s lets a control or bidi character through:\n%q", tc.lang, tc.format, r.stdout)
		}
	}
	r := keikai(t, "", "audit", "list", "--db", path)
	if r.code != exitClean || !strings.Contains(r.stdout, "report.decide") {
		t.Fatalf("audit list: exit %d %s\n%s", r.code, r.stderr, r.stdout)
	}
	if strings.ContainsAny(r.stdout, "\x1b\x00\u202e\u2066") {
		t.Errorf("audit list lets a control or bidi character through:\n%q", r.stdout)
	}
}
