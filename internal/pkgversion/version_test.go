package pkgversion

import "testing"

func TestCompareOrdered(t *testing.T) {
	// Each list is strictly increasing; every pair is checked both ways.
	chains := map[string][]string{
		"openssl 0.9.6 patch letters": {"0.9.6", "0.9.6a", "0.9.6b", "0.9.6c", "0.9.6d", "0.9.6e",
			"0.9.6f", "0.9.6g", "0.9.6h", "0.9.6i", "0.9.6j", "0.9.6k", "0.9.6l", "0.9.6m"},
		"openssl 0.9.7 pre-releases": {"0.9.6m", "0.9.7-beta1", "0.9.7-beta2", "0.9.7beta3",
			"0.9.7-beta4", "0.9.7-beta5", "0.9.7-beta6", "0.9.7", "0.9.7a", "0.9.7l"},
		"alpha beta rc":   {"1.0.0-alpha1", "1.0.0-beta", "1.0.0-beta2", "1.0.0-pre1", "1.0.0rc1", "1.0.0-rc2", "1.0.0", "1.0.0a"},
		"debian revision": {"0.9.6c", "0.9.6c-1", "0.9.6c-2", "0.9.6c-10", "0.9.6d"},
		"red hat release": {"0.9.6-13", "0.9.6b-8", "0.9.6b-28", "0.9.6b-29", "0.9.7a-2"},
		"debian tilde": {"3.0.11-1~deb12u1", "3.0.11-1~deb12u2", "3.0.11-1", "3.0.11-1+b1",
			"3.0.11-1.1"},
		"tilde before end": {"1.0~rc1", "1.0", "1.0+dfsg"},
		"epoch": {"1.1.1w-0+deb11u1", "3.0.15-1~deb12u1", "1:1.1.1n-0+deb11u5", "1:1.1.1n-0+deb11u6",
			"2:0.9.8"},
		"fips":               {"1.0.2k", "1.0.2k-fips", "1.0.2l"},
		"long numbers":       {"1.9", "1.10", "1.99999999999999999999", "1.100000000000000000000"},
		"letters before dot": {"1.0a", "1.0.1"},
	}
	for name, chain := range chains {
		for i := range chain {
			for j := range chain {
				want := sign(i - j)
				if got := CompareBytes([]byte(chain[i]), chain[j]); got != want {
					t.Errorf("%s: CompareBytes([]byte(%q), %q) = %d, want %d", name, chain[i], chain[j], got, want)
				}
			}
		}
	}
}

func TestCompareEqual(t *testing.T) {
	tests := []struct{ a, b string }{
		{"0.9.6", "0.9.6"},
		{"0:0.9.6", "0.9.6"},
		{"1.01", "1.1"},
		{"1.0-0", "1.0"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CompareBytes([]byte(tt.a), tt.b); got != 0 {
			t.Errorf("CompareBytes([]byte(%q), %q) = %d, want 0", tt.a, tt.b, got)
		}
	}
}

func TestCompareSlapperAdvisory(t *testing.T) {
	// JPCERT-AT-2002-0006: OpenSSL up to 0.9.6d and 0.9.7-beta2 are affected; 0.9.6g is fixed.
	affected := []string{"0.9.6", "0.9.6b", "0.9.6b-28", "0.9.6d"}
	for _, v := range affected {
		if CompareBytes([]byte(v), "0.9.6d") > 0 {
			t.Errorf("%s should be <= 0.9.6d", v)
		}
	}
	for _, v := range []string{"0.9.6g", "0.9.6e", "0.9.7"} {
		if CompareBytes([]byte(v), "0.9.6d") <= 0 {
			t.Errorf("%s should be > 0.9.6d", v)
		}
	}
	if CompareBytes([]byte("0.9.7-beta2"), "0.9.7-beta2") != 0 || CompareBytes([]byte("0.9.7-beta3"), "0.9.7-beta2") <= 0 {
		t.Error("beta ordering broken")
	}
}

func FuzzCompare(f *testing.F) {
	for _, s := range []string{"0.9.6", "0.9.7-beta2", "1:1.1.1n-0+deb11u5", "3.0.11-1~deb12u2", "1.0rc", "a-", ":-", "~~", "-beta"} {
		f.Add(s, "0.9.6d")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := CompareBytes([]byte(a), b), CompareBytes([]byte(b), a)
		if ab != -ba {
			t.Fatalf("CompareBytes(%q,%q)=%d but CompareBytes(%q,%q)=%d", a, b, ab, b, a, ba)
		}
		if CompareBytes([]byte(a), a) != 0 {
			t.Fatalf("CompareBytes(%q,%q) != 0", a, a)
		}
	})
}
