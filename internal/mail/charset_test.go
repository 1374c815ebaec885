package mail

import (
	"testing"
)

func TestToUTF8(t *testing.T) {
	tests := []struct {
		name, charset string
		in            string
		want          string
		note          bool
	}{
		// NEC row 13 (CP50220): ① ② Ⅰ ㈱ ㍉ are 0x2D21 0x2D22 0x2D35 0x2D6A 0x2D40.
		{"iso-2022-jp NEC row 13", "ISO-2022-JP", "\x1b$B-!-\"-5-j-@\x1b(B", "①②Ⅰ㈱㍉", false},
		{"iso-2022-jp kanji", "iso-2022-jp", "\x1b$BF|K\\8l\x1b(B abc", "日本語 abc", false},
		{"iso-2022-jp old JIS C 6226 designation", "iso-2022-jp", "\x1b$@F|K\\\x1b(J!", "日本!", false},
		{"iso-2022-jp half-width katakana ESC ( I", "iso-2022-jp", "\x1b(I1\x1b(B", "ｱ", false},
		{"iso-2022-jp SO/SI katakana (CP50222)", "cp50222", "\x0e1\x0f", "ｱ", false},
		{"iso-2022-jp line break returns to ASCII", "iso-2022-jp", "\x1b$BF|\nabc", "日\nabc", false},
		{"iso-2022-jp JIS X 0212", "iso-2022-jp-1", "\x1b$(D0!\x1b(B", "丂", false},
		{"iso-2022-jp with 8-bit log bytes", "iso-2022-jp", "x\x90\x90\xe8y", "x\x90\x90\xe8y", true},
		{"iso-2022-jp unmapped pair kept", "iso-2022-jp", "\x1b$B)!\x1b(B", ")!", true},
		{"no charset, ISO-2022-JP detected", "", "\x1b$BF|K\\\x1b(B", "日本", false},
		{"us-ascii label on ISO-2022-JP", "us-ascii", "\x1b$BF|K\\\x1b(B", "日本", false},
		{"shift_jis NEC and IBM extensions", "Shift_JIS", "\x87\x40\x87\x54\x87\x8a\xfa\x40", "①Ⅰ㈱ⅰ", false},
		{"windows-31j half-width kana", "windows-31j", "\xb1\xb2", "ｱｲ", false},
		{"shift_jis invalid byte kept", "shift_jis", "a\xffb", "a\xffb", true},
		{"euc-jp", "EUC-JP", "\xc6\xfc\xcb\xdc", "日本", false},
		{"euc-jp NEC row 13", "euc-jp", "\xad\xa1\xad\xb5", "①Ⅰ", false},
		{"euc-jp half-width kana", "euc-jp", "\x8e\xb1", "ｱ", false},
		{"us-ascii keeps shellcode", "us-ascii", "\x90\x90\xe8\xc0\xff\xff\xff/bin/sh", "\x90\x90\xe8\xc0\xff\xff\xff/bin/sh", false},
		{"utf-8 invalid kept", "utf-8", "ok \xff", "ok \xff", false},
		{"unlabelled EUC-JP guessed", "", "\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf", "こんにちは", true},
		{"unlabelled Shift_JIS guessed", "", "\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd", "こんにちは", true},
		{"iso-8859-1 via htmlindex", "iso-8859-1", "caf\xe9", "café", false},
		{"unknown charset kept", "x-klingon", "abc\xff", "abc\xff", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, note := toUTF8(tt.charset, []byte(tt.in))
			if string(got) != tt.want {
				t.Errorf("toUTF8(%q, %q) = %q, want %q", tt.charset, tt.in, got, tt.want)
			}
			if (note != "") != tt.note {
				t.Errorf("note = %q, want note: %v", note, tt.note)
			}
		})
	}
}

