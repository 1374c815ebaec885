package incident

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTransitions(t *testing.T) {
	tests := []struct {
		from, to Status
		ok       bool
	}{
		{StatusNew, StatusTriage, true},
		{StatusNew, StatusCoordinating, true},
		{StatusNew, StatusClosed, true},
		{StatusTriage, StatusCoordinating, true},
		{StatusCoordinating, StatusResolved, true},
		{StatusResolved, StatusClosed, true},
		{StatusResolved, StatusCoordinating, true},
		{StatusClosed, StatusTriage, true},
		{StatusTriage, StatusNew, false},
		{StatusClosed, StatusNew, false},
		{StatusClosed, StatusResolved, false},
		{StatusNew, StatusNew, false},
		{StatusNew, "done", false},
		{"done", StatusClosed, false},
	}
	for _, tt := range tests {
		err := CheckTransition(tt.from, tt.to)
		if (err == nil) != tt.ok {
			t.Errorf("CheckTransition(%s, %s) = %v, want ok %v", tt.from, tt.to, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrTransition) {
			t.Errorf("CheckTransition(%s, %s) = %v, not ErrTransition", tt.from, tt.to, err)
		}
	}
	for _, s := range Statuses() {
		if !s.Valid() {
			t.Errorf("%s is not valid", s)
		}
		if s != StatusClosed && !s.CanBecome(StatusClosed) {
			t.Errorf("%s cannot be closed", s)
		}
	}
}

func TestParseTLP(t *testing.T) {
	tests := []struct {
		in   string
		want TLP
		ok   bool
	}{
		{"TLP:CLEAR", TLPClear, true},
		{"green", TLPGreen, true},
		{" tlp:amber ", TLPAmber, true},
		{"TLP:AMBER+STRICT", TLPAmberStrict, true},
		{"RED", TLPRed, true},
		{"WHITE", "", false}, // TLP 1.0's name of CLEAR
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := ParseTLP(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseTLP(%q) = %q, %v", tt.in, got, err)
		}
	}
	if TLPAmber.String() != "TLP:AMBER" {
		t.Errorf("String = %q", TLPAmber.String())
	}
}

func TestRef(t *testing.T) {
	if got := Ref(time.Date(2000, 4, 3, 0, 0, 0, 0, time.UTC), 1); got != "IN-2000-0001" {
		t.Errorf("Ref = %q", got)
	}
	if got := Ref(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 123456); got != "IN-2026-123456" {
		t.Errorf("Ref = %q", got)
	}
}

func TestCheckDecision(t *testing.T) {
	tests := []struct {
		in      Decision
		rsit    string
		wantErr string
	}{
		{Decision{Category: "intrusion"}, "intrusions:system-compromise", ""},
		{Decision{Category: " probe ", RSIT: "intrusion-attempts:exploit"}, "intrusion-attempts:exploit", ""},
		{Decision{Category: "worm", RSIT: "malicious-code:c2-server", Note: "  checked "}, "malicious-code:c2-server", ""},
		{Decision{Category: "scan"}, "", "unknown category"},
		{Decision{Category: "probe", RSIT: "fraud:scanner"}, "", "no RSIT"},
		{Decision{Category: "probe", Note: strings.Repeat("x", MaxNote+1)}, "", "at most"},
	}
	for _, tt := range tests {
		got, err := CheckDecision(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalid) {
				t.Errorf("CheckDecision(%+v) = %v, want an error with %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.RSIT != tt.rsit {
			t.Errorf("CheckDecision(%+v) = %+v, %v; want RSIT %s", tt.in, got, err, tt.rsit)
		}
	}
}

func TestCheckTitleAndNote(t *testing.T) {
	if _, err := CheckTitle("  "); err == nil {
		t.Error("empty title accepted")
	}
	if _, err := CheckTitle("a\nb"); err == nil {
		t.Error("two-line title accepted")
	}
	if got, err := CheckTitle(" statd の侵入 "); err != nil || got != "statd の侵入" {
		t.Errorf("CheckTitle = %q, %v", got, err)
	}
	if _, err := CheckNote(""); err == nil {
		t.Error("empty note accepted")
	}
}
