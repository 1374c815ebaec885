package web

func init() {
	addMessages(map[string][2]string{
		"status.messages":      {"Messages from the response team", "対応チームからのお知らせ"},
		"status.nomessages":    {"No messages yet.", "まだお知らせはありません。"},
		"status.add":           {"Add information to this report", "この報告に情報を追加する"},
		"status.add.lead":      {"Anything you add goes to the analysts handling this report. It is treated as confidentially as the report itself.", "追加した情報は、この報告を担当する者に届きます。報告そのものと同じく機密として扱います。"},
		"status.add.text":      {"More information", "追加の情報"},
		"status.add.file":      {"A file, plain text or gzip (optional, at most %s)", "ファイル (テキストまたは gzip、任意、%s まで)"},
		"status.add.send":      {"Add to the report", "報告に追加する"},
		"status.add.done":      {"Thank you: your information was added to the report.", "ありがとうございます。情報を報告に追加しました。"},
		"status.add.empty":     {"Write some text or choose a file to add.", "追加する文章を書くか、ファイルを選んでください。"},
		"status.add.subject":   {"Information added by the reporter", "報告者による追加情報"},
		"thread.from":          {"From", "差出人"},
		"thread.to":            {"To", "宛先"},
		"thread.subject":       {"Subject", "件名"},
		"thread.date":          {"Date", "日時"},
		"thread.files":         {"Files", "ファイル"},
		"thread.bytes":         {"%d bytes", "%d バイト"},
		"thread.in":            {"received", "受信"},
		"thread.out":           {"sent", "送信"},
		"thread.kind.ack":      {"acknowledgement", "受付通知"},
		"thread.kind.forward":  {"forward to a site", "サイトへの連絡"},
		"thread.kind.reply":    {"reply", "返信"},
		"thread.kind.reporter": {"added by the reporter", "報告者による追加"},
	})
}
