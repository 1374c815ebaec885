package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/keikai-project/keikai/analyze"
	"github.com/keikai-project/keikai/taxonomy"
)

// AnalyzeSummary renders an analysis summary as tables, in the spirit of seed 002's lists of
// probed ports, ICMP types and CGI programs.
func AnalyzeSummary(s *analyze.Summary, lang string) func(io.Writer) error {
	return func(w io.Writer) error {
		var b strings.Builder
		fmt.Fprintf(&b, "Analysed %s lines in %s files (%s)\n", group(s.Lines), group(int64(s.Files)), bytesHuman(s.Bytes))
		var formats []string
		for _, name := range sortedKeys(s.Events) {
			formats = append(formats, fmt.Sprintf("%s %s", name, group(s.Events[name])))
		}
		if len(formats) > 0 {
			fmt.Fprintf(&b, "Events: %s\n", strings.Join(formats, ", "))
		}
		fmt.Fprintf(&b, "\nFindings by category: %s\n", group(s.Findings))
		for _, c := range taxonomy.Categories() {
			name := c.En
			if lang == "ja" {
				name = c.Ja
			}
			fmt.Fprintf(&b, "  %-12s %10s  %s\n", c.Key, group(s.Categories[c.Key]), name)
		}
		if len(s.Rules) > 0 {
			fmt.Fprintf(&b, "\nFindings by rule\n")
			for _, r := range s.Rules {
				fmt.Fprintf(&b, "  %10s  %-11s %s\n", group(r.Count), r.Category, r.Title)
			}
		}
		ports := func(title string, list []analyze.PortCount) {
			if len(list) == 0 {
				return
			}
			fmt.Fprintf(&b, "\n%s\n  %5s  %-16s %10s\n", title, "port", "service", "count")
			for _, p := range list {
				fmt.Fprintf(&b, "  %5d  %-16s %10s\n", p.Port, p.Service, group(p.Count))
			}
		}
		ports("Top TCP ports (inbound firewall events)", s.TopTCPPorts)
		ports("Top UDP ports (inbound firewall events)", s.TopUDPPorts)
		if len(s.ICMPTypes) > 0 {
			fmt.Fprintf(&b, "\nICMP types (inbound firewall events)\n")
			for _, t := range s.ICMPTypes {
				fmt.Fprintf(&b, "  %5d  %-24s %10s\n", t.Type, t.Name, group(t.Count))
			}
		}
		if len(s.CGIPaths) > 0 {
			fmt.Fprintf(&b, "\nCGI programs requested\n")
			for _, p := range s.CGIPaths {
				fmt.Fprintf(&b, "  %10s  %s\n", group(p.Count), p.Path)
			}
		}
		if len(s.TopSources) > 0 {
			fmt.Fprintf(&b, "\nTop sources (of lines that matched a rule)\n")
			for _, ip := range s.TopSources {
				fmt.Fprintf(&b, "  %10s  %s\n", group(ip.Count), ip.IP)
			}
		}
		if s.Approximate {
			fmt.Fprintf(&b, "\nNote: more distinct paths or sources than keikai keeps in memory; counts in those rankings are upper bounds.\n")
		}
		if s.CorrelationGroupsEvicted > 0 {
			fmt.Fprintf(&b, "\nNote: %s correlation groups were dropped to bound memory; a scan spread over that many sources may be undercounted.\n", group(s.CorrelationGroupsEvicted))
		}
		if s.Warnings > 0 {
			fmt.Fprintf(&b, "\nWarnings: %d (inputs not read completely: %d); see standard error.\n", s.Warnings, s.InputErrors)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
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
