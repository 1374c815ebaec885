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
		if n.raw || n.field != f || len(n.values) == 0 {
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
