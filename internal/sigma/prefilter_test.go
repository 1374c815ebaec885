package sigma

import (
	"bytes"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/ascii"
	"github.com/keikai-project/keikai/internal/event"
	"go.yaml.in/yaml/v3"
)

func TestPrefilter(t *testing.T) {
	tests := []struct {
		name      string
		detection string
		want      []string // nil: ok must be false
	}{
		{"equality", "s: {Message: 'Attempt To Create'}\ncondition: s", []string{"attempt to create"}},
		{"wildcard longest piece", "s: {Message: 'a*statmon*b'}\ncondition: s", []string{"statmon"}},
		{"list is union", "s: {Url|contains: [/cgi-bin/phf, /scripts/root.exe]}\ncondition: s", []string{"/cgi-bin/phf", "/scripts/root.exe"}},
		{"urlpath yields", "s: {UrlPath|endswith: .ida}\ncondition: s", []string{".ida"}},
		{"all: any one value", "s: {Message|contains|all: [ab, abcdef]}\ncondition: s", []string{"abcdef"}},
		{"and picks longest", "a: {Program: sshd}\nb: {Message|contains: 'Failed password'}\ncondition: a and b", []string{"failed password"}},
		{"or needs every branch", "a: {Program: sshd}\nb: {DestinationPort: 22}\ncondition: a or b", nil},
		{"numeric field", "s: {DestinationPort: [21, 22]}\ncondition: s", nil},
		{"not", "a: {Program: sshd}\ncondition: not a", nil},
		{"and with not", "a: {Program: sshd}\nb: {Message: x}\ncondition: a and not b", []string{"sshd"}},
		{"non-verbatim field", "s: {Protocol: udp}\ncondition: s", nil},
		{"cidr", "s: {SourceIp|cidr: 10.0.0.0/8}\ncondition: s", nil},
		{"null", "s: {User: null}\ncondition: s", nil},
		{"keywords", "k: [statmon, 'XbinXsh']\ncondition: k", []string{"statmon", "xbinxsh"}},
		{"1 of", "a: {Message: foo}\nb: {Host: bar}\ncondition: 1 of them", []string{"foo", "bar"}},
		{"all of", "a: {Message: foo}\nb: {Host: barbaz}\ncondition: all of them", []string{"barbaz"}},
		{"re concat", "s: {Message|re: 'gethostbyname error.*%8x'}\ncondition: s", []string{"gethostbyname error"}},
		{"re alternation", "s: {Message|re: '(root\\.exe|cmd\\.exe)\\?'}\ncondition: s", []string{"root.exe", "cmd.exe"}},
		{"re alternation with hole", "s: {Message|re: 'root|.*'}\ncondition: s", nil},
		{"re case-insensitive", "s: {Message|re|i: 'RPC.BIND'}\ncondition: s", []string{"bind"}},
		{"re fold splits at s", "s: {Message|re|i: 'STATD'}\ncondition: s", []string{"tatd"}}, // (?i)s matches U+017F
		{"re fold splits at k", "s: {Message|re|i: 'x.kite'}\ncondition: s", []string{"ite"}}, // (?i)k matches U+212A
		{"re plus", "s: {Message|re: '(abc)+'}\ncondition: s", []string{"abc"}},
		{"re star", "s: {Message|re: '(abc)*'}\ncondition: s", nil},
		{"match anything", "s: {Message: '*'}\ncondition: s", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := compileOne(t, "", tt.detection)
			lits, ok := r.Prefilter()
			if tt.want == nil {
				if ok {
					t.Errorf("Prefilter = %q, true; want none", lits)
				}
				return
			}
			sort.Strings(lits)
			want := append([]string(nil), tt.want...)
			sort.Strings(want)
			if !ok || !reflect.DeepEqual(lits, want) {
				t.Errorf("Prefilter = %q, %v; want %q", lits, ok, want)
			}
		})
	}
}

// litOccurs is the engine's side of the prefilter contract.
func litOccurs(lits []string, e *event.Event) bool {
	for _, l := range lits {
		if ascii.IndexFold(e.Raw, l) >= 0 || ascii.IndexFold(e.Get(event.URL), l) >= 0 {
			return true
		}
	}
	return false
}

// checkImplication fails when n matches e although none of n's literals occurs.
func checkImplication(t *testing.T, what string, n node, e *event.Event) {
	t.Helper()
	if !n.match(e) {
		return
	}
	tagged, ok := n.literals()
	if !ok {
		return
	}
	var lits []string
	inField := false
	for _, tl := range tagged {
		f, l := event.Field(tl[0]), tl[1:]
		if l == "" || l != ascii.ToLower(l) {
			t.Fatalf("%s: literal %q is empty or not lower case", what, l)
		}
		lits = append(lits, l)
		// The sharper guarantee the engine's field scans rely on: the literal is in the value
		// its tag names (the raw line for keywords).
		value := e.Raw
		if f != event.FieldNone {
			value = e.Get(f)
		}
		if ascii.IndexFold(value, l) >= 0 {
			inField = true
		}
	}
	if !litOccurs(lits, e) {
		t.Fatalf("%s matched raw %q url %q, but none of %q occurs", what, e.Raw, e.Get(event.URL), lits)
	}
	if !inField {
		t.Fatalf("%s matched, but none of %q occurs in the field its tag names", what, tagged)
	}
}

