package csaf

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/language"
)

// MandatoryTests are the tests of CSAF 2.0 section 6.1 that Read runs: all but 6.1.11, which
// needs the CWE catalogue (the schema still checks the form of a CWE ID).
var MandatoryTests = []string{
	"6.1.1", "6.1.2", "6.1.3", "6.1.4", "6.1.5", "6.1.6", "6.1.7", "6.1.8", "6.1.9", "6.1.10",
	"6.1.12", "6.1.13", "6.1.14", "6.1.15", "6.1.16", "6.1.17", "6.1.18", "6.1.19", "6.1.20", "6.1.21", "6.1.22", "6.1.23",
	"6.1.24", "6.1.25", "6.1.26", "6.1.27.1", "6.1.27.2", "6.1.27.3", "6.1.27.4", "6.1.27.5",
	"6.1.27.6", "6.1.27.7", "6.1.27.8", "6.1.27.9", "6.1.27.10", "6.1.27.11", "6.1.28", "6.1.29",
	"6.1.30", "6.1.31", "6.1.32", "6.1.33",
}

// node is a value of the document as the schema validator decoded it (numbers as json.Number),
// with its JSON pointer.
type node struct {
	v    any
	path string
}

func (n node) get(key string) node {
	m, _ := n.v.(map[string]any)
	return node{m[key], n.path + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(key)}
}

func (n node) items() []node {
	a, _ := n.v.([]any)
	out := make([]node, len(a))
	for i, v := range a {
		out[i] = node{v, n.path + "/" + strconv.Itoa(i)}
	}
	return out
}

func (n node) str() string {
	s, _ := n.v.(string)
	return s
}

func (n node) exists() bool { return n.v != nil }

func (n node) number() (float64, bool) {
	num, ok := n.v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := num.Float64()
	return f, err == nil
}

type checker struct {
	root     node
	problems Problems
}

func (c *checker) fail(test string, at node, format string, args ...any) {
	c.problems = append(c.problems, Problem{Test: test, Path: at.path, Message: fmt.Sprintf(format, args...)})
}

func runMandatory(doc any) Problems {
	c := &checker{root: node{doc, ""}}
	c.productIDs()
	c.groupIDs()
	c.productStatus()
	c.scores()
	c.translator()
	c.languages()
	c.purls()
	c.revisions()
	c.vulnerabilityUniqueness()
	c.hashes()
	c.category()
	c.profiles()
	c.productVersions()
	c.vexFlags()
	return c.problems
}

// productDefinitions returns every product_id definition in the product tree.
func (c *checker) productDefinitions() []node {
	tree := c.root.get("product_tree")
	var defs []node
	for _, fpn := range tree.get("full_product_names").items() {
		defs = append(defs, fpn.get("product_id"))
	}
	var walk func(branches node)
	walk = func(branches node) {
		for _, b := range branches.items() {
			if p := b.get("product"); p.exists() {
				defs = append(defs, p.get("product_id"))
			}
			walk(b.get("branches"))
		}
	}
	walk(tree.get("branches"))
	for _, rel := range tree.get("relationships").items() {
		defs = append(defs, rel.get("full_product_name").get("product_id"))
	}
	return defs
}

var statusLists = []string{"first_affected", "first_fixed", "fixed", "known_affected", "known_not_affected", "last_affected", "recommended", "under_investigation"}

// productReferences returns every place a product ID is used.
func (c *checker) productReferences() []node {
	tree := c.root.get("product_tree")
	var refs []node
	for _, g := range tree.get("product_groups").items() {
		refs = append(refs, g.get("product_ids").items()...)
	}
	for _, rel := range tree.get("relationships").items() {
		refs = append(refs, rel.get("product_reference"), rel.get("relates_to_product_reference"))
	}
	for _, v := range c.root.get("vulnerabilities").items() {
		for _, s := range statusLists {
			refs = append(refs, v.get("product_status").get(s).items()...)
		}
		for _, r := range v.get("remediations").items() {
			refs = append(refs, r.get("product_ids").items()...)
		}
		for _, s := range v.get("scores").items() {
			refs = append(refs, s.get("products").items()...)
		}
		for _, t := range v.get("threats").items() {
			refs = append(refs, t.get("product_ids").items()...)
		}
		for _, f := range v.get("flags").items() {
			refs = append(refs, f.get("product_ids").items()...)
		}
	}
	return refs
}

