// Package demo generates a quarter of incident reports as they reached a coordination center in
// 2000: Japanese and English mail in the charsets of the time, with pasted and attached logs in
// the formats of the time, some through the partner API; deterministic by seed. Each report is
// built as one category of seed 002 (JPCERT-PR-2000-0003) and never says which: the category is
// returned beside the report, for tests of the classification and for `keikai serve --demo`.
package demo

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Generated is one generated report.
type Generated struct {
	Submission report.Submission
	// Content is what a correct decoder yields from the submission.
	Content report.Content
	// Category is the category the report was built as.
	Category string
	// TCPPorts, UDPPorts, ICMPTypes and CGIPaths are what the report's logs show being probed
	// (refused inbound packets, CGI requests), sorted: what the activity report counts.
	TCPPorts  []int
	UDPPorts  []int
	ICMPTypes []int
	CGIPaths  []string
}

// SeedTotal is the number of reports JPCERT/CC received from April to June 2000 (seed 002).
const SeedTotal = 718

// SeedMix returns seed 002's reports per category: 610 probes, 27 mail relay, 30 forged mail,
// 32 intrusions, 8 DoS, 4 worms, and 7 others (the rest of the 718).
func SeedMix() map[string]int {
	return map[string]int{taxonomy.Probe: 610, taxonomy.MailRelay: 27, taxonomy.ForgedMail: 30,
		taxonomy.Intrusion: 32, taxonomy.DoS: 8, taxonomy.Worm: 4, taxonomy.Other: 7}
}

// Quarter generates n reports received over the three months from from, in the proportions of
// mix (category key to count; nil means SeedMix), in order of receipt. When n differs from the
// sum of mix the counts are scaled to n; n <= 0 means the sum of mix.
func Quarter(seed int64, from time.Time, n int, mix map[string]int) []Generated {
	if mix == nil {
		mix = SeedMix()
	}
	counts := scale(mix, n)
	var cats []string
	for _, key := range taxonomy.CategoryKeys() {
		for i := 0; i < counts[key]; i++ {
			cats = append(cats, key)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6b65696b6169))
	rng.Shuffle(len(cats), func(i, j int) { cats[i], cats[j] = cats[j], cats[i] })
	to := from.AddDate(0, 3, 0)
	times := make([]time.Time, len(cats))
	for i := range times {
		times[i] = from.Add(time.Duration(rng.Int64N(int64(to.Sub(from))))).Truncate(time.Second)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	out := make([]Generated, len(cats))
	for i, cat := range cats {
		// Each report has its own stream, so that changing one scenario does not reshuffle the rest.
		g := &generator{rng: rand.New(rand.NewPCG(uint64(seed), uint64(i)+1)), received: times[i].UTC(), seq: i}
		out[i] = g.build(cat)
	}
	return out
}

// scale returns mix's counts scaled to total n by largest remainder (n <= 0: unscaled).
func scale(mix map[string]int, n int) map[string]int {
	sum := 0
	for _, key := range taxonomy.CategoryKeys() {
		sum += max(mix[key], 0)
	}
	out := map[string]int{}
	if n <= 0 || n == sum || sum == 0 {
		for _, key := range taxonomy.CategoryKeys() {
			out[key] = max(mix[key], 0)
		}
		if sum == 0 && n > 0 {
			out[taxonomy.Other] = n
		}
		return out
	}
	type rem struct {
		key  string
		frac float64
	}
	var rems []rem
	got := 0
	for _, key := range taxonomy.CategoryKeys() {
		exact := float64(max(mix[key], 0)) * float64(n) / float64(sum)
		out[key] = int(exact)
		got += out[key]
		rems = append(rems, rem{key, exact - float64(int(exact))})
	}
	sort.SliceStable(rems, func(i, j int) bool { return rems[i].frac > rems[j].frac })
	for i := 0; got < n; i++ {
		out[rems[i%len(rems)].key]++
		got++
	}
	return out
}

// person is a reporter of the time.
type person struct {
	name, org, domain, user, phone string
}

var jaPeople = []person{
	{"山田 太郎", "株式会社サンプル 情報システム部", "example.co.jp", "yamada", "03-5555-0101"},
	{"佐藤 花子", "サンプル大学 情報処理センター", "example.ac.jp", "hsato", "06-5555-0102"},
	{"鈴木 一郎", "サンプルネット株式会社 運用部", "example.ne.jp", "suzuki", "03-5555-0103"},
	{"高橋 健二", "財団法人サンプル協会", "example.or.jp", "takahashi", "052-555-0104"},
	{"田中 美紀", "サンプル工業株式会社", "kogyo.example.co.jp", "m-tanaka", "045-555-0105"},
	{"伊藤 誠", "サンプル工科大学 計算機室", "tech.example.ac.jp", "ito", "011-555-0106"},
	{"渡辺 直子", "サンプル商事株式会社", "shoji.example.co.jp", "watanabe", "092-555-0107"},
	{"中村 浩", "サンプル県 情報政策課", "pref.example.jp", "nakamura", "078-555-0108"},
	{"小林 修", "株式会社サンプルプロバイダ", "isp.example.ne.jp", "kobayashi", "03-5555-0109"},
	{"加藤 裕子", "サンプル研究所", "lab.example.go.jp", "kato", "029-555-0110"},
}

var enPeople = []person{
	{"John Smith", "Example University Computing Services", "example.edu", "jsmith", "+1 412 555 0111"},
	{"Mary Johnson", "Example Networks Inc.", "example.com", "mjohnson", "+1 650 555 0112"},
	{"David Brown", "Example Hosting Ltd", "example.co.uk", "dbrown", "+44 20 5550 0113"},
	{"Kim Min-jun", "Example Telecom Security Team", "example.kr", "mjkim", "+82 2 555 0114"},
	{"Anna Schmidt", "Example GmbH IT-Sicherheit", "example.de", "schmidt", "+49 30 555 0115"},
	{"Peter Wilson", "Example Internet Pty Ltd", "example.com.au", "pwilson", "+61 2 5550 0116"},
	{"Linda Garcia", "Example State University", "univ.example.edu", "lgarcia", "+1 512 555 0117"},
}

// zones are how reporters stated their zone, with the zone it is.
var jaZones = []string{"JST", "+0900", "Asia/Tokyo", "日本時間"}

var enZones = map[string][]string{
	"example.edu": {"EST", "-0500", "America/New_York"}, "univ.example.edu": {"CST", "-0600", "America/Chicago"},
	"example.com": {"PST", "-0800", "America/Los_Angeles"}, "example.co.uk": {"BST", "+0100", "Europe/London"},
	"example.kr": {"KST", "+0900", "Asia/Seoul"}, "example.de": {"CEST", "+0200", "Europe/Berlin"},
	"example.com.au": {"AEST", "+1000", "Australia/Sydney"},
}

// generator builds one report.
type generator struct {
	rng      *rand.Rand
	received time.Time
	seq      int

	lang     string
	who      person
	zone     string // as the reporter wrote it
	loc      *time.Location
	site     string // the reporter's network, e.g. 192.0.2.0/24 written as its prefix "192.0.2"
	attacker string
	seen     *probed
}

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *generator) chance(percent int) bool { return g.rng.IntN(100) < percent }

