package host

import (
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

func TestOpenSSLVersionFromLibName(t *testing.T) {
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"libssl.so.0.9.6", "0.9.6", true},
		{"libcrypto.so.0.9.6b", "0.9.6b", true},
		{"libssl.so.1.0.2k", "1.0.2k", true},
		{"libssl.so.1.1", "1.1", true},
		{"libssl.so.3", "3", true},
		{"libssl.a", "", true},
		{"libssl.so.10", "", false}, // Red Hat's own soname, not a version
		{"libssl.so.2", "", false},
		{"libssl.so", "", false},
		{"libssl.so.", "", false},
		{"libssl.so.x1", "", false},
		{"libssl.so.0.9.6 ", "", false},
		{"libssl3.so", "", false}, // NSS, not OpenSSL
		{"libcurl.so.4", "", false},
	}
	for _, tt := range tests {
		got, ok := opensslVersionFromLibName(tt.name)
		if ok != tt.ok || got != tt.want {
			t.Errorf("opensslVersionFromLibName(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseOpenSSLVersionHeader(t *testing.T) {
	tests := []struct {
		name, header, want string
		ok                 bool
	}{
		{"0.9.6d", "#define OPENSSL_VERSION_NUMBER\t0x0090604fL\n#define OPENSSL_VERSION_TEXT\t\"OpenSSL 0.9.6d 9 May 2002\"\n", "0.9.6d", true},
		{"beta", "#define OPENSSL_VERSION_TEXT \"OpenSSL 0.9.7-beta2 16 Jun 2002\"\n", "0.9.7-beta2", true},
		{"fips first", "#ifdef OPENSSL_FIPS\n#define OPENSSL_VERSION_TEXT \"OpenSSL 0.9.7d-fips 17 Mar 2004\"\n#else\n#define OPENSSL_VERSION_TEXT \"OpenSSL 0.9.7d 17 Mar 2004\"\n#endif\n", "0.9.7d", true},
		{"indented define", "# define OPENSSL_VERSION_TEXT    \"OpenSSL 1.1.1k  25 Mar 2021\"\n", "1.1.1k", true},
		{"3.x", "# define OPENSSL_VERSION_STR \"3.0.2\"\n# define OPENSSL_VERSION_TEXT \"OpenSSL \" OPENSSL_FULL_VERSION_STR \" \" OPENSSL_RELEASE_DATE\n", "3.0.2", true},
		{"commented", "/* #define OPENSSL_VERSION_TEXT \"OpenSSL 0.9.6 24 Sep 2000\" */\n", "", false},
		{"no version", "#define HEADER_OPENSSLV_H\n", "", false},
		{"unterminated", "#define OPENSSL_VERSION_TEXT \"OpenSSL 0.9.6\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, ok := parseOpenSSLVersionHeader([]byte(tt.header))
			if ok != tt.ok || got != tt.want {
				t.Errorf("got %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCollectOpenSSLOutsidePackageManager(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"var/lib/dpkg/status":                           "",
		"usr/local/ssl/lib/libssl.so.0.9.6":             "x",
		"usr/local/ssl/lib/libcrypto.so.0.9.6":          "x", // same build: reported once
		"usr/local/ssl/lib/libssl.a":                    "x",
		"usr/local/ssl/include/openssl/opensslv.h":      "#define OPENSSL_VERSION_TEXT\t\"OpenSSL 0.9.6d 9 May 2002\"\n",
		"opt/apache/lib/libssl.so.0.9.7-beta2":          "x",
		"usr/lib/x86_64-linux-gnu/libssl.so.3":          "x",
		"lib":                                           "->usr/lib", // merged /usr: scanned once
		"usr/lib/x86_64-linux-gnu/deeper/more/":         "",
		"usr/lib/x86_64-linux-gnu/deeper/libssl.so.1.1": "x", // depth 3: not scanned
	})
	c := collect(t, root, Targets{})
	var got []string
	for _, m := range c.ofFormat(event.FormatHostPackage) {
		if m["PackageSource"] != "file" || m["PackageName"] != "openssl" {
			t.Errorf("unexpected package event %v", m)
		}
		got = append(got, m["PackageVersion"])
	}
	want := "|0.9.6|0.9.6d|0.9.7-beta2|3"
	if strings.Join(sortedCopy(got), "|") != want {
		t.Errorf("versions %q, want %q", sortedCopy(got), want)
	}
	m, _ := c.find(event.FormatHostPackage, "PackageVersion", "0.9.6")
	if !strings.Contains(m["Raw"], "/usr/local/ssl/lib/libcrypto.so.0.9.6") || !strings.Contains(m["Raw"], "patch letter") {
		t.Errorf("Raw %q should name the file and say the patch letter is unknown", m["Raw"])
	}
}
