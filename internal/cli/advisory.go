package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keikai-project/keikai/advisories"
	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/announce"
	"github.com/keikai-project/keikai/internal/csaf"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/publish"
	"github.com/keikai-project/keikai/internal/sign"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/rules"
)

// verifyFile checks a clearsigned text, or a file with a detached signature beside it (FILE.asc:
// CSAF documents, rule bundles) and the FILE.sha256 and FILE.sha512 that CSAF puts beside it.
func verifyFile(kr *sign.Keyring, name string) (*sign.Verified, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("-----BEGIN PGP SIGNED MESSAGE-----")) {
		return kr.VerifyClearsigned(data)
	}
	sig, err := os.ReadFile(name + ".asc")
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: neither clearsigned nor with a detached signature %s.asc", sign.ErrNotSigned, filepath.Base(name))
	}
	if err != nil {
		return nil, err
	}
	for ext, sum := range map[string]func([]byte) string{
		".sha256": func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) },
		".sha512": func(b []byte) string { h := sha512.Sum512(b); return hex.EncodeToString(h[:]) },
	} {
		want, err := os.ReadFile(name + ext)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if f := strings.Fields(string(want)); len(f) == 0 || !strings.EqualFold(f[0], sum(data)) {
			return nil, fmt.Errorf("the file does not match %s%s", filepath.Base(name), ext)
		}
	}
	return kr.VerifyDetached(data, sig)
}

const advisoryHelp = `
Subcommands:
  new      start an advisory: keikai advisory new --dir DIR --kind emergency|alert|activity-report --issuer NAME ID
  lint     check the advisories' sources: sections, dates, change notes, linked rules (file:line)
  render   print an advisory as text in the layout of JPCERT/CC's advisories, signed with --key
  verify   check signed files against --keyring: clearsigned advisories (keikai's, or another
           team's made with GnuPG), or files with a detached FILE.asc (CSAF, rule bundles) and
           their FILE.sha256/.sha512; a CSAF document is also validated as validate does
  validate check CSAF 2.0 documents (anyone's) against the OASIS schema and the mandatory tests
           of CSAF 2.0 section 6.1, printing each problem's test ID and JSON path
  mail     mail an advisory, signed, to a subscriber list through an SMTP relay, one message each
  publish  write the signed text, rule bundles, CSAF, HTML and feeds of every advisory to --out DIR;
           with --db, record each advisory's latest edition (its sources and the SHA-256 of its
           signed files) and refuse an edition published before whose sources have changed
  list     list the published editions recorded in --db

Advisories are read from --dir DIR (one directory per advisory: advisory.yml, ja.md, en.md), by
default the ones built into keikai. A private key's passphrase comes from --passphrase-file or
$KEIKAI_PASSPHRASE.

Exit codes: 0 good; 1 lint problems, a signature that does not verify, an invalid CSAF document, or
a subscriber the relay refused; 2 usage or input error.`

// publishFlags are the flags of render and publish.
type publishFlags struct {
	keyFile, passFile, baseURL, publisher, namespace, contact, tz string
	kind, smtp, from, subscribers, stats                          string
	startTLS                                                      bool
}