// draft is a report before it is written as mail or JSON.
type draft struct {
	subject  string
	prose    []string // the reporter's paragraphs
	logs     []logFile
	bounces  [][]byte // bounce messages, forwarded as message/rfc822 or pasted
	incident time.Time
	affected []string
	sources  []string
}

// logFile is log text a reporter pasted into the message or attached.
type logFile struct {
	name   string
	text   []byte
	attach bool
	gzip   bool
}

func (g *generator) build(category string) Generated {
	g.lang = "ja"
	if g.chance(22) {
		g.lang = "en"
	}
	if g.lang == "ja" {
		g.who = jaPeople[g.rng.IntN(len(jaPeople))]
		g.zone = g.pick(jaZones)
		g.loc = time.FixedZone("JST", 9*3600)
	} else {
		g.who = enPeople[g.rng.IntN(len(enPeople))]
		zs := enZones[g.who.domain]
		g.zone = g.pick(zs)
		loc, err := time.LoadLocation(zs[2])
		if err != nil {
			loc = time.UTC
		}
		g.loc = loc
	}
	g.site = g.pick([]string{"192.0.2", "198.18.3", "10.1.2", "172.16.5"})
	g.attacker = fmt.Sprintf("%s.%d", g.pick([]string{"198.51.100", "203.0.113"}), 1+g.rng.IntN(254))
	g.seen = newProbed()

	var d *draft
	switch category {
	case taxonomy.Probe:
		d = g.probe()
	case taxonomy.MailRelay:
		d = g.mailRelay()
	case taxonomy.ForgedMail:
		d = g.forgedMail()
	case taxonomy.Intrusion:
		d = g.intrusion()
	case taxonomy.DoS:
		d = g.dos()
	case taxonomy.Worm:
		d = g.worm()
	default:
		d = g.other()
	}
	gen := Generated{Category: category}
	if g.chance(10) {
		g.api(d, &gen)
	} else {
		g.mail(d, &gen)
	}
	gen.TCPPorts, gen.UDPPorts, gen.ICMPTypes = g.seen.sorted(g.seen.tcp), g.seen.sorted(g.seen.udp), g.seen.sorted(g.seen.icmp)
	gen.CGIPaths = make([]string, 0, len(g.seen.cgi))
	for p := range g.seen.cgi {
		gen.CGIPaths = append(gen.CGIPaths, p)
	}
	slices.Sort(gen.CGIPaths)
	return gen
}

