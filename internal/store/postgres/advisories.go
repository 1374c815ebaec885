package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

// RecordEdition implements store.Advisories. Two publishers recording the same edition at once
// are serialised by the primary key: the second waits for the first to commit, then compares.
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
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO advisories (id, edition, advisory_yml, ja_md, en_md, published_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id, edition) DO NOTHING`,
			e.ID, e.Edition, nonNil(e.Source.YAML), nonNil(e.Source.Ja), nonNil(e.Source.En), e.PublishedAt)
		if err != nil {
			return fmt.Errorf("recording advisory %s edition %d: %w", e.ID, e.Edition, err)
		}
		if tag.RowsAffected() == 0 {
			prev, err := advisoryEdition(ctx, tx, e.ID, e.Edition)
			if err != nil {
				return err
			}
			if !prev.Source.Equal(e.Source) {
				return fmt.Errorf("advisory %s edition %d, published %s: %w", e.ID, e.Edition, prev.PublishedAt.Format(time.RFC3339), store.ErrEditionChanged)
			}
			stored = prev
			return nil
		}
		for path, sum := range e.Outputs {
			if _, err := tx.Exec(ctx, `INSERT INTO advisory_outputs (id, edition, path, sha256) VALUES ($1, $2, $3, $4)`,
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

// nonNil keeps an empty file an empty bytea rather than NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func advisoryEdition(ctx context.Context, q querier, id string, edition int) (store.AdvisoryEdition, error) {
	e := store.AdvisoryEdition{ID: id, Edition: edition, Outputs: map[string][32]byte{}}
	err := q.QueryRow(ctx, `SELECT advisory_yml, ja_md, en_md, published_at FROM advisories WHERE id = $1 AND edition = $2`, id, edition).
		Scan(&e.Source.YAML, &e.Source.Ja, &e.Source.En, &e.PublishedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, fmt.Errorf("advisory %s edition %d: %w", id, edition, store.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("reading advisory %s edition %d: %w", id, edition, err)
	}
	e.PublishedAt = e.PublishedAt.UTC()
	rows, err := q.Query(ctx, `SELECT path, sha256 FROM advisory_outputs WHERE id = $1 AND edition = $2`, id, edition)
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
	var e store.AdvisoryEdition
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var err error
		e, err = advisoryEdition(ctx, tx, id, edition)
		return err
	})
	return e, err
}

// AdvisoryEditions implements store.Advisories, in byte order of the ID as SQLite sorts.
func (db *DB) AdvisoryEditions(ctx context.Context) ([]store.AdvisoryEdition, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, edition, published_at FROM advisories ORDER BY id COLLATE "C", edition`)
	if err != nil {
		return nil, fmt.Errorf("listing advisories: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.AdvisoryEdition, error) {
		var e store.AdvisoryEdition
		err := r.Scan(&e.ID, &e.Edition, &e.PublishedAt)
		e.PublishedAt = e.PublishedAt.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("listing advisories: %w", err)
	}
	return out, nil
}
