package output

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/finding"
)

// The machine formats write hundreds of thousands of findings; encoding/json spends most of its
// time on reflection and on a buffer per finding. These encoders append to one buffer and produce
// the same bytes as json.Marshal of the finding (see jsonenc_test.go), HTML-safe escaping included.

// ruleTexts are the encoded texts of a rule's own fields, which every finding of the rule repeats.
// They are made once per rule and reused while a finding carries the same texts.
type ruleTexts struct {
	// the finding's fields as given, to see whether a later finding of the rule differs
	title, titleJa, level, category, rsit string
	advisories                            []string
	// json is the finding's encoding from '{' to the end of "advisories".
	json []byte
	// escaped is what withRuleTextsEscaped makes of the fields, for sarif and csv.
	escaped *finding.Finding
	slug    string
}

type ruleCache map[string]*ruleTexts

// texts returns the rule texts of f, making them when f is the first finding of its rule or
// carries texts that differ from the rule's last finding.
func (c ruleCache) texts(f *finding.Finding) *ruleTexts {
	rt := c[f.Rule]
	if rt != nil && rt.title == f.Title && rt.titleJa == f.TitleJa && rt.level == f.Level &&
		rt.category == f.Category && rt.rsit == f.RSIT && sameStrings(rt.advisories, f.Advisories) {
		return rt
	}
	e := withRuleTextsEscaped(f)
	rt = &ruleTexts{title: f.Title, titleJa: f.TitleJa, level: f.Level, category: f.Category, rsit: f.RSIT,
		advisories: append([]string(nil), f.Advisories...), slug: Slug(f.Title)}
	if f.Advisories == nil {
		rt.advisories = nil
	}
	// Only the rule's fields: the rest of the finding changes with every one.
	rt.escaped = &finding.Finding{Rule: e.Rule, Title: e.Title, TitleJa: e.TitleJa, Level: e.Level,
		Category: e.Category, RSIT: e.RSIT, Advisories: e.Advisories}
	b := append([]byte(nil), `{"rule":`...)
	b = appendJSONString(b, e.Rule)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, e.Title)
	if e.TitleJa != "" {
		b = append(b, `,"title_ja":`...)
		b = appendJSONString(b, e.TitleJa)
	}
	b = append(b, `,"level":`...)
	b = appendJSONString(b, e.Level)
	b = append(b, `,"category":`...)
	b = appendJSONString(b, e.Category)
	b = append(b, `,"rsit":`...)
	b = appendJSONString(b, e.RSIT)
	b = append(b, `,"advisories":`...)
	b = appendJSONStrings(b, e.Advisories)
	rt.json = b
	c[f.Rule] = rt
	return rt
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// appendFindingJSON appends the encoding of f, as json.Marshal(withRuleTextsEscaped(f)) writes it.
func appendFindingJSON(b []byte, f *finding.Finding, rt *ruleTexts) ([]byte, error) {
	b = append(b, rt.json...)
	if f.File != "" {
		b = append(b, `,"file":`...)
		b = appendJSONString(b, f.File)
	}
	if f.Line != 0 {
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, f.Line, 10)
	}
	b = appendJSONField(b, `,"time":`, f.Time)
	b = appendJSONField(b, `,"source_ip":`, f.SourceIP)
	b = appendJSONField(b, `,"destination_ip":`, f.DestinationIP)
	if f.DestinationPort != 0 {
		b = append(b, `,"destination_port":`...)
		b = strconv.AppendInt(b, int64(f.DestinationPort), 10)
	}
	b = appendJSONField(b, `,"protocol":`, f.Protocol)
	b = appendJSONField(b, `,"excerpt":`, f.Excerpt)
	b = appendJSONField(b, `,"excerpt_ja":`, f.ExcerptJa)
	if f.Correlation != nil {
		// Correlations are few (one per burst); encoding/json handles their map.
		c, err := json.Marshal(f.Correlation)
		if err != nil {
			return b, err
		}
		b = append(b, `,"correlation":`...)
		b = append(b, c...)
	}
	b = appendJSONField(b, `,"artifact":`, f.Artifact)
	if len(f.Countermeasures) > 0 {
		b = append(b, `,"countermeasures":[`...)
		for i, c := range f.Countermeasures {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"ja":`...)
			b = appendJSONString(b, c.Ja)
			b = append(b, `,"en":`...)
			b = appendJSONString(b, c.En)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// appendJSONField appends an omitempty string field.
func appendJSONField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, name...)
	return appendJSONString(b, v)
}

func appendJSONStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// jsonPlainPrefix is the length of the run at the start of s that a JSON string holds as it is:
// printable ASCII other than '"', '\\' and the HTML-sensitive '<', '>', '&'. Eight bytes at a time.
func jsonPlainPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// Each term sets the top bit of some byte when one is below 0x20 or equal to one of the
		// special bytes; exact whenever no byte has its top bit set, which w itself rules out.
		t := w | (w-0x20*lsb)&^w
		for _, c := range [...]uint64{'"' * lsb, '\\' * lsb, '<' * lsb, '>' * lsb, '&' * lsb} {
			x := w ^ c
			t |= (x - lsb) &^ x
		}
		if t&msb != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			break
		}
	}
	return i
}

const lsb, msb = 0x0101010101010101, 0x8080808080808080

// appendJSONString appends s as a JSON string the way encoding/json does by default: control
// characters, '"', '\\', '<', '>', '&', U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for len(s) > 0 {
		n := jsonPlainPrefix(s)
		b = append(b, s[:n]...)
		s = s[n:]
		if len(s) == 0 {
			break
		}
		c := s[0]
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigit[c>>4], hexDigit[c&0xf])
			}
			s = s[1:]
			continue
		}
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigit[r&0xf])
		default:
			b = append(b, s[:size]...)
		}
		s = s[size:]
	}
	return append(b, '"')
}

const hexDigit = "0123456789abcdef"
