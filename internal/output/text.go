package output

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/finding"
)

// textWriter renders findings for a person. Findings of one rule from one source are one group:
// a log with 50,000 identical probes reads as one line with a count and a time range. Groups are
// written at the end, most severe first, so a person reads what matters before the noise.
// Everything that came from input is already escaped in the finding; rule texts are escaped here.
//
// A rule lists its opts.Top heaviest groups; the rest are folded into one line with how many more
// findings and sources there were. So that memory does not grow with the input (a scan from a
// hundred thousand addresses), a rule tracks the groups of the first foldLimit(top) sources it
// sees, with exact counts; later sources are only counted, their number estimated. A group that
// started later would rank below every tracked one of equal count anyway, and a source that only
// becomes heavy late is still in the summary's ranking of sources.
type textWriter struct {
	w     io.Writer
	opts  Options
	rules map[string]*ruleGroups
	limit int
	seq   int
	// shown remembers which countermeasures were printed, so that a host with many findings from
	// one advisory lists its steps once.
	shown map[string]bool
}

// foldLimit is how many groups a rule tracks exactly: several times those it lists, so that the
// listed ones are the heaviest of many.
func foldLimit(top int) int { return max(4*top, 64) }

// Kinds of source; the fold line names them (sources, paths, files).
const (
	sourceIP uint8 = iota
	sourceArtifact
	sourceFile
)

type sourceKey struct {
	kind uint8
	val  string
}

// sourceOf is what makes two findings of a rule different things to look at: the attacker's
// address, else the host artifact, else the file.
func sourceOf(f *finding.Finding) sourceKey {
	switch {
	case f.SourceIP != "":
		return sourceKey{sourceIP, f.SourceIP}
	case f.Artifact != "":
		return sourceKey{sourceArtifact, f.Artifact}
	}
	return sourceKey{sourceFile, f.File}
}

// ruleGroups are one rule's tracked groups and what is known about the others.
type ruleGroups struct {
	held  map[sourceKey]*findingGroup
	list  []*findingGroup // the tracked groups, first seen first
	total int64           // findings of the rule
	kinds uint8           // 1<<kind of every source seen
	// distinct counts the rule's sources once one could not be tracked; nil until then.
	distinct *distinctSketch
}

type findingGroup struct {
	first *finding.Finding
	key   sourceKey
	slug  string // from the rule's own title, before escaping
	count int64
	seq   int
	// earliest and latest are the finding times that parsed, with their text as logged.
	earliest, latest         time.Time
	earliestText, latestText string
	lastFile                 string
	lastLine                 int64
	// flowVaries is set when the group's findings went to different destinations.
	flowVaries bool
}

// overflow counts a finding whose source is not tracked while the rule tracks all it may.
func (r *ruleGroups) overflow(k sourceKey) {
	if r.distinct == nil {
		r.distinct = new(distinctSketch)
		for _, g := range r.list {
			r.distinct.add(hashSource(g.key.kind, g.key.val))
		}
	}
	r.distinct.add(hashSource(k.kind, k.val))
}

