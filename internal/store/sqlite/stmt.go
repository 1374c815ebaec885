package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// maxCached bounds the statements kept: the queries of this package are a fixed set, but one
// built from input must not grow the cache without end.
const maxCached = 256

// wtx is the writer's open transaction. Its statements are prepared on the writer's connection
// the first time they run and kept for the next transactions: SQLite's parsing and planning cost
// more than running these small statements.
type wtx struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

// stmt is the kept statement of q, prepared the first time; nil when the cache is full.
func (t *wtx) stmt(q string) (*sql.Stmt, error) {
	if s, ok := t.stmts[q]; ok {
		return s, nil
	}
	if len(t.stmts) >= maxCached {
		return nil, nil
	}
	s, err := t.conn.PrepareContext(bg, q)
	if err != nil {
		return nil, err
	}
	t.stmts[q] = s
	return s, nil
}

// ExecContext runs q with args, like sql.Tx.ExecContext.
func (t *wtx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return t.conn.ExecContext(ctx, q, args...)
	}
	return s.ExecContext(ctx, args...)
}

// QueryContext runs q with args, like sql.Tx.QueryContext.
func (t *wtx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return t.conn.QueryContext(ctx, q, args...)
	}
	return s.QueryContext(ctx, args...)
}

// QueryRowContext runs q with args, like sql.Tx.QueryRowContext.
func (t *wtx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s, err := t.stmt(q); s != nil && err == nil {
		return s.QueryRowContext(ctx, args...)
	}
	// Not kept, or not preparable: the connection prepares it once more and the row carries
	// the error, if any.
	return t.conn.QueryRowContext(ctx, q, args...)
}

// run runs one write under a savepoint: its own error, and an error of the transaction that
// ends it for every write in it.
func (t *wtx) run(o *op) (opErr, txErr error) {
	if err := o.ctx.Err(); err != nil {
		return err, nil
	}
	if _, err := t.ExecContext(bg, "SAVEPOINT op"); err != nil {
		return nil, fmt.Errorf("sqlite: savepoint: %w", err)
	}
	opErr = o.fn(t)
	if opErr != nil {
		if _, err := t.ExecContext(bg, "ROLLBACK TO op"); err != nil {
			return opErr, fmt.Errorf("sqlite: rolling back a failed write: %w", err)
		}
	}
	if _, err := t.ExecContext(bg, "RELEASE op"); err != nil {
		return opErr, fmt.Errorf("sqlite: releasing a savepoint: %w", err)
	}
	return opErr, nil
}

func (t *wtx) close() {
	for _, s := range t.stmts {
		s.Close()
	}
	clear(t.stmts)
}

// stmtCache keeps the fixed queries of the read pool prepared; database/sql prepares each on a
// connection the first time it runs there and reuses it after.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[q]; ok {
		return s, nil
	}
	if len(c.stmts) >= maxCached {
		return nil, errors.New("sqlite: too many distinct queries to keep prepared")
	}
	s, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.stmts[q] = s
	return s, nil
}

// QueryRowContext runs a fixed query on the read pool.
func (c *stmtCache) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	s, err := c.get(ctx, q)
	if err != nil {
		// The pool prepares it once more and the row carries the error.
		return c.db.QueryRowContext(ctx, q, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, s := range c.stmts {
		errs = append(errs, s.Close())
	}
	clear(c.stmts)
	return errors.Join(errs...)
}
