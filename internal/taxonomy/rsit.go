package taxonomy

import "strings"

// rsitClass is one class of the Reference Security Incident Taxonomy with its incident types,
// spelled as in the taxonomy's machine-readable version (British spelling, lower case).
type rsitClass struct {
	Class string
	Types []string
}

// rsit is the taxonomy as maintained by the ENISA-hosted RSIT working group.
var rsit = [...]rsitClass{
	{"abusive-content", []string{"spam", "harmful-speech", "violence"}},
	{"malicious-code", []string{"infected-system", "c2-server", "malware-distribution", "malware-configuration"}},
	{"information-gathering", []string{"scanner", "sniffing", "social-engineering"}},
	{"intrusion-attempts", []string{"ids-alert", "brute-force", "exploit"}},
	{"intrusions", []string{"privileged-account-compromise", "unprivileged-account-compromise",
		"application-compromise", "system-compromise", "burglary"}},
	{"availability", []string{"dos", "ddos", "misconfiguration", "sabotage", "outage"}},
	{"information-content-security", []string{"unauthorised-information-access",
		"unauthorised-information-modification", "data-loss", "data-leak"}},
	{"fraud", []string{"unauthorised-use-of-resources", "copyright", "masquerade", "phishing"}},
	{"vulnerable", []string{"weak-crypto", "ddos-amplifier", "potentially-unwanted-accessible",
		"information-disclosure", "vulnerable-system"}},
	{"other", []string{"other", "undetermined"}},
	{"test", []string{"test"}},
}

// ValidRSIT reports whether classType ("class:type") names a type of the taxonomy.
func ValidRSIT(classType string) bool {
	class, typ, ok := strings.Cut(classType, ":")
	if !ok {
		return false
	}
	for _, c := range rsit {
		if c.Class != class {
			continue
		}
		for _, t := range c.Types {
			if t == typ {
				return true
			}
		}
	}
	return false
}

// RSITTypes lists every "class:type" of the taxonomy in its order, for choices offered to
// analysts.
func RSITTypes() []string {
	var out []string
	for _, c := range rsit {
		for _, t := range c.Types {
			out = append(out, c.Class+":"+t)
		}
	}
	return out
}
