package sigma

import "github.com/keikai-project/keikai/internal/event"

// node is one element of a compiled detection: a field condition, a keyword list, or a boolean
// combination. Nodes are immutable after compilation, so a rule may be matched concurrently.
type node interface {
	match(e *event.Event) bool
	// literals: see Rule.Prefilter.
	literals() ([]string, bool)
}

// fieldNode tests one field (or the raw line, for keywords) against its values: any value
// matches, or with the all modifier every value must.
type fieldNode struct {
	field  event.Field
	raw    bool // keywords: match the whole raw line
	all    bool
	negate bool // "not" folded in by simplify: the node matches when the test fails
	values []valueMatcher
}

func (n *fieldNode) match(e *event.Event) bool {
	var v []byte
	if n.raw {
		v = e.Raw
		if v == nil {
			v = []byte{}
		}
	} else {
		v = e.Get(n.field)
	}
	if len(n.values) == 1 { // most tests: one value, or one grouped list
		return n.values[0].match(v) != n.negate
	}
	if n.all {
		for _, m := range n.values {
			if !m.match(v) {
				return n.negate
			}
		}
		return !n.negate
	}
	for _, m := range n.values {
		if m.match(v) {
			return !n.negate
		}
	}
	return n.negate
}

// literals: a value's literal is found in Raw when the field is a verbatim slice of the line, and
// in the decoded URL for URL and URLPath (URLPath is a prefix of URL).
func (n *fieldNode) literals() ([]string, bool) {
	if n.negate {
		return nil, false // as for notNode
	}
	if !n.raw && !n.field.IsVerbatim() && n.field != event.URL && n.field != event.URLPath {
		return nil, false
	}
	sets := make([][]string, 0, len(n.values))
	for _, m := range n.values {
		lits, ok := m.literals()
		if n.all {
			if ok {
				sets = append(sets, lits)
			}
			continue
		}
		if !ok {
			return nil, false
		}
		sets = append(sets, lits)
	}
	var lits []string
	var ok bool
	if n.all {
		lits, ok = bestSet(sets)
	} else {
		lits, ok = union(sets)
	}
	if !ok {
		return nil, false
	}
	return tagLiterals(lits, n.literalField()), true
}

// literalField is where a literal of n is found: the raw line for keywords (FieldNone), the
// decoded URL for URL and URLPath, else the field itself.
func (n *fieldNode) literalField() event.Field {
	switch {
	case n.raw:
		return event.FieldNone
	case n.field == event.URLPath:
		return event.URL
	}
	return n.field
}

// tagLiterals prefixes each literal with the byte of the field it must occur in. The tag lengthens
// every literal by one, so the set arithmetic (union, best set by shortest literal) is unchanged;
// Prefilter strips it again.
func tagLiterals(lits []string, f event.Field) []string {
	out := make([]string, len(lits))
	for i, l := range lits {
		out[i] = string(rune(f)) + l
	}
	return out
}

type andNode []node

func (n andNode) match(e *event.Event) bool {
	for _, c := range n {
		if !c.match(e) {
			return false
		}
	}
	return true
}

func (n andNode) literals() ([]string, bool) {
	sets := make([][]string, 0, len(n))
	for _, c := range n {
		if lits, ok := c.literals(); ok {
			sets = append(sets, lits)
		}
	}
	return bestSet(sets)
}

type orNode []node

func (n orNode) match(e *event.Event) bool {
	for _, c := range n {
		if c.match(e) {
			return true
		}
	}
	return false
}

func (n orNode) literals() ([]string, bool) {
	sets := make([][]string, 0, len(n))
	for _, c := range n {
		lits, ok := c.literals()
		if !ok {
			return nil, false
		}
		sets = append(sets, lits)
	}
	return union(sets)
}

type notNode struct{ n node }

func (n notNode) match(e *event.Event) bool { return !n.n.match(e) }

// literals: a negation requires the absence of something, which no literal can witness.
func (notNode) literals() ([]string, bool) { return nil, false }

// simplify flattens nested and and or nodes and folds "not" over a field test into the field
// node, so that matching makes fewer calls; "sel and not filter_accepted and not filter_outbound"
// becomes one and of three field tests. Nodes are copied, never changed: a selection may be named
// more than once in a condition.
func simplify(n node) node {
	switch n := n.(type) {
	case andNode:
		out := make(andNode, 0, len(n))
		for _, c := range n {
			c = simplify(c)
			if a, ok := c.(andNode); ok {
				out = append(out, a...)
			} else {
				out = append(out, c)
			}
		}
		if len(out) == 1 {
			return out[0]
		}
		return out
	case orNode:
		out := make(orNode, 0, len(n))
		for _, c := range n {
			c = simplify(c)
			if o, ok := c.(orNode); ok {
				out = append(out, o...)
			} else {
				out = append(out, c)
			}
		}
		if len(out) == 1 {
			return out[0]
		}
		return out
	case notNode:
		switch kid := simplify(n.n).(type) {
		case *fieldNode:
			negated := *kid
			negated.negate = !kid.negate
			return &negated
		case notNode:
			return kid.n
		default:
			return notNode{kid}
		}
	}
	return n
}

// union merges literal sets; an empty input yields no set.
func union(sets [][]string) ([]string, bool) {
	if len(sets) == 0 {
		return nil, false
	}
	var all []string
	for _, s := range sets {
		all = append(all, s...)
	}
	return dedupLower(all)
}

// addFields marks in read every field a detection node tests; keywords read the raw line, which is
// no field.
func addFields(n node, read *[event.NumFields]bool) {
	switch n := n.(type) {
	case *fieldNode:
		if !n.raw {
			read[n.field] = true
		}
	case andNode:
		for _, c := range n {
			addFields(c, read)
		}
	case orNode:
		for _, c := range n {
			addFields(c, read)
		}
	case notNode:
		addFields(n.n, read)
	}
}

// detectionInputs is addFields for DetectionInputs: it says false for a keyword test, which reads
// the raw line, and for a node it does not know, whose inputs it cannot vouch for.
func detectionInputs(n node, read *[event.NumFields]bool) bool {
	switch n := n.(type) {
	case *fieldNode:
		if n.raw {
			return false
		}
		read[n.field] = true
		return true
	case andNode:
		return allInputs(n, read)
	case orNode:
		return allInputs(n, read)
	case notNode:
		return detectionInputs(n.n, read)
	}
	return false
}

func allInputs(nodes []node, read *[event.NumFields]bool) bool {
	ok := true
	for _, c := range nodes {
		ok = detectionInputs(c, read) && ok
	}
	return ok
}
