package sigma

import (
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/keikai-project/keikai/internal/event"
	"go.yaml.in/yaml/v3"
)

// compileDetection turns a detection section into a match tree. It reports problems to el and
// returns nil when there were any.
func compileDetection(det *yaml.Node, el *errorList) node {
	if det.Kind != yaml.MappingNode {
		el.at(det, "detection must be a mapping of named selections and a condition")
		return nil
	}
	before := len(el.errs)
	selections := map[string]node{}
	var names []string
	var condNode *yaml.Node
	for _, p := range pairs(det) {
		k, v := p[0], p[1]
		switch k.Value {
		case "condition":
			condNode = v
			continue
		case "timeframe":
			el.at(k, "timeframe belongs to the old aggregation syntax; write a correlation rule with a timespan instead")
			continue
		}
		if _, dup := selections[k.Value]; dup {
			el.at(k, "selection %q is defined twice", k.Value)
			continue
		}
		sel := compileSelection(k.Value, v, el)
		if sel != nil {
			selections[k.Value] = sel
		}
		names = append(names, k.Value)
	}
	if condNode == nil {
		for _, name := range names {
			if hint, ok := closest(name, []string{"condition"}); ok {
				el.at(det, "detection has no condition; is %q a misspelling (did you mean %s?)", name, hint)
				return nil
			}
		}
		el.at(det, "detection has no condition; add one, such as condition: selection")
		return nil
	}
	sort.Strings(names)
	var conds []node
	switch condNode.Kind {
	case yaml.ScalarNode:
		conds = append(conds, compileCondition(condNode, condNode.Value, names, selections, el))
	case yaml.SequenceNode:
		// A list of conditions means any of them.
		for _, item := range condNode.Content {
			item = resolve(item)
			if item == nil || item.Kind != yaml.ScalarNode {
				el.at(condNode, "condition list items must be strings")
				continue
			}
			conds = append(conds, compileCondition(item, item.Value, names, selections, el))
		}
	default:
		el.at(condNode, "condition must be a string or a list of strings")
	}
	if len(el.errs) > before || len(conds) == 0 {
		return nil
	}
	if len(conds) == 1 {
		return conds[0]
	}
	return orNode(conds)
}

func compileCondition(n *yaml.Node, text string, names []string, selections map[string]node, el *errorList) node {
	expr, err := parseCondition(text)
	if err != nil {
		ce := err.(*condError)
		line, col := conditionPosition(n, ce.pos)
		el.atPos(line, col, "condition: %s", ce.msg)
		return nil
	}
	b := condBuilder{n: n, names: names, selections: selections, el: el}
	return b.build(expr)
}

// conditionPosition maps an offset in the condition text to a file position, exactly for plain
// and quoted one-line scalars, and to the value's start otherwise.
func conditionPosition(n *yaml.Node, offset int) (int, int) {
	if strings.Contains(n.Value, "\n") {
		return n.Line, n.Column
	}
	switch n.Style {
	case 0:
		return n.Line, n.Column + offset
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		return n.Line, n.Column + 1 + offset
	}
	return n.Line, n.Column
}

type condBuilder struct {
	n          *yaml.Node
	names      []string
	selections map[string]node
	el         *errorList
}

func (b *condBuilder) errorf(pos int, format string, args ...any) {
	line, col := conditionPosition(b.n, pos)
	b.el.atPos(line, col, "condition: "+format, args...)
}

func (b *condBuilder) build(e *condExpr) node {
	switch e.op {
	case condName:
		sel, ok := b.selections[e.name]
		if !ok {
			if !slices.Contains(b.names, e.name) {
				msg := fmt.Sprintf("selection %q is not defined in detection", e.name)
				if hint, ok := closest(e.name, b.names); ok {
					msg += fmt.Sprintf(" (did you mean %s?)", hint)
				}
				b.errorf(e.pos, "%s", msg)
			}
			return nil // a broken selection was reported already
		}
		return sel
	case condNot:
		kid := b.build(e.kids[0])
		if kid == nil {
			return nil
		}
		return notNode{kid}
	case condAnd, condOr:
		kids := make([]node, 0, len(e.kids))
		for _, k := range e.kids {
			kids = append(kids, b.build(k))
		}
		for _, k := range kids {
			if k == nil {
				return nil
			}
		}
		if e.op == condAnd {
			return andNode(kids)
		}
		return orNode(kids)
	case condOneOf, condAllOf:
		var kids []node
		for _, name := range b.names {
			if e.name == "them" && strings.HasPrefix(name, "_") {
				continue // Sigma: "them" leaves out selections whose names start with _
			}
			if e.name != "them" {
				if ok, _ := path.Match(e.name, name); !ok {
					continue
				}
			}
			sel, ok := b.selections[name]
			if !ok {
				return nil
			}
			kids = append(kids, sel)
		}
		if len(kids) == 0 {
			b.errorf(e.pos, "%q matches no selection", e.name)
			return nil
		}
		if e.op == condAllOf {
			return andNode(kids)
		}
		return orNode(kids)
	}
	return nil
}

