package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/store/derive"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Activity implements store.Activity, in one read transaction so that the counts agree with each
// other: the whole UTC days of the period are summed from the per-day totals, the rest (a
// period that starts or ends inside a day) is counted from the side tables.
func (db *DB) Activity(ctx context.Context, from, to time.Time, top int) (*activity.Stats, error) {
	from, to = derive.Time(from), derive.Time(to)
	if top <= 0 {
		top = 10
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("activity: %w", err)
	}
	defer tx.Rollback()
	c := derive.NewCounts()
	first, end := derive.Day(from), derive.Day(to) // whole days: [first, end)
	if derive.DayStart(first).Before(from) {
		first++
	}
	if first < end {
		if err := sumDays(ctx, tx, c, first, end); err != nil {
			return nil, fmt.Errorf("activity: %w", err)
		}
		if err := countRange(ctx, tx, c, from, derive.DayStart(first)); err != nil {
			return nil, fmt.Errorf("activity: %w", err)
		}
		if err := countRange(ctx, tx, c, derive.DayStart(end), to); err != nil {
			return nil, fmt.Errorf("activity: %w", err)
		}
	} else if err := countRange(ctx, tx, c, from, to); err != nil {
		return nil, fmt.Errorf("activity: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports WHERE decided_category IS NOT NULL
		AND received_at >= ? AND received_at < ?`, micros(from), micros(to)).Scan(&c.Decided); err != nil {
		return nil, fmt.Errorf("activity: counting decisions: %w", err)
	}
	var titleErr error
	st := c.Stats(from, to, top, func(advisory, rule string) (string, string) {
		var en, ja sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT MAX(title), MAX(title_ja) FROM report_causes WHERE advisory = ? AND rule = ?`,
			advisory, rule).Scan(&en, &ja); err != nil && titleErr == nil {
			titleErr = err
		}
		return en.String, ja.String
	})
	if titleErr != nil {
		return nil, fmt.Errorf("activity: cause titles: %w", titleErr)
	}
	return st, nil
}

// sumDays adds the per-day totals of days [first, end).
func sumDays(ctx context.Context, tx *sql.Tx, c *derive.Counts, first, end int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT kind, key, SUM(reports) FROM activity_days
		WHERE day >= ? AND day < ? GROUP BY kind, key`, first, end)
	if err != nil {
		return fmt.Errorf("per-day totals: %w", err)
	}
	return scanAll(rows, func(r *sql.Rows) error {
		var kind, key string
		var n int64
		if err := r.Scan(&kind, &key, &n); err != nil {
			return err
		}
		c.Add(kind, key, n)
		return nil
	})
}

// countRange counts the reports received in [lo, hi) from the reports table and side tables.
func countRange(ctx context.Context, tx *sql.Tx, c *derive.Counts, lo, hi time.Time) error {
	if !lo.Before(hi) {
		return nil
	}
	l, h := micros(lo), micros(hi)
	if err := countByValue(ctx, tx, "reports", "category", "", l, h, func(v string, n int64) {
		c.Add(derive.KindCategory, v, n)
	}); err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	for _, proto := range []string{derive.KindTCP, derive.KindUDP} {
		if err := countByValue(ctx, tx, "report_ports", "port", "protocol = '"+proto+"'", l, h, func(v string, n int64) {
			c.Add(proto, v, n)
		}); err != nil {
			return fmt.Errorf("%s ports: %w", proto, err)
		}
	}
	if err := countByValue(ctx, tx, "report_icmp", "icmp_type", "", l, h, func(v string, n int64) {
		c.Add(derive.KindICMP, v, n)
	}); err != nil {
		return fmt.Errorf("ICMP types: %w", err)
	}
	if err := countByValue(ctx, tx, "report_cgi", "path", "", l, h, func(v string, n int64) {
		c.Add(derive.KindCGI, v, n)
	}); err != nil {
		return fmt.Errorf("CGI paths: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT advisory, rule, COUNT(*) FROM report_causes
		WHERE received_at >= ? AND received_at < ? AND category = ? GROUP BY advisory, rule`, l, h, taxonomy.Intrusion)
	if err != nil {
		return fmt.Errorf("intrusion causes: %w", err)
	}
	return scanAll(rows, func(r *sql.Rows) error {
		var adv, rule string
		var n int64
		if err := r.Scan(&adv, &rule, &n); err != nil {
			return err
		}
		c.Add(derive.KindCause, derive.CauseKey(adv, rule), n)
		return nil
	})
}

// countByValue counts the rows of each value of column col (of a table indexed by col, then
// time) received in [lo, hi). It walks the distinct values by index seeks (a loose index scan,
// which SQLite does not do by itself) and counts each value's range: no sort. cond is a constant.
func countByValue(ctx context.Context, tx *sql.Tx, table, col, cond string, lo, hi int64, each func(v string, n int64)) error {
	and := ""
	if cond != "" {
		and = cond + " AND "
	}
	q := fmt.Sprintf(`WITH RECURSIVE k(v) AS (
			SELECT MIN(%[2]s) FROM %[1]s WHERE %[3]s TRUE
			UNION ALL
			SELECT (SELECT MIN(%[2]s) FROM %[1]s WHERE %[3]s %[2]s > k.v) FROM k WHERE k.v IS NOT NULL)
		SELECT v, (SELECT COUNT(*) FROM %[1]s WHERE %[3]s %[2]s = k.v AND received_at >= ?1 AND received_at < ?2)
		FROM k WHERE v IS NOT NULL`, table, col, and)
	rows, err := tx.QueryContext(ctx, q, lo, hi)
	if err != nil {
		return err
	}
	return scanAll(rows, func(r *sql.Rows) error {
		var v any
		var n int64
		if err := r.Scan(&v, &n); err != nil {
			return err
		}
		if n > 0 {
			each(text(v), n)
		}
		return nil
	})
}

// text is a scanned value as the key of a fact.
func text(v any) string {
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case []byte:
		return string(v)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

func scanAll(rows *sql.Rows, each func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
