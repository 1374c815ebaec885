package sigma

import (
	"encoding/binary"
	"math/bits"

	"github.com/keikai-project/keikai/internal/ascii"
	"github.com/keikai-project/keikai/internal/event"
)

// Guards are the field tests that the detections of several rules require alike, evaluated at
// most once per event for all of them: every firewall rule drops accepted and outbound packets,
// and an event three such rules are evaluated on would otherwise have its action and direction
// compared three times. A rule's detection splits into the guards it requires (a bit set) and
// the rest; the rule matches when those guards hold and the rest does.
type Guards struct {
	tests []guardTest // at most MaxGuards
	rules []guarded
}

// MaxGuards is the most tests Guards share, one bit each of a GuardState.
const MaxGuards = 64

type guarded struct {
	formats FormatSet // empty for rules without a detection: they never match
	need    uint64    // the guards the detection requires
	rest    node      // the rest of it; nil when the guards are all of it
}

// GuardState is what one goroutine knows of the guards for the current event: Reset it for each.
type GuardState struct {
	known, holds uint64
}

// Reset forgets the previous event.
func (s *GuardState) Reset() { s.known = 0 }

// NewGuards finds the tests that the detections of two or more of rules require (tests joined
// by and at the top of a condition) and splits each detection; Match takes the index of a rule in
// rules.
func NewGuards(rules []*Rule) *Guards {
	g := &Guards{rules: make([]guarded, len(rules))}
	count := map[string]int{}
	var order []string
	first := map[string]*fieldNode{}
	for _, r := range rules {
		seen := map[string]bool{}
		for _, c := range conjuncts(r.cond) {
			k, ok := c.(*fieldNode)
			if !ok {
				continue
			}
			key, ok := testKey(k)
			if !ok || seen[key] {
				continue
			}
			seen[key] = true
			if count[key] == 0 {
				order = append(order, key)
				first[key] = k
			}
			count[key]++
		}
	}
	index := map[string]int{}
	for _, key := range order {
		if count[key] >= 2 && len(g.tests) < MaxGuards {
			index[key] = len(g.tests)
			g.tests = append(g.tests, newGuardTest(first[key]))
		}
	}
	for i, r := range rules {
		gr := &g.rules[i]
		if r.cond == nil {
			continue
		}
		gr.formats = r.formats
		var rest andNode
		for _, c := range conjuncts(r.cond) {
			if k, ok := c.(*fieldNode); ok {
				if key, ok := testKey(k); ok {
					if j, ok := index[key]; ok {
						gr.need |= 1 << j
						continue
					}
				}
			}
			rest = append(rest, c)
		}
		switch len(rest) {
		case 0:
		case 1:
			gr.rest = rest[0]
		default:
			gr.rest = rest
		}
	}
	return g
}

// conjuncts returns the nodes that n requires all of: the children of an and, else n itself.
func conjuncts(n node) []node {
	switch n := n.(type) {
	case nil:
		return nil
	case andNode:
		return n
	}
	return []node{n}
}

// Match reports what rules[i].Match(e) would, for the rules NewGuards was given.
func (g *Guards) Match(i int, e *event.Event, s *GuardState) bool {
	gr := &g.rules[i]
	if !gr.formats.Has(e.Format) {
		return false
	}
	if need := gr.need; need != 0 {
		if unknown := need &^ s.known; unknown != 0 {
			g.evaluate(unknown, e, s)
		}
		if need&^s.holds != 0 {
			return false
		}
	}
	return gr.rest == nil || gr.rest.match(e)
}

// evaluate tests the guards of set bits and records their outcomes.
func (g *Guards) evaluate(set uint64, e *event.Event, s *GuardState) {
	s.known |= set
	for ; set != 0; set &= set - 1 {
		j := bits.TrailingZeros64(set)
		if g.tests[j].eval(e) {
			s.holds |= 1 << j
		} else {
			s.holds &^= 1 << j
		}
	}
}

