package activity

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/portname"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func jst(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// seed002 is the activity of JPCERT-PR-2000-0003: its totals, and its ports, ICMP types, CGI
// programs and causes in the order the seed lists them, with counts that keep that order. Service
// names come from portname, as the store fills them.
func seed002(t testing.TB) *Stats {
	loc := jst(t)
	var tcp []PortCount
	for i, p := range []int{21, 22, 23, 53, 109, 25, 110, 111, 143, 514, 12345, 1080, 3128, 80, 8080, 1114, 513, 79, 2425, 1243, 2140, 98, 31337} {
		tcp = append(tcp, PortCount{Port: p, Service: portname.Port("tcp", p), Count: int64(180 - 7*i)})
	}
	s := &Stats{
		From:  time.Date(2000, 4, 1, 0, 0, 0, 0, loc),
		To:    time.Date(2000, 7, 1, 0, 0, 0, 0, loc),
		Total: 718,
		Categories: map[string]int64{
			taxonomy.Probe: 610, taxonomy.MailRelay: 27, taxonomy.ForgedMail: 30, taxonomy.Intrusion: 32,
			taxonomy.DoS: 8, taxonomy.Worm: 4, taxonomy.Other: 7,
		},
		Decided:     702,
		TopTCPPorts: tcp,
		TopUDPPorts: []PortCount{
			{Port: 111, Service: portname.Port("udp", 111), Count: 64},
			{Port: 137, Service: portname.Port("udp", 137), Count: 41},
		},
		ICMPTypes: []ICMPCount{{Type: 8, Name: portname.ICMPType(8), Count: 57}},
		CGIPaths: []PathCount{
			{Path: "/cgi-bin/phf", Count: 48},
			{Path: "/cgi-bin/test-cgi", Count: 31},
			{Path: "/cgi-bin/nph-test-cgi", Count: 22},
			{Path: "/cgi-bin/php.cgi", Count: 19},
			{Path: "/cgi-bin/webdist.cgi", Count: 12},
			{Path: "/cgi-bin/Count.cgi", Count: 9},
		},
		Causes: []CauseCount{
			{Advisory: "CA-2000-03", Title: "Weaknesses in DNS server programs (BIND)", TitleJa: "DNS サーバプログラムに含まれる弱点", Count: 14},
			{Advisory: "CA-98.08", Title: "Weaknesses in POP server programs (qpopper)", TitleJa: "POP サーバプログラムに含まれる弱点", Count: 11},
			{Rule: "2f0c7a53-5d43-4c0e-9a0c-statd0000001", Title: "statd attack: a file created through a path with ../", TitleJa: "statd の弱点を悪用した攻撃", Count: 3},
		},
	}
	s.Previous = &Stats{
		From:  time.Date(2000, 1, 1, 0, 0, 0, 0, loc),
		To:    time.Date(2000, 4, 1, 0, 0, 0, 0, loc),
		Total: 512,
		Categories: map[string]int64{
			taxonomy.Probe: 430, taxonomy.MailRelay: 20, taxonomy.ForgedMail: 25, taxonomy.Intrusion: 21,
			taxonomy.DoS: 9, taxonomy.Worm: 4, taxonomy.Other: 3,
		},
		Decided:     512,
		TopTCPPorts: []PortCount{{Port: 111, Service: "sunrpc", Count: 150}, {Port: 21, Service: "ftp", Count: 120}, {Port: 53, Service: "domain", Count: 90}},
		TopUDPPorts: []PortCount{{Port: 137, Service: "netbios-ns", Count: 30}},
		ICMPTypes:   []ICMPCount{{Type: 8, Name: "echo request", Count: 61}},
		CGIPaths:    []PathCount{{Path: "/cgi-bin/phf", Count: 52}},
		Causes:      []CauseCount{{Advisory: "CA-98.08", Title: "Weaknesses in POP server programs (qpopper)", TitleJa: "POP サーバプログラムに含まれる弱点", Count: 9}},
	}
	return s
}

