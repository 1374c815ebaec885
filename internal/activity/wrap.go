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
		if !start && cols+sep+groupCols > lineColumns {
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
