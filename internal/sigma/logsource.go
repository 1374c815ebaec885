package sigma

import (
	"strings"

	"github.com/keikai-project/keikai/internal/event"
)

// FormatSet is a set of event formats, one bit per event.Format.
type FormatSet uint32

// FormatsOf returns the set of the given formats.
func FormatsOf(formats ...event.Format) FormatSet {
	var s FormatSet
	for _, f := range formats {
		s |= 1 << f
	}
	return s
}

// Has reports whether f is in the set.
func (s FormatSet) Has(f event.Format) bool { return f < event.NumFormats && s&(1<<f) != 0 }

var (
	hostFormats = FormatsOf(event.FormatHostFile, event.FormatHostSocket, event.FormatHostProcess, event.FormatHostPackage)
	// reportFormats are the lines of a report's prose; only product: keikai selects them, so that
	// no log rule reads a reporter's words as a log line.
	reportFormats = FormatsOf(event.FormatReport)
	allFormats    = FormatSet(1<<event.NumFormats - 1)
	// logFormats is every log format, including lines no parser recognised.
	logFormats      = allFormats &^ hostFormats &^ reportFormats
	firewallFormats = FormatsOf(event.FormatIptables, event.FormatIpchains, event.FormatIpfw, event.FormatCiscoACL, event.FormatPF)
	webFormats      = FormatsOf(event.FormatWebAccess, event.FormatWebError)
	mailFormats     = FormatsOf(event.FormatSendmail, event.FormatPostfix)
	// syslogFormats are the formats that arrive in syslog framing (pf lines may too).
	syslogFormats = FormatsOf(event.FormatSyslog, event.FormatIptables, event.FormatIpchains, event.FormatIpfw,
		event.FormatCiscoACL, event.FormatSendmail, event.FormatPostfix, event.FormatAuth, event.FormatPF)
	// syslogTextFormats are the syslog formats whose message is text a program wrote. A packet
	// filter's line is built by the kernel from packet headers, so rules about message text
	// (service syslog, product linux) do not describe it; category firewall selects those. This
	// also spares the prefilter from scanning every packet line for text literals.
	syslogTextFormats = syslogFormats &^ firewallFormats
)

// formatsFor maps a logsource to the formats it selects; each key narrows the set. A value keikai
// does not know yields a reason instead, so that the rule is counted as unsupported, not broken.
func formatsFor(ls Logsource) (FormatSet, string) {
	category := strings.ToLower(ls.Category)
	product := strings.ToLower(ls.Product)
	service := strings.ToLower(ls.Service)
	if category == "" && product == "" && service == "" {
		return logFormats, ""
	}
	set := allFormats
	switch category {
	case "":
	case "firewall":
		set &= firewallFormats
	case "webserver":
		if service != "" {
			set &= webFormats
		} else {
			set &= FormatsOf(event.FormatWebAccess)
		}
	case "mail":
		set &= mailFormats
	default:
		return 0, "logsource category " + ls.Category + " is not read by keikai"
	}
	switch product {
	case "":
	case "iptables", "netfilter":
		set &= FormatsOf(event.FormatIptables)
	case "ipchains":
		set &= FormatsOf(event.FormatIpchains)
	case "ipfw":
		set &= FormatsOf(event.FormatIpfw)
	case "cisco":
		set &= FormatsOf(event.FormatCiscoACL)
	case "pf", "openbsd":
		set &= FormatsOf(event.FormatPF)
	case "apache", "nginx":
		if service != "" {
			set &= webFormats
		} else {
			set &= FormatsOf(event.FormatWebAccess)
		}
	case "linux", "unix", "freebsd", "solaris", "hpux", "aix":
		if category != "firewall" {
			set &= syslogTextFormats
		}
	case "host":
		set &= hostFormats
	case "keikai":
		set &= reportFormats
	default:
		return 0, "logsource product " + ls.Product + " is not read by keikai"
	}
	switch service {
	case "":
	case "access":
		set &= FormatsOf(event.FormatWebAccess)
	case "error", "apache":
		set &= FormatsOf(event.FormatWebError)
	case "syslog":
		if category == "firewall" {
			set &= syslogFormats
		} else {
			set &= syslogTextFormats
		}
	case "auth", "sshd", "ftpd", "login", "telnetd", "pam", "su":
		set &= FormatsOf(event.FormatAuth)
	case "sendmail":
		set &= FormatsOf(event.FormatSendmail)
	case "postfix":
		set &= FormatsOf(event.FormatPostfix)
	case "smtp", "mail":
		set &= mailFormats
	case "file":
		set &= FormatsOf(event.FormatHostFile)
	case "socket":
		set &= FormatsOf(event.FormatHostSocket)
	case "process":
		set &= FormatsOf(event.FormatHostProcess)
	case "package":
		set &= FormatsOf(event.FormatHostPackage)
	case "report":
		set &= reportFormats
	default:
		return 0, "logsource service " + ls.Service + " is not read by keikai"
	}
	if set&hostFormats != 0 && product != "host" {
		set &^= hostFormats // host artifacts are selected only by product: host
	}
	if set&reportFormats != 0 && product != "keikai" {
		set &^= reportFormats // report prose is selected only by product: keikai
	}
	if set == 0 {
		return 0, "logsource " + describe(ls) + " selects no log format keikai reads"
	}
	return set, ""
}

func describe(ls Logsource) string {
	var parts []string
	for _, kv := range [][2]string{{"category", ls.Category}, {"product", ls.Product}, {"service", ls.Service}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+": "+kv[1])
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
