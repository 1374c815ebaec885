// Package bundle ships an advisory's detection section as something a site can run: the source
// of every rule the advisory links, with a manifest (advisory ID, edition, dates, countermeasures,
// SHA-256 of each rule file), in one JSON file with a detached OpenPGP signature beside it.
//
// One JSON file rather than a tar: the signature covers exactly the bytes a person can read with
// any text viewer, the format has no paths to unpack (so no path traversal), and the rule sources
// travel as strings, byte for byte. Verification happens on those bytes before anything in them
// is parsed, and before a single rule runs.
package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/sign"
)

// Format names this bundle format and its version.
const Format = "keikai-rule-bundle/1"

// Extension ends every bundle file's name; the signature is the same name plus ".asc".
const Extension = ".rules.json"

// Manifest is a bundle's content.
type Manifest struct {
	Format          string         `json:"format"`
	Advisory        string         `json:"advisory"`
	Edition         int            `json:"edition"`
	Issued          string         `json:"issued"`
	EditionDate     string         `json:"edition_date"`
	Expires         string         `json:"expires,omitempty"`
	URL             string         `json:"url"`
	Title           finding.Text   `json:"title"`
	Countermeasures []finding.Text `json:"countermeasures"`
	// RuleIDs are the rules the advisory links; Files hold them (a file may hold more than one).
	RuleIDs []string `json:"rule_ids"`
	Files   []File   `json:"files"`
}

// File is one rule file, as its author wrote it.
type File struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Source string `json:"source"`
}

// FileName is the name a bundle of the given advisory edition is published under.
func FileName(id string, edition int) string {
	return fmt.Sprintf("%s.e%02d%s", id, edition, Extension)
}

