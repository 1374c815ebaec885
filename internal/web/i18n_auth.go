package web

// The texts of staff sign-in, the account page and the users page: English, then Japanese.
func init() {
	addMessages(map[string][2]string{
		"auth.site":          {"keikai staff", "keikai 担当者用"},
		"auth.nav.queue":     {"Reports", "報告"},
		"auth.nav.incidents": {"Incidents", "インシデント"},
		"auth.nav.search":    {"Search", "検索"},
		"auth.nav.activity":  {"Activity", "活動概要"},
		"auth.nav.users":     {"Users", "利用者"},
		"auth.nav.account":   {"Account (%s)", "アカウント (%s)"},
		"auth.nav.logout":    {"Log out", "ログアウト"},

		"auth.login.title":    {"Staff login", "担当者ログイン"},
		"auth.login.lead":     {"This area is for the staff of the response team. Reporters do not need an account: use the report form.", "このページは対応チームの担当者用です。報告される方はアカウント不要です。報告フォームをご利用ください。"},
		"auth.login.name":     {"User name", "ユーザ名"},
		"auth.login.password": {"Password", "パスワード"},
		"auth.login.submit":   {"Log in", "ログイン"},
		"auth.login.code":     {"Six-digit code from your authenticator app", "認証アプリに表示される 6 桁のコード"},
		"auth.login.codelead": {"Your password was right. This account also signs in with a one-time code: enter the code your authenticator app shows now.", "パスワードを確認しました。このアカウントはワンタイムコードも使います。認証アプリに今表示されているコードを入力してください。"},
		"auth.login.verify":   {"Verify", "確認"},

		"auth.account.title":      {"Your account", "アカウント"},
		"auth.account.user":       {"Signed in as %s (role: %s).", "%s としてログインしています (役割: %s)。"},
		"auth.account.mustchange": {"You signed in with a one-time password. Choose your own password now; nothing else is open until you do.", "ワンタイムパスワードでログインしました。ご自身のパスワードを設定してください。設定するまで他のページは開けません。"},
		"auth.account.password":   {"Change password", "パスワードの変更"},
		"auth.account.current":    {"Current password", "現在のパスワード"},
		"auth.account.new":        {"New password (at least %d characters)", "新しいパスワード (%d 文字以上)"},
		"auth.account.confirm":    {"New password again", "新しいパスワード (確認)"},
		"auth.account.change":     {"Change password", "パスワードを変更する"},
		"auth.account.changed":    {"Your password was changed. Your other sessions, if any, were ended.", "パスワードを変更しました。他のセッションがあった場合は終了しました。"},

		"auth.role.admin":     {"administrator", "管理者"},
		"auth.role.analyst":   {"analyst", "分析担当"},
		"auth.role.read-only": {"read-only", "閲覧のみ"},

		"auth.error.session":      {"You are not logged in, or your session has ended (after 8 hours without activity, 24 hours in all, or at logout). Log in again; nothing was changed.", "ログインしていないか、セッションが終了しています (8 時間操作がない場合、開始から 24 時間後、またはログアウト時に終了します)。もう一度ログインしてください。変更は行われていません。"},
		"auth.error.csrf":         {"This form has expired or was not sent from this site, so nothing was changed. Open the page again and resend.", "フォームの有効期限が切れたか、このサイト以外から送信されたため、何も変更していません。ページを開き直して送信してください。"},
		"auth.error.role":         {"Your role does not allow this. Ask an administrator if you need it.", "あなたの役割ではこの操作はできません。必要な場合は管理者に依頼してください。"},
		"auth.error.mustchange":   {"Choose your own password first (on your account page).", "先にご自身のパスワードを設定してください (アカウントのページで設定できます)。"},
		"auth.error.loginexpired": {"The login form had expired. It has been renewed: log in again.", "ログインフォームの有効期限が切れていたため更新しました。もう一度ログインしてください。"},
		"auth.error.credentials":  {"Wrong user name or password, or the account is disabled.", "ユーザ名またはパスワードが違うか、アカウントが無効になっています。"},
		"auth.error.code":         {"Wrong or already used code. Wait for the next code and enter it.", "コードが違うか、すでに使われたコードです。次のコードが表示されるのを待って入力してください。"},
		"auth.error.ticket":       {"The code form had expired (it is valid for 5 minutes). Log in again with your password.", "コード入力フォームの有効期限 (5 分) が切れました。パスワードからもう一度ログインしてください。"},
		"auth.error.ratelimit":    {"Too many failed logins for this account or from your address. Wait %d minutes and try again; if you forgot your password, ask an administrator to reset it.", "このアカウントまたはあなたのアドレスからのログイン失敗が多すぎます。%d 分待ってからもう一度お試しください。パスワードを忘れた場合は管理者にリセットを依頼してください。"},
		"auth.error.current":      {"The current password is wrong; nothing was changed.", "現在のパスワードが違います。何も変更していません。"},
		"auth.error.mismatch":     {"The two new passwords differ; nothing was changed.", "新しいパスワードが一致しません。何も変更していません。"},
		"auth.error.same":         {"The new password is the current one: choose another.", "新しいパスワードが現在のものと同じです。別のパスワードを選んでください。"},
		"auth.error.short":        {"A password has at least %d characters.", "パスワードは %d 文字以上にしてください。"},
		"auth.error.long":         {"A password has at most %d bytes.", "パスワードは %d バイト以内にしてください。"},
		"auth.error.isname":       {"The password must not be the user name.", "ユーザ名をパスワードにはできません。"},
		"auth.error.encoding":     {"A password cannot contain control characters.", "パスワードに制御文字は使えません。"},
	})
}
