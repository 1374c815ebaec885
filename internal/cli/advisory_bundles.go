package cli

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/keikai-project/keikai/advisories"
	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/bundle"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/sign"
)

// bundleFlags select signed rule bundles instead of the built-in rules (check, analyze).
type bundleFlags struct {
	dir, keyring string
	insecure     bool
}

func (b *bundleFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.dir, "advisories", "", "run the rules of the signed advisory bundles in `DIR` (or at an https:// URL) instead of the built-in ones")
	fs.StringVar(&b.keyring, "keyring", "", "public keys (`FILE`) the bundles must be signed with")
	fs.BoolVar(&b.insecure, "insecure", false, "run bundles that are not signed (with a warning)")
}

// load returns the engine and the advisories to run: the bundles', verified before anything is
// compiled, when --advisories is given; the built-in ones otherwise, if withAdvisories is set
// (analyze does not use them; loading them is a fair part of its start-up). --rules directories
// are added either way.
func (b *bundleFlags) load(env *Env, rulesDirs []string, withAdvisories bool) (*engine.Engine, *advisory.Collection, error) {
	if b.dir == "" {
		if b.keyring != "" || b.insecure {
			return nil, nil, fmt.Errorf("%w: --keyring and --insecure go with --advisories DIR", errUsage)
		}
		eng, err := loadEngine(rulesDirs, env, false)
		if err != nil || !withAdvisories {
			return eng, nil, err
		}
		advs, err := advisory.LoadFS(advisories.FS, ".")
		if err != nil {
			return nil, nil, fmt.Errorf("built-in advisories are broken (a bug in this build of keikai): %w", err)
		}
		return eng, advs, nil
	}
	opts := bundle.Options{Insecure: b.insecure, Now: time.Now(), Warn: func(msg string) {
		fmt.Fprintf(env.Stderr, "keikai: warning: %s\n", escape.String(msg))
	}}
	if b.keyring != "" {
		data, err := os.ReadFile(b.keyring)
		if err != nil {
			return nil, nil, fmt.Errorf("--keyring: %w", err)
		}
		if opts.Keyring, err = sign.ReadKeyring(data); err != nil {
			return nil, nil, fmt.Errorf("--keyring %s: %w", b.keyring, err)
		}
	}
	dir := b.dir
	if strings.Contains(dir, "://") {
		tmp, err := os.MkdirTemp("", "keikai-bundles-")
		if err != nil {
			return nil, nil, err
		}
		defer os.RemoveAll(tmp)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := bundle.Fetch(ctx, http.DefaultClient, dir, tmp); err != nil {
			return nil, nil, fmt.Errorf("--advisories: %w", err)
		}
		dir = tmp
	}
	res, err := bundle.LoadDir(dir, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("--advisories: %w", err)
	}
	for _, line := range res.Describe() {
		fmt.Fprintf(env.Stderr, "keikai: %s\n", escape.String(line))
	}
	set := res.Rules
	for _, dir := range rulesDirs {
		user, err := sigma.LoadDir(dir)
		if err != nil {
			return nil, nil, fmt.Errorf("rules in %s:\n%w", dir, err)
		}
		if err := set.Add(user); err != nil {
			return nil, nil, fmt.Errorf("rules in %s: %w", dir, err)
		}
	}
	eng, err := engine.New(set)
	if err != nil {
		return nil, nil, fmt.Errorf("compile the bundles' rules: %w", err)
	}
	return eng, res.Advisories(), nil
}