func runAdvisory(env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(env.Stdout, "Usage: keikai advisory <new|lint|render|verify|validate|mail|publish|list> [flags] [arguments]\n%s\n", advisoryHelp)
		if len(args) == 0 {
			return exitError
		}
		return exitClean
	}
	sub, args := args[0], args[1:]
	var (
		dir, lang, charset, keyring, out, db string
		rulesDirs                            stringList
		pub                                  publishFlags
	)
	fs := newFlagSet(env, "advisory "+sub, "[flags] [arguments]", advisoryHelp)
	if sub != "verify" && sub != "validate" && sub != "list" {
		fs.StringVar(&dir, "dir", "", "read advisories from `DIR` instead of the built-in ones")
		fs.Var(&rulesDirs, "rules", "also load rules from `DIR` (repeatable)")
	}
	switch sub {
	case "render":
		fs.StringVar(&lang, "lang", "", "language: ja or en (default: from LANG)")
		fs.StringVar(&charset, "charset", "utf-8", "`charset` of the text: utf-8 or iso-2022-jp (for mail)")
	case "verify":
		fs.StringVar(&keyring, "keyring", "", "public keys (`FILE`, armored or binary) to check signatures against")
	case "new":
		fs.StringVar(&pub.kind, "kind", "", "`kind` of document: emergency, alert or activity-report")
		fs.StringVar(&pub.publisher, "issuer", "", "the issuing team's `name`")
		fs.StringVar(&pub.baseURL, "url", "", "the advisory's canonical `URL`")
		fs.StringVar(&pub.stats, "stats", "", "draft an activity report from a period's statistics (`FILE`, JSON)")
	case "mail":
		fs.StringVar(&pub.smtp, "smtp", "127.0.0.1:25", "the SMTP relay (`HOST:PORT`)")
		fs.BoolVar(&pub.startTLS, "starttls", false, "demand STARTTLS from the relay")
		fs.StringVar(&pub.from, "from", "", "the sender (`ADDRESS`, may include a name)")
		fs.StringVar(&pub.subscribers, "subscribers", "", "the list (`FILE`): one \"address lang [charset]\" per line")
	case "publish":
		fs.StringVar(&out, "out", "", "write the publication tree to `DIR`")
		fs.StringVar(&pub.baseURL, "base-url", "", "the `URL` the tree is served at (https://csirt.example.org)")
		fs.StringVar(&pub.publisher, "publisher", "", "the publishing team's `name` (default: the advisories' issuer)")
		fs.StringVar(&pub.namespace, "namespace", "", "the publishing team's web `address` for CSAF (default: --base-url)")
		fs.StringVar(&pub.contact, "contact", "", "where reports go, for security.txt (`URI`: mailto:... or https://...)")
		fs.StringVar(&pub.tz, "tz", "Asia/Tokyo", "time `zone` of the advisories' dates")
		fs.StringVar(&db, "db", "", "record the published editions in the database: a SQLite `file`, or a postgres:// DSN")
	case "list":
		fs.StringVar(&db, "db", defaultDB, "the database: a SQLite `file`, or a postgres:// DSN for PostgreSQL")
	}
	if sub == "render" || sub == "publish" || sub == "mail" {
		fs.StringVar(&pub.keyFile, "key", "", "sign with the private key in `FILE`")
		fs.StringVar(&pub.passFile, "passphrase-file", "", "read the key's passphrase from `FILE` (default: $"+passphraseEnv+")")
	}
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "advisory "+sub, err)
	}
	if sub == "verify" {
		return advisoryVerify(env, keyring, rest)
	}
	if sub == "validate" {
		return advisoryValidate(env, rest)
	}
	if sub == "list" {
		if len(rest) > 0 {
			return fail(env, "advisory list", fmt.Errorf("%w: list takes no arguments", errUsage))
		}
		return advisoryList(env, db)
	}
	if sub == "new" {
		return advisoryNew(env, dir, rest, pub)
	}
	advs, err := loadAdvisories(dir)
	if err != nil {
		return fail(env, "advisory "+sub, err)
	}
	switch sub {
	case "lint":
		return advisoryLint(env, advs, rulesDirs)
	case "render":
		if len(rest) != 1 {
			return fail(env, "advisory render", fmt.Errorf("%w: give one advisory ID", errUsage))
		}
		if lang, err = langFrom(lang, env.Getenv); err != nil {
			return fail(env, "advisory render", err)
		}
		return advisoryRender(env, advs, rest[0], lang, charset, pub.keyFile, pub.passFile)
	case "mail":
		if len(rest) != 1 || pub.from == "" || pub.subscribers == "" || pub.keyFile == "" {
			return fail(env, "advisory mail", fmt.Errorf("%w: give --from, --subscribers FILE, --key FILE and one advisory ID", errUsage))
		}
		return advisoryMail(env, advs, rest[0], pub)
	case "publish":
		if out == "" || pub.baseURL == "" || pub.contact == "" || pub.keyFile == "" || len(rest) > 0 {
			return fail(env, "advisory publish", fmt.Errorf("%w: give --out DIR, --base-url URL, --contact URI and --key FILE, and no arguments", errUsage))
		}
		return advisoryPublish(env, advs, dir, rulesDirs, out, db, pub)
	}
	return fail(env, "advisory", fmt.Errorf("%w: unknown subcommand %q: use new, lint, render, verify, validate, mail, publish or list", errUsage, sub))
}

