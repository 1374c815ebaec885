package web

import (
	"html/template"
	"strings"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/incident"
	"github.com/keikai-project/keikai/internal/staff"
)

// incidentFuncs are the template functions of the staff pages of triage and incidents.
var incidentFuncs = template.FuncMap{
	// esc shows text from outside (a raw submission's line, a reporter's words) with every
	// control byte, escape sequence and format character as a visible backslash escape.
	"esc":     escape.String,
	"visible": visible,
	"reason": func(lang string, r incident.Reason) string {
		if lang == "ja" {
			return r.Ja
		}
		return r.En
	},
	// analyst tells whether the signed-in user may change things (forms are shown to them only;
	// the routes check it again).
	"analyst": func(s *staffSession) bool { return s != nil && s.User.Role.Allows(staff.RoleAnalyst) },
	// tlpClass is a TLP label as a CSS class name: tlp-clear, tlp-amber-strict.
	"tlpClass": func(t incident.TLP) string {
		return "tlp-" + strings.ToLower(strings.ReplaceAll(string(t), "+", "-"))
	},
	// actionText names an audit action in lang: the changes of reports and incidents in words,
	// others (of other parts of keikai) as their dotted name.
	"actionText": func(lang, action string) string {
		key := "staff.timeline." + strings.TrimPrefix(strings.TrimPrefix(action, "incident."), "report.")
		if _, ok := messages()[key]; ok && (strings.HasPrefix(action, "incident.") || strings.HasPrefix(action, "report.")) {
			return text(lang, key)
		}
		if key := "staff.action." + action; strings.HasPrefix(action, "message.") {
			if _, ok := messages()[key]; ok {
				return text(lang, key)
			}
		}
		return visible(action)
	},
	// dict passes several values to a shared template: dict "Lang" .Lang "Rows" .Rows.
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			if k, ok := kv[i].(string); ok {
				m[k] = kv[i+1]
			}
		}
		return m
	},
	"title": func(lang, en, ja string) string {
		if lang == "ja" && ja != "" {
			return ja
		}
		return en
	},
}

