// Package csaf writes advisories as CSAF 2.0 documents (OASIS Common Security Advisory
// Framework), the machine-readable form other teams' tools consume. Emergency advisories and
// alerts use the profile csaf_security_incident_response, with the affected products in the
// product tree and the countermeasures as remediations; activity reports, which name no
// vulnerability, use csaf_informational_advisory with the countermeasures as a note. In both, the
// expiry date, the detection rules (with the signed rule bundle's address) and the references
// are notes and references, so a CSAF reader sees everything the text says.
//
// Read goes the other way for anyone's documents: the OASIS JSON schema (embedded, see
// schema/README.md) and the mandatory tests of CSAF 2.0 section 6.1, each problem named by its
// test ID and JSON path.
package csaf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keikai-project/keikai/internal/advisory"
)

// Publisher is who publishes the documents.
type Publisher struct {
	Name string
	// Namespace is the publisher's web address (https://csirt.example.org).
	Namespace      string
	ContactDetails string
}

// Options complete what the advisory itself does not say.
type Options struct {
	Publisher Publisher
	// BundleURL is where the advisory's signed rule bundle is published; empty when it has none.
	BundleURL string
	// SelfURL is the document's own address.
	SelfURL string
	// Engine is keikai's version, for tracking.generator.
	Engine string
	// Now is the generation time.
	Now time.Time
	// Zone is the time zone the advisory's dates are in (JST for the seeds).
	Zone *time.Location
}

// Document is a CSAF 2.0 document, with the parts keikai writes.
type Document struct {
	Document        Meta            `json:"document"`
	ProductTree     *ProductTree    `json:"product_tree,omitempty"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities,omitempty"`
}

// Meta is the document section.
type Meta struct {
	Category     string       `json:"category"`
	CSAFVersion  string       `json:"csaf_version"`
	Distribution Distribution `json:"distribution"`
	Lang         string       `json:"lang"`
	Notes        []Note       `json:"notes"`
	Publisher    PublisherOut `json:"publisher"`
	References   []Reference  `json:"references"`
	Title        string       `json:"title"`
	Tracking     Tracking     `json:"tracking"`
}

// Distribution carries the TLP label.
type Distribution struct {
	TLP TLP `json:"tlp"`
}

// TLP is the Traffic Light Protocol label, in CSAF 2.0's vocabulary.
type TLP struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Note is a piece of prose.
type Note struct {
	Category string `json:"category"`
	Text     string `json:"text"`
	Title    string `json:"title,omitempty"`
}

// PublisherOut is the publisher as CSAF writes it.
type PublisherOut struct {
	Category       string `json:"category"`
	ContactDetails string `json:"contact_details,omitempty"`
	Name           string `json:"name"`
	Namespace      string `json:"namespace"`
}