// compileSelection compiles one named selection: a mapping (all fields must match), a list of
// mappings (any mapping), or a list of plain values (keywords, any of which the raw line contains).
func compileSelection(name string, v *yaml.Node, el *errorList) node {
	switch v.Kind {
	case yaml.MappingNode:
		return compileFieldMap(v, el)
	case yaml.ScalarNode:
		if isNull(v) {
			el.at(v, "selection %q is empty", name)
			return nil
		}
		return compileKeywords(v, []*yaml.Node{v}, el)
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			el.at(v, "selection %q is an empty list", name)
			return nil
		}
		items := make([]*yaml.Node, 0, len(v.Content))
		maps := 0
		for _, it := range v.Content {
			it = resolve(it)
			if it == nil {
				continue
			}
			if it.Kind == yaml.MappingNode {
				maps++
			} else if it.Kind != yaml.ScalarNode {
				el.at(it, "selection %q: a list holds either field mappings or plain keywords", name)
				return nil
			}
			items = append(items, it)
		}
		switch maps {
		case 0:
			return compileKeywords(v, items, el)
		case len(items):
			kids := make(orNode, 0, len(items))
			for _, it := range items {
				kid := compileFieldMap(it, el)
				if kid == nil {
					return nil
				}
				kids = append(kids, kid)
			}
			return kids
		}
		el.at(v, "selection %q mixes field mappings and plain keywords; split it into two selections", name)
		return nil
	}
	el.at(v, "selection %q must be a mapping or a list", name)
	return nil
}

func compileKeywords(at *yaml.Node, items []*yaml.Node, el *errorList) node {
	n := &fieldNode{raw: true}
	for _, it := range items {
		if isNull(it) || it.Value == "" {
			el.at(it, "a keyword cannot be empty")
			continue
		}
		p := parseSigmaString(it.Value).withStars(true, true)
		n.values = append(n.values, newPatternMatcher(p, true))
	}
	if len(n.values) == 0 {
		return nil
	}
	groupValues(n)
	return n
}

func compileFieldMap(m *yaml.Node, el *errorList) node {
	ps := pairs(m)
	if len(ps) == 0 {
		el.at(m, "a selection mapping needs at least one field")
		return nil
	}
	kids := make(andNode, 0, len(ps))
	failed := false
	for _, p := range ps {
		kid := compileField(p[0], p[1], el)
		if kid == nil {
			failed = true
			continue
		}
		kids = append(kids, kid)
	}
	if failed {
		return nil
	}
	if len(kids) == 1 {
		return kids[0]
	}
	return kids
}

// modifiers are a field key's |modifier list.
type modifiers struct {
	contains, startswith, endswith bool
	all, cased, exists, cidr       bool
	re                             bool
	reFlags                        string
	cmp                            compareOp
	hasCmp                         bool
}

var supportedModifiers = []string{"contains", "startswith", "endswith", "all", "cased", "exists", "cidr",
	"re", "i", "m", "s", "gt", "gte", "lt", "lte"}

var unsupportedModifiers = []string{"windash", "base64", "base64offset", "utf16le", "utf16be", "utf16",
	"wide", "expand", "fieldref"}

func parseModifiers(k *yaml.Node, mods []string, el *errorList) (modifiers, bool) {
	var m modifiers
	ok := true
	kinds := 0 // contains/startswith/endswith/re/cidr/compare/exists exclude each other
	for _, mod := range mods {
		switch mod {
		case "contains":
			m.contains = true
			kinds++
		case "startswith":
			m.startswith = true
			kinds++
		case "endswith":
			m.endswith = true
			kinds++
		case "all":
			m.all = true
		case "cased":
			m.cased = true
		case "exists":
			m.exists = true
			kinds++
		case "cidr":
			m.cidr = true
			kinds++
		case "re":
			m.re = true
			kinds++
		case "i", "m", "s":
			if !m.re {
				el.at(k, "modifier %s only follows re (as in re|%s)", mod, mod)
				ok = false
			}
			m.reFlags += mod
		case "gt", "gte", "lt", "lte":
			m.hasCmp = true
			m.cmp = map[string]compareOp{"gt": opGT, "gte": opGTE, "lt": opLT, "lte": opLTE}[mod]
			kinds++
		default:
			if slices.Contains(unsupportedModifiers, mod) {
				el.at(k, "modifier %s is not supported by keikai", mod)
			} else if hint, found := closest(mod, supportedModifiers); found {
				el.at(k, "unknown modifier %q (did you mean %s?)", mod, hint)
			} else {
				el.at(k, "unknown modifier %q; keikai supports %s", mod, strings.Join(supportedModifiers, ", "))
			}
			ok = false
		}
	}
	if kinds > 1 {
		el.at(k, "modifiers contains, startswith, endswith, re, cidr, exists and gt/gte/lt/lte exclude each other")
		ok = false
	}
	return m, ok
}