// incidentMessages are the texts of the staff pages for reports and incidents: English, then
// Japanese.
func incidentMessages() map[string][2]string {
	return map[string][2]string{

		"staff.queue.title":     {"Report queue", "報告キュー"},
		"staff.queue.badfilter": {"A filter was not understood: choose a category and state from the lists, give days as YYYY-MM-DD (the last on or after the first) and a source as an IP address or network such as 192.0.2.0/24.", "絞り込み条件を読み取れませんでした。類型と状況は一覧から選び、日付は YYYY-MM-DD の形式 (終了日は開始日以降)、送信元は IP アドレスか 192.0.2.0/24 のようなネットワークで指定してください。"},
		"staff.queue.none":      {"No report matches.", "該当する報告はありません。"},
		"staff.queue.next":      {"Older reports →", "さらに古い報告 →"},
		"staff.filter.category": {"Category", "類型"},
		"staff.filter.state":    {"State", "状況"},
		"staff.filter.decided":  {"Decision", "判断"},
		"staff.filter.from":     {"Received from", "受付日 (から)"},
		"staff.filter.to":       {"Received to (included)", "受付日 (まで、この日を含む)"},
		"staff.filter.source":   {"Source address or network", "送信元アドレスまたはネットワーク"},
		"staff.filter.any":      {"any", "すべて"},
		"staff.filter.yes":      {"decided", "判断済み"},
		"staff.filter.no":       {"not decided", "未判断"},
		"staff.filter.apply":    {"Filter", "絞り込む"},

		"staff.col.tracking":  {"Tracking number", "受付番号"},
		"staff.col.received":  {"Received", "受付日時"},
		"staff.col.channel":   {"Channel", "経路"},
		"staff.col.state":     {"State", "状況"},
		"staff.col.suggested": {"Suggested by keikai", "keikai の推定"},
		"staff.col.decided":   {"Decided", "担当者の判断"},
		"staff.col.incident":  {"Incident", "インシデント"},
		"staff.col.title":     {"Title", "件名"},
		"staff.col.status":    {"Status", "状況"},
		"staff.col.assignee":  {"Assignee", "担当者"},
		"staff.col.reports":   {"Reports", "報告数"},
		"staff.col.updated":   {"Updated", "更新日時"},

		"staff.state.received": {"waiting for analysis", "解析待ち"},
		"staff.state.analysed": {"analysed", "解析済み"},
		"staff.state.failed":   {"analysis failed", "解析失敗"},

		"staff.report.title":           {"Report", "報告"},
		"staff.report.meta":            {"Receipt", "受付情報"},
		"staff.report.size":            {"Size", "サイズ"},
		"staff.report.messageid":       {"Message-ID", "Message-ID"},
		"staff.report.reporter":        {"Reporter (confidential: never shown outside the team without consent)", "報告者 (機密: 同意なくチーム外に示さない)"},
		"staff.report.consent":         {"Consents to disclosure to the sites involved", "関係サイトへの開示に同意"},
		"staff.report.noconsent":       {"No consent to disclosure", "開示の同意なし"},
		"staff.report.subject":         {"Subject", "件名"},
		"staff.report.description":     {"Description", "説明"},
		"staff.report.sources":         {"Source hosts (as reported)", "攻撃元のホスト (報告のとおり)"},
		"staff.report.affected":        {"Affected hosts (as reported)", "被害を受けたホスト (報告のとおり)"},
		"staff.report.findings":        {"Findings", "検知結果"},
		"staff.report.nofindings":      {"No rule matched.", "該当したルールはありません。"},
		"staff.report.observables":     {"Observables", "観測値"},
		"staff.report.reserved":        {"special-purpose range", "特殊用途のアドレス"},
		"staff.report.warnings":        {"Decoding warnings", "デコード時の警告"},
		"staff.report.raw":             {"Submission as received (escaped: control bytes, escape sequences and direction overrides are shown as \\x.. and \\u.... and never take effect)", "受信したままの報告 (エスケープ表示: 制御文字、エスケープシーケンス、書字方向の制御文字は \\x.. や \\u.... として表示し、効果を持たせません)"},
		"staff.report.rawcut":          {"Only the first 256 KiB are shown; keikai report show prints the whole submission.", "先頭の 256 KiB のみ表示しています。全体は keikai report show で表示できます。"},
		"staff.report.notanalysed":     {"Not analysed yet.", "まだ解析されていません。"},
		"staff.report.classify":        {"Category", "類型"},
		"staff.report.suggestion":      {"keikai's suggestion", "keikai の推定"},
		"staff.report.decision":        {"Analyst's decision", "担当者の判断"},
		"staff.report.undecided":       {"none yet: the report counts as keikai's suggestion", "まだありません (統計では keikai の推定として数えます)"},
		"staff.report.decidedby":       {"by %s, %s", "%s、%s"},
		"staff.report.triage":          {"Decide", "判断する"},
		"staff.report.rsit":            {"RSIT class:type (empty: the category's default)", "RSIT の分類 (空欄ならその類型の既定値)"},
		"staff.report.note":            {"Note (optional)", "メモ (任意)"},
		"staff.report.decide":          {"Record the decision", "判断を記録する"},
		"staff.report.incident":        {"Incident", "インシデント"},
		"staff.report.inincident":      {"This report belongs to incident", "この報告が含まれるインシデント:"},
		"staff.report.addto":           {"Add to incident", "インシデントに追加"},
		"staff.report.newincident":     {"a new incident, titled:", "新しいインシデント (件名は下に入力):"},
		"staff.report.newtitle":        {"Title of a new incident", "新しいインシデントの件名"},
		"staff.report.add":             {"Add", "追加する"},
		"staff.report.rule":            {"Rule", "ルール"},
		"staff.report.level":           {"Level", "レベル"},
		"staff.report.time":            {"Time", "日時"},
		"staff.report.source":          {"Source", "送信元"},
		"staff.report.excerpt":         {"Excerpt", "抜粋"},
		"staff.report.advisories":      {"Advisories", "アドバイザリ"},
		"staff.report.kind":            {"Kind", "種類"},
		"staff.report.value":           {"Value", "値"},
		"staff.report.count":           {"Count", "回数"},
		"staff.incidents.title":        {"Incidents", "インシデント"},
		"staff.incidents.none":         {"No incident yet.", "インシデントはまだありません。"},
		"staff.incidents.next":         {"Older incidents →", "さらに古いインシデント →"},
		"staff.incidents.new":          {"New incident", "新しいインシデント"},
		"staff.incidents.create":       {"Create", "作成する"},
		"staff.suggest.title":          {"Suggested groups", "グループ化の提案"},
		"staff.suggest.lead":           {"keikai groups the newest reports by the same source address or network and the same rule at overlapping times. Accepting creates an incident of the chosen reports, or adds them to the incident some of them belong to.", "keikai は最近の報告を、送信元アドレスやネットワーク、該当ルールが同じで時間帯が重なるものごとにまとめて提案します。採用すると、選んだ報告で新しいインシデントを作成するか、一部の報告がすでに含まれるインシデントに追加します。"},
		"staff.suggest.none":           {"Nothing to suggest among the newest reports.", "最近の報告に提案できるグループはありません。"},
		"staff.suggest.name":           {"Activity of %s since %s", "%s の活動 (%s から)"},
		"staff.suggest.accept":         {"Create the incident", "インシデントを作成する"},
		"staff.suggest.extend":         {"Add to %s", "%s に追加する"},
		"staff.suggest.period":         {"Activity from %s to %s", "活動の期間: %s から %s"},
		"staff.incident.title":         {"Incident", "インシデント"},
		"staff.incident.merged":        {"This incident was merged into %s and can no longer change.", "このインシデントは %s に統合されたため、変更できません。"},
		"staff.incident.reports":       {"Reports", "報告"},
		"staff.incident.noreports":     {"No reports.", "報告はありません。"},
		"staff.incident.status":        {"Status", "状況"},
		"staff.incident.setstatus":     {"Change the status", "状況を変更する"},
		"staff.incident.assignee":      {"Assignee", "担当者"},
		"staff.incident.nobody":        {"nobody", "なし"},
		"staff.incident.assignme":      {"Assign to me", "自分を担当者にする"},
		"staff.incident.unassign":      {"Unassign", "担当を外す"},
		"staff.incident.tlp":           {"TLP label", "TLP ラベル"},
		"staff.incident.settlp":        {"Change the label", "ラベルを変更する"},
		"staff.incident.notes":         {"Notes", "メモ"},
		"staff.incident.newnote":       {"New note", "新しいメモ"},
		"staff.incident.addnote":       {"Add the note", "メモを追加する"},
		"staff.incident.addreports":    {"Add reports by tracking number (one or more, separated by spaces)", "受付番号で報告を追加 (複数ならスペースで区切る)"},
		"staff.incident.add":           {"Add", "追加する"},
		"staff.incident.merge":         {"Merge another incident into this one", "別のインシデントをこのインシデントに統合する"},
		"staff.incident.mergebtn":      {"Merge", "統合する"},
		"staff.incident.split":         {"Split the chosen reports into a new incident, titled:", "選んだ報告を新しいインシデントに分割する (件名):"},
		"staff.incident.splitbtn":      {"Split", "分割する"},
		"staff.incident.timeline":      {"Timeline", "経過"},
		"staff.incident.created":       {"Created", "作成日時"},
		"staff.action.message.send":    {"sent a message", "メッセージを送信"},
		"staff.action.message.receive": {"received a message", "メッセージを受信"},
		"staff.action.message.share":   {"shared a message with the reporter", "メッセージを報告者に公開"},
		"staff.action.message.unshare": {"stopped sharing a message with the reporter", "メッセージの報告者への公開を停止"},
		"staff.timeline.create":        {"created the incident", "インシデントを作成"},
		"staff.timeline.note":          {"added a note", "メモを追加"},
		"staff.timeline.decide":        {"decided the category", "類型を判断"},
		"staff.timeline.status":        {"changed the status to", "状況を変更:"},
		"staff.timeline.tlp":           {"changed the TLP label to", "TLP ラベルを変更:"},
		"staff.timeline.assign":        {"changed the assignee to", "担当者を変更:"},
		"staff.timeline.add_reports":   {"added reports", "報告を追加:"},
		"staff.timeline.merge":         {"merged into this incident", "このインシデントに統合:"},
		"staff.timeline.merged":        {"merged this incident into", "このインシデントを統合した先:"},
		"staff.timeline.split":         {"split reports off into", "報告を分割した先:"},
		"staff.incident.audit":         {"Audit log of this incident", "このインシデントの監査ログ"},
		"staff.report.audit":           {"Audit log of this report", "この報告の監査ログ"},
		"staff.audit.title":            {"Audit log", "監査ログ"},
		"staff.audit.lead":             {"Every change to a report or incident, oldest first: who, when, what, and the changed fields before and after. No one can change or delete an entry; each is chained to the one before by its SHA-256 hash.", "報告とインシデントへのすべての変更を古い順に示します (誰が、いつ、何を、変更前後の値)。記録は誰も変更・削除できず、各記録は SHA-256 ハッシュで直前の記録とつながっています。"},
		"staff.audit.object":           {"Object", "対象"},
		"staff.audit.kind.report":      {"report", "報告"},
		"staff.audit.kind.incident":    {"incident", "インシデント"},
		"staff.audit.kind.user":        {"user", "利用者"},
		"staff.audit.kind.message":     {"message", "メッセージ"},
		"staff.audit.next":             {"Newer entries →", "さらに新しい記録 →"},
		"staff.audit.none":             {"No entry.", "記録はありません。"},
		"staff.audit.system":           {"keikai (command line)", "keikai (コマンドライン)"},
		"staff.audit.all":              {"The whole audit log", "監査ログ全体"},
		"staff.col.when":               {"When", "日時"},
		"staff.col.who":                {"Who", "誰が"},
		"staff.col.action":             {"Action", "操作"},
		"staff.col.before":             {"Before", "変更前"},
		"staff.col.after":              {"After", "変更後"},
		"staff.status.new":             {"new", "新規"},
		"staff.status.triage":          {"triage", "トリアージ中"},
		"staff.status.coordinating":    {"coordinating", "調整中"},
		"staff.status.resolved":        {"resolved", "解決"},
		"staff.status.closed":          {"closed", "完了"},
		"staff.filter.status":          {"Status", "状況"},

		"staff.search.title":    {"Search", "検索"},
		"staff.search.label":    {"IP address or network, tracking number, incident reference, advisory ID or rule ID", "IP アドレスまたはネットワーク、受付番号、インシデント番号、アドバイザリ ID、ルール ID"},
		"staff.search.go":       {"Search", "検索する"},
		"staff.search.none":     {"Nothing found for %s.", "%s に該当するものはありません。"},
		"staff.search.address":  {"Reports that name this address or network", "このアドレスまたはネットワークを含む報告"},
		"staff.search.rule":     {"Reports with a finding of this rule", "このルールに該当した報告"},
		"staff.search.advisory": {"Reports that point to this advisory", "このアドバイザリに関係する報告"},

		"staff.activity.title": {"Statistics", "統計"},

		"staff.error.internal": {"The request could not be completed because of a problem on our side; nothing was changed. Try again, and tell the administrator if it persists.", "サーバ側の問題で処理できませんでした。何も変更していません。もう一度お試しください。繰り返す場合は管理者に連絡してください。"},
		"staff.error.notfound": {"There is no such report or incident. Check the tracking number or reference.", "該当する報告またはインシデントはありません。受付番号や番号を確認してください。"},
		"staff.error.invalid":  {"The change was refused because a field is not valid; go back, correct it and send again.", "入力内容が正しくないため変更しませんでした。戻って修正し、もう一度送信してください。"},
		"staff.error.conflict": {"The change conflicts with the current state (someone may have changed it meanwhile); reload the page and try again.", "現在の状態と矛盾するため変更しませんでした (他の人が変更した可能性があります)。ページを読み込み直して、もう一度お試しください。"},
	}
}
