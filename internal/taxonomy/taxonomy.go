// Package taxonomy holds the incident categories of JPCERT/CC's activity reports (seed
// JPCERT-PR-2000-0003, sections I to VI plus the remainder) and the Reference Security Incident
// Taxonomy (RSIT) that every report, incident and finding is also classified by, so that old and
// new statistics compare.
package taxonomy

// Category is one incident category of the activity report.
type Category struct {
	Key     string // stable identifier used in rule tags: keikai.category.<Key>
	Section string // the activity report's section number ("I" to "VI"; empty for other)
	Ja      string // the section title in the Japanese original
	En      string
	// DefaultRSIT is the RSIT "class:type" a finding of this category gets when its rule names none.
	DefaultRSIT string
}

// Category keys, in the order of the activity report.
const (
	Probe      = "probe"
	MailRelay  = "mail-relay"
	ForgedMail = "forged-mail"
	Intrusion  = "intrusion"
	DoS        = "dos"
	Worm       = "worm"
	Other      = "other"
)

// categories is returned by copy only, so callers cannot change it.
var categories = [...]Category{
	{Probe, "I", "プローブ、スキャン、その他不審なアクセス", "Probes, scans and other suspicious access", "information-gathering:scanner"},
	{MailRelay, "II", "電子メール配送プログラムへのアクセス", "Access to mail delivery programs (relay)", "fraud:unauthorised-use-of-resources"},
	{ForgedMail, "III", "送信ヘッダを詐称したメールの配送", "Delivery of mail with forged sender headers", "fraud:masquerade"},
	{Intrusion, "IV", "システムへの侵入", "System intrusion", "intrusions:system-compromise"},
	{DoS, "V", "ネットワークやコンピュータの運用を妨害しようとする攻撃", "Attacks that disrupt network or host operation (DoS)", "availability:dos"},
	{Worm, "VI", "ワーム、トロイの木馬等", "Worms, trojans and the like", "malicious-code:infected-system"},
	{Other, "", "その他", "Other", "other:undetermined"},
}

// Categories returns the categories in the activity report's order.
func Categories() []Category {
	out := make([]Category, len(categories))
	copy(out, categories[:])
	return out
}

// CategoryByKey returns the category with the given key.
func CategoryByKey(key string) (Category, bool) {
	for _, c := range categories {
		if c.Key == key {
			return c, true
		}
	}
	return Category{}, false
}

// CategoryKeys returns the keys in order, for error messages that list the valid choices.
func CategoryKeys() []string {
	keys := make([]string, len(categories))
	for i, c := range categories {
		keys[i] = c.Key
	}
	return keys
}
