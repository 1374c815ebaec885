package output

// messages are the labels of the text format in English and Japanese; prose from rules and
// advisories carries its own translations.
var messages = map[string][2]string{
	"analysed":       {"Analysed %s lines in %s files (%s)", "%s 行を解析しました (%s ファイル、%s)"},
	"events":         {"Events: %s", "イベント: %s"},
	"by-category":    {"Findings by category: %s", "類型別の検出件数: %s"},
	"by-rule":        {"Findings by rule", "ルール別の検出件数"},
	"top-tcp":        {"Top TCP ports (inbound firewall events)", "アクセスの多い TCP ポート (ファイアウォールの受信イベント)"},
	"top-udp":        {"Top UDP ports (inbound firewall events)", "アクセスの多い UDP ポート (ファイアウォールの受信イベント)"},
	"port-header":    {"port", "ポート"},
	"service-header": {"service", "サービス"},
	"count-header":   {"count", "件数"},
	"icmp":           {"ICMP types (inbound firewall events)", "ICMP メッセージタイプ (ファイアウォールの受信イベント)"},
	"cgi":            {"CGI programs requested", "アクセスされた CGI プログラム"},
	"sources":        {"Top sources (of lines that matched a rule)", "主な送信元 (ルールに一致した行)"},
	"approximate":    {"Note: more distinct paths or sources than keikai keeps in memory; counts in those rankings are upper bounds.", "注: パスまたは送信元の種類がメモリに保持できる数を超えたため、その順位の件数は上限値です。"},
	"evicted":        {"Note: %s correlation groups were dropped to bound memory; a scan spread over that many sources may be undercounted.", "注: メモリを抑えるため相関グループ %s 件を破棄しました。それほど多くの送信元に分散したスキャンは少なく数えられている可能性があります。"},
	"capped":         {"Note: %s correlation bursts stopped counting distinct values at the memory bound; their distinct counts are lower bounds.", "注: メモリの上限により、相関のバースト %s 件で異なる値の数え上げを打ち切りました。それらの異なる値の数は下限です。"},
	"warnings":       {"Warnings: %d (inputs not read completely: %d); see standard error.", "警告: %d 件 (最後まで読めなかった入力: %d 件)。標準エラー出力を参照してください。"},
	"artifact":       {"artifact", "痕跡"},
	"as-above":       {"countermeasures: as above (%s)", "対策: 上記と同じ (%s)"},
	"distinct":       {": %d%s distinct %s in %d events", ": %d 件のイベントで %s が %d%s 種類"},
	"events-count":   {": %d events", ": %d 件のイベント"},
	"window":         {" (window %s)", " (時間枠 %s)"},
	"from-to":        {"from %s (%s) to %s (%s)", "%s (%s) から %s (%s) まで"},
	"checked":        {"Checked %s: %d files, %d sockets, %d processes, %d packages; %d log files (%d lines)", "%s を検査しました: ファイル %d、ソケット %d、プロセス %d、パッケージ %d、ログファイル %d (%d 行)"},
	"findings":       {"Findings: %d", "検出件数: %d"},
	"complete":       {"Everything the rules ask for was examined.", "ルールが求める項目はすべて検査しました。"},
	"not-examined":   {"NOT EXAMINED (%d): a clean result above does not cover these:", "未検査 (%d 件): 上の結果はこれらを含みません:"},
	"group-count":    {"(%s findings)", "(%s 件)"},
	"fold":           {"... and %s more findings from %s more %s", "… ほかに検出 %[1]s (%[3]s %[2]s)"},
	"fold-1":         {"... and %s more finding from %s more %s", "… ほかに検出 %[1]s (%[3]s %[2]s)"},
	"fold-exact":     {"%s", "%s 件"},
	"fold-about":     {"about %s", "約 %s 件"},
	"fold-at-least":  {"at least %s", "%s 件以上"},
	"fold-sources":   {"sources", "送信元"},
	"fold-sources-1": {"source", "送信元"},
	"fold-files":     {"files", "ファイル"},
	"fold-files-1":   {"file", "ファイル"},
	"fold-paths":     {"paths", "パス"},
	"fold-paths-1":   {"path", "パス"},
	"rule":           {"rule", "ルール"},
	"several":        {"several destinations", "複数の宛先"},
	"outsized":       {"Note: one rule produced %s of the %s findings (%d%%): %s. If it is noise here, leave it out with --exclude-rule %s; if the input repeats itself (a decompression bomb, a logging loop), look at the input.", "注: 検出 %[2]s 件のうち %[1]s 件 (%[3]d%%) が一つのルールによるものです: %[4]s。この環境では誤検知なら --exclude-rule %[5]s で除外できます。入力が同じ行を繰り返している (展開すると巨大になる圧縮ファイル、ログの無限ループ) なら入力を確認してください。"},
	"area-files":     {"files", "ファイル"},
	"area-sockets":   {"sockets", "ソケット"},
	"area-processes": {"processes", "プロセス"},
	"area-packages":  {"packages", "パッケージ"},
	"area-logs":      {"logs", "ログ"},
}

// msg returns the label key in lang ("ja" or anything else for English).
func msg(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "ja" {
		return m[1]
	}
	return m[0]
}
