package csaf

import (
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/advisories"
	"github.com/keikai-project/keikai/internal/advisory"
)

func TestFileName(t *testing.T) {
	tests := map[string]string{
		"JPCERT-AT-2002-0006": "jpcert-at-2002-0006.json",
		"RHSA-2019:1862":      "rhsa-2019_1862.json",
		"Example / ID 1.0 +x": "example_id_1_0_+x.json",
	}
	for id, want := range tests {
		if got := FileName(id); got != want {
			t.Errorf("FileName(%q) = %q, want %q", id, got, want)
		}
	}
}

// The profile follows the kind, and what the text says reaches the document: expiry, rules,
// countermeasures, editions.
func TestBuild(t *testing.T) {
	c, err := advisory.LoadFS(advisories.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	jst, _ := time.LoadLocation("Asia/Tokyo")
	opts := Options{Publisher: Publisher{Name: "T", Namespace: "https://t.example"}, BundleURL: "https://t.example/b.json", Now: time.Unix(0, 0), Zone: jst}
	tests := []struct {
		id, profile string
		want        []string
	}{
		{"JPCERT-E-INF-98-0001", ProfileIncidentResponse, []string{`"title": "Expiry"`, "expires on 1998-03-06", "3e50647f-9849-4181-b64d-be35400c3ac2", `"category": "mitigation"`, "https://t.example/b.json", `"initial_release_date": "1998-02-26T00:00:00+09:00"`, "do not reprint it after March 6, 1998"}},
		{"JPCERT-AT-2002-0006", ProfileIncidentResponse, []string{`"version": "2"`, `"number": "2"`, "vers:generic/<=0.9.6d", `"fixed": [`, "0.9.6g"}},
		{"JPCERT-PR-2000-0003", ProfileInformational, []string{`"title": "Countermeasures"`, "718 reports"}},
	}
	for _, tt := range tests {
		a, _ := c.Lookup(tt.id)
		d := Build(a, opts)
		data, err := Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if d.Document.Category != tt.profile {
			t.Errorf("%s: profile %s, want %s", tt.id, d.Document.Category, tt.profile)
		}
		if tt.profile == ProfileInformational && len(d.Vulnerabilities) > 0 {
			t.Errorf("%s: an informational advisory must not have vulnerabilities", tt.id)
		}
		if strings.Contains(string(data), "{url}") || strings.Contains(string(data), "{expires}") {
			t.Errorf("%s: a notice placeholder reached the document", tt.id)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s: document lacks %s", tt.id, w)
			}
		}
	}
}