// Build makes the bundle of an advisory's current edition from the rule set the advisory was
// linted against; read returns the source of a rule's file (sigma.Rule.File).
func Build(a *advisory.Advisory, set *sigma.Set, read func(file string) ([]byte, error)) ([]byte, error) {
	byID := map[string]*sigma.Rule{}
	for _, r := range append(slices.Clone(set.Rules), set.Unsupported...) {
		byID[r.ID] = r
	}
	m := Manifest{
		Format: Format, Advisory: a.ID, Edition: a.Latest().Number,
		Issued: date(a.Issued()), EditionDate: date(a.Latest().Date), Expires: date(a.Expires), URL: a.URL,
		Title: a.Title, Countermeasures: a.Countermeasures, RuleIDs: slices.Clone(a.Rules),
		Files: []File{},
	}
	seen := map[string]bool{}
	for _, id := range a.Rules {
		r, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("bundle %s: rule %s is not loaded (run keikai advisory lint)", a.ID, id)
		}
		if seen[r.File] {
			continue
		}
		seen[r.File] = true
		src, err := read(r.File)
		if err != nil {
			return nil, fmt.Errorf("bundle %s: rule %s: %w", a.ID, id, err)
		}
		sum := sha256.Sum256(src)
		m.Files = append(m.Files, File{Name: filepath.ToSlash(r.File), SHA256: hex.EncodeToString(sum[:]), Source: string(src)})
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Name < m.Files[j].Name })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// safeName is what an advisory ID or rule file name in a manifest may contain: they end up in
// messages on a terminal, so nothing else is accepted.
// Compiled on first use: package init is the start-up of every command.
var safeName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/+-]*$`) })

// Errors that say why a bundle was refused.
var (
	ErrTampered   = errors.New("tampered")
	ErrUnsigned   = errors.New("unsigned")
	ErrSuperseded = errors.New("superseded")
)

// Options say how bundles are checked.
type Options struct {
	// Keyring holds the publishers' public keys; every bundle must carry a good signature by one.
	Keyring *sign.Keyring
	// Insecure accepts bundles without a signature, after a warning. A signature that is present
	// but bad is refused all the same.
	Insecure bool
	Now      time.Time
	// Warn receives what a person must know but that does not stop the run.
	Warn func(string)
}

// Bundle is a verified bundle.
type Bundle struct {
	Manifest
	Path string
	// Signer is the good signature's signer; nil only for an unsigned bundle accepted --insecure.
	Signer  *sign.Verified
	Expired bool
}

// Result is what LoadDir verified: the bundles and their rules, ready to compile.
type Result struct {
	Bundles []*Bundle
	Rules   *sigma.Set
}

// LoadDir verifies every bundle in dir, then parses their rules. It returns an error, and no
// rules at all, if any bundle is tampered with, unsigned (without Insecure) or superseded by a
// newer edition of the same advisory in dir.
func LoadDir(dir string, opts Options) (*Result, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+Extension))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no rule bundles (*%s) in %s", Extension, dir)
	}
	if opts.Keyring == nil && !opts.Insecure {
		return nil, fmt.Errorf("%w: no keyring to check the bundles in %s against; give --keyring FILE with the publisher's public key", ErrUnsigned, dir)
	}
	warn := opts.Warn
	if warn == nil {
		warn = func(string) {}
	}
	var bundles []*Bundle
	for _, p := range paths {
		b, err := verify(p, opts, warn)
		if err != nil {
			return nil, err
		}
		bundles = append(bundles, b)
	}
	latest := map[string]*Bundle{}
	for _, b := range bundles {
		if prev, ok := latest[b.Advisory]; ok && prev.Edition == b.Edition {
			return nil, fmt.Errorf("%s and %s are both edition %d of %s; keep one", prev.Path, b.Path, b.Edition, b.Advisory)
		}
		if prev, ok := latest[b.Advisory]; !ok || b.Edition > prev.Edition {
			latest[b.Advisory] = b
		}
	}
	for _, b := range bundles {
		if l := latest[b.Advisory]; l != b {
			return nil, fmt.Errorf("%s: %w: edition %d of %s is superseded by edition %d (%s); remove the old edition so that its rules do not run", b.Path, ErrSuperseded, b.Edition, b.Advisory, l.Edition, l.Path)
		}
	}
	set, err := rulesOf(bundles)
	if err != nil {
		return nil, err
	}
	for _, b := range bundles {
		if b.Expired {
			warn(fmt.Sprintf("advisory %s expired on %s; its rules still run, but check %s for a newer edition", b.Advisory, b.Expires, b.URL))
		}
	}
	return &Result{Bundles: bundles, Rules: set}, nil
}

// verify checks one bundle's signature over its exact bytes, then its manifest.
func verify(path string, opts Options, warn func(string)) (*Bundle, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b := &Bundle{Path: path}
	sig, err := os.ReadFile(path + ".asc")
	switch {
	case errors.Is(err, os.ErrNotExist) && opts.Insecure:
		warn(fmt.Sprintf("%s is not signed; running it anyway because of --insecure: anyone who could change the file could change what runs", path))
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("%s: %w: %s.asc is missing; get the signature from the publisher, or pass --insecure to run it unverified", path, ErrUnsigned, filepath.Base(path))
	case err != nil:
		return nil, err
	case opts.Keyring == nil:
		warn(fmt.Sprintf("%s: signature not checked (no --keyring); running it anyway because of --insecure", path))
	default:
		v, err := opts.Keyring.VerifyDetached(data, sig)
		if err != nil {
			if errors.Is(err, sign.ErrUnknownSigner) {
				return nil, fmt.Errorf("%s: %w: %v; add the publisher's public key to the keyring", path, ErrUnsigned, err)
			}
			return nil, fmt.Errorf("%s: %w: %v", path, ErrTampered, err)
		}
		b.Signer = v
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b.Manifest); err != nil {
		return nil, fmt.Errorf("%s: not a rule bundle: %w", path, err)
	}
	if b.Format != Format {
		return nil, fmt.Errorf("%s: format %q; this keikai reads %q", path, b.Format, Format)
	}
	if !safeName().MatchString(b.Advisory) || b.Edition < 1 {
		return nil, fmt.Errorf("%s: the manifest's advisory ID or edition is missing or malformed", path)
	}
	if u, err := url.Parse(b.URL); err != nil || (b.URL != "" && !u.IsAbs()) || strings.ContainsFunc(b.URL, unicode.IsControl) {
		return nil, fmt.Errorf("%s: the manifest's url is malformed", path)
	}
	for _, f := range b.Files {
		if !safeName().MatchString(f.Name) {
			return nil, fmt.Errorf("%s: a rule file name in the manifest is malformed", path)
		}
		sum := sha256.Sum256([]byte(f.Source))
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			return nil, fmt.Errorf("%s: %w: rule file %s does not match its SHA-256 in the manifest", path, ErrTampered, f.Name)
		}
	}
	if b.Expires != "" {
		exp, err := time.Parse(time.DateOnly, b.Expires)
		if err != nil {
			return nil, fmt.Errorf("%s: expires %q is not a date", path, b.Expires)
		}
		b.Expired = opts.Now.After(exp.AddDate(0, 0, 1))
	}
	return b, nil
}

// rulesOf parses the bundles' rule files into one set. A rule file that several advisories link
// is the same rule if its bytes are the same; a rule ID with two different sources is an error.
func rulesOf(bundles []*Bundle) (*sigma.Set, error) {
	set := &sigma.Set{}
	byHash := map[string]bool{}
	ids := map[string]string{}
	var errs []error
	for _, b := range bundles {
		for _, f := range b.Files {
			if byHash[f.SHA256] {
				continue
			}
			byHash[f.SHA256] = true
			name := filepath.Base(b.Path) + ":" + f.Name
			rules, err := sigma.ParseFile(name, []byte(f.Source))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, r := range rules {
				if prev, dup := ids[r.ID]; dup && r.ID != "" {
					errs = append(errs, fmt.Errorf("%s: rule %s is also in %s with different content", name, r.ID, prev))
					continue
				}
				ids[r.ID] = name
				if r.Unsupported != "" {
					set.Unsupported = append(set.Unsupported, r)
				} else {
					set.Rules = append(set.Rules, r)
				}
			}
		}
		have := map[string]bool{}
		for id := range ids {
			have[id] = true
		}
		for _, id := range b.RuleIDs {
			if !have[id] {
				errs = append(errs, fmt.Errorf("%s: the manifest lists rule %s, which none of its files holds", b.Path, id))
			}
		}
	}
	if err := set.Resolve(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("rules in the bundles:\n%w", errors.Join(errs...))
	}
	return set, nil
}

// Advisories returns the bundles' advisories as a collection, so that findings carry the
// countermeasures the bundles were published with.
func (r *Result) Advisories() *advisory.Collection {
	c := &advisory.Collection{}
	for _, b := range r.Bundles {
		a := &advisory.Advisory{ID: b.Advisory, Title: b.Title, Countermeasures: b.Countermeasures, URL: b.URL}
		if t, err := time.Parse(time.DateOnly, b.Expires); err == nil {
			a.Expires = t
		}
		c.Advisories = append(c.Advisories, a)
	}
	return c
}

// Describe is one line per bundle, for a person: what runs, at which edition, signed by whom.
func (r *Result) Describe() []string {
	var out []string
	for _, b := range r.Bundles {
		s := fmt.Sprintf("%s edition %d (%s): %d rules", b.Advisory, b.Edition, b.EditionDate, len(b.RuleIDs))
		if b.Signer != nil {
			s += fmt.Sprintf(", signed by %s, key %s", b.Signer.Signer, sign.FormatFingerprint(b.Signer.Fingerprint))
		} else {
			s += ", UNSIGNED"
		}
		if b.Expired {
			s += ", EXPIRED " + b.Expires
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out
}