// productIDs runs 6.1.1 (missing definition), 6.1.2 (multiple definition) and 6.1.3 (circular
// definition through relationships).
func (c *checker) productIDs() {
	defined := map[string]bool{}
	for _, d := range c.productDefinitions() {
		id := d.str()
		if id == "" {
			continue
		}
		if defined[id] {
			c.fail("6.1.2", d, "product ID %q is defined more than once", id)
		}
		defined[id] = true
	}
	for _, r := range c.productReferences() {
		if id := r.str(); id != "" && !defined[id] {
			c.fail("6.1.1", r, "product ID %q is not defined in the product tree", id)
		}
	}
	// A relationship defines its product from the two it references; following those references
	// must never lead back to the product being defined.
	rels := c.root.get("product_tree").get("relationships").items()
	sources := map[string][]string{}
	for _, rel := range rels {
		id := rel.get("full_product_name").get("product_id").str()
		sources[id] = append(sources[id], rel.get("product_reference").str(), rel.get("relates_to_product_reference").str())
	}
	for _, rel := range rels {
		start := rel.get("full_product_name").get("product_id")
		seen := map[string]bool{}
		queue := append([]string(nil), sources[start.str()]...)
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			if id == start.str() {
				c.fail("6.1.3", start, "product ID %q is defined through itself", id)
				break
			}
			if !seen[id] {
				seen[id] = true
				queue = append(queue, sources[id]...)
			}
		}
	}
}

// groups maps each product group ID to its products.
func (c *checker) groups() map[string][]string {
	g := map[string][]string{}
	for _, pg := range c.root.get("product_tree").get("product_groups").items() {
		for _, p := range pg.get("product_ids").items() {
			g[pg.get("group_id").str()] = append(g[pg.get("group_id").str()], p.str())
		}
	}
	return g
}

// groupIDs runs 6.1.4 (missing definition of a group ID) and 6.1.5 (multiple definition).
func (c *checker) groupIDs() {
	defined := map[string]bool{}
	for _, pg := range c.root.get("product_tree").get("product_groups").items() {
		id := pg.get("group_id")
		if defined[id.str()] {
			c.fail("6.1.5", id, "product group ID %q is defined more than once", id.str())
		}
		defined[id.str()] = true
	}
	for _, v := range c.root.get("vulnerabilities").items() {
		for _, list := range []string{"remediations", "threats", "flags"} {
			for _, item := range v.get(list).items() {
				for _, g := range item.get("group_ids").items() {
					if !defined[g.str()] {
						c.fail("6.1.4", g, "product group ID %q is not defined in the product tree", g.str())
					}
				}
			}
		}
	}
}

// productStatus runs 6.1.6: a product is in at most one of affected, not affected, fixed and
// under investigation per vulnerability.
func (c *checker) productStatus() {
	groupOf := map[string]string{
		"first_affected": "affected", "known_affected": "affected", "last_affected": "affected",
		"known_not_affected": "not affected", "first_fixed": "fixed", "fixed": "fixed",
		"under_investigation": "under investigation",
	}
	for _, v := range c.root.get("vulnerabilities").items() {
		status := map[string]string{}
		for _, s := range statusLists {
			group, ok := groupOf[s]
			if !ok {
				continue
			}
			for _, p := range v.get("product_status").get(s).items() {
				if prev, ok := status[p.str()]; ok && prev != group {
					c.fail("6.1.6", p, "product %q is both %s and %s", p.str(), prev, group)
				}
				status[p.str()] = group
			}
		}
	}
}

