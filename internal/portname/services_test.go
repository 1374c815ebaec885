package portname

import "testing"

func TestNames(t *testing.T) {
	tests := []struct {
		proto string
		port  int
		want  string
	}{
		{"tcp", 111, "sunrpc"}, {"udp", 111, "sunrpc"}, {"udp", 137, "netbios-ns"},
		{"tcp", 514, "shell"}, {"udp", 514, "syslog"}, {"udp", 2002, "slapper"},
		{"tcp", 31337, "backorifice"}, {"tcp", 40000, ""}, {"icmp", 8, ""},
	}
	for _, tt := range tests {
		if got := Port(tt.proto, tt.port); got != tt.want {
			t.Errorf("Port(%q, %d) = %q, want %q", tt.proto, tt.port, got, tt.want)
		}
	}
	if got := ICMPType(8); got != "echo request" {
		t.Errorf("ICMPType(8) = %q", got)
	}
	if got := ICMPType(99); got != "type 99" {
		t.Errorf("ICMPType(99) = %q", got)
	}
}
