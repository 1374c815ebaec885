package engine

import (
	"slices"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/rules"
)

// memoRulesExtra are firewall rules beyond the bundled ones that test the fields the memo keys
// by class in other ways: null, a negated set, exists false, an ICMP code.
var memoRulesExtra = []string{`title: null port
logsource: {category: firewall}
detection:
  sel:
    Protocol: tcp
    SourcePort: null
  condition: sel
`, `title: not these ports
logsource: {category: firewall}
detection:
  sel:
    Protocol: udp
  port:
    SourcePort: [53, 123, 70000]
  condition: sel and not port
`, `title: no address
logsource: {category: firewall}
detection:
  sel:
    SourceIp|exists: false
    IcmpCode: [0, 3]
  condition: sel
`}

// bundledPlus compiles the bundled rules and extra.
func bundledPlus(t testing.TB, extra ...string) *Engine {
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range extra {
		rs, err := sigma.ParseFile("extra"+string(rune('a'+i))+".yml", []byte(d))
		if err != nil {
			t.Fatal(err)
		}
		set.Rules = append(set.Rules, rs...)
	}
	if err := set.Resolve(); err != nil {
		t.Fatal(err)
	}
	e, err := New(set)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// memoValues are the values the fuzz target draws field values from: named and unnamed ports,
// cases, long and empty values, leading zeros, and whatever the fuzzer appends.
var memoValues = []string{"", "tcp", "TCP", "udp", "icmp", "drop", "deny", "accept", "Accept", "permitted",
	"in", "out", "8", "0", "3", "7", "19", "23", "053", "53", "80", "111", "123", "2002", "02002", "6000",
	"31337", "44548", "65535", "65536", "70000", "0000000000000000000080", "198.51.100.7", "-1", "8x",
	"a-very-long-value-beyond-sixteen"}

// memoWordValues are memoValues as words (see event.Word), so that an exact field is keyed by a
// word's code on some events and by the same bytes on others.
var memoWordValues = func() [][]byte {
	var words [][]byte
	for _, v := range memoValues {
		words = append(words, event.Word(v))
	}
	return words
}()

var memoFields = []event.Field{event.Protocol, event.Action, event.Direction, event.SourceIP,
	event.SourcePort, event.DestinationIP, event.DestinationPort, event.ICMPType, event.ICMPCode,
	event.TCPFlags, event.Message, event.Interface}

// memoEvents decodes data into a run of events for the memo's fuzz targets: each a format and
// each field absent, one of memoValues as bytes or as a word, or extra.
func memoEvents(data []byte, extra string) []*event.Event {
	var evs []*event.Event
	for len(data) > 0 {
		ev := &event.Event{}
		ev.Reset([]byte("line"))
		ev.Format = event.Format(data[0] % (uint8(event.NumFormats) + 1))
		data = data[1:]
		for _, fl := range memoFields {
			if len(data) == 0 {
				break
			}
			b := int(data[0])
			data = data[1:]
			switch {
			case b == 0:
				// absent
			case b <= len(memoValues):
				ev.Set(fl, []byte(memoValues[b-1]))
			case b <= 2*len(memoValues):
				ev.Set(fl, memoWordValues[b-1-len(memoValues)])
			default:
				ev.Set(fl, []byte(extra))
			}
		}
		evs = append(evs, ev)
	}
	return evs
}

// FuzzMemoSameAsMatch holds the memoized Match to the plain one: a run of events of every
// format, each field absent or one of memoValues (or a fuzzer's value), must match the same rules
// through a worker with the memo as through match alone, hits and misses alike.
func FuzzMemoSameAsMatch(f *testing.F) {
	f.Add([]byte{2, 0, 1, 2, 3, 4, 5, 6, 7, 2, 0, 1, 2, 3, 4, 5, 6, 7}, "")
	f.Add([]byte{6, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 5, 20, 12, 11}, "0080")
	f.Add([]byte{5, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52}, "permitted")
	f.Add([]byte{2, 2, 42, 47, 0, 21, 60, 0, 2, 2, 6, 11, 0, 21, 24, 0}, "")
	engines := []*Engine{bundledPlus(f), bundledPlus(f, memoRulesExtra...)}
	f.Fuzz(func(t *testing.T, data []byte, extra string) {
		evs := memoEvents(data, extra)
		for _, e := range engines {
			w, ref := e.NewWorker(), e.NewWorker()
			var got, want []int
			for _, ev := range evs {
				got = w.Match(ev, got)
				want = want[:0]
				if ev.Format < event.NumFormats {
					want = ref.match(ev, &e.plans[ev.Format], want)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("format %v: memo %v, match %v", ev.Format, got, want)
				}
			}
		}
	})
}

// FuzzMemoKeySameAsReference holds key, which keys words and ports without calls, to keyBytes,
// which reads every value: the same key, hash and refusal.
func FuzzMemoKeySameAsReference(f *testing.F) {
	f.Add([]byte{2, 0, 1, 2, 3, 4, 5, 6, 7, 2, 0, 1, 2, 3, 4, 5, 6, 7}, "")
	f.Add([]byte{2, 39, 42, 47, 0, 21, 60, 0, 2, 2, 6, 11, 0, 21, 24, 0}, "65536")
	f.Add([]byte{6, 38, 43, 46, 0, 23, 62, 56, 55, 56}, "00080")
	engines := []*Engine{bundledPlus(f), bundledPlus(f, memoRulesExtra...)}
	f.Fuzz(func(t *testing.T, data []byte, extra string) {
		for _, ev := range memoEvents(data, extra) {
			for _, e := range engines {
				if ev.Format >= event.NumFormats || e.plans[ev.Format].memo == nil {
					continue
				}
				mp := e.plans[ev.Format].memo
				var got, want memoKey
				gotHash, gotOK := mp.key(ev, &got)
				wantHash, wantOK := mp.keyBytes(ev, &want)
				if gotOK != wantOK || gotOK && (gotHash != wantHash || !slices.Equal(got.w[:got.n], want.w[:want.n])) {
					t.Fatalf("format %v: key %v %x %v, keyBytes %v %x %v", ev.Format, gotOK, gotHash, got.w[:got.n], wantOK, wantHash, want.w[:want.n])
				}
			}
		}
	})
}

func TestMemoPlans(t *testing.T) {
	e := bundledPlus(t, memoRulesExtra...)
	for f := event.Format(0); f < event.NumFormats; f++ {
		if f.IsFirewall() && e.plans[f].memo == nil {
			t.Errorf("%v: no memo", f)
		}
	}
	// Rules read their URLs, messages and raw lines.
	for _, f := range []event.Format{event.FormatWebAccess, event.FormatSyslog, event.FormatAuth, event.FormatReport} {
		if e.plans[f].memo != nil {
			t.Errorf("%v: memo", f)
		}
	}
	mp := e.plans[event.FormatIptables].memo
	var classes []event.Field
	for _, c := range mp.classes {
		classes = append(classes, c.field)
	}
	wantExact := []event.Field{event.Protocol, event.Action, event.Direction}
	wantClasses := []event.Field{event.SourceIP, event.SourcePort, event.DestinationPort, event.ICMPType, event.ICMPCode}
	if !slices.Equal(mp.exact, wantExact) || !slices.Equal(classes, wantClasses) {
		t.Errorf("iptables memo keys %v by value and %v by class, want %v and %v", mp.exact, classes, wantExact, wantClasses)
	}
}

// TestMemoTurnedOff: a rule that searches the raw line, reads a field of many values, or tests a
// port other than by a set turns the memo off for its formats, and only for them.
func TestMemoTurnedOff(t *testing.T) {
	cases := []struct{ name, rule string }{
		{"keywords", `title: k
logsource: {category: firewall, product: iptables}
detection:
  keywords: [evil]
  condition: keywords
`},
		{"address", `title: a
logsource: {category: firewall, product: iptables}
detection:
  sel:
    DestinationIp|cidr: 192.0.2.0/24
  condition: sel
`},
		{"exact address", `title: b
logsource: {category: firewall, product: iptables}
detection:
  sel:
    SourceIp: 192.0.2.1
  condition: sel
`},
		{"message", `title: m
logsource: {category: firewall, product: iptables}
detection:
  sel:
    Message|contains: evil
  condition: sel
`},
		{"port range", `title: r
logsource: {category: firewall, product: iptables}
detection:
  sel:
    SourcePort|lt: 1024
  condition: sel
`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := bundledPlus(t, c.rule)
			if e.plans[event.FormatIptables].memo != nil {
				t.Errorf("iptables keeps its memo")
			}
			if e.plans[event.FormatPF].memo == nil {
				t.Errorf("pf lost its memo")
			}
		})
	}
}

// TestMemoTooManyRules: an answer of more rules than an entry holds is not stored, and still
// right on the next event.
func TestMemoTooManyRules(t *testing.T) {
	var docs []string
	for i := 0; i < memoRules+2; i++ {
		docs = append(docs, "title: r"+string(rune('a'+i))+`
logsource: {category: firewall}
detection:
  sel:
    Protocol: tcp
  condition: sel
`)
	}
	e := compile(t, docs...)
	w := e.NewWorker()
	var out []int
	for range 3 {
		ev := firewallEvent("192.0.2.9", 80)
		if out = w.Match(ev, out); len(out) != memoRules+2 {
			t.Fatalf("matched %v", out)
		}
	}
}
