package advisory

// catalog is the advisories of the seeds, oldest first. Japanese text follows the originals;
// the English is keikai's translation.
var catalog = []Advisory{statdAttack, activityReport2000Q2, slapperWorm}

// statdAttack is JPCERT-E-INF-98-0001 (seed 000).
var statdAttack = Advisory{
	ID:   "JPCERT-E-INF-98-0001",
	Kind: KindEmergencyAdvisory,
	Title: Text{
		Ja: "statd サーバプログラムを悪用したアタック",
		En: "Attacks exploiting the statd server program",
	},
	Issued: "1998-02-26",
	References: []string{
		"http://www.jpcert.or.jp/info/98-0001/",
		"ftp://info.cert.org/pub/cert_advisories/CA-97.26.statd",
		"ftp://info.cert.org/pub/cert_summaries/CS-98.01",
		"ftp://info.cert.org/pub/cert_advisories/CA-96.09.rpc.statd",
		"ftp://ftp.jpcert.or.jp/pub/cert/tech_tips/intruder_detection_checklist",
	},
	Countermeasures: []Text{
		{
			Ja: "(1) statd プログラムのバージョンアップ: セキュリティ上の弱点を含むバージョンの statd プログラムを利用しており、" +
				"サービスを停止することができない場合には、直ちに最新版にバージョンアップしてください。" +
				"(1)(2) のいずれかを早急に実施し、不正アクセスを受けていない場合でも予防対策として実施してください。",
			En: "(1) Upgrade statd: if you run a version of statd with the security weakness and cannot stop the service, " +
				"upgrade to the latest version immediately. Take (1) or (2) without delay, and as a precaution even if the host " +
				"has not been attacked.",
		},
		{
			Ja: "(2) statd プロセスの停止: ホストが NFS クライアントや NFS サーバでなければ、statd プロセスを停止しても問題ありません。" +
				"statd は多くの場合 /etc/rc* か /etc/rc*.d/* のスクリプトから起動するので、それらのファイルの statd に関する記述をコメントアウトし、" +
				"さらに動作中の statd プロセスを ps コマンドでプロセス ID を調べて kill コマンドで終了させてください。",
			En: "(2) Stop statd: if the host is neither an NFS client nor an NFS server, statd can be stopped safely. It is " +
				"usually started from the scripts in /etc/rc* or /etc/rc*.d/*: comment out the lines that start statd there, " +
				"then find the running statd's process ID with ps and end it with kill.",
		},
		{
			Ja: "(3) 全ユーザのパスワードの変更と不要なアカウントの削除: すでに攻撃を受け、管理者権限を悪用された可能性が否定できない場合には、" +
				"アカウント名の流出やパスワードの破られ、不正なアカウントの登録が考えられるため、登録している全ユーザのパスワードを、" +
				"容易に類推されない文字列に変更し、不要・不審なアカウントを削除してください。",
			En: "(3) Change every user's password and delete unneeded accounts: if the host may already have been attacked " +
				"and root privileges abused, account names may have leaked, passwords may have been cracked and rogue " +
				"accounts added. Change the passwords of all users to strings that are hard to guess, and delete " +
				"unneeded or suspicious accounts.",
		},
		{
			Ja: "(4) システムの再構築: 管理者権限が悪用されると、重要なファイルの改ざんや、裏口、トロイの木馬などの設置が行われている可能性があります。" +
				"外部からのアクセスログ等を確認し、ホストへの不正侵入の可能性が否定できない場合には、システムを再構築してください。",
			En: "(4) Rebuild the system: with root privileges an intruder may have altered important files or planted back " +
				"doors and Trojan horses. Check the logs of access from outside, and if an intrusion cannot be ruled out, " +
				"rebuild the system.",
		},
	},
}

