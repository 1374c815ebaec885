package activity

import (
	"fmt"
	"time"

	"github.com/keikai-project/keikai/internal/taxonomy"
)

// The prose follows seed 002 (JPCERT-PR-2000-0003) word for word where it describes the counts;
// the English is a faithful translation. The organisation's name is the only part that changes.

// join puts a space between the non-empty parts.
func join(parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += " "
		}
		out += p
	}
	return out
}

// title is the document title: "JPCERT/CC 活動概要".
func title(o Options) string {
	if o.Lang == "ja" {
		return join(o.Issuer, "活動概要")
	}
	return join(o.Issuer, "Activity Summary")
}

// periodText is "2000年4月1日 〜 2000年6月30日 (JST)".
func periodText(s *Stats, lang string) string {
	sep := " - "
	if lang == "ja" {
		sep = " 〜 "
	}
	return date(s.From, lang) + sep + date(lastDay(s), lang) + " (" + zoneName(s.From) + ")"
}

func issuedText(o Options) string {
	if o.Issued.IsZero() {
		return ""
	}
	if o.Lang == "ja" {
		return "発行日: " + o.Issued.Format(time.DateOnly)
	}
	return "Issued: " + o.Issued.Format(time.DateOnly)
}

// countSentence is the report's first sentence: how many reports the period brought.
func countSentence(s *Stats, o Options) string {
	from, to := date(s.From, o.Lang), date(lastDay(s), o.Lang)
	chg := changeSuffix(s, func(s *Stats) int64 { return s.Total }, o.Lang)
	if o.Lang == "ja" {
		who := ""
		if o.Issuer != "" {
			who = " " + o.Issuer + " が"
		}
		if chg != "" {
			chg += " "
		}
		return fmt.Sprintf("%sから%sまでの間に%s受領したコンピュータセキュリティインシデントに関する報告の件数は %s 件%sでした。",
			from, to, who, group(s.Total), chg)
	}
	if o.Issuer != "" {
		return fmt.Sprintf("Between %s and %s, %s received %s concerning computer security incidents%s.",
			from, to, o.Issuer, reports(s.Total), chg)
	}
	return fmt.Sprintf("Between %s and %s, %s concerning computer security incidents %s received%s.",
		from, to, reports(s.Total), map[bool]string{true: "was", false: "were"}[s.Total == 1], chg)
}

// reports is "1 report" or "718 reports".
func reports(n int64) string {
	if n == 1 {
		return "1 report"
	}
	return group(n) + " reports"
}

// note is the seed's caution that the figures count reports, not attacks.
func note(o Options) string {
	if o.Lang == "ja" {
		who := ""
		if o.Issuer != "" {
			who = o.Issuer + " が"
		}
		return "注: ここにあげた件数は、" + who + "受け付けた報告の件数です。" +
			"実際のアタックの発生件数や、被害件数を類推できるような数値ではありません。" +
			"また類型ごとの実際の発生比率を示すものでもありません。" +
			"一定以上の期間に渡るアクセスの要約レポートも含まれるため、アクセスの回数と報告件数も一般に対応しません。" +
			"報告元には、国内外のサイトが含まれます。"
	}
	who := ""
	if o.Issuer != "" {
		who = " by " + o.Issuer
	}
	return "Note: The figures given here are the numbers of reports received" + who + ". " +
		"They are not figures from which the number of attacks that actually took place, or the number of cases of damage, can be inferred. " +
		"Nor do they show the actual ratio of occurrence by category. " +
		"Because the reports also include summaries of access over a certain period or longer, the number of accesses does not in general correspond to the number of reports either. " +
		"The reporters include sites in Japan and abroad."
}

