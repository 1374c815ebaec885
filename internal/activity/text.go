package activity

import (
	"bufio"
	"io"
	"strings"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// WriteText renders s as plain text in the layout of seed 002: a header with the period and the
// date of issue, the number of reports, the note that these are counts of reports and not of
// attacks, and sections I to VI (then the remainder) with their counts. Section I lists the most
// reported ports, ICMP types and CGI programs, section IV the causes of intrusion. Lines hold at
// most 70 display columns; Japanese breaks between characters as kinsoku allows, and a list item
// such as "21(ftp): 120" is never split.
func WriteText(w io.Writer, s *Stats, o Options) error {
	if err := check(s, o); err != nil {
		return err
	}
	o = cleanOptions(o)
	lang := o.Lang
	t := &textWriter{}
	rule := strings.Repeat("=", lineColumns)
	t.line(rule)
	for _, l := range []string{o.ID, o.Issuer} {
		if l != "" {
			t.line(l)
		}
	}
	t.prose(title(o)+" [ "+periodText(s, lang)+" ]", "")
	if is := issuedText(o); is != "" {
		t.line(is)
	}
	t.line(rule)
	t.blank()
	t.prose(countSentence(s, o), "")
	t.blank()
	t.prose(note(o), "")
	if d := decidedText(s, lang); d != "" {
		t.blank()
		t.prose(d, "")
	}
	if u := unclassifiedText(s, lang); u != "" {
		t.blank()
		t.prose(u, "")
	}
	for _, c := range taxonomy.Categories() {
		t.blank()
		t.blank()
		heading := sectionTitle(c, lang)
		if c.Section != "" {
			heading = c.Section + ". " + heading
		}
		t.prose(heading, "")
		t.blank()
		t.prose(sectionBody(s, c, o), "")
		switch c.Key {
		case taxonomy.Probe:
			t.probes(s, lang)
		case taxonomy.Intrusion:
			t.causes(s, lang)
		}
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(t.b.String())
	return bw.Flush()
}

// cleanOptions escapes the names an operator gave, which reach the terminal like any other text.
func cleanOptions(o Options) Options {
	o.Issuer = escape.String(o.Issuer)
	o.ID = escape.String(o.ID)
	return o
}

type textWriter struct{ b strings.Builder }

func (t *textWriter) line(s string) { t.b.WriteString(s); t.b.WriteByte('\n') }
func (t *textWriter) blank()        { t.b.WriteByte('\n') }

func (t *textWriter) prose(s, indent string) {
	for _, l := range wrapProse(s, indent, indent) {
		t.line(l)
	}
}

func (t *textWriter) list(heading string, items []string) {
	if len(items) == 0 {
		return
	}
	t.blank()
	t.line("    * " + heading)
	t.blank()
	for _, l := range wrapItems(items, "        ") {
		t.line(l)
	}
}

// probes lists what section I's reports show probed, most reported first.
func (t *textWriter) probes(s *Stats, lang string) {
	if len(s.TopTCPPorts)+len(s.TopUDPPorts)+len(s.ICMPTypes)+len(s.CGIPaths) == 0 {
		return
	}
	t.blank()
	t.prose(label(lang, "probe-intro"), "")
	t.list(label(lang, "tcp"), portItems(s.TopTCPPorts))
	t.list(label(lang, "udp"), portItems(s.TopUDPPorts))
	var icmp []string
	for _, e := range s.ICMPTypes {
		icmp = append(icmp, icmpLabel(e)+": "+group(e.Count))
	}
	t.list(label(lang, "icmp"), icmp)
	if len(s.CGIPaths) > 0 {
		t.blank()
		t.line("    * " + label(lang, "cgi"))
		t.blank()
		// One path a line: paths are long, and a path is never broken.
		for _, p := range s.CGIPaths {
			t.line("        " + escape.String(p.Path) + ": " + group(p.Count))
		}
	}
}

func portItems(ports []PortCount) []string {
	items := make([]string, len(ports))
	for i, p := range ports {
		items[i] = portLabel(p) + ": " + group(p.Count)
	}
	return items
}

// causes lists the weaknesses that intrusion reports name, as section IV of the seed does.
func (t *textWriter) causes(s *Stats, lang string) {
	if len(s.Causes) == 0 {
		return
	}
	t.blank()
	t.prose(label(lang, "cause-intro"), "")
	t.blank()
	for _, c := range s.Causes {
		line := causeTitle(c, lang)
		if key := causeKey(c); key != "" {
			line += " (" + escape.String(key) + ")"
		}
		for _, l := range wrapProse(line+": "+group(c.Count), "        ", "          ") {
			t.line(l)
		}
	}
}