func TestDecodeHeaderText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語"},
		{"=?iso-2022-jp?B?GyRCLSEtIhsoQg==?= report", "①② report"},
		// One character split across two encoded words (as some mailers did): joined before decoding.
		{"=?ISO-2022-JP?B?GyRCRnw=?= =?ISO-2022-JP?B?S1wbKEI=?=", "日本"},
		{"=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait"},
		{"=?UTF-8*ja?B?5pel5pys?=", "日本"},
		{"=?Shift_JIS?B?k/qWe4zq?=", "日本語"},
		{"plain \x1b$BF|K\\\x1b(B raw", "plain 日本 raw"},
		{"=?x-unknown?Q?broken?= text", "broken text"},
		{"=?utf-8?B?not base64!?=", "=?utf-8?B?not base64!?="},
		{"no words at all", "no words at all"},
	}
	for _, tt := range tests {
		if got := decodeHeaderText(tt.in); got != tt.want {
			t.Errorf("decodeHeaderText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		in, value string
		params    map[string]string
	}{
		{`text/plain; charset="ISO-2022-JP"`, "text/plain", map[string]string{"charset": "ISO-2022-JP"}},
		{`attachment; filename*=UTF-8''%E3%83%AD%E3%82%B0.txt`, "attachment", map[string]string{"filename": "ログ.txt"}},
		{`attachment; filename*=iso-2022-jp''%1B%24BF%7CK%5C%1B%28B.log`, "attachment", map[string]string{"filename": "日本.log"}},
		{`attachment; filename*0*=UTF-8''%E3%83%AD; filename*1="g.txt"`, "attachment", map[string]string{"filename": "ロg.txt"}},
		{`application/octet-stream; name="=?ISO-2022-JP?B?GyRCJW0lMBsoQi5neg==?="`, "application/octet-stream", map[string]string{"name": "ログ.gz"}},
		{`TEXT/PLAIN; CHARSET=us-ascii; name=messages junk`, "text/plain", map[string]string{"charset": "us-ascii", "name": "messages"}},
		{`multipart/mixed; boundary="a;b"`, "multipart/mixed", map[string]string{"boundary": "a;b"}},
		{``, "", map[string]string{}},
	}
	for _, tt := range tests {
		v, p := parseParams(tt.in)
		if v != tt.value || len(p) != len(tt.params) {
			t.Errorf("parseParams(%q) = %q %q, want %q %q", tt.in, v, p, tt.value, tt.params)
			continue
		}
		for k, want := range tt.params {
			if p[k] != want {
				t.Errorf("parseParams(%q)[%s] = %q, want %q", tt.in, k, p[k], want)
			}
		}
	}
}

func TestAddress(t *testing.T) {
	tests := []struct{ in, name, addr string }{
		{`"=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=" <yamada@example.co.jp>`, "山田", "yamada@example.co.jp"},
		{`admin@example.edu (System Administrator)`, "System Administrator", "admin@example.edu"},
		{`J. Smith <js@example.org>`, "J. Smith", "js@example.org"},
		{"\x1b$B;3ED\x1b(B <yamada@example.co.jp>", "山田", "yamada@example.co.jp"},
		{`<>`, "", ""},
		{``, "", ""},
	}
	for _, tt := range tests {
		name, addr := address(tt.in)
		if name != tt.name || addr != tt.addr {
			t.Errorf("address(%q) = %q %q, want %q %q", tt.in, name, addr, tt.name, tt.addr)
		}
	}
}

func TestMessageID(t *testing.T) {
	for in, want := range map[string]string{
		"Message-ID: <abc@example.com>\n\nbody":                  "abc@example.com",
		"Message-Id:\n <x.y@host> (comment)\n\n":                 "x.y@host",
		"From x Sat Apr  1 10:00:00 2000\nMessage-ID: <a@b>\n\n": "a@b",
		"Subject: none\n\n":                                      "",
	} {
		if got := MessageID([]byte(in)); got != want {
			t.Errorf("MessageID(%q) = %q, want %q", in, got, want)
		}
	}
}
