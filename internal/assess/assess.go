// Package assess analyses one incident report on arrival. It runs the detection engine over every
// part of the report (pasted excerpts, attachments, the body) and over the report's own prose,
// which rules read through the log source product: keikai, service: report; it suggests one
// category of seed 002 with its RSIT class:type by a documented precedence (Suggest), lists the
// advisories the findings point to, extracts observables, and counts what the report shows being
// probed for the activity report.
package assess

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/keikai-project/keikai/internal/analyze"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/logs"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// DefaultMaxFindings bounds the findings kept per report; the rest still count towards the
// category and the activity counts.
const DefaultMaxFindings = 500

// Options say how to read a report.
type Options struct {
	// ReceivedAt is when the report reached the coordination center. Log times without a year
	// (RFC 3164 syslog) are placed in the year before it, never by the machine's clock: a report
	// imported years later still dates its logs right.
	ReceivedAt time.Time
	// Location is the zone of clock times that state none, when the report names no zone of its
	// own (Content.TimeZone); nil means UTC.
	Location *time.Location
	// Now gives the analysis time; nil means time.Now.
	Now func() time.Time
	// RulesVersion identifies the rule set, recorded in the analysis.
	RulesVersion string
	// MaxFindings and MaxObservables bound what one report keeps; 0 means the defaults.
	MaxFindings    int
	MaxObservables int
}

// Analyse reads report content with the rules of eng. It fails only when ctx is cancelled: a
// part that cannot be read as logs is read as prose, and problems are listed in the analysis's
// Warnings.
func Analyse(ctx context.Context, eng *engine.Engine, c report.Content, opts Options) (*report.Analysis, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxFindings <= 0 {
		opts.MaxFindings = DefaultMaxFindings
	}
	if opts.MaxObservables <= 0 {
		opts.MaxObservables = DefaultMaxObservables
	}
	a := &report.Analysis{AnalysedAt: opts.Now().UTC(), RulesVersion: opts.RulesVersion, Content: c}
	r := &run{eng: eng, opts: &opts, obs: newObserver(opts.MaxObservables),
		tcp: map[int]bool{}, udp: map[int]bool{}, icmp: map[int]bool{}, cgi: map[string]bool{}}

	r.loc = opts.Location
	if r.loc == nil {
		r.loc = time.UTC
	}
	if c.TimeZone != "" {
		if z, err := ParseZone(c.TimeZone); err != nil {
			r.warn("the report's time zone was not understood, times without an offset are read in %s: %v", r.loc, err)
		} else {
			r.loc = z
		}
	}
	ref := opts.ReceivedAt
	if ref.IsZero() {
		ref = a.AnalysedAt
		r.warn("the report has no receipt time; log times without a year are placed before the analysis time")
	}
	r.parser = logs.NewParser(r.loc)
	r.parser.SetReference(ref)
	r.match = eng.NewWorker()

	if c.IncidentTime != "" {
		if t, err := ParseIncidentTime(c.IncidentTime, r.loc); err != nil {
			r.warn("%v", err)
		} else {
			r.obs.addTime(t)
		}
	}
	for _, h := range append(slices.Clone(c.AffectedHosts), c.SourceHosts...) {
		r.obs.text([]byte(h))
	}
	sources := []source{{"subject", []byte(c.Subject)}, {"description", []byte(c.Description)}}
	seen := map[report.PartKind]int{}
	for _, p := range c.Parts {
		seen[p.Kind]++
		name := p.Name
		if name == "" {
			name = string(p.Kind)
			if name == "" {
				name = "part"
			}
			if n := seen[p.Kind]; n > 1 || p.Kind != report.PartBody {
				name += "-" + strconv.Itoa(n)
			}
		}
		sources = append(sources, source{name, p.Text})
	}
	for _, s := range sources {
		if err := r.part(ctx, s.name, s.text); err != nil {
			return nil, err
		}
	}

	a.Findings = r.findings
	if r.unkept > 0 {
		r.warn("%d findings beyond the first %d were counted but not kept", r.unkept, opts.MaxFindings)
	}
	a.Category, a.RSIT = Suggest(r.evidence)
	a.Advisories = r.advisories
	a.Observables = r.obs.list()
	if r.obs.dropped > 0 {
		r.warn("%d observables beyond the first %d of their kind were left out", r.obs.dropped, opts.MaxObservables)
	}
	a.TCPPorts, a.UDPPorts, a.ICMPTypes = sortedKeys(r.tcp), sortedKeys(r.udp), sortedKeys(r.icmp)
	a.CGIPaths = make([]string, 0, len(r.cgi))
	for p := range r.cgi {
		a.CGIPaths = append(a.CGIPaths, p)
	}
	slices.Sort(a.CGIPaths)
	a.Warnings = r.warnings
	return a, nil
}

