// Package engine runs compiled rules over events fast. It never builds one big regular expression:
// for each event format it collects every literal that the format's rules need into one
// case-insensitive Aho-Corasick automaton, scans each event's raw line once, and evaluates a rule in
// full only when one of its literals was seen. Rules from which no literal can be derived (port
// sets, CIDRs) are evaluated on every event of their formats; they are cheap by construction.
package engine

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"

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
	// literalIn[r] are the formats in which rule r is found through its literals.
	literalIn []sigma.FormatSet
	// guards evaluates Rules, each test that several of them require once per event.
	guards *sigma.Guards
}

type plan struct {
	// scans are the literal automata of the format: its own, then any shared with other formats.
	scans []literalScan
	// scanRaw is set when some literal may occur anywhere in the line (keywords); otherwise only
	// the values of scanFields are scanned, which for web and syslog lines is much less text.
	scanRaw    bool
	scanFields []scanField
	// indexes hold rules without literals that require one of a set of values of a numeric
	// field (port lists, ICMP types): only the rules naming the event's value are evaluated.
	indexes []intIndex
	// always are the rules evaluated on every event of the format, in groups of rules with the
	// same detection (a port scan and a host sweep count the same packets differently): the
	// first of a group is evaluated and its answer holds for all.
	always [][]int
	// memo is set when the format's matches are a function of a few field values (see memo.go).
	memo *memoPlan
}

// scanField is a field whose value the prefilter scans.
type scanField struct {
	field event.Field
	// min is the length of the shortest literal that rules need in the field, at least 1: a
	// shorter value (a request method, most URLs of a plain site) holds none and is not scanned.
	min int
	// url marks URL and URLRaw, which hold the same bytes unless the URL was percent-decoded.
	url bool
}

// literalScan is one automaton and, for each of its patterns, the rules that need it.
type literalScan struct {
	matcher       *lazyMatcher
	ruleOfLiteral [][]int
	// shared marks an automaton built once for several formats; a rule it names is evaluated
	// only if the event's format is one the rule is found through literals in.
	shared bool
}

// lazyMatcher builds its automaton when the first event of a format that scans it arrives, once
// for all workers: a log without mail lines or reports never pays for their automata. Formats
// whose literal lists are the same share one.
type lazyMatcher struct {
	once     sync.Once
	literals []string
	m        *ahocorasick.Matcher
}

func (l *lazyMatcher) get() *ahocorasick.Matcher {
	l.once.Do(func() {
		l.m = ahocorasick.New(l.literals)
		l.literals = nil
	})
	return l.m
}

type intIndex struct {
	field event.Field
	rules map[int64][]int
	// small marks the values below 65536 that have rules, so that most events (ports no rule
	// names) skip the map lookup.
	small [65536 / 64]uint64
	// smallRules are the rules of the marked values in ascending order of value, and rank[w] the
	// number of marked values below 64*w: a marked value's rules are found by counting bits,
	// without hashing (a firewall event looks up two or three ports).
	smallRules [][]int
	rank       [65536 / 64]uint16
	// digits is the length of the largest value in decimal: a longer value without leading
	// zeros (an ephemeral source port against rules for port 2002) is not parsed.
	digits int
}

func (idx *intIndex) lookup(v int64) []int {
	if uint64(v) < 65536 {
		w := v >> 6
		bit := uint64(1) << (v & 63)
		word := idx.small[w]
		if word&bit == 0 {
			return nil
		}
		return idx.smallRules[int(idx.rank[w])+bits.OnesCount64(word&(bit-1))]
	}
	return idx.rules[v]
}

// finish ranks the marked values once every rule is added.
func (idx *intIndex) finish() {
	idx.smallRules = idx.smallRules[:0]
	n := 0
	for w, word := range idx.small {
		idx.rank[w] = uint16(n)
		for ; word != 0; word &= word - 1 {
			v := int64(w)*64 + int64(bits.TrailingZeros64(word))
			idx.smallRules = append(idx.smallRules, idx.rules[v])
			n++
		}
	}
}

// indexedFields are tried in order for rules that have no literal prefilter.
var indexedFields = []event.Field{event.DestinationPort, event.ICMPType, event.LocalPort, event.Status}

// weakLiteral is the length below which a literal makes a poor prefilter (it occurs in most
// lines); a rule whose best literal is that short is indexed by a numeric field when it can be.
const weakLiteral = 4

