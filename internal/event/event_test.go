package event

import (
	"bytes"
	"strings"
	"testing"
)

func TestFieldNamesRoundTrip(t *testing.T) {
	for f := Field(1); f < NumFields; f++ {
		got, ok := FieldByName(f.String())
		if !ok || got != f {
			t.Errorf("FieldByName(%q) = %v, %v; want %v", f.String(), got, ok, f)
		}
	}
	if f, ok := FieldByName("c-ip"); !ok || f != SourceIP {
		t.Errorf("alias c-ip = %v, %v; want SourceIp", f, ok)
	}
	if _, ok := FieldByName("NoSuchField"); ok {
		t.Error("FieldByName accepted an unknown name")
	}
}

// TestFormatNamesDistinct: the summary counts events per format name, so two formats with one
// name would merge their counts.
func TestFormatNamesDistinct(t *testing.T) {
	seen := map[string]Format{}
	for f := Format(0); f < NumFormats; f++ {
		name := f.String()
		if name == "" || strings.HasPrefix(name, "Format(") {
			t.Errorf("format %d has no name", f)
		}
		if g, ok := seen[name]; ok {
			t.Errorf("formats %d and %d are both named %q", g, f, name)
		}
		seen[name] = f
	}
}

func TestScratchKeepsEarlierValues(t *testing.T) {
	var e Event
	e.Reset([]byte("raw"))
	first := e.Scratch([]byte("first"))
	e.Set(URL, first)
	// Force the buffer to grow: the first value must survive.
	big := e.Scratch(bytes.Repeat([]byte("x"), 4096))
	e.Set(Message, big)
	if string(e.Get(URL)) != "first" || len(e.Get(Message)) != 4096 {
		t.Fatalf("scratch values clobbered: Url=%q len(Message)=%d", e.Get(URL), len(e.Get(Message)))
	}
}

func TestSetResetHasAndInt(t *testing.T) {
	var e Event
	e.Reset([]byte("line"))
	e.Set(DestinationPort, []byte("2002"))
	e.Set(User, nil)
	if !e.Has(User) || e.Get(User) == nil || len(e.Get(User)) != 0 {
		t.Error("Set(nil) must store a present, empty value")
	}
	if p, ok := e.Int(DestinationPort); !ok || p != 2002 {
		t.Errorf("Int(DestinationPort) = %d, %v", p, ok)
	}
	if _, ok := e.Int(SourcePort); ok {
		t.Error("Int of an absent field reported ok")
	}
	e.Reset([]byte("next"))
	if e.Has(DestinationPort) || e.Has(User) || e.Get(DestinationPort) != nil || e.Get(User) != nil {
		t.Error("Reset left fields behind")
	}
	if _, ok := e.Int(DestinationPort); ok {
		t.Error("Int of a field set before Reset reported ok")
	}
	for _, in := range []string{"", "-1", "12a", "9999999999999999999"} {
		if _, ok := ParseInt([]byte(in)); ok {
			t.Errorf("ParseInt(%q) ok, want failure", in)
		}
	}
}

func TestSetSlice(t *testing.T) {
	var e Event
	line := []byte("host prog: msg")
	e.Reset(line)
	e.SetSlice(Host, line[:4])
	e.SetSlice(Message, line[len(line):])
	if !e.Has(Host) || string(e.Get(Host)) != "host" || !e.Has(Message) || e.Get(Message) == nil || len(e.Get(Message)) != 0 {
		t.Errorf("SetSlice: host %q (%v), message %q (%v)", e.Get(Host), e.Has(Host), e.Get(Message), e.Has(Message))
	}
}
