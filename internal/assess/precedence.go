package assess

import (
	"strings"

	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// precedence orders the categories for a report that shows more than one; the first present
// wins. The order follows the definitions of JPCERT-PR-2000-0003 (seed 002):
//
//   - intrusion (IV, システムへの侵入, "including the theft of administrator privileges") comes
//     first: the scan before a break-in and what the intruder did after it (IV names access to
//     other sites through the host, altered files and erased logs, installed servers, sniffing)
//     are all part of the intrusion. A report that shows a scan and the intrusion that followed
//     is an intrusion.
//   - worm (VI, ワーム、トロイの木馬等) next: a worm is an intrusion that spreads by itself, and its
//     traces are scans (Code Red's requests, Slapper's probes of 80/tcp) and floods (Slapper's
//     DDoS over 2002/udp, seed 003), so a report that shows them shows the worm, not a probe or a
//     DoS. It yields to intrusion because a host of the reporter's actually taken over is an
//     intrusion whatever took it over.
//   - dos (V, 運用を妨害しようとする攻撃): the flood is the harm; the probes that find the target
//     belong to it. It outranks the mail categories because a flood of mail or of bounces that
//     stops a server is a DoS.
//   - forged-mail (III, 送信ヘッダを詐称したメールの配送) before mail-relay (II): forged mail is
//     delivered through relays, so a report showing both the relaying and the bounces the forged
//     mail caused (III's harm: "多量のエラーメール") is III; the relay is the means.
//   - mail-relay (II, 電子メールの中継を目的としたアクセス) before probe: an attempt to relay is a
//     specific unauthorised use of a resource, more than a look at port 25.
//   - probe (I): attacks that were defended against (防御に成功したアタック), access meant to find
//     services and weaknesses, and other suspicious access with no effect on the system.
//   - other: the remainder of the quarter's total, which no section counts.
var precedence = []string{taxonomy.Intrusion, taxonomy.Worm, taxonomy.DoS, taxonomy.ForgedMail,
	taxonomy.MailRelay, taxonomy.Probe, taxonomy.Other}

func rank(category string) int {
	for i, c := range precedence {
		if c == category {
			return i
		}
	}
	return len(precedence) - 1
}

// Evidence is what one finding says about a report's category.
type Evidence struct {
	Category string
	RSIT     string
	Level    sigma.Level
	// Prose is set for findings of the report's own text (logsource product: keikai, service:
	// report), as opposed to its log lines.
	Prose bool
}

// asserts reports whether a prose finding states a fact (a compromise, an infection) rather than
// uses a word: only such findings may outrank what the logs show.
func (e Evidence) asserts() bool { return e.Prose && e.Level >= sigma.LevelMedium }

// Suggest picks a report's category and RSIT class:type from its evidence. Logs outweigh words:
//
//  1. Findings on log lines, and prose findings that assert a fact (level medium or higher: "root
//     was compromised", "infected with Nimda"), are weighed together, and the category highest
//     in precedence among them wins: so a report whose logs show only the scan and whose text
//     says the host was then broken into is an intrusion.
//  2. Prose findings of lower level (words: "scan", "flood", a worm's name, a bounce, a question)
//     decide only when step 1 has nothing: a reporter who writes "NetBus" beside a firewall log
//     of probes to 12345/tcp reports a probe.
//  3. A report with no finding at all is other:undetermined.
//
// The RSIT class:type is that of the strongest finding of the chosen category: an outcome before
// an attempt (a statd exploit attempt in the log and "root was taken" in the text make
// intrusions:privileged-account-compromise, not intrusion-attempts:exploit), then the highest
// level, then the most frequent.
func Suggest(ev []Evidence) (category, rsit string) {
	strong := make([]Evidence, 0, len(ev))
	for _, e := range ev {
		if !e.Prose || e.asserts() {
			strong = append(strong, e)
		}
	}
	pool := strong
	if len(pool) == 0 {
		pool = ev
	}
	if len(pool) == 0 {
		return taxonomy.Other, "other:undetermined"
	}
	best := len(precedence)
	for _, e := range pool {
		if r := rank(e.Category); r < best {
			best = r
		}
	}
	category = precedence[best]
	type weight struct {
		level sigma.Level
		count int
	}
	weights := map[string]*weight{}
	var order []string
	for _, e := range pool {
		if rank(e.Category) != best {
			continue
		}
		w := weights[e.RSIT]
		if w == nil {
			w = &weight{}
			weights[e.RSIT] = w
			order = append(order, e.RSIT)
		}
		w.level = max(w.level, e.Level)
		w.count++
	}
	for _, r := range order {
		if rsit == "" || outranks(r, weights[r].level, weights[r].count, rsit, weights[rsit].level, weights[rsit].count) {
			rsit = r
		}
	}
	if rsit == "" {
		c, _ := taxonomy.CategoryByKey(category)
		rsit = c.DefaultRSIT
	}
	return category, rsit
}

// outranks reports whether RSIT type a, seen at level la count ca times, describes the report
// better than b: outcomes before attempts (class intrusion-attempts), then level, then count.
func outranks(a string, la sigma.Level, ca int, b string, lb sigma.Level, cb int) bool {
	if attemptA, attemptB := isAttempt(a), isAttempt(b); attemptA != attemptB {
		return attemptB
	}
	if la != lb {
		return la > lb
	}
	return ca > cb
}

func isAttempt(rsit string) bool { return strings.HasPrefix(rsit, "intrusion-attempts:") }
