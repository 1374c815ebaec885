package redact

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var taro = report.Reporter{
	Name:         "Taro Yamada",
	Organization: "Reporter University",
	Email:        "taro@reporter.example",
	Phone:        "+81 3-1234-5678",
}

func mustSite(t testing.TB, s string) Site {
	t.Helper()
	site, err := ParseSite(s)
	if err != nil {
		t.Fatal(err)
	}
	return site
}

func TestLine(t *testing.T) {
	tests := []struct {
		name     string
		affected []string
		consent  bool
		in, want string
	}{
		{"site address kept, reporter's syslog host replaced", nil, false,
			"Apr  1 12:00:00 ns1 sshd[42]: Failed password for root from 203.0.113.5 port 4242 ssh2",
			"Apr  1 12:00:00 [reporter-host-1] sshd[42]: Failed password for root from 203.0.113.5 port 4242 ssh2"},
		{"other victim's IPv4 replaced", nil, false,
			"scan 203.0.113.5 -> 198.51.100.7:22 and 198.51.100.8:22",
			"scan 203.0.113.5 -> [victim-addr-1]:22 and [victim-addr-2]:22"},
		{"reporter's address from the affected hosts", []string{"198.51.100.0/24"}, false,
			"DROP SRC=203.0.113.5 DST=198.51.100.7 PROTO=TCP",
			"DROP SRC=203.0.113.5 DST=[reporter-addr-1] PROTO=TCP"},
		{"private addresses are the reporter's", nil, false,
			"NAT 10.1.2.3 -> 203.0.113.9", "NAT [reporter-addr-1] -> 203.0.113.9"},
		{"identity in prose", nil, false,
			"Reported by Taro Yamada (Reporter University), taro@reporter.example, tel 03-1234-5678",
			"Reported by [reporter-name] ([reporter-org]), [reporter-email], tel [reporter-phone]"},
		{"identity in a mail header", nil, false,
			"From: \"YAMADA Taro\" <Taro@Reporter.Example>",
			"From: \"[reporter-name] [reporter-name]\" <[reporter-email]>"},
		{"reporter's host names under their domain", nil, false,
			"GET http://www.reporter.example/cgi-bin/phf from 203.0.113.5",
			"GET http://[reporter-host-1]/cgi-bin/phf from 203.0.113.5"},
		{"another victim's e-mail in a mail log", nil, false,
			"postfix/smtpd: NOQUEUE: reject: RCPT from x[203.0.113.5]: 554 <hanako@victim.example>: Relay access denied",
			"postfix/smtpd: NOQUEUE: reject: RCPT from x[203.0.113.5]: 554 <[victim-email-1]>: Relay access denied"},
		{"site's own mail address kept", nil, false,
			"relay for spam@site.example", "relay for spam@site.example"},
		{"IPv6 spellings map to one placeholder", nil, false,
			"2001:db8:1::7 2001:0DB8:0001:0000:0000:0000:0000:0007 [2001:db8:1:0::7]:22",
			"[victim-addr-1] [victim-addr-1] [[victim-addr-1]]:22"},
		{"embedded IPv4 is the IPv4 address", nil, false,
			"::ffff:198.51.100.7 198.51.100.7 ::FFFF:c633:6407",
			"[victim-addr-1] [victim-addr-1] [victim-addr-1]"},
		{"compatible and NAT64 spellings are the IPv4 address", nil, false,
			"::198.51.100.7 64:ff9b::198.51.100.7 64:ff9b::c633:6407 198.51.100.7 ::1",
			"[victim-addr-1] [victim-addr-1] [victim-addr-1] [victim-addr-1] [reporter-addr-1]"},
		{"site's IPv6 network kept", nil, false,
			"from 2001:db8:5::1 to 2001:db8:9::2", "from 2001:db8:5::1 to [victim-addr-1]"},
		{"zone and link-local", nil, false,
			"fe80::1%eth0 said hello", "[reporter-addr-1] said hello"},
		{"tcpdump address.port", nil, false,
			"12:00:00.1 IP 203.0.113.5.34567 > 198.51.100.7.22: S", "12:00:00.1 IP 203.0.113.5.34567 > [victim-addr-1].22: S"},
		{"leading zeros", nil, false, "198.051.100.007", "[victim-addr-1]"},
		{"not addresses", nil, false,
			"std::string 12:34:56 00:11:22:33:44:55 1.2.3.4.5.6 v1.2.3.4 openssl-0.9.6d index.html",
			"std::string 12:34:56 00:11:22:33:44:55 1.2.3.4.5.6 v1.2.3.4 openssl-0.9.6d index.html"},
		{"other host names", nil, false,
			"connect from dialup-12.isp.ne.jp and mail.victim.example",
			"connect from [victim-host-1] and [victim-host-2]"},
		{"site's host names kept", nil, false,
			"attack from scanner.site.example", "attack from scanner.site.example"},
		{"consent keeps the reporter, not other victims", nil, true,
			"Taro Yamada ns1.reporter.example 10.0.0.1 saw 198.51.100.7",
			"Taro Yamada ns1.reporter.example 10.0.0.1 saw [victim-addr-1]"},
		{"control bytes escaped", nil, false,
			"statd[1]: attempt to create \"/var/statmon/sm/\x01\x02\xff\"",
			`statd[1]: attempt to create "/var/statmon/sm/\x01\x02\xff"`},
		{"a site host that contains the name still hides the name", nil, false,
			"from yamada.site.example", "from [reporter-name].site.example"},
	}
	site := mustSite(t, "203.0.113.0/24 2001:db8:5::/48 site.example")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := taro
			rep.DisclosureAllowed = tc.consent
			r := New(rep, tc.affected, nil, site)
			if got := r.Line(tc.in); got != tc.want {
				t.Errorf("Line(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestStableAcrossParts(t *testing.T) {
	c := report.Content{Reporter: taro, Parts: []report.Part{
		{Kind: report.PartExcerpt, Name: "excerpt 1", Text: []byte("from 198.51.100.7\n")},
		{Kind: report.PartAttachment, Name: "ns1.reporter.example.log", Text: []byte("to 198.51.100.8\nagain 198.51.100.7\n")},
	}}
	res := Redact(Input{Content: c, Site: mustSite(t, "203.0.113.5")})
	got := res.Excerpts[0].Text + res.Excerpts[1].Name + "|" + res.Excerpts[1].Text
	want := "from [victim-addr-1]\n[reporter-host-1].log|to [victim-addr-2]\nagain [victim-addr-1]\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if len(res.Replacements) != 3 || res.Replacements[0].Count != 2 || res.Replacements[0].Value != "198.51.100.7" {
		t.Errorf("replacements %+v", res.Replacements)
	}
}

func TestParseSite(t *testing.T) {
	s, err := ParseSite("203.0.113.0/24, ::ffff:198.51.100.1 Site.Example.")
	if err != nil {
		t.Fatal(err)
	}
	if !s.hasAddr(netip.MustParseAddr("203.0.113.9")) || !s.hasAddr(netip.MustParseAddr("198.51.100.1")) || !s.hasHost("www.site.example") {
		t.Errorf("site %+v", s)
	}
	for _, bad := range []string{"not_a_host", "foo", "1.2.3"} {
		if _, err := ParseSite(bad); err == nil {
			t.Errorf("ParseSite(%q) accepted", bad)
		}
	}
}

// formLike is a report as the form stores it, with the reporter's identity all over it.
func formLike(consent bool) Input {
	rep := taro
	rep.DisclosureAllowed = consent
	return Input{
		Content: report.Content{
			Reporter:      rep,
			AffectedHosts: []string{"ns1.reporter.example", "198.51.100.0/28"},
			Parts: []report.Part{
				{Kind: report.PartBody, Name: "description", Text: []byte("Our name server ns1 (198.51.100.2) was probed. Contact Taro Yamada, taro@reporter.example.\n")},
				{Kind: report.PartExcerpt, Name: "excerpt 1", Text: []byte(
					"Apr  1 03:12:45 ns1 rpc.statd[312]: gethostbyname error for ^X\xf7\xff\xbf\n" +
						"Apr  1 03:12:46 ns1 sshd[99]: Failed password for taro from 203.0.113.5 port 1022 ssh2\n" +
						"Apr  1 03:12:47 ns1 kernel: DROP SRC=203.0.113.5 DST=192.0.2.77 PROTO=TCP DPT=111\n")},
			},
		},
		Site: Site{Networks: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}},
	}
}

