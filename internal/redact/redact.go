// Package redact prepares what keikai forwards to a site about a report: the report's log
// excerpts with the reporter's identity, the reporter's own addresses and host names, and every
// other victim's addresses replaced by placeholders, so that seed 000's and 002's promise holds
// (a report is never disclosed without the reporter's consent). Only the addresses and names of
// the site written to stay as they are; with the reporter's consent, the reporter's identity and
// hosts stay too.
//
// A placeholder is stable within one forward: the same value, however it is spelled (IPv6 in
// any of its forms, an IPv4 address embedded in IPv6, upper or lower case), always becomes the
// same placeholder, so the site can still follow a log.
package redact

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/assess"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/report"
)

// Kind is the kind of a value replaced by a placeholder.
type Kind string

// Kinds of placeholders.
const (
	ReporterName  Kind = "reporter-name"
	ReporterOrg   Kind = "reporter-org"
	ReporterEmail Kind = "reporter-email"
	ReporterPhone Kind = "reporter-phone"
	ReporterAddr  Kind = "reporter-addr"
	ReporterHost  Kind = "reporter-host"
	VictimAddr    Kind = "victim-addr"
	VictimHost    Kind = "victim-host"
	VictimEmail   Kind = "victim-email"
)

// Site is whom a forward goes to: its networks and domains are the only addresses and names a
// forward shows as they are.
type Site struct {
	Networks []netip.Prefix
	// Domains are the site's DNS domains: a host name equal to one or under one is the site's.
	Domains []string
}

// ParseSite reads the site's networks and domains as an analyst writes them: addresses, CIDR
// networks and domain names separated by spaces, commas or line breaks.
func ParseSite(s string) (Site, error) {
	var site Site
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			site.Networks = append(site.Networks, canonicalPrefix(p))
			continue
		}
		if a, err := netip.ParseAddr(strings.Trim(f, "[]")); err == nil {
			a = canonical(a)
			site.Networks = append(site.Networks, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		host := strings.ToLower(strings.TrimSuffix(f, "."))
		if !isHostLike(host) {
			return Site{}, fmt.Errorf("%q is neither an address, a network (CIDR) nor a domain name", f)
		}
		site.Domains = append(site.Domains, host)
	}
	return site, nil
}

// canonicalPrefix keeps a network of IPv4 addresses written in IPv6 (::ffff:a.b.c.d/120) the
// same IPv4 network, as canonical does for addresses.
func canonicalPrefix(p netip.Prefix) netip.Prefix {
	a := p.Addr().WithZone("")
	if c := canonical(a); c.Is4() && a.Is6() && p.Bits() >= 96 {
		return netip.PrefixFrom(c, p.Bits()-96).Masked()
	}
	return netip.PrefixFrom(a, p.Bits()).Masked()
}