// Reference is a cited document.
type Reference struct {
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

// Tracking holds identity and history.
type Tracking struct {
	CurrentReleaseDate string     `json:"current_release_date"`
	Generator          Generator  `json:"generator"`
	ID                 string     `json:"id"`
	InitialReleaseDate string     `json:"initial_release_date"`
	RevisionHistory    []Revision `json:"revision_history"`
	Status             string     `json:"status"`
	Version            string     `json:"version"`
}

// Generator names the program that wrote the document.
type Generator struct {
	Date   string `json:"date"`
	Engine Engine `json:"engine"`
}

// Engine is the generating program.
type Engine struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// Revision is one edition.
type Revision struct {
	Date    string `json:"date"`
	Number  string `json:"number"`
	Summary string `json:"summary"`
}

// ProductTree lists the affected products.
type ProductTree struct {
	Branches []Branch `json:"branches"`
}

// Branch is a node of the product tree.
type Branch struct {
	Category string   `json:"category"`
	Name     string   `json:"name"`
	Branches []Branch `json:"branches,omitempty"`
	Product  *Product `json:"product,omitempty"`
}

// Product is a leaf of the product tree.
type Product struct {
	Name      string `json:"name"`
	ProductID string `json:"product_id"`
}

// Vulnerability carries the remediations of an incident response.
type Vulnerability struct {
	Notes         []Note         `json:"notes,omitempty"`
	ProductStatus *ProductStatus `json:"product_status,omitempty"`
	Remediations  []Remediation  `json:"remediations,omitempty"`
	Title         string         `json:"title,omitempty"`
}

// ProductStatus says which products are affected and which fixed.
type ProductStatus struct {
	Fixed         []string `json:"fixed,omitempty"`
	KnownAffected []string `json:"known_affected,omitempty"`
}

// Remediation is one countermeasure.
type Remediation struct {
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids"`
}

// Profiles.
const (
	ProfileIncidentResponse = "csaf_security_incident_response"
	ProfileInformational    = "csaf_informational_advisory"
)

// tlpLabel maps TLP 2.0 labels to CSAF 2.0's, which predates TLP:CLEAR.
func tlpLabel(l string) string {
	if l == "CLEAR" {
		return "WHITE"
	}
	return l
}

// FileName is the document's file name as CSAF 5.1 derives it from the tracking ID.
func FileName(trackingID string) string {
	return strings.Trim(fileNameUnsafe().ReplaceAllString(strings.ToLower(trackingID), "_"), "_") + ".json"
}

// Compiled on first use: package init is the start-up of every command.
var fileNameUnsafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^+\-a-z0-9]+`) })

// Build writes the advisory as a CSAF document in English.
func Build(a *advisory.Advisory, opts Options) *Document {
	zone := opts.Zone
	if zone == nil {
		zone = time.UTC
	}
	stamp := func(t time.Time) string {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone).Format(time.RFC3339)
	}
	d := &Document{}
	m := &d.Document
	m.CSAFVersion = "2.0"
	m.Lang = "en"
	m.Title = a.Title.En
	m.Distribution.TLP = TLP{Label: tlpLabel(a.TLP), URL: "https://www.first.org/tlp/"}
	m.Publisher = PublisherOut{Category: "coordinator", Name: opts.Publisher.Name, Namespace: opts.Publisher.Namespace, ContactDetails: opts.Publisher.ContactDetails}
	m.Category = ProfileIncidentResponse
	if a.Kind == advisory.KindActivityReport {
		m.Category = ProfileInformational
	}
	m.Notes = append(m.Notes, Note{Category: "summary", Title: "Summary", Text: summary(a)})
	if body := a.Body[advisory.En]; body != nil {
		if len(body.Preamble) > 0 {
			m.Notes = append(m.Notes, Note{Category: "general", Title: "Introduction", Text: plain(body.Preamble)})
		}
		for _, s := range body.Sections {
			if s.Style == advisory.Notice || len(s.Blocks) == 0 {
				continue
			}
			category := "details"
			if s.ID == "situation" || s.ID == "overview" {
				category = "description"
			}
			m.Notes = append(m.Notes, Note{Category: category, Title: s.Title, Text: plain(s.Blocks)})
		}
		if s, ok := body.Section("reprint"); ok {
			m.Notes = append(m.Notes, Note{Category: "legal_disclaimer", Title: "Reprinting", Text: advisory.Substitute(a, plain(s.Blocks), advisory.En)})
		}
	}
	if !a.Expires.IsZero() {
		m.Notes = append(m.Notes, Note{Category: "general", Title: "Expiry",
			Text: fmt.Sprintf("This advisory expires on %s. Do not reprint it after that date; see %s for the latest information.", a.Expires.Format(time.DateOnly), a.URL)})
	}
	if len(a.Rules) > 0 {
		text := fmt.Sprintf("keikai detection rules implement this advisory's detection section: %s.", strings.Join(a.Rules, ", "))
		if opts.BundleURL != "" {
			text += " They are published as a signed rule bundle at " + opts.BundleURL + " (detached OpenPGP signature at the same address plus .asc); run them with: keikai check --advisories DIR --keyring KEY."
		}
		m.Notes = append(m.Notes, Note{Category: "details", Title: "Detection rules", Text: text})
	}
	if a.Kind == advisory.KindActivityReport && len(a.Countermeasures) > 0 {
		m.Notes = append(m.Notes, Note{Category: "general", Title: "Countermeasures", Text: countermeasureText(a)})
	}
	if opts.SelfURL != "" {
		m.References = append(m.References, Reference{Category: "self", Summary: "This document", URL: opts.SelfURL})
	}
	m.References = append(m.References, Reference{Category: "external", Summary: a.Issuer + " " + a.PrintedID(a.Latest().Number) + " (text, Japanese)", URL: a.URL})
	if opts.BundleURL != "" {
		m.References = append(m.References, Reference{Category: "external", Summary: "Signed keikai rule bundle (detection rules)", URL: opts.BundleURL})
	}
	for _, r := range a.References {
		m.References = append(m.References, Reference{Category: "external", Summary: r.Title.En, URL: r.URL})
		for _, mirror := range r.Mirrors {
			m.References = append(m.References, Reference{Category: "external", Summary: r.Title.En + " (mirror)", URL: mirror})
		}
	}
	t := &m.Tracking
	t.ID = a.ID
	t.Status = "final"
	t.InitialReleaseDate = stamp(a.Issued())
	t.CurrentReleaseDate = stamp(a.Latest().Date)
	t.Version = strconv.Itoa(a.Latest().Number)
	t.Generator = Generator{Date: opts.Now.UTC().Format(time.RFC3339), Engine: Engine{Name: "keikai", Version: opts.Engine}}
	for _, e := range a.Editions {
		t.RevisionHistory = append(t.RevisionHistory, Revision{Date: stamp(e.Date), Number: strconv.Itoa(e.Number), Summary: strings.ReplaceAll(e.Note.En, "\n", "; ")})
	}
	if a.Kind != advisory.KindActivityReport {
		d.ProductTree, d.Vulnerabilities = products(a)
	}
	return d
}

func summary(a *advisory.Advisory) string {
	s := a.HeadingLabel().En + ": " + a.Title.En + "."
	if len(a.Countermeasures) > 0 && a.Kind != advisory.KindActivityReport {
		s += " " + a.Countermeasures[0].En
	}
	return s
}

func countermeasureText(a *advisory.Advisory) string {
	var b strings.Builder
	for i, c := range a.Countermeasures {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%d. %s", i+1, c.En)
	}
	return b.String()
}

// plain joins prose blocks into text with blank lines between them.
func plain(blocks []advisory.Block) string {
	var parts []string
	for _, b := range blocks {
		switch b.Kind {
		case advisory.Verbatim:
			parts = append(parts, strings.Join(b.Lines, "\n"))
		case advisory.Item:
			parts = append(parts, b.Marker+" "+b.Text)
		default:
			parts = append(parts, b.Text)
		}
	}
	return strings.Join(parts, "\n\n")
}

// products builds the product tree (vendor → product → version range) and one vulnerability
// that carries the countermeasures as remediations for every affected product.
func products(a *advisory.Advisory) (*ProductTree, []Vulnerability) {
	if len(a.Products) == 0 {
		return nil, nil
	}
	tree := &ProductTree{}
	var affected, fixed []string
	n := 0
	id := func() string { n++; return fmt.Sprintf("KEIKAI-%s-P%d", a.ID, n) }
	for _, p := range a.Products {
		var leaves []Branch
		for _, c := range p.Affected {
			pid := id()
			affected = append(affected, pid)
			leaves = append(leaves, Branch{Category: "product_version_range", Name: "vers:generic/" + strings.ReplaceAll(c, " ", ""),
				Product: &Product{Name: p.Name + " " + c, ProductID: pid}})
		}
		if p.Fixed != "" {
			pid := id()
			fixed = append(fixed, pid)
			leaves = append(leaves, Branch{Category: "product_version", Name: p.Fixed, Product: &Product{Name: p.Name + " " + p.Fixed, ProductID: pid}})
		}
		name := Branch{Category: "product_name", Name: p.Name}
		if len(leaves) == 0 {
			pid := id()
			affected = append(affected, pid)
			name.Product = &Product{Name: p.Name, ProductID: pid}
		} else {
			name.Branches = leaves
		}
		if p.Vendor != "" {
			tree.Branches = append(tree.Branches, Branch{Category: "vendor", Name: p.Vendor, Branches: []Branch{name}})
		} else {
			tree.Branches = append(tree.Branches, name)
		}
	}
	v := Vulnerability{Title: a.Title.En, ProductStatus: &ProductStatus{KnownAffected: affected, Fixed: fixed}}
	for _, c := range a.Countermeasures {
		v.Remediations = append(v.Remediations, Remediation{Category: "mitigation", Details: c.En, ProductIDs: affected})
	}
	return tree, []Vulnerability{v}
}

// Marshal writes the document as indented JSON without HTML escaping, ending in a newline.
func Marshal(d *Document) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
