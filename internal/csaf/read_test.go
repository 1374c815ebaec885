package csaf

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/advisories"
	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/testenv"
)

// sharedDir finds the OASIS reference data beside the repository (../shared, or a directory
// above a worktree).
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "csaf", "csaf_2.0")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			testenv.Missing(t, "the CSAF reference data", "check out the shared/ folder beside the repository")
			return ""
		}
		dir = parent
	}
}

// The embedded schemas are the shared ones, byte for byte.
func TestEmbeddedSchemasUnchanged(t *testing.T) {
	shared := sharedDir(t)
	for embedded, original := range map[string]string{
		"csaf_json_schema.json": "json_schema/csaf_json_schema.json",
		"cvss-v2.0.json":        "referenced_schema/first/cvss-v2.0.json",
		"cvss-v3.0.json":        "referenced_schema/first/cvss-v3.0.json",
		"cvss-v3.1.json":        "referenced_schema/first/cvss-v3.1.json",
	} {
		got, err := schemaFS.ReadFile("schema/" + embedded)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(shared, original))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("schema/%s differs from %s", embedded, original)
		}
	}
}

type testcase struct {
	ID       string `json:"id"`
	Group    string `json:"group"`
	Failures []struct {
		Name string `json:"name"`
	} `json:"failures"`
	Valid []struct {
		Name string `json:"name"`
	} `json:"valid"`
}

// The OASIS test documents: for every mandatory test Read implements, each valid document passes
// it and each failing one is rejected with that test's ID.
func TestOASISTestcases(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "test", "validator", "data")
	data, err := os.ReadFile(filepath.Join(dir, "testcases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tc struct {
		Tests []testcase `json:"tests"`
	}
	if err := json.Unmarshal(data, &tc); err != nil {
		t.Fatal(err)
	}
	ran := 0
	covered := map[string]bool{}
	for _, test := range tc.Tests {
		if !slices.Contains(MandatoryTests, test.ID) {
			continue
		}
		covered[test.ID] = true
		t.Run(test.ID, func(t *testing.T) {
			for _, f := range test.Failures {
				problems := check(t, filepath.Join(dir, f.Name))
				if !slices.Contains(problems.Tests(), test.ID) {
					t.Errorf("%s: want a failure of %s, got %v", f.Name, test.ID, problems)
				}
				ran++
			}
			for _, f := range test.Valid {
				problems := check(t, filepath.Join(dir, f.Name))
				if len(problems) > 0 {
					t.Errorf("%s must pass, got %v", f.Name, problems)
				}
				ran++
			}
		})
	}
	for _, id := range MandatoryTests {
		if !covered[id] {
			t.Errorf("test %s has no OASIS test documents", id)
		}
	}
	t.Logf("%d test documents of %d tests", ran, len(covered))
}

