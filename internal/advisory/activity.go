package advisory

import (
	"fmt"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// ActivityDraft writes the sources of an activity report from a period's statistics, in the
// shape of JPCERT-PR-2000-0003: the total, the note that counts are reports and not attacks, one
// section per category with its count, and the rankings (ports, ICMP types, CGI paths, causes of
// intrusions) as the data they are. The numbers come from the reports, never typed by hand; the
// analyst adds commentary and the canonical URL (left as TODO, which lint refuses).
func ActivityDraft(id, issuer string, st *activity.Stats, today time.Time) (map[string][]byte, error) {
	if st == nil || !st.To.After(st.From) {
		return nil, fmt.Errorf("the statistics have no period")
	}
	last := st.To.AddDate(0, 0, -1) // To is exclusive
	jaDate := func(t time.Time) string { return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day()) }
	enDate := func(t time.Time) string { return t.Format("January 2, 2006") }
	yml := fmt.Sprintf(`id: %s
kind: activity-report
issuer: %s
title:
  ja: %s
  en: %s
editions:
  - number: 1
    date: %s
    note: {ja: 初版 (%s), en: First edition (%s)}
url: https://%s.example/%s
tlp: CLEAR
rules: []
`, id, yamlQuote(issuer),
		yamlQuote(fmt.Sprintf("%s 活動概要 [ %s 〜 %s ]", issuer, jaDate(st.From), jaDate(last))),
		yamlQuote(fmt.Sprintf("%s Activity Report [ %s - %s ]", issuer, enDate(st.From), enDate(last))),
		today.Format(time.DateOnly), id, id, unfinished, strings.ToLower(id))

	var ja, en strings.Builder
	fmt.Fprintf(&ja, "%sから%sまでの間に %s が受領したコンピュータセキュリティインシデントに関する報告の件数は %d 件でした。\n\n", jaDate(st.From), jaDate(last), issuer, st.Total)
	fmt.Fprintf(&en, "From %s to %s, %s received %d reports of computer security incidents.\n\n", enDate(st.From), enDate(last), issuer, st.Total)
	ja.WriteString("注: ここにあげた件数は、" + issuer + " が受け付けた報告の件数です。実際のアタックの発生件数や、被害件数を類推できるような数値ではありません。\n\n")
	en.WriteString("Note: The figures given here are the numbers of reports " + issuer + " received. They do not allow the number of attacks or of victims to be inferred.\n\n")
	for _, c := range taxonomy.Categories() {
		n := st.Categories[c.Key]
		if c.Key == taxonomy.Other && n == 0 {
			continue
		}
		fmt.Fprintf(&ja, "## %s {#%s}\n\n%sでは、%sについて %d 件の報告を受領しています。\n\n", c.Ja, c.Key, issuer, c.Ja, n)
		fmt.Fprintf(&en, "## %s {#%s}\n\n%s received %d reports in this category.\n\n", c.En, c.Key, issuer, n)
		switch c.Key {
		case taxonomy.Probe:
			ranking(&ja, &en, "以下の TCP ポートに対するアクセス", "Access to the following TCP ports", ports(st.TopTCPPorts))
			ranking(&ja, &en, "以下の UDP ポートに対するアクセス", "Access to the following UDP ports", ports(st.TopUDPPorts))
			var icmp []string
			for _, t := range st.ICMPTypes {
				icmp = append(icmp, fmt.Sprintf("%d (%s): %d", t.Type, t.Name, t.Count))
			}
			ranking(&ja, &en, "以下の ICMP メッセージタイプによるアクセス", "Access with the following ICMP message types", icmp)
			var cgi []string
			for _, p := range st.CGIPaths {
				cgi = append(cgi, fmt.Sprintf("%s: %d", p.Path, p.Count))
			}
			ranking(&ja, &en, "Web サーバの CGI プログラムに対するアクセス", "Access to CGI programs of web servers", cgi)
		case taxonomy.Intrusion:
			var causes, causesEn []string
			for _, cc := range st.Causes {
				name := cc.Advisory
				if name == "" {
					name = cc.Rule
				}
				title := cc.TitleJa
				if title == "" {
					title = cc.Title
				}
				causes = append(causes, fmt.Sprintf("%s %s: %d", name, title, cc.Count))
				causesEn = append(causesEn, fmt.Sprintf("%s %s: %d", name, cc.Title, cc.Count))
			}
			if len(causes) > 0 {
				ja.WriteString("侵入の原因として指摘されている弱点のうち、主なものを以下に紹介します。\n\n" + verbatim(causes) + "\n")
				en.WriteString("The main weaknesses named as the cause of intrusions are the following.\n\n" + verbatim(causesEn) + "\n")
			}
		}
	}
	ja.WriteString("## {#reprint .notice}\n\nこの文書を転載する際には、全文を転載してください。\nまた、最新情報については {url} を参照してください。\n")
	en.WriteString("## {#reprint .notice}\n\nIf you reprint this document, reprint it in full.\nFor the latest information, see {url}.\n")
	return map[string][]byte{"advisory.yml": []byte(yml), "ja.md": []byte(ja.String()), "en.md": []byte(en.String())}, nil
}

func ranking(ja, en *strings.Builder, titleJa, titleEn string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(ja, "* %s (件数は報告の数)\n\n%s\n", titleJa, verbatim(lines))
	fmt.Fprintf(en, "* %s (counts are reports)\n\n%s\n", titleEn, verbatim(lines))
}

func ports(list []activity.PortCount) []string {
	var out []string
	for _, p := range list {
		if p.Service != "" {
			out = append(out, fmt.Sprintf("%d(%s): %d", p.Port, p.Service, p.Count))
		} else {
			out = append(out, fmt.Sprintf("%d: %d", p.Port, p.Count))
		}
	}
	return out
}

func verbatim(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		// Paths come from reports: keep them on one line, and never let them open a heading.
		l = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return '?'
			}
			return r
		}, l)
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// yamlQuote writes s as a double-quoted YAML scalar.
func yamlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
