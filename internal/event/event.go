// Package event defines the normalised record that every log parser and host collector produces and
// that every rule matches against. An Event is a view over one raw line (or one host artifact): its
// field values are byte slices into Raw or into the event's own scratch buffer, so parsing a line
// allocates nothing and an Event can be reused for the next line.
package event

import (
	"strconv"
)

// Field names one normalised event field. The names follow Sigma's conventional field names where
// one exists; FieldByName maps rule text to a Field.
type Field uint8

const (
	FieldNone Field = iota
	Host
	Program
	PID
	Message
	SourceIP
	SourcePort
	DestinationIP
	DestinationPort
	Protocol // lower case: tcp, udp, icmp, or the number when unknown
	Action   // lower case, as the log says: deny, drop, reject, accept, block, pass, denied, permitted
	Direction
	Interface
	ICMPType
	ICMPCode
	TCPFlags
	HTTPMethod
	URL // request target, percent-decoded; see URLRaw for the bytes as logged
	URLRaw
	// URLPath is URL up to the query string: always a prefix of URL (the prefilter relies on it).
	URLPath
	Status
	UserAgent
	Referer
	Severity // Apache error level, syslog severity name where known
	MailFrom
	RcptTo
	Relay
	User
	TargetFilename
	FileType // file, dir, symlink, socket, fifo, device
	LinkTarget
	ProcessName
	ProcessID
	Image // executable path of a process; ends in " (deleted)" when the file was removed
	CommandLine
	LocalIP
	LocalPort
	RemoteIP
	RemotePort
	State // socket state: LISTEN, ESTABLISHED, ... (UDP sockets: UNCONN or ESTABLISHED)
	PackageName
	PackageVersion
	PackageSource // dpkg, rpm, or file (a library found outside a package manager)
	// NFSInUse says whether the checked system serves or mounts NFS (yes, no, unknown); set on
	// process and package events, since statd is only needed by NFS (JPCERT-E-INF-98-0001).
	NFSInUse
	// SameAttempt is "yes" on a login failure line that reports an attempt an earlier line of the
	// same process already reported (sshd's "Failed password" after its PAM failure line), so that
	// counting rules can count each attempt once.
	SameAttempt
	NumFields
)

var fieldNames = [NumFields]string{
	FieldNone:       "",
	Host:            "Host",
	Program:         "Program",
	PID:             "Pid",
	Message:         "Message",
	SourceIP:        "SourceIp",
	SourcePort:      "SourcePort",
	DestinationIP:   "DestinationIp",
	DestinationPort: "DestinationPort",
	Protocol:        "Protocol",
	Action:          "Action",
	Direction:       "Direction",
	Interface:       "Interface",
	ICMPType:        "IcmpType",
	ICMPCode:        "IcmpCode",
	TCPFlags:        "TcpFlags",
	HTTPMethod:      "HttpMethod",
	URL:             "Url",
	URLRaw:          "UrlRaw",
	URLPath:         "UrlPath",
	Status:          "Status",
	UserAgent:       "UserAgent",
	Referer:         "Referer",
	Severity:        "Severity",
	MailFrom:        "MailFrom",
	RcptTo:          "RcptTo",
	Relay:           "Relay",
	User:            "User",
	TargetFilename:  "TargetFilename",
	FileType:        "FileType",
	LinkTarget:      "LinkTarget",
	ProcessName:     "ProcessName",
	ProcessID:       "ProcessId",
	Image:           "Image",
	CommandLine:     "CommandLine",
	LocalIP:         "LocalIp",
	LocalPort:       "LocalPort",
	RemoteIP:        "RemoteIp",
	RemotePort:      "RemotePort",
	State:           "State",
	PackageName:     "PackageName",
	PackageVersion:  "PackageVersion",
	PackageSource:   "PackageSource",
	NFSInUse:        "NfsInUse",
	SameAttempt:     "SameAttempt",
}

// String returns the field's rule name.
func (f Field) String() string {
	if f < NumFields {
		return fieldNames[f]
	}
	return "Field(" + strconv.Itoa(int(f)) + ")"
}

// FieldByName returns the field a rule names; Sigma field names are matched case-sensitively, but a
// few common aliases from other schemas are accepted so that imported rules work.
func FieldByName(name string) (Field, bool) {
	for f := Field(1); f < NumFields; f++ {
		if fieldNames[f] == name {
			return f, true
		}
	}
	f, ok := fieldAliases[name]
	return f, ok
}