func loadAdvisories(dir string) (*advisory.Collection, error) {
	if dir == "" {
		c, err := advisory.LoadFS(advisories.FS, ".")
		if err != nil {
			return nil, fmt.Errorf("built-in advisories are broken (a bug in this build of keikai): %w", err)
		}
		return c, nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("--dir %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("--dir %s: not a directory; give the directory that holds one directory per advisory", dir)
	}
	c, err := advisory.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("advisories in %s:\n%w", dir, err)
	}
	return c, nil
}

func advisoryLint(env *Env, advs *advisory.Collection, rulesDirs []string) int {
	set, err := loadRules(rulesDirs, env, true)
	if err != nil {
		return fail(env, "advisory lint", err)
	}
	probs := advisory.Lint(advs, set)
	for _, p := range probs {
		fmt.Fprintln(env.Stdout, escape.String(p.Error()))
	}
	if len(probs) > 0 {
		fmt.Fprintf(env.Stderr, "keikai advisory lint: %d problems\n", len(probs))
		return exitFindings
	}
	fmt.Fprintf(env.Stderr, "keikai advisory lint: %d advisories, no problems\n", len(advs.Advisories))
	return exitClean
}

func advisoryRender(env *Env, advs *advisory.Collection, id, lang, charset, keyFile, passFile string) int {
	a, ok := advs.Lookup(id)
	if !ok {
		return fail(env, "advisory render", fmt.Errorf("no advisory %q; there are: %s", escape.String(id), advisoryIDs(advs)))
	}
	if charset != "utf-8" && charset != "iso-2022-jp" {
		return fail(env, "advisory render", fmt.Errorf("%w: --charset must be utf-8 or iso-2022-jp", errUsage))
	}
	var signer *sign.Signer
	opts := advisory.TextOptions{}
	if keyFile != "" {
		var err error
		if signer, err = loadSigner(env, keyFile, passFile); err != nil {
			return fail(env, "advisory render", err)
		}
		opts.Fingerprint = sign.FormatFingerprint(signer.Fingerprint())
	}
	text := advisory.RenderText(a, lang, opts)
	var err error
	if charset == "iso-2022-jp" {
		// Signed before encoding would be signed over bytes that mail does not carry; sign the
		// bytes that are sent.
		if text, err = advisory.ToISO2022JP(text); err != nil {
			return fail(env, "advisory render", err)
		}
	}
	if signer != nil {
		if text, err = signer.Clearsign(text, time.Now()); err != nil {
			return fail(env, "advisory render", err)
		}
		fmt.Fprintf(env.Stderr, "keikai: signed by %s, key fingerprint %s\n", escape.String(signer.Identity()), opts.Fingerprint)
	}
	if _, err := env.Stdout.Write(text); err != nil {
		return fail(env, "advisory render", err)
	}
	return exitClean
}

func advisoryIDs(advs *advisory.Collection) string {
	s := ""
	for i, a := range advs.Advisories {
		if i > 0 {
			s += ", "
		}
		s += a.ID
	}
	return s
}

func advisoryVerify(env *Env, keyringFile string, files []string) int {
	if keyringFile == "" || len(files) == 0 {
		return fail(env, "advisory verify", fmt.Errorf("%w: give --keyring FILE and the signed files", errUsage))
	}
	data, err := os.ReadFile(keyringFile)
	if err != nil {
		return fail(env, "advisory verify", err)
	}
	kr, err := sign.ReadKeyring(data)
	if err != nil {
		return fail(env, "advisory verify", fmt.Errorf("%s: %w", keyringFile, err))
	}
	code := exitClean
	for _, f := range files {
		v, err := verifyFile(kr, f)
		if err != nil {
			fmt.Fprintf(env.Stdout, "%s: BAD: %s\n", escape.String(f), escape.String(err.Error()))
			code = exitFindings
			continue
		}
		fmt.Fprintf(env.Stdout, "%s: good signature by %s, key fingerprint %s, signed %s\n",
			escape.String(f), escape.String(v.Signer), sign.FormatFingerprint(v.Fingerprint), v.Signed.UTC().Format(time.RFC3339))
		// A good signature on a broken document is still a broken document.
		if data, err := os.ReadFile(f); err == nil && looksLikeCSAF(data) && !reportCSAF(env, f, data) {
			code = exitFindings
		}
	}
	return code
}

