package sigma

import (
	"bytes"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

const probeDetection = `ports:
  DestinationPort: [21, 22, 23, 25, 53, 79, 80, 109, 110, 111, 143, 513, 514, 1080, 1114, 1243, 2140, 2425, 3128, 8080, 12345, 31337]
blocked:
  Action: [deny, drop, reject, block, denied]
condition: ports and blocked`

const statdDetection = `program:
  Program|endswith: statd
traversal:
  Message|contains: 'attempt to create "/var/statmon/sm//../'
format:
  Message|re: 'gethostbyname error.*%[0-9]*x'
condition: program and (traversal or format)`

func firewallEvent() *event.Event {
	raw := []byte("Feb 25 12:11:24 bridge kernel: INBOUND TCP: IN=br0 SRC=198.51.100.38 DST=192.0.2.83 PROTO=TCP SPT=1629 DPT=139 SYN URGP=0")
	e := &event.Event{}
	e.Reset(raw)
	e.Format = event.FormatIptables
	i := bytes.Index(raw, []byte("DPT=")) + 4
	e.Set(event.DestinationPort, raw[i:i+3])
	e.SetString(event.Action, "drop")
	return e
}

func statdEvent() *event.Event {
	raw := []byte(`Mar 13 12:34:56 YOUR.HOST.NAME statd[44]: attempt to create "/var/statmon/sm//../../../../tmp/.nfs09 XbinXsh tirdwr"`)
	e := &event.Event{}
	e.Reset(raw)
	e.Format = event.FormatSyslog
	p := bytes.Index(raw, []byte("statd"))
	e.Set(event.Program, raw[p:p+5])
	e.Set(event.Message, raw[p+11:])
	return e
}

func TestMatchDoesNotAllocate(t *testing.T) {
	for _, c := range []struct {
		name, logsource, detection string
		ev                         *event.Event
	}{
		{"probe", "{category: firewall}", probeDetection, firewallEvent()},
		{"statd", "{product: linux}", statdDetection, statdEvent()},
		{"cidr", "", "s: {SourceIp|cidr: [10.0.0.0/8, 198.51.100.0/24]}\ncondition: s", ev("", "SourceIp", "198.51.100.38")},
		{"glob", "", "s: {Message: '*a?b*c*'}\ncondition: s", ev("", "Message", "xxxaXbyyyc")},
		{"version", "", "s: {PackageVersion|lte: 0.9.6d}\ncondition: s", ev("", "PackageVersion", "0.9.6b-28")},
	} {
		r := compileOne(t, c.logsource, c.detection)
		if n := testing.AllocsPerRun(100, func() { r.Match(c.ev) }); n != 0 {
			t.Errorf("%s: Match allocates %.1f times", c.name, n)
		}
	}
	if !compileOne(t, "{product: linux}", statdDetection).Match(statdEvent()) {
		t.Error("statd rule does not match the advisory's line")
	}
	fw := firewallEvent()
	if string(fw.Get(event.DestinationPort)) != "139" || compileOne(t, "{category: firewall}", probeDetection).Match(fw) {
		t.Error("port 139 is not in the probe list")
	}
	fw.Set(event.DestinationPort, []byte("31337"))
	if !compileOne(t, "{category: firewall}", probeDetection).Match(fw) {
		t.Error("port 31337 is in the probe list")
	}
}

func BenchmarkMatchFirewallPorts(b *testing.B) {
	r := compileOne(b, "{category: firewall}", probeDetection)
	e := firewallEvent()
	b.ReportAllocs()
	for b.Loop() {
		r.Match(e)
	}
}

func BenchmarkMatchStatd(b *testing.B) {
	r := compileOne(b, "{product: linux}", statdDetection)
	e := statdEvent()
	b.ReportAllocs()
	for b.Loop() {
		r.Match(e)
	}
}