// decidedText says how many categories an analyst decided; the rest are keikai's suggestion.
func decidedText(s *Stats, lang string) string {
	if s.Total == 0 {
		return ""
	}
	n := categorised(s)
	switch {
	case s.Decided == 0 && lang == "ja":
		return "類型はすべて keikai による推定で、分析者の判断はまだありません。"
	case s.Decided == 0:
		return "Every category is keikai's suggestion; no analyst has decided one yet."
	case s.Decided >= n && lang == "ja":
		return "類型はすべて分析者が判断したものです。"
	case s.Decided >= n:
		return "Every category was decided by an analyst."
	}
	if lang == "ja" {
		return fmt.Sprintf("類型は、%s 件が分析者の判断、%s 件が keikai による推定です。", group(s.Decided), group(max(n-s.Decided, 0)))
	}
	return fmt.Sprintf("Of the categories, %s %s decided by an analyst and %s suggested by keikai.",
		group(s.Decided), map[bool]string{true: "was", false: "were"}[s.Decided == 1], group(max(n-s.Decided, 0)))
}

// unclassifiedText names the reports without a category yet, or "" when there are none.
func unclassifiedText(s *Stats, lang string) string {
	n := s.Total - categorised(s)
	if n <= 0 {
		return ""
	}
	if lang == "ja" {
		return fmt.Sprintf("このほか、類型が未判定の報告 (分析待ちまたは分析失敗) が %s 件あります。", group(n))
	}
	return fmt.Sprintf("%s %s no category yet (waiting for analysis, or the analysis failed).",
		reports(n), map[bool]string{true: "has", false: "have"}[n == 1])
}

// sectionTitle is the heading of a category's section in seed 002's words.
func sectionTitle(c taxonomy.Category, lang string) string {
	t := sectionTitles[c.Key]
	if lang == "ja" {
		return t[1]
	}
	return t[0]
}

var sectionTitles = map[string][2]string{
	taxonomy.Probe:      {"Reports of probes, scans and other suspicious access", "プローブ、スキャン、その他不審なアクセスに関する報告"},
	taxonomy.MailRelay:  {"Access to mail delivery programs", "電子メール配送プログラムへのアクセス"},
	taxonomy.ForgedMail: {"Delivery of mail with forged sender headers", "電子メールの送信ヘッダを詐称したメールの配送"},
	taxonomy.Intrusion:  {"Intrusions into systems", "システムへの侵入"},
	taxonomy.DoS:        {"Attacks that try to disrupt the operation of networks and computers", "ネットワークやコンピュータの運用を妨害しようとする攻撃"},
	taxonomy.Worm:       {"Worms, trojan horses and the like", "ワーム、トロイの木馬等"},
	taxonomy.Other:      {"Other", "その他"},
}

// sectionBody is the sentence that gives a category's count, in seed 002's words.
func sectionBody(s *Stats, c taxonomy.Category, o Options) string {
	n := s.Categories[c.Key]
	chg := changeSuffix(s, func(s *Stats) int64 { return s.Categories[c.Key] }, o.Lang)
	if o.Lang == "ja" {
		who := ""
		if o.Issuer != "" && c.Key != taxonomy.Worm && c.Key != taxonomy.Other {
			who = o.Issuer + "では、"
		}
		count := group(n) + " 件" + chg
		if chg != "" {
			count += " " // "610 件 (前期 430 件から 42% 増) の報告", but "610 件の報告"
		}
		switch c.Key {
		case taxonomy.Probe:
			return who + "防御に成功したアタックや、コンピュータ/サービス/弱点の探査を意図したアクセス、その他の不審なアクセス等、システムのアクセス権において影響を生じないか、無視できるアクセスについて " + count + "の報告を受領しています。"
		case taxonomy.MailRelay:
			return who + "電子メール配送プログラムへの、電子メールの中継を目的としたアクセスについて " + count + "の報告を受領しています。"
		case taxonomy.ForgedMail:
			return who + "電子メールの送信ヘッダを詐称した電子メールの配送について " + count + "の報告を受領しています。"
		case taxonomy.Intrusion:
			return who + "管理者権限の盗用が認められる場合を含め、システムへの侵入について " + count + "の報告を受領しています。"
		case taxonomy.DoS:
			return who + "大量のパケットや予期しないデータの送信によって、サイトのネットワークやホストのサービス運用を妨害しようとするアクセスについて " + count + "の報告を受領しています。"
		case taxonomy.Worm:
			return "インターネットを介して伝播するワーム、トロイの木馬、コンピュータウィルス等について " + count + "の報告を受領しています。"
		}
		return "上記のいずれの類型にも該当しない報告は " + count + "でした。"
	}
	count := reports(n) + chg
	switch c.Key {
	case taxonomy.Probe:
		return count + " concerned attacks that were successfully defended against, access intended to explore computers, services or weaknesses, and other suspicious access: access that had no effect, or a negligible one, on access rights to the system."
	case taxonomy.MailRelay:
		return count + " concerned access to mail delivery programs for the purpose of relaying mail."
	case taxonomy.ForgedMail:
		return count + " concerned the delivery of mail with forged sender headers."
	case taxonomy.Intrusion:
		return count + " concerned intrusions into systems, including cases where administrator privileges were stolen."
	case taxonomy.DoS:
		return count + " concerned access that tried to disrupt the network of a site or the services of its hosts by sending large volumes of packets or unexpected data."
	case taxonomy.Worm:
		return count + " concerned worms, trojan horses, computer viruses and the like spreading over the Internet."
	}
	return count + " fit none of the categories above."
}