// testKey describes a field test completely, so that equal keys are equal tests; ok is false for
// a test with values it cannot describe, which is then not shared.
func testKey(n *fieldNode) (key string, ok bool) {
	b := []byte{byte(n.field), flag(n.raw), flag(n.all), flag(n.negate)}
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, v := range n.values {
		switch v := v.(type) {
		case *equalMatcher:
			b = append(b, 'e', flag(v.fold))
			str(v.needle)
		case *equalAnyMatcher:
			b = append(b, 'a')
			b = binary.AppendUvarint(b, uint64(len(v.needles)))
			for _, nd := range v.needles {
				str(nd)
			}
		case *containsMatcher:
			b = append(b, 'c', flag(v.fold))
			str(v.needle)
		case existsMatcher:
			b = append(b, 'x', flag(v.want))
		case nullMatcher:
			b = append(b, 'n')
		case *intSetMatcher:
			b = append(b, 'i')
			b = binary.AppendUvarint(b, uint64(len(v.values)))
			for _, i := range v.values {
				b = binary.AppendVarint(b, i)
			}
		default:
			return "", false
		}
	}
	return string(b), true
}

func flag(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// guardTest is a guard with its common forms (a field present; equal, ASCII case ignored, to
// one of a few words of up to 8 bytes) evaluated in place rather than through its matcher.
type guardTest struct {
	kind   guardKind
	negate bool
	field  event.Field
	want   bool // guardExists
	// lengths has bit n set when some word is n bytes long, bit 9 when some is longer than 8
	// (guardWords): a firewall line's direction "in" is turned down for "out" without a compare.
	lengths uint16
	words   []shortWord // guardWords: the words of up to 8 bytes
	long    []string    // and the longer ones, lower case
	node    *fieldNode
}

// longWords is the bit of lengths that stands for every length above 8.
const longWords = 1 << 9

type guardKind uint8

const (
	guardNode   guardKind = iota
	guardExists           // the field is present (want) or absent
	guardWords            // the field equals one of words
)

func newGuardTest(n *fieldNode) guardTest {
	t := guardTest{node: n, negate: n.negate, field: n.field}
	if n.raw || len(n.values) != 1 {
		return t
	}
	switch m := n.values[0].(type) {
	case existsMatcher:
		t.kind, t.want = guardExists, m.want
	case *equalMatcher:
		if w, ok := newShortWord(m.needle, m.fold); ok {
			t.kind, t.words = guardWords, []shortWord{w}
		}
	case *equalAnyMatcher:
		for _, nd := range m.needles {
			if w, ok := newShortWord(nd, true); ok {
				t.words = append(t.words, w)
			} else {
				t.long = append(t.long, nd)
			}
		}
		t.kind = guardWords
	}
	for _, w := range t.words {
		t.lengths |= 1 << w.n
	}
	if len(t.long) > 0 {
		t.lengths |= longWords
	}
	return t
}

func (t *guardTest) eval(e *event.Event) bool {
	switch t.kind {
	case guardWords:
		v := e.Get(t.field)
		if v == nil {
			return t.negate
		}
		if len(v) > 8 {
			for _, l := range t.long {
				if ascii.EqualFold(v, l) {
					return !t.negate
				}
			}
			return t.negate
		}
		if t.lengths&(1<<len(v)) == 0 {
			return t.negate // no word of this length
		}
		x := load8(v)
		for i := range t.words {
			if w := &t.words[i]; int(w.n) == len(v) && x|w.fold == w.value {
				return !t.negate
			}
		}
		return t.negate
	case guardExists:
		return (e.Get(t.field) != nil) == t.want != t.negate
	}
	return t.node.match(e)
}

// shortWord is a needle of up to 8 bytes as one integer (see load8): a value of its length
// equals it, ASCII case ignored where fold has 0x20, when the value's integer ORed with fold is
// value.
type shortWord struct {
	value, fold uint64
	n           uint8
}

// newShortWord returns the word of needle (lower case when fold is set); false when the needle is
// longer than 8 bytes.
func newShortWord(needle string, fold bool) (shortWord, bool) {
	if len(needle) > 8 {
		return shortWord{}, false
	}
	w := shortWord{value: load8([]byte(needle)), n: uint8(len(needle))}
	if fold {
		for i := 0; i < len(needle); i++ {
			// Setting 0x20 turns a byte into a lower-case letter only from that letter's two cases.
			if c := needle[i]; 'a' <= c && c <= 'z' {
				w.fold |= 0x20 << (8 * i)
			}
		}
	}
	return w, true
}

// load8 packs b (at most 8 bytes) into an integer, byte i at bits 8i, so that values of one
// length are equal when their integers are.
func load8(b []byte) uint64 {
	n := len(b)
	if n >= 4 {
		// The two loads overlap in bytes that are the same in both.
		return uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<(8*(n-4))
	}
	if n > 0 {
		return uint64(b[0]) | uint64(b[n/2])<<(8*(n/2)) | uint64(b[n-1])<<(8*(n-1))
	}
	return 0
}
