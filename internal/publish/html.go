package publish

import (
	"bytes"
	"embed"
	"encoding/xml"
	"fmt"
	"html/template"
	"strings"
	"sync"
	"time"

	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/sign"
)

//go:embed templates/*.html
var templateFS embed.FS

// templates are parsed once, on first use rather than at start-up, which every keikai command pays
// for; a broken template is a bug that the tests catch.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(templateFS, "templates/*.html"))
})

// labels are the words of the pages, per language.
type labels struct {
	Index, Other, First, Edition, Expires, Expired, Latest, Downloads, Text, Bundle, Key, History string
	Updated, Kind, TitleCol, SiteTitle                                                            string
}

var pageLabels = map[string]labels{
	advisory.Ja: {Index: "一覧", Other: "English", First: "初版", Edition: "発行日", Expires: "有効期限", Expired: "期限切れ",
		Latest: "最新情報", Downloads: "ダウンロード", Text: "テキスト (PGP 署名付き)", Bundle: "検知ルール", Key: "署名鍵の指紋",
		History: "更新履歴", Updated: "更新日", Kind: "種別", TitleCol: "表題", SiteTitle: "緊急報告・注意喚起・活動概要"},
	advisory.En: {Index: "Index", Other: "日本語", First: "First edition", Edition: "This edition", Expires: "Expires", Expired: "expired",
		Latest: "Latest", Downloads: "Downloads", Text: "text (PGP signed)", Bundle: "detection rules", Key: "Signing key fingerprint",
		History: "Revision history", Updated: "Updated", Kind: "Kind", TitleCol: "Title", SiteTitle: "Advisories, alerts and activity reports"},
}

type pageBlock struct {
	Kind, Marker, Text string
}

type pageReference struct {
	Title, URL string
	Mirrors    []string
}

type pageSection struct {
	ID, Number, Title string
	Notice            bool
	Blocks            []pageBlock
	References        []pageReference
}

type pageHistory struct {
	Date   string
	Number int
	Lines  []string
}

type advisoryPage struct {
	Lang, OtherLang, IndexFile string
	L                          labels
	A                          *advisory.Advisory
	Title, Heading, PrintedID  string
	First, Latest, Expires     string
	LatestNumber               int
	Later, Expired             bool
	CSAF, Bundle               string
	KeyURL, Fingerprint        string
	Preamble                   []pageBlock
	Sections                   []pageSection
	History                    []pageHistory
}

func blocksOf(blocks []advisory.Block, a *advisory.Advisory, lang string, notice bool) []pageBlock {
	var out []pageBlock
	for _, b := range blocks {
		pb := pageBlock{Marker: b.Marker, Text: b.Text}
		switch b.Kind {
		case advisory.Verbatim:
			pb.Kind, pb.Text = "verbatim", strings.Join(b.Lines, "\n")
		case advisory.Subheading:
			pb.Kind = "sub"
		case advisory.Item:
			pb.Kind = "item"
		default:
			pb.Kind = "para"
		}
		if notice {
			pb.Text = advisory.Substitute(a, pb.Text, lang)
		}
		out = append(out, pb)
	}
	return out
}

func (p *publisher) pages() error {
	fp := p.opts.Signer.Fingerprint()
	keyURL := ".well-known/csaf/openpgp/" + fp + ".asc" // relative, so the tree can be served under any path
	for _, e := range p.entries {
		a := e.a
		for _, lang := range []string{advisory.Ja, advisory.En} {
			other := advisory.En
			index := "index.html"
			if lang == advisory.En {
				other, index = advisory.Ja, "index.en.html"
			}
			pg := advisoryPage{
				Lang: lang, OtherLang: other, IndexFile: index, L: pageLabels[lang], A: a,
				Title: advisory.InLang(a.Title, lang), PrintedID: a.PrintedID(a.Latest().Number),
				First: a.FormatDate(a.Issued()), Latest: a.FormatDate(a.Latest().Date), LatestNumber: a.Latest().Number,
				Later: len(a.Editions) > 1, Expired: a.ExpiredAt(p.opts.Now),
				CSAF: "../../.well-known/csaf/" + e.csafPath, KeyURL: "../../" + keyURL, Fingerprint: sign.FormatFingerprint(fp),
			}
			pg.Heading = pg.Title
			if a.Kind != advisory.KindActivityReport {
				pg.Heading = advisory.InLang(a.HeadingLabel(), lang) + " - " + pg.Title
			}
			if !a.Expires.IsZero() {
				pg.Expires = a.FormatDate(a.Expires)
			}
			if e.bundle != "" {
				pg.Bundle = "../../" + e.bundle
			}
			body := a.Body[lang]
			pg.Preamble = blocksOf(body.Preamble, a, lang, false)
			n := 0
			for _, s := range body.Sections {
				ps := pageSection{ID: s.ID, Title: s.Title, Notice: s.Style == advisory.Notice, Blocks: blocksOf(s.Blocks, a, lang, s.Style == advisory.Notice)}
				if s.Style == advisory.Numbered {
					n++
					ps.Number = advisory.Roman(n) + ". "
				}
				if s.ID == "references" {
					for _, r := range a.References {
						ps.References = append(ps.References, pageReference{Title: advisory.InLang(r.Title, lang), URL: r.URL, Mirrors: r.Mirrors})
					}
				}
				pg.Sections = append(pg.Sections, ps)
			}
			for i := len(a.Editions) - 1; i >= 0; i-- {
				ed := a.Editions[i]
				pg.History = append(pg.History, pageHistory{Date: a.FormatDate(ed.Date), Number: ed.Number, Lines: strings.Split(advisory.InLang(ed.Note, lang), "\n")})
			}
			var buf bytes.Buffer
			if err := templates().ExecuteTemplate(&buf, "advisory.html", pg); err != nil {
				return fmt.Errorf("page %s %s: %w", a.ID, lang, err)
			}
			p.put("advisories/"+a.ID+"/"+lang+".html", buf.Bytes())
		}
	}
	return p.indexes(keyURL, sign.FormatFingerprint(fp))
}

