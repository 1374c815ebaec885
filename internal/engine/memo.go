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

// memoWords is the most 8-byte words a key may take: the codes, up to two words per exact field
// whose value is not a word (see event.Word) and one word per class field.
const memoWords = 13

// memoCodeWords is the most words the codes take: the format's byte, two bits per class field
// and 16 bits per exact field, no code split across words.
const memoCodeWords = 2

// memoMaxValue is the longest value of an exact field that is keyed by its bytes; an event with a
// longer one that is not a word is matched without the memo.
const memoMaxValue = 16

// memoSlots is the size of a worker's cache (a power of two); memoRules the most rules an entry
// holds: an event matching more is not stored.
const (
	memoSlots = 512
	memoRules = 7
)

// memoPlan says how to key the events of one format.
type memoPlan struct {
	// exact are fields keyed by their values: low-cardinality ones (protocol, action).
	exact []event.Field
	// slots say where each exact field's code goes, in the order of exact.
	slots []codeSlot
	// codeWords is how many words of the key hold codes: 1 or 2.
	codeWords int
	// wordSlots are slots when codeWords is 1 and there are at most three, the rest with a zero
	// mask (see key); empty otherwise.
	wordSlots []codeSlot
	// classes are fields that every rule only tests for presence, emptiness or a set of integers:
	// keyed by the value's class, so that every port no rule names is one key.
	classes []intClass
}