func check(t *testing.T, file string) Problems {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := Check(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return problems
}

// The 19 OASIS example advisories (Cisco, Red Hat, BSI, VEX) are read without a problem.
func TestOASISExamples(t *testing.T) {
	var files []string
	err := filepath.WalkDir(filepath.Join(sharedDir(t), "examples", "csaf"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 19 {
		t.Fatalf("%d examples, want 19", len(files))
	}
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Read(r)
		r.Close()
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if d.Document.Tracking.ID == "" {
			t.Errorf("%s: read without a tracking ID", filepath.Base(f))
		}
	}
}

// Every document keikai writes passes its own reader, and reads back as written.
func TestReadWhatBuildWrites(t *testing.T) {
	c, err := advisory.LoadFS(advisories.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	jst, _ := time.LoadLocation("Asia/Tokyo")
	opts := Options{Publisher: Publisher{Name: "T", Namespace: "https://t.example"}, BundleURL: "https://t.example/b.json", SelfURL: "https://t.example/self.json", Now: time.Unix(0, 0), Zone: jst}
	n := 0
	for _, a := range c.Advisories {
		written := Build(a, opts)
		data, err := Marshal(written)
		if err != nil {
			t.Fatal(err)
		}
		read, err := Read(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: %v", a.ID, err)
			continue
		}
		again, _ := Marshal(read)
		if !bytes.Equal(again, data) {
			t.Errorf("%s: read back differs from what was written", a.ID)
		}
		n++
	}
	if n < 3 {
		t.Errorf("read %d advisories, want the three seeds at least", n)
	}
}

// Problems name the test and the JSON path.
func TestProblemsNamePaths(t *testing.T) {
	c, _ := advisory.LoadFS(advisories.FS, ".")
	a, _ := c.Lookup("JPCERT-AT-2002-0006")
	d := Build(a, Options{Publisher: Publisher{Name: "T", Namespace: "https://t.example"}, Now: time.Unix(0, 0)})
	d.Vulnerabilities[0].ProductStatus.Fixed = append(d.Vulnerabilities[0].ProductStatus.Fixed, "NOPE", d.Vulnerabilities[0].ProductStatus.KnownAffected[0])
	d.Document.Tracking.Version = "7"
	data, _ := Marshal(d)
	_, err := Read(bytes.NewReader(data))
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("Read = %v, want Problems", err)
	}
	want := []Problem{
		{Test: "6.1.1", Path: "/vulnerabilities/0/product_status/fixed/1"},
		{Test: "6.1.6", Path: "/vulnerabilities/0/product_status/known_affected/0"},
		{Test: "6.1.16", Path: "/document/tracking/version"},
	}
	for _, w := range want {
		if !slices.ContainsFunc(problems, func(p Problem) bool { return p.Test == w.Test && p.Path == w.Path }) {
			t.Errorf("no problem %s at %s in:\n%v", w.Test, w.Path, problems)
		}
	}
	if _, err := Read(strings.NewReader(`{"document":`)); err == nil || errors.As(err, &problems) {
		t.Errorf("truncated JSON: %v, want a plain error", err)
	}
}

func TestCVSSScores(t *testing.T) {
	tests := []struct {
		vector                        string
		base, temporal, environmental float64
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, 9.8, 9.8},
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/E:P/RL:O/RC:C", 9.9, 8.9, 9.0},
		{"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5, 5.5, 5.5},
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N/CR:H/MAV:L", 3.1, 3.1, 3.2},
		{"AV:N/AC:L/Au:N/C:C/I:C/A:C", 10, 10, 10},
		{"AV:N/AC:M/Au:N/C:P/I:P/A:P/E:F/RL:OF/RC:C", 6.8, 5.6, 5.6},
	}
	for _, tt := range tests {
		m, metrics, unset, v2 := map[string]level{}, cvss2Metrics, "ND", true
		parts := strings.Split(tt.vector, "/")
		if strings.HasPrefix(tt.vector, "CVSS:") {
			metrics, parts, unset, v2 = cvss3Metrics, parts[1:], "X", false
		}
		for _, p := range parts {
			k, v, _ := strings.Cut(p, ":")
			m[k] = metrics[k].values[v]
		}
		for k, mt := range metrics {
			if _, ok := m[k]; !ok {
				m[k] = mt.values[unset]
			}
		}
		var got map[string]float64
		if v2 {
			got = cvss2Scores(m)
		} else {
			got = cvss3Scores(m, strings.HasPrefix(tt.vector, "CVSS:3.0"))
		}
		if got["base"] != tt.base || got["temporal"] != tt.temporal || got["environmental"] != tt.environmental {
			t.Errorf("%s = %v, want %v %v %v", tt.vector, got, tt.base, tt.temporal, tt.environmental)
		}
	}
}

func FuzzRead(f *testing.F) {
	// A small valid document that reaches every test; keikai's own documents are larger, and each
	// minimisation of an input that size would take the fuzzer's whole time.
	small, err := os.ReadFile(filepath.Join("testdata", "small.json"))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := Read(bytes.NewReader(small)); err != nil {
		f.Fatalf("testdata/small.json: %v", err)
	}
	f.Add(small)
	f.Add([]byte(`{"document":{"category":"csaf_base","csaf_version":"2.0","title":"x"}}`))
	f.Add([]byte(`{"product_tree":{"relationships":[{"full_product_name":{"product_id":"A"},"product_reference":"A","relates_to_product_reference":"B"}]},"vulnerabilities":[{"scores":[{"cvss_v3":{"vectorString":"CVSS:3.1/AV:N","version":"3.1"}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Read(bytes.NewReader(data))
		if err == nil && d == nil {
			t.Fatal("no document and no error")
		}
		var problems Problems
		if errors.As(err, &problems) && len(problems) == 0 {
			t.Fatal("a Problems error without problems")
		}
	})
}

// The documents of the optional and informative tests (6.2, 6.3) are made to pass the mandatory
// tests, so the reader must not reject them: a guard against false alarms. Two of them list the
// same hash algorithm twice for one file, which 6.1.25 forbids.
func TestOASISOtherTestDocumentsPass(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "test", "validator", "data")
	expected := map[string]string{
		"oasis_csaf_tc-csaf_2_0-2021-6-2-08-02.json": "6.1.25",
		"oasis_csaf_tc-csaf_2_0-2021-6-2-09-02.json": "6.1.25",
	}
	n := 0
	for _, group := range []string{"optional", "informative"} {
		files, err := filepath.Glob(filepath.Join(dir, group, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v %v", group, files, err)
		}
		for _, f := range files {
			problems := check(t, f)
			if want := expected[filepath.Base(f)]; want != "" {
				if !slices.Equal(problems.Tests(), []string{want}) {
					t.Errorf("%s: %v, want only %s", filepath.Base(f), problems, want)
				}
			} else if len(problems) > 0 {
				t.Errorf("%s: %v", filepath.Base(f), problems)
			}
			n++
		}
	}
	t.Logf("%d documents", n)
}
