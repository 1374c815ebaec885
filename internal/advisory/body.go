package advisory

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Body is an advisory's prose in one language.
type Body struct {
	File     string
	Preamble []Block
	Sections []Section
}

// Style says where a section goes in the document.
type Style int

// Section styles.
const (
	Numbered Style = iota // I. II. III. ...
	Appendix              // after a rule line, titled as written ("Appendix. 参考文献")
	Notice                // the trailer: contact, disclaimer, reprint notice
)

// Section is one headed part of the prose.
type Section struct {
	ID     string
	Title  string
	Style  Style
	Blocks []Block
	Line   int
}

// BlockKind is the kind of a block of prose.
type BlockKind int

// Kinds of block.
const (
	Paragraph  BlockKind = iota
	Item                 // a list item; Marker is its bullet or number
	Verbatim             // lines kept as written
	Subheading           // "(1) statd プログラムのバージョンアップ"
)

// Block is a paragraph, list item, verbatim block or subheading.
type Block struct {
	Kind   BlockKind
	Marker string
	// Text is the paragraph or item joined into one line; Lines are a verbatim block's lines.
	Text  string
	Lines []string
	Line  int
}

// Section returns the section with the given ID.
func (b *Body) Section(id string) (*Section, bool) {
	for i := range b.Sections {
		if b.Sections[i].ID == id {
			return &b.Sections[i], true
		}
	}
	return nil, false
}

// Compiled on first use: package init is the start-up of every command.
var (
	headingAttrs = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.*?)\s*\{#([a-z0-9-]+)((?:\s+\.[a-z]+)*)\}\s*$`) })
	itemMarker   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(・|※|\* |\(\*?\d+\) ?|\[\d+\] )`) })
)

// parseBody reads the prose subset described in the package comment. Problems carry the line.
func parseBody(file string, data []byte) (*Body, []Problem) {
	b := &Body{File: file}
	var probs []Problem
	if !utf8.Valid(data) {
		return b, []Problem{{File: file, Line: 1, Msg: "not UTF-8; save the file as UTF-8"}}
	}
	blocks := &b.Preamble
	var cur *Block
	flush := func() { cur = nil }
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i, line := range lines {
		n := i + 1
		line = strings.TrimRight(line, " \t")
		switch {
		case strings.HasPrefix(line, "## "):
			flush()
			m := headingAttrs().FindStringSubmatch(line[3:])
			if m == nil {
				probs = append(probs, Problem{File: file, Line: n, Msg: fmt.Sprintf("section heading %q has no {#id}; write \"## Title {#situation}\"", line)})
				continue
			}
			s := Section{ID: m[2], Title: m[1], Line: n}
			for _, class := range strings.Fields(m[3]) {
				switch class {
				case ".appendix":
					s.Style = Appendix
				case ".notice":
					s.Style = Notice
				default:
					probs = append(probs, Problem{File: file, Line: n, Msg: fmt.Sprintf("unknown section class %s; use .appendix or .notice", class)})
				}
			}
			if _, dup := b.Section(s.ID); dup {
				probs = append(probs, Problem{File: file, Line: n, Msg: fmt.Sprintf("section #%s appears twice", s.ID)})
			}
			b.Sections = append(b.Sections, s)
			blocks = &b.Sections[len(b.Sections)-1].Blocks
		case strings.HasPrefix(line, "### "):
			flush()
			*blocks = append(*blocks, Block{Kind: Subheading, Text: strings.TrimSpace(line[4:]), Line: n})
		case strings.HasPrefix(line, "#"):
			probs = append(probs, Problem{File: file, Line: n, Msg: "only ## sections and ### subsections are headings here"})
		case line == "":
			flush()
		case strings.HasPrefix(line, "    "):
			if cur == nil || cur.Kind != Verbatim {
				*blocks = append(*blocks, Block{Kind: Verbatim, Line: n})
				cur = &(*blocks)[len(*blocks)-1]
			}
			cur.Lines = append(cur.Lines, line[4:])
		default:
			text := strings.TrimLeft(line, " ")
			if m := itemMarker().FindString(text); m != "" {
				*blocks = append(*blocks, Block{Kind: Item, Marker: strings.TrimRight(m, " "), Text: strings.TrimSpace(text[len(m):]), Line: n})
				cur = &(*blocks)[len(*blocks)-1]
				continue
			}
			if cur == nil || cur.Kind == Verbatim {
				*blocks = append(*blocks, Block{Kind: Paragraph, Text: text, Line: n})
				cur = &(*blocks)[len(*blocks)-1]
				continue
			}
			cur.Text = joinLines(cur.Text, text)
		}
	}
	return b, probs
}

// joinLines joins two source lines of one paragraph: with a space between words, without one
// where either side is Japanese, which is written without spaces.
func joinLines(a, b string) string {
	if a == "" {
		return b
	}
	last, _ := utf8.DecodeLastRuneInString(a)
	first, _ := utf8.DecodeRuneInString(b)
	if isWide(last) || isWide(first) {
		return a + b
	}
	return a + " " + b
}

// isWide reports whether r takes two columns on a terminal (East Asian wide or full-width).
func isWide(r rune) bool {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return true
	}
	return false
}

// displayWidth is the number of terminal columns s takes.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	if isWide(r) {
		return 2
	}
	return 1
}
