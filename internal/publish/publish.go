// Package publish writes everything a CSIRT publishes about its advisories as a tree of static
// files that any web server, or Handler, serves:
//
//	index.html, index.en.html              the list of advisories, Japanese and English
//	feed.ja.atom, feed.en.atom             Atom feeds
//	advisories/ID/ja.txt, en.txt           the text in the seeds' layout, clearsigned (UTF-8)
//	advisories/ID/ja.iso-2022-jp.txt       the Japanese text as mail carries it, clearsigned
//	advisories/ID/ja.html, en.html         a page per advisory and language
//	bundles/ID.eNN.rules.json(.asc)        the signed rule bundle (keikai check --advisories)
//	bundles/index.txt                      the bundles' names, for --advisories https://.../bundles/
//	.well-known/security.txt               RFC 9116, clearsigned, with its CSAF: field
//	.well-known/csaf/provider-metadata.json
//	.well-known/csaf/openpgp/FPR.asc       the signing key
//	.well-known/csaf/service.json, category-LABEL.json, feed-tlp-LABEL.json (ROLIE)
//	.well-known/csaf/LABEL/index.txt, changes.csv, YEAR/id.json(.asc,.sha256,.sha512)
//
// Every signature is made with one key, whose fingerprint the pages, the texts and the provider
// metadata print.
package publish

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/bundle"
	"github.com/keikai-project/keikai/internal/csaf"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/sign"
)

// Options say who publishes, where, and with which key.
type Options struct {
	// BaseURL is the site's address without a trailing slash (https://csirt.example.org); every
	// absolute URL in the tree starts with it.
	BaseURL   string
	Publisher csaf.Publisher
	// Contact is security.txt's Contact: a mailto: or https: URI where reports go.
	Contact string
	Signer  *sign.Signer
	// Rules and ReadRule build the rule bundles (see bundle.Build).
	Rules    *sigma.Set
	ReadRule func(file string) ([]byte, error)
	Engine   string
	Now      time.Time
	// Zone is the time zone of the advisories' dates.
	Zone *time.Location
}

// Written summarises a publication.
type Written struct {
	Files       []string
	Fingerprint string
	// Signed maps each advisory's ID to its signed files (texts, rule bundle, CSAF document and
	// their signatures and hashes) and their SHA-256, for the record of what was published.
	Signed map[string]map[string][32]byte
}

// Publish writes the tree for every advisory in c into out, which must not exist or be empty.
func Publish(c *advisory.Collection, out string, opts Options) (*Written, error) {
	if opts.Signer == nil {
		return nil, errors.New("publishing needs a signing key: CSAF providers, the texts and the bundles are all signed")
	}
	if !strings.HasPrefix(opts.BaseURL, "https://") && !strings.HasPrefix(opts.BaseURL, "http://") {
		return nil, fmt.Errorf("base URL %q must start with https:// (a CSAF trusted provider is served over TLS)", opts.BaseURL)
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s is not empty; publish into a new directory (old files would be served as if current)", out)
	}
	p := &publisher{opts: opts, out: out, files: map[string][]byte{}, signedBy: map[string]map[string][32]byte{}}
	if err := p.build(c); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(p.files))
	for name := range p.files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		full := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(full, p.files[name], 0o644); err != nil {
			return nil, err
		}
	}
	return &Written{Files: names, Fingerprint: opts.Signer.Fingerprint(), Signed: p.signedBy}, nil
}

type publisher struct {
	opts  Options
	out   string
	files map[string][]byte
	// current is the advisory whose files are being built; signedBy collects them.
	current  string
	signedBy map[string]map[string][32]byte
	// entries collect what the index pages, feeds and CSAF listings show.
	entries []entry
}

// entry is one advisory as the listings show it.
type entry struct {
	a         *advisory.Advisory
	csafPath  string // under .well-known/csaf/
	bundle    string // path of the bundle, "" when the advisory has no rules
	label     string // CSAF TLP label, lower case
	published time.Time
	updated   time.Time
}

