package sigma

import (
	"strings"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/ascii"
)

// A pattern is a Sigma string value split into literal runs and wildcards.
type pieceKind uint8

const (
	pieceLiteral pieceKind = iota
	pieceStar              // any run of characters, possibly empty
	pieceOne               // exactly one character
)

type piece struct {
	kind pieceKind
	lit  string
}

type pattern []piece

// parseSigmaString reads Sigma's value syntax: * and ? are wildcards, \* \? and \\ stand for the
// character itself, and any other backslash is literal (so Windows-style paths need no doubling).
func parseSigmaString(s string) pattern {
	var p pattern
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p = append(p, piece{kind: pieceLiteral, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\'):
			lit.WriteByte(s[i+1])
			i++
		case c == '*':
			flush()
			if len(p) == 0 || p[len(p)-1].kind != pieceStar {
				p = append(p, piece{kind: pieceStar})
			}
		case c == '?':
			flush()
			p = append(p, piece{kind: pieceOne})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return p
}

// withStars adds a leading and/or trailing star, as contains, startswith and endswith do.
func (p pattern) withStars(leading, trailing bool) pattern {
	out := make(pattern, 0, len(p)+2)
	if leading && (len(p) == 0 || p[0].kind != pieceStar) {
		out = append(out, piece{kind: pieceStar})
	}
	out = append(out, p...)
	if trailing && (len(out) == 0 || out[len(out)-1].kind != pieceStar) {
		out = append(out, piece{kind: pieceStar})
	}
	return out
}

func (p pattern) lower() pattern {
	out := make(pattern, len(p))
	for i, pc := range p {
		out[i] = piece{kind: pc.kind, lit: ascii.ToLower(pc.lit)}
	}
	return out
}

// longestLiteral returns the longest wildcard-free run: every value the pattern matches contains it.
func (p pattern) longestLiteral() string {
	best := ""
	for _, pc := range p {
		if pc.kind == pieceLiteral && len(pc.lit) > len(best) {
			best = pc.lit
		}
	}
	return best
}

// globMatch matches v against p. A star that fails to match is retried one character further on,
// so the work is bounded by len(v) times the pattern length.
func globMatch(p pattern, v []byte, fold bool) bool {
	pi, vi := 0, 0
	starPi, starVi := -1, 0
	for {
		if pi < len(p) {
			pc := p[pi]
			switch pc.kind {
			case pieceStar:
				starPi, starVi = pi, vi
				pi++
				continue
			case pieceOne:
				if vi < len(v) {
					_, w := utf8.DecodeRune(v[vi:])
					vi += w
					pi++
					continue
				}
			case pieceLiteral:
				if hasPrefix(v[vi:], pc.lit, fold) {
					vi += len(pc.lit)
					pi++
					continue
				}
			}
		} else if vi == len(v) || starPi == len(p)-1 {
			return true // all matched, or a final star takes the rest
		}
		// Mismatch: let the last star swallow one more character and try again.
		if starPi < 0 || starVi >= len(v) {
			return false
		}
		_, w := utf8.DecodeRune(v[starVi:])
		starVi += w
		pi, vi = starPi+1, starVi
	}
}
