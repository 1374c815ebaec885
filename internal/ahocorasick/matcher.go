package ahocorasick

import "github.com/keikai-project/keikai/internal/ascii"

// Matcher reports which of a fixed set of literals occur in a text, ASCII case-insensitively.
// It is immutable after New and safe for concurrent use; each goroutine brings its own Hits.
type Matcher struct {
	patterns int
	dfas     []*dfa    // usually exactly one; more only for enormous pattern sets
	huge     []literal // patterns too large for any table, searched directly
}

type literal struct {
	id      int
	pattern string // lower case
}

// maxTableEntries caps one transition table (1 GiB of uint32) so that premultiplied state offsets
// always fit in 32 bits. Pattern sets beyond it are split over several automata.
const maxTableEntries = 1 << 28

// New builds a matcher for patterns. Pattern id i is patterns[i]; duplicates keep their own ids
// and empty patterns never match.
func New(patterns []string) *Matcher {
	return newWithLimit(patterns, maxTableEntries)
}

// newWithLimit is New with the table cap as a parameter, so tests can reach the splitting and
// the direct-search paths without gigabytes of patterns.
func newWithLimit(patterns []string, limit int) *Matcher {
	m := &Matcher{patterns: len(patterns)}
	var group []string
	var groupIDs []int
	var groupBytes int
	var groupUsed [256]bool
	groupDistinct := 0
	flush := func() {
		if len(group) > 0 {
			m.dfas = append(m.dfas, newDFA(group, groupIDs))
		}
		group, groupIDs, groupBytes, groupUsed, groupDistinct = nil, nil, 0, [256]bool{}, 0
	}
	for id, p := range patterns {
		if p == "" {
			continue
		}
		if tableEntries(len(p), distinctFolded(p, &[256]bool{})) > limit {
			m.huge = append(m.huge, literal{id: id, pattern: ascii.ToLower(p)})
			continue
		}
		used := groupUsed
		distinct := groupDistinct + distinctFolded(p, &used)
		if tableEntries(groupBytes+len(p), distinct) > limit {
			flush()
			used = groupUsed
			distinct = distinctFolded(p, &used)
		}
		group = append(group, p)
		groupIDs = append(groupIDs, id)
		groupBytes += len(p)
		groupUsed, groupDistinct = used, distinct
	}
	flush()
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
	if m == nil {
		return false
	}
	found := false
	for _, d := range m.dfas {
		if d.scan(text, hits) {
			found = true
			if hits == nil {
				return true
			}
		}
	}
	for _, l := range m.huge {
		if ascii.IndexFold(text, l.pattern) >= 0 {
			found = true
			if hits == nil {
				return true
			}
			hits.set(l.id)
		}
	}
	return found
}
