package sigma

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"regexp"
	"slices"
	"sync"

	"github.com/keikai-project/keikai/internal/ahocorasick"
	"github.com/keikai-project/keikai/internal/ascii"
	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/pkgversion"
)

// A valueMatcher tests one field value; v is nil when the event lacks the field. Matchers are
// built once at load time and never allocate while matching.
type valueMatcher interface {
	match(v []byte) bool
	// literals returns strings of which every matching value contains at least one, lower case.
	literals() ([]string, bool)
}

func oneLiteral(s string) ([]string, bool) {
	if s == "" {
		return nil, false
	}
	return []string{ascii.ToLower(s)}, true
}

// equalMatcher: the whole value equals the needle.
type equalMatcher struct {
	needle string
	fold   bool
}

func (m *equalMatcher) match(v []byte) bool {
	if v == nil {
		return false
	}
	if m.fold {
		return ascii.EqualFold(v, m.needle)
	}
	return string(v) == m.needle
}
func (m *equalMatcher) literals() ([]string, bool) { return oneLiteral(m.needle) }

type prefixMatcher struct {
	needle string
	fold   bool
}

func (m *prefixMatcher) match(v []byte) bool        { return v != nil && hasPrefix(v, m.needle, m.fold) }
func (m *prefixMatcher) literals() ([]string, bool) { return oneLiteral(m.needle) }

type suffixMatcher struct {
	needle string
	fold   bool
	// last8 is the needle's last eight bytes as a little-endian word when it has eight or more
	// and fold is set: most values are turned down by their own last eight, folded as one word.
	last8 uint64
}

func newSuffixMatcher(needle string, fold bool) *suffixMatcher {
	m := &suffixMatcher{needle: needle, fold: fold}
	if n := len(needle); fold && n >= 8 {
		m.last8 = binary.LittleEndian.Uint64([]byte(needle[n-8:]))
	}
	return m
}

func (m *suffixMatcher) match(v []byte) bool {
	if v == nil {
		return false
	}
	if n, k := len(v), len(m.needle); m.last8 != 0 && n >= k {
		return ascii.LowerWord(binary.LittleEndian.Uint64(v[n-8:])) == m.last8 &&
			ascii.EqualFold(v[n-k:n-8], m.needle[:k-8])
	}
	return hasSuffix(v, m.needle, m.fold)
}

func (m *suffixMatcher) literals() ([]string, bool) { return oneLiteral(m.needle) }

type containsMatcher struct {
	needle      string
	needleBytes []byte
	fold        bool
}

func (m *containsMatcher) match(v []byte) bool {
	return v != nil && index(v, m.needle, m.needleBytes, m.fold) >= 0
}
func (m *containsMatcher) literals() ([]string, bool) { return oneLiteral(m.needle) }

// containsAnyMatcher is a list of case-insensitive contains values of one field (login failure
// phrases, worm request paths) as one automaton: a value matches when it contains any of them,
// found in one pass over it instead of one search per phrase. The automaton is built when the
// rule is first evaluated: most rules of a large set never are on a given log.
type containsAnyMatcher struct {
	needles []string // lower case, as the contains matchers it replaces had them
	once    sync.Once
	m       *ahocorasick.Matcher
}

func (m *containsAnyMatcher) match(v []byte) bool {
	if v == nil {
		return false
	}
	m.once.Do(func() { m.m = ahocorasick.New(m.needles) })
	return m.m.Scan(v, nil)
}

func (m *containsAnyMatcher) literals() ([]string, bool) {
	return slices.Clone(m.needles), true
}

// Lists of contains values from minGroupedContains to maxGroupedContains long become one
// containsAnyMatcher. Shorter ones are searched as fast one by one; longer ones (IOC lists of
// thousands) the engine's prefilter holds already, and a second automaton would double their
// memory.
const (
	minGroupedContains = 4
	maxGroupedContains = 64
)

