package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/keikai-project/keikai/advisories"
	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/store"
)

// advisorySource reads an advisory's three source files: from the binary for the built-in
// advisories (dir empty), from disk otherwise.
func advisorySource(dir string, a *advisory.Advisory) (store.AdvisorySource, error) {
	read := func(name string) ([]byte, error) {
		if dir == "" {
			return fs.ReadFile(advisories.FS, path.Join(a.Dir, name))
		}
		return os.ReadFile(filepath.Join(a.Dir, name))
	}
	var src store.AdvisorySource
	var err error
	if src.YAML, err = read("advisory.yml"); err != nil {
		return src, err
	}
	if src.Ja, err = read("ja.md"); err != nil {
		return src, err
	}
	src.En, err = read("en.md")
	return src, err
}

// pendingEdition is an advisory's latest edition as the sources have it, to be recorded.
type pendingEdition struct {
	a   *advisory.Advisory
	src store.AdvisorySource
}

// checkEditions refuses, before anything is written, to publish an edition the database holds
// with other sources, or sources older than an edition already published.
func checkEditions(ctx context.Context, st store.Store, dir string, advs *advisory.Collection) ([]pendingEdition, error) {
	recorded, err := st.AdvisoryEditions(ctx)
	if err != nil {
		return nil, err
	}
	newest := map[string]store.AdvisoryEdition{}
	for _, e := range recorded {
		if e.Edition > newest[e.ID].Edition {
			newest[e.ID] = e
		}
	}
	var pending []pendingEdition
	var problems []error
	for _, a := range advs.Advisories {
		src, err := advisorySource(dir, a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.ID, err)
		}
		n := a.Latest().Number
		if top, ok := newest[a.ID]; ok && top.Edition > n {
			problems = append(problems, fmt.Errorf("%s: edition %d was published on %s, but these sources end at edition %d; publish from the current sources",
				a.ID, top.Edition, top.PublishedAt.Format(time.RFC3339), n))
			continue
		}
		prev, err := st.AdvisoryEdition(ctx, a.ID, n)
		switch {
		case err == nil && !prev.Source.Equal(src):
			problems = append(problems, fmt.Errorf("%s edition %d was published on %s and its sources have changed since (%w): add edition %d with a change note to advisory.yml",
				a.ID, n, prev.PublishedAt.Format(time.RFC3339), store.ErrEditionChanged, n+1))
			continue
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
		pending = append(pending, pendingEdition{a, src})
	}
	return pending, errors.Join(problems...)
}

// recordEditions records what was published, each edition once.
func recordEditions(ctx context.Context, env *Env, st store.Store, pending []pendingEdition, signed map[string]map[string][32]byte, now time.Time) error {
	for _, p := range pending {
		n := p.a.Latest().Number
		e, created, err := st.RecordEdition(ctx, store.AdvisoryEdition{ID: p.a.ID, Edition: n, Source: p.src, Outputs: signed[p.a.ID], PublishedAt: now})
		if err != nil {
			return err
		}
		if created {
			fmt.Fprintf(env.Stdout, "%s edition %d recorded (%d signed files)\n", escape.String(p.a.ID), n, len(e.Outputs))
		} else {
			fmt.Fprintf(env.Stdout, "%s edition %d unchanged since its publication on %s\n", escape.String(p.a.ID), n, e.PublishedAt.Format(time.RFC3339))
		}
	}
	return nil
}

func advisoryList(env *Env, dsn string) int {
	ctx := context.Background()
	st, err := openExistingStore(ctx, dsn)
	if err != nil {
		return fail(env, "advisory list", err)
	}
	defer st.Close()
	editions, err := st.AdvisoryEditions(ctx)
	if err != nil {
		return fail(env, "advisory list", err)
	}
	if len(editions) == 0 {
		fmt.Fprintf(env.Stderr, "keikai advisory list: no published editions recorded in %s (keikai advisory publish --db records them)\n", escape.String(redactDSN(dsn)))
		return exitClean
	}
	for _, e := range editions {
		fmt.Fprintf(env.Stdout, "%s\tedition %d\tpublished %s\n", escape.String(e.ID), e.Edition, e.PublishedAt.UTC().Format(time.RFC3339))
	}
	return exitClean
}
