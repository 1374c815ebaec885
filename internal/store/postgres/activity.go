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
		// The categories present (a walk of the index on category), then one range of that
		// index per category, counted by the server without a sort.
		rows, err := tx.Query(ctx, `WITH RECURSIVE k(v) AS (
				SELECT MIN(category) FROM reports
				UNION ALL
				SELECT (SELECT MIN(category) FROM reports WHERE category > k.v) FROM k WHERE k.v IS NOT NULL)
			SELECT k.v, c.n, c.decided FROM k, LATERAL (
				SELECT COUNT(*) AS n, COUNT(decided_category) AS decided FROM reports
				WHERE category = k.v AND received_at >= $1 AND received_at < $2) c
			WHERE k.v IS NOT NULL`, lo, hi)
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

		for _, proto := range []string{"tcp", "udp"} {
			var port int
			err := rank(ctx, tx, "report_ports", "port", "protocol = '"+proto+"'", lo, hi, top, []any{&port, &n}, func() {
				derive.AddPort(st, proto, port, n)
			})
			if err != nil {
				return fmt.Errorf("%s ports: %w", proto, err)
			}
		}
		var icmp int
		if err := rank(ctx, tx, "report_icmp", "icmp_type", "", lo, hi, top, []any{&icmp, &n}, func() {
			derive.AddICMP(st, icmp, n)
		}); err != nil {
			return fmt.Errorf("ICMP types: %w", err)
		}
		var pc activity.PathCount
		if err := rank(ctx, tx, "report_cgi", "path", "", lo, hi, top, []any{&pc.Path, &pc.Count}, func() {
			st.CGIPaths = append(st.CGIPaths, pc)
		}); err != nil {
			return fmt.Errorf("CGI paths: %w", err)
		}

		rows, err = tx.Query(ctx, `SELECT advisory, rule, MAX(title), MAX(title_ja), COUNT(*) AS n FROM report_causes
			WHERE received_at >= $1 AND received_at < $2 AND category = $3
			GROUP BY advisory, rule ORDER BY n DESC, advisory, rule LIMIT $4`, lo, hi, taxonomy.Intrusion, top)
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

// rank scans into dest the top values of column col of a side table (keyed by col, then time)
// in the period, with their counts, most reported first. It walks the distinct values by index
// seeks (a loose index scan) and counts each value's range of the period. cond is a constant.
func rank(ctx context.Context, tx pgx.Tx, table, col, cond string, lo, hi time.Time, top int, dest []any, each func()) error {
	and := ""
	if cond != "" {
		and = cond + " AND "
	}
	// counted is materialised so that each value's count is computed once, not again for the
	// filter and the order.
	q := fmt.Sprintf(`WITH RECURSIVE k(v) AS (
			SELECT MIN(%[2]s) FROM %[1]s WHERE %[3]s TRUE
			UNION ALL
			SELECT (SELECT MIN(%[2]s) FROM %[1]s WHERE %[3]s %[2]s > k.v) FROM k WHERE k.v IS NOT NULL),
		counted AS MATERIALIZED (
			SELECT v, (SELECT COUNT(*) FROM %[1]s WHERE %[3]s %[2]s = k.v AND received_at >= $1 AND received_at < $2) AS n
			FROM k WHERE v IS NOT NULL)
		SELECT v, n FROM counted WHERE n > 0 ORDER BY n DESC, v LIMIT $3`, table, col, and)
	rows, err := tx.Query(ctx, q, lo, hi, top)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, dest, func() error {
		each()
		return nil
	})
	return err
}