// logs starts a log of the reporter's host, ending a little before the report was sent.
func (g *generator) logs(host string) *logWriter {
	start := g.received.Add(-time.Duration(1+g.rng.IntN(96)) * time.Hour).Add(-time.Duration(g.rng.IntN(3600)) * time.Second)
	return &logWriter{rng: g.rng, loc: g.loc, t: start, host: host, seen: g.seen}
}

func (g *generator) victim() string { return fmt.Sprintf("%s.%d", g.site, 2+g.rng.IntN(200)) }

// file wraps log text as pasted (most) or attached, plain or gzip.
func (g *generator) file(name string, w *logWriter, attachPercent int) logFile {
	f := logFile{name: name, text: w.text()}
	if g.chance(attachPercent) {
		f.attach = true
		if g.chance(45) {
			f.gzip = true
			f.name += ".gz"
		}
	}
	return f
}

// say picks the reporter's words in their language.
func (g *generator) say(ja, en []string) string {
	if g.lang == "ja" {
		return g.pick(ja)
	}
	return g.pick(en)
}

func (g *generator) probe() *draft {
	d := &draft{}
	dst := g.victim()
	w := g.logs(g.pick([]string{"gw", "fw", "gate", "router1", "ns"}))
	d.incident = w.t
	noLogs, web := false, false
	switch r := g.rng.IntN(100); {
	case r < 70:
		w.probes(g.attacker, dst)
		if g.chance(15) {
			w.advance(time.Minute, time.Hour)
			w.probes(g.attacker, g.victim())
		}
	case r < 88:
		w.host, web = "www", true
		w.cgi(g.attacker)
	case r < 95:
		w.probes(g.attacker, dst)
		w.advance(time.Minute, 10*time.Minute)
		w2 := &logWriter{rng: g.rng, loc: g.loc, t: w.t, host: "www", seen: g.seen}
		w2.cgi(g.attacker)
		w.lines = append(w.lines, w2.lines...)
	default:
		noLogs = true
	}
	d.subject = g.say(
		[]string{"不正アクセスの報告", "ポートスキャンについて", "不審なアクセスについて", "ファイアウォールのログ", "[報告] " + g.attacker + " からのアクセス", "アクセスログの送付"},
		[]string{"Port scan from " + g.attacker, "Probes from your network", "Suspicious access", "Incident report", "firewall log", "FW: unauthorized access attempts"})
	if noLogs {
		d.prose = append(d.prose, g.say(
			[]string{g.attacker + " から当社の複数のホストに対するポートスキャンを受けました。ログは残っておりませんが、ご報告いたします。",
				"昨夜 " + g.attacker + " から不審なアクセスがありました。ログは保存していませんでした。"},
			[]string{"We were port scanned by " + g.attacker + " last night. We did not keep the log, sorry.",
				"A host at " + g.attacker + " has been probing our network all week."}))
	} else if web {
		d.prose = append(d.prose, g.say(
			[]string{"Web サーバのアクセスログに以下の記録がありました。", "CGI プログラムを狙ったと思われるアクセスがありました。", "ログを送付いたします。"},
			[]string{"Our web server logged these requests for old CGI programs.", "See the access log below.", "Someone is trying phf and friends on our server."}))
		d.logs = append(d.logs, g.file("access_log", w, 30))
	} else {
		d.prose = append(d.prose, g.say(
			[]string{"下記のアドレスから当方のネットワークに対するポートスキャンがありました。",
				"本日未明、ファイアウォールで以下のアクセスを検知しました。",
				"不審なアクセスがありましたので報告いたします。",
				"ログを送付いたします。",
				"以下のログをご覧ください。これは攻撃なのでしょうか。",
				"サーバのログに以下の記録が残っていました。ご確認をお願いいたします。"},
			[]string{"We detected the following probes from a host in your constituency.",
				"Please find our firewall log below.",
				"See the log below.",
				"Could you tell us what this traffic is?",
				"Our IDS picked up the following; it looks like someone is looking for NetBus and Back Orifice.",
				"FYI, log below."}))
		d.logs = append(d.logs, g.file(g.pick([]string{"messages", "fw.log", "access_log", "syslog"}), w, 30))
	}
	if g.chance(60) {
		d.prose = append(d.prose, g.say(
			[]string{"攻撃元の管理者への連絡をお願いできますでしょうか。", "よろしくお願いいたします。", "当方では特に被害はありません。"},
			[]string{"Please contact the administrator of the source.", "Thanks for your help.", "No damage on our side."}))
	}
	// What reporters add beside their logs: denials, guesses and questions that name worse
	// things than the logs show. The logs must still decide.
	if !noLogs && g.chance(25) {
		d.prose = append(d.prose, g.say(
			[]string{"調べた限りでは侵入の形跡はありません。", "ワームによるものでしょうか。", "念のためウイルス検査もしましたが問題ありませんでした。",
				"サーバが侵入されたかどうか心配です。", "DoS 攻撃の前触れでしょうか。"},
			[]string{"We checked; the host has not been compromised.", "Is this the Code Red worm?", "Our virus scanner found nothing.",
				"Could this be the start of a denial of service?", "Maybe someone looking for open relays?"}))
	}
	d.affected, d.sources = []string{dst}, []string{g.attacker}
	return d
}

