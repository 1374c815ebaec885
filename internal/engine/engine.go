// Package engine runs compiled rules over events fast. It never builds one big regular expression:
// for each event format it collects every literal that the format's rules need into one
// case-insensitive Aho-Corasick automaton, scans each event's raw line once, and evaluates a rule in
// full only when one of its literals was seen. Rules from which no literal can be derived (port
// sets, CIDRs) are evaluated on every event of their formats; they are cheap by construction.
package engine

import (
	"errors"
	"fmt"
	"slices"

	"github.com/keikai-project/keikai/internal/ahocorasick"
	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/sigma"
)

// Engine holds a rule set compiled for matching. It is immutable and shared by all workers.
type Engine struct {
	// Rules are the detection rules, indexed by the numbers Match returns.
	Rules []*sigma.Rule
	// Correlations are the correlation rules, indexed by Observation.Corr.
	Correlations []*sigma.Rule

	plans [event.NumFormats]plan
	// correlationsOf lists, for each detection rule, the correlations that count its matches.
	correlationsOf [][]int
	generates      []bool
}

type plan struct {
	matcher *ahocorasick.Matcher
	// scanRaw is set when some literal may occur anywhere in the line (keywords); otherwise only
	// the values of scanFields are scanned, which for web and syslog lines is much less text.
	scanRaw    bool
	scanFields []event.Field
	// ruleOfLiteral lists, for each pattern of matcher, the rules that need it.
	ruleOfLiteral [][]int
	// indexes hold rules without literals that require one of a set of values of a numeric
	// field (port lists, ICMP types): only the rules naming the event's value are evaluated.
	indexes []intIndex
	// always are the rules evaluated on every event of the format.
	always []int
}

type intIndex struct {
	field event.Field
	rules map[int64][]int
	// small marks the values below 65536 that have rules, so that most events (ports no rule
	// names) skip the map lookup.
	small [65536 / 64]uint64
}

func (idx *intIndex) lookup(v int64) []int {
	if v < 65536 && idx.small[v>>6]&(1<<(v&63)) == 0 {
		return nil
	}
	return idx.rules[v]
}

// indexedFields are tried in order for rules that have no literal prefilter.
var indexedFields = []event.Field{event.DestinationPort, event.ICMPType, event.LocalPort, event.Status}

// weakLiteral is the length below which a literal makes a poor prefilter (it occurs in most
// lines); a rule whose best literal is that short is indexed by a numeric field when it can be.
const weakLiteral = 4

