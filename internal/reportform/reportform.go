// Package reportform reads the incident report form that reporters filled in and mailed with their
// logs (the "所定の様式" of seeds 000 and 002): labelled, often numbered fields such as
// "1. 報告者氏名: ..." or "Reporter: ...", in Japanese or English, followed by the log messages.
//
// The form was a text file that people copied into a mail and edited by hand, so the parser is
// forgiving: numbering is optional and may be "1.", "(1)", "１．" or "[1]"; labels may sit in
// 【】 or []; the colon may be ASCII or full width or missing when the value starts on the next line;
// a value runs on over the following lines until the next label.
package reportform

import (
	"net"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// fieldKind names a form field that keikai uses.
type fieldKind int

const (
	fieldNone fieldKind = iota
	fieldName
	fieldOrganization
	fieldEmail
	fieldPhone
	fieldIncidentTime
	fieldTimeZone
	fieldAffectedHosts
	fieldSourceHosts
	fieldDescription
	fieldLog
	fieldDisclosure
	fieldOther // a label of the form that keikai does not use; it still ends the previous field
)

// Form is what was found in a filled-in report form.
type Form struct {
	Name          string
	Organization  string
	Email         string
	Phone         string
	IncidentTime  string
	TimeZone      string
	AffectedHosts []string
	SourceHosts   []string
	Description   string
	// DisclosureAllowed is true only when the reporter said yes to showing their identity to the
	// sites involved; no answer, or an unclear one, means no (seeds 000 and 002 promise that).
	DisclosureAllowed bool
	// Log is the log section, byte for byte as it stood in the text (it may hold 8-bit bytes).
	Log string
	// LogStart and LogEnd delimit the log section in the parsed text, so that the caller can
	// analyse the rest of the text without reading the log twice.
	LogStart, LogEnd int
	// Fields counts the labelled fields recognised.
	Fields int
}

// minFields is how many recognised labels make a text a form: one "Name:" line is a signature,
// three labelled lines are a form.
const minFields = 3

// labels maps a normalised label (lower case, no spaces, no trailing "s") to its field. Labels of
// the form that keikai does not read (OS, 対応状況, ...) are listed too, so that they end the field
// before them instead of running into it.
var labels = map[string]fieldKind{}

func init() {
	add := func(f fieldKind, names ...string) {
		for _, n := range names {
			labels[normaliseLabel(n)] = f
		}
	}
	add(fieldName, "報告者氏名", "報告者名", "報告者", "氏名", "お名前", "名前", "担当者", "担当者名", "連絡担当者",
		"reporter", "reporter name", "reporter's name", "name", "your name", "contact name", "contact person", "full name")
	add(fieldOrganization, "組織名", "所属", "所属組織", "所属組織名", "組織", "会社名", "団体名", "所属先", "sitename", "サイト名",
		"organization", "organisation", "organization name", "company", "affiliation", "site", "site name")
	add(fieldEmail, "e-mail", "email", "e-mail address", "email address", "mail", "mail address", "電子メール",
		"電子メールアドレス", "メールアドレス", "メール", "連絡先メールアドレス", "連絡先e-mail")
	add(fieldPhone, "電話番号", "電話", "連絡先電話番号", "tel", "phone", "telephone", "phone number", "telephone number")
	add(fieldIncidentTime, "発生日時", "発生時刻", "発見日時", "日時", "発生日", "インシデント発生日時", "検知日時",
		"date/time", "date and time", "time of incident", "incident time", "incident date", "date/time of incident", "date", "time")
	add(fieldTimeZone, "タイムゾーン", "時間帯(タイムゾーン)", "時差", "time zone", "timezone", "tz")
	add(fieldAffectedHosts, "被害ホスト", "被害を受けたホスト", "被害ホスト名", "被害システム", "対象ホスト", "攻撃対象ホスト", "攻撃を受けたホスト",
		"affected host", "affected system", "victim host", "your host", "target host", "host attacked", "attacked host")
	add(fieldSourceHosts, "攻撃元ホスト", "攻撃元", "発信元", "発信元ホスト", "送信元", "アクセス元", "アクセス元ホスト", "攻撃元ipアドレス",
		"source host", "source", "source address", "attacking host", "attacker", "attacker host", "origin host")
	add(fieldDescription, "概要", "内容", "詳細", "状況", "被害状況", "インシデントの概要", "description", "summary", "details",
		"detail", "description of incident", "incident description")
	add(fieldLog, "ログ", "ログ情報", "関連ログ", "ログメッセージ", "ログの抜粋", "関連するログ", "log", "logs", "log message",
		"log excerpt", "relevant log", "log file", "log files")
	add(fieldDisclosure, "開示の可否", "開示", "情報開示", "報告者情報の開示", "連絡先の開示", "disclosure",
		"identity disclosure", "disclose identity", "may we disclose your identity")
	add(fieldOther, "os", "オペレーティングシステム", "対応状況", "対応", "その他", "備考", "others", "comment", "comments",
		"fax", "住所", "address", "action taken", "pgp", "pgp key", "pgp鍵")
}

func normaliseLabel(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) || r == '_' {
			continue
		}
		b.WriteRune(fold(r))
	}
	out := b.String()
	// "Affected hosts", "Source host(s)": one entry serves the plural forms.
	out = strings.TrimSuffix(out, "(s)")
	if len(out) > 3 && strings.HasSuffix(out, "s") && out != "os" {
		if _, ok := labels[strings.TrimSuffix(out, "s")]; ok {
			out = strings.TrimSuffix(out, "s")
		}
	}
	return out
}

