package web

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// messages holds every prose text of the pages: English, then Japanese. The table is built on
// first use: package init is the start-up of every command, and most never show a page.
var messages = sync.OnceValue(func() map[string][2]string {
	m := siteMessages()
	for _, area := range []map[string][2]string{authMessages(), incidentMessages(), threadMessages()} {
		addMessages(m, area)
	}
	return m
})

// siteMessages are the texts of the public pages.
func siteMessages() map[string][2]string {
	return map[string][2]string{
		"site.name":      {"keikai incident report desk", "keikai インシデント報告窓口"},
		"lang.other":     {"日本語", "English"},
		"nav.home":       {"Home", "ホーム"},
		"nav.report":     {"Report an incident", "インシデントを報告する"},
		"nav.activity":   {"Activity report", "活動概要"},
		"nav.advisories": {"Advisories", "緊急報告・注意喚起"},

		"index.title": {"Report a computer security incident", "コンピュータセキュリティインシデントの報告"},
		"index.lead": {"This is the report desk of a computer security incident response team. If your systems were probed, scanned or broken into, if your mail server was used as a relay, or if you received mail with a forged sender, please tell us, with the log messages that show it.",
			"このページはコンピュータセキュリティインシデント対応チームの報告窓口です。システムへのプローブ、スキャン、侵入、メールサーバの不正中継、送信者を詐称したメールなどを見つけたら、その様子を示すログとともにお知らせください。"},
		"index.analysis": {"Every report gets a tracking number at once and is analysed on arrival: the log excerpts and files you attach are checked against the detection rules of our advisories.",
			"報告には受付と同時に受付番号が付き、届いた時点で解析されます。添付されたログの抜粋やファイルは、当チームのアドバイザリの検知ルールで調べられます。"},
		"index.confidential": {"We never pass on your identity without your consent. Information about the sites involved is used only to coordinate the response.",
			"報告者の情報は、ご本人の同意なく第三者に伝えることはありません。関係するサイトの情報は、対応の調整にのみ使います。"},
		"index.cta":    {"Open the report form", "報告フォームを開く"},
		"index.status": {"After you report, you get a secret link where you can follow the status of your report.", "報告後には、報告の状況を確認できる秘密のリンクをお知らせします。"},

		"activity.title":   {"Activity report", "活動概要"},
		"activity.from":    {"First day", "開始日"},
		"activity.to":      {"Last day (included)", "終了日 (この日を含む)"},
		"activity.show":    {"Show", "表示"},
		"activity.earlier": {"← Previous period", "← 前の期間"},
		"activity.later":   {"Next period →", "次の期間 →"},

		"form.title":           {"Incident report form", "インシデント報告フォーム"},
		"form.lead":            {"Fields marked optional may be left empty. Give at least a description, a log excerpt or a file.", "任意の項目は空欄でもかまいません。説明、ログの抜粋、添付ファイルのうち少なくとも一つを記入してください。"},
		"form.errors":          {"Please correct the following and send the form again:", "次の点を直して、もう一度送信してください:"},
		"form.reporter":        {"Reporter", "報告者"},
		"form.name":            {"Name (optional)", "氏名 (任意)"},
		"form.organization":    {"Organisation (optional)", "所属組織 (任意)"},
		"form.email":           {"E-mail address (optional)", "電子メールアドレス (任意)"},
		"form.phone":           {"Telephone (optional)", "電話番号 (任意)"},
		"form.pgp":             {"OpenPGP public key, to encrypt our replies (optional)", "返信を暗号化するための OpenPGP 公開鍵 (任意)"},
		"form.incident":        {"Incident", "インシデント"},
		"form.subject":         {"Subject (optional)", "件名 (任意)"},
		"form.time":            {"Time of the incident (optional)", "インシデントの発生日時 (任意)"},
		"form.zone":            {"Time zone of that time and of your logs", "その日時とログのタイムゾーン"},
		"form.affected":        {"Affected hosts: addresses or names, one per line (optional)", "被害を受けたホスト: アドレスまたはホスト名を1行に1つ (任意)"},
		"form.sources":         {"Source hosts of the attack, one per line (optional)", "攻撃元のホスト: 1行に1つ (任意)"},
		"form.description":     {"What happened", "発生した事象の説明"},
		"form.excerpts":        {"Log excerpts: paste the relevant log messages as they are", "ログの抜粋: 関係するログをそのまま貼り付けてください"},
		"form.attachments":     {"Log files, plain text or gzip", "ログファイル (テキストまたは gzip)"},
		"form.attach.limit":    {"At most %[1]d files of %[2]s each.", "1ファイル %[2]s まで、%[1]d ファイルまで。"},
		"form.consent":         {"Consent", "同意"},
		"form.disclosure":      {"Allow my name and contact details to be shown to the sites involved", "関係するサイトに私の氏名と連絡先を伝えることに同意します"},
		"form.disclosure.note": {"Unless you tick this box, the sites we contact about your report learn nothing about who you are.", "チェックしない限り、当チームが連絡するサイトに報告者が誰であるかを伝えることはありません。"},
		"form.submit":          {"Send the report", "報告を送信する"},

		"form.expired": {"This form had expired (or its security token was missing), so nothing was stored. What you entered is kept below: check it and send the form again.",
			"フォームの有効期限が切れていた (または安全確認用のトークンがなかった) ため、何も保存していません。入力内容は下に残してあります。確認して、もう一度送信してください。"},
		"form.reattach": {"Choose your files again before you resend: a browser cannot keep them when a form comes back.", "再送信の前にファイルをもう一度選んでください (フォームが戻されると、ブラウザは選んだファイルを保持できません)。"},

		"field.subject":      {"Subject", "件名"},
		"field.name":         {"Name", "氏名"},
		"field.organization": {"Organisation", "所属組織"},
		"field.email":        {"E-mail address", "電子メールアドレス"},
		"field.phone":        {"Telephone", "電話番号"},
		"field.pgp":          {"OpenPGP public key", "OpenPGP 公開鍵"},
		"field.time":         {"Time of the incident", "インシデントの発生日時"},
		"field.zone":         {"Time zone", "タイムゾーン"},
		"field.affected":     {"Affected hosts", "被害を受けたホスト"},
		"field.sources":      {"Source hosts", "攻撃元のホスト"},
		"field.description":  {"What happened", "発生した事象の説明"},
		"field.excerpts":     {"Log excerpts", "ログの抜粋"},
		"field.attachments":  {"Log files", "ログファイル"},

		"done.title":    {"Thank you: your report was received", "報告を受け付けました"},
		"done.tracking": {"Tracking number", "受付番号"},
		"done.received": {"Received", "受付日時"},
		"done.link":     {"Your secret status link", "状況確認用の秘密のリンク"},
		"done.keep": {"Keep this link: it is shown only now, and anyone who has it can see the status of your report (nothing else). Quote the tracking number when you write to us about this report.",
			"このリンクは今回しか表示されません。リンクを知っている人は誰でも報告の状況 (それ以外は見られません) を確認できますので、大切に保管してください。この報告について連絡される際は受付番号をお書きください。"},

		"status.title":    {"Status of report %s", "報告 %s の状況"},
		"status.state":    {"State", "状況"},
		"status.category": {"Category", "類型"},
		"status.pending":  {"not yet determined", "未確定"},
		"state.received":  {"received, waiting for analysis", "受付済み、解析待ち"},
		"state.analysed":  {"received and analysed", "受付済み、解析済み"},
		"state.failed":    {"received; automatic analysis failed, an analyst will read it", "受付済み。自動解析に失敗したため、担当者が確認します"},

		"error.title":       {"Something went wrong", "エラー"},
		"error.notfound":    {"There is no such page. A status link must be copied completely.", "そのページはありません。状況確認用のリンクは最後まで正確にコピーしてください。"},
		"error.csrf":        {"The form has expired or was not sent from this site. Open the form again and resend it; what you entered is not stored yet.", "フォームの有効期限が切れたか、このサイト以外から送信されました。フォームを開き直して送信してください (入力内容はまだ保存されていません)。"},
		"error.toolarge":    {"The report is too large (at most %s). Compress log files with gzip or send fewer of them.", "報告が大きすぎます (%s まで)。ログファイルを gzip で圧縮するか、数を減らしてください。"},
		"error.ratelimit":   {"Too many reports from your address in a short time. Please wait %d seconds and send again.", "短時間にあなたのアドレスから多数の報告が送られました。%d 秒待ってから再度送信してください。"},
		"error.internal":    {"The report could not be stored because of a problem on our side. Nothing was saved; please try again in a few minutes.", "サーバ側の問題で報告を保存できませんでした。何も保存されていません。しばらくしてから再度お試しください。"},
		"error.unavailable": {"The service is temporarily unavailable. Please try again in a few minutes.", "サービスが一時的に利用できません。しばらくしてから再度お試しください。"},
		"error.badform":     {"The form data could not be read. Please use the form on this site.", "フォームのデータを読み取れませんでした。このサイトのフォームから送信してください。"},
		"error.activity":    {"The activity report could not be produced.", "活動概要を作成できませんでした。"},
		"error.period":      {"Choose a first day and a last day on or after it (as ?from=YYYY-MM-DD&to=YYYY-MM-DD; to is inclusive).", "開始日と、それ以降の終了日を選んでください (?from=YYYY-MM-DD&to=YYYY-MM-DD の形式で、to の日を含みます)。"},
		"error.back":        {"Back to the home page", "ホームに戻る"},
	}
}

// text returns the message key in lang; a missing key shows the key itself, which the test
// that renders every page catches.
// addMessages adds the texts of one area of the site to m (each area keeps its own table in its
// own file, so that areas are written side by side without touching one map). A key defined
// twice is a programming error, caught by every test of this package that renders a page.
func addMessages(m, area map[string][2]string) {
	for k, v := range area {
		if _, dup := m[k]; dup {
			panic("web: message key defined twice: " + k)
		}
		m[k] = v
	}
}

func text(lang, key string) string {
	m, ok := messages()[key]
	if !ok {
		return key
	}
	if lang == "ja" {
		return m[1]
	}
	return m[0]
}

// langCookie remembers the language chosen with the switch on the page.
const langCookie = "keikai_lang"

// pickLang chooses the page language: ?lang=, then the cookie the switch on the page set, then
// Accept-Language (ja or en, whichever has the higher quality). A form's POST carries its
// page's language in a field, which the form handler prefers.
func pickLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "ja" || l == "en" {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "ja" || c.Value == "en") {
		return c.Value
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

func acceptLanguage(h string) string {
	best, bestQ := "en", -1.0
	for _, item := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(item), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		primary, _, _ := strings.Cut(tag, "-")
		if primary != "ja" && primary != "en" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}
