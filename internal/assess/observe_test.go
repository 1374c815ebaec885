package assess

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/report"
)

func TestReserved(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"10.1.2.3", true}, {"172.16.0.1", true}, {"172.32.0.1", false}, {"192.168.1.1", true},
		{"127.0.0.1", true}, {"169.254.10.1", true}, {"100.64.0.1", true}, {"100.128.0.1", false},
		{"192.0.2.1", true}, {"198.51.100.7", true}, {"203.0.113.9", true}, {"198.18.0.1", true},
		{"224.0.0.1", true}, {"239.255.255.250", true}, {"255.255.255.255", true}, {"0.0.0.0", true},
		{"240.0.0.1", true}, {"8.8.8.8", false}, {"133.1.2.3", false}, {"192.0.0.8", true},
		{"::1", true}, {"::", true}, {"fe80::1", true}, {"fc00::1", true}, {"fd12:3456::1", true},
		{"ff02::1", true}, {"2001:db8::1", true}, {"3fff::1", true}, {"2001:4860:4860::8888", false},
		{"::ffff:192.168.0.1", true}, {"::ffff:8.8.4.4", false},
	}
	for _, tt := range tests {
		if got := Reserved(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("Reserved(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

// obs renders the observables of one kind as "value×count" (and "!" for reserved addresses).
func obs(list []report.Observable, kind report.ObservableKind) string {
	var out []string
	for _, o := range list {
		if o.Kind != kind {
			continue
		}
		s := o.Value
		if o.Reserved {
			s += "!"
		}
		if o.Count > 1 {
			s += fmt.Sprintf("×%d", o.Count)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestObserve(t *testing.T) {
	tests := []struct {
		name string
		text string
		kind report.ObservableKind
		want string
	}{
		{"IPv4 in a firewall line, twice", "SRC=198.51.100.7 DST=133.1.2.3 ... SRC=198.51.100.7", report.ObservableIP, "198.51.100.7!×2 133.1.2.3"},
		{"IPv4 with a port, in brackets, at the end of a sentence", "relay=[133.1.2.3], from 133.1.2.4:1023 and 10.0.0.1.", report.ObservableIP, "133.1.2.3 133.1.2.4 10.0.0.1!"},
		{"not addresses: an OID, a version, a number out of range", "oid 1.3.6.1.2.1 version 0.9.6d 300.1.2.3 1.2.3", report.ObservableIP, ""},
		{"IPv6", "from 2001:db8::7 and [2001:4860:4860::8888]:53 and fe80::1%eth0", report.ObservableIP, "2001:db8::7! 2001:4860:4860::8888 fe80::1!"},
		{"not IPv6: clock times and MAC addresses", "Apr 12 03:12:44 MAC=00:0c:29:3e:51:0a:00:50 12:34:56", report.ObservableIP, ""},
		{"Japanese around an address", "攻撃元は203.0.113.5です。", report.ObservableIP, "203.0.113.5!"},
		{"host names", "from dialup-12.Example.NET. and www.example.co.jp", report.ObservableHostname, "dialup-12.example.net www.example.co.jp"},
		{"file names are not host names", "see access_log.gz, /tmp/.bugtraq.c, named.conf, index.html, exploit.pl, setup.sh, libssl.so.0, default.ida, /etc/passwd.bak", report.ObservableHostname, ""},
		{"a three-label name in a file-extension TLD is a host", "mail.example.pl and www.example.sh", report.ObservableHostname, "mail.example.pl www.example.sh"},
		{"e-mail addresses, the domain lower-cased", "From: Taro <Taro.Yamada@Example.CO.JP>, cc info@csirt.example.jp; not a@b nor user@localhost", report.ObservableEmail, "Taro.Yamada@example.co.jp info@csirt.example.jp"},
		{"an e-mail address's domain is not also a host name", "mail yamada@example.co.jp", report.ObservableHostname, ""},
		{"URLs: case, trailing punctuation, %-encoded unreserved characters", "see HTTP://WWW.Example.COM/%7Euser/a%2fb?q=%41. Also (http://www.example.com/~user/a%2Fb?q=A)", report.ObservableURL, "http://www.example.com/~user/a%2Fb?q=A×2"},
		{"ftp URL in Japanese text", "参照: ftp://ftp.example.jp/pub/cert/CA-97.26.statd をご覧ください", report.ObservableURL, "ftp://ftp.example.jp/pub/cert/CA-97.26.statd"},
		{"ports in prose", "ports 21, 23 and port 111; 137/udp, 31337/TCP, ポート 12345 と 1080番ポート; report 5, sport 9", report.ObservablePort, "21 23 111 12345 31337 137 1080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := obs(Observe([]byte(tt.text), 0), tt.kind); got != tt.want {
				t.Errorf("%s observables of %q = %q, want %q", tt.kind, tt.text, got, tt.want)
			}
		})
	}
}

func TestObserveBounded(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "10.0.%d.%d ", i/256, i%256)
	}
	list := Observe([]byte(b.String()), 50)
	if len(list) != 50 {
		t.Errorf("%d observables, want the bound of 50", len(list))
	}
}

func FuzzObserve(f *testing.F) {
	for _, s := range []string{
		"SRC=198.51.100.7 DST=192.0.2.10 PROTO=TCP SPT=4000 DPT=111",
		"From: a@example.co.jp http://www.example.com/%7e/x?y=%zz ports 21, 23 ポート 111",
		"2001:db8::1 fe80::1%eth0 ::ffff:10.0.0.1 1::2:3:4:5:6:7:8",
		"\x90\xeb\x1f^\x89v\x08XbinXsh tirdwr /var/statmon/sm/../../tmp/.nfs09",
		"攻撃元 203.0.113.5 (dialup-1.example.ne.jp) 1080番ポート",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, o := range Observe(b, 20) {
			if o.Count < 1 {
				t.Fatalf("observable %+v has no count", o)
			}
			if !utf8.ValidString(o.Value) {
				t.Fatalf("observable %q is not UTF-8", o.Value)
			}
			for _, c := range []byte(o.Value) {
				if c < 0x21 || c == 0x7f {
					t.Fatalf("observable %q holds a control character or space", o.Value)
				}
			}
			switch o.Kind {
			case report.ObservableIP:
				a, err := netip.ParseAddr(o.Value)
				if err != nil || a.Zone() != "" || a.String() != o.Value || Reserved(a) != o.Reserved {
					t.Fatalf("IP observable %+v does not round-trip", o)
				}
			case report.ObservableHostname:
				if !hostname(o.Value) || o.Value != strings.ToLower(o.Value) {
					t.Fatalf("host name observable %q is not a lower-case host name", o.Value)
				}
			case report.ObservableEmail:
				local, domain, ok := strings.Cut(o.Value, "@")
				if !ok || local == "" || !hostname(domain) {
					t.Fatalf("e-mail observable %q is not an address", o.Value)
				}
			}
		}
	})
}