func TestComposeGolden(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lang    string
		consent bool
	}{{"forward.ja", "ja", false}, {"forward.en", "en", false}, {"forward-consent.en", "en", true}} {
		t.Run(tc.name, func(t *testing.T) {
			in := formLike(tc.consent)
			f := Forward{Lang: tc.lang, Tracking: "KK-2000-000718", Team: "keikai CSIRT", Category: "probe", Result: Redact(in), Reporters: []report.Reporter{in.Content.Reporter}}
			subject, body, err := Compose(f)
			if err != nil {
				t.Fatal(err)
			}
			got := "Subject: " + subject + "\n\n" + body
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("forward differs from %s (run with -update and review):\n%s", path, got)
			}
			if !tc.consent {
				if leak := leaked(got, in.Content.Reporter, []string{"ns1", "198.51.100.2", "192.0.2.77", "reporter.example"}); leak != "" {
					t.Errorf("the forward shows %q", leak)
				}
			}
		})
	}
}

var placeholderRE = regexp.MustCompile(`\[(reporter|victim)-[a-z]+(-[0-9]+)?\]`)

// leaked returns an identity string or other given value found in text once the placeholders
// are taken out, or "".
func leaked(text string, rep report.Reporter, more []string) string {
	bare := strings.ToLower(placeholderRE.ReplaceAllString(text, " "))
	values := append([]string{rep.Name, rep.Organization, rep.Email, rep.Phone}, more...)
	values = append(values, strings.Fields(rep.Name)...)
	for _, v := range values {
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" && strings.Contains(bare, v) {
			return v
		}
	}
	return ""
}

