package host

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/reason"
)

// procSocket is one line of /proc/net/{tcp,udp,tcp6,udp6}.
type procSocket struct {
	Local, Remote netip.AddrPort
	State         string // ESTABLISHED, LISTEN, UNCONN, ...
}

// tcpStates names the kernel's TCP state codes (include/net/tcp_states.h).
var tcpStates = map[uint64]string{
	0x01: "ESTABLISHED", 0x02: "SYN_SENT", 0x03: "SYN_RECV", 0x04: "FIN_WAIT1", 0x05: "FIN_WAIT2",
	0x06: "TIME_WAIT", 0x07: "CLOSE", 0x08: "CLOSE_WAIT", 0x09: "LAST_ACK", 0x0A: "LISTEN",
	0x0B: "CLOSING", 0x0C: "NEW_SYN_RECV",
}

var errProcNetLine = errors.New("malformed /proc/net line")

// parseProcNetLine parses one socket line: "  0: 00000000:07D2 00000000:0000 07 ...". udp selects
// the UDP state names (07 is an unconnected socket, not CLOSE). The header line is an error.
func parseProcNetLine(line string, udp bool) (procSocket, error) {
	fields := strings.Fields(line)
	if len(fields) < 4 || !strings.HasSuffix(fields[0], ":") {
		return procSocket{}, errProcNetLine
	}
	local, err := parseProcAddr(fields[1])
	if err != nil {
		return procSocket{}, err
	}
	remote, err := parseProcAddr(fields[2])
	if err != nil {
		return procSocket{}, err
	}
	code, err := strconv.ParseUint(fields[3], 16, 8)
	if err != nil {
		return procSocket{}, fmt.Errorf("%w: state %q", errProcNetLine, fields[3])
	}
	return procSocket{Local: local, Remote: remote, State: socketState(code, udp)}, nil
}

func socketState(code uint64, udp bool) string {
	if udp {
		switch code {
		case 0x07:
			return "UNCONN"
		case 0x01:
			return "ESTABLISHED"
		}
	} else if name, ok := tcpStates[code]; ok {
		return name
	}
	return fmt.Sprintf("%02X", code)
}

// parseProcAddr decodes "0100007F:0050". The kernel prints the address as 32-bit words in host
// byte order (little-endian on the machines keikai runs on), the port as a plain number.
func parseProcAddr(s string) (netip.AddrPort, error) {
	hexAddr, hexPort, ok := strings.Cut(s, ":")
	if !ok || len(hexPort) != 4 {
		return netip.AddrPort{}, fmt.Errorf("%w: address %q", errProcNetLine, s)
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%w: port %q", errProcNetLine, hexPort)
	}
	raw, err := hex.DecodeString(hexAddr)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("%w: address %q", errProcNetLine, hexAddr)
	}
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(raw[i:], binary.LittleEndian.Uint32(raw[i:]))
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), nil
}

// sockets emits the sockets listed under the resolved proc directory.
func (c *collector) sockets(procHost string) {
	tables := []struct {
		name  string
		proto string
	}{{"tcp", "tcp"}, {"udp", "udp"}, {"tcp6", "tcp"}, {"udp6", "udp"}}
	for _, t := range tables {
		if c.ctx.Err() != nil {
			return
		}
		c.socketTable(procHost, t.name, t.proto)
	}
}

func (c *collector) socketTable(procHost, name, proto string) {
	target := "/proc/net/" + name
	hp, err := c.r.resolve(c.r.targetPath(procHost)+"/net/"+name, true)
	if err != nil {
		if !isAbsent(err) { // no tcp6 when IPv6 is off: nothing to report
			c.report(AreaSockets, target, err)
		}
		return
	}
	f, err := c.r.openRegular(hp)
	if err != nil {
		if !isAbsent(err) {
			c.report(AreaSockets, target, err)
		}
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	bad := 0
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first { // the column header
			first = false
			continue
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		s, err := parseProcNetLine(line, proto == "udp")
		if err != nil {
			bad++
			continue
		}
		e := socketEvent(proto, s)
		// Only the leading word is prose; addresses and the state are the kernel's.
		c.emit(e, "ソケット"+strings.TrimPrefix(string(e.Raw), "socket"))
	}
	if err := sc.Err(); err != nil {
		c.report(AreaSockets, target, reason.Wrap(err, "reading stopped", "読み取りが途中で止まりました"))
	}
	if bad > 0 {
		c.report(AreaSockets, target, reason.New(fmt.Sprintf("%d lines could not be parsed and were skipped", bad), fmt.Sprintf("%d 行を解析できず、読み飛ばしました", bad)))
	}
}

// socketEvent: `socket udp 0.0.0.0:2002 -> 0.0.0.0:0 UNCONN`.
func socketEvent(proto string, s procSocket) *event.Event {
	lip, lport := s.Local.Addr().String(), strconv.Itoa(int(s.Local.Port()))
	rip, rport := s.Remote.Addr().String(), strconv.Itoa(int(s.Remote.Port()))
	raw := "socket " + proto + " " + joinHostPort(lip, lport) + " -> " + joinHostPort(rip, rport) + " " + s.State
	e := newEvent(event.FormatHostSocket, raw)
	e.SetString(event.Protocol, proto)
	setValue(e, event.LocalIP, lip)
	setValue(e, event.LocalPort, lport)
	setValue(e, event.RemoteIP, rip)
	setValue(e, event.RemotePort, rport)
	e.SetString(event.State, s.State)
	return e
}

func joinHostPort(ip, port string) string {
	if strings.Contains(ip, ":") {
		return "[" + ip + "]:" + port
	}
	return ip + ":" + port
}