// groupValues replaces the values of n by one matcher where that is cheaper: a list of
// case-insensitive contains values by one containsAnyMatcher, a list of case-insensitive
// equality values (actions, protocols) by one equalAnyMatcher. Any one of them must match.
func groupValues(n *fieldNode) {
	if n.all || len(n.values) < 2 {
		return
	}
	if grouped := groupEquals(n.values); grouped != nil {
		n.values = []valueMatcher{grouped}
		return
	}
	if len(n.values) < minGroupedContains || len(n.values) > maxGroupedContains {
		return
	}
	needles := make([]string, 0, len(n.values))
	for _, v := range n.values {
		c, ok := v.(*containsMatcher)
		if !ok || !c.fold || c.needle == "" {
			return
		}
		needles = append(needles, c.needle)
	}
	n.values = []valueMatcher{&containsAnyMatcher{needles: needles}}
}

func groupEquals(values []valueMatcher) *equalAnyMatcher {
	g := &equalAnyMatcher{}
	for _, v := range values {
		e, ok := v.(*equalMatcher)
		if !ok || !e.fold {
			return nil
		}
		g.needles = append(g.needles, e.needle)
		g.lengths |= 1 << min(len(e.needle), 63)
	}
	return g
}

// equalAnyMatcher is a list of case-insensitive equality values of one field in one matcher:
// a firewall line tests its action against "accept, allow, pass, permitted" in every rule that
// filters accepted packets out, and the lengths turn most comparisons down without a call.
type equalAnyMatcher struct {
	needles []string // lower case
	// lengths has bit n set when a needle is n bytes long, bit 63 for every length from 63 on:
	// a value of no needle's length is turned down without a comparison.
	lengths uint64
}

func (m *equalAnyMatcher) match(v []byte) bool {
	if v == nil || m.lengths&(1<<min(len(v), 63)) == 0 {
		return false
	}
	for _, n := range m.needles {
		if len(n) == len(v) && ascii.EqualFold(v, n) {
			return true
		}
	}
	return false
}

func (m *equalAnyMatcher) literals() ([]string, bool) {
	out := make([]string, 0, len(m.needles))
	for _, n := range m.needles {
		lits, ok := oneLiteral(n)
		if !ok {
			return nil, false
		}
		out = append(out, lits...)
	}
	return out, true
}

// globMatcher handles patterns with wildcards inside.
type globMatcher struct {
	pat  pattern
	fold bool
}

func (m *globMatcher) match(v []byte) bool        { return v != nil && globMatch(m.pat, v, m.fold) }
func (m *globMatcher) literals() ([]string, bool) { return oneLiteral(m.pat.longestLiteral()) }

// newPatternMatcher picks the cheapest matcher for a pattern: plain equality, prefix, suffix or
// substring when the wildcards allow it, a general glob otherwise.
func newPatternMatcher(p pattern, fold bool) valueMatcher {
	if fold {
		p = p.lower()
	}
	isStar := func(i int) bool { return p[i].kind == pieceStar }
	switch {
	case len(p) == 0:
		return &equalMatcher{needle: "", fold: fold}
	case len(p) == 1 && p[0].kind == pieceLiteral:
		return &equalMatcher{needle: p[0].lit, fold: fold}
	case len(p) == 1 && isStar(0):
		return &globMatcher{pat: p, fold: fold} // "*": any present value
	case len(p) == 2 && p[0].kind == pieceLiteral && isStar(1):
		return &prefixMatcher{needle: p[0].lit, fold: fold}
	case len(p) == 2 && isStar(0) && p[1].kind == pieceLiteral:
		return newSuffixMatcher(p[1].lit, fold)
	case len(p) == 3 && isStar(0) && p[1].kind == pieceLiteral && isStar(2):
		return &containsMatcher{needle: p[1].lit, needleBytes: []byte(p[1].lit), fold: fold}
	}
	return &globMatcher{pat: p, fold: fold}
}

// regexpMatcher runs a Go regular expression over the value.
type regexpMatcher struct {
	re   *regexp.Regexp
	lits []string
	ok   bool
}

func (m *regexpMatcher) match(v []byte) bool        { return v != nil && m.re.Match(v) }
func (m *regexpMatcher) literals() ([]string, bool) { return m.lits, m.ok }