// FuzzNoIdentity checks the promise of seeds 000 and 002 on any text: whatever surrounds them,
// the reporter's name, organisation, e-mail and phone never survive redaction.
func FuzzNoIdentity(f *testing.F) {
	f.Add("Taro", "Yamada", "Acme Lab", "taro", "acme.example", "0312345678", "Apr  1 12:00:00 ns1 sshd: from %s (%s) <%s>")
	f.Add("Hanako", "Suzuki", "Kyoto Univ", "h.suzuki", "kyoto-u.ac.jp", "+81-75-123-4567", "From: %s %s\nTo: %s\n")
	f.Add("ab", "cd", "ef", "x", "y.jp", "1", "%s%s%s")
	f.Fuzz(func(t *testing.T, given, family, org, local, domain, phone, text string) {
		clean := func(s string) string {
			return strings.Map(func(r rune) rune {
				if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
					return r
				}
				return -1
			}, s)
		}
		given, family, org, local = clean(given), clean(family), clean(org), clean(local)
		domain = strings.ToLower(strings.Trim(strings.Map(func(r rune) rune {
			if r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.') {
				return r
			}
			return -1
		}, domain), "."))
		if len(given) < 3 || len(family) < 3 || len(org) < 3 || local == "" || !isHostLike(domain) || strings.Contains(domain, "..") {
			return
		}
		rep := report.Reporter{Name: given + " " + family, Organization: org, Email: local + "@" + domain, Phone: phone}
		if len(digitsOf(phone)) < 6 {
			rep.Phone = ""
		}
		body := text + " " + rep.Name + " " + strings.ToUpper(rep.Email) + " " + org + text + rep.Phone + family + "\n" + text
		in := Input{Content: report.Content{Reporter: rep, Parts: []report.Part{{Kind: report.PartBody, Name: "body", Text: []byte(body)}}}}
		for _, ex := range Redact(in).Excerpts {
			if leak := leaked(ex.Name+"\n"+ex.Text, report.Reporter{Name: rep.Name, Organization: org, Email: rep.Email, Phone: rep.Phone}, nil); leak != "" {
				t.Fatalf("identity %q survived in %q", leak, ex.Text)
			}
		}
	})
}

// FuzzLine runs the detectors over arbitrary text: nothing panics, the same input redacts the
// same way twice, and the result is valid UTF-8.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"2001:db8::1%eth0", "::ffff:1.2.3.4:80", "a@b.c", "Apr  1 00:00:00 h p:", "1.2.3.4.5", "[::]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := New(taro, []string{"10.0.0.0/8"}, nil, Site{})
		a := r.Line(s)
		b := New(taro, []string{"10.0.0.0/8"}, nil, Site{}).Line(s)
		if a != b {
			t.Fatalf("not deterministic: %q vs %q", a, b)
		}
		if !utf8Valid(a) {
			t.Fatalf("invalid UTF-8 out: %q", a)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestRedactManyReports(t *testing.T) {
	hanako := report.Reporter{Name: "Hanako Suzuki", Email: "hanako@second.example", DisclosureAllowed: true}
	sources := []Source{
		{Label: "KK-2000-000001", Content: report.Content{Reporter: taro, AffectedHosts: []string{"198.51.100.0/28"},
			Parts: []report.Part{{Kind: report.PartExcerpt, Name: "excerpt 1", Text: []byte("from 203.0.113.5 to 198.51.100.2 and 192.0.2.9\n")}}}},
		{Label: "KK-2000-000002", Content: report.Content{Reporter: hanako,
			Parts: []report.Part{{Kind: report.PartExcerpt, Name: "excerpt 1", Text: []byte("from 203.0.113.5 to 192.0.2.9, Hanako Suzuki, Taro\n")}}}},
	}
	res := RedactMany(sources, mustSite(t, "203.0.113.0/24"))
	if res.IdentityDisclosed {
		t.Error("one reporter did not consent, yet identities are disclosed")
	}
	got := res.Excerpts[0].Name + "|" + res.Excerpts[0].Text + res.Excerpts[1].Name + "|" + res.Excerpts[1].Text
	want := "KK-2000-000001: excerpt 1|from 203.0.113.5 to [reporter-addr-1] and [victim-addr-1]\n" +
		"KK-2000-000002: excerpt 1|from 203.0.113.5 to [victim-addr-1], [reporter-name], [reporter-name]\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// FuzzParseSite: whatever an analyst types as the site's addresses parses or is refused, and a
// parsed site's addresses are kept by redaction.
func FuzzParseSite(f *testing.F) {
	for _, s := range []string{"203.0.113.0/24, 2001:db8::/32 site.example.", "::ffff:1.2.3.4/120", "[2001:db8::1] x.y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		site, err := ParseSite(s)
		if err != nil {
			return
		}
		for _, p := range site.Networks {
			a := p.Addr()
			r := New(taro, nil, nil, site)
			if got := r.Line(a.String()); got != a.String() {
				t.Fatalf("the site's address %s became %q", a, got)
			}
		}
	})
}