func seedOptions(lang string) Options {
	return Options{Lang: lang, Issuer: "JPCERT/CC", ID: "JPCERT-PR-2000-0003", Issued: time.Date(2000, 7, 31, 0, 0, 0, 0, time.UTC)}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	noPrevious := func(s *Stats) *Stats { s.Previous = nil; return s }
	tests := []struct {
		name   string
		stats  *Stats
		render func(io.Writer, *Stats) error
	}{
		{"seed002.ja.txt", seed002(t), func(w io.Writer, s *Stats) error { return WriteText(w, s, seedOptions("ja")) }},
		{"seed002.en.txt", seed002(t), func(w io.Writer, s *Stats) error { return WriteText(w, s, seedOptions("en")) }},
		{"seed002-noprev.ja.txt", noPrevious(seed002(t)), func(w io.Writer, s *Stats) error { return WriteText(w, s, Options{Lang: "ja"}) }},
		{"seed002-noprev.en.txt", noPrevious(seed002(t)), func(w io.Writer, s *Stats) error { return WriteText(w, s, Options{Lang: "en"}) }},
		{"seed002.ja.html", seed002(t), func(w io.Writer, s *Stats) error { return WriteHTMLPage(w, s, seedOptions("ja")) }},
		{"seed002.en.html", seed002(t), func(w io.Writer, s *Stats) error { return WriteHTMLPage(w, s, seedOptions("en")) }},
		{"seed002-fragment.ja.html", noPrevious(seed002(t)), func(w io.Writer, s *Stats) error { return WriteHTMLFragment(w, s, Options{Lang: "ja"}) }},
		{"seed002-fragment.en.html", noPrevious(seed002(t)), func(w io.Writer, s *Stats) error { return WriteHTMLFragment(w, s, Options{Lang: "en"}) }},
		// JSON and CSV carry both languages' labels (or none), so one file each covers ja and en.
		{"seed002.json", seed002(t), WriteJSON},
		{"seed002.csv", seed002(t), func(w io.Writer, s *Stats) error { return WriteCSV(w, s, CSVOptions{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b, tt.stats); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, b.Bytes())
		})
	}
}

// TestTextLines checks the layout rules on the seed's report: no line wider than 70 columns
// (a port list item or a path may stand alone on an over-long line, never split), and every
// port list item whole on one line.
func TestTextLines(t *testing.T) {
	s := seed002(t)
	for _, lang := range []string{"ja", "en"} {
		var b bytes.Buffer
		if err := WriteText(&b, s, seedOptions(lang)); err != nil {
			t.Fatal(err)
		}
		text := b.String()
		for i, l := range strings.Split(text, "\n") {
			if c := columns(l); c > lineColumns {
				t.Errorf("%s line %d is %d columns: %q", lang, i+1, c, l)
			}
		}
		for _, p := range s.TopTCPPorts {
			item := portLabel(p) + ": " + group(p.Count)
			if !strings.Contains(text, item) {
				t.Errorf("%s: TCP item %q is not whole on one line", lang, item)
			}
		}
		for _, want := range []string{"718", "610", "27", "30", "32", "8 ", "4 ", "7 "} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: count %q missing", lang, want)
			}
		}
	}
}

func TestChange(t *testing.T) {
	tests := []struct {
		count, prev int64
		ja, en      string
	}{
		{718, 512, "前期 512 件から 40% 増", "up 40% from 512 in the previous period"},
		{400, 500, "前期 500 件から 20% 減", "down 20% from 500 in the previous period"},
		{5, 5, "前期と同数", "unchanged from the previous period"},
		{5, 0, "前期 0 件", "none in the previous period"},
		{0, 4, "前期 4 件から 100% 減", "down 100% from 4 in the previous period"},
		{1001, 1000, "前期 1,000 件から 1% 未満 増", "up less than 1% from 1,000 in the previous period"},
		{3, 2, "前期 2 件から 50% 増", "up 50% from 2 in the previous period"},
		{1, 8, "前期 8 件から 88% 減", "down 88% from 8 in the previous period"}, // 87.5 rounds up
	}
	for _, tt := range tests {
		if got := change(tt.count, tt.prev, "ja"); got != tt.ja {
			t.Errorf("change(%d, %d, ja) = %q, want %q", tt.count, tt.prev, got, tt.ja)
		}
		if got := change(tt.count, tt.prev, "en"); got != tt.en {
			t.Errorf("change(%d, %d, en) = %q, want %q", tt.count, tt.prev, got, tt.en)
		}
	}
}