func (g *generator) mailRelay() *draft {
	d := &draft{}
	w := g.logs(g.pick([]string{"mail", "mx", "smtp"}))
	d.incident = w.t
	d.subject = g.say([]string{"メールサーバへの不正中継の試み", "第三者中継について", "SMTP サーバへのアクセス", "不正アクセスの報告"},
		[]string{"Relay attempts on our mail server", "SMTP abuse", "spam relay attempts from " + g.attacker, "Incident report"})
	if g.chance(85) {
		w.relayAttempts(g.attacker)
		d.logs = append(d.logs, g.file("maillog", w, 25))
		d.prose = append(d.prose, g.say(
			[]string{"当社のメールサーバに対して、中継を試みるアクセスがありました。ログを添付します。",
				"メールサーバのログに下記の記録がありました。",
				"外部から不正中継を試みるアクセスがありました。中継は拒否しております。"},
			[]string{"Our mail server refused these attempts to relay mail.", "See the sendmail log below.",
				"Someone tried to use our server as an open relay."}))
	} else {
		d.prose = append(d.prose, g.say(
			[]string{"当社のメールサーバが " + g.attacker + " から第三者中継に利用されました。大量の広告メールが送信されたようです。"},
			[]string{"Our mail server was used as a relay for spam by " + g.attacker + " over the weekend."}))
	}
	d.affected, d.sources = []string{"mail." + g.who.domain}, []string{g.attacker}
	return d
}

// bounce writes the non-delivery notice a third site's MTA sent back for forged mail.
func (g *generator) bounce(t time.Time) []byte {
	victim := g.who.user + "@" + g.who.domain
	if g.chance(50) {
		victim = g.pick([]string{"sales", "info", "webmaster", "support"}) + "@" + g.who.domain
	}
	rcpt := fmt.Sprintf("%s%d@example.net", g.pick([]string{"jdoe", "kim", "user", "alice"}), g.rng.IntN(999))
	mta := g.pick([]string{"mx.example.net", "mail2.example.net", "smtp.example.org"})
	orig := t.Add(-time.Duration(1+g.rng.IntN(120)) * time.Minute)
	postfix := g.chance(30)
	var b strings.Builder
	if postfix {
		fmt.Fprintf(&b, "From: MAILER-DAEMON@%s (Mail Delivery System)\nTo: %s\nSubject: Undelivered Mail Returned to Sender\nDate: %s\n\n", mta, victim, rfc2822Date(t))
		fmt.Fprintf(&b, "This is the Postfix program at host %s.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<%s>: unknown user: \"%s\"\n\n", mta, rcpt, strings.Split(rcpt, "@")[0])
	} else {
		fmt.Fprintf(&b, "From: Mail Delivery Subsystem <MAILER-DAEMON@%s>\nTo: <%s>\nSubject: Returned mail: User unknown\nDate: %s\n\n", mta, victim, rfc2822Date(t))
		fmt.Fprintf(&b, "The original message was received at %s\nfrom [%s]\n\n   ----- The following addresses had permanent fatal errors -----\n<%s>\n\n", rfc2822Date(orig), g.attacker, rcpt)
		fmt.Fprintf(&b, "   ----- Transcript of session follows -----\n... while talking to %s.:\n>>> RCPT To:<%s>\n<<< 550 5.1.1 <%s>... User unknown\n550 <%s>... User unknown\n\n", mta, rcpt, rcpt, rcpt)
	}
	fmt.Fprintf(&b, "   ----- Original message follows -----\n\nReceived: from %s ([%s])\n\tby %s; %s\nFrom: %s\nTo: %s\nSubject: %s\nDate: %s\n\n%s\n",
		g.attacker, g.attacker, mta, rfc2822Date(orig), victim, rcpt,
		g.pick([]string{"MAKE MONEY FAST!!!", "Lowest mortgage rates", "Your free gift", "Business opportunity"}), rfc2822Date(orig),
		g.pick([]string{"Earn $5000 a week from home! Reply now for details.", "Click here to claim your prize: http://198.51.100.200/prize.html", "Dear friend, this is a one-time offer."}))
	return []byte(b.String())
}