// source is one text of a report, named as findings cite it: "subject", "description", an
// attachment's file name, or the kind and number of an unnamed part ("body", "excerpt-1").
type source struct {
	name string
	text []byte
}

// run is the state of one report's analysis.
type run struct {
	eng     *engine.Engine
	opts    *Options
	loc     *time.Location
	parser  *logs.Parser
	match   *engine.Worker
	ev      event.Event
	matched []int

	findings   []finding.Finding
	unkept     int
	evidence   []Evidence
	advisories []string
	obs        *observer
	tcp        map[int]bool
	udp        map[int]bool
	icmp       map[int]bool
	cgi        map[string]bool
	warnings   []string
}

func (r *run) warn(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
}

// part reads one piece of the report line by line. A line that a log parser recognises is a log
// event; any other line is prose. Mail quoting ("> ") is taken off first, since logs are often
// pasted into a reply. Correlations (scans, floods) are counted within the part: two attachments
// are two logs, not one.
func (r *run) part(ctx context.Context, name string, text []byte) error {
	corr := r.eng.NewCorrelator(engine.Limits{}, func(b *engine.Burst) {
		f := analyze.BurstFinding(b, r.loc)
		r.add(f, Evidence{Category: b.Rule.Category(), RSIT: b.Rule.RSIT(), Level: b.Rule.Level})
	})
	ev := &r.ev
	var line int64
	for len(text) > 0 {
		var raw []byte
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			raw, text = text[:i], text[i+1:]
		} else {
			raw, text = text, nil
		}
		line++
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		raw = bytes.TrimRight(raw, "\r")
		r.obs.text(raw)
		body := unquote(raw)
		if len(body) == 0 {
			continue
		}
		r.parser.Parse(body, ev)
		prose := ev.Format == event.FormatUnknown
		if prose {
			logs.ReportLine(body, ev)
		} else {
			if p, ok := ev.Int(event.DestinationPort); ok {
				r.obs.addPort(p)
			}
			if ev.Time.Known {
				r.obs.addTime(time.Unix(0, ev.Time.UnixNano))
			}
		}
		r.matched = r.match.Match(ev, r.matched)
		probed := false
		for _, ri := range r.matched {
			rule := r.eng.Rules[ri]
			probed = probed || rule.Category() == taxonomy.Probe
			if r.eng.Generates(ri) {
				r.add(r.finding(rule, ev, name, line), r.weigh(rule, ev, prose))
			}
			for _, ci := range r.eng.CorrelationsOf(ri) {
				corr.Observe(observation(r.eng, ci, ev, name, line))
			}
		}
		if probed {
			r.countProbe(ev)
		}
	}
	corr.Flush()
	return ctx.Err()
}

// add keeps a finding (up to the bound) and always weighs it.
func (r *run) add(f *finding.Finding, e Evidence) {
	r.evidence = append(r.evidence, e)
	for _, id := range f.Advisories {
		if !slices.Contains(r.advisories, id) {
			r.advisories = append(r.advisories, id)
		}
	}
	if len(r.findings) >= r.opts.MaxFindings {
		r.unkept++
		return
	}
	r.findings = append(r.findings, *f)
}

