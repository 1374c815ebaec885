package activity

import (
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/escape"
)

func TestColumns(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"abc", 3},
		{"報告", 4},
		{"ｱｲ", 2},      // half-width katakana
		{"ＡＢ", 4},      // full-width Latin
		{"〜", 2},       // wave dash, wide
		{"e\u0301", 1}, // combining acute
		{"\u202e", 0},  // format character (only ever reaches here escaped, but it takes no room)
	}
	for _, tt := range tests {
		if got := columns(tt.s); got != tt.want {
			t.Errorf("columns(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestWrapProse(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{
			// Seed 002's first sentence breaks exactly where the seed breaks it.
			"seed", "2000年4月1日から2000年6月30日までの間に JPCERT/CC が受領したコンピュータセキュリティインシデントに関する報告の件数は 718 件でした。",
			[]string{"2000年4月1日から2000年6月30日までの間に JPCERT/CC が受領したコンピュー", "タセキュリティインシデントに関する報告の件数は 718 件でした。"},
		},
		{
			// 。 never starts a line: the character before it moves down with it.
			"kinsoku", strings.Repeat("あ", 35) + "。い",
			[]string{strings.Repeat("あ", 34), "あ。い"},
		},
		{
			// ( never ends a line; the number stays with the counter after it.
			"parenthesis", strings.Repeat("あ", 34) + "(前期 2000年)",
			[]string{strings.Repeat("あ", 34), "(前期 2000年)"},
		},
		{
			"english", strings.Repeat("word ", 15) + "end",
			[]string{strings.TrimSpace(strings.Repeat("word ", 14)), "word end"},
		},
		{
			"long unit", "short " + strings.Repeat("x", 80) + " tail",
			[]string{"short", strings.Repeat("x", 80), "tail"},
		},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		got := wrapProse(tt.in, "", "")
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.name, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
	}
}

func TestWrapItems(t *testing.T) {
	var items []string
	for range 12 {
		items = append(items, "12345(netbus): 110")
	}
	lines := wrapItems(items, "    ")
	for _, l := range lines {
		if columns(l) > lineColumns {
			t.Errorf("line of %d columns: %q", columns(l), l)
		}
		if !strings.HasPrefix(l, "    12345(netbus): 110") {
			t.Errorf("line does not start with a whole item: %q", l)
		}
	}
	if got := strings.Count(strings.Join(lines, " "), "12345(netbus): 110"); got != 12 {
		t.Errorf("%d items after wrapping, want 12", got)
	}
}

// FuzzWrapProse checks, for any escaped text, that wrapping loses and adds nothing but spaces and
// keeps every line within the width unless one unbreakable unit is wider.
func FuzzWrapProse(f *testing.F) {
	for _, s := range []string{
		"2000年4月1日から2000年6月30日までの間に JPCERT/CC が受領した",
		"注: ここにあげた件数は、(前期 512 件から 40% 増)。",
		"/cgi-bin/\x1b[2J\u202e" + strings.Repeat("ア", 40),
		"a  b\tc\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = escape.String(s)
		lines := wrapProse(s, "  ", "    ")
		strip := func(x string) string { return strings.ReplaceAll(x, " ", "") }
		if got := strip(strings.Join(lines, "")); got != strip(s) {
			t.Fatalf("text changed:\n%q\n%q", got, strip(s))
		}
		for _, l := range lines {
			if columns(l) > lineColumns && len(splitUnits(l)) > 1 && breakableWithin(l) {
				t.Fatalf("line of %d columns could have been broken: %q", columns(l), l)
			}
		}
	})
}

// breakableWithin reports whether l has a place to break after its first unit.
func breakableWithin(l string) bool {
	u := splitUnits(l)
	for i := 1; i < len(u); i++ {
		if breakable(u[i-1], u[i]) {
			return true
		}
	}
	return false
}

// TestWrapLabel: chart labels are wrapped, never cut: every line fits, the text is all there, and
// breaks fall between phrases.
func TestWrapLabel(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  []string
	}{
		{"23(telnet)", 44, []string{"23(telnet)"}},
		{"V ネットワークやコンピュータの運用を妨害しようとする攻撃", 44, []string{"V ネットワークやコンピュータの", "運用を妨害しようとする攻撃"}},
		{"V Attacks that disrupt network or host operation (DoS)", 44, []string{"V Attacks that disrupt network", "or host operation (DoS)"}},
		{"/cgi-bin/very/long/path/to/some/program/that/was/probed.cgi", 30, []string{"/cgi-bin/very/long/", "path/to/some/program/", "that/was/probed.cgi"}},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 20, []string{"aaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaa"}},
	}
	for _, tt := range tests {
		got := wrapLabel(tt.in, tt.limit)
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("wrapLabel(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
		for _, l := range got {
			if columns(l) > tt.limit {
				t.Errorf("wrapLabel(%q, %d): line %q is wider than the limit", tt.in, tt.limit, l)
			}
		}
	}
}

// FuzzWrapLabel: whatever a log put in a CGI path or a rule's title, its chart label keeps every
// character, and no line is wider than the limit unless it is one character that is.
func FuzzWrapLabel(f *testing.F) {
	f.Add("/cgi-bin/very/long/path/to/some/program/that/was/probed.cgi", 20)
	f.Add("V ネットワークやコンピュータの運用を妨害しようとする攻撃", 44)
	f.Add("攻", 1)
	f.Add("   ", 10)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 1 || limit > 80 || strings.ContainsAny(s, "\n\t") {
			return
		}
		s = escape.String(s)
		lines := wrapLabel(s, limit)
		if len(lines) == 0 {
			t.Fatalf("wrapLabel(%q, %d) has no line: its chart row would vanish", s, limit)
		}
		keepSpaces(s, lines)
		if got, want := strings.ReplaceAll(strings.Join(lines, ""), " ", ""), strings.ReplaceAll(s, " ", ""); got != want {
			t.Fatalf("wrapLabel(%q, %d) = %q lost text", s, limit, lines)
		}
		for _, l := range lines {
			if strings.TrimSpace(l) == "" && strings.TrimSpace(s) != "" {
				t.Fatalf("wrapLabel(%q, %d) = %q has an empty line", s, limit, lines)
			}
			if c := columns(strings.TrimPrefix(l, " ")); c > limit && len([]rune(strings.TrimPrefix(l, " "))) > 1 {
				t.Fatalf("wrapLabel(%q, %d): line %q is %d columns", s, limit, l, c)
			}
		}
	})
}