// MemoryBudget is how much memory the literal automata of one rule set may take. The bundled
// rules need a few megabytes and an IOC list of 50,000 domains under a hundred; a rule set beyond
// the budget is refused, naming its largest rule files, rather than allowed to take the machine.
const MemoryBudget = 256 << 20

// New compiles the rules of set (already resolved) for matching, within MemoryBudget.
func New(set *sigma.Set) (*Engine, error) {
	return NewWithBudget(set, MemoryBudget)
}

// NewWithBudget is New with another memory budget in bytes.
func NewWithBudget(set *sigma.Set, budget int) (*Engine, error) {
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
	if err := e.buildPlans(budget); err != nil {
		return nil, err
	}
	e.guards = sigma.NewGuards(e.Rules)
	e.buildMemo()
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

// sharedMinSaving is the memory from which a group of literals needed by the same several
// formats gets one automaton for all of them instead of a copy in each format's own: IOC lists with
// a broad log source. Below it, a format scans one automaton per line, which is fastest.
const sharedMinSaving = 4 << 20

// formatUse is, for one literal, the formats whose rules need it and those rules.
type formatUse struct {
	formats sigma.FormatSet
	rules   []int
}

// buildPlans sorts every rule of every format into indexes, always-evaluated lists and literal
// automata, estimates the automata's memory and builds them only if it fits budget.
func (e *Engine) buildPlans(budget int) error {
	uses := map[string]*formatUse{}
	var order []string // literals in first-seen order, for deterministic automata
	e.literalIn = make([]sigma.FormatSet, len(e.Rules))
	for ri, r := range e.Rules {
		lits, ok := r.PrefilterFields()
		for f := event.Format(0); f < event.NumFormats; f++ {
			if !r.Formats().Has(f) {
				continue
			}
			p := &e.plans[f]
			if !ok || f.IsHost() || shortest(lits) < weakLiteral {
				if p.index(r, ri) {
					continue
				}
				if !ok || f.IsHost() {
					p.addAlways(e.Rules, ri)
					continue
				}
			}
			e.literalIn[ri] |= sigma.FormatsOf(f)
			for _, fl := range lits {
				if fl.Field == event.FieldNone {
					p.scanRaw = true
				} else {
					p.addScanField(fl.Field, len(fl.Literal))
				}
				u := uses[fl.Literal]
				if u == nil {
					u = &formatUse{}
					uses[fl.Literal] = u
					order = append(order, fl.Literal)
				}
				u.formats |= sigma.FormatsOf(f)
				if n := len(u.rules); n == 0 || u.rules[n-1] != ri {
					u.rules = append(u.rules, ri)
				}
			}
		}
	}

	for f := range e.plans {
		for i := range e.plans[f].indexes {
			e.plans[f].indexes[i].finish()
		}
	}

	// Group the literals by the set of formats that need them.
	groups := map[sigma.FormatSet][]string{}
	for _, l := range order {
		groups[uses[l].formats] = append(groups[uses[l].formats], l)
	}
	sharedGroups := map[sigma.FormatSet]bool{}
	for fs, lits := range groups {
		copies := bits.OnesCount64(uint64(fs))
		sharedGroups[fs] = copies > 1 && ahocorasick.EstimateBytes(lits)*(copies-1) >= sharedMinSaving
	}
	isShared := func(fs sigma.FormatSet) bool { return sharedGroups[fs] }
	var own [event.NumFormats][]string
	shared := map[sigma.FormatSet][]string{}
	var sharedOrder []sigma.FormatSet
	for _, l := range order {
		fs := uses[l].formats
		if isShared(fs) {
			if shared[fs] == nil {
				sharedOrder = append(sharedOrder, fs)
			}
			shared[fs] = append(shared[fs], l)
			continue
		}
		for f := event.Format(0); f < event.NumFormats; f++ {
			if fs.Has(f) {
				own[f] = append(own[f], l)
			}
		}
	}

	need := 0
	for f := range own {
		need += ahocorasick.EstimateBytes(own[f])
	}
	for _, fs := range sharedOrder {
		need += ahocorasick.EstimateBytes(shared[fs])
	}
	if need > budget {
		return e.overBudget(need, budget)
	}

	matchers := map[string]*lazyMatcher{} // by the literals, joined
	for f := event.Format(0); f < event.NumFormats; f++ {
		if len(own[f]) == 0 {
			continue
		}
		key := strings.Join(own[f], "\x00")
		m := matchers[key]
		if m == nil {
			m = &lazyMatcher{literals: own[f]}
			matchers[key] = m
		}
		scan := literalScan{matcher: m, ruleOfLiteral: make([][]int, len(own[f]))}
		for i, l := range own[f] {
			scan.ruleOfLiteral[i] = rulesOfFormat(uses[l].rules, e.literalIn, f)
		}
		e.plans[f].scans = append(e.plans[f].scans, scan)
	}
	for _, fs := range sharedOrder {
		lits := shared[fs]
		scan := literalScan{matcher: &lazyMatcher{literals: lits}, ruleOfLiteral: make([][]int, len(lits)), shared: true}
		for i, l := range lits {
			scan.ruleOfLiteral[i] = uses[l].rules
		}
		for f := event.Format(0); f < event.NumFormats; f++ {
			if fs.Has(f) {
				e.plans[f].scans = append(e.plans[f].scans, scan)
			}
		}
	}
	return nil
}

// addScanField notes that some rule needs a literal of n bytes in field f.
func (p *plan) addScanField(f event.Field, n int) {
	n = max(n, 1)
	for i := range p.scanFields {
		if sf := &p.scanFields[i]; sf.field == f {
			sf.min = min(sf.min, n)
			return
		}
	}
	p.scanFields = append(p.scanFields, scanField{field: f, min: n, url: f == event.URL || f == event.URLRaw})
}

// addAlways puts rule ri into the group of always-evaluated rules whose detection is the same,
// or into a group of its own.
func (p *plan) addAlways(rules []*sigma.Rule, ri int) {
	for i, group := range p.always {
		if rules[group[0]].SameDetection(rules[ri]) {
			p.always[i] = append(group, ri)
			return
		}
	}
	p.always = append(p.always, []int{ri})
}

// rulesOfFormat returns the rules of rules found through literals in format f, sharing the slice
// when all are.
func rulesOfFormat(rules []int, literalIn []sigma.FormatSet, f event.Format) []int {
	for i, ri := range rules {
		if !literalIn[ri].Has(f) {
			out := slices.Clone(rules[:i])
			for _, rj := range rules[i+1:] {
				if literalIn[rj].Has(f) {
					out = append(out, rj)
				}
			}
			return out
		}
	}
	return rules
}

// ErrOverBudget is returned (wrapped) when a rule set's automata would exceed the memory budget.
var ErrOverBudget = errors.New("the rules need more memory than keikai allows")

// overBudget names the rule files with the most literal bytes, which are what the memory goes to.
func (e *Engine) overBudget(need, budget int) error {
	type heavy struct {
		file, title string
		literals    int
		bytes       int
	}
	var rules []heavy
	for _, r := range e.Rules {
		lits, ok := r.PrefilterFields()
		if !ok {
			continue
		}
		h := heavy{file: r.File, title: r.Title, literals: len(lits)}
		for _, l := range lits {
			h.bytes += len(l.Literal)
		}
		rules = append(rules, h)
	}
	slices.SortFunc(rules, func(a, b heavy) int { return b.bytes - a.bytes })
	var names []string
	for _, h := range rules[:min(3, len(rules))] {
		names = append(names, fmt.Sprintf("%s (rule %q: %d literals, %d KB)", h.file, h.title, h.literals, h.bytes>>10))
	}
	return fmt.Errorf("%w: compiling them would take about %d MB, the budget is %d MB; the largest are in %s. "+
		"Shorten those rules, or give keyword lists a narrow logsource so that fewer log formats need them",
		ErrOverBudget, need>>20, budget>>20, strings.Join(names, ", "))
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

// index files rule ri under the first numeric field whose values it bounds, or else under both
// ports when it bounds them together (a port as source or destination).
func (p *plan) index(r *sigma.Rule, ri int) bool {
	for _, f := range indexedFields {
		if values, ok := r.RequiredInts(f); ok {
			p.indexOf(f).add(values, ri)
			return true
		}
	}
	bounds, ok := r.RequiredIntsAmong(eitherPort)
	if !ok {
		return false
	}
	for _, b := range bounds {
		p.indexOf(b.Field).add(b.Values, ri)
	}
	return true
}

// eitherPort are the fields a rule may be indexed by together.
var eitherPort = []event.Field{event.SourcePort, event.DestinationPort}

// indexOf returns the plan's index of field f, adding an empty one if there is none.
func (p *plan) indexOf(f event.Field) *intIndex {
	for i := range p.indexes {
		if p.indexes[i].field == f {
			return &p.indexes[i]
		}
	}
	p.indexes = append(p.indexes, intIndex{field: f, rules: map[int64][]int{}})
	return &p.indexes[len(p.indexes)-1]
}

func (idx *intIndex) add(values []int64, ri int) {
	for _, v := range values {
		idx.rules[v] = append(idx.rules[v], ri)
		if v >= 0 && v < 65536 {
			idx.small[v>>6] |= 1 << (v & 63)
		}
		idx.digits = max(idx.digits, len(strconv.FormatInt(v, 10)))
	}
}

// Generates reports whether matches of detection rule i are findings of their own (Sigma: the base
// rules of a correlation are not, unless the correlation says generate: true).
func (e *Engine) Generates(i int) bool { return e.generates[i] }

// CorrelationsOf returns the correlations that count matches of detection rule i.
func (e *Engine) CorrelationsOf(i int) []int { return e.correlationsOf[i] }

// FieldsRead reports, by field, whether some detection or correlation rule of the engine reads
// it; the analysis parses only those and the ones its summary and findings need.
func (e *Engine) FieldsRead() [event.NumFields]bool {
	var read [event.NumFields]bool
	for _, r := range e.Rules {
		r.FieldsRead(&read)
	}
	for _, r := range e.Correlations {
		r.FieldsRead(&read)
	}
	return read
}

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
	e *Engine
	// scans[f] are the automata of format f's plan, in order, with this worker's hit sets.
	scans [event.NumFormats][]workerScan
	// seen[r] == stamp marks rule r as already evaluated for the current event.
	seen   []uint32
	stamp  uint32
	guards sigma.GuardState
	// memo caches matches by key for the formats whose plan has a memo; nil when none has.
	memo *[memoSlots]memoEntry
	key  memoKey
}

// workerScan is one automaton of a plan as a worker scans it.
type workerScan struct {
	scan *literalScan
	// matcher is the scan's automaton once the worker has fetched it: lazyMatcher.get's
	// sync.Once costs a call and a closure on every line.
	matcher *ahocorasick.Matcher
	hits    *ahocorasick.Hits
}

// NewWorker returns a worker for one goroutine.
func (e *Engine) NewWorker() *Worker {
	w := &Worker{e: e, seen: make([]uint32, len(e.Rules))}
	for f := range e.plans {
		for i := range e.plans[f].scans {
			sc := &e.plans[f].scans[i]
			w.scans[f] = append(w.scans[f], workerScan{scan: sc, hits: ahocorasick.NewHitsFor(len(sc.ruleOfLiteral))})
		}
		if e.plans[f].memo != nil && w.memo == nil {
			w.memo = new([memoSlots]memoEntry)
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
	if p.memo == nil {
		return w.match(ev, p, out)
	}
	hash, ok := p.memo.key(ev, &w.key)
	if !ok {
		return w.match(ev, p, out)
	}
	set := memoSet(hash)
	slot, hit := &w.memo[set], false
	if hit = slot.holds(&w.key); !hit {
		slot, hit = w.memoLookupSecond(&w.key, set)
	}
	if hit {
		n := int(slot.count)
		if n == 0 {
			return out
		}
		// The entry's whole array is copied in one assignment, without a loop over its rules:
		// out is given room for it once (the caller keeps out while it holds rules).
		if cap(out) < memoRules {
			out = make([]int, memoRules)
		}
		*(*[memoRules]int)(out[:memoRules]) = slot.rules
		return out[:n]
	}
	out = w.match(ev, p, out)
	slot.store(&w.key, out)
	return out
}

// match is Match without the memo. The always-evaluated rules and the indexes are walked in
// calls of their own: most plans have neither, and their loops around calls made match spill
// its registers on every line.
func (w *Worker) match(ev *event.Event, p *plan, out []int) []int {
	w.guards.Reset()
	if len(p.always) > 0 {
		out = w.matchAlways(ev, p, out)
	}
	w.stamp++ // a new event: no rule evaluated for it yet
	if w.stamp == 0 {
		clear(w.seen)
		w.stamp = 1
	}
	if len(p.indexes) > 0 {
		out = w.matchIndexes(ev, p, out)
	}
	if scans := w.scans[ev.Format]; len(scans) == 1 {
		// Most plans have one automaton: no loop keeps values live across the call.
		if ws := &scans[0]; ws.find(ev, p) {
			out = w.evaluateHits(ev, ws, out)
		}
	} else {
		for i := range scans {
			if ws := &scans[i]; ws.find(ev, p) {
				out = w.evaluateHits(ev, ws, out)
			}
		}
	}
	// The lists are built in ascending order and most events match one list's rules only.
	if len(out) > 1 && !slices.IsSorted(out) {
		slices.Sort(out)
	}
	return out
}

// matchAlways evaluates the plan's always-evaluated groups.
func (w *Worker) matchAlways(ev *event.Event, p *plan, out []int) []int {
	guards := w.e.guards
	for _, group := range p.always {
		if guards.Match(group[0], ev, &w.guards) {
			//lint:ignore S1011 groups are one to three rules: appending them one by one costs less than append's copy (memmove call)
			for _, ri := range group {
				out = append(out, ri)
			}
		}
	}
	return out
}

// matchIndexes evaluates the indexed rules that name the event's values.
func (w *Worker) matchIndexes(ev *event.Event, p *plan, out []int) []int {
	if len(p.indexes) == 1 {
		// Most plans have one index: no loop keeps values live across the call.
		return w.matchIndex(ev, &p.indexes[0], out)
	}
	for i := range p.indexes {
		out = w.matchIndex(ev, &p.indexes[i], out)
	}
	return out
}

// matchIndex evaluates the rules of idx that name the event's value of its field.
func (w *Worker) matchIndex(ev *event.Event, idx *intIndex, out []int) []int {
	raw := ev.Get(idx.field)
	if len(raw) > idx.digits && raw[0] != '0' {
		return out
	}
	v, ok := event.ParseInt(raw)
	if !ok {
		return out
	}
	if rules := idx.lookup(v); len(rules) > 0 {
		// In a call of its own: most values name no rule, and the loop's calls made
		// matchIndex save its registers for every value.
		return w.evaluateIndexed(ev, rules, out)
	}
	return out
}

// evaluateIndexed evaluates the rules an index names for the event, each once.
func (w *Worker) evaluateIndexed(ev *event.Event, rules []int, out []int) []int {
	guards := w.e.guards
	for _, ri := range rules {
		// A rule indexed by both ports is found twice when both are its port.
		if w.seen[ri] == w.stamp {
			continue
		}
		w.seen[ri] = w.stamp
		if guards.Match(ri, ev, &w.guards) {
			out = append(out, ri)
		}
	}
	return out
}

// find runs the automaton over the text of ev that plan p scans, marks the literals that occur
// in ws.hits, and reports whether any did. match evaluates their rules in another call: across
// find's scans only find's few values are live, not the worker and match's result.
func (ws *workerScan) find(ev *event.Event, p *plan) bool {
	m := ws.matcher
	if m == nil {
		m = ws.scan.matcher.get()
		ws.matcher = m
	}
	hits := ws.hits // empty: evaluateHits empties it
	found := false
	if p.scanRaw {
		found = m.Scan(ev.Raw, hits)
		// A percent-encoded request hides its literals from a scan of the raw line. (Most
		// events have no URL, and skip the second Get.)
		if url := ev.Get(event.URL); len(url) > 0 && urlWasDecoded(url, ev.Get(event.URLRaw)) {
			found = m.Scan(url, hits) || found
		}
	} else {
		var url []byte
		for _, sf := range p.scanFields {
			v := ev.Get(sf.field)
			if len(v) < sf.min {
				continue
			}
			// An undecoded URL is the very bytes of URLRaw: scan them once. (url is empty or as
			// long as v, which is not empty.)
			if sf.url {
				if len(url) == len(v) && &url[0] == &v[0] {
					continue
				}
				url = v
			}
			if m.Scan(v, hits) {
				found = true
			}
		}
	}
	return found
}

// evaluateHits evaluates the rules of the literals in ws.hits, each once per event, and empties
// the hits for the next event: only an event with hits needs them emptied.
func (w *Worker) evaluateHits(ev *event.Event, ws *workerScan, out []int) []int {
	guards := w.e.guards
	sc, hits := ws.scan, ws.hits
	hits.Each(func(id int) {
		for _, ri := range sc.ruleOfLiteral[id] {
			if w.seen[ri] == w.stamp {
				continue
			}
			w.seen[ri] = w.stamp
			if sc.shared && !w.e.literalIn[ri].Has(ev.Format) {
				continue
			}
			if guards.Match(ri, ev, &w.guards) {
				out = append(out, ri)
			}
		}
	})
	hits.Reset()
	return out
}

// urlWasDecoded reports whether the decoded URL, not empty, differs from the bytes on the line,
// which the parser signals by storing it apart from the raw slice.
func urlWasDecoded(url, raw []byte) bool {
	return len(raw) == 0 || len(url) != len(raw) || &url[0] != &raw[0]
}
