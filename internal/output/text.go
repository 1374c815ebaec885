package output

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/keikai-project/keikai/internal/finding"
)

// textWriter renders findings for a person. Everything that came from input is already escaped
// in the finding; the writer adds no raw input of its own.
type textWriter struct {
	w    io.Writer
	opts Options
	n    int
	// shown remembers which advisories' countermeasures were printed, so that a host with many
	// findings from one advisory lists its steps once.
	shown map[string]bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

func (t *textWriter) level(level string) string {
	label := strings.ToUpper(level)
	if !t.opts.Color {
		return "[" + label + "]"
	}
	color := ansiDim
	switch level {
	case "critical", "high":
		color = ansiBold + ansiRed
	case "medium":
		color = ansiYellow
	case "low":
		color = ansiCyan
	}
	return color + "[" + label + "]" + ansiReset
}

func (t *textWriter) Finding(f *finding.Finding) error {
	if t.opts.SummaryOnly {
		return nil
	}
	t.n++
	var b strings.Builder
	title := f.Title
	if t.opts.Lang == "ja" && f.TitleJa != "" {
		title = f.TitleJa
	}
	fmt.Fprintf(&b, "%s %s\n", t.level(f.Level), title)
	fmt.Fprintf(&b, "    %s", f.Category)
	if f.RSIT != "" {
		fmt.Fprintf(&b, "  rsit %s", f.RSIT)
	}
	if len(f.Advisories) > 0 {
		fmt.Fprintf(&b, "  %s", strings.Join(f.Advisories, ", "))
	}
	fmt.Fprintf(&b, "  rule %s\n", f.Rule)
	var where []string
	if f.File != "" {
		loc := f.File
		if f.Line > 0 {
			loc = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		where = append(where, loc)
	}
	if f.Time != "" {
		where = append(where, f.Time)
	}
	if flow := flow(f); flow != "" {
		where = append(where, flow)
	}
	if len(where) > 0 {
		fmt.Fprintf(&b, "    %s\n", strings.Join(where, "  "))
	}
	if a := f.Correlation; a != nil {
		writeAggregate(&b, a, t.opts.Lang)
	}
	if f.Artifact != "" {
		fmt.Fprintf(&b, "    %s: %s\n", msg(t.opts.Lang, "artifact"), f.Artifact)
	}
	if f.Excerpt != "" {
		fmt.Fprintf(&b, "    | %s\n", f.Excerpt)
	}
	if len(f.Countermeasures) > 0 {
		key := strings.Join(f.Advisories, ",")
		if t.shown[key] {
			fmt.Fprintf(&b, "    "+msg(t.opts.Lang, "as-above")+"\n", key)
		} else {
			if t.shown == nil {
				t.shown = map[string]bool{}
			}
			t.shown[key] = true
			for i, c := range f.Countermeasures {
				text := c.En
				if t.opts.Lang == "ja" {
					text = c.Ja
				}
				fmt.Fprintf(&b, "    %d. %s\n", i+1, text)
			}
		}
	}
	b.WriteByte('\n')
	_, err := io.WriteString(t.w, b.String())
	return err
}

func flow(f *finding.Finding) string {
	if f.SourceIP == "" && f.DestinationIP == "" && f.DestinationPort == 0 {
		return ""
	}
	src := f.SourceIP
	if src == "" {
		src = "?"
	}
	dst := f.DestinationIP
	if dst == "" {
		dst = "?"
	}
	if f.DestinationPort > 0 {
		dst = fmt.Sprintf("%s:%d", dst, f.DestinationPort)
	}
	if f.Protocol != "" {
		dst += "/" + f.Protocol
	}
	return src + " -> " + dst
}

func writeAggregate(b *strings.Builder, a *finding.Aggregate, lang string) {
	var group []string
	for k, v := range a.GroupBy {
		group = append(group, k+"="+v)
	}
	slices.Sort(group)
	fmt.Fprintf(b, "    %s", strings.Join(group, " "))
	if a.Field != "" {
		more := ""
		if a.DistinctCapped {
			more = "+"
		}
		if lang == "ja" {
			fmt.Fprintf(b, msg(lang, "distinct"), a.Events, a.Field, a.Distinct, more)
		} else {
			fmt.Fprintf(b, msg(lang, "distinct"), a.Distinct, more, a.Field, a.Events)
		}
	} else {
		fmt.Fprintf(b, msg(lang, "events-count"), a.Events)
	}
	fmt.Fprintf(b, msg(lang, "window")+"\n", a.Timespan)
	if a.First != "" {
		fmt.Fprintf(b, "    "+msg(lang, "from-to")+"\n", a.First, a.FirstLine, a.Last, a.LastLine)
	}
	if len(a.Values) > 0 {
		more := ""
		if a.Distinct > int64(len(a.Values)) {
			more = ", ..."
		}
		fmt.Fprintf(b, "    %s: %s%s\n", a.Field, strings.Join(a.Values, ", "), more)
	}
}

func (t *textWriter) Finish(_ any, textSummary func(io.Writer) error) error {
	if textSummary == nil {
		return nil
	}
	return textSummary(t.w)
}
