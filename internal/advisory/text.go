package advisory

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
)

// Layout of the plain text, as the seeds have it.
const (
	textWidth  = 72 // columns, Japanese characters counting two
	doubleRule = "======================================================================"
	singleRule = "__________"
)

// TextOptions adjust the text rendering.
type TextOptions struct {
	// Fingerprint, when set, is printed at the end so that a reader can find the signing key
	// (sign.FormatFingerprint gives GnuPG's spelling).
	Fingerprint string
}

// RenderText renders the advisory's current edition as plain UTF-8 text in the seeds' layout:
// a header between double rules (ID, issuer, heading, edition dates, expiry, canonical URL),
// numbered sections, the references with their mirrors, the appendices and notices each after a
// rule line, and the revision history, newest first. Lines are at most 72 columns wide, Japanese
// characters counting two, as the seeds wrap them; verbatim blocks (log lines, URLs) are never
// wrapped. The result ends in a newline and has no trailing spaces, so a clearsignature over it
// survives mail transport.
func RenderText(a *Advisory, lang string, opts TextOptions) []byte {
	w := &textWriter{lang: lang}
	body := a.Body[lang]
	if body == nil {
		body = &Body{}
	}
	w.line(doubleRule)
	w.line(a.PrintedID(a.Latest().Number))
	w.line(a.Issuer)
	w.blank()
	heading := InLang(a.Title, lang)
	if a.Kind != KindActivityReport {
		heading = InLang(a.HeadingLabel(), lang) + " - " + heading
	}
	w.wrap("", "", heading)
	w.blank()
	for _, l := range a.headerLines(lang) {
		w.line(l)
	}
	w.line(doubleRule)
	w.blank()
	w.blocks(body.Preamble, "")
	n := 0
	for _, s := range body.Sections {
		if s.Style != Numbered {
			continue
		}
		n++
		w.line(Roman(n) + ". " + s.Title)
		w.blank()
		w.blocks(s.Blocks, "")
		if s.ID == "references" {
			w.references(a)
		}
	}
	for _, s := range body.Sections {
		if s.Style == Numbered {
			continue
		}
		w.line(singleRule)
		w.blank()
		if s.Title != "" {
			w.line(s.Title)
			w.blank()
		}
		blocks := s.Blocks
		if s.Style == Notice {
			blocks = substituteBlocks(a, blocks, lang)
		}
		w.blocks(blocks, "")
		if s.ID == "references" {
			w.references(a)
		}
	}
	w.line(singleRule)
	w.blank()
	w.line(historyTitle(a.Kind, lang))
	for i := len(a.Editions) - 1; i >= 0; i-- {
		e := a.Editions[i]
		date := a.FormatDate(e.Date)
		for j, note := range strings.Split(InLang(e.Note, lang), "\n") {
			if j == 0 {
				w.line(date + " " + note)
			} else {
				w.line(strings.Repeat(" ", len(date)+1) + note)
			}
		}
	}
	if opts.Fingerprint != "" {
		w.blank()
		label := "OpenPGP key fingerprint: "
		if lang == Ja {
			label = "OpenPGP 鍵指紋: "
		}
		w.line(label + opts.Fingerprint)
	}
	return w.buf.Bytes()
}

func historyTitle(k Kind, lang string) string {
	switch {
	case lang == En:
		return "Revision history"
	case k == KindActivityReport:
		return "改訂履歴"
	}
	return "更新履歴"
}

// headerLines are the edition, expiry and URL lines of the header.
func (a *Advisory) headerLines(lang string) []string {
	var out []string
	label := func(ja, en string) string {
		if lang == Ja {
			return ja + ": "
		}
		return fmt.Sprintf("%-15s", en+":")
	}
	first := a.Issued()
	if a.Kind == KindActivityReport {
		out = append(out, label("発行日", "Issued")+a.FormatDate(first))
	} else {
		out = append(out, label("初    版", "First edition")+fmt.Sprintf("%s (Ver.%02d)", a.FormatDate(first), 1))
		if len(a.Editions) > 1 {
			l := a.Latest()
			out = append(out, label("発 行 日", "This edition")+fmt.Sprintf("%s (Ver.%02d)", a.FormatDate(l.Date), l.Number))
		}
		if !a.Expires.IsZero() {
			out = append(out, label("有効期限", "Expires")+a.FormatDate(a.Expires))
		}
	}
	if a.URL != "" && a.Kind != KindActivityReport {
		out = append(out, label("最新情報", "Latest")+a.URL)
	}
	return out
}

func substituteBlocks(a *Advisory, blocks []Block, lang string) []Block {
	out := make([]Block, len(blocks))
	for i, b := range blocks {
		b.Text = Substitute(a, b.Text, lang)
		lines := make([]string, len(b.Lines))
		for j, l := range b.Lines {
			lines[j] = Substitute(a, l, lang)
		}
		b.Lines = lines
		out[i] = b
	}
	return out
}

