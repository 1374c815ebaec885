package sigma

import (
	"regexp/syntax"
	"unicode"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/ascii"
)

// requiredLiterals derives from a regular expression a set of strings of which every match
// contains at least one, for the prefilter. It works on the parsed expression: a concatenation
// needs each of its parts, so the best part's set serves; an alternation needs one branch, so it
// yields the union of its branches' sets, or nothing when any branch has none.
func requiredLiterals(expr string) ([]string, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false
	}
	lits, ok := reLits(re.Simplify(), 0)
	if !ok {
		return nil, false
	}
	return dedupLower(lits)
}

func reLits(re *syntax.Regexp, depth int) ([]string, bool) {
	if depth > 100 {
		return nil, false
	}
	switch re.Op {
	case syntax.OpLiteral:
		return best(literalRuns(re))
	case syntax.OpCapture:
		return reLits(re.Sub[0], depth+1)
	case syntax.OpPlus:
		return reLits(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return reLits(re.Sub[0], depth+1)
		}
	case syntax.OpConcat:
		// Adjacent literals join into one longer required run.
		var candidates [][]string
		var run []rune
		runFold := false
		flush := func() {
			if len(run) > 0 {
				for _, s := range literalRuns(&syntax.Regexp{Op: syntax.OpLiteral, Rune: run, Flags: foldFlag(runFold)}) {
					candidates = append(candidates, []string{s})
				}
				run = nil
			}
		}
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral {
				fold := sub.Flags&syntax.FoldCase != 0
				if len(run) > 0 && fold != runFold {
					flush()
				}
				runFold = fold
				run = append(run, sub.Rune...)
				continue
			}
			flush()
			if lits, ok := reLits(sub, depth+1); ok {
				candidates = append(candidates, lits)
			}
		}
		flush()
		return bestSet(candidates)
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			lits, ok := reLits(sub, depth+1)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
		}
		return all, len(all) > 0
	}
	return nil, false
}

func foldFlag(fold bool) syntax.Flags {
	if fold {
		return syntax.FoldCase
	}
	return 0
}

// literalRuns splits a literal where the prefilter's ASCII case folding could disagree with the
// regexp: under (?i) a letter whose Unicode fold orbit leaves ASCII (k and the Kelvin sign, s and
// the long s) or a non-ASCII letter may match bytes the literal does not contain; and U+FFFD also
// matches an invalid byte. The runs between such characters are safe.
func literalRuns(re *syntax.Regexp) []string {
	fold := re.Flags&syntax.FoldCase != 0
	var runs []string
	var cur []byte
	for _, r := range re.Rune {
		if r == utf8.RuneError || fold && !asciiFoldOnly(r) {
			if len(cur) > 0 {
				runs = append(runs, string(cur))
				cur = nil
			}
			continue
		}
		cur = utf8.AppendRune(cur, r)
	}
	if len(cur) > 0 {
		runs = append(runs, string(cur))
	}
	return runs
}

// asciiFoldOnly reports whether every rune that r case-folds to is r itself or, for ASCII, its
// ASCII other case.
func asciiFoldOnly(r rune) bool {
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if r >= utf8.RuneSelf || f >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func best(runs []string) ([]string, bool) {
	sets := make([][]string, len(runs))
	for i, r := range runs {
		sets[i] = []string{r}
	}
	return bestSet(sets)
}

// bestSet picks, among alternative literal sets that are each sufficient, the one whose shortest
// literal is longest: a long literal rarely occurs by chance, so it filters best.
func bestSet(sets [][]string) ([]string, bool) {
	var chosen []string
	bestMin := 0
	for _, s := range sets {
		if len(s) == 0 {
			continue
		}
		m := minLen(s)
		if m > bestMin || m == bestMin && chosen != nil && len(s) < len(chosen) {
			chosen, bestMin = s, m
		}
	}
	return chosen, chosen != nil
}

func minLen(s []string) int {
	m := -1
	for _, x := range s {
		if m < 0 || len(x) < m {
			m = len(x)
		}
	}
	return m
}

// dedupLower lower-cases and removes duplicates; an empty literal makes the set useless.
func dedupLower(lits []string) ([]string, bool) {
	seen := make(map[string]bool, len(lits))
	out := make([]string, 0, len(lits))
	for _, l := range lits {
		if l == "" {
			return nil, false
		}
		l = ascii.ToLower(l)
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out, len(out) > 0
}