// fold maps full-width ASCII (Ｅ－ｍａｉｌ, １．) to ASCII, as Japanese editors often produced it.
func fold(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return unicode.ToLower(r - 0xFF01 + 0x21)
	}
	return r
}

// Parse finds a report form in text. ok is false when fewer than three labelled fields were
// found: then the text is prose, not a form.
func Parse(text string) (form Form, ok bool) {
	type span struct {
		field      fieldKind
		valueStart int // byte offset where the field's value starts
		lineStart  int // byte offset of the label line
	}
	var spans []span
	off := 0
	inLog := false
	for off < len(text) {
		end := strings.IndexByte(text[off:], '\n')
		next := len(text)
		if end >= 0 {
			next = off + end + 1
		} else {
			end = len(text) - off
		}
		line := text[off : off+end]
		if isSignatureSeparator(line) {
			spans = append(spans, span{field: fieldOther, valueStart: next, lineStart: off})
			break
		}
		if f, valueAt, found := labelLine(line, inLog); found {
			spans = append(spans, span{field: f, valueStart: off + valueAt, lineStart: off})
			inLog = f == fieldLog
		}
		off = next
	}
	recognised := 0
	for _, s := range spans {
		if s.field != fieldOther {
			recognised++
		}
	}
	if recognised < minFields {
		return Form{}, false
	}
	form.Fields = recognised
	for i, s := range spans {
		end := len(text)
		if i+1 < len(spans) {
			end = spans[i+1].lineStart
		}
		if s.valueStart > end {
			continue
		}
		raw := text[s.valueStart:end]
		value := cleanValue(raw)
		switch s.field {
		case fieldName:
			setOnce(&form.Name, value)
		case fieldOrganization:
			setOnce(&form.Organization, value)
		case fieldEmail:
			setOnce(&form.Email, firstAddress(value))
		case fieldPhone:
			setOnce(&form.Phone, value)
		case fieldIncidentTime:
			setOnce(&form.IncidentTime, value)
		case fieldTimeZone:
			setOnce(&form.TimeZone, value)
		case fieldAffectedHosts:
			form.AffectedHosts = append(form.AffectedHosts, Hosts(value)...)
		case fieldSourceHosts:
			form.SourceHosts = append(form.SourceHosts, Hosts(value)...)
		case fieldDescription:
			setOnce(&form.Description, value)
		case fieldDisclosure:
			form.DisclosureAllowed = consents(value)
		case fieldLog:
			if form.Log == "" && strings.TrimSpace(raw) != "" {
				// The log keeps its bytes and indentation; only the blank lines around it go.
				start, stop := trimBlankLines(text, s.valueStart, end)
				stop = dropClosingProse(text, start, stop)
				form.Log, form.LogStart, form.LogEnd = text[start:stop], start, stop
			}
		}
	}
	return form, true
}

