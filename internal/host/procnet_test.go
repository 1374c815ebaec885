package host

import (
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

func TestParseProcNetLine(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		udp     bool
		want    string // "local remote state"
		wantErr bool
	}{
		{"udp bound to 2002", "  7: 00000000:07D2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12345 2 0000000000000000 0", true, "0.0.0.0:2002 0.0.0.0:0 UNCONN", false},
		{"udp connected", "  8: 0100007F:0FA4 0200000A:0FA4 01 00000000:00000000 00:00000000 00000000 48 0 99 2 0 0", true, "127.0.0.1:4004 10.0.0.2:4004 ESTABLISHED", false},
		{"tcp listen 443", "   0: 00000000:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0", false, "0.0.0.0:443 0.0.0.0:0 LISTEN", false},
		{"tcp established", "   1: 0F02000A:0050 6433A8C0:C350 01 00000000:00000000 00:00000000 00000000 48 0 2", false, "10.0.2.15:80 192.168.51.100:50000 ESTABLISHED", false},
		{"tcp time wait", "   2: 0100007F:0016 0100007F:9C40 06 00000000:00000000 03:00000000 00000000 0 0 0", false, "127.0.0.1:22 127.0.0.1:40000 TIME_WAIT", false},
		{"tcp6 any", "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 3", false, "[::]:22 [::]:0 LISTEN", false},
		{"tcp6 loopback", "   1: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 0 0 0", false, "[::1]:631 [::]:0 LISTEN", false},
		{"tcp6 documentation address", "   2: B80D0120000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 0 0 0", false, "[2001:db8::1]:80 [::]:0 LISTEN", false},
		{"v4-mapped shown as v4", "   3: 0000000000000000FFFF00000100007F:07D2 0000000000000000FFFF00000200000A:07D2 01 0 0 0", true, "127.0.0.1:2002 10.0.0.2:2002 ESTABLISHED", false},
		{"unknown state kept as code", "   4: 00000000:07D2 00000000:0000 0D 0 0 0", false, "0.0.0.0:2002 0.0.0.0:0 0D", false},
		{"header", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode", false, "", true},
		{"odd address length", "   0: 0000000:07D2 00000000:0000 0A 0 0 0", false, "", true},
		{"no port", "   0: 00000000 00000000:0000 0A 0 0 0", false, "", true},
		{"bad state", "   0: 00000000:07D2 00000000:0000 ZZ 0 0 0", false, "", true},
		{"empty", "", false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseProcNetLine(tt.line, tt.udp)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			got := s.Local.String() + " " + s.Remote.String() + " " + s.State
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParseProcNetLine(f *testing.F) {
	f.Add("  7: 00000000:07D2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12345", true)
	f.Add("   0: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 0", false)
	f.Add("0: :: 1", false)
	f.Fuzz(func(t *testing.T, line string, udp bool) {
		s, err := parseProcNetLine(line, udp)
		if err != nil {
			return
		}
		if s.State == "" || !s.Local.IsValid() || !s.Remote.IsValid() {
			t.Errorf("parsed %q into an incomplete socket %+v", line, s)
		}
		e := socketEvent("udp", s)
		for _, f := range []event.Field{event.LocalIP, event.LocalPort, event.RemoteIP, event.RemotePort} {
			if !strings.Contains(string(e.Raw), string(e.Get(f))) {
				t.Errorf("Raw %q lacks %s %q", e.Raw, f, e.Get(f))
			}
		}
	})
}

const procNetHeader = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

func TestCollectSockets(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"proc/net/udp": procNetHeader +
			"  7: 00000000:07D2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12345 2 0000000000000000 0\n" +
			"  8: garbage\n",
		"proc/net/tcp": procNetHeader +
			"   0: 00000000:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n",
		"proc/net/tcp6": procNetHeader +
			"   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 3\n",
		// no udp6: IPv6 UDP off is not a problem
	})
	c := collect(t, root, Targets{})
	tests := []struct {
		proto, ip, port, state, raw string
	}{
		{"udp", "0.0.0.0", "2002", "UNCONN", "socket udp 0.0.0.0:2002 -> 0.0.0.0:0 UNCONN"},
		{"tcp", "0.0.0.0", "443", "LISTEN", "socket tcp 0.0.0.0:443 -> 0.0.0.0:0 LISTEN"},
		{"tcp", "::", "80", "LISTEN", "socket tcp [::]:80 -> [::]:0 LISTEN"},
	}
	for _, tt := range tests {
		m, ok := c.find(event.FormatHostSocket, "LocalPort", tt.port)
		if !ok {
			t.Errorf("no socket on port %s; sockets: %v", tt.port, c.ofFormat(event.FormatHostSocket))
			continue
		}
		if m["Protocol"] != tt.proto || m["LocalIp"] != tt.ip || m["State"] != tt.state || m["Raw"] != tt.raw ||
			m["RemotePort"] != "0" {
			t.Errorf("socket %v, want %+v", m, tt)
		}
	}
	if n := len(c.ofFormat(event.FormatHostSocket)); n != 3 {
		t.Errorf("%d sockets, want 3", n)
	}
	ps := c.problemsIn(AreaSockets)
	if len(ps) != 1 || !strings.Contains(ps[0].Err.Error(), "1 lines could not be parsed") || ps[0].Path != "/proc/net/udp" {
		t.Errorf("problems = %v, want one about the garbage line of /proc/net/udp", ps)
	}
}