// label is a fixed piece of text in lang.
func label(lang, key string) string {
	m, ok := labels[key]
	if !ok {
		return key // a typo in this package shows in the golden files
	}
	if lang == "ja" {
		return m[1]
	}
	return m[0]
}

var labels = map[string][2]string{
	"probe-intro": {"The main kinds of access in the reports received are listed below, most reported first; the number after each colon is the count of reports.",
		"今回受領した報告に含まれるアクセスのうち、主なものを以下に紹介します (報告件数の多い順。コロンの後の数字は報告件数)。"},
	"tcp":  {"Access to the following TCP ports", "以下の TCP ポートに対するアクセス"},
	"udp":  {"Access to the following UDP ports", "以下の UDP ポートに対するアクセス"},
	"icmp": {"Access by the following ICMP message types", "以下の ICMP メッセージタイプによるアクセス"},
	"cgi":  {"Access to CGI programs on web servers", "Web サーバの CGI プログラムに対するアクセス"},
	"cause-intro": {"The main weaknesses named as the cause of intrusion in the reports received are listed below, most reported first, with the advisory or rule that names them.",
		"今回受領した報告において、侵入の原因として指摘されている弱点のうち、主なものを以下に紹介します (報告件数の多い順。括弧内は該当する勧告またはルール)。"},
	"categories":  {"Reports by category", "類型別の報告件数"},
	"section":     {"Section", "区分"},
	"category":    {"Category", "類型"},
	"count":       {"Reports", "報告件数"},
	"previous":    {"Previous period", "前期"},
	"change":      {"Change", "増減"},
	"rank":        {"Rank", "順位"},
	"port":        {"Port", "ポート"},
	"service":     {"Service", "サービス"},
	"type":        {"Type", "タイプ"},
	"name":        {"Name", "名前"},
	"path":        {"Path", "パス"},
	"cause":       {"Cause", "原因"},
	"reference":   {"Advisory or rule", "勧告またはルール"},
	"top-tcp":     {"Most reported TCP ports", "報告の多い TCP ポート"},
	"top-udp":     {"Most reported UDP ports", "報告の多い UDP ポート"},
	"top-icmp":    {"ICMP message types", "ICMP メッセージタイプ"},
	"top-cgi":     {"CGI programs", "CGI プログラム"},
	"causes":      {"Causes of intrusion", "侵入の原因"},
	"this-period": {"This period", "今期"},
	"chart":       {"Bar chart", "棒グラフ"},
	"total":       {"Total", "合計"},
	"not-ranked":  {"—", "—"},
}