func (p *publisher) url(rel string) string { return p.opts.BaseURL + "/" + rel }

func (p *publisher) put(name string, data []byte) {
	p.files[name] = data
	if p.current != "" {
		if p.signedBy[p.current] == nil {
			p.signedBy[p.current] = map[string][32]byte{}
		}
		p.signedBy[p.current][name] = sha256.Sum256(data)
	}
}

// signed stores data with its detached signature and, for CSAF, its hashes.
func (p *publisher) signed(name string, data []byte, hashes bool) error {
	sig, err := p.opts.Signer.DetachSign(data, p.opts.Now)
	if err != nil {
		return err
	}
	p.put(name, data)
	p.put(name+".asc", sig)
	if hashes {
		s256 := sha256.Sum256(data)
		s512 := sha512.Sum512(data)
		base := path.Base(name)
		p.put(name+".sha256", []byte(hex.EncodeToString(s256[:])+"  "+base+"\n"))
		p.put(name+".sha512", []byte(hex.EncodeToString(s512[:])+"  "+base+"\n"))
	}
	return nil
}

func (p *publisher) clearsigned(name string, text []byte) error {
	out, err := p.opts.Signer.Clearsign(text, p.opts.Now)
	if err != nil {
		return err
	}
	p.put(name, out)
	return nil
}

func (p *publisher) build(c *advisory.Collection) error {
	fpr := sign.FormatFingerprint(p.opts.Signer.Fingerprint())
	var bundleIndex []string
	for _, a := range c.Advisories {
		p.current = a.ID
		e := entry{a: a, label: strings.ToLower(csafLabel(a.TLP)), published: p.day(a.Issued()), updated: p.day(a.Latest().Date)}
		dir := "advisories/" + a.ID + "/"
		for _, lang := range []string{advisory.Ja, advisory.En} {
			text := advisory.RenderText(a, lang, advisory.TextOptions{Fingerprint: fpr})
			if err := p.clearsigned(dir+lang+".txt", text); err != nil {
				return err
			}
			if lang == advisory.Ja {
				jis, err := advisory.ToISO2022JP(text)
				if err != nil {
					return fmt.Errorf("%s: %w", a.ID, err)
				}
				if err := p.clearsigned(dir+"ja.iso-2022-jp.txt", jis); err != nil {
					return err
				}
			}
		}
		if len(a.Rules) > 0 {
			if p.opts.Rules == nil || p.opts.ReadRule == nil {
				return fmt.Errorf("%s links rules, but no rule set was given to bundle them", a.ID)
			}
			data, err := bundle.Build(a, p.opts.Rules, p.opts.ReadRule)
			if err != nil {
				return err
			}
			e.bundle = "bundles/" + bundle.FileName(a.ID, a.Latest().Number)
			if err := p.signed(e.bundle, data, false); err != nil {
				return err
			}
		}
		e.csafPath = e.label + "/" + fmt.Sprint(a.Issued().Year()) + "/" + csaf.FileName(a.ID)
		bundleURL := ""
		if e.bundle != "" {
			bundleURL = p.url(e.bundle)
		}
		doc := csaf.Build(a, csaf.Options{Publisher: p.opts.Publisher, BundleURL: bundleURL, SelfURL: p.url(".well-known/csaf/" + e.csafPath),
			Engine: p.opts.Engine, Now: p.opts.Now, Zone: p.opts.Zone})
		data, err := csaf.Marshal(doc)
		if err != nil {
			return err
		}
		if err := p.signed(".well-known/csaf/"+e.csafPath, data, true); err != nil {
			return err
		}
		p.entries = append(p.entries, e)
		if e.bundle != "" {
			bundleIndex = append(bundleIndex, path.Base(e.bundle))
		}
	}
	p.current = ""
	if len(bundleIndex) > 0 {
		slices.Sort(bundleIndex)
		p.put("bundles/"+bundle.IndexName, []byte(strings.Join(bundleIndex, "\n")+"\n"))
	}
	// Newest first, as an index and a feed list them.
	sort.SliceStable(p.entries, func(i, j int) bool { return p.entries[i].updated.After(p.entries[j].updated) })
	if err := p.provider(); err != nil {
		return err
	}
	if err := p.pages(); err != nil {
		return err
	}
	if err := p.feeds(); err != nil {
		return err
	}
	return p.securityTxt()
}

