// Package portname names well-known ports and ICMP types, so that reports read like seed 002's
// "21(ftp), 22(ssh), 111(sunrpc)". The table is embedded rather than read from /etc/services:
// minimal systems and containers often lack that file, and a report must not depend on the
// machine that renders it. Backdoor ports carry the trojan's name, as incident reports use them.
package portname

import "strconv"

var tcp = map[int]string{
	7: "echo", 9: "discard", 13: "daytime", 19: "chargen", 20: "ftp-data", 21: "ftp", 22: "ssh",
	23: "telnet", 25: "smtp", 37: "time", 43: "whois", 53: "domain", 69: "tftp", 70: "gopher",
	79: "finger", 80: "http", 81: "http-alt", 88: "kerberos", 98: "linuxconf", 106: "pop3pw",
	109: "pop2", 110: "pop3", 111: "sunrpc", 113: "ident", 119: "nntp", 135: "msrpc",
	137: "netbios-ns", 138: "netbios-dgm", 139: "netbios-ssn", 143: "imap", 161: "snmp",
	179: "bgp", 389: "ldap", 443: "https", 445: "microsoft-ds", 465: "smtps", 512: "exec",
	513: "login", 514: "shell", 515: "printer", 540: "uucp", 543: "klogin", 544: "kshell",
	587: "submission", 631: "ipp", 636: "ldaps", 873: "rsync", 993: "imaps", 995: "pop3s",
	1080: "socks", 1114: "mini-sql", 1243: "subseven", 1433: "ms-sql-s", 1521: "oracle",
	1524: "ingreslock", 1723: "pptp", 2049: "nfs", 2140: "deep-throat", 2425: "fjitsuappmgr",
	3128: "squid", 3306: "mysql", 3389: "ms-wbt-server", 4899: "radmin", 5432: "postgresql",
	5900: "vnc", 6000: "x11", 6667: "ircd", 8000: "http-alt", 8080: "http-alt", 8443: "https-alt",
	9704: "statd-backdoor", 12345: "netbus", 12346: "netbus", 20034: "netbus2", 27374: "subseven",
	31337: "backorifice", 31789: "hack-a-tack", 54320: "backorifice2k",
}

var udp = map[int]string{
	7: "echo", 9: "discard", 19: "chargen", 53: "domain", 67: "bootps", 68: "bootpc", 69: "tftp",
	111: "sunrpc", 123: "ntp", 137: "netbios-ns", 138: "netbios-dgm", 161: "snmp", 162: "snmptrap",
	177: "xdmcp", 500: "isakmp", 513: "who", 514: "syslog", 520: "route", 1434: "ms-sql-m",
	1900: "ssdp", 1978: "slapper", 2002: "slapper", 2049: "nfs", 4156: "slapper", 5353: "mdns",
	27444: "trinoo", 31335: "trinoo", 31337: "backorifice",
}

// Port returns the service name of a port for protocol "tcp" or "udp", or "" when unknown.
func Port(protocol string, port int) string {
	switch protocol {
	case "tcp":
		return tcp[port]
	case "udp":
		return udp[port]
	}
	return ""
}

var icmp = map[int]string{
	0: "echo reply", 3: "destination unreachable", 4: "source quench", 5: "redirect",
	8: "echo request", 9: "router advertisement", 10: "router solicitation", 11: "time exceeded",
	12: "parameter problem", 13: "timestamp", 14: "timestamp reply", 15: "information request",
	16: "information reply", 17: "address mask request", 18: "address mask reply",
}

// ICMPType returns the name of an ICMPv4 message type, or "type N" when it has none.
func ICMPType(t int) string {
	if name, ok := icmp[t]; ok {
		return name
	}
	return "type " + strconv.Itoa(t)
}