func knownFieldNames() string {
	names := make([]string, 0, event.NumFields)
	for f := event.Field(1); f < event.NumFields; f++ {
		names = append(names, f.String())
	}
	return strings.Join(names, ", ")
}

func compileField(k, v *yaml.Node, el *errorList) node {
	parts := strings.Split(k.Value, "|")
	field, ok := event.FieldByName(parts[0])
	if !ok {
		msg := fmt.Sprintf("unknown field %q", parts[0])
		if hint, ok := closest(parts[0], strings.Split(knownFieldNames(), ", ")); ok {
			msg += fmt.Sprintf(" (did you mean %s?)", hint)
		}
		el.at(k, "%s; known fields: %s", msg, knownFieldNames())
		return nil
	}
	mods, ok := parseModifiers(k, parts[1:], el)
	if !ok {
		return nil
	}
	var values []*yaml.Node
	switch v.Kind {
	case yaml.ScalarNode:
		values = []*yaml.Node{v}
	case yaml.SequenceNode:
		for _, it := range v.Content {
			it = resolve(it)
			if it == nil || it.Kind != yaml.ScalarNode {
				el.at(v, "field %s: list items must be plain values", parts[0])
				return nil
			}
			values = append(values, it)
		}
		if len(values) == 0 {
			el.at(v, "field %s: the value list is empty", parts[0])
			return nil
		}
	default:
		el.at(v, "field %s: value must be a plain value or a list of them", parts[0])
		return nil
	}
	n := &fieldNode{field: field, all: mods.all}
	var ints []int64
	failed := false
	for _, val := range values {
		// Plain integers on numeric fields go into one constant-time set.
		if field.IsNumeric() && !mods.all && isPlain(mods) && val.ShortTag() == "!!int" {
			if i, ok := parseYAMLInt(val.Value); ok {
				ints = append(ints, i)
				continue
			}
		}
		m := compileValue(field, mods, val, el)
		if m == nil {
			failed = true
			continue
		}
		n.values = append(n.values, m)
	}
	if failed {
		return nil
	}
	if len(ints) > 0 {
		n.values = append([]valueMatcher{newIntSetMatcher(ints)}, n.values...)
	}
	groupValues(n)
	return n
}

func isPlain(m modifiers) bool {
	return !m.contains && !m.startswith && !m.endswith && !m.re && !m.cidr && !m.hasCmp && !m.exists
}

func parseYAMLInt(s string) (int64, bool) {
	s = strings.TrimPrefix(s, "+")
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return i, true
	}
	return 0, false
}

func compileValue(field event.Field, m modifiers, v *yaml.Node, el *errorList) valueMatcher {
	tag := v.ShortTag()
	switch {
	case m.exists:
		if tag != "!!bool" {
			el.at(v, "exists takes true or false")
			return nil
		}
		return existsMatcher{want: strings.EqualFold(v.Value, "true")}
	case tag == "!!null":
		if !isPlain(m) {
			el.at(v, "null (field missing or empty) cannot be combined with modifiers")
			return nil
		}
		return nullMatcher{}
	case m.cidr:
		prefix, err := netip.ParsePrefix(v.Value)
		if err != nil {
			addr, aerr := netip.ParseAddr(v.Value)
			if aerr != nil {
				el.at(v, "cidr: %q is not a network such as 192.0.2.0/24 or 2001:db8::/32", v.Value)
				return nil
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		return &cidrMatcher{prefix: netip.PrefixFrom(prefix.Addr().Unmap(), bitsUnmapped(prefix)).Masked()}
	case m.hasCmp:
		switch {
		case field.IsNumeric():
			i, ok := parseYAMLInt(v.Value)
			if !ok {
				el.at(v, "%s compares integers; %q is not one", field, v.Value)
				return nil
			}
			return &intCompareMatcher{op: m.cmp, bound: i}
		case field.IsVersion():
			if v.Value == "" {
				el.at(v, "a version to compare with is missing")
				return nil
			}
			return &versionCompareMatcher{op: m.cmp, bound: v.Value}
		}
		el.at(v, "gt, gte, lt and lte need a numeric field or PackageVersion; %s is neither", field)
		return nil
	case m.re:
		expr := v.Value
		if m.reFlags != "" {
			expr = "(?" + m.reFlags + ")" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			el.at(v, "re: %v", err)
			return nil
		}
		lits, ok := requiredLiterals(expr)
		return &regexpMatcher{re: re, lits: lits, ok: ok}
	}
	p := parseSigmaString(v.Value).withStars(m.contains || m.endswith, m.contains || m.startswith)
	return newPatternMatcher(p, !m.cased)
}

// bitsUnmapped keeps a ::ffff:a.b.c.d/n prefix meaningful after the address is unmapped.
func bitsUnmapped(p netip.Prefix) int {
	if p.Addr().Is4In6() {
		if b := p.Bits() - 96; b >= 0 {
			return b
		}
		return 0
	}
	return p.Bits()
}
