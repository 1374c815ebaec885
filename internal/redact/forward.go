package redact

import (
	"embed"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

//go:embed templates/forward.*.txt
var forwardFS embed.FS

// forwardTemplates are parsed on first use rather than at start-up, which every keikai command
// pays for.
var forwardTemplates = sync.OnceValue(func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, lang := range []string{"ja", "en"} {
		out[lang] = template.Must(template.New("forward."+lang+".txt").Funcs(template.FuncMap{
			"category": func(key string) string {
				c, ok := taxonomy.CategoryByKey(key)
				if !ok {
					return key
				}
				if lang == "ja" {
					return c.Ja
				}
				return c.En
			},
			"indent": func(s string) string {
				return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
			},
		}).ParseFS(forwardFS, "templates/forward."+lang+".txt"))
	}
	return out
})

// Forward is what a forward's text says.
type Forward struct {
	Lang     string // "ja" or "en"; anything else is English
	Tracking string
	// Team signs the text (e.g. "keikai CSIRT").
	Team     string
	Category string // the category key, decided or suggested
	Result   Result
	// Reporters are named only when Result.IdentityDisclosed (every one of them consented).
	Reporters []report.Reporter
}

// Compose renders a forward's subject (without the tracking number, which the thread adds)
// and plain-text body in its language.
func Compose(f Forward) (subject, body string, err error) {
	lang := f.Lang
	if lang != "ja" {
		lang = "en"
	}
	subject = "Report of activity from your network"
	if lang == "ja" {
		subject = "貴組織のネットワークからのアクセスについて"
	}
	var b strings.Builder
	if err := forwardTemplates()[lang].Execute(&b, f); err != nil {
		return "", "", fmt.Errorf("forward text: %w", err)
	}
	return subject, b.String(), nil
}