// activityReport2000Q2 is JPCERT-PR-2000-0003 (seed 002).
var activityReport2000Q2 = Advisory{
	ID:   "JPCERT-PR-2000-0003",
	Kind: KindActivityReport,
	Title: Text{
		Ja: "JPCERT/CC 活動概要 [ 2000年4月1日 〜 2000年6月30日 ]",
		En: "JPCERT/CC activity report [ April 1, 2000 - June 30, 2000 ]",
	},
	Issued: "2000-07-31",
	References: []string{
		"http://www.jpcert.or.jp/at/199x/98-0004-01.txt",
		"http://www.jpcert.or.jp/ed/199x/99-0002-01.txt",
		"http://www.jpcert.or.jp/ed/2000/ed000002.txt",
	},
	Countermeasures: []Text{
		{
			Ja: "セキュリティ上の弱点を放置しないでください。探査は自動化ツールで大規模かつ無差別に行われており、弱点を放置していると検出され、侵入等のアタックを受ける可能性があります。",
			En: "Do not leave security weaknesses unfixed: probes are run on a large scale and indiscriminately with automated tools, and a weakness left in place will be found and may lead to intrusion and other attacks.",
		},
		{
			Ja: "不要なサービスを停止し、パッチの適用やバージョンアップを行ってください。",
			En: "Stop services you do not need, and apply patches and upgrades.",
		},
		{
			Ja: "不審なアクセスの監視を続けてください。侵入を受けた場合は「コンピュータセキュリティインシデントへの対応」の第 V. 章、第 VI. 章を参照してください。",
			En: "Keep watching for suspicious access. If the host was intruded upon, follow chapters V and VI of \"Responding to computer security incidents\".",
		},
	},
}

// slapperWorm is JPCERT-AT-2002-0006 (seed 003).
var slapperWorm = Advisory{
	ID:   "JPCERT-AT-2002-0006",
	Kind: KindAlert,
	Title: Text{
		Ja: "OpenSSL の脆弱性を使って伝播する Apache/mod_ssl ワーム",
		En: "Apache/mod_ssl worm spreading through a vulnerability in OpenSSL",
	},
	Issued:  "2002-09-17",
	Revised: "2002-09-20",
	References: []string{
		"http://www.jpcert.or.jp/at/2002/at020006.txt",
		"http://www.cert.org/advisories/CA-2002-23.html",
		"http://www.openssl.org/news/secadv_20020730.txt",
		"http://www.cert.org/advisories/CA-2002-27.html",
		"http://www.ciac.org/ciac/bulletins/m-125.shtml",
		"http://www.auscert.org.au/Information/Advisories/advisory/AL-2002.11.txt",
	},
	Countermeasures: []Text{
		{
			Ja: "感染が確認されたホストは、まずネットワークから切り離すことを検討してください。これによりワームの増殖を防ぐことができます。",
			En: "Consider disconnecting an infected host from the network first; this stops the worm from spreading.",
		},
		{
			Ja: "必要なファイルのバックアップを取ってください。バックアップされた情報自体に、ワームなどによって置き換えられたファイルやインストールされたプログラム等が記録されていないか、充分に注意してください。",
			En: "Back up the files you need. Take great care that the backup does not itself contain files the worm (or an intruder) replaced or programs it installed.",
		},
		{
			Ja: "ハードディスクをフォーマットした上で、OS を再インストールしてください。攻撃者が Web サーバの権限や root 権限を取得している可能性があるため、プロセス .bugtraq を停止し /tmp/.bugtraq などのファイルを削除するだけでは、完全には復旧しない場合があります。",
			En: "Format the hard disk and reinstall the operating system. The attacker may have gained the web server's privileges, and through a further vulnerability root, so stopping the .bugtraq process and deleting /tmp/.bugtraq and the other files may not be a full recovery.",
		},
		{
			Ja: "OpenSSL をバージョン 0.9.6g もしくはそれ以降に更新するか、各ベンダや配布元が提供するパッチを適用して、再発を防いでください。",
			En: "Prevent a recurrence: update OpenSSL to version 0.9.6g or later, or apply the patch your vendor or distributor provides.",
		},
	},
	Updates: []Text{
		{
			Ja: "OpenSSL をバージョン 0.9.6g もしくはそれ以降に更新するか、各ベンダや配布元が提供するパッチを適用してください。更新後、OpenSSL を使うサーバ (Apache/mod_ssl など) を再起動してください。",
			En: "Update OpenSSL to version 0.9.6g or later, or apply the patch your vendor or distributor provides; then restart the servers that use it (Apache/mod_ssl and others).",
		},
	},
}