// TestHTMLWellFormed parses each page as XML, which is stricter than an HTML parser (every element
// closed, every attribute quoted, no undeclared entity), and checks that nothing in it runs or
// loads: no script element, no event handler, no src or href.
func TestHTMLWellFormed(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		for name, render := range map[string]func(io.Writer, *Stats, Options) error{"page": WriteHTMLPage, "fragment": WriteHTMLFragment} {
			var b bytes.Buffer
			if err := render(&b, seed002(t), seedOptions(lang)); err != nil {
				t.Fatal(err)
			}
			d := xml.NewDecoder(&b)
			d.Strict = true
			var svgs, tables, svgTitles int
			langSet := false
			for {
				tok, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s %s: not well-formed: %v", lang, name, err)
				}
				el, ok := tok.(xml.StartElement)
				if !ok {
					continue
				}
				switch el.Name.Local {
				case "script", "iframe", "object", "embed", "img", "link":
					t.Errorf("%s %s: element <%s>", lang, name, el.Name.Local)
				case "svg":
					svgs++
				case "table":
					tables++
				case "title":
					svgTitles++
				}
				for _, a := range el.Attr {
					n := strings.ToLower(a.Name.Local)
					if strings.HasPrefix(n, "on") || n == "src" || n == "href" || n == "style" {
						t.Errorf("%s %s: attribute %s=%q on <%s>", lang, name, a.Name.Local, a.Value, el.Name.Local)
					}
					if n == "lang" && (el.Name.Local == "html" || el.Name.Local == "article") {
						if a.Value != lang {
							t.Errorf("%s %s: lang=%q", lang, name, a.Value)
						}
						langSet = true
					}
				}
			}
			if !langSet {
				t.Errorf("%s %s: no lang attribute", lang, name)
			}
			// Categories, TCP, UDP, ICMP, CGI and causes: a chart and a table each.
			if svgs != 6 || tables != 6 {
				t.Errorf("%s %s: %d charts and %d tables, want 6 of each", lang, name, svgs, tables)
			}
			if svgTitles < svgs {
				t.Errorf("%s %s: %d titles for %d charts", lang, name, svgTitles, svgs)
			}
		}
	}
}

// TestHTMLNumbersAsText checks that a chart's numbers are text too (for screen readers and for
// copying), not only bar lengths.
func TestHTMLNumbersAsText(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, seed002(t), "en"); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<text x="`, ">610</text>", "<desc>I Probes, scans and other suspicious access: 610 (Previous period 430)",
		"<td class=\"num\">718</td>", "up 40% from 512 in the previous period", `role="img"`, `aria-label="`,
		"Content-Security-Policy", "default-src &#39;none&#39;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestStyleSheetHash(t *testing.T) {
	if !strings.Contains(contentSecurityPolicy, "'sha256-") || StyleSheet() == "" {
		t.Fatalf("policy %q does not name the style sheet", contentSecurityPolicy)
	}
}

// hostile are CGI paths and titles an attacker controls: markup, a bidirectional override that
// reverses what follows, terminal escapes and NUL, invalid UTF-8, and a spreadsheet formula.
var hostile = []string{
	"/cgi-bin/<script>alert(1)</script>",
	"/cgi-bin/\u202eexe.txt",
	"/cgi-bin/a\x1b[2J\x00b",
	"/cgi-bin/\xff\xfe",
	"=HYPERLINK(\"http://x/\",\"y\")",
}

func hostileStats(t testing.TB) *Stats {
	s := seed002(t)
	s.CGIPaths = nil
	for i, p := range hostile {
		s.CGIPaths = append(s.CGIPaths, PathCount{Path: p, Count: int64(10 - i)})
	}
	s.Causes = []CauseCount{{Rule: "r<1>\u202e", Title: "<img src=x onerror=alert(1)>\x07", TitleJa: "\u202e侵入\x1b[0m", Count: 1}}
	s.TopTCPPorts = []PortCount{{Port: 1, Service: "svc\x1b]0;pwned\x07", Count: 1}}
	return s
}

// raw reports the first dangerous byte sequence of a hostile input found unescaped in out. Markup
// is dangerous only where a browser reads it: in HTML, and in JSON that a page might embed.
func raw(out string, f Format) string {
	bad := []string{"\x1b", "\x00", "\x07", "\u202e", "\xff"}
	if f == FormatHTML || f == FormatJSON {
		bad = append(bad, "<script", "<img")
	}
	for _, bad := range bad {
		if strings.Contains(out, bad) {
			return bad
		}
	}
	return ""
}