// day is a date of the advisory at midnight in its zone.
func (p *publisher) day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, p.opts.Zone)
}

func csafLabel(tlp string) string {
	if tlp == "CLEAR" {
		return "WHITE"
	}
	return tlp
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

const rolieCategory = "urn:ietf:params:rolie:category:information-type"

// Compiled on first use: package init is the start-up of every command.
var feedIDUnsafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-zA-Z0-9+\-_.]+`) })

// feedID turns a team's name into the characters a ROLIE feed ID may have.
func feedID(name string) string {
	return strings.Trim(feedIDUnsafe().ReplaceAllString(strings.ToLower(name), "-"), "-")
}

// provider writes the CSAF provider files: metadata, key, ROLIE service, category and feeds,
// and per TLP label the directory listings index.txt and changes.csv.
func (p *publisher) provider() error {
	fp := p.opts.Signer.Fingerprint()
	pub, err := p.opts.Signer.PublicKey()
	if err != nil {
		return err
	}
	keyPath := ".well-known/csaf/openpgp/" + fp + ".asc"
	p.put(keyPath, pub)
	labels := map[string][]entry{}
	for _, e := range p.entries {
		labels[e.label] = append(labels[e.label], e)
	}
	var labelNames []string
	for l := range labels {
		labelNames = append(labelNames, l)
	}
	slices.Sort(labelNames)
	type feedRef struct {
		Summary  string `json:"summary"`
		TLPLabel string `json:"tlp_label"`
		URL      string `json:"url"`
	}
	var feeds []feedRef
	var collections []map[string]any
	var categoryURLs []string
	category := map[string]any{"category": []map[string]string{{"scheme": rolieCategory, "term": "csaf"}}}
	for _, l := range labelNames {
		es := labels[l]
		upper := strings.ToUpper(l)
		var index, changes strings.Builder
		byName := slices.Clone(es)
		sort.Slice(byName, func(i, j int) bool { return byName[i].csafPath < byName[j].csafPath })
		for _, e := range byName {
			index.WriteString(strings.TrimPrefix(e.csafPath, l+"/") + "\n")
		}
		for _, e := range es { // newest first
			fmt.Fprintf(&changes, "%q,%q\n", strings.TrimPrefix(e.csafPath, l+"/"), e.updated.UTC().Format(time.RFC3339))
		}
		p.put(".well-known/csaf/"+l+"/index.txt", []byte(index.String()))
		p.put(".well-known/csaf/"+l+"/changes.csv", []byte(changes.String()))
		feedName := "feed-tlp-" + l + ".json"
		feedURL := p.url(".well-known/csaf/" + feedName)
		var entries []map[string]any
		for _, e := range es {
			docURL := p.url(".well-known/csaf/" + e.csafPath)
			entries = append(entries, map[string]any{
				"id":    e.a.ID,
				"title": e.a.Title.En,
				"link": []map[string]string{
					{"rel": "self", "href": docURL},
					{"rel": "hash", "href": docURL + ".sha256"},
					{"rel": "hash", "href": docURL + ".sha512"},
					{"rel": "signature", "href": docURL + ".asc"},
				},
				"published": e.published.Format(time.RFC3339),
				"updated":   e.updated.Format(time.RFC3339),
				"summary":   map[string]string{"content": e.a.HeadingLabel().En + ": " + e.a.Title.En},
				"content":   map[string]string{"type": "application/json", "src": docURL},
				"format":    map[string]string{"schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "version": "2.0"},
			})
		}
		updated := p.opts.Now
		if len(es) > 0 {
			updated = es[0].updated
		}
		feed := map[string]any{"feed": map[string]any{
			"id":       feedID(p.opts.Publisher.Name) + "-csaf-feed-tlp-" + l,
			"title":    p.opts.Publisher.Name + " CSAF feed (TLP:" + upper + ")",
			"link":     []map[string]string{{"rel": "self", "href": feedURL}},
			"category": category["category"],
			"updated":  updated.UTC().Format(time.RFC3339),
			"entry":    entries,
		}}
		data, err := marshal(feed)
		if err != nil {
			return err
		}
		p.put(".well-known/csaf/"+feedName, data)
		feeds = append(feeds, feedRef{Summary: "All TLP:" + upper + " advisories of " + p.opts.Publisher.Name + ".", TLPLabel: upper, URL: feedURL})
		collections = append(collections, map[string]any{"title": p.opts.Publisher.Name + " CSAF feed (TLP:" + upper + ")", "href": feedURL, "categories": category})
		data, err = marshal(map[string]any{"categories": category})
		if err != nil {
			return err
		}
		p.put(".well-known/csaf/category-"+l+".json", data)
		categoryURLs = append(categoryURLs, p.url(".well-known/csaf/category-"+l+".json"))
	}
	service := map[string]any{"service": map[string]any{"workspace": []map[string]any{{"title": "Public CSAF feed", "collection": collections}}}}
	data, err := marshal(service)
	if err != nil {
		return err
	}
	p.put(".well-known/csaf/service.json", data)
	var distributions []map[string]any
	for i, l := range labelNames {
		distributions = append(distributions, map[string]any{"directory_url": p.url(".well-known/csaf/" + l + "/")})
		if i == 0 {
			distributions = append(distributions, map[string]any{"rolie": map[string]any{
				"categories": categoryURLs,
				"feeds":      feeds,
				"services":   []string{p.url(".well-known/csaf/service.json")},
			}})
		}
	}
	meta := map[string]any{
		"canonical_url":              p.url(".well-known/csaf/provider-metadata.json"),
		"distributions":              distributions,
		"last_updated":               p.opts.Now.UTC().Format(time.RFC3339),
		"list_on_CSAF_aggregators":   true,
		"metadata_version":           "2.0",
		"mirror_on_CSAF_aggregators": true,
		"public_openpgp_keys":        []map[string]string{{"fingerprint": fp, "url": p.url(keyPath)}},
		"publisher": map[string]string{
			"category": "coordinator", "name": p.opts.Publisher.Name, "namespace": p.opts.Publisher.Namespace,
			"contact_details": p.opts.Publisher.ContactDetails,
		},
		"role": "csaf_trusted_provider",
	}
	if p.opts.Publisher.ContactDetails == "" {
		delete(meta["publisher"].(map[string]string), "contact_details")
	}
	if data, err = marshal(meta); err != nil {
		return err
	}
	return p.signed(".well-known/csaf/provider-metadata.json", data, false)
}

// securityTxt writes RFC 9116's file, clearsigned as section 2.3 recommends, valid for a year.
func (p *publisher) securityTxt() error {
	if p.opts.Contact == "" {
		return errors.New("security.txt needs a Contact: give the address where reports go (mailto: or https:)")
	}
	fp := p.opts.Signer.Fingerprint()
	var b strings.Builder
	fmt.Fprintf(&b, "Contact: %s\n", p.opts.Contact)
	fmt.Fprintf(&b, "Expires: %s\n", p.opts.Now.AddDate(1, 0, 0).UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "Encryption: %s\n", p.url(".well-known/csaf/openpgp/"+fp+".asc"))
	fmt.Fprintf(&b, "Preferred-Languages: ja, en\n")
	fmt.Fprintf(&b, "Canonical: %s\n", p.url(".well-known/security.txt"))
	fmt.Fprintf(&b, "Policy: %s\n", p.url("index.html"))
	fmt.Fprintf(&b, "CSAF: %s\n", p.url(".well-known/csaf/provider-metadata.json"))
	return p.clearsigned(".well-known/security.txt", []byte(b.String()))
}
