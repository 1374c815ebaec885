package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

// RecordEdition implements store.Advisories.
func (db *DB) RecordEdition(ctx context.Context, e store.AdvisoryEdition) (store.AdvisoryEdition, bool, error) {
	if e.ID == "" || e.Edition < 1 {
		return store.AdvisoryEdition{}, false, fmt.Errorf("recording advisory %q edition %d: an ID and an edition from 1 are needed", e.ID, e.Edition)
	}
	if e.PublishedAt.IsZero() {
		e.PublishedAt = time.Now()
	}
	e.PublishedAt = derive.Time(e.PublishedAt)
	var stored store.AdvisoryEdition
	created := false
	err := db.w.do(ctx, kindAck, func(tx *wtx) error {
		prev, err := advisoryEdition(tx, e.ID, e.Edition)
		switch {
		case err == nil:
			if !prev.Source.Equal(e.Source) {
				return fmt.Errorf("advisory %s edition %d, published %s: %w", e.ID, e.Edition, prev.PublishedAt.Format(time.RFC3339), store.ErrEditionChanged)
			}
			stored = prev
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if _, err := tx.ExecContext(bg, `INSERT INTO advisories (id, edition, advisory_yml, ja_md, en_md, published_at) VALUES (?, ?, ?, ?, ?, ?)`,
			e.ID, e.Edition, nonNil(e.Source.YAML), nonNil(e.Source.Ja), nonNil(e.Source.En), micros(e.PublishedAt)); err != nil {
			return fmt.Errorf("recording advisory %s edition %d: %w", e.ID, e.Edition, err)
		}
		for path, sum := range e.Outputs {
			if _, err := tx.ExecContext(bg, `INSERT INTO advisory_outputs (id, edition, path, sha256) VALUES (?, ?, ?, ?)`,
				e.ID, e.Edition, path, sum[:]); err != nil {
				return fmt.Errorf("recording advisory %s edition %d: %w", e.ID, e.Edition, err)
			}
		}
		stored, created = e, true
		return nil
	})
	if err != nil {
		return store.AdvisoryEdition{}, false, err
	}
	return stored, created, nil
}

// nonNil keeps an empty file an empty BLOB: the driver would store a nil slice as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func advisoryEdition(q querier, id string, edition int) (store.AdvisoryEdition, error) {
	e := store.AdvisoryEdition{ID: id, Edition: edition, Outputs: map[string][32]byte{}}
	var published int64
	err := q.QueryRowContext(bg, `SELECT advisory_yml, ja_md, en_md, published_at FROM advisories WHERE id = ? AND edition = ?`, id, edition).
		Scan(&e.Source.YAML, &e.Source.Ja, &e.Source.En, &published)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("advisory %s edition %d: %w", id, edition, store.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("reading advisory %s edition %d: %w", id, edition, err)
	}
	// The driver reads an empty BLOB as nil; an empty file is still a file.
	e.Source = store.AdvisorySource{YAML: nonNil(e.Source.YAML), Ja: nonNil(e.Source.Ja), En: nonNil(e.Source.En)}
	e.PublishedAt = fromMicros(published)
	rows, err := q.QueryContext(bg, `SELECT path, sha256 FROM advisory_outputs WHERE id = ? AND edition = ?`, id, edition)
	if err != nil {
		return e, fmt.Errorf("reading advisory %s edition %d: %w", id, edition, err)
	}
	defer rows.Close()
	for rows.Next() {
		var path string
		var sum []byte
		if err := rows.Scan(&path, &sum); err != nil {
			return e, fmt.Errorf("reading advisory %s edition %d: %w", id, edition, err)
		}
		if len(sum) != 32 {
			return e, fmt.Errorf("reading advisory %s edition %d: %s has a %d-byte SHA-256", id, edition, path, len(sum))
		}
		e.Outputs[path] = [32]byte(sum)
	}
	if err := rows.Err(); err != nil {
		return e, fmt.Errorf("reading advisory %s edition %d: %w", id, edition, err)
	}
	return e, nil
}

// AdvisoryEdition implements store.Advisories.
func (db *DB) AdvisoryEdition(ctx context.Context, id string, edition int) (store.AdvisoryEdition, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return store.AdvisoryEdition{}, fmt.Errorf("reading advisory %s edition %d: %w", id, edition, err)
	}
	defer tx.Rollback()
	return advisoryEdition(tx, id, edition)
}

// AdvisoryEditions implements store.Advisories.
func (db *DB) AdvisoryEditions(ctx context.Context) ([]store.AdvisoryEdition, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, edition, published_at FROM advisories ORDER BY id, edition`)
	if err != nil {
		return nil, fmt.Errorf("listing advisories: %w", err)
	}
	defer rows.Close()
	var out []store.AdvisoryEdition
	for rows.Next() {
		var e store.AdvisoryEdition
		var published int64
		if err := rows.Scan(&e.ID, &e.Edition, &published); err != nil {
			return nil, fmt.Errorf("listing advisories: %w", err)
		}
		e.PublishedAt = fromMicros(published)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing advisories: %w", err)
	}
	return out, nil
}
