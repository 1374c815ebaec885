package advisory

import (
	"fmt"
	"strings"
	"time"
)

// unfinished marks what a skeleton leaves for the author; lint refuses it.
const unfinished = "TODO"

// Skeleton returns the files of a new advisory (advisory.yml, ja.md, en.md) with the sections its
// kind requires, ready to be filled in. Every place to fill says TODO, which lint refuses, so an
// unfinished advisory cannot be published by mistake.
func Skeleton(id string, kind Kind, issuer, url string, today time.Time) (map[string][]byte, error) {
	sections, ok := requiredSections[kind]
	if !ok {
		return nil, fmt.Errorf("kind %q is not one of emergency, alert, activity-report", kind)
	}
	if url == "" {
		url = "https://" + unfinished + ".example/" + strings.ToLower(id)
	}
	yml := fmt.Sprintf(`id: %s
kind: %s
issuer: %s
title:
  ja: %s
  en: %s
editions:
  - number: 1
    date: %s
    note: {ja: 初版, en: First edition.}
# expires: YYYY-MM-DD
url: %s
tlp: CLEAR
countermeasures:
  - ja: %s
    en: %s
references: []
rules: []
`, id, kind, issuer, unfinished, unfinished, today.Format(time.DateOnly), url, unfinished, unfinished)
	titles := map[string][2]string{
		"situation": {"状況説明", "Description"}, "impact": {"想定される影響", "Impact"},
		"detection": {"確認方法", "How to check"}, "countermeasures": {"対策", "Solution"}, "references": {"参考情報", "References"},
	}
	var ja, en strings.Builder
	for _, s := range sections {
		fmt.Fprintf(&ja, "## %s {#%s}\n\n%s\n\n", titles[s][0], s, unfinished)
		fmt.Fprintf(&en, "## %s {#%s}\n\n%s\n\n", titles[s][1], s, unfinished)
	}
	ja.WriteString("## {#reprint .notice}\n\nこの文書を転載する際には、全文を転載してください。\n最新情報については {url} を参照してください。\n")
	en.WriteString("## {#reprint .notice}\n\nIf you reprint this document, reprint it in full.\nSee {url} for the latest information.\n")
	return map[string][]byte{"advisory.yml": []byte(yml), "ja.md": []byte(ja.String()), "en.md": []byte(en.String())}, nil
}