// randomEvent builds an event the way parsers do: verbatim fields are slices of Raw, URL is a
// decoded value held elsewhere, URLPath is URL up to '?', and normalised fields are constants.
func randomEvent(rnd *rand.Rand, word func() string) *event.Event {
	var raw bytes.Buffer
	type span struct {
		f          event.Field
		start, end int
	}
	var spans []span
	for _, f := range []event.Field{event.Program, event.Message, event.Host, event.User, event.URLRaw, event.DestinationPort} {
		if rnd.Intn(4) == 0 {
			continue
		}
		raw.WriteString(word())
		raw.WriteByte(' ')
		start := raw.Len()
		raw.WriteString(word())
		spans = append(spans, span{f, start, raw.Len()})
	}
	raw.WriteString(word())
	e := &event.Event{}
	e.Reset(raw.Bytes())
	e.Format = event.FormatWebAccess
	for _, s := range spans {
		e.Set(s.f, e.Raw[s.start:s.end])
	}
	url := e.Scratch([]byte(word() + "?" + word()))
	e.Set(event.URL, url)
	e.Set(event.URLPath, url[:bytes.IndexByte(url, '?')])
	e.Set(event.Protocol, e.Scratch([]byte(word())))
	return e
}

var propertyFields = []string{"Program", "Message", "Host", "User", "UrlRaw", "Url", "UrlPath", "DestinationPort", "Protocol"}
var propertyMods = []string{"", "|contains", "|startswith", "|endswith", "|cased", "|contains|all", "|re", "|re|i", "|contains|cased"}

// randomSelection returns a selection in YAML flow style.
func randomSelection(rnd *rand.Rand, word func() string) string {
	var parts []string
	for i := 0; i <= rnd.Intn(2); i++ {
		f := propertyFields[rnd.Intn(len(propertyFields))]
		mod := propertyMods[rnd.Intn(len(propertyMods))]
		val := word()
		if strings.HasPrefix(mod, "|re") {
			val = strings.NewReplacer("*", ".*", "?", ".").Replace(val)
		}
		parts = append(parts, f+mod+": ['"+strings.ReplaceAll(val, "'", "''")+"', '"+strings.ReplaceAll(word(), "'", "''")+"']")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func TestPrefilterProperty(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	alphabet := []string{"a", "A", "b", "k", "K", "\u212a", "é", "É", "*", "?", "/", ".", "ab", "1", "22"}
	word := func() string {
		var b strings.Builder
		for i := 0; i < 1+rnd.Intn(3); i++ {
			b.WriteString(alphabet[rnd.Intn(len(alphabet))])
		}
		return b.String()
	}
	conditions := []string{"a", "a and b", "a or b", "1 of them", "all of them", "a and not b", "(a or b) and c", "k", "k or a"}
	matched, withLits := 0, 0
	for i := 0; i < 3000; i++ {
		det := "a: " + randomSelection(rnd, word) + "\nb: " + randomSelection(rnd, word) +
			"\nc: " + randomSelection(rnd, word) + "\nk: ['" + strings.ReplaceAll(word(), "'", "''") + "']" +
			"\ncondition: " + conditions[rnd.Intn(len(conditions))]
		rules, err := ParseFile("p.yml", []byte("title: p\ndetection:\n"+indent(det)))
		if err != nil {
			continue // a random regexp may not compile
		}
		r := rules[0]
		for j := 0; j < 30; j++ {
			e := randomEvent(rnd, word)
			if !r.Match(e) {
				continue
			}
			matched++
			lits, ok := r.Prefilter()
			if !ok {
				continue
			}
			withLits++
			if !litOccurs(lits, e) {
				t.Fatalf("rule\n%s\nmatched raw %q url %q without any of %q", det, e.Raw, e.Get(event.URL), lits)
			}
		}
	}
	if matched < 500 || withLits < 100 {
		t.Errorf("property test too weak: %d matches, %d with literals", matched, withLits)
	}
	t.Logf("%d matches checked, %d with literals", matched, withLits)
}

// FuzzPrefilter checks the prefilter contract on single field conditions built from fuzz input.
func FuzzPrefilter(f *testing.F) {
	f.Add("a*b?c", uint8(0), "xxAyyB\u00e9c", "pre ", " post")
	f.Add(`st(a|b)+d\.`, uint8(6), "stabd.", "", "")
	f.Add("K", uint8(7), "\u212a", "", "")
	f.Add(`\*x`, uint8(1), "*X", "", "")
	f.Fuzz(func(t *testing.T, pattern string, mod uint8, value, before, after string) {
		mods := []string{"", "contains", "startswith", "endswith", "cased", "contains|all", "re", "re|i", "re|s"}
		fields := []string{"Message", "Url", "UrlPath", "UrlRaw"}
		key := fields[int(mod>>4)%len(fields)]
		if m := mods[int(mod&15)%len(mods)]; m != "" {
			key += "|" + m
		}
		el := &errorList{file: "fuzz"}
		n := compileField(&yaml.Node{Kind: yaml.ScalarNode, Value: key},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: pattern}, el)
		if n == nil {
			return
		}
		for _, raw := range []string{value, before + value + after} {
			e := &event.Event{}
			e.Reset([]byte(raw))
			e.Format = event.FormatWebAccess
			start := strings.Index(raw, value)
			v := e.Raw[start : start+len(value)]
			e.Set(event.Message, v)
			e.Set(event.URLRaw, v)
			url := e.Scratch([]byte(value))
			e.Set(event.URL, url)
			e.Set(event.URLPath, url)
			checkImplication(t, key+": "+pattern, n, e)
		}
	})
}
