package ahocorasick

import "github.com/keikai-project/keikai/internal/ascii"

// Matcher reports which of a fixed set of literals occur in a text, ASCII case-insensitively.
// It is immutable after New and safe for concurrent use; each goroutine brings its own Hits.
type Matcher struct {
	patterns int
	// shortest is the length of the shortest non-empty pattern: a shorter text (a request
	// method, a port) holds none, and is answered without entering the automaton.
	shortest int
	dense    *dfa     // the fast automaton, for pattern sets whose table fits denseLimit
	compact  *compact // the linear-size one, for larger sets
	bytes    int
}

// denseLimit caps the dense transition table at 2M cells (8 MiB): every rule set keikai bundles is
// far below it, an IOC list of ten thousand domains above. Larger sets get the compact automaton,
// whose size grows with the pattern bytes only.
const denseLimit = 1 << 21

// New builds a matcher for patterns. Pattern id i is patterns[i]; duplicates keep their own ids
// and empty patterns never match.
func New(patterns []string) *Matcher {
	return newWithLimit(patterns, denseLimit)
}

// EstimateBytes returns about how much memory New(patterns) needs while building, which is at
// least what the matcher keeps; callers use it to stay within a memory budget before building.
func EstimateBytes(patterns []string) int {
	total, distinct := size(patterns)
	if cells := tableEntries(total, distinct); cells <= denseLimit {
		return 2 * 4 * cells // the build-time tree and the table, one uint32 or int32 a cell
	}
	return compactBytesPerPatternByte * total
}

// size returns the pattern bytes and the distinct folded bytes among them.
func size(patterns []string) (total, distinct int) {
	var used [256]bool
	for _, p := range patterns {
		total += len(p)
		distinct += distinctFolded(p, &used)
	}
	return total, distinct
}

// newWithLimit is New with the dense table cap as a parameter, so tests can reach the compact
// automaton with small pattern sets.
func newWithLimit(patterns []string, limit int) *Matcher {
	m := &Matcher{patterns: len(patterns), bytes: EstimateBytes(patterns)}
	var kept []string
	var ids []int
	for id, p := range patterns {
		if p != "" {
			kept = append(kept, p)
			ids = append(ids, id)
		}
	}
	if len(kept) == 0 {
		return m
	}
	m.shortest = len(kept[0])
	for _, p := range kept[1:] {
		m.shortest = min(m.shortest, len(p))
	}
	if total, distinct := size(kept); tableEntries(total, distinct) <= limit {
		m.dense = newDFA(kept, ids)
	} else {
		m.compact = newCompact(kept, ids)
	}
	return m
}

// tableEntries bounds the transition table size: one state per pattern byte plus the start
// state, one column per distinct byte plus the class of all other bytes.
func tableEntries(patternBytes, distinctBytes int) int {
	return (patternBytes + 1) * (distinctBytes + 1)
}

// distinctFolded counts the case-folded bytes of p not yet marked in used, and marks them.
func distinctFolded(p string, used *[256]bool) int {
	added := 0
	for i := 0; i < len(p); i++ {
		b := ascii.Lower(p[i])
		if !used[b] {
			used[b] = true
			added++
		}
	}
	return added
}

// Len returns the number of patterns given to New, empty ones included.
func (m *Matcher) Len() int {
	if m == nil {
		return 0
	}
	return m.patterns
}

// Scan marks in hits every pattern id that occurs in text, overlapping occurrences included, and
// reports whether any occurred. Hits are added to what hits already holds; call Reset between
// texts. A nil hits makes Scan stop at the first occurrence, for callers that only need a yes/no.
// Scan does not allocate.
func (m *Matcher) Scan(text []byte, hits *Hits) bool {
	switch {
	case m == nil || len(text) < m.shortest:
		return false
	case m.dense != nil && useFused && m.dense.fused != nil:
		return m.dense.scanFused(text, hits)
	case m.dense != nil:
		return m.dense.scanFiltered(text, hits)
	case m.compact != nil:
		return m.compact.scan(text, hits)
	}
	return false
}
