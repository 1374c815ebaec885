package assess

import (
	"bytes"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keikai-project/keikai/internal/report"
)

// DefaultMaxObservables bounds the distinct values kept per kind of observable: a report with a
// month of firewall logs names thousands of addresses, and the first ones and their counts are
// what an analyst reads.
const DefaultMaxObservables = 200

// reservedPrefixes are the special-purpose ranges (RFC 6890 and successors) that net/netip has no
// predicate for; addresses in them identify no one on the Internet.
var reservedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the limited broadcast address
	netip.MustParsePrefix("2001:db8::/32"),   // IPv6 documentation
	netip.MustParsePrefix("3fff::/20"),       // IPv6 documentation (RFC 9637)
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
}

// Reserved reports whether a is private, loopback, link-local, multicast, unspecified, for
// documentation, carrier-grade NAT, or otherwise not a host on the public Internet.
func Reserved(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() {
		return true
	}
	for _, p := range reservedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// observer collects observables with their counts, at most max distinct values per kind.
type observer struct {
	max     int
	values  map[report.ObservableKind]map[string]*report.Observable
	order   map[report.ObservableKind][]*report.Observable
	dropped int
}

func newObserver(max int) *observer {
	return &observer{max: max, values: map[report.ObservableKind]map[string]*report.Observable{},
		order: map[report.ObservableKind][]*report.Observable{}}
}

func (o *observer) add(kind report.ObservableKind, value string, reserved bool) {
	m := o.values[kind]
	if m == nil {
		m = map[string]*report.Observable{}
		o.values[kind] = m
	}
	if ob, ok := m[value]; ok {
		ob.Count++
		return
	}
	if len(m) >= o.max {
		o.dropped++
		return
	}
	ob := &report.Observable{Kind: kind, Value: value, Reserved: reserved, Count: 1}
	m[value] = ob
	o.order[kind] = append(o.order[kind], ob)
}

func (o *observer) addIP(a netip.Addr) {
	a = a.Unmap()
	o.add(report.ObservableIP, a.String(), Reserved(a))
}

func (o *observer) addPort(p int64) {
	if p > 0 && p <= 65535 {
		o.add(report.ObservablePort, strconv.FormatInt(p, 10), false)
	}
}

func (o *observer) addTime(t time.Time) {
	o.add(report.ObservableTime, t.UTC().Format(time.RFC3339), false)
}

// kindOrder is the order in which a report lists its observables.
var kindOrder = []report.ObservableKind{report.ObservableIP, report.ObservableHostname, report.ObservableEmail,
	report.ObservableURL, report.ObservablePort, report.ObservableTime}

// list returns the observables: by kind, then most frequent first (times in time order).
func (o *observer) list() []report.Observable {
	var out []report.Observable
	for _, kind := range kindOrder {
		obs := o.order[kind]
		sorted := make([]report.Observable, len(obs))
		for i, ob := range obs {
			sorted[i] = *ob
		}
		if kind == report.ObservableTime {
			slices.SortStableFunc(sorted, func(a, b report.Observable) int { return strings.Compare(a.Value, b.Value) })
		} else {
			slices.SortStableFunc(sorted, func(a, b report.Observable) int { return b.Count - a.Count })
		}
		out = append(out, sorted...)
	}
	return out
}

// Observe returns the observables found in text (addresses, host names, e-mail addresses, URLs,
// ports named in prose), at most max distinct values per kind.
func Observe(text []byte, max int) []report.Observable {
	if max <= 0 {
		max = DefaultMaxObservables
	}
	o := newObserver(max)
	o.text(text)
	return o.list()
}

// text finds the observables of one piece of prose or log text. URLs and e-mail addresses are
// taken first and blanked out, so that the host inside them is not counted again as a host name.
func (o *observer) text(b []byte) {
	if len(b) == 0 {
		return
	}
	var work []byte // a copy, made only when something must be blanked out
	blank := func(i, j int) {
		if work == nil {
			work = bytes.Clone(b)
			b = work
		}
		for k := i; k < j; k++ {
			b[k] = ' '
		}
	}
	hasURL := bytes.Contains(b, []byte("://"))
	for _, scheme := range []string{"http://", "https://", "ftp://"} {
		if !hasURL {
			break
		}
		for from := 0; ; {
			i := indexFold(b[from:], scheme)
			if i < 0 {
				break
			}
			i += from
			j := i + len(scheme)
			for j < len(b) && isURLByte(b[j]) {
				j++
			}
			for j > i+len(scheme) && strings.IndexByte(".,;:!?)]}>'\"", b[j-1]) >= 0 {
				j--
			}
			if u, ok := normaliseURL(b[i:j], len(scheme)); ok {
				o.add(report.ObservableURL, u, false)
			}
			blank(i, j)
			from = j
		}
	}
	for from := 0; ; {
		at := bytes.IndexByte(b[from:], '@')
		if at < 0 {
			break
		}
		at += from
		i := at
		for i > 0 && isLocalByte(b[i-1]) {
			i--
		}
		for i < at && b[i] == '.' {
			i++
		}
		j := at + 1
		for j < len(b) && isHostByte(b[j]) {
			j++
		}
		for j > at+1 && (b[j-1] == '.' || b[j-1] == '-') {
			j--
		}
		domain := string(b[at+1 : j])
		if i < at && hostname(domain) {
			o.add(report.ObservableEmail, string(b[i:at])+"@"+strings.ToLower(domain), false)
			blank(i, j)
		}
		from = at + 1
	}
	o.ipv6(b)
	for i := 0; i < len(b); {
		if !isHostByte(b[i]) {
			i++
			continue
		}
		j := i
		for j < len(b) && isHostByte(b[j]) {
			j++
		}
		o.token(b, i, j)
		i = j
	}
	o.prosePorts(b)
}

// token classifies one run of host-name bytes: an IPv4 address, a host name, or neither.
func (o *observer) token(b []byte, i, j int) {
	tok := b[i:j]
	for len(tok) > 0 && (tok[len(tok)-1] == '.' || tok[len(tok)-1] == '-') {
		tok = tok[:len(tok)-1]
	}
	if bytes.Count(tok, []byte{'.'}) == 0 {
		return
	}
	// Exactly four dotted numbers: "1.3.6.1.2.1" (an SNMP OID) is one longer run, not an address.
	if isDigit(tok[0]) && bytes.Count(tok, []byte{'.'}) == 3 && allDigitsDots(tok) {
		if a, err := netip.ParseAddr(string(tok)); err == nil {
			o.addIP(a)
		}
		return
	}
	// A name right after a slash is a path's component ("/etc/named.conf", "/tmp/.bugtraq.c").
	if i > 0 && (b[i-1] == '/' || b[i-1] == '\\') {
		return
	}
	if hostname(string(tok)) {
		o.add(report.ObservableHostname, strings.ToLower(string(tok)), false)
	}
}

// ipv6 finds IPv6 addresses: runs of hex digits, colons and dots with at least two colons that
// net/netip accepts. Clock times ("12:34:56") and MAC addresses do not parse or are excluded.
func (o *observer) ipv6(b []byte) {
	for i := 0; i < len(b); {
		if !isV6Byte(b[i]) {
			i++
			continue
		}
		j := i
		for j < len(b) && isV6Byte(b[j]) {
			j++
		}
		tok := bytes.TrimRight(b[i:j], ".")
		// A run glued to letters ("stamp12:34:56", "DEADBEEF::") is part of a word.
		glued := (i > 0 && isAlnum(b[i-1])) || (j < len(b) && isAlnum(b[j]))
		if !glued && bytes.Count(tok, []byte{':'}) >= 2 && !isMAC(tok) {
			if a, err := netip.ParseAddr(string(tok)); err == nil && a.Is6() && a.Zone() == "" {
				o.addIP(a)
			}
		}
		i = j
	}
}

// isMAC reports whether tok is a hardware address written with colons (six or eight groups of
// two hex digits), which an eight-group one would otherwise parse as IPv6.
func isMAC(tok []byte) bool {
	groups := bytes.Split(tok, []byte{':'})
	if len(groups) != 6 && len(groups) != 8 {
		return false
	}
	for _, g := range groups {
		if len(g) != 2 {
			return false
		}
	}
	return true
}

// prosePorts finds ports named in prose: "port 111", "ports 21", "111/tcp", "137/udp",
// "ポート 111", "ポート番号 111", "111番ポート".
func (o *observer) prosePorts(b []byte) {
	num := func(k int) (int64, int) { // the number starting at k, and where it ends
		j := k
		for j < len(b) && isDigit(b[j]) && j-k < 6 {
			j++
		}
		if j == k || (j < len(b) && isAlnum(b[j])) {
			return 0, k
		}
		n, _ := strconv.ParseInt(string(b[k:j]), 10, 64)
		return n, j
	}
	numBefore := func(k int) int64 { // the number ending at k
		i := k
		for i > 0 && isDigit(b[i-1]) && k-i < 6 {
			i--
		}
		if i == k || (i > 0 && (isAlnum(b[i-1]) || b[i-1] == '.')) {
			return 0
		}
		n, _ := strconv.ParseInt(string(b[i:k]), 10, 64)
		return n
	}
	skipSpace := func(k int) int {
		for k < len(b) && (b[k] == ' ' || b[k] == '\t') {
			k++
		}
		return k
	}
	// Most log lines name no port in words: skip the searches unless a word could be there.
	mayName := bytes.Contains(b, []byte("ort")) || bytes.Contains(b, []byte("ORT")) || bytes.Contains(b, []byte("ポート"))
	maySuffix := mayName || bytes.IndexByte(b, '/') >= 0
	for _, word := range []string{"port", "ポート"} {
		if !mayName {
			break
		}
		for from := 0; ; {
			i := indexFold(b[from:], word)
			if i < 0 {
				break
			}
			i += from
			from = i + len(word)
			if word == "port" && i > 0 && isAlnum(b[i-1]) {
				continue // "sport", "report", "import"
			}
			k := from
			if word == "port" && k < len(b) && (b[k] == 's' || b[k] == 'S') {
				k++
			}
			k = skipSpace(k)
			if word == "ポート" && bytes.HasPrefix(b[k:], []byte("番号")) {
				k = skipSpace(k + len("番号"))
			}
			if k < len(b) && (b[k] == ':' || b[k] == '#') {
				k = skipSpace(k + 1)
			}
			for {
				n, end := num(k)
				if end == k {
					break
				}
				o.addPort(n)
				k = skipSpace(end)
				if k < len(b) && b[k] == ',' {
					k = skipSpace(k + 1)
					continue
				}
				break
			}
		}
	}
	for _, suffix := range []string{"/tcp", "/udp", "番ポート"} {
		if !maySuffix {
			break
		}
		for from := 0; ; {
			i := indexFold(b[from:], suffix)
			if i < 0 {
				break
			}
			i += from
			from = i + len(suffix)
			if suffix != "番ポート" && from < len(b) && isAlnum(b[from]) {
				continue
			}
			o.addPort(numBefore(i))
		}
	}
}

// normaliseURL lower-cases the scheme and host and decodes percent-escapes of unreserved
// characters (RFC 3986, 6.2.2), so that one URL written two ways counts once. Other escapes keep
// their meaning and are written in upper case.
func normaliseURL(u []byte, schemeLen int) (string, bool) {
	rest := u[schemeLen:]
	hostEnd := len(rest)
	for k, c := range rest {
		if c == '/' || c == '?' || c == '#' {
			hostEnd = k
			break
		}
	}
	if hostEnd == 0 {
		return "", false
	}
	var out strings.Builder
	out.WriteString(strings.ToLower(string(u[:schemeLen])))
	out.WriteString(strings.ToLower(string(rest[:hostEnd])))
	path := rest[hostEnd:]
	for k := 0; k < len(path); k++ {
		c := path[k]
		if c == '%' && k+2 < len(path) && isHex(path[k+1]) && isHex(path[k+2]) {
			v := unhex(path[k+1])<<4 | unhex(path[k+2])
			if isUnreserved(v) {
				out.WriteByte(v)
			} else {
				out.WriteByte('%')
				out.WriteByte(upperHex(path[k+1]))
				out.WriteByte(upperHex(path[k+2]))
			}
			k += 2
			continue
		}
		out.WriteByte(c)
	}
	return out.String(), true
}

// tlds are the top-level domains a host name in a report may end in: the generic ones and every
// country code. A file name ends in an extension, which is rarely one of these. Built on first
// use: package init is the start-up of every command.
var tlds = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields(`com net org edu gov mil int arpa info biz name pro aero coop museum
		mobi asia tel jobs travel cat post xxx`) {
		m[t] = true
	}
	for _, t := range strings.Fields(`ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj
		bm bn bo br bs bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do
		dz ec ee eg er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy
		hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb
		lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc
		ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb
		sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv
		tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw`) {
		m[t] = true
	}
	return m
})

