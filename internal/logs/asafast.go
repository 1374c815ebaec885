package logs

// The common forms of ASA's two most frequent access messages, read word by word in one pass.
// Each gives ok=false for every message it does not take, leaving it to parseCiscoASAWords, and
// for every message it takes the fields parseCiscoASAWords would set (FuzzASAFastSameAsWords).

// asaDenyFast reads 106023's "Deny PROTO src IF:A.B.C.D[/PORT] dst IF:A.B.C.D[/PORT]", the
// protocol word one that asaProtocol names and the destination's word followed by a space or the
// end. The " src " and " dst " that follow the protocol word and the source are then the first in
// the message, where parseCiscoASAWords takes the endpoints from.
func asaDenyFast(msg []byte) (f asaFields, ok bool) {
	if !hasPrefix(msg, "Deny ") {
		return f, false
	}
	r := msg[len("Deny "):]
	i := 0 // the protocol word is a few bytes, where a loop costs less than bytes.IndexByte's call
	for i < len(r) && r[i] != ' ' {
		i++
	}
	if f.proto = asaProtocol(r[:i]); f.proto == nil || !hasPrefix(r[i:], " src ") {
		return f, false
	}
	r = r[i+len(" src "):]
	var n int
	if f.iface, f.src, f.sport, n, ok = asaColonIPv4(r); !ok || !hasPrefix(r[n:], " dst ") {
		return f, false
	}
	r = r[n+len(" dst "):]
	_, f.dst, f.dport, _, ok = asaColonIPv4(r)
	return f, ok
}

// asaListFast reads 106100's "access-list NAME denied PROTO IF/A.B.C.D[(PORT)] ->
// IF/A.B.C.D[(PORT)]", each endpoint's word followed by a space or the end, with " denied "
// within the first 64 bytes, where parseCiscoASAWords looks for the verdict (" denied " wins over
// the others wherever they are). f.proto is nil when asaProtocol names no protocol.
func asaListFast(msg []byte) (f asaFields, ok bool) {
	if !hasPrefix(msg, "access-list ") {
		return f, false
	}
	i := len("access-list ")
	for i < len(msg) && msg[i] != ' ' { // the name
		i++
	}
	if i+len(" denied ") > 64 || !hasPrefix(msg[i:], " denied ") {
		return f, false
	}
	r := msg[i+len(" denied "):]
	i = 0
	for i < len(r) && r[i] != ' ' {
		i++
	}
	if i == 0 || i == len(r) {
		return f, false
	}
	f.proto = asaProtocol(r[:i])
	r = r[i+1:]
	var n int
	if f.iface, f.src, f.sport, n, ok = asaSlashIPv4(r); !ok || !hasPrefix(r[n:], " -> ") {
		return f, false
	}
	r = r[n+len(" -> "):]
	_, f.dst, f.dport, _, ok = asaSlashIPv4(r)
	return f, ok
}

// asaColonIPv4 reads the word at the start of b when it is "IF:A.B.C.D" or "IF:A.B.C.D/PORT"
// (PORT digits, maybe none) and ends at a space or the end of b: what asaColonEndpoint gives for
// it, and the word's length. The interface is a byte or more, none of them ':', '/' or a space,
// and the first not one that trimParensComma drops; so the address is the only one, and w has
// one colon only and so is no IPv6 address.
func asaColonIPv4(b []byte) (iface, ip, port []byte, n int, ok bool) {
	if len(b) == 0 || b[0] == '(' || b[0] == ')' || b[0] == ',' {
		return nil, nil, nil, 0, false
	}
	i := 0 // interface names are a few bytes, where a loop costs less than bytes.IndexByte's call
	for i < len(b) && b[i] != ':' && b[i] != '/' && b[i] != ' ' {
		i++
	}
	if i == 0 || i >= len(b) || b[i] != ':' {
		return nil, nil, nil, 0, false
	}
	a := b[i+1:]
	end, ok := ipv4Lead(a)
	if !ok {
		return nil, nil, nil, 0, false
	}
	n = end
	if n < len(a) && a[n] == '/' {
		n++
		for n < len(a) && isDigit(a[n]) {
			n++
		}
		if n > end+1 {
			port = a[end+1 : n]
		}
	}
	if n < len(a) && a[n] != ' ' {
		return nil, nil, nil, 0, false
	}
	return b[:i], a[:end], port, i + 1 + n, true
}

// asaSlashIPv4 reads the word at the start of b when it is "IF/A.B.C.D" or "IF/A.B.C.D(PORT)"
// (PORT digits, maybe none) and ends at a space or the end of b: what asaSlashEndpoint gives for
// it, the address being one, and the word's length. The interface is a byte or more, none of them
// '/', '(' or a space.
func asaSlashIPv4(b []byte) (iface, ip, port []byte, n int, ok bool) {
	i := 0 // as in asaColonIPv4
	for i < len(b) && b[i] != '/' && b[i] != '(' && b[i] != ' ' {
		i++
	}
	if i == 0 || i >= len(b) || b[i] != '/' {
		return nil, nil, nil, 0, false
	}
	a := b[i+1:]
	end, ok := ipv4Lead(a)
	if !ok {
		return nil, nil, nil, 0, false
	}
	n = end
	if n < len(a) && a[n] == '(' {
		n++
		for n < len(a) && isDigit(a[n]) {
			n++
		}
		if n >= len(a) || a[n] != ')' {
			return nil, nil, nil, 0, false
		}
		port = a[end+1 : n]
		n++
	}
	if n < len(a) && a[n] != ' ' {
		return nil, nil, nil, 0, false
	}
	return b[:i], a[:end], port, i + 1 + n, true
}
