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

// Activity implements store.Activity, in one repeatable-read snapshot so that the counts agree
// with each other: the whole UTC days of the period are summed from the per-day totals, the rest
// (a period that starts or ends inside a day) is counted from the side tables.
func (db *DB) Activity(ctx context.Context, from, to time.Time, top int) (*activity.Stats, error) {
	from, to = derive.Time(from), derive.Time(to)
	if top <= 0 {
		top = 10
	}
	var st *activity.Stats
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		c := derive.NewCounts()
		first, end := derive.Day(from), derive.Day(to) // whole days: [first, end)
		if derive.DayStart(first).Before(from) {
			first++
		}
		if first < end {
			if err := sumDays(ctx, tx, c, first, end); err != nil {
				return err
			}
			if err := countRange(ctx, tx, c, from, derive.DayStart(first)); err != nil {
				return err
			}
			if err := countRange(ctx, tx, c, derive.DayStart(end), to); err != nil {
				return err
			}
		} else if err := countRange(ctx, tx, c, from, to); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM reports WHERE decided_category IS NOT NULL
			AND received_at >= $1 AND received_at < $2`, from, to).Scan(&c.Decided); err != nil {
			return fmt.Errorf("counting decisions: %w", err)
		}
		var titleErr error
		st = c.Stats(from, to, top, func(advisory, rule string) (string, string) {
			var en, ja *string
			if err := tx.QueryRow(ctx, `SELECT MAX(title), MAX(title_ja) FROM report_causes WHERE advisory = $1 AND rule = $2`,
				advisory, rule).Scan(&en, &ja); err != nil && titleErr == nil {
				titleErr = err
			}
			if en == nil || ja == nil {
				return "", ""
			}
			return *en, *ja
		})
		if titleErr != nil {
			return fmt.Errorf("cause titles: %w", titleErr)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("activity: %w", err)
	}
	return st, nil
}

// sumDays adds the per-day totals of days [first, end).
func sumDays(ctx context.Context, tx pgx.Tx, c *derive.Counts, first, end int64) error {
	rows, _ := tx.Query(ctx, `SELECT kind, key, SUM(reports)::bigint FROM activity_days
		WHERE day >= $1 AND day < $2 GROUP BY kind, key`, first, end)
	var kind, key string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&kind, &key, &n}, func() error {
		c.Add(kind, key, n)
		return nil
	}); err != nil {
		return fmt.Errorf("per-day totals: %w", err)
	}
	return nil
}

// countRange counts the reports received in [lo, hi) from the reports table and side tables.
func countRange(ctx context.Context, tx pgx.Tx, c *derive.Counts, lo, hi time.Time) error {
	if !lo.Before(hi) {
		return nil
	}
	if err := countByValue(ctx, tx, "reports", "category", "", lo, hi, func(v string, n int64) {
		c.Add(derive.KindCategory, v, n)
	}); err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	for _, proto := range []string{derive.KindTCP, derive.KindUDP} {
		if err := countByValue(ctx, tx, "report_ports", "port", "protocol = '"+proto+"'", lo, hi, func(v string, n int64) {
			c.Add(proto, v, n)
		}); err != nil {
			return fmt.Errorf("%s ports: %w", proto, err)
		}
	}
	if err := countByValue(ctx, tx, "report_icmp", "icmp_type", "", lo, hi, func(v string, n int64) {
		c.Add(derive.KindICMP, v, n)
	}); err != nil {
		return fmt.Errorf("ICMP types: %w", err)
	}
	if err := countByValue(ctx, tx, "report_cgi", "path", "", lo, hi, func(v string, n int64) {
		c.Add(derive.KindCGI, v, n)
	}); err != nil {
		return fmt.Errorf("CGI paths: %w", err)
	}
	rows, _ := tx.Query(ctx, `SELECT advisory, rule, COUNT(*) FROM report_causes
		WHERE received_at >= $1 AND received_at < $2 AND category = $3 GROUP BY advisory, rule`, lo, hi, taxonomy.Intrusion)
	var adv, rule string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&adv, &rule, &n}, func() error {
		c.Add(derive.KindCause, derive.CauseKey(adv, rule), n)
		return nil
	}); err != nil {
		return fmt.Errorf("intrusion causes: %w", err)
	}
	return nil
}

// countByValue counts the rows of each value of column col (of a table indexed by col, then
// time) received in [lo, hi). It walks the distinct values by index seeks (a loose index scan)
// and counts each value's range. cond is a constant.
func countByValue(ctx context.Context, tx pgx.Tx, table, col, cond string, lo, hi time.Time, each func(v string, n int64)) error {
	and := ""
	if cond != "" {
		and = cond + " AND "
	}
	q := fmt.Sprintf(`WITH RECURSIVE k(v) AS (
			SELECT MIN(%[2]s) FROM %[1]s WHERE %[3]s TRUE
			UNION ALL
			SELECT (SELECT MIN(%[2]s) FROM %[1]s WHERE %[3]s %[2]s > k.v) FROM k WHERE k.v IS NOT NULL)
		SELECT v::text, (SELECT COUNT(*) FROM %[1]s WHERE %[3]s %[2]s = k.v AND received_at >= $1 AND received_at < $2)
		FROM k WHERE v IS NOT NULL`, table, col, and)
	rows, _ := tx.Query(ctx, q, lo, hi)
	var v string
	var n int64
	_, err := pgx.ForEachRow(rows, []any{&v, &n}, func() error {
		if n > 0 {
			each(v, n)
		}
		return nil
	})
	return err
}