func (g *generator) forgedMail() *draft {
	d := &draft{}
	d.incident = g.received.Add(-time.Duration(1+g.rng.IntN(48)) * time.Hour)
	d.subject = g.say([]string{"身に覚えのないエラーメールについて", "送信者を詐称したメール", "Returned mail が大量に届きます", "エラーメールの送付"},
		[]string{"Bounces for mail we never sent", "forged mail using our domain", "Fwd: Returned mail: User unknown", "spam with our address"})
	switch r := g.rng.IntN(100); {
	case r < 75:
		for i := 0; i < 1+g.rng.IntN(2); i++ {
			d.bounces = append(d.bounces, g.bounce(d.incident.Add(time.Duration(i)*time.Minute)))
		}
		d.prose = append(d.prose, g.say(
			[]string{"当方から送信した覚えのないメールのエラーメールが大量に届いています。差出人を詐称したメールが配送されているようです。",
				"身に覚えのないエラーメールが届きました。以下に転送します。",
				"下記のメールが届きました。どのように対応すればよいでしょうか。"},
			[]string{"We are receiving hundreds of bounces for messages we never sent.",
				"Someone forged our address in the From: line of spam; the bounces come to us.",
				"Forwarding a sample of the bounces below."}))
	default:
		w := g.logs("mail")
		w.forgedSenderLog(g.attacker, g.who.domain)
		d.logs = append(d.logs, g.file("maillog", w, 20))
		d.prose = append(d.prose, g.say(
			[]string{"メールサーバのログに下記の記録がありました。", "ログを送付します。"},
			[]string{"Our MTA logged the following.", "Log below."}))
	}
	d.affected, d.sources = []string{g.who.domain}, []string{g.attacker}
	return d
}

func (g *generator) intrusion() *draft {
	d := &draft{}
	host := g.pick([]string{"ns", "www", "nfs1", "mail", "server"})
	dst := g.victim()
	w := g.logs(host)
	d.incident = w.t
	d.subject = g.say([]string{"不正侵入の報告", "サーバへの侵入について", "インシデント報告", "至急: サーバの件"},
		[]string{"Compromised host", "Break-in at " + g.who.domain, "Incident report", "urgent: our server"})
	switch r := g.rng.IntN(100); {
	case r < 35: // statd, as in JPCERT-E-INF-98-0001
		w.statd()
		if g.chance(50) {
			w.advance(time.Second, 30*time.Second)
			w.statd()
		}
		d.logs = append(d.logs, g.file("messages", w, 50))
		d.prose = append(d.prose, g.say(
			[]string{"statd の弱点を突かれ、root 権限を奪われました。", "syslog に以下の記録が残っていました。", "ログを添付いたします。"},
			[]string{"The intruder gained root through the statd hole.", "Found this in /var/adm/messages.", "Log attached."}))
	case r < 75: // the scan, and the break-in the reporter found afterwards
		gw := g.logs("gw")
		gw.t = w.t
		gw.probes(g.attacker, dst)
		d.logs = append(d.logs, g.file("fw.log", gw, 30))
		d.prose = append(d.prose, g.say(
			[]string{"下記のスキャンの後、サーバに侵入されたことが判明しました。rootkit が仕掛けられていました。",
				"ポートスキャンを受けた翌日、ホームページが改ざんされました。",
				"調査の結果、サーバに侵入されました。ps や ls が置き換えられていました。"},
			[]string{"After the scan below our DNS server was compromised and a rootkit was installed.",
				"The host was broken into the day after this scan; ps and ls were replaced.",
				"Our web server was defaced; the log shows the scan that came first."}))
	case r < 85: // the reporter's account alone
		d.prose = append(d.prose, g.say(
			[]string{"昨夜、Web サーバのホームページが改ざんされました。ログは消去されていました。",
				"サーバに侵入され、root 権限を取られました。ログは残っていません。"},
			[]string{"Our web server was defaced last night; the logs were wiped.",
				"We found that root was compromised on our mail server; the intruder erased the logs."}))
	default: // a sniffer left running
		w.syslog("kernel", 0, "device eth0 entered promiscuous mode")
		w.advance(time.Minute, time.Hour)
		w.syslog("kernel", 0, "device eth0 left promiscuous mode")
		d.logs = append(d.logs, g.file("messages", w, 40))
		d.prose = append(d.prose, g.say(
			[]string{"サーバのログに以下の記録がありました。", "ログを送ります。ご確認ください。"},
			[]string{"Found these lines in the kernel log.", "Log below."}))
	}
	d.affected, d.sources = []string{host + "." + g.who.domain, dst}, []string{g.attacker}
	return d
}