var fieldAliases = map[string]Field{
	"src_ip":              SourceIP,
	"src_port":            SourcePort,
	"dst_ip":              DestinationIP,
	"dst_port":            DestinationPort,
	"DestinationHostname": DestinationIP,
	"cs-method":           HTTPMethod,
	"cs-uri-query":        URL,
	"cs-uri-stem":         URLPath,
	"c-uri":               URL,
	"c-uri-query":         URL,
	"c-useragent":         UserAgent,
	"cs-user-agent":       UserAgent,
	"cs-referrer":         Referer,
	"sc-status":           Status,
	"clientip":            SourceIP,
	"c-ip":                SourceIP,
	"Hostname":            Host,
	"hostname":            Host,
	"program":             Program,
	"message":             Message,
	"msg":                 Message,
	"ProcessCommandLine":  CommandLine,
}

// IsNumeric reports whether values of f are compared as integers by the gt/gte/lt/lte modifiers.
func (f Field) IsNumeric() bool {
	switch f {
	case PID, SourcePort, DestinationPort, ICMPType, ICMPCode, Status, ProcessID, LocalPort, RemotePort:
		return true
	}
	return false
}

// IsVersion reports whether values of f are compared as software versions by gt/gte/lt/lte.
func (f Field) IsVersion() bool { return f == PackageVersion }

// IsVerbatim reports whether a field's value is always a byte-for-byte slice of the raw line, so
// that a literal found in the value is also found in Raw. The engine's literal prefilter scans Raw
// and relies on this; fields that parsers normalise or decode are not verbatim.
func (f Field) IsVerbatim() bool {
	switch f {
	case URL, URLPath, Protocol, Action, Direction, FileType, State, PackageSource, NFSInUse,
		ICMPType, ICMPCode, SameAttempt:
		return false
	}
	return true
}

// Format is the kind of record an event was parsed from. Formats are mutually exclusive per event;
// rule log sources select sets of formats.
type Format uint8

const (
	FormatUnknown Format = iota
	FormatSyslog         // a syslog line whose message no specific parser claimed
	FormatIptables
	FormatIpchains
	FormatIpfw
	FormatCiscoACL
	FormatPF
	FormatWebAccess
	FormatWebError
	FormatSendmail
	FormatPostfix
	FormatAuth // sshd, ftpd, telnetd, login, su, pam: logins and their failures
	FormatHostFile
	FormatHostSocket
	FormatHostProcess
	FormatHostPackage
	// FormatReport is a line of a report's own prose (its subject, description, mail body), which
	// rules read for what the reporter says when no log line decides (logsource product: keikai,
	// service: report). Only report analysis produces it; log parsers never do.
	FormatReport
	NumFormats
)

var formatNames = [NumFormats]string{
	FormatUnknown:     "unknown",
	FormatSyslog:      "syslog",
	FormatIptables:    "iptables",
	FormatIpchains:    "ipchains",
	FormatIpfw:        "ipfw",
	FormatCiscoACL:    "cisco-acl",
	FormatPF:          "pf",
	FormatWebAccess:   "web-access",
	FormatWebError:    "web-error",
	FormatSendmail:    "sendmail",
	FormatPostfix:     "postfix",
	FormatAuth:        "auth",
	FormatHostFile:    "host-file",
	FormatHostSocket:  "host-socket",
	FormatHostProcess: "host-process",
	FormatHostPackage: "host-package",
	FormatReport:      "report",
}

