package logs

// The common forms of ASA's three most frequent access messages, read word by word in one pass.
// Each returns false for every message it does not take, leaving it to parseCiscoASAWords, and
// for every message it takes the fields parseCiscoASAWords would set (FuzzASAFastSameAsWords).

// asaDenyFast reads 106023's "Deny PROTO src IF:A.B.C.D[/PORT] dst IF:A.B.C.D[/PORT]" into f,
// the protocol word one that asaProtocol names and the destination's word followed by a space or
// the end. The " src " and " dst " that follow the protocol word and the source are then the
// first in the message, where parseCiscoASAWords takes the endpoints from.
func asaDenyFast(msg []byte, f *asaFields) bool {
	if !hasPrefix(msg, "Deny ") {
		return false
	}
	r := msg[len("Deny "):]
	i := 0 // the protocol word is a few bytes, where a loop costs less than bytes.IndexByte's call
	for i < len(r) && r[i] != ' ' {
		i++
	}
	if f.proto = asaProtocol(r[:i]); f.proto == nil || !hasPrefix(r[i:], " src ") {
		return false
	}
	r = r[i+len(" src "):]
	colon, addr, n, ok := asaColonIPv4(r)
	if !ok || !hasPrefix(r[n:], " dst ") {
		return false
	}
	f.iface, f.src = r[:colon], r[colon+1:addr]
	if n > addr+1 {
		f.sport = r[addr+1 : n]
	}
	r = r[n+len(" dst "):]
	if colon, addr, n, ok = asaColonIPv4(r); !ok {
		return false
	}
	f.dst = r[colon+1 : addr]
	if n > addr+1 {
		f.dport = r[addr+1 : n]
	}
	return true
}

// asaInboundFast reads 106001's "Inbound PROTO connection denied from A.B.C.D[/PORT] to
// A.B.C.D[/PORT]" into f, the protocol word one that asaProtocol names, " denied " within the
// first 64 bytes, the destination's word followed by a space or the end, and no " src " anywhere
// in the message. parseCiscoASAWords then takes the endpoints after the first " from " and the
// " to " after it, which are these.
func asaInboundFast(msg []byte, f *asaFields) bool {
	if !hasPrefix(msg, "Inbound ") {
		return false
	}
	r := msg[len("Inbound "):]
	i := 0 // as in asaDenyFast
	for i < len(r) && r[i] != ' ' {
		i++
	}
	const phrase = " connection denied from "
	if f.proto = asaProtocol(r[:i]); f.proto == nil || !hasPrefix(r[i:], phrase) ||
		len("Inbound ")+i+len(" connection denied ") > 64 {
		return false
	}
	r = r[i+len(phrase):]
	addr, n, ok := asaAddrPort(r)
	if !ok || !hasPrefix(r[n:], " to ") {
		return false
	}
	f.src = r[:addr]
	if n > addr+1 {
		f.sport = r[addr+1 : n]
	}
	r = r[n+len(" to "):]
	if addr, n, ok = asaAddrPort(r); !ok {
		return false
	}
	f.dst = r[:addr]
	if n > addr+1 {
		f.dport = r[addr+1 : n]
	}
	// bytes.Index would stop at every space; 'r' is rarer in these messages.
	return indexRareAt(msg, " src ", 2) < 0
}

