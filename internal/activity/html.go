package activity

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

//go:embed activity.html
var htmlSource string

//go:embed activity.css
var styleSheet string

// The template is parsed once, on first use rather than at start-up, which every keikai command
// pays for; a syntax error in it fails every test of this package.
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("activity.html").
		Funcs(template.FuncMap{"add": func(a, b int) int { return a + b }}).
		Parse(htmlSource))
})

// contentSecurityPolicy lets the standalone page load nothing and run nothing: only its own
// style sheet, named by hash, applies.
var contentSecurityPolicy = "default-src 'none'; style-src " + styleSheetHash

// StyleSheetHash is the style sheet's Content-Security-Policy source ('sha256-...'), so that a
// server can allow exactly this style sheet instead of 'unsafe-inline'.
func StyleSheetHash() string { return styleSheetHash }

var styleSheetHash = func() string {
	sum := sha256.Sum256([]byte(styleSheet))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// StyleSheet is the CSS of the report, for a page that embeds the fragment (WriteHTMLFragment)
// in its own layout. Its selectors all start with .keikai-activity. The charts do not need it:
// their colours and sizes are SVG attributes.
func StyleSheet() string { return styleSheet }

// WriteHTML writes s as a complete standalone HTML page in lang ("ja" or "en"): bar charts as
// inline SVG, a table for every ranking, the note that these are counts of reports, and the
// change against the previous period. The page needs nothing else: no script, no external
// resource; its Content-Security-Policy forbids both.
func WriteHTML(w io.Writer, s *Stats, lang string) error {
	return WriteHTMLPage(w, s, Options{Lang: lang})
}

// WriteHTMLPage is WriteHTML with a header (issuer, document ID, date of issue).
func WriteHTMLPage(w io.Writer, s *Stats, o Options) error {
	return executeHTML(w, "page", s, o)
}

// WriteHTMLFragment writes the report as one <article class="keikai-activity" lang="..."> element
// for a server to place in its own page, which should link or inline StyleSheet.
func WriteHTMLFragment(w io.Writer, s *Stats, o Options) error {
	return executeHTML(w, "fragment", s, o)
}

// HTMLFragment returns the fragment for a caller's html/template, already escaped.
func HTMLFragment(s *Stats, o Options) (template.HTML, error) {
	var b bytes.Buffer
	if err := WriteHTMLFragment(&b, s, o); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // #nosec: produced by html/template above
}

func executeHTML(w io.Writer, name string, s *Stats, o Options) error {
	if err := check(s, o); err != nil {
		return err
	}
	// Rendered to memory first so that a failure never leaves half a page behind.
	var b bytes.Buffer
	if err := pageTemplate().ExecuteTemplate(&b, name, newHTMLView(s, cleanOptions(o))); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

type htmlView struct {
	Lang, Title, ID, Issuer, Period, Issued string
	Count, Note, Decided, Unclassified      string
	CSP                                     string
	Style                                   template.CSS
	CategoriesHeading                       string
	CategoryChart                           chartView
	CategoryTable                           tableView
	Sections                                []sectionView
}

type sectionView struct {
	Heading, Body, Intro string
	Rankings             []rankingView
}

type rankingView struct {
	Heading string
	Chart   chartView
	Table   tableView
}

type tableView struct {
	Caption string
	Head    []cellView
	Rows    [][]cellView
}

type cellView struct {
	Text string
	Num  bool // right-aligned figures
	Code bool // a path or an identifier, set in monospace
	// Whole keeps a short path or identifier on one line: "JPCERT-PR-2000-0003" broken after
	// "2000-0" reads as two things. A long one may still break anywhere, so that a hostile path
	// cannot stretch the table off the page.
	Whole bool
}

// codeWholeMax is the widest path or identifier, in columns, that is never broken.
const codeWholeMax = 32

func codeCell(s string) cellView {
	return cellView{Text: s, Code: true, Whole: columns(s) <= codeWholeMax}
}

func newHTMLView(s *Stats, o Options) htmlView {
	lang := o.Lang
	v := htmlView{
		Lang:              lang,
		Title:             title(o),
		ID:                o.ID,
		Issuer:            o.Issuer,
		Period:            periodText(s, lang),
		Issued:            issuedText(o),
		Count:             countSentence(s, o),
		Note:              note(o),
		Decided:           decidedText(s, lang),
		Unclassified:      unclassifiedText(s, lang),
		CSP:               contentSecurityPolicy,
		Style:             template.CSS(styleSheet), // #nosec: the embedded style sheet
		CategoriesHeading: label(lang, "categories"),
	}
	v.CategoryChart, v.CategoryTable = categoryCharts(s, lang)
	for _, c := range taxonomy.Categories() {
		sec := sectionView{Heading: sectionTitle(c, lang), Body: sectionBody(s, c, o)}
		if c.Section != "" {
			sec.Heading = c.Section + ". " + sec.Heading
		}
		switch c.Key {
		case taxonomy.Probe:
			sec.Rankings = probeRankings(s, lang)
			if len(sec.Rankings) > 0 {
				sec.Intro = label(lang, "probe-intro")
			}
		case taxonomy.Intrusion:
			if r, ok := causeRanking(s, lang); ok {
				sec.Intro = label(lang, "cause-intro")
				sec.Rankings = []rankingView{r}
			}
		}
		v.Sections = append(v.Sections, sec)
	}
	return v
}

func categoryCharts(s *Stats, lang string) (chartView, tableView) {
	var bars []barInput
	t := tableView{Caption: label(lang, "categories"), Head: []cellView{
		{Text: label(lang, "section")}, {Text: label(lang, "category")}, {Text: label(lang, "count"), Num: true},
	}}
	if s.Previous != nil {
		t.Head = append(t.Head, cellView{Text: label(lang, "previous"), Num: true}, cellView{Text: label(lang, "change")})
	}
	row := func(section, name string, n int64, prev int64) {
		bars = append(bars, barInput{label: strings.TrimSpace(section + " " + name), count: n, prev: prev})
		r := []cellView{{Text: section}, {Text: name}, {Text: group(n), Num: true}}
		if s.Previous != nil {
			r = append(r, cellView{Text: group(prev), Num: true}, cellView{Text: change(n, prev, lang)})
		}
		t.Rows = append(t.Rows, r)
	}
	for _, c := range taxonomy.Categories() {
		var prev int64
		if s.Previous != nil {
			prev = s.Previous.Categories[c.Key]
		}
		row(c.Section, categoryLabel(c, lang), s.Categories[c.Key], prev)
	}
	for _, k := range unknownCategories(s) {
		var prev int64
		if s.Previous != nil {
			prev = s.Previous.Categories[k]
		}
		row("", escape.String(k), s.Categories[k], prev)
	}
	total := []cellView{{}, {Text: label(lang, "total")}, {Text: group(s.Total), Num: true}}
	if s.Previous != nil {
		total = append(total, cellView{Text: group(s.Previous.Total), Num: true}, cellView{Text: change(s.Total, s.Previous.Total, lang)})
	}
	t.Rows = append(t.Rows, total)
	return newChart(label(lang, "categories"), bars, s.Previous != nil, lang), t
}

func probeRankings(s *Stats, lang string) []rankingView {
	var out []rankingView
	ports := func(heading string, list []PortCount, prevList func(*Stats) []PortCount) {
		if len(list) == 0 {
			return
		}
		r := rankingView{Heading: heading, Table: tableView{Caption: heading, Head: []cellView{
			{Text: label(lang, "rank"), Num: true}, {Text: label(lang, "port"), Num: true},
			{Text: label(lang, "service")}, {Text: label(lang, "count"), Num: true},
		}}}
		var bars []barInput
		for i, p := range list {
			bars = append(bars, barInput{label: portLabel(p), count: p.Count})
			row := []cellView{{Text: strconv.Itoa(i + 1), Num: true}, {Text: strconv.Itoa(p.Port), Num: true},
				{Text: escape.String(p.Service)}, {Text: group(p.Count), Num: true}}
			r.Table.Rows = append(r.Table.Rows, withPrevious(row, s, lang, prevList,
				func(q PortCount) bool { return q.Port == p.Port }, func(q PortCount) int64 { return q.Count }))
		}
		r.Table.Head = withPreviousHead(r.Table.Head, s, lang)
		r.Chart = newChart(heading, bars, false, lang)
		out = append(out, r)
	}
	ports(label(lang, "tcp"), s.TopTCPPorts, func(s *Stats) []PortCount { return s.TopTCPPorts })
	ports(label(lang, "udp"), s.TopUDPPorts, func(s *Stats) []PortCount { return s.TopUDPPorts })
	if len(s.ICMPTypes) > 0 {
		heading := label(lang, "icmp")
		r := rankingView{Heading: heading, Table: tableView{Caption: heading, Head: []cellView{
			{Text: label(lang, "rank"), Num: true}, {Text: label(lang, "type"), Num: true},
			{Text: label(lang, "name")}, {Text: label(lang, "count"), Num: true},
		}}}
		var bars []barInput
		for i, t := range s.ICMPTypes {
			bars = append(bars, barInput{label: icmpLabel(t), count: t.Count})
			row := []cellView{{Text: strconv.Itoa(i + 1), Num: true}, {Text: strconv.Itoa(t.Type), Num: true},
				{Text: escape.String(t.Name)}, {Text: group(t.Count), Num: true}}
			r.Table.Rows = append(r.Table.Rows, withPrevious(row, s, lang, func(s *Stats) []ICMPCount { return s.ICMPTypes },
				func(q ICMPCount) bool { return q.Type == t.Type }, func(q ICMPCount) int64 { return q.Count }))
		}
		r.Table.Head = withPreviousHead(r.Table.Head, s, lang)
		r.Chart = newChart(heading, bars, false, lang)
		out = append(out, r)
	}
	if len(s.CGIPaths) > 0 {
		heading := label(lang, "cgi")
		r := rankingView{Heading: heading, Table: tableView{Caption: heading, Head: []cellView{
			{Text: label(lang, "rank"), Num: true}, {Text: label(lang, "path")}, {Text: label(lang, "count"), Num: true},
		}}}
		var bars []barInput
		for i, p := range s.CGIPaths {
			path := escape.String(p.Path)
			bars = append(bars, barInput{label: path, count: p.Count})
			row := []cellView{{Text: strconv.Itoa(i + 1), Num: true}, codeCell(path), {Text: group(p.Count), Num: true}}
			r.Table.Rows = append(r.Table.Rows, withPrevious(row, s, lang, func(s *Stats) []PathCount { return s.CGIPaths },
				func(q PathCount) bool { return q.Path == p.Path }, func(q PathCount) int64 { return q.Count }))
		}
		r.Table.Head = withPreviousHead(r.Table.Head, s, lang)
		r.Chart = newChart(heading, bars, false, lang)
		out = append(out, r)
	}
	return out
}

func causeRanking(s *Stats, lang string) (rankingView, bool) {
	if len(s.Causes) == 0 {
		return rankingView{}, false
	}
	heading := label(lang, "causes")
	r := rankingView{Heading: heading, Table: tableView{Caption: heading, Head: []cellView{
		{Text: label(lang, "rank"), Num: true}, {Text: label(lang, "cause")}, {Text: label(lang, "reference")},
		{Text: label(lang, "count"), Num: true},
	}}}
	var bars []barInput
	for i, c := range s.Causes {
		name := causeTitle(c, lang)
		bars = append(bars, barInput{label: name, count: c.Count})
		row := []cellView{{Text: strconv.Itoa(i + 1), Num: true}, {Text: name}, codeCell(escape.String(causeKey(c))),
			{Text: group(c.Count), Num: true}}
		r.Table.Rows = append(r.Table.Rows, withPrevious(row, s, lang, func(s *Stats) []CauseCount { return s.Causes },
			func(q CauseCount) bool { return q.Advisory == c.Advisory && q.Rule == c.Rule }, func(q CauseCount) int64 { return q.Count }))
	}
	r.Table.Head = withPreviousHead(r.Table.Head, s, lang)
	r.Chart = newChart(heading, bars, false, lang)
	return r, true
}

// withPrevious adds the previous period's count of a ranking entry; "—" when the entry was not
// among the previous period's ranking, which is not the same as none.
func withPrevious[T any](row []cellView, s *Stats, lang string, list func(*Stats) []T, same func(T) bool, count func(T) int64) []cellView {
	if s.Previous == nil {
		return row
	}
	for _, e := range list(s.Previous) {
		if same(e) {
			return append(row, cellView{Text: group(count(e)), Num: true})
		}
	}
	return append(row, cellView{Text: label(lang, "not-ranked"), Num: true})
}

func withPreviousHead(head []cellView, s *Stats, lang string) []cellView {
	if s.Previous == nil {
		return head
	}
	return append(head, cellView{Text: label(lang, "previous"), Num: true})
}

// Chart geometry, in SVG user units (pixels at 100%).
const (
	chartFont       = 12
	chartRowHeight  = 22
	chartBarMax     = 300
	chartValueW     = 70
	chartLineHeight = 14 // of the further lines of a label that takes more than one
	chartColumnPx   = 7  // width of one display column of the labels at chartFont
	chartLabelMax   = 44 // columns; longer labels wrap onto further lines
)

type barInput struct {
	label       string
	count, prev int64
}

type chartView struct {
	Label, Desc                string
	Width, Height, LabelX, Bar int
	Rows                       []chartRow
	Previous                   bool
	LegendY, LegendTextY       int
	LegendNow, LegendPrevious  string
	LineHeight                 int // of a label's further lines
}

type chartRow struct {
	Label                 []string // one line each
	Y, BarY, TextY, W     int
	PrevBarY, PrevW       int
	Value                 string
	ValueX                int
	BarHeight, PrevHeight int
}

// newChart lays out a horizontal bar chart: labels right-aligned in a column as wide as the
// longest label, bars scaled to the largest count, the count written after each bar. With
// previous, a thinner grey bar under each shows the previous period.
func newChart(title string, bars []barInput, previous bool, lang string) chartView {
	c := chartView{Label: title + " (" + label(lang, "chart") + ")", Previous: previous, LineHeight: chartLineHeight}
	labelCols := 0
	var largest int64 = 1
	labels := make([][]string, len(bars))
	for i, b := range bars {
		labels[i] = wrapLabel(b.label, chartLabelMax)
		for _, l := range labels[i] {
			labelCols = max(labelCols, columns(l))
		}
		keepSpaces(b.label, labels[i])
		largest = max(largest, b.count, b.prev)
	}
	c.LabelX = labelCols*chartColumnPx + 4
	c.Bar = c.LabelX + 8
	c.Width = c.Bar + chartBarMax + chartValueW
	row := chartRow{}
	rowHeight := chartRowHeight
	if previous {
		rowHeight += 8
	}
	var desc []string
	y := 4
	for i, b := range bars {
		row = chartRow{Label: labels[i], Value: group(b.count), BarHeight: 14}
		row.Y = y
		y += rowHeight + (len(labels[i])-1)*chartLineHeight
		row.BarY = row.Y
		row.TextY = row.Y + 11
		row.W = barWidth(b.count, largest)
		row.ValueX = c.Bar + row.W + 4
		entry := b.label + ": " + group(b.count)
		if previous {
			row.BarHeight = 12
			row.PrevBarY, row.PrevHeight = row.Y+13, 6
			row.PrevW = barWidth(b.prev, largest)
			entry += " (" + label(lang, "previous") + " " + group(b.prev) + ")"
		}
		desc = append(desc, entry)
		c.Rows = append(c.Rows, row)
	}
	c.Height = y + 4
	if previous {
		c.LegendNow, c.LegendPrevious = label(lang, "this-period"), label(lang, "previous")
		c.LegendY = c.Height
		c.LegendTextY = c.Height + 10
		c.Height += 20
	}
	sep := ", "
	if lang == "ja" {
		sep = "、"
	}
	c.Desc = strings.Join(desc, sep)
	return c
}

func barWidth(n, largest int64) int {
	if n <= 0 {
		return 0
	}
	return max(1, int((n*chartBarMax+largest/2)/largest))
}

// keepSpaces puts back the space a line break of label took away, at the start of the next
// line: right-aligned, it shows nothing, but the label's text (copied, read aloud) keeps its
// words apart.
func keepSpaces(label string, lines []string) {
	at := 0
	for i, l := range lines {
		j := strings.Index(label[at:], l)
		if j < 0 {
			return
		}
		if i > 0 && j > 0 && label[at+j-1] == ' ' {
			lines[i] = " " + l
		}
		at += j + len(l)
	}
}