func (g *generator) dos() *draft {
	d := &draft{}
	dst := g.victim()
	d.subject = g.say([]string{"サービス運用妨害について", "大量のパケット", "DoS 攻撃の報告"}, []string{"DoS attack", "SYN flood against our web server", "flood from your network"})
	switch r := g.rng.IntN(100); {
	case r < 40:
		w := g.logs("www")
		d.incident = w.t
		w.synFlood(80)
		d.logs = append(d.logs, g.file("messages", w, 30))
		d.prose = append(d.prose, g.say([]string{"Web サーバのログに下記の記録がありました。", "ログを添付します。"}, []string{"Our web server logged this.", "Log below."}))
	case r < 80:
		w := g.logs("gw")
		d.incident = w.t
		w.packetFlood(g.attacker, dst, 80)
		d.logs = append(d.logs, g.file("fw.log", w, 60))
		d.prose = append(d.prose, g.say([]string{"ファイアウォールのログを送ります。", "以下のパケットが届きました。"}, []string{"Firewall log attached.", "We got this."}))
	default:
		d.incident = g.received.Add(-3 * time.Hour)
		d.prose = append(d.prose, g.say(
			[]string{"大量のパケットが送りつけられ、サービス不能の状態になりました。"},
			[]string{"Since early this morning our web server has been hit by a SYN flood from " + g.attacker + "."}))
	}
	d.affected, d.sources = []string{dst}, []string{g.attacker}
	return d
}

func (g *generator) worm() *draft {
	d := &draft{}
	w := g.logs("www")
	w.host = "www"
	d.incident = w.t
	d.subject = g.say([]string{"ワームについて", "Web サーバへのアクセス", "報告"}, []string{"worm traffic", "web server log", "report"})
	switch r := g.rng.IntN(4); r {
	case 0:
		for i := 0; i < 2+g.rng.IntN(4); i++ {
			w.codeRed(fmt.Sprintf("%s.%d", g.pick([]string{"198.51.100", "203.0.113"}), 1+g.rng.IntN(254)))
		}
		d.logs = append(d.logs, g.file("access_log", w, 40))
		d.prose = append(d.prose, g.say([]string{"Web サーバのアクセスログです。"}, []string{"Our Apache access log."}))
	case 1:
		w.nimda(g.attacker)
		d.logs = append(d.logs, g.file("access_log", w, 40))
		d.prose = append(d.prose, g.say([]string{"以下のアクセスがありました。"}, []string{"See below."}))
	case 2:
		w.host = "gw"
		w.slapper(g.attacker, g.victim())
		d.logs = append(d.logs, g.file("fw.log", w, 40))
		d.prose = append(d.prose, g.say([]string{"ファイアウォールのログを送ります。"}, []string{"Firewall log below."}))
	default:
		d.prose = append(d.prose, g.say([]string{"社内の Web サーバがワームに感染しました。現在ネットワークから切り離しています。"},
			[]string{"One of our web servers was infected with a worm; it is off the network now."}))
	}
	d.affected, d.sources = []string{"www." + g.who.domain}, []string{g.attacker}
	return d
}

func (g *generator) other() *draft {
	d := &draft{}
	d.subject = g.say([]string{"質問", "問い合わせ", "資料の送付", "PGP 鍵について"}, []string{"question", "inquiry", "mailing list", "PGP key"})
	d.prose = append(d.prose, g.say(
		[]string{"貴センターの PGP 公開鍵の入手方法を教えてください。",
			"報告様式の記入方法について質問があります。発生日時の欄には何を書けばよいでしょうか。",
			"先日の講演会の資料を送付いたします。",
			"メーリングリストへの登録方法を教えていただけますか。"},
		[]string{"Could you tell me how to verify the PGP signature on your advisories?",
			"How do I subscribe to your announcement list?",
			"We would like to invite a speaker from your team to our seminar in July."}))
	return d
}

// reporterLine is the form's and the signature's identity of the reporter.
func (g *generator) address() string { return g.who.user + "@" + g.who.domain }

