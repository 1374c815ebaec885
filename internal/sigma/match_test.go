package sigma

import (
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// compileOne parses a single rule whose detection section is given, without log source (so it
// applies to every log format).
func compileOne(t testing.TB, logsource, detection string) *Rule {
	t.Helper()
	src := "title: test rule\n"
	if logsource != "" {
		src += "logsource: " + logsource + "\n"
	}
	src += "detection:\n" + indent(detection)
	rules, err := ParseFile("test.yml", []byte(src))
	if err != nil {
		t.Fatalf("parse:\n%s\nerror: %v", src, err)
	}
	if len(rules) != 1 {
		t.Fatalf("got %d rules, want 1", len(rules))
	}
	return rules[0]
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// ev builds a syslog event with a raw line and field/value pairs.
func ev(raw string, kv ...string) *event.Event {
	e := &event.Event{}
	e.Reset([]byte(raw))
	e.Format = event.FormatSyslog
	for i := 0; i+1 < len(kv); i += 2 {
		f, ok := event.FieldByName(kv[i])
		if !ok {
			panic("test uses unknown field " + kv[i])
		}
		e.Set(f, []byte(kv[i+1]))
	}
	return e
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name      string
		detection string
		event     *event.Event
		want      bool
	}{
		// equality and case folding
		{"equal", "s: {Program: sshd}\ncondition: s", ev("", "Program", "sshd"), true},
		{"equal folds ascii case", "s: {Program: SSHD}\ncondition: s", ev("", "Program", "sshd"), true},
		{"equal is whole value", "s: {Program: sshd}\ncondition: s", ev("", "Program", "sshd2"), false},
		{"cased", "s: {Program|cased: SSHD}\ncondition: s", ev("", "Program", "sshd"), false},
		{"cased exact", "s: {Program|cased: SSHD}\ncondition: s", ev("", "Program", "SSHD"), true},
		{"non-ascii compared exactly", "s: {Message: 'É'}\ncondition: s", ev("", "Message", "é"), false},
		{"missing field", "s: {Program: sshd}\ncondition: s", ev(""), false},
		{"empty value", "s: {Program: ''}\ncondition: s", ev("", "Program", ""), true},
		{"empty value absent", "s: {Program: ''}\ncondition: s", ev(""), false},
		// wildcards
		{"star", "s: {Message: 'Failed * for root*'}\ncondition: s", ev("", "Message", "Failed password for root from x"), true},
		{"star miss", "s: {Message: 'Failed * for root'}\ncondition: s", ev("", "Message", "Failed password for admin"), false},
		{"question", "s: {Program: 'ss?d'}\ncondition: s", ev("", "Program", "sshd"), true},
		{"question is one character", "s: {Message: 'a?b'}\ncondition: s", ev("", "Message", "aあb"), true},
		{"question not two", "s: {Message: 'a?b'}\ncondition: s", ev("", "Message", "axxb"), false},
		{"star then questions count runes", "s: {Message: '*??'}\ncondition: s", ev("", "Message", "あ"), false},
		{"escaped star", `s: {Message: 'a\*b'}` + "\ncondition: s", ev("", "Message", "a*b"), true},
		{"escaped star literal", `s: {Message: 'a\*b'}` + "\ncondition: s", ev("", "Message", "axb"), false},
		{"escaped backslash", `s: {Message: 'a\\*'}` + "\ncondition: s", ev("", "Message", `a\bc`), true},
		{"lone backslash literal", `s: {Message: 'C:\Windows'}` + "\ncondition: s", ev("", "Message", `c:\windows`), true},
		// contains, startswith, endswith
		{"contains", "s: {Message|contains: statmon}\ncondition: s", ev("", "Message", "x /var/STATMON/sm"), true},
		{"contains miss", "s: {Message|contains: statmon}\ncondition: s", ev("", "Message", "x /var/stat"), false},
		{"contains cased", "s: {Message|contains|cased: statmon}\ncondition: s", ev("", "Message", "STATMON"), false},
		{"contains with wildcard", "s: {Message|contains: 'a*c'}\ncondition: s", ev("", "Message", "xxabbbcxx"), true},
		{"startswith", "s: {Url|startswith: /cgi-bin/}\ncondition: s", ev("", "Url", "/CGI-BIN/phf"), true},
		{"startswith miss", "s: {Url|startswith: /cgi-bin/}\ncondition: s", ev("", "Url", "/x/cgi-bin/phf"), false},
		{"endswith", "s: {Url|endswith: .ida}\ncondition: s", ev("", "Url", "/default.IDA"), true},
		{"endswith miss", "s: {Url|endswith: .ida}\ncondition: s", ev("", "Url", "/default.idax"), false},
		// lists and all
		{"list is or", "s: {Program: [ftpd, sshd]}\ncondition: s", ev("", "Program", "sshd"), true},
		{"all needs every value", "s: {Message|contains|all: [a, z]}\ncondition: s", ev("", "Message", "abc"), false},
		{"all satisfied", "s: {Message|contains|all: [a, c]}\ncondition: s", ev("", "Message", "abc"), true},
		{"map is and", "s: {Program: sshd, User: root}\ncondition: s", ev("", "Program", "sshd", "User", "admin"), false},
		{"list of maps is or", "s:\n  - {Program: ftpd}\n  - {User: root}\ncondition: s", ev("", "Program", "sshd", "User", "root"), true},
		// numbers
		{"port set", "s: {DestinationPort: [21, 22, 23, 25, 53, 79, 80, 111, 31337]}\ncondition: s", ev("", "DestinationPort", "31337"), true},
		{"port set miss", "s: {DestinationPort: [21, 22, 23, 25, 53, 79, 80]}\ncondition: s", ev("", "DestinationPort", "8080"), false},
		{"port leading zero", "s: {DestinationPort: 80}\ncondition: s", ev("", "DestinationPort", "080"), true},
		{"large number", "s: {Pid: [100000, 5]}\ncondition: s", ev("", "Pid", "100000"), true},
		{"number on string field", "s: {Message: 404}\ncondition: s", ev("", "Message", "404"), true},
		{"number string quoted on numeric field", "s: {Status: '40*'}\ncondition: s", ev("", "Status", "404"), true},
		{"non-numeric value on numeric field", "s: {DestinationPort: 80}\ncondition: s", ev("", "DestinationPort", "http"), false},
		{"bool as string", "s: {Message: true}\ncondition: s", ev("", "Message", "TRUE"), true},
		// null and exists
		{"null absent", "s: {User: null}\ncondition: s", ev(""), true},
		{"null empty", "s: {User: null}\ncondition: s", ev("", "User", ""), true},
		{"null present", "s: {User: null}\ncondition: s", ev("", "User", "x"), false},
		{"exists true", "s: {User|exists: true}\ncondition: s", ev("", "User", ""), true},
		{"exists false", "s: {User|exists: false}\ncondition: s", ev("", "User", "x"), false},
		{"exists false absent", "s: {User|exists: false}\ncondition: s", ev(""), true},
		// re
		{"re", "s: {Message|re: 'statd\\[\\d+\\]'}\ncondition: s", ev("", "Message", "rpc.statd[44]"), true},
		{"re is cased", "s: {Message|re: 'STATD'}\ncondition: s", ev("", "Message", "statd"), false},
		{"re i", "s: {Message|re|i: 'STATD'}\ncondition: s", ev("", "Message", "statd"), true},
		{"re m", "s: {Message|re|m: '^b$'}\ncondition: s", ev("", "Message", "a\nb\nc"), true},
		{"re s", "s: {Message|re|s: 'a.b'}\ncondition: s", ev("", "Message", "a\nb"), true},
		{"re without s", "s: {Message|re: 'a.b'}\ncondition: s", ev("", "Message", "a\nb"), false},
		// cidr
		{"cidr v4", "s: {SourceIp|cidr: 198.51.100.0/24}\ncondition: s", ev("", "SourceIp", "198.51.100.7"), true},
		{"cidr v4 miss", "s: {SourceIp|cidr: 198.51.100.0/24}\ncondition: s", ev("", "SourceIp", "198.51.101.7"), false},
		{"cidr v6", "s: {SourceIp|cidr: '2001:db8::/32'}\ncondition: s", ev("", "SourceIp", "2001:db8::1"), true},
		{"cidr v6 miss", "s: {SourceIp|cidr: '2001:db8::/32'}\ncondition: s", ev("", "SourceIp", "2001:db9::1"), false},
		{"cidr mapped", "s: {SourceIp|cidr: 10.0.0.0/8}\ncondition: s", ev("", "SourceIp", "::ffff:10.1.2.3"), true},
		{"cidr list", "s: {SourceIp|cidr: [10.0.0.0/8, 192.168.0.0/16]}\ncondition: s", ev("", "SourceIp", "192.168.1.1"), true},
		{"cidr garbage value", "s: {SourceIp|cidr: 10.0.0.0/8}\ncondition: s", ev("", "SourceIp", "10.0.0.256"), false},
		// comparisons
		{"gt", "s: {Status|gt: 399}\ncondition: s", ev("", "Status", "404"), true},
		{"gt equal", "s: {Status|gt: 404}\ncondition: s", ev("", "Status", "404"), false},
		{"gte", "s: {Status|gte: 404}\ncondition: s", ev("", "Status", "404"), true},
		{"lt", "s: {DestinationPort|lt: 1024}\ncondition: s", ev("", "DestinationPort", "1023"), true},
		{"lte miss", "s: {DestinationPort|lte: 1023}\ncondition: s", ev("", "DestinationPort", "1024"), false},
		{"version lte", "s: {PackageVersion|lte: 0.9.6d}\ncondition: s", ev("", "PackageVersion", "0.9.6b-28"), true},
		{"version lte miss", "s: {PackageVersion|lte: 0.9.6d}\ncondition: s", ev("", "PackageVersion", "0.9.6g"), false},
		{"version beta", "s: {PackageVersion|lt: 0.9.7}\ncondition: s", ev("", "PackageVersion", "0.9.7-beta2"), true},
		// keywords
		{"keywords", "k: [statmon, 'gethostbyname error']\ncondition: k", ev("x GETHOSTBYNAME ERROR y"), true},
		{"keywords miss", "k: [statmon]\ncondition: k", ev("nothing here"), false},
		{"keyword wildcard", "k: ['sm//*/tmp']\ncondition: k", ev("/var/statmon/sm//../../tmp/x"), true},
		// conditions
		{"and", "a: {Program: sshd}\nb: {User: root}\ncondition: a and b", ev("", "Program", "sshd", "User", "root"), true},
		{"or", "a: {Program: sshd}\nb: {User: root}\ncondition: a or b", ev("", "User", "root"), true},
		{"not", "a: {Program: sshd}\ncondition: not a", ev("", "Program", "ftpd"), true},
		{"precedence not>and>or", "a: {Program: a}\nb: {User: b}\nc: {Host: c}\ncondition: a or b and not c", ev("", "Program", "a", "Host", "c"), true},
		{"precedence and binds tighter", "a: {Program: a}\nb: {User: b}\nc: {Host: c}\ncondition: a or b and c", ev("", "User", "b"), false},
		{"parentheses", "a: {Program: a}\nb: {User: b}\nc: {Host: c}\ncondition: (a or b) and c", ev("", "Program", "a"), false},
		{"1 of pattern", "sel_a: {Program: a}\nsel_b: {User: b}\nother: {Host: c}\ncondition: 1 of sel_*", ev("", "User", "b"), true},
		{"any of pattern", "sel_a: {Program: a}\nsel_b: {User: b}\ncondition: any of sel_*", ev("", "Program", "a"), true},
		{"all of pattern", "sel_a: {Program: a}\nsel_b: {User: b}\ncondition: all of sel_*", ev("", "Program", "a"), false},
		{"1 of them", "a: {Program: a}\nb: {User: b}\ncondition: 1 of them", ev("", "User", "b"), true},
		{"all of them skips underscore", "a: {Program: a}\n_b: {User: b}\ncondition: all of them", ev("", "Program", "a"), true},
		{"condition list is or", "a: {Program: a}\nb: {User: b}\ncondition: [a, b]", ev("", "User", "b"), true},
		{"keyword case of and", "a: {Program: a}\nb: {User: b}\ncondition: a AND NOT b", ev("", "Program", "a"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := compileOne(t, "", tt.detection)
			if got := r.Match(tt.event); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMatchFormats(t *testing.T) {
	r := compileOne(t, "{category: firewall}", "s: {DestinationPort: 80}\ncondition: s")
	e := ev("", "DestinationPort", "80")
	if r.Match(e) {
		t.Error("a firewall rule matched a syslog event")
	}
	e.Format = event.FormatIptables
	if !r.Match(e) {
		t.Error("a firewall rule did not match an iptables event")
	}
}