type indexRow struct {
	Updated, ID, Kind, Title, Href, Expires string
}

type indexPage struct {
	Lang, OtherLang, OtherIndex, Feed, Title string
	L                                        labels
	Rows                                     []indexRow
	KeyURL, Fingerprint                      string
}

func (p *publisher) indexes(keyURL, fingerprint string) error {
	for _, lang := range []string{advisory.Ja, advisory.En} {
		pg := indexPage{Lang: lang, OtherLang: advisory.En, OtherIndex: "index.en.html", Feed: "feed." + lang + ".atom",
			L: pageLabels[lang], Title: p.opts.Publisher.Name + " " + pageLabels[lang].SiteTitle, KeyURL: keyURL, Fingerprint: fingerprint}
		name := "index.html"
		if lang == advisory.En {
			pg.OtherLang, pg.OtherIndex, name = advisory.Ja, "index.html", "index.en.html"
		}
		for _, e := range p.entries {
			row := indexRow{Updated: e.updated.Format(time.DateOnly), ID: e.a.PrintedID(e.a.Latest().Number), Kind: advisory.InLang(e.a.Kind.Label(), lang),
				Title: advisory.InLang(e.a.Title, lang), Href: "advisories/" + e.a.ID + "/" + lang + ".html"}
			if !e.a.Expires.IsZero() {
				row.Expires = e.a.Expires.Format(time.DateOnly)
			}
			pg.Rows = append(pg.Rows, row)
		}
		var buf bytes.Buffer
		if err := templates().ExecuteTemplate(&buf, "index.html", pg); err != nil {
			return fmt.Errorf("index %s: %w", lang, err)
		}
		p.put(name, buf.Bytes())
	}
	return nil
}

// Atom (RFC 4287) types: only what a feed of advisories needs.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Summary   string     `xml:"summary"`
}

func (p *publisher) feeds() error {
	for _, lang := range []string{advisory.Ja, advisory.En} {
		name := "feed." + lang + ".atom"
		index := "index.html"
		if lang == advisory.En {
			index = "index.en.html"
		}
		f := atomFeed{Lang: lang, ID: p.url(name), Title: p.opts.Publisher.Name + " " + pageLabels[lang].SiteTitle,
			Author: atomPerson{Name: p.opts.Publisher.Name, URI: p.opts.Publisher.Namespace},
			Links:  []atomLink{{Rel: "self", Type: "application/atom+xml", Href: p.url(name)}, {Rel: "alternate", Type: "text/html", Href: p.url(index)}}}
		f.Updated = p.opts.Now.UTC().Format(time.RFC3339)
		if len(p.entries) > 0 {
			f.Updated = p.entries[0].updated.UTC().Format(time.RFC3339)
		}
		for _, e := range p.entries {
			page := p.url("advisories/" + e.a.ID + "/" + lang + ".html")
			summary := advisory.InLang(e.a.HeadingLabel(), lang) + ": " + advisory.InLang(e.a.Title, lang)
			if n := len(e.a.Editions); n > 1 {
				summary += " (Ver." + fmt.Sprintf("%02d", n) + ": " + strings.ReplaceAll(advisory.InLang(e.a.Latest().Note, lang), "\n", " / ") + ")"
			}
			f.Entries = append(f.Entries, atomEntry{
				ID: page, Title: e.a.PrintedID(e.a.Latest().Number) + " " + advisory.InLang(e.a.Title, lang),
				Updated: e.updated.UTC().Format(time.RFC3339), Published: e.published.UTC().Format(time.RFC3339),
				Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: page},
					{Rel: "related", Type: "text/plain", Href: p.url("advisories/" + e.a.ID + "/" + lang + ".txt")},
					{Rel: "related", Type: "application/json", Href: p.url(".well-known/csaf/" + e.csafPath)}},
				Summary: summary,
			})
		}
		out, err := xml.MarshalIndent(f, "", "  ")
		if err != nil {
			return err
		}
		p.put(name, append([]byte(xml.Header), append(out, '\n')...))
	}
	return nil
}