// codeSlot places the 16-bit code of an exact field: bits shift to shift+15 of code word word.
// mask is the field's bit in an event's presence mask.
type codeSlot struct {
	mask        uint64
	field       event.Field
	word, shift uint8
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
	// Word 0 starts with the format and the classes' codes, 2 bits each.
	word, bit := 0, 8+2*len(mp.classes)
	if bit > 64 {
		return nil
	}
	for _, f := range mp.exact {
		if bit+16 > 64 {
			word, bit = word+1, 0
		}
		mp.slots = append(mp.slots, codeSlot{mask: 1 << f, field: f, word: uint8(word), shift: uint8(bit)})
		bit += 16
	}
	mp.codeWords = word + 1
	if mp.codeWords > memoCodeWords || mp.codeWords+2*len(mp.exact)+len(mp.classes) > memoWords {
		return nil
	}
	if mp.codeWords == 1 && len(mp.slots) <= 3 {
		mp.wordSlots = make([]codeSlot, 3)
		copy(mp.wordSlots, mp.slots)
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

// Codes of an exact field's value: 0 when absent, wordTag|event.WordCode for a word, and the
// length plus one (at most memoMaxValue+1, below wordTag) for bytes keyed in words of their own.
const wordTag = 1 << 15

// key builds ev's key into k and returns its hash; false when a value is too long to key.
// memoFor bounds the words a plan's key takes by memoWords, so no value runs out of room.
//
// The key is the code words, then the bytes of the exact values that are not words, then the
// named class values; each code says whether and how many words of its own its value takes, so
// keys of different layouts differ. Parsers set words for nearly all exact values and most lines
// name no value, so most keys are one word, built without reading a value's bytes.
func (mp *memoPlan) key(ev *event.Event, k *memoKey) (uint64, bool) {
	present, vals := ev.Values()
	if len(mp.wordSlots) != 3 {
		return mp.keyBytes(ev, k)
	}
	// The three slots unrolled: a loop kept more values live than there are registers.
	s := mp.wordSlots[:3]
	c0, ok0 := s[0].wordCode(present, vals)
	c1, ok1 := s[1].wordCode(present, vals)
	c2, ok2 := s[2].wordCode(present, vals)
	if !(ok0 && ok1 && ok2) {
		return mp.keyBytes(ev, k)
	}
	return mp.keyClasses(present, vals, uint64(ev.Format)|c0|c1|c2, k)
}

// wordCode returns the slot's code in place for an event whose value of the field is absent or a
// word, and false for any other value.
func (s *codeSlot) wordCode(present uint64, vals *[event.NumFields][]byte) (uint64, bool) {
	if present&s.mask == 0 {
		return 0, true
	}
	c, isWord := event.WordCode(vals[s.field])
	return (c | wordTag) << (s.shift & 63), isWord
}

// keyBytes is key for any event: it keys the exact values that are not words by their bytes.
func (mp *memoPlan) keyBytes(ev *event.Event, k *memoKey) (uint64, bool) {
	present, vals := ev.Values()
	w := &k.w
	codes0, codes1 := uint64(ev.Format), uint64(0)
	n := mp.codeWords
	h := uint64(0)
	for _, s := range mp.slots {
		if present&(1<<s.field) == 0 {
			continue // code 0
		}
		v := vals[s.field]
		c, isWord := event.WordCode(v)
		if isWord {
			c |= wordTag
		} else {
			if len(v) > memoMaxValue || n >= memoWords-1 {
				return 0, false
			}
			c = uint64(len(v)) + 1
			x := loadWord(v)
			w[n] = x
			n++
			if len(v) > 8 {
				// The last 8 bytes, overlapping the first: with the length they fix the rest.
				w[n] = binary.LittleEndian.Uint64(v[len(v)-8:])
				n++
			}
		}
		if s.word == 0 {
			codes0 |= c << (s.shift & 63)
		} else {
			codes1 |= c << (s.shift & 63)
		}
	}
	if mp.codeWords > 1 {
		w[1] = codes1
	}
	for _, x := range w[1:n] {
		h = (h ^ x) * hashMul
	}
	return mp.keyAllClasses(present, vals, codes0, n, h, k)
}

// keyClasses completes a key whose exact values were all words: codes are word 0 but for the
// classes' codes. It parses ports of up to 5 digits inline and leaves any other value that needs
// parsing to keyAllClasses: the loop then makes no call, which would spill its registers.
func (mp *memoPlan) keyClasses(present uint64, vals *[event.NumFields][]byte, codes uint64, k *memoKey) (uint64, bool) {
	k.w[0] = codes // out of the registers the loop needs
	n, h := 1, uint64(0)
	var classCodes uint64
	classes := mp.classes
	for i := range classes {
		c := &classes[i]
		x := uint64(classAbsent)
		if present&(1<<(c.field&63)) != 0 {
			// An address only tested for presence, an ephemeral port longer than every named
			// one: other without parsing.
			x = classOther
			if v := vals[c.field]; len(v) == 0 {
				x = classEmpty
			} else if len(v) <= c.digits || v[0] == '0' {
				if len(v) > 5 {
					return mp.keyAllClasses(present, vals, k.w[0], 1, 0, k)
				}
				// Unrolled: a loop kept more values live than there are registers. 9-d wraps
				// for a byte that is not a digit, setting the top bit of bad.
				d := uint64(v[0] - '0')
				port, bad := d, 9-d
				if len(v) > 1 {
					d = uint64(v[1] - '0')
					port, bad = port*10+d, bad|(9-d)
				}
				if len(v) > 2 {
					d = uint64(v[2] - '0')
					port, bad = port*10+d, bad|(9-d)
				}
				if len(v) > 3 {
					d = uint64(v[3] - '0')
					port, bad = port*10+d, bad|(9-d)
				}
				if len(v) > 4 {
					d = uint64(v[4] - '0')
					port, bad = port*10+d, bad|(9-d)
				}
				if bad>>63 == 0 {
					if port >= 65536 {
						return mp.keyAllClasses(present, vals, k.w[0], 1, 0, k)
					}
					if c.small[port>>6]&(1<<(port&63)) != 0 {
						if n >= memoWords {
							return 0, false
						}
						k.w[n] = classNamed + port
						h = (h ^ (classNamed + port)) * hashMul
						n++
						x = classNamed
					}
				}
			}
		}
		classCodes = classCodes<<2 | x // memoFor leaves room for them below the exact codes
	}
	codes = k.w[0] | classCodes<<8
	k.w[0] = codes
	k.n = n
	return (h ^ codes) * hashMul, true
}

// keyAllClasses is keyClasses for any values.
func (mp *memoPlan) keyAllClasses(present uint64, vals *[event.NumFields][]byte, codes uint64, n int, h uint64, k *memoKey) (uint64, bool) {
	var classCodes uint64
	for i := range mp.classes {
		c := &mp.classes[i]
		x := uint64(classAbsent)
		if present&(1<<(c.field&63)) != 0 {
			if x = c.class(vals[c.field]); x >= classNamed {
				if n >= memoWords {
					return 0, false
				}
				k.w[n] = x
				h = (h ^ x) * hashMul
				n++
				x = classNamed
			}
		}
		classCodes = classCodes<<2 | x
	}
	codes |= classCodes << 8
	k.w[0] = codes
	k.n = n
	return (h ^ codes) * hashMul, true
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
	rules [memoRules]int // rules[count:] are stale
}

// memoSet is the set of a key's hash: the first of its two ways.
func memoSet(hash uint64) uint64 { return (hash >> (64 - memoBits)) &^ 1 }

// memoLookupSecond returns the entry holding k when the first way of set does not, or false and
// the entry to store k's answer in. The cache has two ways: a new answer goes first and the one it
// displaces second, so that two frequent keys of one set do not evict each other on every line.
// Match tests the first way itself: most lines end there, without a call.
func (w *Worker) memoLookupSecond(k *memoKey, set uint64) (*memoEntry, bool) {
	first := &w.memo[set]
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
	copy(s.rules[:], rules)
	copy(s.key[:], k.w[:k.n])
	s.n = uint8(k.n)
	s.count = uint8(len(rules))
}
