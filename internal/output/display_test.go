package output

import (
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/finding"
)

func TestWidthAndPadding(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"port", 4},
		{"ポート", 6},
		{"件数", 4},
		{"ＡＢ", 4},   // fullwidth
		{"ｶﾀｶﾅ", 4}, // halfwidth katakana take one column each
		{"", 0},
	}
	for _, tt := range tests {
		if got := Width(tt.s); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
	// Columns line up by what a terminal shows, not by runes or bytes.
	rows := []string{padRight("ログ", 10) + "|", padRight("logs", 10) + "|", padRight("パッケージ", 10) + "|"}
	for _, r := range rows {
		if Width(r) != 11 {
			t.Errorf("%q is %d columns wide, want 11", r, Width(r))
		}
	}
	if got := padLeft("件数", 10); got != "      件数" {
		t.Errorf("padLeft = %q", got)
	}
	if got := Truncate("10.0 MiB / 20.0 MiB", 8); got != "10.0 MiB" {
		t.Errorf("Truncate = %q", got)
	}
	if got := Truncate("検査中です", 5); got != "検査" {
		t.Errorf("Truncate cuts a wide rune in half: %q", got)
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ title, want string }{
		{"Request for the phf CGI program (CERT CA-96.06)", "request-for-the-phf-cgi-program-cert-ca-96-06"},
		{"Slapper (Apache/mod_ssl worm) files in /tmp", "slapper-apache-mod-ssl-worm-files-in-tmp"},
		{"Apache's mod_ssl", "apaches-mod-ssl"},
		{"Port scan - one source probed 15 or more ports within a minute", "port-scan-one-source-probed-15-or-more-ports"},
		{"Hostile \x1b]0;owned\x07 \u202etitle", "hostile-0-owned-title"},
		{"パスワードの推測", "rule"},
		{"", "rule"},
	}
	for _, tt := range tests {
		got := Slug(tt.title)
		if got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.title, got, tt.want)
		}
		if len(got) > 48 {
			t.Errorf("Slug(%q) is %d characters long", tt.title, len(got))
		}
	}
	if got := slugOfEscaped(RuleText("Hostile \x1b]0;owned\x07 \u202etitle")); got != "hostile-0-owned-title" {
		t.Errorf("the name of an escaped title differs from the raw title's: %q", got)
	}
}

func TestNumbersItself(t *testing.T) {
	for s, want := range map[string]bool{
		"(1) Upgrade statd": true, "（２）statd の停止": true, "3. Rebuild": true,
		"Update OpenSSL": false, "(see below)": false, "2002 was the year": false,
	} {
		if got := numbersItself(s); got != want {
			t.Errorf("numbersItself(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestFormatHelpers(t *testing.T) {
	for level, want := range map[string]string{"critical": "error", "high": "error", "medium": "warning", "low": "note", "informational": "note", "": "note"} {
		if got := sarifLevel(level); got != want {
			t.Errorf("sarifLevel(%q) = %q, want %q", level, got, want)
		}
	}
	for p, want := range map[string]string{
		"testdata/logs/kern.log": "testdata/logs/kern.log",
		"/var/log/messages":      "file:///var/log/messages",
		"logs/a b#1.log":         "logs/a%20b%231.log",
		"(stdin)":                "%28stdin%29",
	} {
		if got := fileURI(p); got != want {
			t.Errorf("fileURI(%q) = %q, want %q", p, got, want)
		}
	}
	for s, want := range map[string]string{"=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "GET /": "GET /"} {
		if got := cell(s); got != want {
			t.Errorf("cell(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestRuleTextsEscapedWithoutTouchingTheOriginal(t *testing.T) {
	f := &finding.Finding{Rule: "r", Title: "a\x1bb", Advisories: []string{"X-\u202e"}}
	c := withRuleTextsEscaped(f)
	if c.Title != `a\x1bb` || c.Advisories[0] != `X-\u202e` {
		t.Errorf("escaped copy: %+v", c)
	}
	if f.Title != "a\x1bb" || f.Advisories[0] != "X-\u202e" {
		t.Errorf("the original finding was changed: %+v", f)
	}
	clean := &finding.Finding{Rule: "r", Title: "plain"}
	if withRuleTextsEscaped(clean) != clean {
		t.Error("a finding with nothing to escape was copied")
	}
}

func TestGroupingKeepsSeverityOrderAndTimeRange(t *testing.T) {
	var b strings.Builder
	w := New(Text, &b, Options{Lang: "en"})
	for _, f := range []*finding.Finding{
		{Rule: "low", Title: "Low one", Level: "low", SourceIP: "192.0.2.1", Time: "2004-05-26T06:42:12Z", File: "f", Line: 2},
		{Rule: "low", Title: "Low one", Level: "low", SourceIP: "192.0.2.1", Time: "2004-05-26T06:42:10Z", File: "f", Line: 1},
		{Rule: "low", Title: "Low one", Level: "low", SourceIP: "192.0.2.1", Time: "2004-05-26T15:42:11+09:00", File: "f", Line: 3},
		{Rule: "high", Title: "High one", Level: "high", SourceIP: "192.0.2.9", Time: "2004-05-26T06:50:00Z", File: "f", Line: 4},
	} {
		if err := w.Finding(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(nil, nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Index(out, "[HIGH]") > strings.Index(out, "[LOW]") {
		t.Errorf("the high finding is not first:\n%s", out)
	}
	if !strings.Contains(out, "[LOW] Low one  (3 findings)") || !strings.Contains(out, "2004-05-26T06:42:10Z .. 2004-05-26T06:42:12Z") ||
		!strings.Contains(out, "f:2 .. f:3") {
		t.Errorf("the group lacks its count, its earliest and latest time, or its lines:\n%s", out)
	}
}

// FuzzSlug feeds rule titles, which come from rule files anyone may write: the short name is
// always plain ASCII that a terminal and a shell take as it is.
func FuzzSlug(f *testing.F) {
	for _, s := range []string{"Request for the phf CGI program (CERT CA-96.06)", "\x1b]0;x\x07", "パスワード", strings.Repeat("ab-", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		s := Slug(title)
		if s == "" || len(s) > 48 || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
			t.Fatalf("Slug(%q) = %q", title, s)
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				t.Fatalf("Slug(%q) = %q holds %q", title, s, c)
			}
		}
	})
}