func (f Format) String() string {
	if f < NumFormats {
		return formatNames[f]
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// IsFirewall reports whether f is a packet-filter log format.
func (f Format) IsFirewall() bool {
	switch f {
	case FormatIptables, FormatIpchains, FormatIpfw, FormatCiscoACL, FormatPF:
		return true
	}
	return false
}

// IsHost reports whether f is a host artifact rather than a log line.
func (f Format) IsHost() bool { return f >= FormatHostFile && f <= FormatHostPackage }

// Framing says how a log line was wrapped.
type Framing uint8

const (
	FramingNone Framing = iota // the line itself is the record (access logs, error logs, pf via tcpdump)
	FramingRFC3164
	FramingRFC5424
)

// Time is a point in time as a log line gives it, resolved by the parser. Unix nanoseconds keep
// the Event free of pointers (time.Time carries a *Location).
type Time struct {
	UnixNano int64
	Known    bool
	// Zoned is true when the log line stated its UTC offset (access logs, RFC 5424); otherwise the
	// clock reading was interpreted in the analysis time zone.
	Zoned bool
	// Offset is the UTC offset in seconds that the line stated or that was applied.
	Offset int32
}

// Event is one parsed record. The zero value is an empty event; Reset prepares it for reuse.
type Event struct {
	Format  Format
	Framing Framing
	Raw     []byte
	Time    Time

	// vals[f] is the value of f when present has bit f set, and stale otherwise: Reset clears
	// only present, since parsing is the hot path and storing nil into each set slot cost more
	// than reading the bit on each Get.
	vals    [NumFields][]byte
	present uint64
	scratch []byte
}

// NumFields must fit the present bitmask.
var _ [64 - NumFields]struct{}

// Reset clears e for the next record, keeping its buffers.
func (e *Event) Reset(raw []byte) {
	e.Format = FormatUnknown
	e.Framing = FramingNone
	e.Raw = raw
	e.Time = Time{}
	e.present = 0
	e.scratch = e.scratch[:0]
}

// Get returns the value of f, or nil when the event has no such field.
func (e *Event) Get(f Field) []byte {
	if e.present&(1<<f) == 0 {
		return nil
	}
	return e.vals[f]
}

// Values returns the presence mask (bit f set when the event carries f) and the value table,
// for a hot reader of several fields that would otherwise test the mask on each Get. A value
// whose bit is clear is stale: the caller must test the bit. The table is read-only.
func (e *Event) Values() (uint64, *[NumFields][]byte) { return e.present, &e.vals }

// Has reports whether the event carries f (an empty value counts as present).
func (e *Event) Has(f Field) bool { return e.present&(1<<f) != 0 }

// Set stores v as the value of f. v must stay valid as long as the event is used: a slice of Raw,
// a constant, or a slice returned by Scratch.
func (e *Event) Set(f Field, v []byte) {
	if v == nil {
		v = []byte{}
	}
	e.vals[f] = v
	e.present |= 1 << f
}

// SetSlice is Set for a value sliced from a non-nil slice, which is never nil (the parsers'
// fields of the raw line): it leaves out Set's test, a few instructions for each field of each
// line. A nil v would be present yet read as absent by Get's callers that test for nil.
func (e *Event) SetSlice(f Field, v []byte) {
	e.vals[f] = v
	e.present |= 1 << f
}

// SetString stores a constant string value (protocol and action names and the like).
func (e *Event) SetString(f Field, v string) {
	e.vals[f] = constBytes(v)
	e.present |= 1 << f
}

// Scratch copies b into the event's own buffer and returns the copy, for values that are derived
// from the raw line (decoded URLs, normalised names). The buffer may be reallocated by a later
// call, so Scratch copies old values forward: callers keep the returned slice, not the buffer.
func (e *Event) Scratch(b []byte) []byte {
	if cap(e.scratch)-len(e.scratch) < len(b) {
		// Grow without invalidating slices already handed out: allocate a fresh buffer and leave
		// the old one to the values that reference it.
		n := 2*cap(e.scratch) + len(b)
		if n < 256 {
			n = 256
		}
		e.scratch = make([]byte, 0, n)
	}
	start := len(e.scratch)
	e.scratch = append(e.scratch, b...)
	return e.scratch[start:len(e.scratch):len(e.scratch)]
}

// Int returns the value of f parsed as a non-negative decimal integer.
func (e *Event) Int(f Field) (int64, bool) { return ParseInt(e.Get(f)) }

// ParseInt parses a short unsigned decimal number without allocating.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

var constCache = map[string][]byte{}

// constBytes returns a shared byte slice for a string constant. Only called with a small, fixed set
// of names from parser code, never with input data; callers must not modify the result.
func constBytes(s string) []byte {
	if b, ok := constCache[s]; ok {
		return b
	}
	return []byte(s)
}

// Intern registers constant values so that SetString does not allocate for them. Parsers call it
// from package init with their fixed vocabularies; it is not safe for concurrent use with SetString.
func Intern(values ...string) {
	for _, v := range values {
		if _, ok := constCache[v]; !ok {
			constCache[v] = Word(v)
		}
	}
}

func init() {
	Intern("tcp", "udp", "icmp", "icmpv6", "igmp", "gre", "esp", "ah", "sctp",
		"in", "out", "accept", "deny", "drop", "reject", "block", "pass", "denied", "permitted", "allow",
		"file", "dir", "symlink", "socket", "fifo", "device", "other",
		"dpkg", "rpm", "yes", "no", "unknown", "LISTEN", "ESTABLISHED", "UNCONN", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
		"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "CLOSING", "NEW_SYN_RECV")
}