// consents reads a yes/no answer; anything but a clear yes is no.
func consents(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	for _, no := range []string{"不可", "否", "いいえ", "しない", "しません", "不許可", "no", "not", "don't", "do not", "disallow"} {
		if strings.Contains(v, no) {
			return false
		}
	}
	if v == "y" || v == "ok" {
		return true
	}
	for _, yes := range []string{"可", "はい", "許可", "同意", "yes", "allow", "agree"} {
		if strings.HasPrefix(v, yes) {
			return true
		}
	}
	return false
}

func setOnce(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// labelLine reports whether line starts a field, and where its value starts. Inside the log
// section only a numbered label ends it: log lines are full of colons ("statd[44]: attempt").
func labelLine(line string, inLog bool) (fieldKind, int, bool) {
	i := skipSpace(line, 0)
	numbered := false
	if j, ok := skipNumbering(line, i); ok {
		i, numbered = skipSpace(line, j), true
	}
	if inLog && !numbered {
		return fieldNone, 0, false
	}
	closer := ""
	for _, br := range [][2]string{{"【", "】"}, {"[", "]"}, {"<", ">"}, {"■", ""}, {"●", ""}, {"*", ""}} {
		if strings.HasPrefix(line[i:], br[0]) {
			i += len(br[0])
			closer = br[1]
			break
		}
	}
	// The label runs to the colon (ASCII or full width), the closing bracket, or the line's end.
	rest := line[i:]
	stop, valueAt := len(rest), len(rest)
	for _, sep := range []string{":", "：", closer} {
		if sep == "" {
			continue
		}
		if k := strings.Index(rest, sep); k >= 0 && k < stop {
			stop, valueAt = k, k+len(sep)
		}
	}
	label := strings.TrimSpace(rest[:stop])
	if closer != "" {
		label = strings.TrimSuffix(label, closer)
	}
	// "(例: 2000/04/01 10:00)" style hints after a label are part of the label line, not its name.
	if k := strings.IndexAny(label, "(（"); k > 0 {
		label = strings.TrimSpace(label[:k])
	}
	if label == "" || utf8.RuneCountInString(label) > 40 {
		return fieldNone, 0, false
	}
	f, ok := labels[normaliseLabel(label)]
	if !ok {
		return fieldNone, 0, false
	}
	// Without a colon a label needs a number or brackets, or prose lines such as "Source" would
	// start fields.
	if stop == len(rest) && !numbered && closer == "" {
		return fieldNone, 0, false
	}
	// Continue after any closing bracket or colon that follows the label.
	v := i + valueAt
	v = skipSpace(line, v)
	for _, sep := range []string{":", "："} {
		if strings.HasPrefix(line[v:], sep) {
			v = skipSpace(line, v+len(sep))
		}
	}
	return f, v, true
}

// skipNumbering skips "1.", "1)", "(1)", "１．", "[1]", "1.1" at i.
func skipNumbering(line string, i int) (int, bool) {
	j := i
	open := false
	for _, o := range []string{"(", "（", "["} {
		if strings.HasPrefix(line[j:], o) {
			j += len(o)
			open = true
			break
		}
	}
	// One or more groups of digits: "1", "１", and "1.1" or "2-3" in forms with sub-items.
	groups := 0
	for {
		k, digits := j, 0
		for k < len(line) {
			r, size := utf8.DecodeRuneInString(line[k:])
			if fr := fold(r); fr >= '0' && fr <= '9' {
				digits++
				k += size
				continue
			}
			break
		}
		if digits == 0 || digits > 3 {
			break
		}
		j, groups = k, groups+1
		sep := ""
		for _, c := range []string{".", "．", "-"} {
			if strings.HasPrefix(line[j:], c) {
				sep = c
				break
			}
		}
		if sep == "" || j+len(sep) >= len(line) {
			break
		}
		if r, _ := utf8.DecodeRuneInString(line[j+len(sep):]); fold(r) < '0' || fold(r) > '9' {
			break
		}
		j += len(sep)
	}
	if groups == 0 {
		return i, false
	}
	for _, c := range []string{")", "）", "]", ".", "．", "、", "-"} {
		if strings.HasPrefix(line[j:], c) {
			j += len(c)
			if open || c != ")" {
				// "(1)" and "1." both close here; a second closer ("1)." ) is skipped too.
				for _, c2 := range []string{".", "．"} {
					if strings.HasPrefix(line[j:], c2) {
						j += len(c2)
					}
				}
			}
			return j, true
		}
	}
	if open {
		return i, false
	}
	// "1 Reporter:" with only a space after the number.
	if j < len(line) && (line[j] == ' ' || line[j] == '\t') {
		return j, true
	}
	return i, false
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != ' ' && r != '\t' && r != '\u3000' && r != '\r' {
			break
		}
		i += size
	}
	return i
}

