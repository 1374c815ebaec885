package sigma

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/keikai-project/keikai/internal/safeopen"
	"go.yaml.in/yaml/v3"
)

// LoadFS loads every *.yml and *.yaml file under dir, recursively and in lexical order, and
// resolves correlation references. It returns the rules that loaded together with all errors,
// joined, so that one broken file does not hide the others.
func LoadFS(fsys fs.FS, dir string) (*Set, error) {
	return load(fsys, dir, func(p string) ([]byte, error) { return fs.ReadFile(fsys, p) }, func(p string) string { return p }, ParseFile)
}

// LoadFSForMatching is LoadFS for callers that only match: the rules' samples, description,
// references, falsepositives, author and license, three quarters of the bundled rules'
// YAML, are not decoded (those fields stay empty), so start-up takes less than half the work.
// Errors in them go unreported, so use it only for rule files LoadFS has checked: the bundled
// rules, whose tests do. The YAML of files in cache, if not nil, is not decoded but read from it.
func LoadFSForMatching(fsys fs.FS, dir string, cache *NodeCache) (*Set, error) {
	if cache != nil {
		read, parse := cache.loader(fsys)
		return load(fsys, dir, read, func(p string) string { return p }, parse)
	}
	return loadForMatching(fsys, dir, decodeDocuments)
}

// loadForMatching is LoadFSForMatching with the YAML decoded by decode.
func loadForMatching(fsys fs.FS, dir string, decode func([]byte) ([]*yaml.Node, error)) (*Set, error) {
	parse := func(name string, data []byte) ([]*Rule, error) { return parseFileForMatching(name, data, decode) }
	return load(fsys, dir, func(p string) ([]byte, error) { return fs.ReadFile(fsys, p) }, func(p string) string { return p }, parse)
}

// LoadDir loads the rule files under a directory of the file system, naming each file by its
// path under dir so that errors point at the file a person can open. Someone else may be able to
// write there, so each file is opened once, as a regular file only (a FIFO does not block, a
// device is not read), its size checked on the open handle before reading; a symlink is followed
// only to a file inside dir, and subdirectories reached through symlinks are not walked.
func LoadDir(dir string) (*Set, error) {
	base, err := filepath.Abs(dir)
	if err == nil {
		base, err = filepath.EvalSymlinks(base)
	}
	if err != nil {
		return &Set{}, fmt.Errorf("reading rules under %s: %w", dir, err)
	}
	read := func(p string) ([]byte, error) { return readRuleFile(base, filepath.Join(base, filepath.FromSlash(p))) }
	return load(os.DirFS(base), ".", read, func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }, ParseFile)
}

var errLinkOut = errors.New("is a symbolic link that leads out of the rules directory; copy the rule file into the directory instead")

// readRuleFile reads the rule file at path under base, refusing what is not a regular file inside
// base.
func readRuleFile(base, path string) ([]byte, error) {
	rel, err := filepath.Rel(base, path)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, err
		}
		if rel, err = filepath.Rel(base, target); err != nil || !filepath.IsLocal(rel) {
			return nil, errLinkOut
		}
	}
	f, fi, err := safeopen.InRoot(base, filepath.ToSlash(rel))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err // the caller names the file
		}
		return nil, err
	}
	defer f.Close()
	data, err := safeopen.ReadAll(f, fi, maxRuleFileSize)
	if errors.Is(err, safeopen.ErrTooLarge) {
		return nil, fmt.Errorf("file is %d bytes; rule files are limited to %d", fi.Size(), maxRuleFileSize)
	}
	return data, err
}

func load(fsys fs.FS, dir string, read func(string) ([]byte, error), name func(string) string, parse func(string, []byte) ([]*Rule, error)) (*Set, error) {
	s := &Set{}
	var errs []error
	walkErr := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, fmt.Errorf("reading rules: %w", err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if ext := strings.ToLower(path.Ext(p)); ext != ".yml" && ext != ".yaml" {
			return nil
		}
		data, err := read(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading rule file %s: %w", name(p), err))
			return nil
		}
		rules, err := parse(name(p), data)
		if err != nil {
			errs = append(errs, err)
		}
		s.add(rules)
		return nil
	})
	if walkErr != nil {
		errs = append(errs, fmt.Errorf("reading rules under %s: %w", dir, walkErr))
	}
	errs = append(errs, s.duplicates(nil)...)
	if err := s.Resolve(); err != nil {
		errs = append(errs, err)
	}
	return s, errors.Join(errs...)
}

