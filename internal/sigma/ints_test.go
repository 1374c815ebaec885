package sigma

import (
	"fmt"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

func TestRequiredInts(t *testing.T) {
	tests := []struct {
		name      string
		detection string
		want      string // fmt of the values, or "none"
	}{
		{"port list", "sel:\n    DestinationPort: [80, 21, 80]\n  condition: sel", "[21 80]"},
		{"and with other field", "sel:\n    DestinationPort: 111\n    Protocol: udp\n  condition: sel", "[111]"},
		{"and keeps the smallest set", "a:\n    DestinationPort: [1, 2, 3]\n  b:\n    DestinationPort: [2]\n  condition: a and b", "[2]"},
		{"or unions", "a:\n    DestinationPort: 23\n  b:\n    DestinationPort: 513\n  condition: a or b", "[23 513]"},
		{"or with another field has no bound", "a:\n    DestinationPort: 2002\n  b:\n    SourcePort: 2002\n  condition: a or b", "none"},
		{"not has no bound", "a:\n    DestinationPort: 23\n  condition: not a", "none"},
		{"comparison has no bound", "a:\n    DestinationPort|gte: 1024\n  condition: a", "none"},
		{"quoted value compares as text", "a:\n    DestinationPort: '80'\n  condition: a", "none"},
		{"other field", "a:\n    SourcePort: 80\n  condition: a", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "title: t\nlogsource:\n  category: firewall\ndetection:\n  " + tt.detection + "\n"
			rules, err := ParseFile("t.yml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			vals, ok := rules[0].RequiredInts(event.DestinationPort)
			got := "none"
			if ok {
				got = fmt.Sprint(vals)
			}
			if got != tt.want {
				t.Fatalf("RequiredInts = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRequiredIntsAmong(t *testing.T) {
	ports := []event.Field{event.SourcePort, event.DestinationPort}
	tests := []struct {
		name      string
		detection string
		want      string // fmt of the result, or "none"
	}{
		{"or of both ports", "udp:\n    Protocol: udp\n  a:\n    SourcePort: 2002\n  b:\n    DestinationPort: [2002, 7]\n  condition: udp and (a or b)",
			"[{SourcePort [2002]} {DestinationPort [7 2002]}]"},
		{"one of pattern", "udp:\n    Protocol: udp\n  sel_a:\n    SourcePort: 2002\n  sel_b:\n    DestinationPort: 2002\n  condition: udp and 1 of sel_*",
			"[{SourcePort [2002]} {DestinationPort [2002]}]"},
		{"and keeps the fewest", "a:\n    SourcePort: [7, 19]\n    DestinationPort: [7]\n  condition: a", "[{DestinationPort [7]}]"},
		{"or with an unbounded branch", "a:\n    SourcePort: 1\n  b:\n    Protocol: udp\n  condition: a or b", "none"},
		{"other field", "a:\n    IcmpType: 8\n  condition: a", "none"},
		{"not", "a:\n    SourcePort: 1\n  condition: not a", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "title: t\nlogsource:\n  category: firewall\ndetection:\n  " + tt.detection + "\n"
			rules, err := ParseFile("t.yml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			got := "none"
			if fi, ok := rules[0].RequiredIntsAmong(ports); ok {
				got = fmt.Sprint(fi)
			}
			if got != tt.want {
				t.Fatalf("RequiredIntsAmong = %s, want %s", got, tt.want)
			}
		})
	}
}