// Roman numbers sections as the seeds do: I, II, III, IV.
func Roman(n int) string {
	numerals := []struct {
		v int
		s string
	}{{10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}
	var b strings.Builder
	for _, r := range numerals {
		for n >= r.v {
			b.WriteString(r.s)
			n -= r.v
		}
	}
	return b.String()
}

type textWriter struct {
	buf  bytes.Buffer
	lang string
}

func (w *textWriter) line(s string) {
	w.buf.WriteString(strings.TrimRight(s, " "))
	w.buf.WriteByte('\n')
}

func (w *textWriter) blank() { w.buf.WriteByte('\n') }

// blocks writes prose. Paragraphs get a two-column first-line indent, and everything after a
// subheading is indented by two more, as in the seeds' numbered countermeasures.
func (w *textWriter) blocks(blocks []Block, indent string) {
	inner := indent
	for i, b := range blocks {
		switch b.Kind {
		case Subheading:
			inner = indent + "  "
			w.line(indent + b.Text)
			w.blank()
			continue
		case Paragraph:
			w.wrap(inner+"  ", inner, b.Text)
		case Item:
			marker := b.Marker
			if !strings.HasSuffix(marker, "・") && marker != "※" {
				marker += " "
			}
			hang := inner + "  " + strings.Repeat(" ", displayWidth(marker))
			w.wrap(inner+"  "+marker, hang, b.Text)
			if i+1 < len(blocks) && blocks[i+1].Kind == Item {
				continue // a list is written without blank lines between its items
			}
		case Verbatim:
			pad := inner + "    "
			for _, l := range b.Lines {
				if displayWidth(pad)+displayWidth(l) > textWidth {
					pad = ""
				}
			}
			for _, l := range b.Lines {
				w.line(pad + l)
			}
		}
		w.blank()
	}
}

// references lists the advisory's references that the prose does not cite in place.
func (w *textWriter) references(a *Advisory) {
	n := 0
	for _, r := range a.References {
		if r.Inline {
			continue
		}
		n++
		num := fmt.Sprintf("[%d] ", n)
		w.wrap(num, strings.Repeat(" ", len(num)), InLang(r.Title, w.lang))
		pad := strings.Repeat(" ", len(num)+2)
		if len(r.Mirrors) == 0 {
			w.line(pad + r.URL)
		} else {
			w.line(pad + "[Original] " + r.URL)
			for _, m := range r.Mirrors {
				w.line(pad + "[Mirror] " + m)
			}
		}
		w.blank()
	}
}

// wrap fills text to textWidth: Japanese may break between any two characters (but a line never
// starts with closing punctuation, nor ends with opening punctuation), words of other scripts only
// at spaces. first prefixes the first line, rest the others.
func (w *textWriter) wrap(first, rest, text string) {
	prefix := first
	for text != "" {
		room := textWidth - displayWidth(prefix)
		if fits(text, room) {
			w.line(prefix + text)
			return
		}
		cut := breakAt(text, room)
		w.line(prefix + strings.TrimRight(text[:cut], " "))
		text = strings.TrimLeft(text[cut:], " ")
		prefix = rest
	}
}

// fits reports whether text takes at most room columns, looking no further than it must: a
// paragraph can be long, and wrap asks once per line.
func fits(text string, room int) bool {
	cols := 0
	for _, r := range text {
		if cols += runeWidth(r); cols > room {
			return false
		}
	}
	return true
}

// notAtLineStart are characters a Japanese line must not begin with (kinsoku shori).
const notAtLineStart = "、。，．・：；？！）」』】〕ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.)]:;!?"

// notAtLineEnd are characters a line must not end with.
const notAtLineEnd = "「『【〔（(["

// breakAt returns the byte offset at which text should be broken so that the part before it fits
// in room columns.
func breakAt(text string, room int) int {
	cols, fit := 0, 0
	for i, r := range text {
		cw := runeWidth(r)
		if cols+cw > room {
			break
		}
		cols += cw
		fit = i + utf8.RuneLen(r)
	}
	if fit == 0 {
		_, size := utf8.DecodeRuneInString(text)
		return size
	}
	// Find the last legal break at or before fit.
	for cut := fit; cut > 0; {
		prev, psize := utf8.DecodeLastRuneInString(text[:cut])
		next, _ := utf8.DecodeRuneInString(text[cut:])
		if legalBreak(prev, next) {
			return cut
		}
		cut -= psize
	}
	// One word longer than the line (a URL): break after it.
	if i := strings.IndexByte(text[fit:], ' '); i >= 0 {
		return fit + i
	}
	return len(text)
}

func legalBreak(prev, next rune) bool {
	if next == ' ' || prev == ' ' {
		return true
	}
	if strings.ContainsRune(notAtLineStart, next) || strings.ContainsRune(notAtLineEnd, prev) {
		return false
	}
	return isWide(prev) || isWide(next)
}

// jisVariants maps the Unicode characters that JIS X 0208 text such as the seeds decodes to
// (under the JIS mapping) onto the code points Go's ISO-2022-JP encoder accepts for the same JIS
// cell (the Microsoft mapping): 〜 in "2000年4月1日 〜 2000年6月30日" is cell 1-33 either way.
var jisVariants = strings.NewReplacer("\u301c", "\uff5e", "\u2212", "\uff0d", "\u2016", "\u2225", "\u00a2", "\uffe0", "\u00a3", "\uffe1", "\u00ac", "\uffe2")

// ToISO2022JP converts UTF-8 text to ISO-2022-JP, the charset Japanese mail has used since the
// seeds' days. Characters ISO-2022-JP cannot encode are an error.
func ToISO2022JP(text []byte) ([]byte, error) {
	out, _, err := transform.Bytes(japanese.ISO2022JP.NewEncoder(), []byte(jisVariants.Replace(string(text))))
	if err != nil {
		return nil, fmt.Errorf("text cannot be sent as ISO-2022-JP: %w; send it as UTF-8", err)
	}
	return out, nil
}
