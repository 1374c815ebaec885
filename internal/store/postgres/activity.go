package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/store/derive"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Activity implements store.Activity: index range scans over the report rows and side tables of
// the period, in one repeatable-read snapshot so that the counts agree with each other.
func (db *DB) Activity(ctx context.Context, from, to time.Time, top int) (*activity.Stats, error) {
	lo, hi := derive.Time(from), derive.Time(to)
	st := derive.NewStats(lo, hi)
	if top <= 0 {
		top = 10
	}
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT category, COUNT(*), COUNT(decided_category) FROM reports
			WHERE received_at >= $1 AND received_at < $2 GROUP BY category`, lo, hi)
		if err != nil {
			return fmt.Errorf("counting reports: %w", err)
		}
		var key string
		var n, decided int64
		if _, err := pgx.ForEachRow(rows, []any{&key, &n, &decided}, func() error {
			derive.AddCategory(st, key, n, decided)
			return nil
		}); err != nil {
			return fmt.Errorf("counting reports: %w", err)
		}

		rows, err = tx.Query(ctx, `SELECT protocol, port, n FROM (
				SELECT protocol, port, COUNT(*) AS n, ROW_NUMBER() OVER (PARTITION BY protocol ORDER BY COUNT(*) DESC, port) AS rank
				FROM report_ports WHERE received_at >= $1 AND received_at < $2 GROUP BY protocol, port) ranked
			WHERE rank <= $3 ORDER BY protocol, rank`, lo, hi, top)
		if err != nil {
			return fmt.Errorf("ports: %w", err)
		}
		var proto string
		var port int
		if _, err := pgx.ForEachRow(rows, []any{&proto, &port, &n}, func() error {
			derive.AddPort(st, proto, port, n)
			return nil
		}); err != nil {
			return fmt.Errorf("ports: %w", err)
		}

		rows, err = tx.Query(ctx, `SELECT icmp_type, COUNT(*) AS n FROM report_icmp
			WHERE received_at >= $1 AND received_at < $2 GROUP BY icmp_type ORDER BY n DESC, icmp_type LIMIT $3`, lo, hi, top)
		if err != nil {
			return fmt.Errorf("ICMP types: %w", err)
		}
		var icmp int
		if _, err := pgx.ForEachRow(rows, []any{&icmp, &n}, func() error {
			derive.AddICMP(st, icmp, n)
			return nil
		}); err != nil {
			return fmt.Errorf("ICMP types: %w", err)
		}

		rows, err = tx.Query(ctx, `SELECT path, COUNT(*) AS n FROM report_cgi
			WHERE received_at >= $1 AND received_at < $2 GROUP BY path ORDER BY n DESC, path COLLATE "C" LIMIT $3`, lo, hi, top)
		if err != nil {
			return fmt.Errorf("CGI paths: %w", err)
		}
		var pc activity.PathCount
		if _, err := pgx.ForEachRow(rows, []any{&pc.Path, &pc.Count}, func() error {
			st.CGIPaths = append(st.CGIPaths, pc)
			return nil
		}); err != nil {
			return fmt.Errorf("CGI paths: %w", err)
		}

		rows, err = tx.Query(ctx, `SELECT advisory, rule, MAX(title), MAX(title_ja), COUNT(*) AS n FROM report_causes
			WHERE received_at >= $1 AND received_at < $2 AND category = $3
			GROUP BY advisory, rule ORDER BY n DESC, advisory COLLATE "C", rule COLLATE "C" LIMIT $4`, lo, hi, taxonomy.Intrusion, top)
		if err != nil {
			return fmt.Errorf("intrusion causes: %w", err)
		}
		var c activity.CauseCount
		if _, err := pgx.ForEachRow(rows, []any{&c.Advisory, &c.Rule, &c.Title, &c.TitleJa, &c.Count}, func() error {
			st.Causes = append(st.Causes, c)
			return nil
		}); err != nil {
			return fmt.Errorf("intrusion causes: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("activity: %w", err)
	}
	return st, nil
}