// intSetMatcher compares a numeric field's value with a list of integers in constant time: ports
// and status codes go into a bitset, anything larger into a map.
type intSetMatcher struct {
	small  *[65536 / 64]uint64
	large  map[int64]struct{}
	values []int64
}

func newIntSetMatcher(values []int64) *intSetMatcher {
	m := &intSetMatcher{values: values}
	for _, n := range values {
		if n >= 0 && n < 65536 {
			if m.small == nil {
				m.small = new([65536 / 64]uint64)
			}
			m.small[n>>6] |= 1 << (n & 63)
			continue
		}
		if m.large == nil {
			m.large = map[int64]struct{}{}
		}
		m.large[n] = struct{}{}
	}
	return m
}

func (m *intSetMatcher) match(v []byte) bool {
	n, ok := event.ParseInt(v)
	if !ok {
		return false
	}
	if n < 65536 {
		return m.small != nil && m.small[n>>6]&(1<<(n&63)) != 0
	}
	_, found := m.large[n]
	return found
}
func (m *intSetMatcher) literals() ([]string, bool) { return nil, false }

// nullMatcher: Sigma's null matches a missing or empty field.
type nullMatcher struct{}

func (nullMatcher) match(v []byte) bool        { return len(v) == 0 }
func (nullMatcher) literals() ([]string, bool) { return nil, false }

// existsMatcher implements the exists modifier.
type existsMatcher struct{ want bool }

func (m existsMatcher) match(v []byte) bool      { return (v != nil) == m.want }
func (existsMatcher) literals() ([]string, bool) { return nil, false }

// cidrMatcher tests an address field against a network.
type cidrMatcher struct{ prefix netip.Prefix }

func (m *cidrMatcher) match(v []byte) bool {
	addr, ok := parseAddr(v)
	return ok && m.prefix.Contains(addr.Unmap())
}
func (*cidrMatcher) literals() ([]string, bool) { return nil, false }

// parseAddr parses dotted IPv4 without allocating; IPv6 goes through netip.
func parseAddr(v []byte) (netip.Addr, bool) {
	if bytes.IndexByte(v, ':') >= 0 {
		a, err := netip.ParseAddr(string(v))
		return a, err == nil
	}
	var ip [4]byte
	part, digits := 0, 0
	n := 0
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int(c-'0')
			digits++
			if n > 255 || digits > 3 {
				return netip.Addr{}, false
			}
		case c == '.' && digits > 0 && part < 3:
			ip[part] = byte(n)
			part++
			n, digits = 0, 0
		default:
			return netip.Addr{}, false
		}
	}
	if part != 3 || digits == 0 {
		return netip.Addr{}, false
	}
	ip[3] = byte(n)
	return netip.AddrFrom4(ip), true
}

// compareOp is one of the gt, gte, lt, lte modifiers.
type compareOp uint8

const (
	opGT compareOp = iota
	opGTE
	opLT
	opLTE
)

func (op compareOp) holds(c int) bool {
	switch op {
	case opGT:
		return c > 0
	case opGTE:
		return c >= 0
	case opLT:
		return c < 0
	}
	return c <= 0
}

// intCompareMatcher compares a numeric field with a bound.
type intCompareMatcher struct {
	op    compareOp
	bound int64
}

func (m *intCompareMatcher) match(v []byte) bool {
	n, ok := event.ParseInt(v)
	if !ok {
		return false
	}
	c := 0
	if n < m.bound {
		c = -1
	} else if n > m.bound {
		c = 1
	}
	return m.op.holds(c)
}
func (*intCompareMatcher) literals() ([]string, bool) { return nil, false }

// versionCompareMatcher compares a package version with a bound in package-version order.
type versionCompareMatcher struct {
	op    compareOp
	bound string
}

func (m *versionCompareMatcher) match(v []byte) bool {
	return len(v) > 0 && m.op.holds(pkgversion.CompareBytes(v, m.bound))
}
func (*versionCompareMatcher) literals() ([]string, bool) { return nil, false }
