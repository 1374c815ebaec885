// Package selftest checks every rule against the samples it carries: each "match" sample must make
// the rule fire and each "nomatch" sample must not. Samples run through the same parser, prefilter
// and correlator as real logs, so a rule whose literals the prefilter would miss fails here too.
package selftest

import (
	"fmt"
	"slices"
	"time"

	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/logs"
	"github.com/keikai-project/keikai/internal/sigma"
)

// Result is the outcome of one sample.
type Result struct {
	Rule   *sigma.Rule
	Sample sigma.Sample
	// Want is true for a match sample, false for a nomatch sample.
	Want bool
	Got  bool
	// Err explains a sample that could not be run at all.
	Err error
}

// Passed reports whether the sample behaved as it should.
func (r Result) Passed() bool { return r.Err == nil && r.Got == r.Want }

// Missing lists rules that lack a match or a nomatch sample: an untested rule is not trusted.
func Missing(eng *engine.Engine) []*sigma.Rule {
	var out []*sigma.Rule
	for _, r := range append(append([]*sigma.Rule(nil), eng.Rules...), eng.Correlations...) {
		if len(r.Samples.Match) == 0 || len(r.Samples.NoMatch) == 0 {
			out = append(out, r)
		}
	}
	return out
}

// Run tests every sample of every rule in eng.
func Run(eng *engine.Engine) []Result {
	// A fixed reference keeps year inference, and so correlation windows, stable over time.
	ref := time.Date(2026, time.December, 31, 23, 59, 59, 0, time.UTC)
	var results []Result
	for ri, r := range eng.Rules {
		for _, want := range []bool{true, false} {
			for _, s := range samplesOf(r, want) {
				got, err := detects(eng, ri, s, ref)
				results = append(results, Result{Rule: r, Sample: s, Want: want, Got: got, Err: err})
			}
		}
	}
	for ci, r := range eng.Correlations {
		for _, want := range []bool{true, false} {
			for _, s := range samplesOf(r, want) {
				got, err := correlates(eng, ci, s, ref)
				results = append(results, Result{Rule: r, Sample: s, Want: want, Got: got, Err: err})
			}
		}
	}
	return results
}

func samplesOf(r *sigma.Rule, match bool) []sigma.Sample {
	if match {
		return r.Samples.Match
	}
	return r.Samples.NoMatch
}

// detects reports whether detection rule ri fires on any line (or on the host event) of s.
func detects(eng *engine.Engine, ri int, s sigma.Sample, ref time.Time) (bool, error) {
	w := eng.NewWorker()
	var matched []int
	if s.Fields != nil {
		ev, err := hostEvent(eng.Rules[ri], s)
		if err != nil {
			return false, err
		}
		matched = w.Match(ev, matched)
		return slices.Contains(matched, ri), nil
	}
	p := logs.NewParser(time.UTC)
	p.SetReference(ref)
	prose := eng.Rules[ri].Formats() == sigma.FormatsOf(event.FormatReport)
	var ev event.Event
	for _, line := range s.Lines {
		if prose {
			logs.ReportLine(line, &ev)
		} else {
			p.Parse(line, &ev)
		}
		matched = w.Match(&ev, matched)
		if slices.Contains(matched, ri) {
			return true, nil
		}
	}
	return false, nil
}

// correlates reports whether correlation ci fires over the lines of s, read as one log.
func correlates(eng *engine.Engine, ci int, s sigma.Sample, ref time.Time) (bool, error) {
	if s.Fields != nil {
		return false, fmt.Errorf("a correlation sample must be log lines, not fields")
	}
	fired := false
	corr := eng.NewCorrelator(engine.Limits{}, func(b *engine.Burst) {
		if b.Rule == eng.Correlations[ci] {
			fired = true
		}
	})
	w := eng.NewWorker()
	p := logs.NewParser(time.UTC)
	p.SetReference(ref)
	var ev event.Event
	var matched []int
	for n, line := range s.Lines {
		p.Parse(line, &ev)
		matched = w.Match(&ev, matched)
		for _, ri := range matched {
			for _, c := range eng.CorrelationsOf(ri) {
				if c != ci {
					continue
				}
				cr := eng.Correlations[c].Correlation
				var key []byte
				for _, f := range cr.GroupBy {
					key = engine.AppendKey(key, ev.Get(f))
				}
				var value []byte
				if cr.Field != event.FieldNone {
					value = append(value, ev.Get(cr.Field)...)
				}
				corr.Observe(&engine.Observation{Corr: c, Time: ev.Time, Key: key, Value: value,
					At: engine.Ref{File: "sample", Line: int64(n + 1), Time: ev.Time}})
			}
		}
	}
	corr.Flush()
	return fired, nil
}

// hostEvent builds the host artifact a field sample describes, in the rule's host format.
func hostEvent(r *sigma.Rule, s sigma.Sample) (*event.Event, error) {
	format := event.FormatUnknown
	for f := event.Format(0); f < event.NumFormats; f++ {
		if f.IsHost() && r.Formats().Has(f) {
			format = f
			break
		}
	}
	if format == event.FormatUnknown {
		return nil, fmt.Errorf("a field sample needs a rule with a host log source (product: host)")
	}
	ev := &event.Event{}
	ev.Reset([]byte("sample"))
	ev.Format = format
	for f, v := range s.Fields {
		ev.Set(f, []byte(v))
	}
	return ev, nil
}
