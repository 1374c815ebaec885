package taxonomy

import "testing"

func TestCategoriesSeedOrder(t *testing.T) {
	want := []string{"probe", "mail-relay", "forged-mail", "intrusion", "dos", "worm", "other"}
	got := Categories()
	if len(got) != len(want) {
		t.Fatalf("got %d categories, want %d", len(got), len(want))
	}
	for i, c := range got {
		if c.Key != want[i] {
			t.Errorf("category %d = %q, want %q", i, c.Key, want[i])
		}
		if c.Ja == "" || c.En == "" {
			t.Errorf("category %q lacks a name", c.Key)
		}
		if !ValidRSIT(c.DefaultRSIT) {
			t.Errorf("category %q default RSIT %q is not in the taxonomy", c.Key, c.DefaultRSIT)
		}
	}
	got[0].Key = "changed"
	if Categories()[0].Key != "probe" {
		t.Error("Categories exposes its backing array")
	}
}

func TestCategoryByKey(t *testing.T) {
	tests := []struct {
		key     string
		ok      bool
		section string
		rsit    string
	}{
		{"probe", true, "I", "information-gathering:scanner"},
		{"mail-relay", true, "II", "fraud:unauthorised-use-of-resources"},
		{"forged-mail", true, "III", "fraud:masquerade"},
		{"intrusion", true, "IV", "intrusions:system-compromise"},
		{"dos", true, "V", "availability:dos"},
		{"worm", true, "VI", "malicious-code:infected-system"},
		{"other", true, "", "other:undetermined"},
		{"Probe", false, "", ""},
		{"", false, "", ""},
	}
	for _, tt := range tests {
		c, ok := CategoryByKey(tt.key)
		if ok != tt.ok || c.Section != tt.section || c.DefaultRSIT != tt.rsit {
			t.Errorf("CategoryByKey(%q) = %+v, %v", tt.key, c, ok)
		}
	}
}

func TestValidRSIT(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"information-gathering:scanner", true},
		{"intrusion-attempts:brute-force", true},
		{"intrusions:privileged-account-compromise", true},
		{"availability:ddos", true},
		{"information-content-security:data-leak", true},
		{"vulnerable:vulnerable-system", true},
		{"other:other", true},
		{"test:test", true},
		{"information-gathering", false},
		{"information-gathering:", false},
		{"scanner:information-gathering", false},
		{"fraud:scanner", false},
		{"Fraud:masquerade", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidRSIT(tt.in); got != tt.want {
			t.Errorf("ValidRSIT(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	n := 0
	for _, c := range rsit {
		n += len(c.Types)
	}
	if n != 39 {
		t.Errorf("taxonomy has %d types, want 39", n)
	}
}
