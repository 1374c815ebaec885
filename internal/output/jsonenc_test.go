package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/finding"
)

// awkward are texts that JSON and CSV must escape or quote, and texts that they must not touch.
var awkward = []string{
	"", "plain", "a\"quote", `back\slash`, "<script>&amp;</script>", "tab\there", "line\nbreak", "cr\rlf",
	"\x00\x01\x1f\x7f", "\b\f", "U+2028\u2028U+2029\u2029", "invalid \xff\xfe utf-8", "truncated \xe3\x81",
	"日本語のテキスト", "comma, separated", " leading space", "\tleading tab", `\.`, "=cmd()", "+1", "-1", "@sum",
	"\u202e bidi", "exactly8", "seven77", "0123456789abcdefghij<", "0123456789abcdefg\"hij",
}

func awkwardFinding(s string, i int) *finding.Finding {
	f := &finding.Finding{
		Rule: "rule-" + s, Title: "Title " + s, Level: "high", Category: "scan", RSIT: "x",
		Advisories: []string{"ADV-1", s},
		File:       s, Line: int64(i), Time: s, SourceIP: s, DestinationIP: s, DestinationPort: i,
		Protocol: s, Excerpt: s, ExcerptJa: s, Artifact: s,
	}
	if i%2 == 0 {
		f.TitleJa = "題 " + s
		f.Countermeasures = []finding.Text{{Ja: s, En: "step " + s}}
	}
	if i%3 == 0 {
		f.Advisories = nil
	}
	if i%5 == 0 {
		f.Correlation = &finding.Aggregate{Type: "count", GroupBy: map[string]string{"src": s}, Events: 3, Values: []string{s}, Timespan: "1m"}
	}
	return f
}

func TestFindingJSONMatchesEncodingJSON(t *testing.T) {
	cache := ruleCache{}
	for i, s := range awkward {
		for _, f := range []*finding.Finding{awkwardFinding(s, i), awkwardFinding(s, i+1), {Rule: s, Title: s, Level: s, Category: s, RSIT: s}} {
			want, err := json.Marshal(withRuleTextsEscaped(f))
			if err != nil {
				t.Fatal(err)
			}
			// Twice: the second time the rule's texts come from the cache.
			for range 2 {
				got, err := appendFindingJSON(nil, f, cache.texts(f))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("finding with %q:\n got %s\nwant %s", s, got, want)
				}
			}
		}
	}
}

func TestRuleCacheSeesChangedTexts(t *testing.T) {
	cache := ruleCache{}
	f := awkwardFinding("x", 1)
	first := cache.texts(f)
	g := *f
	g.Title = "Another title"
	g.Advisories = []string{"ADV-2"}
	if got := cache.texts(&g); got == first || got.title != "Another title" {
		t.Errorf("a finding with other rule texts reused the cached ones")
	}
}

// TestMachineFormatsDecode writes the awkward findings in every machine format and reads them
// back with encoding/json and encoding/csv: what is read is what was written.
func TestMachineFormatsDecode(t *testing.T) {
	var fs []*finding.Finding
	for i, s := range awkward {
		fs = append(fs, awkwardFinding(s, i))
	}
	for _, format := range []Format{JSON, NDJSON, SARIF, CSV} {
		var b bytes.Buffer
		w := New(format, &b, Options{})
		for _, f := range fs {
			if err := w.Finding(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Finish(map[string]int{"n": len(fs)}, nil); err != nil {
			t.Fatal(err)
		}
		var excerpts []string
		switch format {
		case JSON:
			var doc struct{ Findings []finding.Finding }
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatalf("json: %v\n%s", err, b.String())
			}
			for _, f := range doc.Findings {
				excerpts = append(excerpts, f.Excerpt)
			}
		case NDJSON:
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			for _, l := range lines[:len(lines)-1] {
				var f finding.Finding
				if err := json.Unmarshal([]byte(l), &f); err != nil {
					t.Fatalf("ndjson: %v\n%s", err, l)
				}
				excerpts = append(excerpts, f.Excerpt)
			}
		case SARIF:
			var doc struct {
				Runs []struct {
					Results []struct {
						Properties struct{ Excerpt string }
					}
				}
			}
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatalf("sarif: %v\n%s", err, b.String())
			}
			for _, r := range doc.Runs[0].Results {
				excerpts = append(excerpts, r.Properties.Excerpt)
			}
		case CSV:
			rows, err := csv.NewReader(&b).ReadAll()
			if err != nil {
				t.Fatalf("csv: %v", err)
			}
			for _, r := range rows[1:] {
				// A formula is guarded with an apostrophe; no awkward text starts with one.
				excerpts = append(excerpts, strings.TrimPrefix(r[len(r)-1], "'"))
			}
		}
		if len(excerpts) != len(fs) {
			t.Fatalf("%s: read %d findings back, wrote %d", format, len(excerpts), len(fs))
		}
		for i, f := range fs {
			want := f.Excerpt
			if format != CSV {
				// JSON carries text, not bytes: each invalid byte becomes U+FFFD.
				b, _ := json.Marshal(want)
				json.Unmarshal(b, &want)
			}
			if excerpts[i] != want {
				t.Errorf("%s: excerpt %q read back as %q", format, want, excerpts[i])
			}
		}
	}
}

