package mail

import (
	"bytes"
	"html"
	"regexp"
	"sync"
)

// Compiled on first use: package init is the start-up of every command.
var (
	htmlHidden = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)\s*>`)
	})
	htmlBreak = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)<(br|/p|/div|/tr|/li|/h[1-6]|/pre|hr)\b[^>]*>`) })
	htmlTag   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)<[^>]*>`) })
)

// htmlText turns an HTML body into the text a reader sees, for mail that came without a plain-text
// alternative: the rules match "GET /cgi-bin/phf", not "GET&nbsp;/cgi-bin/phf" split by tags. Bytes
// that are not valid UTF-8 pass through unchanged.
func htmlText(b []byte) []byte {
	b = htmlHidden().ReplaceAll(b, nil)
	b = htmlBreak().ReplaceAll(b, []byte("\n"))
	b = htmlTag().ReplaceAll(b, nil)
	if bytes.IndexByte(b, '&') < 0 {
		return b
	}
	return bytes.ReplaceAll([]byte(html.UnescapeString(string(b))), []byte("\u00a0"), []byte(" "))
}