func (s Site) hasAddr(a netip.Addr) bool {
	for _, p := range s.Networks {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (s Site) hasHost(h string) bool { return underAny(h, s.Domains) }

func underAny(h string, domains []string) bool {
	for _, d := range domains {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// Input is what one forward is made from.
type Input struct {
	Content     report.Content
	Observables []report.Observable
	Site        Site
}

// Excerpt is one redacted part of the report.
type Excerpt struct {
	Name string
	Text string
	// Omitted counts the lines left out beyond the forward's limits.
	Omitted int
}

// Replacement is one value and its placeholder. The list is for the analyst's review only: it
// holds exactly what the forward withholds, so it is never forwarded.
type Replacement struct {
	Placeholder string
	Kind        Kind
	Value       string
	Count       int
}

// Result is a redacted forward's content.
type Result struct {
	Excerpts     []Excerpt
	Replacements []Replacement
	// IdentityDisclosed is set when the reporter consented and their identity stays.
	IdentityDisclosed bool
	// SiteAddresses are the site's addresses that the report names, in order of appearance.
	SiteAddresses []string
}

// Limits of one forward: a site reads a few hundred lines, not a month of firewall logs.
const (
	maxLinesPerPart = 200
	maxBytes        = 64 << 10
	maxLineBytes    = 2000
)

// Redact prepares the excerpts of a forward of one report.
func Redact(in Input) Result {
	return RedactMany([]Source{{Content: in.Content, Observables: in.Observables}}, in.Site)
}

// Source is one report of a forward.
type Source struct {
	// Label names the report before its excerpts in a forward of several (its tracking number).
	Label       string
	Content     report.Content
	Observables []report.Observable
}

// RedactMany prepares a forward of several reports (an incident's) with one set of
// placeholders: every reporter's identity is withheld unless every one of them consented.
func RedactMany(sources []Source, site Site) Result {
	r := NewMany(sources, site)
	for _, src := range sources {
		for _, p := range src.Content.Parts {
			r.Learn(p.Text)
		}
	}
	var res Result
	budget := maxBytes
	for _, src := range sources {
		for _, p := range src.Content.Parts {
			name := r.Line(p.Name)
			if src.Label != "" {
				name = src.Label + ": " + name
			}
			ex := Excerpt{Name: name}
			var b strings.Builder
			lines := bytes.Split(bytes.ReplaceAll(p.Text, []byte("\r\n"), []byte("\n")), []byte("\n"))
			for len(lines) > 0 && len(bytes.TrimSpace(lines[len(lines)-1])) == 0 {
				lines = lines[:len(lines)-1]
			}
			for i, line := range lines {
				if i >= maxLinesPerPart || budget <= 0 {
					ex.Omitted = len(lines) - i
					break
				}
				if len(line) > maxLineBytes {
					line = line[:maxLineBytes]
				}
				out := r.Line(string(line))
				budget -= len(out) + 1
				b.WriteString(out)
				b.WriteByte('\n')
			}
			ex.Text = b.String()
			if ex.Text == "" && ex.Omitted == 0 {
				continue
			}
			res.Excerpts = append(res.Excerpts, ex)
		}
	}
	res.Replacements = r.Replacements()
	res.IdentityDisclosed = r.disclose
	res.SiteAddresses = r.siteSeen
	return res
}

// Redactor replaces values line by line, keeping its placeholders across lines and parts.
type Redactor struct {
	disclose bool
	site     Site
	// identity are the reporter's name, organisation, e-mail and phone in the forms they may
	// take in text, longest first.
	identity []literal
	phones   []string // the reporters' phone numbers, digits only
	emails   []string
	// reporterAddrs and reporterDomains are the reporter's own systems.
	reporterAddrs   []netip.Prefix
	reporterDomains []string
	// knownHosts are the host names analysis found (observables) and the reporter's: matched
	// even where they would not look like host names (a syslog host field has no dots).
	knownHosts []string
	// reporterNames are short names of the reporter's machines (ns1): the first label of an
	// affected host and the host field of the reporter's syslog lines.
	reporterNames []string

	placeholders map[string]*Replacement // by kind and normalised value
	order        []*Replacement
	counts       map[Kind]int
	siteSeen     []string
}

type literal struct {
	text string // lower case
	kind Kind
}

// New makes a Redactor for a forward of one report.
func New(rep report.Reporter, affected []string, observables []report.Observable, site Site) *Redactor {
	return NewMany([]Source{{Content: report.Content{Reporter: rep, AffectedHosts: affected}, Observables: observables}}, site)
}

// NewMany makes a Redactor for a forward of several reports.
func NewMany(sources []Source, site Site) *Redactor {
	r := &Redactor{disclose: len(sources) > 0, site: site, placeholders: map[string]*Replacement{}, counts: map[Kind]int{}}
	for _, src := range sources {
		r.disclose = r.disclose && src.Content.Reporter.DisclosureAllowed
	}
	for _, src := range sources {
		r.addReporter(src.Content.Reporter, src.Content.AffectedHosts, src.Observables)
	}
	slices.SortStableFunc(r.identity, func(a, b literal) int { return len(b.text) - len(a.text) })
	return r
}

func (r *Redactor) addReporter(rep report.Reporter, affected []string, observables []report.Observable) {
	addLit := func(s string, k Kind) {
		s = lowerSameLength(strings.TrimSpace(s))
		// Too short a part would wipe out ordinary words and log fields.
		if utf8.RuneCountInString(s) < 2 || (len(s) == utf8.RuneCountInString(s) && len(s) < 3) {
			return
		}
		for _, l := range r.identity {
			if l.text == s {
				return
			}
		}
		r.identity = append(r.identity, literal{s, k})
	}
	addLit(rep.Email, ReporterEmail)
	addLit(rep.Organization, ReporterOrg)
	addLit(rep.Name, ReporterName)
	// A name is written in many ways (given name alone, family name alone, without spaces).
	parts := strings.FieldsFunc(rep.Name, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '.' })
	addLit(strings.Join(parts, ""), ReporterName)
	addLit(strings.Join(parts, "."), ReporterName)
	for _, p := range parts {
		addLit(p, ReporterName)
	}
	addLit(rep.Phone, ReporterPhone)
	if phone := digitsOf(rep.Phone); len(phone) >= 6 {
		r.phones = append(r.phones, phone)
	}
	email := lowerSameLength(strings.TrimSpace(rep.Email))
	if email != "" {
		r.emails = append(r.emails, email)
	}
	if _, domain, ok := strings.Cut(email, "@"); ok && isHostLike(domain) {
		r.reporterDomains = append(r.reporterDomains, domain)
	}
	for _, h := range affected {
		h = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
		if p, err := netip.ParsePrefix(h); err == nil {
			r.reporterAddrs = append(r.reporterAddrs, canonicalPrefix(p))
		} else if a, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
			a = canonical(a)
			r.reporterAddrs = append(r.reporterAddrs, netip.PrefixFrom(a, a.BitLen()))
		} else if h != "" && isHostLike(h) && !r.site.hasHost(h) {
			r.reporterDomains = append(r.reporterDomains, h)
			r.knownHosts = append(r.knownHosts, h)
			r.addReporterName(h[:strings.IndexByte(h, '.')])
		}
	}
	for _, o := range observables {
		if o.Kind == report.ObservableHostname {
			r.knownHosts = append(r.knownHosts, strings.ToLower(o.Value))
		}
	}
}

// addReporterName learns a short name of one of the reporter's machines.
func (r *Redactor) addReporterName(name string) {
	name = strings.ToLower(name)
	if len(name) < 3 || allDigitsDots(name) || slices.Contains(r.reporterNames, name) || !isHostLike(name+".example") {
		return
	}
	r.reporterNames = append(r.reporterNames, name)
	r.knownHosts = append(r.knownHosts, name)
}

// Learn reads the syslog host fields of text before anything is redacted, so that a machine
// named in prose ahead of its logs is recognised there too.
func (r *Redactor) Learn(text []byte) {
	for _, line := range strings.Split(string(text), "\n") {
		if start, end := syslogHostField(line); start >= 0 {
			if name := line[start:end]; !strings.Contains(name, ".") && !r.site.hasHost(strings.ToLower(name)) {
				r.addReporterName(name)
			}
		}
	}
}

// Replacements lists the placeholders used so far, in order of first use.
func (r *Redactor) Replacements() []Replacement {
	out := make([]Replacement, len(r.order))
	for i, p := range r.order {
		out[i] = *p
	}
	return out
}

// placeholder returns the placeholder of a normalised value, numbering each kind from 1.
func (r *Redactor) placeholder(k Kind, value string) string {
	key := string(k) + "\x00" + value
	if p, ok := r.placeholders[key]; ok {
		p.Count++
		return p.Placeholder
	}
	var name string
	switch k {
	case ReporterName, ReporterOrg, ReporterEmail, ReporterPhone:
		name = "[" + string(k) + "]"
	default:
		r.counts[k]++
		name = fmt.Sprintf("[%s-%d]", k, r.counts[k])
	}
	p := &Replacement{Placeholder: name, Kind: k, Value: value, Count: 1}
	r.placeholders[key] = p
	r.order = append(r.order, p)
	return name
}

// span is a stretch of a line to replace; repl is its replacement (the text itself when kept).
type span struct {
	start, end int
	repl       string
}

// Line redacts one line of text. Control characters, invalid UTF-8 and bidirectional overrides
// are escaped first (internal/escape), so the forward shows them as they were, inert.
func (r *Redactor) Line(line string) string {
	if needsEscape(line) {
		line = escape.String(line)
	}
	var spans []span
	spans = r.identitySpans(line, spans)
	spans = r.emailSpans(line, spans)
	spans = r.addrSpans(line, spans)
	spans = r.hostSpans(line, spans)
	spans = r.syslogHostSpan(line, spans)
	slices.SortStableFunc(spans, func(a, b span) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return (b.end - b.start) - (a.end - a.start)
	})
	var out strings.Builder
	pos := 0
	for _, s := range spans {
		if s.start < pos {
			continue
		}
		out.WriteString(r.sweep(line[pos:s.start]))
		if s.repl == line[s.start:s.end] {
			out.WriteString(r.sweep(s.repl))
		} else {
			out.WriteString(s.repl)
		}
		pos = s.end
	}
	out.WriteString(r.sweep(line[pos:]))
	return out.String()
}

// sweep replaces every remaining occurrence of the reporter's identity in text that is kept:
// whatever a detector missed or kept (a site's host name that contains the reporter's name)
// still never shows who the reporter is.
func (r *Redactor) sweep(s string) string {
	if r.disclose || len(r.identity) == 0 {
		return s
	}
	spans := r.identitySpans(s, nil)
	if len(spans) == 0 {
		return s
	}
	slices.SortStableFunc(spans, func(a, b span) int { return a.start - b.start })
	var out strings.Builder
	pos := 0
	for _, sp := range spans {
		if sp.start < pos {
			continue
		}
		out.WriteString(s[pos:sp.start])
		out.WriteString(sp.repl)
		pos = sp.end
	}
	out.WriteString(s[pos:])
	return out.String()
}

func needsEscape(s string) bool {
	for _, c := range s {
		if c == utf8.RuneError || (c < ' ' && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0) || unicode.Is(unicode.Cf, c) {
			return true
		}
	}
	return false
}

func (r *Redactor) identitySpans(line string, spans []span) []span {
	if r.disclose {
		return spans
	}
	lower := lowerSameLength(line)
	for _, l := range r.identity {
		for from := 0; ; {
			i := strings.Index(lower[from:], l.text)
			if i < 0 {
				break
			}
			start := from + i
			spans = append(spans, span{start, start + len(l.text), r.placeholder(l.kind, l.text)})
			from = start + len(l.text)
		}
	}
	if len(r.phones) > 0 {
		for i := 0; i < len(line); {
			if !isDigit(line[i]) && line[i] != '+' && line[i] != '(' {
				i++
				continue
			}
			j := i
			for j < len(line) && (isDigit(line[j]) || strings.IndexByte(" +-().", line[j]) >= 0) {
				j++
			}
			end := j
			for end > i && !isDigit(line[end-1]) {
				end--
			}
			if d := digitsOf(line[i:end]); d != "" {
				for _, phone := range r.phones {
					if samePhone(d, phone) {
						spans = append(spans, span{i, end, r.placeholder(ReporterPhone, phone)})
						break
					}
				}
			}
			i = max(j, i+1)
		}
	}
	return spans
}

// lowerSameLength lower-cases ASCII letters only, so that byte offsets in the lowered text are
// those of the original (strings.ToLower may change a string's length).
func lowerSameLength(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// samePhone compares numbers written nationally (03-1234-5678) and internationally
// (+81 3 1234 5678): the subscriber digits after the trunk prefix or country code agree.
func samePhone(a, b string) bool {
	if a == b {
		return true
	}
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) < 6 || len(b) < 6 {
		return false
	}
	return strings.HasSuffix(a, b) && len(a)-len(b) <= 3 || strings.HasSuffix(b, a) && len(b)-len(a) <= 3
}

func (r *Redactor) emailSpans(line string, spans []span) []span {
	for at := strings.IndexByte(line, '@'); at >= 0; {
		start := at
		for start > 0 && isLocalByte(line[start-1]) {
			start--
		}
		for start < at && line[start] == '.' {
			start++
		}
		end := at + 1
		for end < len(line) && isHostByte(line[end]) {
			end++
		}
		for end > at+1 && (line[end-1] == '.' || line[end-1] == '-') {
			end--
		}
		domain := strings.ToLower(line[at+1 : end])
		if start < at && strings.Contains(domain, ".") {
			spans = append(spans, span{start, end, r.emailRepl(strings.ToLower(line[start:at])+"@"+domain, line[start:end])})
		}
		next := strings.IndexByte(line[at+1:], '@')
		if next < 0 {
			break
		}
		at += 1 + next
	}
	return spans
}

func (r *Redactor) emailRepl(addr, original string) string {
	_, domain, _ := strings.Cut(addr, "@")
	switch {
	case slices.Contains(r.emails, addr):
		if r.disclose {
			return original
		}
		return r.placeholder(ReporterEmail, addr)
	case r.site.hasHost(domain):
		return original
	case underAny(domain, r.reporterDomains):
		if r.disclose {
			return original
		}
		return r.placeholder(ReporterEmail, addr)
	}
	return r.placeholder(VictimEmail, addr)
}

// addrSpans finds IPv4 and IPv6 addresses: IPv6 in every spelling (compressed, full, upper
// case, with an embedded IPv4 address or a zone, in brackets), IPv4 with leading zeros, and
// tcpdump's address.port.
func (r *Redactor) addrSpans(line string, spans []span) []span {
	for i := 0; i < len(line); {
		if !isV6Byte(line[i]) {
			i++
			continue
		}
		j := i
		for j < len(line) && isV6Byte(line[j]) {
			j++
		}
		// Only a whole token: "std::string" and "gateway1.2.3.4" are not addresses.
		left := i == 0 || !(isAlnum(line[i-1]) || line[i-1] == '_')
		right := j == len(line) || !(isAlnum(line[j]) || line[j] == '_')
		if left && right {
			if strings.Count(line[i:j], ":") >= 2 {
				if sp, ok := r.ipv6Span(line, i, j); ok {
					spans = append(spans, sp)
				}
			} else if sp, ok := r.ipv4Span(line, i, j); ok {
				spans = append(spans, sp)
			}
		}
		i = j
	}
	return spans
}

func (r *Redactor) ipv6Span(line string, i, j int) (span, bool) {
	// A zone (fe80::1%eth0) belongs to the address.
	end := j
	if end < len(line) && line[end] == '%' {
		k := end + 1
		for k < len(line) && (isAlnum(line[k]) || line[k] == '_' || line[k] == '-' || line[k] == '.') {
			k++
		}
		end = k
	}
	for try := line[i:end]; try != ""; {
		t := strings.TrimRight(try, ".:")
		if a, err := netip.ParseAddr(t); err == nil && a.Is6() {
			return span{i, i + len(t), r.addr(a, t)}, true
		}
		// An address followed by :port, as some logs write it without brackets.
		k := strings.LastIndexByte(t, ':')
		if k <= 0 {
			break
		}
		try = t[:k]
	}
	return span{}, false
}

func (r *Redactor) ipv4Span(line string, i, j int) (span, bool) {
	run := line[i:j]
	if k := strings.IndexByte(run, ':'); k >= 0 {
		run = run[:k]
	}
	parts := strings.Split(run, ".")
	if len(parts) < 4 {
		return span{}, false
	}
	// More than five parts is a version, an OID or a reversed name; five is tcpdump's
	// address.port.
	if len(parts) > 5 && !(len(parts) == 6 && parts[5] == "") {
		return span{}, false
	}
	var b [4]byte
	for k := 0; k < 4; k++ {
		p := parts[k]
		if p == "" || len(p) > 3 || digitsOf(p) != p {
			return span{}, false
		}
		n := 0
		for _, d := range p {
			n = n*10 + int(d-'0')
		}
		if n > 255 {
			return span{}, false
		}
		b[k] = byte(n)
	}
	if len(parts) >= 5 && parts[4] != "" && digitsOf(parts[4]) != parts[4] {
		return span{}, false
	}
	text := strings.Join(parts[:4], ".")
	return span{i, i + len(text), r.addr(netip.AddrFrom4(b), text)}, true
}

// nat64 is the well-known prefix of IPv4 addresses translated into IPv6 (RFC 6052).
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// canonical is the one spelling of an address that its placeholder is keyed by: an IPv4 address
// written inside IPv6 (mapped ::ffff:a.b.c.d, the old compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d)
// is that IPv4 address, and a zone is no part of it.
func canonical(a netip.Addr) netip.Addr {
	a = a.Unmap().WithZone("")
	if a.Is6() {
		b := a.As16()
		compatible := [12]byte(b[:12]) == [12]byte{} && (b[12] != 0 || b[13] != 0 || b[14] != 0 || b[15] > 1)
		if compatible || nat64.Contains(a) {
			return netip.AddrFrom4([4]byte(b[12:]))
		}
	}
	return a
}

// addr classifies an address and returns its replacement (the text itself when kept).
func (r *Redactor) addr(a netip.Addr, text string) string {
	a = canonical(a)
	if r.site.hasAddr(a) {
		if s := a.String(); !slices.Contains(r.siteSeen, s) {
			r.siteSeen = append(r.siteSeen, s)
		}
		return text
	}
	reporters := a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast()
	for _, p := range r.reporterAddrs {
		reporters = reporters || p.Contains(a)
	}
	if reporters {
		if r.disclose {
			return text
		}
		return r.placeholder(ReporterAddr, a.String())
	}
	return r.placeholder(VictimAddr, a.String())
}

// hostSpans finds host names: names analysis would find, names under the special-use
// documentation domains, and the names known from the report.
func (r *Redactor) hostSpans(line string, spans []span) []span {
	for i := 0; i < len(line); {
		if !isAlnum(line[i]) || (i > 0 && (isAlnum(line[i-1]) || line[i-1] == '_' || line[i-1] == '@' || line[i-1] == '-' || line[i-1] == '.')) {
			i++
			continue
		}
		j := i
		for j < len(line) && isHostByte(line[j]) {
			j++
		}
		end := j
		for end > i && (line[end-1] == '.' || line[end-1] == '-') {
			end--
		}
		if j < len(line) && (line[j] == '_' || line[j] == '@') {
			i = j
			continue
		}
		name := strings.ToLower(line[i:end])
		if allDigitsDots(name) {
			i = j
			continue
		}
		// A file name made of a host name (ns1.example.net.log) still names the host: the
		// longest leading run of labels that is a host name counts.
		for k := len(name); k > 0; k = strings.LastIndexByte(name[:k], '.') {
			if isHostLike(name[:k]) || slices.Contains(r.knownHosts, name[:k]) {
				spans = append(spans, span{i, i + k, r.host(name[:k], line[i:i+k], false)})
				break
			}
		}
		i = j
	}
	return spans
}

// syslogHost matches the host field of a syslog line (RFC 3164 "Apr  1 12:00:00 host prog:" or
// an RFC 3339 stamp): the reporter's machine, even with a name that has no dots.
func (r *Redactor) syslogHostSpan(line string, spans []span) []span {
	start, end := syslogHostField(line)
	if start < 0 {
		return spans
	}
	name := strings.ToLower(line[start:end])
	if _, err := netip.ParseAddr(name); err == nil {
		return spans
	}
	return append(spans, span{start, end, r.host(name, line[start:end], true)})
}

// syslogHostField returns where the host field of a syslog line is, or -1.
func syslogHostField(line string) (start, end int) {
	start = -1
	switch {
	case len(line) > 16 && isMonth(line[:3]) && line[3] == ' ' && line[6] == ' ' && line[9] == ':' && line[12] == ':' && line[15] == ' ':
		start = 16
	case len(line) > 20 && isDigit(line[0]) && line[4] == '-' && line[7] == '-' && line[10] == 'T':
		if k := strings.IndexByte(line, ' '); k > 0 {
			start = k + 1
		}
	}
	if start < 0 || start >= len(line) {
		return -1, -1
	}
	end = start
	for end < len(line) && line[end] != ' ' {
		end++
	}
	if end == start || strings.ContainsAny(line[start:end], ":[]@/") {
		return -1, -1
	}
	return start, end
}

var months = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func isMonth(s string) bool { return slices.Contains(months, s) }

func (r *Redactor) host(name, text string, reporters bool) string {
	switch {
	case r.site.hasHost(name):
		return text
	case reporters || underAny(name, r.reporterDomains) || slices.Contains(r.reporterNames, name):
		if r.disclose {
			return text
		}
		return r.placeholder(ReporterHost, name)
	}
	return r.placeholder(VictimHost, name)
}

// specialTLDs are the domains reserved for examples and tests (RFC 2606, RFC 6761): reports and
// their tests use them, and they are host names like any other.
var specialTLDs = []string{"example", "test", "invalid", "localhost", "local"}

func isHostLike(s string) bool {
	if assess.IsHostname(s) {
		return true
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 || !slices.Contains(specialTLDs, labels[len(labels)-1]) {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
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
func isLocalByte(c byte) bool { return isAlnum(c) || strings.IndexByte(".+-_=%!#$&'*/?^`{|}~", c) >= 0 }

func allDigitsDots(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && s[i] != '.' {
			return false
		}
	}
	return true
}