// scores runs 6.1.7 (one score per CVSS version and product), 6.1.9 (scores and severities
// computed from the vector) and 6.1.10 (metrics consistent with the vector).
func (c *checker) scores() {
	for _, v := range c.root.get("vulnerabilities").items() {
		seen := map[string]bool{}
		for _, s := range v.get("scores").items() {
			for _, kind := range []string{"cvss_v2", "cvss_v3"} {
				cv := s.get(kind)
				if !cv.exists() {
					continue
				}
				version := cv.get("version").str()
				for _, p := range s.get("products").items() {
					key := version + "\x00" + p.str()
					if seen[key] {
						c.fail("6.1.7", p, "product %q has more than one CVSS %s score", p.str(), version)
					}
					seen[key] = true
				}
				c.cvss(cv)
			}
		}
	}
}

// translator runs 6.1.15: a translation names the language it was translated from. And 6.1.28:
// that language differs from the document's.
func (c *checker) translator() {
	doc := c.root.get("document")
	if doc.get("publisher").get("category").str() == "translator" && !doc.get("source_lang").exists() {
		c.fail("6.1.15", doc, "a translator's document must give source_lang")
	}
	lang, src := doc.get("lang"), doc.get("source_lang")
	if lang.exists() && src.exists() && strings.EqualFold(lang.str(), src.str()) {
		c.fail("6.1.28", lang, "lang and source_lang are both %q", lang.str())
	}
}

// languages runs 6.1.12: lang and source_lang are language tags whose subtags exist (in the IANA
// registry that golang.org/x/text carries).
func (c *checker) languages() {
	for _, key := range []string{"lang", "source_lang"} {
		tag := c.root.get("document").get(key)
		if !tag.exists() {
			continue
		}
		if _, err := language.Parse(tag.str()); err != nil {
			c.fail("6.1.12", tag, "%q is not a valid language tag: %v", tag.str(), err)
		}
	}
}

// purls runs 6.1.13: every package URL of a product identification helper is valid.
func (c *checker) purls() {
	for _, helper := range c.productHelpers() {
		if p := helper.get("purl"); p.exists() {
			if err := checkPURL(p.str()); err != nil {
				c.fail("6.1.13", p, "%q is not a valid package URL: %v", p.str(), err)
			}
		}
	}
}

// checkPURL parses a package URL (pkg:type/namespace/name@version?qualifiers#subpath) by the
// purl specification's rules.
func checkPURL(s string) error {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(scheme, "pkg") {
		return errors.New(`the scheme must be "pkg"`)
	}
	rest, subpath, _ := strings.Cut(strings.TrimLeft(rest, "/"), "#")
	rest, qualifiers, hasQualifiers := strings.Cut(rest, "?")
	typ, rest, ok := strings.Cut(rest, "/")
	if !ok || typ == "" {
		return errors.New("no type")
	}
	for i, r := range typ {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '+' || r == '-' || i > 0 && r >= '0' && r <= '9') {
			return fmt.Errorf("type %q: only letters, digits, '.', '+' and '-', not starting with a digit", typ)
		}
	}
	rest = strings.Trim(rest, "/")
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		version := rest[at+1:]
		if v, err := url.PathUnescape(version); err != nil || v == "" {
			return fmt.Errorf("version %q is empty or badly percent-encoded", version)
		}
		rest = rest[:at]
	}
	segments := strings.Split(rest, "/")
	for _, seg := range segments {
		if _, err := url.PathUnescape(seg); err != nil {
			return fmt.Errorf("%q is badly percent-encoded", seg)
		}
	}
	if name, _ := url.PathUnescape(segments[len(segments)-1]); name == "" {
		return errors.New("no name")
	}
	if hasQualifiers {
		seen := map[string]bool{}
		for _, pair := range strings.Split(qualifiers, "&") {
			key, value, ok := strings.Cut(pair, "=")
			if !ok || key == "" || value == "" {
				return fmt.Errorf("qualifier %q is not key=value", pair)
			}
			for i, r := range key {
				if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '_' || r == '-' || i > 0 && r >= '0' && r <= '9') {
					return fmt.Errorf("qualifier key %q", key)
				}
			}
			if seen[strings.ToLower(key)] {
				return fmt.Errorf("qualifier %q given twice", key)
			}
			seen[strings.ToLower(key)] = true
			if _, err := url.QueryUnescape(value); err != nil {
				return fmt.Errorf("qualifier %q is badly percent-encoded", pair)
			}
		}
	}
	for _, seg := range strings.Split(subpath, "/") {
		if _, err := url.PathUnescape(seg); err != nil {
			return fmt.Errorf("subpath %q is badly percent-encoded", subpath)
		}
	}
	return nil
}