// asaListFast reads 106100's "access-list NAME denied PROTO IF/A.B.C.D[(PORT)] ->
// IF/A.B.C.D[(PORT)]" into f, each endpoint's word followed by a space or the end, with
// " denied " within the first 64 bytes, where parseCiscoASAWords looks for the verdict
// (" denied " wins over the others wherever they are). f.proto is nil when asaProtocol names no
// protocol.
func asaListFast(msg []byte, f *asaFields) bool {
	if !hasPrefix(msg, "access-list ") {
		return false
	}
	i := len("access-list ")
	for i < len(msg) && msg[i] != ' ' { // the name
		i++
	}
	if i+len(" denied ") > 64 || !hasPrefix(msg[i:], " denied ") {
		return false
	}
	r := msg[i+len(" denied "):]
	i = 0
	for i < len(r) && r[i] != ' ' {
		i++
	}
	if i == 0 || i == len(r) {
		return false
	}
	f.proto = asaProtocol(r[:i])
	r = r[i+1:]
	slash, addr, n, ok := asaSlashIPv4(r)
	if !ok || !hasPrefix(r[n:], " -> ") {
		return false
	}
	f.iface, f.src = r[:slash], r[slash+1:addr]
	if n > addr {
		f.sport = r[addr+1 : n-1]
	}
	r = r[n+len(" -> "):]
	if slash, addr, n, ok = asaSlashIPv4(r); !ok {
		return false
	}
	f.dst = r[slash+1 : addr]
	if n > addr {
		f.dport = r[addr+1 : n-1]
	}
	return true
}

// asaColonIPv4 reads the word at the start of b when it is "IF:A.B.C.D" or "IF:A.B.C.D/PORT"
// (PORT digits, maybe none) and ends at a space or the end of b. It returns where the colon is,
// where the address ends and where the word does; asaColonEndpoint gives for the word the
// interface b[:colon], the address b[colon+1:addr] and the port b[addr+1:n] when that has a
// digit, else none. The interface is a byte or more, none of them ':', '/' or a space, and the
// first not one that trimParensComma drops; so the address is the only one, and the word has one
// colon only and so is no IPv6 address.
func asaColonIPv4(b []byte) (colon, addr, n int, ok bool) {
	if len(b) == 0 || b[0] == '(' || b[0] == ')' || b[0] == ',' {
		return 0, 0, 0, false
	}
	colon = indexAny3(b, ':', '/', ' ')
	if colon == 0 || colon >= len(b) || b[colon] != ':' {
		return 0, 0, 0, false
	}
	addr, n, ok = asaAddrPort(b[colon+1:])
	if !ok {
		return 0, 0, 0, false
	}
	return colon, colon + 1 + addr, colon + 1 + n, true
}

// asaAddrPort reads the word at the start of b when it is "A.B.C.D" or "A.B.C.D/PORT" (PORT
// digits, maybe none) and ends at a space or the end of b: it returns where the address ends and
// where the word does. asaColonEndpoint gives for such a word no interface, the address b[:addr]
// and the port b[addr+1:n] when that has a digit, else none.
func asaAddrPort(b []byte) (addr, n int, ok bool) {
	if addr, ok = ipv4Lead(b); !ok {
		return 0, 0, false
	}
	n = addr
	if n < len(b) && b[n] == '/' {
		n++
		for n < len(b) && isDigit(b[n]) { // ports are a few digits: a loop costs less than a search
			n++
		}
	}
	if n < len(b) && b[n] != ' ' {
		return 0, 0, false
	}
	return addr, n, true
}

// asaSlashIPv4 reads the word at the start of b when it is "IF/A.B.C.D" or "IF/A.B.C.D(PORT)"
// (PORT digits, maybe none) and ends at a space or the end of b. It returns where the slash is,
// where the address ends and where the word does; asaSlashEndpoint gives for the word the
// interface b[:slash], the address b[slash+1:addr], one, and the port b[addr+1:n-1] when n > addr,
// else none. The interface is a byte or more, none of them '/', '(' or a space.
func asaSlashIPv4(b []byte) (slash, addr, n int, ok bool) {
	slash = indexAny3(b, '/', '(', ' ')
	if slash == 0 || slash >= len(b) || b[slash] != '/' {
		return 0, 0, 0, false
	}
	end, ok := ipv4Lead(b[slash+1:])
	if !ok {
		return 0, 0, 0, false
	}
	addr = slash + 1 + end
	n = addr
	if n < len(b) && b[n] == '(' {
		n++
		for n < len(b) && isDigit(b[n]) {
			n++
		}
		if n >= len(b) || b[n] != ')' {
			return 0, 0, 0, false
		}
		n++
	}
	if n < len(b) && b[n] != ' ' {
		return 0, 0, 0, false
	}
	return slash, addr, n, true
}