func TestHostileEscaped(t *testing.T) {
	for _, f := range Formats {
		for _, lang := range []string{"ja", "en"} {
			var b bytes.Buffer
			if err := Write(&b, hostileStats(t), f, Options{Lang: lang}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if bad := raw(out, f); bad != "" {
				t.Errorf("%s %s: %q reached the output unescaped", f, lang, bad)
			}
			switch f {
			case FormatText:
				for _, p := range hostile[:4] {
					if !strings.Contains(out, escape.String(p)) {
						t.Errorf("text %s lacks the escaped path %q", lang, escape.String(p))
					}
				}
			case FormatHTML:
				if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(out, `\u202eexe.txt`) {
					t.Errorf("html %s: hostile path not shown escaped", lang)
				}
			case FormatJSON:
				var got Stats
				if err := json.Unmarshal(b.Bytes(), &got); err != nil {
					t.Fatalf("json: %v", err)
				}
				for i, p := range hostile {
					if back, err := escape.Unescape(got.CGIPaths[i].Path); err != nil || string(back) != p {
						t.Errorf("json path %d = %q: does not unescape to the original (%v)", i, got.CGIPaths[i].Path, err)
					}
				}
			case FormatCSV:
				records, err := csv.NewReader(&b).ReadAll()
				if err != nil {
					t.Fatalf("csv: %v", err)
				}
				var paths []string
				for _, r := range records {
					if r[0] == "current" && r[3] == "cgi_path" {
						paths = append(paths, r[5])
					}
				}
				want := []string{escape.String(hostile[0]), escape.String(hostile[1]), escape.String(hostile[2]), escape.String(hostile[3]), "'" + hostile[4]}
				if strings.Join(paths, "|") != strings.Join(want, "|") {
					t.Errorf("csv paths = %q, want %q", paths, want)
				}
			}
		}
	}
}

func TestJSONShape(t *testing.T) {
	s := seed002(t)
	s.Categories = map[string]int64{taxonomy.Probe: 3} // the store gives every key; the renderer does not rely on it
	s.TopUDPPorts, s.Causes, s.Previous = nil, nil, nil
	var b bytes.Buffer
	if err := WriteJSON(&b, s); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	var order []string
	d := json.NewDecoder(strings.NewReader(out))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 1 {
				order = append(order, v)
				// Skip the value: only top-level keys are collected.
				var skip json.RawMessage
				if err := d.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	want := "from to total categories decided top_tcp_ports top_udp_ports icmp_types cgi_paths causes"
	if got := strings.Join(order, " "); got != want {
		t.Errorf("keys %q, want %q", got, want)
	}
	if !strings.Contains(out, `"categories": {
    "probe": 3,
    "mail-relay": 0,
    "forged-mail": 0,
    "intrusion": 0,
    "dos": 0,
    "worm": 0,
    "other": 0
  }`) {
		t.Errorf("categories not in report order with zeros:\n%s", out)
	}
	if !strings.Contains(out, `"top_udp_ports": []`) || !strings.Contains(out, `"causes": []`) {
		t.Errorf("empty rankings are not []:\n%s", out)
	}
}

func TestCSVBOM(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, seed002(t), CSVOptions{BOM: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\xef\xbb\xbfperiod,from,to,")) {
		t.Errorf("no BOM before the header: %q", b.Bytes()[:20])
	}
	b.Reset()
	if err := WriteCSV(&b, seed002(t), CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("period,from,to,")) || !bytes.Contains(b.Bytes(), []byte("\r\n")) {
		t.Errorf("want no BOM and CRLF line ends: %q", b.Bytes()[:20])
	}
}

func TestErrors(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, seed002(t), Options{Lang: "fr"}); err == nil {
		t.Error("lang fr accepted")
	}
	if err := WriteHTML(&b, nil, "ja"); err == nil {
		t.Error("nil stats accepted")
	}
	if _, err := ParseFormat("pdf"); err == nil {
		t.Error("format pdf accepted")
	}
	if b.Len() != 0 {
		t.Errorf("output written before the error: %q", b.String())
	}
}

// TestEmptyPeriod renders a period without a single report, as a fresh database gives it.
func TestEmptyPeriod(t *testing.T) {
	loc := jst(t)
	s := &Stats{From: time.Date(2000, 4, 1, 0, 0, 0, 0, loc), To: time.Date(2000, 7, 1, 0, 0, 0, 0, loc)}
	s.Previous = &Stats{From: time.Date(2000, 1, 1, 0, 0, 0, 0, loc), To: s.From}
	for _, f := range Formats {
		for _, lang := range []string{"ja", "en"} {
			var b bytes.Buffer
			if err := Write(&b, s, f, Options{Lang: lang}); err != nil {
				t.Fatalf("%s %s: %v", f, lang, err)
			}
			if !strings.Contains(b.String(), "0") {
				t.Errorf("%s %s: no zero count in %q", f, lang, b.String())
			}
		}
	}
	var b bytes.Buffer
	WriteText(&b, s, Options{Lang: "ja"})
	if !strings.Contains(b.String(), "報告の件数は 0 件 (前期と同数) でした。") {
		t.Errorf("empty period in Japanese:\n%s", b.String())
	}
}