func (t *textWriter) newGroup(f *finding.Finding, k sourceKey) *findingGroup {
	g := &findingGroup{first: withRuleTextsEscaped(f), key: k, slug: Slug(f.Title), seq: t.seq}
	t.seq++
	return g
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

// levelRank orders levels from the least to the most severe; an unknown level ranks lowest.
func levelRank(level string) int {
	return slices.Index([]string{"informational", "low", "medium", "high", "critical"}, level)
}

var levelJa = map[string]string{"critical": "緊急", "high": "高", "medium": "中", "low": "低", "informational": "情報"}

// levelLabel is a level as a person reads it in lang.
func levelLabel(level, lang string) string {
	if lang == "ja" {
		if l, ok := levelJa[level]; ok {
			return l
		}
	}
	return strings.ToUpper(level)
}

func (t *textWriter) level(level string) string {
	label := "[" + levelLabel(level, t.opts.Lang) + "]"
	if !t.opts.Color {
		return label
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
	return color + label + ansiReset
}

func (t *textWriter) Finding(f *finding.Finding) error {
	if t.opts.SummaryOnly {
		return nil
	}
	if t.rules == nil {
		t.rules = map[string]*ruleGroups{}
		t.limit = foldLimit(t.opts.Top)
	}
	r := t.rules[f.Rule]
	if r == nil {
		r = &ruleGroups{held: map[sourceKey]*findingGroup{}}
		t.rules[f.Rule] = r
	}
	r.total++
	k := sourceOf(f)
	r.kinds |= 1 << k.kind
	g := r.held[k]
	switch {
	case g != nil:
	case len(r.list) < t.limit:
		g = t.newGroup(f, k)
		r.held[k] = g
		r.list = append(r.list, g)
	default:
		r.overflow(k)
		return nil
	}
	g.count++
	g.lastFile, g.lastLine = f.File, f.Line
	if g.count > 1 && !g.flowVaries && !sameFlow(f, g.first) {
		g.flowVaries = true
	}
	if ts, err := time.Parse(time.RFC3339, f.Time); err == nil {
		if g.earliestText == "" || ts.Before(g.earliest) {
			g.earliest, g.earliestText = ts, f.Time
		}
		if g.latestText == "" || !ts.Before(g.latest) {
			g.latest, g.latestText = ts, f.Time
		}
	}
	return nil
}

// textEntry is a group to render, or the folded rest of a rule's groups, which sorts where its
// heaviest group would have.
type textEntry struct {
	g    *findingGroup
	fold *foldedRest
}

type foldedRest struct {
	findings, sources int64
	// sourcesApprox is set when sources is a HyperLogLog estimate, sourcesAtLeast when it is a
	// lower bound (the estimate fell below what is known for certain).
	sourcesApprox, sourcesAtLeast bool
	kinds                         uint8
}

func byReportOrder(a, b *findingGroup) int {
	if d := levelRank(b.first.Level) - levelRank(a.first.Level); d != 0 {
		return d
	}
	if a.count != b.count {
		if a.count > b.count {
			return -1
		}
		return 1
	}
	return a.seq - b.seq
}

// entries chooses what the report lists: per rule its top groups and, when there are more, the
// folded rest.
func (t *textWriter) entries() []textEntry {
	var out []textEntry
	for _, r := range t.rules {
		gs := r.list
		slices.SortFunc(gs, byReportOrder)
		n := min(len(gs), t.opts.Top)
		var listed int64
		for _, g := range gs[:n] {
			out = append(out, textEntry{g: g})
			listed += g.count
		}
		if n == len(gs) && r.distinct == nil {
			continue
		}
		fold := &foldedRest{findings: r.total - listed, sources: int64(len(gs) - n), kinds: r.kinds}
		if r.distinct != nil {
			// More sources were seen than are tracked: at least one beyond them.
			lower := fold.sources + 1
			if est := r.distinct.estimate() - int64(n); est >= lower {
				fold.sources, fold.sourcesApprox = est, true
			} else {
				fold.sources, fold.sourcesAtLeast = lower, true
			}
		}
		// The fold sorts as the heaviest group it holds, which is tracked.
		out = append(out, textEntry{g: gs[n], fold: fold})
	}
	slices.SortFunc(out, func(a, b textEntry) int {
		return byReportOrder(a.g, b.g) // groups are distinct, so the order is total
	})
	return out
}

func (t *textWriter) Finish(_ any, textSummary func(io.Writer) error) error {
	for _, e := range t.entries() {
		text := ""
		if e.fold != nil {
			text = t.renderFold(e.g.first, e.fold)
		} else {
			text = t.render(e.g)
		}
		if _, err := io.WriteString(t.w, text); err != nil {
			return err
		}
	}
	if textSummary == nil {
		return nil
	}
	return textSummary(t.w)
}

// renderFold is the one line that stands for a rule's groups beyond --top.
func (t *textWriter) renderFold(f *finding.Finding, r *foldedRest) string {
	lang := t.opts.Lang
	title := f.Title
	if lang == "ja" && f.TitleJa != "" {
		title = f.TitleJa
	}
	sources := "fold-exact"
	switch {
	case r.sourcesApprox:
		sources = "fold-about"
	case r.sourcesAtLeast:
		sources = "fold-at-least"
	}
	noun := "fold-files"
	switch {
	case r.kinds&(1<<sourceIP) != 0:
		noun = "fold-sources"
	case r.kinds&(1<<sourceArtifact) != 0:
		noun = "fold-paths"
	}
	if r.sources == 1 && !r.sourcesApprox && !r.sourcesAtLeast {
		noun += "-1"
	}
	what := "fold"
	if r.findings == 1 {
		what = "fold-1"
	}
	rest := fmt.Sprintf(msg(lang, what), fmt.Sprintf(msg(lang, "fold-exact"), group(r.findings)),
		fmt.Sprintf(msg(lang, sources), group(r.sources)), msg(lang, noun))
	return t.level(f.Level) + " " + title + "  " + rest + "\n\n"
}

func (t *textWriter) render(g *findingGroup) string {
	f, lang := g.first, t.opts.Lang
	var b strings.Builder
	title := f.Title
	if lang == "ja" && f.TitleJa != "" {
		title = f.TitleJa
	}
	fmt.Fprintf(&b, "%s %s", t.level(f.Level), title)
	if g.count > 1 {
		fmt.Fprintf(&b, "  "+msg(lang, "group-count"), group(g.count))
	}
	b.WriteByte('\n')
	fmt.Fprintf(&b, "    %s", f.Category)
	if f.RSIT != "" {
		fmt.Fprintf(&b, "  rsit %s", f.RSIT)
	}
	if len(f.Advisories) > 0 {
		fmt.Fprintf(&b, "  %s", strings.Join(f.Advisories, ", "))
	}
	fmt.Fprintf(&b, "  %s %s (%s)\n", msg(lang, "rule"), g.slug, f.Rule)
	if g.count == 1 {
		var where []string
		if f.File != "" {
			where = append(where, fileLine(f.File, f.Line))
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
	} else {
		var where []string
		if flow := flow(f); flow != "" {
			if g.flowVaries {
				flow = f.SourceIP + " -> " + msg(lang, "several")
			}
			where = append(where, flow)
		}
		switch {
		case g.earliestText == "":
		case g.earliest.Equal(g.latest):
			where = append(where, g.earliestText)
		default:
			where = append(where, g.earliestText+" .. "+g.latestText)
		}
		if len(where) > 0 {
			fmt.Fprintf(&b, "    %s\n", strings.Join(where, "  "))
		}
		if f.File != "" {
			fmt.Fprintf(&b, "    %s .. %s\n", fileLine(f.File, f.Line), fileLine(g.lastFile, g.lastLine))
		}
	}
	if a := f.Correlation; a != nil {
		writeAggregate(&b, a, lang)
	}
	if f.Artifact != "" {
		fmt.Fprintf(&b, "    %s: %s\n", msg(lang, "artifact"), f.Artifact)
	}
	if excerpt := f.Excerpt; excerpt != "" {
		if lang == "ja" && f.ExcerptJa != "" {
			excerpt = f.ExcerptJa
		}
		fmt.Fprintf(&b, "    | %s\n", excerpt)
	}
	t.countermeasures(&b, f)
	b.WriteByte('\n')
	return b.String()
}

// countermeasures lists the finding's steps, or refers to the same steps printed above. Steps
// that number themselves, as the seeds' "(1)", keep their own numbers.
func (t *textWriter) countermeasures(b *strings.Builder, f *finding.Finding) {
	if len(f.Countermeasures) == 0 {
		return
	}
	lang := t.opts.Lang
	key := strings.Join(f.Advisories, ",") + "\x00" + f.Countermeasures[0].En
	if t.shown[key] {
		fmt.Fprintf(b, "    "+msg(lang, "as-above")+"\n", strings.Join(f.Advisories, ", "))
		return
	}
	if t.shown == nil {
		t.shown = map[string]bool{}
	}
	t.shown[key] = true
	for i, c := range f.Countermeasures {
		text := c.En
		if lang == "ja" && c.Ja != "" {
			text = c.Ja
		}
		if numbersItself(text) {
			fmt.Fprintf(b, "    %s\n", text)
		} else {
			fmt.Fprintf(b, "    %d. %s\n", i+1, text)
		}
	}
}

// numbersItself reports whether a step starts with its own number: "(1)", "（１）", "1.".
func numbersItself(s string) bool {
	s = strings.TrimLeft(s, " ")
	for _, open := range []string{"(", "（"} {
		if rest, ok := strings.CutPrefix(s, open); ok {
			n := len(rest) - len(strings.TrimLeft(rest, "0123456789０１２３４５６７８９"))
			return n > 0 && (strings.HasPrefix(rest[n:], ")") || strings.HasPrefix(rest[n:], "）"))
		}
	}
	n := len(s) - len(strings.TrimLeft(s, "0123456789"))
	return n > 0 && strings.HasPrefix(s[n:], ". ")
}

func fileLine(file string, line int64) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

// sameFlow reports whether flow(a) == flow(b), without making the strings when the fields agree.
func sameFlow(a, b *finding.Finding) bool {
	if a.SourceIP == b.SourceIP && a.DestinationIP == b.DestinationIP && a.DestinationPort == b.DestinationPort && a.Protocol == b.Protocol {
		return true
	}
	return flow(a) == flow(b)
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