// looksLikeCSAF tells a CSAF document from the other signed JSON keikai publishes (rule bundles).
func looksLikeCSAF(data []byte) bool {
	var probe struct {
		Document struct {
			CSAFVersion string `json:"csaf_version"`
		} `json:"document"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.Document.CSAFVersion != ""
}

func advisoryValidate(env *Env, files []string) int {
	if len(files) == 0 {
		return fail(env, "advisory validate", fmt.Errorf("%w: give the CSAF documents (FILE.json) to validate", errUsage))
	}
	code := exitClean
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(env.Stderr, "keikai advisory validate: %s\n", escape.String(err.Error()))
			code = exitError
			continue
		}
		if !reportCSAF(env, f, data) && code == exitClean {
			code = exitFindings
		}
	}
	return code
}

// reportCSAF validates one CSAF document and prints the verdict: one line per problem with the
// CSAF 2.0 test that failed and the JSON path of the value. It reports whether the document is valid.
func reportCSAF(env *Env, name string, data []byte) bool {
	d, err := csaf.Read(bytes.NewReader(data))
	if err == nil {
		fmt.Fprintf(env.Stdout, "%s: valid CSAF 2.0 (%s, %s version %s)\n", escape.String(name),
			escape.String(d.Document.Category), escape.String(d.Document.Tracking.ID), escape.String(d.Document.Tracking.Version))
		return true
	}
	var problems csaf.Problems
	if !errors.As(err, &problems) {
		fmt.Fprintf(env.Stdout, "%s: INVALID: %s\n", escape.String(name), escape.String(err.Error()))
		return false
	}
	for _, p := range problems {
		fmt.Fprintf(env.Stdout, "%s: %s\n", escape.String(name), escape.String(p.String()))
	}
	noun := "problems"
	if len(problems) == 1 {
		noun = "problem"
	}
	fmt.Fprintf(env.Stdout, "%s: INVALID: %d %s (tests %s)\n", escape.String(name), len(problems), noun, strings.Join(problems.Tests(), ", "))
	return false
}

func advisoryPublish(env *Env, advs *advisory.Collection, dir string, rulesDirs []string, out, db string, o publishFlags) int {
	signer, err := loadSigner(env, o.keyFile, o.passFile)
	if err != nil {
		return fail(env, "advisory publish", err)
	}
	set, err := loadRules(rulesDirs, env, true)
	if err != nil {
		return fail(env, "advisory publish", err)
	}
	if probs := advisory.Lint(advs, set); len(probs) > 0 {
		return fail(env, "advisory publish", fmt.Errorf("the advisories have problems; fix them first (keikai advisory lint):\n%w", probs))
	}
	name := o.publisher
	if name == "" && len(advs.Advisories) > 0 {
		name = advs.Advisories[0].Issuer
	}
	namespace := o.namespace
	if namespace == "" {
		namespace = o.baseURL
	}
	zone, err := time.LoadLocation(o.tz)
	if err != nil {
		return fail(env, "advisory publish", fmt.Errorf("%w: --tz %q: %v", errUsage, o.tz, err))
	}
	ctx := context.Background()
	var st store.Store
	var pending []pendingEdition
	if db != "" {
		if st, err = openStore(ctx, db); err != nil {
			return fail(env, "advisory publish", err)
		}
		defer st.Close()
		if pending, err = checkEditions(ctx, st, dir, advs); err != nil {
			return fail(env, "advisory publish", fmt.Errorf("nothing was published:\n%w", err))
		}
	}
	now := time.Now()
	w, err := publish.Publish(advs, out, publish.Options{
		BaseURL:   o.baseURL,
		Publisher: csaf.Publisher{Name: name, Namespace: namespace, ContactDetails: strings.TrimPrefix(o.contact, "mailto:")},
		Contact:   o.contact,
		Signer:    signer,
		Rules:     set,
		ReadRule:  readRuleSource,
		Engine:    buildVersion(),
		Now:       now,
		Zone:      zone,
	})
	if err != nil {
		return fail(env, "advisory publish", err)
	}
	if st != nil {
		if err := recordEditions(ctx, env, st, pending, w.Signed, now); err != nil {
			return fail(env, "advisory publish", fmt.Errorf("%s was written but not all editions were recorded: %w", out, err))
		}
	}
	fmt.Fprintf(env.Stdout, "%d files written to %s, signed with key %s\n", len(w.Files), escape.String(out), sign.FormatFingerprint(w.Fingerprint))
	return exitClean
}

// readRuleSource reads a rule's file: the built-in rules from the binary, others from disk.
func readRuleSource(file string) ([]byte, error) {
	if data, err := fs.ReadFile(rules.FS, file); err == nil {
		return data, nil
	}
	return os.ReadFile(file)
}

func advisoryNew(env *Env, dir string, rest []string, o publishFlags) int {
	if dir == "" || len(rest) != 1 || o.kind == "" || o.publisher == "" {
		return fail(env, "advisory new", fmt.Errorf("%w: give --dir DIR, --kind, --issuer and the new advisory's ID", errUsage))
	}
	id := rest[0]
	if id == "" || strings.ContainsAny(id, "/\\") || id == "." || id == ".." {
		return fail(env, "advisory new", fmt.Errorf("%w: %q cannot be a directory name", errUsage, escape.String(id)))
	}
	var files map[string][]byte
	var err error
	if o.stats != "" {
		if advisory.Kind(o.kind) != advisory.KindActivityReport {
			return fail(env, "advisory new", fmt.Errorf("%w: --stats drafts an activity report; give --kind activity-report", errUsage))
		}
		data, err := os.ReadFile(o.stats)
		if err != nil {
			return fail(env, "advisory new", err)
		}
		var st activity.Stats
		if err := json.Unmarshal(data, &st); err != nil {
			return fail(env, "advisory new", fmt.Errorf("--stats %s: %w", o.stats, err))
		}
		files, err = advisory.ActivityDraft(id, o.publisher, &st, time.Now())
		if err != nil {
			return fail(env, "advisory new", fmt.Errorf("--stats %s: %w", o.stats, err))
		}
	} else if files, err = advisory.Skeleton(id, advisory.Kind(o.kind), o.publisher, o.baseURL, time.Now()); err != nil {
		return fail(env, "advisory new", fmt.Errorf("%w: %v", errUsage, err))
	}
	target := filepath.Join(dir, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(env, "advisory new", err)
	}
	if err := os.Mkdir(target, 0o755); err != nil {
		return fail(env, "advisory new", fmt.Errorf("%w (an advisory with this ID exists?)", err))
	}
	for _, name := range []string{"advisory.yml", "ja.md", "en.md"} {
		if err := os.WriteFile(filepath.Join(target, name), files[name], 0o644); err != nil {
			return fail(env, "advisory new", err)
		}
	}
	fmt.Fprintf(env.Stdout, "%s: fill in every TODO, then run keikai advisory lint --dir %s\n", escape.String(target), escape.String(dir))
	return exitClean
}

func advisoryMail(env *Env, advs *advisory.Collection, id string, o publishFlags) int {
	a, ok := advs.Lookup(id)
	if !ok {
		return fail(env, "advisory mail", fmt.Errorf("no advisory %q; there are: %s", escape.String(id), advisoryIDs(advs)))
	}
	list, err := os.Open(o.subscribers)
	if err != nil {
		return fail(env, "advisory mail", err)
	}
	subs, err := announce.ParseSubscribers(list)
	list.Close()
	if err != nil {
		return fail(env, "advisory mail", fmt.Errorf("%s: %w", o.subscribers, err))
	}
	signer, err := loadSigner(env, o.keyFile, o.passFile)
	if err != nil {
		return fail(env, "advisory mail", err)
	}
	from, err := mail.ParseAddress(o.from)
	if err != nil {
		return fail(env, "advisory mail", fmt.Errorf("%w: --from %q: %v", errUsage, o.from, err))
	}
	now := time.Now()
	msgs := map[string][]byte{}
	var order []string
	for _, s := range subs {
		m, err := announce.Compose(a, s, o.from, signer, now)
		if err != nil {
			return fail(env, "advisory mail", fmt.Errorf("%s: %w", s.Address, err))
		}
		msgs[s.Address] = m
		order = append(order, s.Address)
	}
	deliveries, err := announce.Relay{Addr: o.smtp, StartTLS: o.startTLS}.Send(from.Address, msgs, order)
	code := exitClean
	for _, d := range deliveries {
		if d.Err != nil {
			fmt.Fprintf(env.Stdout, "%s: NOT SENT: %s\n", escape.String(d.Address), escape.String(d.Err.Error()))
			code = exitFindings
		} else {
			fmt.Fprintf(env.Stdout, "%s: sent\n", escape.String(d.Address))
		}
	}
	if err != nil {
		return fail(env, "advisory mail", err)
	}
	fmt.Fprintf(env.Stderr, "keikai: %s signed with key %s\n", a.ID, sign.FormatFingerprint(signer.Fingerprint()))
	return code
}
