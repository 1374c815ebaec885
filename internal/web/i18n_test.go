package web

import (
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// goldenTemplate is the page template a golden render is of: golden files are named
// TEMPLATE[-VARIANT].LANG.html.
func goldenTemplate(file string) (name, lang string) {
	base := strings.TrimSuffix(file, ".html")
	base, lang = base[:strings.LastIndex(base, ".")], base[strings.LastIndex(base, ".")+1:]
	name, _, _ = strings.Cut(base, "-")
	return name, lang
}

// TestEveryPageHasGoldens: every page template has a golden render in English and in Japanese
// (a page added without one fails here), and every golden render is of a page that exists.
func TestEveryPageHasGoldens(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range files {
		name, lang := goldenTemplate(filepath.Base(f))
		if !slices.Contains(pageNames, name) {
			t.Errorf("%s renders %q, which is no page template", f, name)
		}
		have[name+"."+lang] = true
	}
	tmpl, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range tmpl {
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		if name == "layout" || name == "staff_layout" || strings.HasPrefix(name, "parts_") {
			continue
		}
		if !slices.Contains(pageNames, name) {
			t.Errorf("template %s is not in pageNames: it is never parsed", f)
		}
	}
	for _, name := range pageNames {
		for _, lang := range []string{"en", "ja"} {
			if !have[name+"."+lang] {
				t.Errorf("page %s has no golden render in %s (testdata/golden/%s[-variant].%s.html)", name, lang, name, lang)
			}
		}
	}
}

// keyLiteral finds the message keys templates name literally: t .Lang "key", tf $lang "key".
var keyLiteral = regexp.MustCompile(`\b(?:t|tf|actionText) +\$?[.\w]+ +"([a-z][a-z0-9_.-]+)"`)

// keyShown is text that looks like a message key standing alone: a missing key shows as itself.
var keyShown = regexp.MustCompile(`>\s*[a-z]+(?:\.[a-z0-9_-]+)+\s*<`)

// TestPagesTranslated: every key a template names exists in both languages; no golden render
// shows a key instead of its text; and no Japanese render carries an English sentence of the
// texts tables (a string left untranslated, or a page that took the wrong language).
func TestPagesTranslated(t *testing.T) {
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		for _, m := range keyLiteral.FindAllStringSubmatch(string(src), -1) {
			v, ok := messages()[m[1]]
			if !ok || v[0] == "" || v[1] == "" {
				t.Errorf("%s names %q, which has no text in both languages", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key, v := range messages() {
		if v[0] == "" || v[1] == "" {
			t.Errorf("message %q lacks a language: %q", key, v)
		}
	}

	// The English sentences: fragments between format verbs of at least three words, whose
	// Japanese text differs.
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	var sentences []string
	for _, v := range messages() {
		if v[0] == v[1] {
			if strings.Count(v[0], " ") >= 2 {
				t.Errorf("the Japanese of an English sentence is the sentence itself: %q", v[0])
			}
			continue
		}
		for _, frag := range verb.Split(v[0], -1) {
			frag = strings.TrimSpace(frag)
			if strings.Count(frag, " ") >= 2 {
				sentences = append(sentences, template.HTMLEscapeString(frag))
			}
		}
	}
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		body := string(b)
		if m := keyShown.FindString(body); m != "" {
			t.Errorf("%s shows a message key instead of its text: %s", f, m)
		}
		if _, lang := goldenTemplate(filepath.Base(f)); lang != "ja" {
			continue
		}
		for _, s := range sentences {
			if strings.Contains(body, s) {
				t.Errorf("%s (Japanese) contains the English %q", f, s)
			}
		}
	}
}