// extensionTLDs are country codes that are also common file extensions (script.pl, setup.sh,
// exploit.py, libc.so, notes.md): a name ending in one needs three labels to count as a host.
var extensionTLDs = map[string]bool{"pl": true, "sh": true, "py": true, "cc": true, "so": true, "md": true,
	"rs": true, "ps": true, "in": true, "am": true, "ac": true, "mk": true, "ai": true, "ml": true,
	"mm": true, "ms": true, "do": true, "sc": true, "sa": true, "tk": true, "cs": true, "st": true}

// IsHostname reports whether s is a fully qualified host name as analysis finds them in a
// report (redaction finds the same names, so that nothing analysis saw is forwarded unseen).
func IsHostname(s string) bool { return hostname(s) }

// hostname reports whether s is a fully qualified host name: labels of letters, digits and
// hyphens, ending in a known top-level domain, and not a file name.
func hostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if len(s) < 4 || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	tld := strings.ToLower(labels[len(labels)-1])
	if !tlds()[tld] || (extensionTLDs[tld] && len(labels) < 3) {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for k := 0; k < len(l); k++ {
			if !isAlnum(l[k]) && l[k] != '-' {
				return false
			}
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}
func isHex(c byte) bool       { return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') }
func isHostByte(c byte) bool  { return isAlnum(c) || c == '.' || c == '-' }
func isV6Byte(c byte) bool    { return isHex(c) || c == ':' || c == '.' }
func isLocalByte(c byte) bool { return isAlnum(c) || strings.IndexByte(".+-_=%", c) >= 0 }
func isUnreserved(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

// isURLByte reports whether c may appear in a URL as written in mail: printable ASCII except
// space and the delimiters that end a URL in prose (RFC 3986 appendix C).
func isURLByte(c byte) bool {
	return c > ' ' && c < 0x7f && strings.IndexByte("<>\"{}|\\^`", c) < 0
}

func allDigitsDots(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) && c != '.' {
			return false
		}
	}
	return true
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func upperHex(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// indexFold finds needle (lower-case ASCII, or bytes compared exactly) in b, ignoring ASCII case.
func indexFold(b []byte, needle string) int {
	n := len(needle)
	for i := 0; i+n <= len(b); i++ {
		k := 0
		for k < n && lowerByte(b[i+k]) == needle[k] {
			k++
		}
		if k == n {
			return i
		}
	}
	return -1
}