// New compiles the rules of set (already resolved) for matching.
func New(set *sigma.Set) (*Engine, error) {
	e := &Engine{}
	index := map[*sigma.Rule]int{}
	for _, r := range set.Rules {
		if r.IsCorrelation() {
			e.Correlations = append(e.Correlations, r)
			continue
		}
		index[r] = len(e.Rules)
		e.Rules = append(e.Rules, r)
		e.generates = append(e.generates, r.Generates())
	}
	e.correlationsOf = make([][]int, len(e.Rules))
	var errs []error
	for ci, c := range e.Correlations {
		if err := checkCorrelation(c); err != nil {
			errs = append(errs, err)
			continue
		}
		for _, base := range c.Correlation.Rules {
			bi, ok := index[base]
			if !ok {
				errs = append(errs, fmt.Errorf("%s: correlation %q refers to %q, which is not a loaded detection rule", c.File, c.Title, base.Title))
				continue
			}
			e.correlationsOf[bi] = append(e.correlationsOf[bi], ci)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for f := event.Format(0); f < event.NumFormats; f++ {
		e.plans[f] = e.buildPlan(f)
	}
	return e, nil
}

// checkCorrelation rejects conditions that a streaming engine cannot decide when an event arrives:
// "fewer than N in the window" is only known once the window has passed, and keikai reports bursts.
func checkCorrelation(c *sigma.Rule) error {
	switch c.Correlation.Op {
	case "gt", "gte":
		return nil
	}
	return fmt.Errorf("%s:%d: correlation %q: condition %q is not supported; keikai reports bursts, so use gt or gte", c.File, c.Line, c.Title, c.Correlation.Op)
}

func (e *Engine) buildPlan(f event.Format) plan {
	var p plan
	var literals []string
	literalIndex := map[string]int{}
	for ri, r := range e.Rules {
		if !r.Formats().Has(f) {
			continue
		}
		lits, ok := r.PrefilterFields()
		if !ok || f.IsHost() || shortest(lits) < weakLiteral {
			if p.index(r, ri) {
				continue
			}
			if !ok || f.IsHost() {
				p.always = append(p.always, ri)
				continue
			}
		}
		for _, fl := range lits {
			if fl.Field == event.FieldNone {
				p.scanRaw = true
			} else if !slices.Contains(p.scanFields, fl.Field) {
				p.scanFields = append(p.scanFields, fl.Field)
			}
			l := fl.Literal
			id, seen := literalIndex[l]
			if !seen {
				id = len(literals)
				literalIndex[l] = id
				literals = append(literals, l)
				p.ruleOfLiteral = append(p.ruleOfLiteral, nil)
			}
			if !slices.Contains(p.ruleOfLiteral[id], ri) {
				p.ruleOfLiteral[id] = append(p.ruleOfLiteral[id], ri)
			}
		}
	}
	if len(literals) > 0 {
		p.matcher = ahocorasick.New(literals)
	}
	return p
}

func shortest(lits []sigma.FieldLiteral) int {
	n := -1
	for _, l := range lits {
		if n < 0 || len(l.Literal) < n {
			n = len(l.Literal)
		}
	}
	return n
}

// index files rule ri under the first numeric field whose values it bounds.
func (p *plan) index(r *sigma.Rule, ri int) bool {
	for _, f := range indexedFields {
		values, ok := r.RequiredInts(f)
		if !ok {
			continue
		}
		var idx *intIndex
		for i := range p.indexes {
			if p.indexes[i].field == f {
				idx = &p.indexes[i]
			}
		}
		if idx == nil {
			p.indexes = append(p.indexes, intIndex{field: f, rules: map[int64][]int{}})
			idx = &p.indexes[len(p.indexes)-1]
		}
		for _, v := range values {
			idx.rules[v] = append(idx.rules[v], ri)
			if v >= 0 && v < 65536 {
				idx.small[v>>6] |= 1 << (v & 63)
			}
		}
		return true
	}
	return false
}

// Generates reports whether matches of detection rule i are findings of their own (Sigma: the base
// rules of a correlation are not, unless the correlation says generate: true).
func (e *Engine) Generates(i int) bool { return e.generates[i] }

// CorrelationsOf returns the correlations that count matches of detection rule i.
func (e *Engine) CorrelationsOf(i int) []int { return e.correlationsOf[i] }

// Literals returns every distinct literal the prefilters search for, sorted: what a plain
// multi-literal search such as ripgrep would have to look for to find the same candidate lines.
func (e *Engine) Literals() []string {
	seen := map[string]bool{}
	for _, r := range e.Rules {
		if lits, ok := r.Prefilter(); ok {
			for _, l := range lits {
				seen[l] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for l := range seen {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Worker matches events on one goroutine; it owns the scratch state the scan needs.
type Worker struct {
	e    *Engine
	hits [event.NumFormats]*ahocorasick.Hits
	// seen[r] == stamp marks rule r as already evaluated for the current event.
	seen  []uint32
	stamp uint32
}

// NewWorker returns a worker for one goroutine.
func (e *Engine) NewWorker() *Worker {
	w := &Worker{e: e, seen: make([]uint32, len(e.Rules))}
	for f := range e.plans {
		if m := e.plans[f].matcher; m != nil {
			w.hits[f] = ahocorasick.NewHits(m)
		}
	}
	return w
}

// Match appends to out the indexes of the detection rules that ev matches, in ascending order.
func (w *Worker) Match(ev *event.Event, out []int) []int {
	out = out[:0]
	if ev.Format >= event.NumFormats {
		return out
	}
	p := &w.e.plans[ev.Format]
	rules := w.e.Rules
	for _, ri := range p.always {
		if rules[ri].Match(ev) {
			out = append(out, ri)
		}
	}
	for i := range p.indexes {
		idx := &p.indexes[i]
		if v, ok := ev.Int(idx.field); ok {
			for _, ri := range idx.lookup(v) {
				if rules[ri].Match(ev) {
					out = append(out, ri)
				}
			}
		}
	}
	if p.matcher == nil {
		if len(out) > 1 {
			slices.Sort(out)
		}
		return out
	}
	hits := w.hits[ev.Format]
	hits.Reset()
	found := false
	if p.scanRaw {
		found = p.matcher.Scan(ev.Raw, hits)
		if url := ev.Get(event.URL); urlWasDecoded(url, ev.Get(event.URLRaw)) {
			// A percent-encoded request hides its literals from a scan of the raw line.
			found = p.matcher.Scan(url, hits) || found
		}
	} else {
		var url []byte
		for _, f := range p.scanFields {
			v := ev.Get(f)
			if len(v) == 0 {
				continue
			}
			// An undecoded URL is the very bytes of URLRaw: scan them once.
			if f == event.URL || f == event.URLRaw {
				if url != nil && &url[0] == &v[0] && len(url) == len(v) {
					continue
				}
				url = v
			}
			found = p.matcher.Scan(v, hits) || found
		}
	}
	if !found {
		if len(out) > 1 {
			slices.Sort(out)
		}
		return out
	}
	w.stamp++
	if w.stamp == 0 {
		clear(w.seen)
		w.stamp = 1
	}
	hits.Each(func(id int) {
		for _, ri := range p.ruleOfLiteral[id] {
			if w.seen[ri] == w.stamp {
				continue
			}
			w.seen[ri] = w.stamp
			if rules[ri].Match(ev) {
				out = append(out, ri)
			}
		}
	})
	if len(out) > 1 {
		slices.Sort(out)
	}
	return out
}

// urlWasDecoded reports whether the decoded URL differs from the bytes on the line, which the
// parser signals by storing it apart from the raw slice.
func urlWasDecoded(url, raw []byte) bool {
	if len(url) == 0 {
		return false
	}
	return len(raw) == 0 || len(url) != len(raw) || &url[0] != &raw[0]
}
