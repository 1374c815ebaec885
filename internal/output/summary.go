package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/keikai-project/keikai/internal/analyze"
	"github.com/keikai-project/keikai/internal/check"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// AnalyzeSummary renders an analysis summary as tables, in the spirit of seed 002's lists of
// probed ports, ICMP types and CGI programs.
func AnalyzeSummary(s *analyze.Summary, lang string) func(io.Writer) error {
	return func(w io.Writer) error {
		var b strings.Builder
		fmt.Fprintf(&b, msg(lang, "analysed")+"\n", group(s.Lines), group(int64(s.Files)), bytesHuman(s.Bytes))
		var formats []string
		for _, name := range sortedKeys(s.Events) {
			formats = append(formats, fmt.Sprintf("%s %s", name, group(s.Events[name])))
		}
		if len(formats) > 0 {
			fmt.Fprintf(&b, msg(lang, "events")+"\n", strings.Join(formats, ", "))
		}
		fmt.Fprintf(&b, "\n"+msg(lang, "by-category")+"\n", group(s.Findings))
		for _, c := range taxonomy.Categories() {
			name := c.En
			if lang == "ja" {
				name = c.Ja
			}
			fmt.Fprintf(&b, "  %-12s %10s  %s\n", c.Key, group(s.Categories[c.Key]), name)
		}
		if len(s.Rules) > 0 {
			fmt.Fprintf(&b, "\n%s\n", msg(lang, "by-rule"))
			// The short name, which --rule and --exclude-rule take, in a column of its own.
			nameCols := 0
			for _, r := range s.Rules {
				nameCols = max(nameCols, len(slugOfEscaped(r.Title)))
			}
			for _, r := range s.Rules {
				title := r.Title
				if lang == "ja" && r.TitleJa != "" {
					title = r.TitleJa
				}
				fmt.Fprintf(&b, "  %10s  %-11s %-*s  %s\n", group(r.Count), r.Category, nameCols, slugOfEscaped(r.Title), title)
			}
		}
		if top, ok := outsized(s); ok {
			fmt.Fprintf(&b, "\n"+msg(lang, "outsized")+"\n", group(top.Count), group(s.Findings),
				top.Count*100/s.Findings, top.Title, slugOfEscaped(top.Title))
		}
		ports := func(title string, list []analyze.PortCount) {
			if len(list) == 0 {
				return
			}
			// Columns as wide as their header in either language, measured in terminal columns.
			portHeader := msg(lang, "port-header")
			portCols := max(5, Width(portHeader))
			fmt.Fprintf(&b, "\n%s\n  %s  %s %s\n", title, padLeft(portHeader, portCols),
				padRight(msg(lang, "service-header"), 16), padLeft(msg(lang, "count-header"), 10))
			for _, p := range list {
				fmt.Fprintf(&b, "  %s  %s %s\n", padLeft(strconv.Itoa(p.Port), portCols), padRight(p.Service, 16), padLeft(group(p.Count), 10))
			}
		}
		ports(msg(lang, "top-tcp"), s.TopTCPPorts)
		ports(msg(lang, "top-udp"), s.TopUDPPorts)
		if len(s.ICMPTypes) > 0 {
			fmt.Fprintf(&b, "\n%s\n", msg(lang, "icmp"))
			for _, t := range s.ICMPTypes {
				fmt.Fprintf(&b, "  %5d  %-24s %10s\n", t.Type, t.Name, group(t.Count))
			}
		}
		if len(s.CGIPaths) > 0 {
			fmt.Fprintf(&b, "\n%s\n", msg(lang, "cgi"))
			for _, p := range s.CGIPaths {
				fmt.Fprintf(&b, "  %10s  %s\n", group(p.Count), p.Path)
			}
		}
		if len(s.TopSources) > 0 {
			fmt.Fprintf(&b, "\n%s\n", msg(lang, "sources"))
			for _, ip := range s.TopSources {
				fmt.Fprintf(&b, "  %10s  %s\n", group(ip.Count), ip.IP)
			}
		}
		if s.Approximate {
			fmt.Fprintf(&b, "\n%s\n", msg(lang, "approximate"))
		}
		if s.CorrelationGroupsEvicted > 0 {
			fmt.Fprintf(&b, "\n"+msg(lang, "evicted")+"\n", group(s.CorrelationGroupsEvicted))
		}
		if s.CorrelationBurstsCapped > 0 {
			fmt.Fprintf(&b, "\n"+msg(lang, "capped")+"\n", group(s.CorrelationBurstsCapped))
		}
		if s.Warnings > 0 {
			fmt.Fprintf(&b, "\n"+msg(lang, "warnings")+"\n", s.Warnings, s.InputErrors)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
}

// outsized returns the rule that produced most findings when it produced an outsized share of
// a large number: half of at least a thousand. Such a rule either floods the output with one
// kind of noise or points at an input that repeats itself.
func outsized(s *analyze.Summary) (analyze.RuleCount, bool) {
	if len(s.Rules) == 0 || s.Findings < 1000 {
		return analyze.RuleCount{}, false
	}
	top := s.Rules[0]
	return top, top.Count*2 >= s.Findings
}

// EscapeRuleTexts escapes, in place and once, the rule-file texts of a summary's by-rule counts, so
// that every format shows them escaped.
func EscapeRuleTexts(rules []analyze.RuleCount) {
	for i := range rules {
		r := &rules[i]
		r.Rule, r.Title, r.TitleJa, r.Category = RuleText(r.Rule), RuleText(r.Title), RuleText(r.TitleJa), RuleText(r.Category)
	}
}

// slugOfEscaped is the short name of a rule whose title was escaped already: escaping is
// reversible, so the name is the same as the one made from the raw title.
func slugOfEscaped(title string) string {
	if raw, err := escape.Unescape(title); err == nil {
		return Slug(string(raw))
	}
	return Slug(title)
}

func areaLabel(area, lang string) string {
	if _, ok := messages["area-"+area]; ok {
		return msg(lang, "area-"+area)
	}
	return area
}

// group writes n with thousands separators, as counts in reports are read.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return s
	}
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func bytesHuman(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// By count, then name: the formats that make up most of the input first.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && (m[keys[j]] > m[keys[j-1]] || m[keys[j]] == m[keys[j-1]] && keys[j] < keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// CheckSummary renders the result of a host check, ending with what could not be examined.
func CheckSummary(s *check.Summary, lang string) func(io.Writer) error {
	return func(w io.Writer) error {
		var b strings.Builder
		fmt.Fprintf(&b, msg(lang, "checked")+"\n", s.Root, s.Artifacts["file"], s.Artifacts["socket"],
			s.Artifacts["process"], s.Artifacts["package"], len(s.LogFiles), s.LogLines)
		fmt.Fprintf(&b, msg(lang, "findings")+"\n", s.Findings)
		for _, c := range taxonomy.Categories() {
			if n := s.Categories[c.Key]; n > 0 {
				name := c.En
				if lang == "ja" {
					name = c.Ja
				}
				fmt.Fprintf(&b, "  %-12s %6d  %s\n", c.Key, n, name)
			}
		}
		if s.Complete {
			fmt.Fprintf(&b, "%s\n", msg(lang, "complete"))
		} else {
			fmt.Fprintf(&b, "\n"+msg(lang, "not-examined")+"\n", len(s.NotExamined))
			for _, g := range s.NotExamined {
				area := padRight(areaLabel(g.Area, lang), 10)
				why := g.Reason
				if lang == "ja" && g.ReasonJa != "" {
					why = g.ReasonJa
				}
				if g.Path != "" {
					fmt.Fprintf(&b, "  %s %s: %s\n", area, g.Path, why)
				} else {
					fmt.Fprintf(&b, "  %s %s\n", area, why)
				}
			}
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
}