// weigh turns a finding into evidence. A packet that the firewall refused shows an attempt, not
// its success: seed 002 counts attacks that were defended against (防御に成功したアタック) as
// probes, and lists the ports of trojans (12345, 31337, 1243) among the ports probed. So a worm or
// intrusion rule of level medium or lower that fired on a refused packet is evidence of a probe;
// rules that see a worm's own traffic (Slapper's 2002/udp) say so with level high and stand.
func (r *run) weigh(rule *sigma.Rule, ev *event.Event, prose bool) Evidence {
	e := Evidence{Category: rule.Category(), RSIT: rule.RSIT(), Level: rule.Level, Prose: prose}
	if (e.Category == taxonomy.Worm || e.Category == taxonomy.Intrusion) && e.Level <= sigma.LevelMedium &&
		ev.Format.IsFirewall() && refused(ev.Get(event.Action)) {
		e.Category, e.RSIT = taxonomy.Probe, "information-gathering:scanner"
	}
	return e
}

// refused reports whether a packet-filter line shows the packet not let through; a line that
// names no action is taken as refused, since filters log what their policy drops.
func refused(action []byte) bool {
	switch string(action) {
	case "accept", "allow", "pass", "permitted":
		return false
	}
	return true
}

func (r *run) finding(rule *sigma.Rule, ev *event.Event, file string, line int64) *finding.Finding {
	f := engine.NewFinding(rule)
	f.File, f.Line = escape.String(file), line
	f.Time = analyze.FormatTime(ev.Time, r.loc)
	f.Excerpt = analyze.Excerpt(ev.Raw)
	if v := ev.Get(event.SourceIP); len(v) > 0 {
		f.SourceIP = escape.Bytes(v)
	}
	if v := ev.Get(event.DestinationIP); len(v) > 0 {
		f.DestinationIP = escape.Bytes(v)
	}
	if p, ok := ev.Int(event.DestinationPort); ok && p <= 65535 {
		f.DestinationPort = int(p)
	}
	if v := ev.Get(event.Protocol); len(v) > 0 {
		f.Protocol = escape.Bytes(v)
	}
	return f
}

func observation(eng *engine.Engine, ci int, ev *event.Event, file string, line int64) *engine.Observation {
	c := eng.Correlations[ci].Correlation
	var key []byte
	for _, f := range c.GroupBy {
		key = engine.AppendKey(key, ev.Get(f))
	}
	var value []byte
	if c.Field != event.FieldNone {
		value = bytes.Clone(ev.Get(c.Field))
	}
	return &engine.Observation{Corr: ci, Time: ev.Time, Key: key, Value: value,
		At: engine.Ref{File: file, Line: line, Time: ev.Time}}
}

// countProbe records what a probe shows being probed: the destination port (TCP, UDP) or ICMP
// type of a packet-filter line, or the CGI program of a web request.
func (r *run) countProbe(ev *event.Event) {
	switch {
	case ev.Format.IsFirewall():
		switch string(ev.Get(event.Protocol)) {
		case "tcp":
			if p, ok := ev.Int(event.DestinationPort); ok && p <= 65535 {
				r.tcp[int(p)] = true
			}
		case "udp":
			if p, ok := ev.Int(event.DestinationPort); ok && p <= 65535 {
				r.udp[int(p)] = true
			}
		case "icmp":
			if t, ok := ev.Int(event.ICMPType); ok && t < 256 {
				r.icmp[int(t)] = true
			}
		}
	case ev.Format == event.FormatWebAccess:
		if path := ev.Get(event.URLPath); isCGI(path) {
			r.cgi[escape.Bytes(path)] = true
		}
	}
}

// isCGI reports whether a request path names a CGI program: anything under a cgi-bin style
// directory, or a .cgi file (seed 002: "http://ホスト名/cgi-bin/..." requests).
func isCGI(path []byte) bool {
	return indexFold(path, "/cgi-") >= 0 || (len(path) > 4 && indexFold(path[len(path)-4:], ".cgi") == 0)
}

// unquote takes mail quoting and indentation off a line: "> > Jun 12 03:00:00 gw kernel: ...".
func unquote(b []byte) []byte {
	for len(b) > 0 && (b[0] == '>' || b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
