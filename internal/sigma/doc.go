// Package sigma loads keikai's detection rules: Sigma-compatible YAML, checked and compiled once
// into matchers over event.Event that run without allocating.
//
// # Rule syntax reference
//
// A rule file holds one or more rules, separated by "---". A detection rule:
//
//	title: rpc.statd path traversal (JPCERT-E-INF-98-0001)   # required
//	title_ja: statd のパストラバーサル   # keikai: the title in Japanese (shown with --lang ja)
//	id: 6f3b1f0e-...          # stable identifier; unique across all loaded rules
//	name: statd_traversal     # optional; correlation rules may refer to it
//	status: stable            # stable, test, experimental, deprecated, unsupported
//	description: ...
//	references: [...]
//	author: ...
//	date: 1998-09-01
//	modified: ...
//	level: high               # informational, low, medium, high, critical
//	tags:
//	  - keikai.category.intrusion         # probe, mail-relay, forged-mail, intrusion, dos, worm, other
//	  - rsit.intrusion-attempts.exploit   # RSIT class and type
//	  - advisory.JPCERT-E-INF-98-0001     # the advisory the rule implements
//	falsepositives: [...]
//	logsource: {product: linux, service: syslog}
//	detection:
//	  program:
//	    Program|endswith: statd
//	  traversal:
//	    Message|contains: 'attempt to create "/var/statmon/sm//../'
//	  condition: program and traversal
//	samples:
//	  match:
//	    - 'Mar 13 12:34:56 host statd[44]: attempt to create "/var/statmon/sm//../../tmp/.nfs09 \x90 XbinXsh"'
//	  nomatch:
//	    - 'Mar 13 12:34:56 host statd[44]: recovering'
//
// Other top-level keys are kept as custom attributes, but a key that looks like a misspelling of
// a known one ("detections", "logsoruce") is an error that names the intended key.
//
// # Categories and taxonomy
//
// A rule without a keikai.category tag is in category "other"; a rule without an rsit tag gets
// its category's default RSIT class:type (package taxonomy lists both). One category tag and one
// rsit tag at most; unknown values are errors.
//
// # Log sources
//
// logsource selects the event formats a rule applies to; each key narrows the selection.
//
//	category firewall                  iptables, ipchains, ipfw, cisco-acl, pf
//	product iptables|netfilter         iptables (ipchains, ipfw, cisco, pf|openbsd likewise)
//	category webserver, service access,
//	  product apache|nginx             web-access
//	service error (with apache, nginx
//	  or webserver), service apache    web-error
//	product linux|unix|freebsd|solaris|hpux|aix, service syslog
//	                                   every syslog-framed format except packet-filter lines:
//	                                   syslog, auth, sendmail, postfix (a firewall's packet log is
//	                                   not text a program wrote; select it with category firewall,
//	                                   alone or together with these keys)
//	service auth|sshd|ftpd|login|telnetd|pam|su
//	                                   auth
//	category mail, service smtp|mail   sendmail, postfix (service sendmail or postfix: one of them)
//	product host, service file|socket|process|package
//	                                   the host artifacts that keikai check collects
//	product keikai, service report     report: each line of an incident report's own prose
//	                                   (subject, description, mail body lines that are not log
//	                                   records), in the field Message; read by report analysis
//	(no logsource)                     every log format (not host artifacts, not report prose)
//
// A rule for any other log source (product windows, say) loads as unsupported: it is counted and
// skipped, so that a whole Sigma rule directory can be loaded.
//
// # Detection
//
// A detection holds named selections and a condition. A selection is
//
//   - a mapping: every field condition in it must hold;
//   - a list of mappings: any one of them must hold;
//   - a list of plain values (keywords): the raw log line contains any of them.
//
// A field condition is "Field|modifier|modifier: value" or a list of values, any of which may
// match (every one with |all). Field names are keikai's event fields (Program, Message, SourceIp,
// DestinationPort, Url, TargetFilename, PackageVersion, ...; an unknown name is an error that lists
// them) and a few aliases from other schemas (c-uri, cs-user-agent, src_ip, ...).
//
// Values:
//
//   - A string matches the whole value, ignoring ASCII case (bytes >= 0x80 compare exactly).
//     "*" matches any run of characters and "?" exactly one; write \* \? \\ for the characters
//     themselves; any other backslash is literal.
//   - A number on a numeric field (ports, Pid, Status, IcmpType, ...) compares as an integer, so 80
//     also matches "080"; a list of numbers is looked up in constant time. On other fields a
//     number compares as its decimal text.
//   - null matches a missing or empty field. true and false compare as text.
//
// Modifiers:
//
//	contains, startswith, endswith   substring, prefix, suffix (wildcards still apply)
//	all                              every value of the list must match
//	cased                            compare case-sensitively
//	re                               Go regular expression (RE2 syntax), case-sensitive;
//	re|i, re|m, re|s                 ... ignoring case, ^ $ per line, . matching newline
//	cidr                             the address is in the network (IPv4 or IPv6): 10.0.0.0/8
//	gt, gte, lt, lte                 integer comparison on numeric fields; on PackageVersion a
//	                                 package version comparison (dpkg and rpm ordering, OpenSSL
//	                                 patch letters and beta releases: 0.9.6b-28 <= 0.9.6d)
//	exists: true|false               the event has, or lacks, the field
//
// Sigma's windash, base64, base64offset, utf16le, utf16be, utf16, wide, expand and fieldref are
// rejected with an explanation.
//
// Conditions combine selection names with and, or, not and parentheses (not binds tightest,
// then and, then or), and with quantifiers: "1 of sel_*" (or "any of"), "all of sel_*", "1 of them",
// "all of them" ("them" leaves out selections whose names begin with _). A list of conditions
// means any of them. The old aggregation syntax ("| count() by SourceIp > 10") is rejected: write a
// correlation rule instead.
//
// # Correlation rules
//
// A correlation rule counts the matches of detection rules (referred to by id or name) per group
// within a time window:
//
//	title: Slapper sweep
//	correlation:
//	  type: value_count            # or event_count
//	  rules: [slapper_udp]
//	  group-by: [SourceIp]
//	  timespan: 5m                 # s, m, h, d
//	  condition: {gte: 20, field: DestinationIp}   # gt, gte, lt, lte or eq; field for value_count
//	  generate: false              # whether slapper_udp also reports on its own (default false)
//
// Other correlation types (temporal, value_sum, ...) are rejected.
//
// # Samples
//
// samples.match and samples.nomatch list inputs for "keikai rules test". A string sample holds one
// or more log lines (one per line of the string) in keikai's escape syntax, so that bytes a YAML
// file cannot carry are written \x00, \x90, \t and so on; single-quoted YAML strings keep
// backslashes as written and are the recommended form. A mapping sample is a host artifact given
// by its fields: {TargetFilename: /tmp/.bugtraq, FileType: file}.
//
// # Errors
//
// Every problem is reported as file:line:column with the rule's title, and all problems of a
// file are reported together.
package sigma
