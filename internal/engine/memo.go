package engine

import (
	"encoding/binary"
	"strconv"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/sigma"
)

// The match memo. A firewall line costs a thousand instructions in Match (guards, two port
// indexes, the always-evaluated groups), yet its rules read only a few fields of few distinct
// values: protocol, action, direction, a port that some rule names or not. For a format whose
// rules provably read nothing else, the matched rules are a function of those values, and a small
// per-worker cache keyed by them answers most lines.

// memoWords is the most 8-byte words a key may take: the format and the exact fields' lengths,
// up to two words per exact field, the class fields' codes and one word per class field.
const memoWords = 13

// memoMaxExact is the most fields keyed by their bytes: their lengths are bytes 1-7 of word 0.
const memoMaxExact = 7

// memoMaxValue is the longest value of an exact field that is keyed; an event with a longer one
// is matched without the memo.
const memoMaxValue = 16

// memoSlots is the size of a worker's cache (a power of two); memoRules the most rules an entry
// holds: an event matching more is not stored.
const (
	memoSlots = 512
	memoRules = 7
)

// memoPlan says how to key the events of one format.
type memoPlan struct {
	// exact are fields keyed by their bytes: low-cardinality ones (protocol, action).
	exact []event.Field
	// classes are fields that every rule only tests for presence, emptiness or a set of integers:
	// keyed by the value's class, so that every port no rule names is one key.
	classes []intClass
	// quick holds each class field and its digits (see intClass), one uint16 per class in the
	// order of classes: the key's loop reads them without striding over intClass.
	quick []uint16
}

// intClass classifies the values of one field (see sigma.Rule.IntTests).
type intClass struct {
	field event.Field
	// small marks the named values below 65536, large holds the others.
	small *[65536 / 64]uint64
	large map[int64]bool
	// digits is the length of the largest named value in decimal, 0 when none is named (a field
	// only tested for presence): a longer value without leading zeros is other without parsing.
	digits int
}

// Class values of a field: absent, present and empty, any value no rule names, and
// classNamed+n for a named n.
const (
	classAbsent = iota
	classEmpty
	classOther
	classNamed
)

func (c *intClass) class(v []byte) uint64 {
	if v == nil {
		return classAbsent
	}
	if len(v) == 0 {
		return classEmpty
	}
	if len(v) > c.digits && v[0] != '0' {
		return classOther
	}
	n, ok := event.ParseInt(v)
	if !ok {
		return classOther
	}
	if uint64(n) < 65536 {
		if c.small[n>>6]&(1<<(n&63)) == 0 {
			return classOther
		}
	} else if !c.large[n] {
		return classOther
	}
	return classNamed + uint64(n) // ParseInt's values stay below 1e18
}

// lowCardinality are the fields keyed by their bytes: their values come from small vocabularies
// (parsers normalise protocols and actions) or name services, so a few cache slots hold them all.
// Any other field that a format's rules read turns its memo off unless it is a class field.
var lowCardinality = [event.NumFields]bool{
	event.Protocol: true, event.Action: true, event.Direction: true, event.DestinationPort: true,
	event.ICMPType: true, event.ICMPCode: true, event.TCPFlags: true,
}

// buildMemo decides, for each format, whether Match may be memoized and on which fields. It
// proves from the compiled rules that nothing but those fields and the format decides a match:
// every rule that applies to the format reads only fields (no keyword search of the raw line),
// the prefilter scans no raw line, and every field read, scanned or indexed is keyed.
func (e *Engine) buildMemo() {
	for f := event.Format(0); f < event.NumFormats; f++ {
		e.plans[f].memo = e.memoFor(f)
	}
}

func (e *Engine) memoFor(f event.Format) *memoPlan {
	p := &e.plans[f]
	if p.scanRaw || f.IsHost() {
		return nil
	}
	var read [event.NumFields]bool
	var ruleSet []*sigma.Rule
	for _, r := range e.Rules {
		if !r.Formats().Has(f) {
			continue // Guards.Match turns it down on the format alone
		}
		if !r.DetectionInputs(&read) {
			return nil
		}
		ruleSet = append(ruleSet, r)
	}
	if len(ruleSet) == 0 {
		return nil // nothing to save
	}
	// Scanned fields are keyed by their bytes: literals decide there.
	scanned := [event.NumFields]bool{}
	for _, sf := range p.scanFields {
		read[sf.field], scanned[sf.field] = true, true
	}
	for _, idx := range p.indexes {
		read[idx.field] = true
	}
	mp := &memoPlan{}
	for fi, on := range read {
		if !on {
			continue
		}
		field := event.Field(fi)
		if !scanned[field] {
			if c, ok := intClassOf(ruleSet, p, field); ok {
				mp.classes = append(mp.classes, c)
				continue
			}
		}
		if !lowCardinality[field] {
			return nil
		}
		mp.exact = append(mp.exact, field)
	}
	if len(mp.exact) > memoMaxExact || 2+2*len(mp.exact)+len(mp.classes) > memoWords {
		return nil
	}
	for _, c := range mp.classes {
		mp.quick = append(mp.quick, uint16(c.field)|uint16(c.digits)<<8)
	}
	return mp
}