// body writes the text of the mail: the reporter's prose or the report form, pasted logs and
// bounces, and a signature. It fills in what a decoder extracts from a form.
func (g *generator) body(d *draft, form bool, c *report.Content) string {
	var b strings.Builder
	prose := strings.Join(d.prose, "\n")
	var pasted []string
	for _, f := range d.logs {
		if !f.attach {
			pasted = append(pasted, string(f.text))
		}
	}
	incident := d.incident.In(g.loc)
	if form {
		c.Reporter.Organization, c.Reporter.Phone = g.who.org, g.who.phone
		c.AffectedHosts, c.SourceHosts = d.affected, d.sources
		c.Description = prose
		if g.lang == "ja" {
			c.IncidentTime, c.TimeZone = incident.Format("2006年1月2日 15時04分"), g.zone
			fmt.Fprintf(&b, "1. 報告者氏名: %s\n2. 所属組織: %s\n3. 電子メール: %s\n4. 電話番号: %s\n5. 発生日時: %s (%s)\n6. 被害ホスト: %s\n7. 攻撃元ホスト: %s\n8. 概要:\n%s\n9. ログ:\n",
				g.who.name, g.who.org, g.address(), g.who.phone, c.IncidentTime, c.TimeZone, strings.Join(d.affected, ", "), strings.Join(d.sources, ", "), prose)
		} else {
			c.IncidentTime, c.TimeZone = incident.Format("2006-01-02 15:04"), g.zone
			fmt.Fprintf(&b, "Reporter: %s\nOrganization: %s\nE-mail: %s\nPhone: %s\nTime of incident: %s (%s)\nAffected hosts: %s\nSource hosts: %s\nDescription:\n%s\nLogs:\n",
				g.who.name, g.who.org, g.address(), g.who.phone, c.IncidentTime, c.TimeZone, strings.Join(d.affected, ", "), strings.Join(d.sources, ", "), prose)
		}
		if len(c.AffectedHosts) == 0 {
			c.AffectedHosts = nil
		}
	} else {
		if g.lang == "ja" {
			fmt.Fprintf(&b, "ご担当者様\n\n%sの%sです。\n\n%s\n\n", g.who.org, strings.Fields(g.who.name)[0], prose)
		} else {
			fmt.Fprintf(&b, "Hello,\n\n%s\n\n", prose)
		}
	}
	quote := g.chance(25)
	for _, p := range pasted {
		for _, line := range strings.Split(strings.TrimRight(p, "\n"), "\n") {
			if quote {
				b.WriteString("> ")
			}
			b.WriteString(line)
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if g.lang == "ja" {
		fmt.Fprintf(&b, "-- \n%s <%s>\n%s\n", g.who.name, g.address(), g.who.org)
	} else {
		fmt.Fprintf(&b, "-- \n%s <%s>\n%s\n%s\n", g.who.name, g.address(), g.who.org, g.who.phone)
	}
	return b.String()
}

// mail writes d as an RFC 5322 message.
func (g *generator) mail(d *draft, gen *Generated) {
	c := &gen.Content
	c.Subject, c.Lang = d.subject, g.lang
	c.Reporter = report.Reporter{Name: g.who.name, Email: g.address()}
	form := g.chance(30)
	// Bounces go inline (pasted after the prose) or as message/rfc822 attachments.
	inlineBounces := g.chance(50)
	if inlineBounces {
		for _, bn := range d.bounces {
			d.logs = append(d.logs, logFile{name: "bounce", text: bn})
		}
	}
	text := g.body(d, form, c)
	charset := "us-ascii"
	if g.lang == "ja" {
		charset = g.pick([]string{"ISO-2022-JP", "ISO-2022-JP", "ISO-2022-JP", "ISO-2022-JP", "Shift_JIS", "EUC-JP", "UTF-8"})
	} else if g.chance(30) {
		charset = "UTF-8"
	}
	parts := []part{textPart(g.rng, text, charset)}
	c.Parts = append(c.Parts, report.Part{Kind: report.PartBody, ContentType: "text/plain", Text: []byte(text)})
	for _, f := range d.logs {
		if !f.attach {
			continue
		}
		data, ctype := f.text, "text/plain"
		if f.gzip {
			data, ctype = gzipBytes(f.text), g.pick([]string{"application/x-gzip", "application/octet-stream", "application/gzip"})
		}
		parts = append(parts, part{
			header: fmt.Sprintf("Content-Type: %s; name=\"%s\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"%s\"", ctype, f.name, f.name),
			body:   wrap64(data),
		})
		c.Parts = append(c.Parts, report.Part{Kind: report.PartAttachment, Name: f.name, ContentType: ctype, Text: f.text})
	}
	if !inlineBounces {
		for _, bn := range d.bounces {
			parts = append(parts, part{header: "Content-Type: message/rfc822\r\nContent-Disposition: inline", body: crlf(bn)})
			c.Parts = append(c.Parts, report.Part{Kind: report.PartAttachment, ContentType: "message/rfc822", Text: bn})
		}
	}

	sent := g.received.Add(-time.Duration(5+g.rng.IntN(600)) * time.Second).In(g.loc)
	relay := "mail." + g.who.domain
	msgID := fmt.Sprintf("%s.%04X%d@%s", sent.UTC().Format("20060102150405"), g.rng.IntN(0x10000), g.seq, relay)
	hdrCharset := charset
	if charset == "Shift_JIS" || charset == "EUC-JP" {
		hdrCharset = "ISO-2022-JP" // headers were ISO-2022-JP whatever the body's charset
	}
	from := g.address()
	if g.chance(70) {
		from = encodeWord(g.who.name, hdrCharset) + " <" + g.address() + ">"
	}
	headers := []string{
		fmt.Sprintf("Received: from %s (%s [%s.25])\r\n\tby intake.csirt.example (8.9.3/8.9.3) with ESMTP id %s\r\n\tfor <info@csirt.example>; %s",
			relay, relay, g.site, queueID(g.rng, g.seq), rfc2822Date(g.received.In(time.FixedZone("JST", 9*3600)))),
		"From: " + from,
		"To: info@csirt.example",
		"Subject: " + encodeWord(d.subject, hdrCharset),
		"Date: " + rfc2822Date(sent),
		"Message-ID: <" + msgID + ">",
		"X-Mailer: " + g.pick([]string{"Mew version 1.94.2 on Emacs 20.7 / Mule 4.1", "Microsoft Outlook Express 5.00.2615.200", "Becky! ver 1.26.04", "Mutt/1.2.5i", "Datula version 1.51.09 for Windows"}),
	}
	gen.Submission = report.Submission{
		Channel:     report.Channel(g.pick([]string{string(report.ChannelSMTP), string(report.ChannelSMTP), string(report.ChannelImport)})),
		ReceivedAt:  g.received,
		Raw:         message(g.rng, headers, parts),
		ContentType: "message/rfc822",
		MessageID:   msgID,
		Lang:        g.lang,
	}
}

// apiReport is the JSON a partner's tool posts to /api/v1/reports, in the keys the API takes
// (internal/web's package comment).
type apiReport struct {
	ReporterName  string          `json:"reporter_name"`
	Organization  string          `json:"organization"`
	Email         string          `json:"email"`
	IncidentTime  string          `json:"incident_time,omitempty"`
	TimeZone      string          `json:"time_zone,omitempty"`
	AffectedHosts []string        `json:"affected_hosts,omitempty"`
	SourceHosts   []string        `json:"source_hosts,omitempty"`
	Description   string          `json:"description"`
	Excerpts      []string        `json:"excerpts,omitempty"`
	Attachments   []apiAttachment `json:"attachments,omitempty"`
	Disclosure    bool            `json:"disclosure_allowed"`
	Lang          string          `json:"lang"`
}

type apiAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        string `json:"data"`
}

// api writes d as a partner's JSON submission.
func (g *generator) api(d *draft, gen *Generated) {
	c := &gen.Content
	var r apiReport
	r.ReporterName, r.Organization, r.Email = g.who.name, g.who.org, g.address()
	r.IncidentTime = d.incident.In(g.loc).Format("2006-01-02 15:04:05")
	r.TimeZone = g.zone
	r.AffectedHosts, r.SourceHosts = d.affected, d.sources
	r.Description = strings.Join(d.prose, "\n")
	r.Lang = g.lang
	c.Reporter = report.Reporter{Name: g.who.name, Organization: g.who.org, Email: g.address()}
	c.Lang, c.IncidentTime, c.TimeZone = g.lang, r.IncidentTime, r.TimeZone
	c.AffectedHosts, c.SourceHosts, c.Description = d.affected, d.sources, r.Description
	if len(d.affected) == 0 {
		c.AffectedHosts = nil
	}
	for _, f := range d.logs {
		// JSON strings hold UTF-8 only: logs with other bytes (statd's shellcode) go as files.
		if !f.attach && utf8.Valid(f.text) {
			r.Excerpts = append(r.Excerpts, string(f.text))
			c.Parts = append(c.Parts, report.Part{Kind: report.PartExcerpt, ContentType: "text/plain", Text: f.text})
			continue
		}
		data, ctype := f.text, "text/plain"
		if f.gzip {
			data, ctype = gzipBytes(f.text), "application/gzip"
		}
		r.Attachments = append(r.Attachments, apiAttachment{Name: f.name, ContentType: ctype, Data: base64.StdEncoding.EncodeToString(data)})
		c.Parts = append(c.Parts, report.Part{Kind: report.PartAttachment, Name: f.name, ContentType: ctype, Text: f.text})
	}
	for _, bn := range d.bounces {
		r.Attachments = append(r.Attachments, apiAttachment{Name: "bounce.eml", ContentType: "message/rfc822", Data: base64.StdEncoding.EncodeToString(bn)})
		c.Parts = append(c.Parts, report.Part{Kind: report.PartAttachment, Name: "bounce.eml", ContentType: "message/rfc822", Text: bn})
	}
	raw, _ := json.MarshalIndent(r, "", "  ") // cannot fail: strings, bools and slices only
	gen.Submission = report.Submission{
		Channel:        report.ChannelAPI,
		ReceivedAt:     g.received,
		Raw:            raw,
		ContentType:    "application/json",
		IdempotencyKey: fmt.Sprintf("demo-%08x-%d", g.rng.Uint32(), g.seq),
		Lang:           g.lang,
	}
}
