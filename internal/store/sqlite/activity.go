package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/store/derive"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Activity implements store.Activity: index range scans over the report rows and side tables of
// the period, in one read transaction so that the counts agree with each other.
func (db *DB) Activity(ctx context.Context, from, to time.Time, top int) (*activity.Stats, error) {
	st := derive.NewStats(derive.Time(from), derive.Time(to))
	lo, hi := micros(from), micros(to)
	if top <= 0 {
		top = 10
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("activity: %w", err)
	}
	defer tx.Rollback()

	// The categories present (a walk of the index on category), then one range of the index per
	// category: counting without a sort. A key this keikai does not know (a decision of a newer
	// version) counts as other.
	rows, err := tx.QueryContext(ctx, `WITH RECURSIVE k(v) AS (
			SELECT MIN(category) FROM reports
			UNION ALL
			SELECT (SELECT MIN(category) FROM reports WHERE category > k.v) FROM k WHERE k.v IS NOT NULL)
		SELECT v FROM k WHERE v IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("activity: categories: %w", err)
	}
	var keys []string
	err = scanAll(rows, func(r *sql.Rows) error {
		var k string
		err := r.Scan(&k)
		keys = append(keys, k)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("activity: categories: %w", err)
	}
	for _, key := range keys {
		var n, decided int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(decided_category) FROM reports
			WHERE category = ? AND received_at >= ? AND received_at < ?`, key, lo, hi).Scan(&n, &decided); err != nil {
			return nil, fmt.Errorf("activity: counting %s: %w", key, err)
		}
		derive.AddCategory(st, key, n, decided)
	}

	for _, proto := range []string{"tcp", "udp"} {
		err := rank(ctx, tx, "report_ports", "port", "protocol = '"+proto+"'", lo, hi, top, func(r *sql.Rows) error {
			var port int
			var n int64
			if err := r.Scan(&port, &n); err != nil {
				return err
			}
			derive.AddPort(st, proto, port, n)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("activity: %s ports: %w", proto, err)
		}
	}
	err = rank(ctx, tx, "report_icmp", "icmp_type", "", lo, hi, top, func(r *sql.Rows) error {
		var t int
		var n int64
		if err := r.Scan(&t, &n); err != nil {
			return err
		}
		derive.AddICMP(st, t, n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("activity: ICMP types: %w", err)
	}
	err = rank(ctx, tx, "report_cgi", "path", "", lo, hi, top, func(r *sql.Rows) error {
		var pc activity.PathCount
		if err := r.Scan(&pc.Path, &pc.Count); err != nil {
			return err
		}
		st.CGIPaths = append(st.CGIPaths, pc)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("activity: CGI paths: %w", err)
	}

	rows, err = tx.QueryContext(ctx, `SELECT advisory, rule, MAX(title), MAX(title_ja), COUNT(*) AS n FROM report_causes
		WHERE received_at >= ? AND received_at < ? AND category = ?
		GROUP BY advisory, rule ORDER BY n DESC, advisory, rule LIMIT ?`, lo, hi, taxonomy.Intrusion, top)
	if err != nil {
		return nil, fmt.Errorf("activity: intrusion causes: %w", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var c activity.CauseCount
		if err := r.Scan(&c.Advisory, &c.Rule, &c.Title, &c.TitleJa, &c.Count); err != nil {
			return err
		}
		st.Causes = append(st.Causes, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("activity: intrusion causes: %w", err)
	}
	return st, nil
}

// rank returns the top values of column col of a side table (keyed by col, then time) in the
// period, with their counts, most reported first. It walks the distinct values by index seeks
// (a loose index scan, which SQLite does not do by itself) and counts each value's range of
// the period, so nothing is sorted but the list of distinct values. cond is a constant.
func rank(ctx context.Context, tx *sql.Tx, table, col, cond string, lo, hi int64, top int, each func(*sql.Rows) error) error {
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
			SELECT v, (SELECT COUNT(*) FROM %[1]s WHERE %[3]s %[2]s = k.v AND received_at >= ?1 AND received_at < ?2) AS n
			FROM k WHERE v IS NOT NULL)
		SELECT v, n FROM counted WHERE n > 0 ORDER BY n DESC, v LIMIT ?3`, table, col, and)
	rows, err := tx.QueryContext(ctx, q, lo, hi, top)
	if err != nil {
		return err
	}
	return scanAll(rows, each)
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