// intClassOf returns the classes of field when every rule's tests of it allow them. The values
// the plan's indexes hold for the field are named too, so that every value of the class other
// finds no indexed rule.
func intClassOf(rules []*sigma.Rule, p *plan, field event.Field) (intClass, bool) {
	var named []int64
	for _, r := range rules {
		var ok bool
		if named, ok = r.IntTests(field, named); !ok {
			return intClass{}, false
		}
	}
	for i := range p.indexes {
		if idx := &p.indexes[i]; idx.field == field {
			for v := range idx.rules {
				named = append(named, v)
			}
		}
	}
	c := intClass{field: field, small: new([65536 / 64]uint64), large: map[int64]bool{}}
	for _, n := range named {
		if n >= 0 && n < 65536 {
			c.small[n>>6] |= 1 << (n & 63)
		} else {
			c.large[n] = true
		}
		c.digits = max(c.digits, len(strconv.FormatInt(n, 10)))
	}
	return c, true
}

// memoKey is an event's key: the first n words of w.
type memoKey struct {
	w [memoWords]uint64
	n int
}

// key builds ev's key into k and returns its hash; false when a value is too long to key.
// memoFor bounds the words a plan's key takes by memoWords, so no value runs out of room. The
// presence mask and the value table are read once: a Get per field cost a mask test, a bounds
// check and spills.
func (mp *memoPlan) key(ev *event.Event, k *memoKey) (uint64, bool) {
	present, vals := ev.Values()
	w0 := uint64(ev.Format)
	n := 1
	h := uint64(0)
	w := &k.w
	for i, f := range mp.exact {
		if present&(1<<f) == 0 {
			continue // length byte 0
		}
		v := vals[f]
		if len(v) > memoMaxValue || n >= memoWords-1 {
			return 0, false
		}
		// The lengths in word 0 fix which words follow, so keys of different layouts differ.
		w0 |= uint64(len(v)+1) << ((8 * (i + 1)) & 63) // i < memoMaxExact: the mask only spares a check
		x := loadWord(v)
		w[n] = x
		h = (h ^ x) * hashMul
		n++
		if len(v) > 8 {
			// The last 8 bytes, overlapping the first: with the length they fix the rest.
			x = binary.LittleEndian.Uint64(v[len(v)-8:])
			w[n] = x
			h = (h ^ x) * hashMul
			n++
		}
	}
	// The classes' codes share one word, two bits each; only a named value takes a word of its
	// own. Most lines name no value, so their keys are short to build and to compare.
	if len(mp.classes) == 0 {
		w[0] = w0
		k.n = n
		return (h ^ w0) * hashMul, true
	}
	if n >= memoWords {
		return 0, false
	}
	cw := n
	n++
	var codes uint64
	for i, q := range mp.quick {
		// The common classes without a call: an absent ICMP type, an address only tested for
		// presence, an ephemeral port longer than every named one.
		field, digits := q&63, int(q>>8)
		var x uint64
		if present&(1<<field) == 0 {
			x = classAbsent
		} else if v := vals[field]; len(v) > digits && v[0] != '0' {
			x = classOther
		} else if x = mp.classes[i].class(v); x >= classNamed {
			if n >= memoWords {
				return 0, false
			}
			w[n] = x
			h = (h ^ x) * hashMul
			n++
			x = classNamed
		}
		codes = codes<<2 | x // a constant shift; classes fit 32 codes
	}
	w[cw] = codes
	h = (h ^ codes) * hashMul
	w[0] = w0
	k.n = n
	return (h ^ w0) * hashMul, true
}

const hashMul = 0x9e3779b97f4a7c15

// loadWord packs the first 8 bytes of b (all of a shorter b) into an integer: values of one
// length up to 8 are equal when their words are.
func loadWord(b []byte) uint64 {
	n := len(b)
	if n >= 8 {
		return binary.LittleEndian.Uint64(b)
	}
	if n >= 4 {
		// The two loads overlap in bytes that are the same in both.
		return uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<(8*(n-4))
	}
	if n > 0 {
		return uint64(b[0]) | uint64(b[n/2])<<(8*(n/2)) | uint64(b[n-1])<<(8*(n-1))
	}
	return 0
}

// memoEntry is one cached answer: the key and the rules matched, ascending.
type memoEntry struct {
	key   [memoWords]uint64
	n     uint8 // words of key; 0 marks an empty slot
	count uint8
	rules [memoRules]int32
}

// memoLookup returns the entry holding k, or false and the entry to store k's answer in. The
// cache has two ways: a new answer goes first and the one it displaces second, so that two
// frequent keys of one set do not evict each other on every line.
func (w *Worker) memoLookup(k *memoKey, hash uint64) (*memoEntry, bool) {
	set := (hash >> (64 - memoBits)) &^ 1
	first := &w.memo[set]
	if first.holds(k) {
		return first, true
	}
	second := &w.memo[set+1]
	if second.holds(k) {
		return second, true
	}
	if first.n != 0 {
		*second = *first
	}
	return first, false
}

func (s *memoEntry) holds(k *memoKey) bool {
	if int(s.n) != k.n {
		return false
	}
	for i, x := range k.w[:k.n] {
		if s.key[i] != x {
			return false
		}
	}
	return true
}

// memoBits is log2(memoSlots).
const memoBits = 9

var _ [memoSlots - 1<<memoBits]struct{}
var _ [1<<memoBits - memoSlots]struct{}

// store records rules as the answer for k; an answer with too many rules is not kept.
func (s *memoEntry) store(k *memoKey, rules []int) {
	s.n = 0 // empty until written whole
	if len(rules) > memoRules {
		return
	}
	for i, r := range rules {
		if r < 0 || r > 1<<31-1 {
			return
		}
		s.rules[i] = int32(r)
	}
	copy(s.key[:], k.w[:k.n])
	s.n = uint8(k.n)
	s.count = uint8(len(rules))
}
