package activity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// lineColumns is the widest line of the text rendering, in terminal columns. Seed 002's lines
// hold at most 35 full-width characters (70 columns), so the text fits a 72-column window with
// room to spare, and a line never ends half-way through a wide character.
const lineColumns = 70

// runeColumns is the number of terminal columns a rune takes: two for East Asian wide and
// full-width characters (kanji, kana, full-width punctuation), none for combining marks and
// format characters, one otherwise. Ambiguous-width characters count as one, as terminals outside
// CJK locales draw them; the prose of this package avoids them.
func runeColumns(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
		return 0
	}
	return 1
}

// columns is the display width of s.
func columns(s string) int {
	n := 0
	for _, r := range s {
		n += runeColumns(r)
	}
	return n
}

// noLineStart holds characters that Japanese typesetting (kinsoku shori) never puts at the start
// of a line; noLineEnd those it never leaves at the end of one.
const (
	noLineStart = "、。，．・：；？！ー）」』】〕〉》ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〜" + ",.:;?!)]}%"
	noLineEnd   = "（「『【〔〈《" + "([{"
)

// unit is a piece of prose that is never split: a run of narrow characters (an English word, a
// number, a URL, a path) or one wide character. space says a space stood before it, which is a
// place to break and is dropped when the line breaks there.
type unit struct {
	text  string
	cols  int
	space bool
	wide  bool
}

func splitUnits(s string) []unit {
	var units []unit
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == ' ' {
			space = true
			i += n
			continue
		}
		if runeColumns(r) == 2 {
			units = append(units, unit{text: s[i : i+n], cols: 2, space: space, wide: true})
			space = false
			i += n
			continue
		}
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if r == ' ' || runeColumns(r) == 2 {
				break
			}
			j += n
		}
		units = append(units, unit{text: s[i:j], cols: columns(s[i:j]), space: space})
		space = false
		i = j
	}
	return units
}

// breakable reports whether a line may end between prev and next.
func breakable(prev, next unit) bool {
	if next.space {
		return true
	}
	if !prev.wide && !next.wide {
		return false
	}
	first, _ := utf8.DecodeRuneInString(next.text)
	last, _ := utf8.DecodeLastRuneInString(prev.text)
	if strings.ContainsRune(noLineStart, first) || strings.ContainsRune(noLineEnd, last) {
		return false
	}
	// A number stays with the counter after it: "718 件" may break at the space, "2000年" not.
	return !(unicode.IsDigit(last) && !prev.wide)
}

// wrapProse breaks s into lines of at most lineColumns columns, each starting with indent, and
// later lines with hang instead: at spaces, and between wide characters where Japanese allows.
// A unit wider than a line stands alone on its line rather than being cut.
func wrapProse(s, indent, hang string) []string {
	return wrapProseWidth(s, indent, hang, lineColumns)
}

// wrapProseWidth is wrapProse with lines of at most limit columns.
func wrapProseWidth(s, indent, hang string, limit int) []string {
	units := splitUnits(s)
	var lines []string
	var line strings.Builder
	line.WriteString(indent)
	cols := columns(indent)
	start := true // nothing but the indent on the line yet
	for i := 0; i < len(units); {
		// A group is the units up to the next place a line may break; a space always is one,
		// so only the group's first unit can have a space before it.
		j := i + 1
		for j < len(units) && !breakable(units[j-1], units[j]) {
			j++
		}
		groupCols := 0
		for k := i; k < j; k++ {
			groupCols += units[k].cols
		}
		sep := 0
		if !start && units[i].space {
			sep = 1
		}
		if !start && cols+sep+groupCols > limit {
			lines = append(lines, line.String())
			line.Reset()
			line.WriteString(hang)
			cols = columns(hang)
			start = true
			sep = 0
		}
		if sep == 1 {
			line.WriteByte(' ')
		}
		for k := i; k < j; k++ {
			line.WriteString(units[k].text)
		}
		cols += sep + groupCols
		start = false
		i = j
	}
	if !start {
		lines = append(lines, line.String())
	}
	return lines
}

// wrapItems lays out list items separated by ", " in lines of at most lineColumns columns, each
// starting with indent. An item is never split, so "21(ftp): 120" stays on one line.
func wrapItems(items []string, indent string) []string {
	var lines []string
	line := indent
	cols := columns(indent)
	for i, item := range items {
		if i < len(items)-1 {
			item += ","
		}
		w := columns(item)
		switch {
		case line == indent:
			line += item
			cols += w
		case cols+1+w > lineColumns:
			lines = append(lines, line)
			line = indent + item
			cols = columns(indent) + w
		default:
			line += " " + item
			cols += 1 + w
		}
	}
	if line != indent {
		lines = append(lines, line)
	}
	return lines
}

// wrapLabel breaks a chart label into lines of at most limit columns: as prose, and a word wider
// than a line (a long CGI path, a rule identifier) after a '/', '-', '_' or '.' where it can, so
// that no label has to be cut short. Of the widths that need no more lines, the narrowest whose
// breaks fall between phrases is taken: lines are balanced, and Japanese breaks after a particle
// or a comma rather than inside a word.
func wrapLabel(s string, limit int) []string {
	best := wrapLabelAt(s, limit)
	if len(best) == 0 { // a blank label still takes its row
		return []string{""}
	}
	bestBad := badBreaks(best)
	for l := limit - 1; len(best) > 1 && l > 0; l-- {
		lines := wrapLabelAt(s, l)
		if len(lines) > len(best) {
			break
		}
		if bad := badBreaks(lines); bad <= bestBad {
			best, bestBad = lines, bad
		}
	}
	return best
}

// badBreaks counts the line breaks between two wide characters that do not end a phrase: a break
// at a space, after "、" or "。", or from hiragana (a particle, an ending) to kanji or katakana is
// a good one.
func badBreaks(lines []string) int {
	bad := 0
	for i := 1; i < len(lines); i++ {
		last, _ := utf8.DecodeLastRuneInString(lines[i-1])
		first, _ := utf8.DecodeRuneInString(lines[i])
		if runeColumns(last) < 2 || runeColumns(first) < 2 || strings.ContainsRune("、。", last) {
			continue
		}
		if !unicode.Is(unicode.Hiragana, last) || unicode.Is(unicode.Hiragana, first) {
			bad++
		}
	}
	return bad
}

func wrapLabelAt(s string, limit int) []string {
	var out []string
	for _, l := range wrapProseWidth(s, "", "", limit) {
		for columns(l) > limit {
			head, tail := splitWord(l, limit)
			out = append(out, head)
			l = tail
		}
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// splitWord cuts s after its last separator within limit columns, or at limit columns when it has
// none there.
func splitWord(s string, limit int) (string, string) {
	cols, cut, lastSep := 0, 0, 0
	for i, r := range s {
		w := runeColumns(r)
		if cols+w > limit {
			break
		}
		cols += w
		cut = i + utf8.RuneLen(r)
		if strings.ContainsRune("/-_.", r) && cut < len(s) {
			lastSep = cut
		}
	}
	if lastSep > 0 {
		cut = lastSep
	}
	if cut == 0 { // a rune wider than the limit still takes a line of its own
		_, n := utf8.DecodeRuneInString(s)
		cut = n
	}
	return s[:cut], s[cut:]
}
