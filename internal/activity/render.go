package activity

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Every renderer treats the strings inside a Stats (CGI paths, advisory and rule IDs and titles,
// service and ICMP names) as raw text from outside and escapes them with internal/escape, so a
// control byte or a bidirectional override in a probed URL shows as \x1b or \u202e in every
// format; the HTML is escaped again by html/template. The escaped form is the one `keikai analyze
// --summary` prints, and escape.Unescape turns it back into the original bytes.

// Options say how a rendering is headed. Only Lang is needed.
type Options struct {
	// Lang is the language of the prose: "ja" or "en".
	Lang string
	// Issuer is the organisation that publishes the report ("JPCERT/CC"); empty leaves it out.
	Issuer string
	// ID is the document's identifier ("JPCERT-PR-2000-0003"); empty leaves it out.
	ID string
	// Issued is the date of issue; zero leaves the line out.
	Issued time.Time
}

// Format is an output format of the activity report.
type Format string

const (
	FormatText Format = "text"
	FormatHTML Format = "html"
	FormatJSON Format = "json"
	FormatCSV  Format = "csv"
)

// Formats lists the formats, for help texts and error messages.
var Formats = []Format{FormatText, FormatHTML, FormatJSON, FormatCSV}

// ErrLang is returned for a language other than ja and en.
var ErrLang = errors.New("language must be ja or en")

// ParseFormat returns the format named s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: use text, html, json or csv", s)
}

// Write renders s in format f. csv takes CSVOptions{} (no byte-order mark); call WriteCSV to
// choose.
func Write(w io.Writer, s *Stats, f Format, o Options) error {
	switch f {
	case FormatText:
		return WriteText(w, s, o)
	case FormatHTML:
		return WriteHTMLPage(w, s, o)
	case FormatJSON:
		return WriteJSON(w, s)
	case FormatCSV:
		return WriteCSV(w, s, CSVOptions{})
	}
	return fmt.Errorf("unknown format %q: use text, html, json or csv", f)
}

func check(s *Stats, o Options) error {
	if s == nil {
		return errors.New("activity: no statistics to render")
	}
	if o.Lang != "ja" && o.Lang != "en" {
		return fmt.Errorf("activity: %w (got %q)", ErrLang, o.Lang)
	}
	return nil
}

// lastDay is the last day the period covers: To is exclusive, and a person reads periods with
// both ends included ("2000年4月1日 〜 2000年6月30日").
func lastDay(s *Stats) time.Time {
	if !s.To.After(s.From) {
		return s.To
	}
	return s.To.Add(-time.Nanosecond)
}

// date writes t as a person reads a date in lang: "2000年4月1日" or "1 April 2000".
func date(t time.Time, lang string) string {
	if lang == "ja" {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), t.Month(), t.Year())
}

// zoneName is the time zone the period's dates are in, as the header states it.
func zoneName(t time.Time) string {
	name, _ := t.Zone()
	return name
}

// group writes n with thousands separators, as counts in reports are read.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return s
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// change describes count against the previous period's prev in lang, or "" without a previous
// period: "前期 512 件から 40% 増", "up 40% from 512 in the previous period".
func change(count, prev int64, lang string) string {
	ja := lang == "ja"
	switch {
	case prev == count:
		if ja {
			return "前期と同数"
		}
		return "unchanged from the previous period"
	case prev == 0:
		if ja {
			return "前期 0 件"
		}
		return "none in the previous period"
	}
	diff := count - prev
	if diff < 0 {
		diff = -diff
	}
	// Rounded half up, in integers so that 718 against 512 is 40% on every platform.
	pct := (diff*200 + prev) / (prev * 2)
	amount := strconv.FormatInt(pct, 10) + "%"
	if pct == 0 {
		amount = map[bool]string{true: "1% 未満", false: "less than 1%"}[ja]
	}
	switch {
	case ja && count > prev:
		return fmt.Sprintf("前期 %s 件から %s 増", group(prev), amount)
	case ja:
		return fmt.Sprintf("前期 %s 件から %s 減", group(prev), amount)
	case count > prev:
		return fmt.Sprintf("up %s from %s in the previous period", amount, group(prev))
	}
	return fmt.Sprintf("down %s from %s in the previous period", amount, group(prev))
}

// changeSuffix is change in parentheses after a space, or "" when there is no previous period.
func changeSuffix(s *Stats, count func(*Stats) int64, lang string) string {
	if s.Previous == nil {
		return ""
	}
	return " (" + change(count(s), count(s.Previous), lang) + ")"
}

// categorised is how many reports carry a category; the rest wait for analysis or failed it.
func categorised(s *Stats) int64 {
	var n int64
	for _, c := range s.Categories {
		n += c
	}
	return n
}

// unknownCategories are the keys of s.Categories that the taxonomy does not know, sorted: a
// store that kept a category this build no longer has still gets its reports counted.
func unknownCategories(s *Stats) []string {
	var keys []string
	for k := range s.Categories {
		if _, known := taxonomy.CategoryByKey(k); !known {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// categoryLabel is a category's title in lang.
func categoryLabel(c taxonomy.Category, lang string) string {
	if lang == "ja" {
		return c.Ja
	}
	return c.En
}

// portLabel is "21(ftp)" as seed 002 writes it, or "12345" for a port without a name.
func portLabel(p PortCount) string {
	if p.Service == "" {
		return strconv.Itoa(p.Port)
	}
	return strconv.Itoa(p.Port) + "(" + escape.String(p.Service) + ")"
}

// icmpLabel is "8(echo request)".
func icmpLabel(t ICMPCount) string {
	if t.Name == "" {
		return strconv.Itoa(t.Type)
	}
	return strconv.Itoa(t.Type) + "(" + escape.String(t.Name) + ")"
}

// causeTitle is the cause's title in lang, escaped.
func causeTitle(c CauseCount, lang string) string {
	if lang == "ja" && c.TitleJa != "" {
		return escape.String(c.TitleJa)
	}
	if c.Title != "" {
		return escape.String(c.Title)
	}
	return escape.String(causeKey(c))
}

// causeKey identifies a cause: its advisory, else its rule.
func causeKey(c CauseCount) string {
	if c.Advisory != "" {
		return c.Advisory
	}
	return c.Rule
}