func (s *Set) add(rules []*Rule) {
	for _, r := range rules {
		if r.Unsupported != "" {
			s.Unsupported = append(s.Unsupported, r)
		} else {
			s.Rules = append(s.Rules, r)
		}
	}
}

// all returns supported and unsupported rules.
func (s *Set) all() []*Rule {
	return append(append([]*Rule(nil), s.Rules...), s.Unsupported...)
}

// duplicates reports rules that share an id, within s and, if other is not nil, between s and other.
func (s *Set) duplicates(other *Set) []error {
	var errs []error
	byID := map[string]*Rule{}
	check := func(r *Rule) {
		if r.ID == "" {
			return
		}
		if prev, ok := byID[r.ID]; ok {
			errs = append(errs, &Error{File: r.File, Line: r.Line, Column: 1, Rule: r.label(),
				Msg: fmt.Sprintf("id %s is also used by rule %q at %s:%d; ids must be unique", r.ID, prev.label(), prev.File, prev.Line)})
			return
		}
		byID[r.ID] = r
	}
	for _, r := range s.all() {
		check(r)
	}
	if other != nil {
		for _, r := range other.all() {
			check(r)
		}
	}
	return errs
}

// Add merges other (user rules, say) into s (the bundled rules) and resolves the result again.
// Rules whose id is already in s are an error naming both files; nothing is merged then.
func (s *Set) Add(other *Set) error {
	if other == nil {
		return nil
	}
	if errs := s.duplicates(other); len(errs) > 0 {
		return errors.Join(errs...)
	}
	s.Rules = append(s.Rules, other.Rules...)
	s.Unsupported = append(s.Unsupported, other.Unsupported...)
	return s.Resolve()
}

// Resolve links correlation rules to the detection rules they name (by id or name), sets their
// formats, and works out which detection rules generate findings of their own. A correlation
// that refers to an unsupported rule becomes unsupported itself. A correlation with a reference
// that does not resolve stays in Rules (a later Add may supply the rule) and is reported in the
// returned error; callers must not run a set whose Resolve failed.
func (s *Set) Resolve() error {
	var errs []error
	byRef := map[string]*Rule{}
	for _, r := range s.all() {
		if r.Name != "" {
			byRef[r.Name] = r
		}
	}
	for _, r := range s.all() {
		if r.ID != "" {
			byRef[r.ID] = r // an id wins over a name that happens to be the same
		}
	}
	quiet := map[*Rule]bool{} // referenced by a correlation
	loud := map[*Rule]bool{}  // referenced by a correlation with generate: true
	var keep, moved []*Rule
	for _, r := range s.Rules {
		r.generates = true
		c := r.Correlation
		if c == nil {
			keep = append(keep, r)
			continue
		}
		c.Rules = c.Rules[:0]
		r.formats = 0
		var bad []string
		for _, ref := range c.RuleRefs {
			target, ok := byRef[ref]
			switch {
			case !ok:
				bad = append(bad, fmt.Sprintf("correlation refers to rule %q, which is not loaded; give the id or name of a detection rule", ref))
			case target.IsCorrelation():
				bad = append(bad, fmt.Sprintf("correlation refers to %q, which is a correlation rule; refer to detection rules only", ref))
			case target.Unsupported != "":
				r.Unsupported = fmt.Sprintf("refers to unsupported rule %q (%s)", ref, target.Unsupported)
			default:
				c.Rules = append(c.Rules, target)
				r.formats |= target.formats
			}
		}
		for _, msg := range bad {
			errs = append(errs, &Error{File: r.File, Line: r.Line, Column: 1, Rule: r.label(), Msg: msg})
		}
		if r.Unsupported != "" {
			moved = append(moved, r)
			continue
		}
		keep = append(keep, r)
		for _, t := range c.Rules {
			quiet[t] = true
			if c.Generate {
				loud[t] = true
			}
		}
	}
	for _, r := range keep {
		if quiet[r] && !loud[r] {
			r.generates = false
		}
	}
	s.Rules = keep
	s.Unsupported = append(s.Unsupported, moved...)
	return errors.Join(errs...)
}
