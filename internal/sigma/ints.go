package sigma

import (
	"slices"

	"github.com/keikai-project/keikai/internal/event"
)

// RequiredInts returns, when ok, the set of integer values that numeric field f must have for the
// rule to match: r.Match(e) implies e.Int(f) is in values. The engine indexes rules without a
// literal prefilter (port lists, ICMP types) by such a set, so that a firewall event is only
// tested against the rules that name its port.
func (r *Rule) RequiredInts(f event.Field) (values []int64, ok bool) {
	if r.cond == nil || !f.IsNumeric() {
		return nil, false
	}
	values, ok = requiredInts(r.cond, f)
	if !ok {
		return nil, false
	}
	slices.Sort(values)
	return slices.Compact(values), true
}

func requiredInts(n node, f event.Field) ([]int64, bool) {
	switch n := n.(type) {
	case *fieldNode:
		if n.raw || n.negate || n.field != f || len(n.values) == 0 {
			return nil, false
		}
		if n.all {
			// Every matcher must hold, so any one integer set bounds the value.
			for _, m := range n.values {
				if set, ok := m.(*intSetMatcher); ok {
					return append([]int64(nil), set.values...), true
				}
			}
			return nil, false
		}
		var out []int64
		for _, m := range n.values {
			set, ok := m.(*intSetMatcher)
			if !ok {
				return nil, false
			}
			out = append(out, set.values...)
		}
		return out, true
	case andNode:
		var best []int64
		found := false
		for _, c := range n {
			if vals, ok := requiredInts(c, f); ok && (!found || len(vals) < len(best)) {
				best, found = vals, true
			}
		}
		return best, found
	case orNode:
		var out []int64
		for _, c := range n {
			vals, ok := requiredInts(c, f)
			if !ok {
				return nil, false
			}
			out = append(out, vals...)
		}
		return out, len(n) > 0
	}
	return nil, false
}

// FieldInts is a set of integer values of one numeric field.
type FieldInts struct {
	Field  event.Field
	Values []int64 // sorted, without duplicates
}

// RequiredIntsAmong is RequiredInts over several fields: when ok, r.Match(e) implies that e.Int(f)
// is among the values of one FieldInts of the result. A rule for UDP port 2002 as source or
// destination is bounded on neither port alone, but on the two together. Fields come in the
// order of fields, each at most once.
func (r *Rule) RequiredIntsAmong(fields []event.Field) ([]FieldInts, bool) {
	if r.cond == nil {
		return nil, false
	}
	for _, f := range fields {
		if !f.IsNumeric() {
			return nil, false
		}
	}
	byField, ok := requiredIntsAmong(r.cond, fields)
	if !ok {
		return nil, false
	}
	var out []FieldInts
	for i, f := range fields {
		if vals := byField[i]; vals != nil {
			slices.Sort(vals)
			out = append(out, FieldInts{Field: f, Values: slices.Compact(vals)})
		}
	}
	return out, true
}

// requiredIntsAmong returns the values per field of fields (nil for a field that is not named);
// when ok at least one is set.
func requiredIntsAmong(n node, fields []event.Field) ([][]int64, bool) {
	switch n := n.(type) {
	case *fieldNode:
		i := slices.Index(fields, n.field)
		if i < 0 {
			return nil, false
		}
		vals, ok := requiredInts(n, n.field)
		if !ok {
			return nil, false
		}
		if vals == nil {
			vals = []int64{} // set, even if empty
		}
		out := make([][]int64, len(fields))
		out[i] = vals
		return out, true
	case andNode:
		// Every child must hold: the bound of any one will do, the one with fewest values best.
		var best [][]int64
		bestCount := -1
		for _, c := range n {
			vals, ok := requiredIntsAmong(c, fields)
			if !ok {
				continue
			}
			count := 0
			for _, v := range vals {
				count += len(v)
			}
			if bestCount < 0 || count < bestCount {
				best, bestCount = vals, count
			}
		}
		return best, bestCount >= 0
	case orNode:
		if len(n) == 0 {
			return nil, false
		}
		out := make([][]int64, len(fields))
		for _, c := range n {
			vals, ok := requiredIntsAmong(c, fields)
			if !ok {
				return nil, false
			}
			for i, v := range vals {
				if v == nil {
					continue
				}
				if out[i] == nil {
					out[i] = []int64{}
				}
				out[i] = append(out[i], v...)
			}
		}
		return out, true
	}
	return nil, false
}

// IntTests reports whether every test r's detection makes of field f is one of: the field exists
// (or not), it is null, its value is in a set of integers. It appends those integers to ints. When
// ok, r.Match(e) depends on f only through the value's class: absent, empty, parsed by
// event.ParseInt to one of the integers (each its own class), or anything else. The engine keys
// its match memo on that class rather than on the value (a source port, an address only tested
// for presence).
func (r *Rule) IntTests(f event.Field, ints []int64) ([]int64, bool) {
	if r.cond == nil {
		return ints, true
	}
	return intTests(r.cond, f, ints)
}

func intTests(n node, f event.Field, ints []int64) ([]int64, bool) {
	switch n := n.(type) {
	case *fieldNode:
		if n.raw || n.field != f {
			return ints, true
		}
		for _, m := range n.values {
			switch m := m.(type) {
			case existsMatcher, nullMatcher:
			case *intSetMatcher:
				ints = append(ints, m.values...)
			default:
				return ints, false
			}
		}
		return ints, true
	case andNode:
		return intTestsAll(n, f, ints)
	case orNode:
		return intTestsAll(n, f, ints)
	case notNode:
		return intTests(n.n, f, ints)
	}
	return ints, false
}

func intTestsAll(nodes []node, f event.Field, ints []int64) ([]int64, bool) {
	for _, c := range nodes {
		var ok bool
		if ints, ok = intTests(c, f, ints); !ok {
			return ints, false
		}
	}
	return ints, true
}
