package reportform

import (
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		ok   bool
		want Form
	}{
		{
			name: "numbered Japanese form with log",
			text: "JPCERT/CC 御中\n\n1. 報告者氏名: 山田 太郎\n2. 組織名: 例示大学\n3. E-mail: <yamada@example.ac.jp>\n4. 電話番号: 03-1234-5678\n" +
				"5. 発生日時: 2000/04/01 10:00\n6. タイムゾーン: JST\n7. 被害ホスト: www.example.ac.jp (192.0.2.80)\n8. 攻撃元ホスト: 不明、203.0.113.7\n" +
				"9. 概要:\n   CGI への攻撃。\n   phf を探しています。\n10. ログ:\n\n203.0.113.7 - - [01/Apr/2000:10:00:00 +0900] \"GET /cgi-bin/phf HTTP/1.0\" 404 -\n\n以上です。\n",
			ok: true,
			want: Form{Name: "山田 太郎", Organization: "例示大学", Email: "yamada@example.ac.jp", Phone: "03-1234-5678",
				IncidentTime: "2000/04/01 10:00", TimeZone: "JST", AffectedHosts: []string{"www.example.ac.jp", "192.0.2.80"},
				SourceHosts: []string{"203.0.113.7"}, Description: "CGI への攻撃。\nphf を探しています。",
				Log: "203.0.113.7 - - [01/Apr/2000:10:00:00 +0900] \"GET /cgi-bin/phf HTTP/1.0\" 404 -\n", Fields: 10},
		},
		{
			name: "bracketed labels, full-width numbers and colons",
			text: "【報告者】鈴木\n【所属】例示株式会社\n【メールアドレス】suzuki@example.co.jp\n（１）攻撃元：198.51.100.1\n",
			ok:   true,
			want: Form{Name: "鈴木", Organization: "例示株式会社", Email: "suzuki@example.co.jp", SourceHosts: []string{"198.51.100.1"}, Fields: 4},
		},
		{
			name: "English form, log with colons runs to the signature",
			text: "Reporter: Alice\nOrganization: Example Networks\nE-mail: alice@example.net\nSource hosts: 203.0.113.45, scan.example.org\n" +
				"Log:\nJun  6 07:30:01 fw kernel: DENY SRC=203.0.113.45\nSource: this line is log\n-- \nAlice\n",
			ok: true,
			want: Form{Name: "Alice", Organization: "Example Networks", Email: "alice@example.net",
				SourceHosts: []string{"203.0.113.45", "scan.example.org"},
				Log:         "Jun  6 07:30:01 fw kernel: DENY SRC=203.0.113.45\nSource: this line is log\n", Fields: 5},
		},
		{
			name: "a numbered label ends the log",
			text: "(1) 氏名: A\n(2) 組織: B\n(3) ログ:\nMar 13 12:34:56 host statd[44]: attempt\n(4) 備考: なし\n",
			ok:   true,
			want: Form{Name: "A", Organization: "B", Log: "Mar 13 12:34:56 host statd[44]: attempt\n", Fields: 3},
		},
		{
			name: "sub-numbered items under section headings",
			text: "1. 報告者に関する情報\n 1.1 氏名: 佐藤 花子\n 1.2 組織名: 例示大学\n 1.3 電子メールアドレス: sato@example.ac.jp\n" +
				"2. インシデントに関する情報\n 2-1. 発生日時: 2000/05/15 10:00\n 2-2. 攻撃元ホスト: 198.51.100.99\n",
			ok: true,
			want: Form{Name: "佐藤 花子", Organization: "例示大学", Email: "sato@example.ac.jp", IncidentTime: "2000/05/15 10:00",
				SourceHosts: []string{"198.51.100.99"}, Fields: 5},
		},
		{
			name: "prose with a signature is not a form",
			text: "Hello,\nwe saw a scan.\nName: Bob\n",
		},
		{
			name: "a quoted mail header is not a form",
			text: "> From: x@example.com\n> Date: Sat, 1 Apr 2000\n> Subject: hi\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.text)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (form %+v)", ok, tt.ok, got)
			}
			if !ok {
				return
			}
			if got.Log != "" && tt.text[got.LogStart:got.LogEnd] != got.Log {
				t.Errorf("LogStart/LogEnd do not delimit Log")
			}
			got.LogStart, got.LogEnd = 0, 0
			if !equalForm(got, tt.want) {
				t.Errorf("Parse =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func equalForm(a, b Form) bool {
	return a.DisclosureAllowed == b.DisclosureAllowed && a.Name == b.Name && a.Organization == b.Organization && a.Email == b.Email && a.Phone == b.Phone &&
		a.IncidentTime == b.IncidentTime && a.TimeZone == b.TimeZone && slices.Equal(a.AffectedHosts, b.AffectedHosts) &&
		slices.Equal(a.SourceHosts, b.SourceHosts) && a.Description == b.Description && a.Log == b.Log && a.Fields == b.Fields
}

func TestDisclosure(t *testing.T) {
	base := "Reporter: A\nOrganization: B\nE-mail: a@b.example\n"
	for answer, want := range map[string]bool{
		"Disclosure: yes":                    true,
		"Disclosure: No":                     false,
		"Disclosure: yes, but not the phone": false,
		"開示の可否: 可":                           true,
		"開示の可否: 不可":                          false,
		"開示の可否: いいえ":                         false,
		"開示の可否: ":                            false,
	} {
		form, ok := Parse(base + answer + "\n")
		if !ok || form.DisclosureAllowed != want {
			t.Errorf("%q: DisclosureAllowed = %v (ok %v), want %v", answer, form.DisclosureAllowed, ok, want)
		}
	}
	if form, _ := Parse(base); form.DisclosureAllowed {
		t.Error("no answer must mean no disclosure")
	}
}

func TestHosts(t *testing.T) {
	for in, want := range map[string][]string{
		"www.example.co.jp (192.0.2.1), 198.51.100.7": {"www.example.co.jp", "192.0.2.1", "198.51.100.7"},
		"不明":                                    nil,
		"2001:db8::1 and 10:23:45 e.g. port 80": {"2001:db8::1"},
		"192.0.2.0/24、host-1.example.org.":      {"192.0.2.0/24", "host-1.example.org"},
		"unknown.":                              nil,
	} {
		if got := Hosts(in); !slices.Equal(got, want) {
			t.Errorf("Hosts(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzForm(f *testing.F) {
	f.Add("1. 報告者氏名: 山田\n2. 組織名: 例\n3. ログ:\nMar 13 12:34:56 host statd[44]: x\n\n以上\n")
	f.Add("Reporter: a\nOrganization: b\nE-mail: c@d\nLog:\n\n\n")
	f.Add("【報告者】\n（１）攻撃元：\n[2] Source:\n-- \n")
	f.Fuzz(func(t *testing.T, text string) {
		form, ok := Parse(text)
		if !ok {
			return
		}
		if form.Fields < minFields {
			t.Fatalf("ok with %d fields", form.Fields)
		}
		if form.Log != "" {
			if form.LogStart < 0 || form.LogEnd > len(text) || form.LogStart > form.LogEnd || text[form.LogStart:form.LogEnd] != form.Log {
				t.Fatalf("bad log span %d..%d", form.LogStart, form.LogEnd)
			}
		}
		for _, h := range append(form.AffectedHosts, form.SourceHosts...) {
			if strings.ContainsAny(h, " \n,") {
				t.Fatalf("host %q", h)
			}
		}
	})
}