func isSignatureSeparator(line string) bool {
	return strings.TrimRight(line, "\r") == "-- "
}

// cleanValue joins a field's lines: trimmed, blank lines dropped, an explanatory placeholder such
// as "(記入してください)" left to the caller.
func cleanValue(raw string) string {
	var lines []string
	for _, l := range strings.Split(raw, "\n") {
		l = strings.TrimFunc(l, func(r rune) bool { return unicode.IsSpace(r) })
		if l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func trimBlankLines(text string, start, end int) (int, int) {
	for start < end {
		nl := strings.IndexByte(text[start:end], '\n')
		if nl < 0 || strings.TrimSpace(text[start:start+nl]) != "" {
			break
		}
		start += nl + 1
	}
	for end > start {
		prev := strings.LastIndexByte(text[start:end-1], '\n')
		lineStart := start + prev + 1
		if strings.TrimSpace(text[lineStart:end]) != "" {
			break
		}
		end = lineStart
	}
	return start, end
}

// logLike matches what every log line of the time carries: a clock time or an IPv4 address.
// Compiled on first use: package init is the start-up of every command.
var logLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\d:\d\d|\d+\.\d+\.\d+\.\d+`) })

// dropClosingProse ends the log section before the paragraphs that follow the last log line
// ("以上、よろしくお願いします。", "Regards, John"): the form's last field runs to the end of the
// mail, and a paragraph without a single time or address in it is not log.
func dropClosingProse(text string, start, stop int) int {
	for stop > start {
		para := strings.LastIndex(text[start:stop], "\n\n")
		if crlf := strings.LastIndex(text[start:stop], "\n\r\n"); crlf > para {
			para = crlf
		}
		if para < 0 {
			return stop
		}
		cut := start + para
		if logLike().MatchString(text[cut:stop]) {
			return stop
		}
		_, stop = trimBlankLines(text, start, cut+1)
	}
	return stop
}

func firstAddress(v string) string {
	for _, tok := range strings.FieldsFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("<>()[],;\"'、", r)
	}) {
		if strings.Contains(tok, "@") {
			return tok
		}
	}
	return v
}

// Hosts splits a field's value into host names and addresses: "www.example.co.jp (192.0.2.1),
// 198.51.100.7" gives three. Words that are neither (e.g. "不明", "unknown", "port 80") are dropped.
func Hosts(v string) []string {
	var out []string
	seen := map[string]bool{}
	for _, tok := range strings.FieldsFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;()[]<>\"'、，（）「」", r)
	}) {
		tok = strings.TrimRight(tok, ".:")
		if !looksLikeHost(tok) || seen[tok] {
			continue
		}
		seen[tok] = true
		out = append(out, tok)
	}
	return out
}

func looksLikeHost(tok string) bool {
	if ip := net.ParseIP(tok); ip != nil {
		return true
	}
	if _, _, err := net.ParseCIDR(tok); err == nil {
		return true
	}
	// A host name: two or more labels of letters, digits and hyphens, the last one alphabetic.
	parts := strings.Split(strings.TrimSuffix(tok, "."), ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			return false
		}
	}
	tld := parts[len(parts)-1]
	return len(tld) >= 2 && strings.Trim(tld, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}