func FuzzFindingJSON(f *testing.F) {
	for _, s := range awkward {
		f.Add(s, s, int64(1), 80)
	}
	f.Fuzz(func(t *testing.T, rule, text string, line int64, port int) {
		fd := &finding.Finding{Rule: rule, Title: text, TitleJa: text, Level: "low", Category: text, RSIT: rule,
			Advisories: []string{text}, File: text, Line: line, Time: text, SourceIP: text, DestinationPort: port,
			Excerpt: text, Artifact: rule, Countermeasures: []finding.Text{{Ja: text, En: rule}}}
		want, err := json.Marshal(withRuleTextsEscaped(fd))
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendFindingJSON(nil, fd, ruleCache{}.texts(fd))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}

// cell is a field as the csv format writes it, before quoting.
func cell(s string) string {
	if formula(s) {
		return "'" + s
	}
	return s
}

// TestCSVMatchesEncodingCSV compares each row with what encoding/csv writes for the same cells.
func TestCSVMatchesEncodingCSV(t *testing.T) {
	var got, want bytes.Buffer
	w := newCSVWriter(&got)
	ref := csv.NewWriter(&want)
	ref.Write(csvHeader)
	for i, s := range awkward {
		for _, f := range []*finding.Finding{awkwardFinding(s, i), {Rule: s, Title: s, Level: s, Category: s, RSIT: s, Line: -1, DestinationPort: -1}} {
			if err := w.Finding(f); err != nil {
				t.Fatal(err)
			}
			e := withRuleTextsEscaped(f)
			line, port := "", ""
			if f.Line > 0 {
				line = strconv.FormatInt(f.Line, 10)
			}
			if f.DestinationPort > 0 {
				port = strconv.Itoa(f.DestinationPort)
			}
			row := []string{e.Level, e.Rule, Slug(f.Title), e.Title, e.Category, e.RSIT, strings.Join(e.Advisories, " "),
				f.File, line, f.Time, f.SourceIP, f.DestinationIP, port, f.Protocol, f.Artifact, f.Excerpt}
			for i := range row {
				row[i] = cell(row[i])
			}
			ref.Write(row)
		}
	}
	if err := w.Finish(nil, nil); err != nil {
		t.Fatal(err)
	}
	ref.Flush()
	gl, wl := strings.SplitAfter(got.String(), "\n"), strings.SplitAfter(want.String(), "\n")
	for i := range max(len(gl), len(wl)) {
		if i >= len(gl) || i >= len(wl) || gl[i] != wl[i] {
			t.Fatalf("csv differs at line %d:\n got %q\nwant %q", i+1, gl[min(i, len(gl)-1)], wl[min(i, len(wl)-1)])
		}
	}
}

func FuzzCSVField(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		ref := csv.NewWriter(&want)
		ref.Write([]string{cell(s), "x"})
		ref.Flush()
		got := append(appendCSVField(nil, s), ",x\n"...)
		if string(got) != want.String() {
			t.Fatalf("field %q:\n got %q\nwant %q", s, got, want.String())
		}
	})
}

// sarifResultOracle is a result as encoding/json writes it from maps and structs, the way the
// sarif writer made it before it encoded by hand.
func sarifResultOracle(raw *finding.Finding, idx int) ([]byte, error) {
	f := withRuleTextsEscaped(raw)
	var r struct {
		RuleID     string            `json:"ruleId"`
		RuleIndex  int               `json:"ruleIndex"`
		Level      string            `json:"level"`
		Message    map[string]string `json:"message"`
		Locations  []any             `json:"locations,omitempty"`
		Properties map[string]any    `json:"properties"`
	}
	r.RuleID, r.RuleIndex, r.Level, r.Message = f.Rule, idx, sarifLevel(f.Level), map[string]string{"text": f.Title}
	if f.File != "" {
		phys := map[string]any{"artifactLocation": map[string]string{"uri": fileURI(f.File)}}
		if f.Line > 0 {
			phys["region"] = map[string]int64{"startLine": f.Line}
		}
		r.Locations = []any{map[string]any{"physicalLocation": phys}}
	} else if f.Artifact != "" {
		r.Locations = []any{map[string]any{"logicalLocations": []any{map[string]string{"fullyQualifiedName": f.Artifact, "kind": "resource"}}}}
	}
	props := map[string]any{"keikai_level": f.Level, "category": f.Category}
	for k, v := range map[string]string{"time": f.Time, "source_ip": f.SourceIP, "destination_ip": f.DestinationIP, "protocol": f.Protocol, "excerpt": f.Excerpt, "artifact": f.Artifact} {
		if v != "" {
			props[k] = v
		}
	}
	if f.DestinationPort > 0 {
		props["destination_port"] = f.DestinationPort
	}
	if f.Correlation != nil {
		props["correlation"] = f.Correlation
	}
	r.Properties = props
	return json.Marshal(r)
}

// TestSARIFResultsMatchEncodingJSON compares each result, in key order, with the oracle.
func TestSARIFResultsMatchEncodingJSON(t *testing.T) {
	var fs []*finding.Finding
	for i, s := range awkward {
		fs = append(fs, awkwardFinding(s, i), &finding.Finding{Rule: s, Title: s, Level: "critical", Category: s, Artifact: s, DestinationPort: -1},
			&finding.Finding{Rule: "r", Title: "t", Level: "low", File: "/abs/" + s, Line: -2})
	}
	var b bytes.Buffer
	w := New(SARIF, &b, Options{})
	idx := map[string]int{}
	var want []string
	for _, f := range fs {
		if err := w.Finding(f); err != nil {
			t.Fatal(err)
		}
		rule := withRuleTextsEscaped(f).Rule
		if _, ok := idx[rule]; !ok {
			idx[rule] = len(idx)
		}
		r, err := sarifResultOracle(f, idx[rule])
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, string(r))
	}
	if err := w.Finish(nil, nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	out = out[strings.Index(out, `"results":[`)+len(`"results":[`) : strings.Index(out, `],"columnKind"`)]
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i := range max(len(got), len(want)) {
		g, w := "", ""
		if i < len(got) {
			g = strings.TrimPrefix(got[i], ",")
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Fatalf("result %d:\n got %s\nwant %s", i, g, w)
		}
	}
}
