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

	// One range per category on (category, received_at): counting without a sort.
	for _, key := range taxonomy.CategoryKeys() {
		var n, decided int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(decided_category) FROM reports
			WHERE category = ? AND received_at >= ? AND received_at < ?`, key, lo, hi).Scan(&n, &decided); err != nil {
			return nil, fmt.Errorf("activity: counting %s: %w", key, err)
		}
		derive.AddCategory(st, key, n, decided)
	}
	// Reports counted under a key this keikai does not know (a decision of a newer version).
	var n, decided int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(decided_category) FROM reports
		WHERE received_at >= ? AND received_at < ?`, lo, hi).Scan(&n, &decided); err != nil {
		return nil, fmt.Errorf("activity: counting reports: %w", err)
	}
	if rest := n - st.Total; rest > 0 {
		derive.AddCategory(st, taxonomy.Other, rest, decided-st.Decided)
	}

	rows, err := tx.QueryContext(ctx, `SELECT protocol, port, n FROM (
			SELECT protocol, port, COUNT(*) AS n, ROW_NUMBER() OVER (PARTITION BY protocol ORDER BY COUNT(*) DESC, port) AS rank
			FROM report_ports WHERE received_at >= ? AND received_at < ? GROUP BY protocol, port)
		WHERE rank <= ? ORDER BY protocol, rank`, lo, hi, top)
	if err != nil {
		return nil, fmt.Errorf("activity: ports: %w", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var proto string
		var port int
		var n int64
		if err := r.Scan(&proto, &port, &n); err != nil {
			return err
		}
		derive.AddPort(st, proto, port, n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("activity: ports: %w", err)
	}

	rows, err = tx.QueryContext(ctx, `SELECT icmp_type, COUNT(*) AS n FROM report_icmp
		WHERE received_at >= ? AND received_at < ? GROUP BY icmp_type ORDER BY n DESC, icmp_type LIMIT ?`, lo, hi, top)
	if err != nil {
		return nil, fmt.Errorf("activity: ICMP types: %w", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
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

	rows, err = tx.QueryContext(ctx, `SELECT path, COUNT(*) AS n FROM report_cgi
		WHERE received_at >= ? AND received_at < ? GROUP BY path ORDER BY n DESC, path LIMIT ?`, lo, hi, top)
	if err != nil {
		return nil, fmt.Errorf("activity: CGI paths: %w", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
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

func scanAll(rows *sql.Rows, each func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