// version is a document version: an integer or a semantic version.
type version struct {
	integer             bool
	major, minor, patch int
	pre                 []string
	build               string
}

// Compiled on first use: package init is the start-up of every command.
var semverRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
})
var integerRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(0|[1-9][0-9]*)$`) })

func parseVersion(s string) (version, bool) {
	if integerRE().MatchString(s) {
		n, err := strconv.Atoi(s)
		return version{integer: true, major: n}, err == nil
	}
	m := semverRE().FindStringSubmatch(s)
	if m == nil {
		return version{}, false
	}
	var v version
	var e1, e2, e3 error
	v.major, e1 = strconv.Atoi(m[1])
	v.minor, e2 = strconv.Atoi(m[2])
	v.patch, e3 = strconv.Atoi(m[3])
	if m[4] != "" {
		v.pre = strings.Split(m[4], ".")
	}
	v.build = m[5]
	return v, e1 == nil && e2 == nil && e3 == nil
}

// compare orders versions by semantic versioning precedence (build metadata ignored).
func (v version) compare(w version) int {
	for _, d := range []int{v.major - w.major, v.minor - w.minor, v.patch - w.patch} {
		if d != 0 {
			return sign(d)
		}
	}
	switch {
	case len(v.pre) == 0 && len(w.pre) == 0:
		return 0
	case len(v.pre) == 0:
		return 1
	case len(w.pre) == 0:
		return -1
	}
	for i := 0; i < len(v.pre) && i < len(w.pre); i++ {
		a, b := v.pre[i], w.pre[i]
		an, aerr := strconv.Atoi(a)
		bn, berr := strconv.Atoi(b)
		switch {
		case aerr == nil && berr == nil:
			if an != bn {
				return sign(an - bn)
			}
		case aerr == nil:
			return -1
		case berr == nil:
			return 1
		case a != b:
			return strings.Compare(a, b)
		}
	}
	return sign(len(v.pre) - len(w.pre))
}

func sign(d int) int {
	switch {
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}

type revision struct {
	n       node
	number  string
	version version
	valid   bool
	date    time.Time
}

// revisions runs the tests of the revision history and the document version: 6.1.14, 6.1.16 to
// 6.1.22 and 6.1.30.
func (c *checker) revisions() {
	tracking := c.root.get("document").get("tracking")
	status := tracking.get("status").str()
	docVersion := tracking.get("version")
	dv, dvOK := parseVersion(docVersion.str())

	var revs []revision
	integers, semvers := 0, 0
	for _, item := range tracking.get("revision_history").items() {
		r := revision{n: item, number: item.get("number").str()}
		r.version, r.valid = parseVersion(r.number)
		r.date, _ = time.Parse(time.RFC3339Nano, item.get("date").str())
		if r.valid {
			if r.version.integer {
				integers++
			} else {
				semvers++
			}
		}
		revs = append(revs, r)
	}
	if dvOK {
		if dv.integer {
			integers++
		} else {
			semvers++
		}
	}
	if integers > 0 && semvers > 0 {
		c.fail("6.1.30", docVersion, "the document version and the revision history mix integer and semantic versioning")
	}

	// 6.1.17: a draft's version 0, 0.y.z or a pre-release; 6.1.20: a final or interim one's none.
	if dvOK {
		if (dv.major == 0 || len(dv.pre) > 0) && status != "draft" {
			c.fail("6.1.17", docVersion, "version %s is only allowed while the document status is draft (it is %s)", docVersion.str(), status)
		}
		if len(dv.pre) > 0 && (status == "final" || status == "interim") {
			c.fail("6.1.20", docVersion, "a %s document's version %s must not have a pre-release part", status, docVersion.str())
		}
	}

	numbers := map[string]bool{}
	for _, r := range revs {
		if numbers[r.number] {
			c.fail("6.1.22", r.n.get("number"), "revision number %s appears more than once", r.number)
		}
		numbers[r.number] = true
		if !r.valid {
			continue
		}
		if len(r.version.pre) > 0 {
			c.fail("6.1.19", r.n.get("number"), "revision number %s has a pre-release part", r.number)
		}
		if r.version.major == 0 && (status == "final" || status == "interim") {
			c.fail("6.1.18", r.n.get("number"), "a %s document's revision history has number %s", status, r.number)
		}
	}

	sorted := append([]revision(nil), revs...)
	// By date, and revisions of the same time by number.
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if !a.date.Equal(b.date) {
			return a.date.Before(b.date)
		}
		return a.valid && b.valid && a.version.compare(b.version) < 0
	})
	for i := 1; i < len(sorted); i++ {
		prev, cur := sorted[i-1], sorted[i]
		if prev.valid && cur.valid && cur.version.compare(prev.version) < 0 {
			c.fail("6.1.14", cur.n.get("number"), "revision %s is dated after revision %s but numbered lower", cur.number, prev.number)
		}
	}
	if len(sorted) > 0 {
		first := sorted[0]
		if first.valid && first.version.major > 1 {
			c.fail("6.1.21", first.n.get("number"), "the revision history starts at %s, not 0 or 1", first.number)
		}
		for i := 1; i < len(sorted); i++ {
			prev, cur := sorted[i-1], sorted[i]
			if prev.valid && cur.valid && cur.version.major-prev.version.major > 1 {
				c.fail("6.1.21", cur.n.get("number"), "the revision history skips from %s to %s", prev.number, cur.number)
			}
		}
		// 6.1.16: the latest revision is the document version.
		latest := sorted[len(sorted)-1]
		if dvOK && latest.valid {
			want := dv
			want.build = ""
			if status == "draft" {
				want.pre = nil
			}
			got := latest.version
			got.build = ""
			if got.integer != want.integer || got.compare(want) != 0 || (want.integer && got.major != want.major) {
				c.fail("6.1.16", docVersion, "the document version %s is not the latest revision's number %s", docVersion.str(), latest.number)
			}
		}
	}
}

// vulnerabilityUniqueness runs 6.1.23 (a CVE in one vulnerability only) and 6.1.24 (an
// involvement per party and date).
func (c *checker) vulnerabilityUniqueness() {
	cves := map[string]bool{}
	for _, v := range c.root.get("vulnerabilities").items() {
		cve := v.get("cve")
		if cve.exists() {
			if cves[cve.str()] {
				c.fail("6.1.23", cve, "%s appears in more than one vulnerability", cve.str())
			}
			cves[cve.str()] = true
		}
		involvements := map[string]bool{}
		for _, inv := range v.get("involvements").items() {
			date := inv.get("date").str()
			if t, err := time.Parse(time.RFC3339Nano, date); err == nil {
				date = t.UTC().Format(time.RFC3339Nano)
			}
			key := inv.get("party").str() + "\x00" + date
			if involvements[key] {
				c.fail("6.1.24", inv, "more than one involvement of party %s at %s", inv.get("party").str(), inv.get("date").str())
			}
			involvements[key] = true
		}
	}
}

// hashes runs 6.1.25: one value per hash algorithm and file.
func (c *checker) hashes() {
	for _, helper := range c.productHelpers() {
		for _, h := range helper.get("hashes").items() {
			seen := map[string]bool{}
			for _, fh := range h.get("file_hashes").items() {
				alg := fh.get("algorithm")
				if seen[strings.ToLower(alg.str())] {
					c.fail("6.1.25", alg, "hash algorithm %s is given more than once for %s", alg.str(), h.get("filename").str())
				}
				seen[strings.ToLower(alg.str())] = true
			}
		}
	}
}

// fullProductNames returns every full product name of the product tree.
func (c *checker) fullProductNames() []node {
	tree := c.root.get("product_tree")
	names := tree.get("full_product_names").items()
	var walk func(branches node)
	walk = func(branches node) {
		for _, b := range branches.items() {
			if p := b.get("product"); p.exists() {
				names = append(names, p)
			}
			walk(b.get("branches"))
		}
	}
	walk(tree.get("branches"))
	for _, rel := range tree.get("relationships").items() {
		names = append(names, rel.get("full_product_name"))
	}
	return names
}

func (c *checker) productHelpers() []node {
	var helpers []node
	for _, n := range c.fullProductNames() {
		if h := n.get("product_identification_helper"); h.exists() {
			helpers = append(helpers, h)
		}
	}
	return helpers
}

var profileCategories = map[string]bool{
	ProfileIncidentResponse: true, ProfileInformational: true, "csaf_security_advisory": true, "csaf_vex": true,
}

// category runs 6.1.26: a document of the base profile must not use another profile's name or
// value as its category, nor the prefix csaf_ that the specification reserves.
func (c *checker) category() {
	cat := c.root.get("document").get("category")
	if profileCategories[cat.str()] || cat.str() == "csaf_base" {
		return
	}
	if strings.HasPrefix(strings.ToLower(cat.str()), "csaf_") {
		c.fail("6.1.26", cat, "document category %q uses the prefix csaf_, which is reserved for the specification's profiles", cat.str())
		return
	}
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '-' || r == '_' || unicode.IsSpace(r) {
				return -1
			}
			return unicode.ToLower(r)
		}, s)
	}
	name := norm(cat.str())
	for _, prohibited := range []string{
		ProfileIncidentResponse, ProfileInformational, "csaf_security_advisory", "csaf_vex",
		"security_incident_response", "informational_advisory", "security_advisory", "vex",
		"Security incident response", "Informational Advisory", "Security Advisory", "Vulnerability Exploitability eXchange (VEX)",
	} {
		if name == norm(prohibited) {
			c.fail("6.1.26", cat, "document category %q is reserved for the profile %q", cat.str(), prohibited)
			return
		}
	}
}

// profiles runs the profile tests 6.1.27.1 to 6.1.27.11.
func (c *checker) profiles() {
	doc := c.root.get("document")
	cat := doc.get("category").str()
	vulns := c.root.get("vulnerabilities")
	informational := cat == ProfileInformational
	incident := cat == ProfileIncidentResponse
	advisory := cat == "csaf_security_advisory"
	vex := cat == "csaf_vex"
	if informational || incident {
		ok := false
		for _, n := range doc.get("notes").items() {
			switch n.get("category").str() {
			case "description", "details", "general", "summary":
				ok = true
			}
		}
		if !ok {
			c.fail("6.1.27.1", doc.get("notes"), "a %s document needs a note of category description, details, general or summary", cat)
		}
		ok = false
		for _, r := range doc.get("references").items() {
			if r.get("category").str() == "external" {
				ok = true
			}
		}
		if !ok {
			c.fail("6.1.27.2", doc.get("references"), "a %s document needs a reference of category external", cat)
		}
	}
	if informational && vulns.exists() {
		c.fail("6.1.27.3", vulns, "a %s document must not have vulnerabilities", cat)
	}
	if (advisory || vex) && !c.root.get("product_tree").exists() {
		c.fail("6.1.27.4", c.root.get("product_tree"), "a %s document needs a product tree", cat)
	}
	if (advisory || vex) && !vulns.exists() {
		c.fail("6.1.27.11", vulns, "a %s document needs vulnerabilities", cat)
	}
	if !advisory && !vex {
		return
	}
	groups := c.groups()
	covered := func(items []node) map[string]bool {
		set := map[string]bool{}
		for _, it := range items {
			for _, p := range it.get("product_ids").items() {
				set[p.str()] = true
			}
			for _, g := range it.get("group_ids").items() {
				for _, p := range groups[g.str()] {
					set[p] = true
				}
			}
		}
		return set
	}
	for _, v := range vulns.items() {
		if !v.get("notes").exists() {
			c.fail("6.1.27.5", v.get("notes"), "a %s document needs notes on every vulnerability", cat)
		}
		status := v.get("product_status")
		if advisory && !status.exists() {
			c.fail("6.1.27.6", status, "a %s document needs a product status on every vulnerability", cat)
		}
		if !vex {
			continue
		}
		if !status.get("fixed").exists() && !status.get("known_affected").exists() && !status.get("known_not_affected").exists() && !status.get("under_investigation").exists() {
			c.fail("6.1.27.7", status, "a VEX document needs fixed, known_affected, known_not_affected or under_investigation")
		}
		if !v.get("cve").exists() && !v.get("ids").exists() {
			c.fail("6.1.27.8", v, "a VEX document's vulnerability needs cve or ids")
		}
		var impacts []node
		impacts = append(impacts, v.get("flags").items()...)
		for _, t := range v.get("threats").items() {
			if t.get("category").str() == "impact" {
				impacts = append(impacts, t)
			}
		}
		justified := covered(impacts)
		for _, p := range status.get("known_not_affected").items() {
			if !justified[p.str()] {
				c.fail("6.1.27.9", p, "product %q is known not affected without an impact statement (flag or impact threat)", p.str())
			}
		}
		acted := covered(v.get("remediations").items())
		for _, p := range status.get("known_affected").items() {
			if !acted[p.str()] {
				c.fail("6.1.27.10", p, "product %q is known affected without an action statement (remediation)", p.str())
			}
		}
	}
}

// A product_version names one version, never a range (6.1.31): no comparison operator and none of
// the words that make one.
func isVersionRange(name string) bool {
	if strings.ContainsAny(name, "<>") {
		return true
	}
	for _, word := range strings.Fields(strings.ToLower(name)) {
		switch word {
		case "after", "all", "before", "earlier", "later", "prior", "version", "versions":
			return true
		}
	}
	return false
}

// productVersions runs 6.1.31.
func (c *checker) productVersions() {
	var walk func(branches node)
	walk = func(branches node) {
		for _, b := range branches.items() {
			if b.get("category").str() == "product_version" && isVersionRange(b.get("name").str()) {
				c.fail("6.1.31", b.get("name"), "product_version %q is a range; use product_version_range", b.get("name").str())
			}
			walk(b.get("branches"))
		}
	}
	walk(c.root.get("product_tree").get("branches"))
}

// vexFlags runs 6.1.29 and 6.1.32 (a remediation or flag names its products) and 6.1.33 (one
// VEX justification flag per product).
func (c *checker) vexFlags() {
	groups := c.groups()
	for _, v := range c.root.get("vulnerabilities").items() {
		for _, r := range v.get("remediations").items() {
			if !r.get("product_ids").exists() && !r.get("group_ids").exists() {
				c.fail("6.1.29", r, "the remediation names no product_ids or group_ids")
			}
		}
		flagged := map[string]bool{}
		for _, f := range v.get("flags").items() {
			if !f.get("product_ids").exists() && !f.get("group_ids").exists() {
				c.fail("6.1.32", f, "the flag names no product_ids or group_ids")
			}
			products := map[string]bool{}
			for _, p := range f.get("product_ids").items() {
				products[p.str()] = true
			}
			for _, g := range f.get("group_ids").items() {
				for _, p := range groups[g.str()] {
					products[p] = true
				}
			}
			ids := make([]string, 0, len(products))
			for p := range products {
				ids = append(ids, p)
			}
			sort.Strings(ids)
			for _, p := range ids {
				if flagged[p] {
					c.fail("6.1.33", f, "product %q has more than one VEX justification flag", p)
				}
				flagged[p] = true
			}
		}
	}
}
