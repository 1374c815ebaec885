package sigma

import (
	"fmt"
	"strings"
)

// condExpr is the parsed form of a detection condition, before selection names are resolved.
type condExpr struct {
	op   condOp
	name string // selection name, or name pattern for the quantifiers ("them" for all selections)
	kids []*condExpr
	pos  int // byte offset in the condition text, for error messages
}

type condOp uint8

const (
	condName condOp = iota
	condAnd
	condOr
	condNot
	condOneOf
	condAllOf
)

// condError is a syntax error at a byte offset of the condition text.
type condError struct {
	pos int
	msg string
}

func (e *condError) Error() string { return e.msg }

type condToken struct {
	text string
	pos  int
}

// maxConditionDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxConditionDepth = 64

// parseCondition parses Sigma's condition grammar: selection names, and, or, not, parentheses,
// "1 of X", "any of X", "all of X" with X a name, a name pattern with *, or "them". Keywords are
// case-insensitive. Precedence: not binds tighter than and, and tighter than or.
func parseCondition(s string) (*condExpr, error) {
	toks, err := tokenizeCondition(s)
	if err != nil {
		return nil, err
	}
	p := &condParser{toks: toks, end: len(s)}
	if len(toks) == 0 {
		return nil, &condError{0, "condition is empty"}
	}
	e, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		t := p.toks[p.i]
		return nil, &condError{t.pos, fmt.Sprintf("unexpected %q; expected and, or, or the end of the condition", t.text)}
	}
	return e, nil
}

func tokenizeCondition(s string) ([]condToken, error) {
	var toks []condToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, condToken{s[i : i+1], i})
			i++
		case c == '|':
			return nil, &condError{i, "aggregations in conditions (\"| count() by ...\", \"| near ...\") are not supported; write a correlation rule (correlation: type: event_count or value_count) that references this rule instead"}
		case isNameByte(c):
			j := i
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			toks = append(toks, condToken{s[i:j], i})
			i = j
		default:
			return nil, &condError{i, fmt.Sprintf("unexpected character %q in condition", c)}
		}
	}
	return toks, nil
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == '*' || c >= 0x80
}

type condParser struct {
	toks []condToken
	i    int
	end  int
}

func (p *condParser) peekKeyword(kw string) bool {
	return p.i < len(p.toks) && strings.EqualFold(p.toks[p.i].text, kw)
}

func (p *condParser) pos() int {
	if p.i < len(p.toks) {
		return p.toks[p.i].pos
	}
	return p.end
}

func (p *condParser) parseOr(depth int) (*condExpr, error) {
	left, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	if !p.peekKeyword("or") {
		return left, nil
	}
	e := &condExpr{op: condOr, kids: []*condExpr{left}, pos: left.pos}
	for p.peekKeyword("or") {
		p.i++
		right, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		e.kids = append(e.kids, right)
	}
	return e, nil
}

func (p *condParser) parseAnd(depth int) (*condExpr, error) {
	left, err := p.parseNot(depth)
	if err != nil {
		return nil, err
	}
	if !p.peekKeyword("and") {
		return left, nil
	}
	e := &condExpr{op: condAnd, kids: []*condExpr{left}, pos: left.pos}
	for p.peekKeyword("and") {
		p.i++
		right, err := p.parseNot(depth)
		if err != nil {
			return nil, err
		}
		e.kids = append(e.kids, right)
	}
	return e, nil
}

func (p *condParser) parseNot(depth int) (*condExpr, error) {
	if depth > maxConditionDepth {
		return nil, &condError{p.pos(), "condition is nested too deeply"}
	}
	if p.peekKeyword("not") {
		pos := p.pos()
		p.i++
		kid, err := p.parseNot(depth + 1)
		if err != nil {
			return nil, err
		}
		return &condExpr{op: condNot, kids: []*condExpr{kid}, pos: pos}, nil
	}
	return p.parsePrimary(depth)
}

func (p *condParser) parsePrimary(depth int) (*condExpr, error) {
	if p.i >= len(p.toks) {
		return nil, &condError{p.end, "condition ends too early; expected a selection name"}
	}
	t := p.toks[p.i]
	switch {
	case t.text == "(":
		p.i++
		e, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.toks) || p.toks[p.i].text != ")" {
			return nil, &condError{t.pos, "unbalanced parenthesis: no ) for this ("}
		}
		p.i++
		return e, nil
	case t.text == ")":
		return nil, &condError{t.pos, "unexpected ); expected a selection name"}
	case t.text == "1" || strings.EqualFold(t.text, "any") || strings.EqualFold(t.text, "all"):
		if p.i+1 < len(p.toks) && strings.EqualFold(p.toks[p.i+1].text, "of") {
			op := condOneOf
			if strings.EqualFold(t.text, "all") {
				op = condAllOf
			}
			if p.i+2 >= len(p.toks) || p.toks[p.i+2].text == "(" || p.toks[p.i+2].text == ")" {
				return nil, &condError{t.pos, fmt.Sprintf("%q must be followed by a selection name, a pattern such as selection_*, or them", t.text+" of")}
			}
			target := p.toks[p.i+2].text
			p.i += 3
			if strings.EqualFold(target, "them") {
				target = "them"
			}
			return &condExpr{op: op, name: target, pos: t.pos}, nil
		}
	}
	switch strings.ToLower(t.text) {
	case "and", "or", "not", "of", "them":
		return nil, &condError{t.pos, fmt.Sprintf("unexpected %q; expected a selection name", t.text)}
	}
	if strings.Contains(t.text, "*") {
		return nil, &condError{t.pos, fmt.Sprintf("pattern %q can only follow \"1 of\" or \"all of\"", t.text)}
	}
	p.i++
	return &condExpr{op: condName, name: t.text, pos: t.pos}, nil
}
