// Package sqlite is the embedded store of keikai serve: one SQLite file (pure-Go driver, WAL,
// synchronous=FULL so that an acknowledged report survives a power loss). Every write goes
// through one writer goroutine that commits whatever is waiting in one transaction: many
// reports share one fsync (group commit), and each caller returns only after its commit.
// Reads run on a separate pool of read-only connections, which WAL lets proceed during writes.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the pure-Go driver, so the binary needs no C toolchain

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a keikai store in one SQLite file. It implements store.Store.
type DB struct {
	write *sql.DB // one connection, the writer's: SQLite has one writer at a time anyway
	read  *sql.DB
	reads *stmtCache // the fixed queries of read, prepared once
	w     *writer
	ckpt  *checkpointer
	once  sync.Once
}

var _ store.Store = (*DB)(nil)

// maxBatch bounds a group commit, so one transaction never holds the write lock for long.
const maxBatch = 512

// Open opens (creating if needed) the database file at path and brings its schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, maxBatch)
}

// open takes the largest batch of the writer, so a benchmark can compare group commit with one
// commit per write (batch 1).
func open(ctx context.Context, path string, batch int) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: no database file given")
	}
	if path == ":memory:" || strings.HasPrefix(path, "file::memory:") {
		// Each connection would get a database of its own: the readers would never see the writes.
		return nil, errors.New("sqlite: an in-memory database cannot be shared by the writer and the readers; give a file (a temporary one in tests)")
	}
	// The file is named in a URI (so that the driver reads the parameters); these three would
	// change its meaning.
	uri := "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	common := "?_busy_timeout=10000&_foreign_keys=1"
	// temp_store(memory): the savepoint of each write in a batch keeps the pages it changes in a
	// statement journal, which is then memory rather than a temporary file written for every batch.
	// wal_autocheckpoint: the checkpoints are the checkpointer's (see there).
	write, err := sql.Open("sqlite", uri+common+"&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate&_pragma=temp_store(memory)"+
		fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", walFallback))
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	if err := applyMigrations(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", uri+common+"&_query_only=1&_pragma=temp_store(memory)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	ckpt, err := sql.Open("sqlite", uri+common)
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	c := newCheckpointer(ckpt)
	w, err := newWriter(ctx, write, batch, c)
	if err != nil {
		c.close()
		read.Close()
		write.Close()
		return nil, err
	}
	return &DB{write: write, read: read, reads: newStmtCache(read), w: w, ckpt: c}, nil
}

// applyMigrations applies the embedded migrations that the file lacks, all in one immediate
// transaction: two processes opening a new file at once cannot both apply them.
func applyMigrations(ctx context.Context, db *sql.DB) (err error) {
	ms, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return fmt.Errorf("migrating (is this a keikai database?): %w", err)
	}
	var applied int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied); err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	pending, err := migrate.Pending(ms, applied)
	if err != nil {
		return err
	}
	for _, m := range pending {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return tx.Commit()
}

// Close waits for the writes in flight to commit, then closes the database.
func (db *DB) Close() error {
	var err error
	db.once.Do(func() {
		db.w.close()
		err = errors.Join(db.ckpt.close(), db.reads.close(), db.read.Close(), db.write.Close())
	})
	return err
}

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("sqlite: the store is closed")

// Writes are of two kinds. An ack is a write that someone waits on to be answered (a report
// submission); the rest (analysis results, claims, tokens) are bulk. The writer never makes an
// ack wait behind a queue of bulk writes: a transaction commits as soon as an ack has joined it,
// and bulk writes are added to a transaction only while no ack waits (one at least, so that
// analysis results still commit under a steady stream of submissions), so an ack waits for at
// most one bulk write, the other acks of its batch, and a commit.
const (
	kindBulk = iota
	kindAck
)

// bulkBudget bounds how long a transaction of bulk writes goes on taking more, so their callers
// are answered in good time too.
const bulkBudget = 10 * time.Millisecond

// writer runs every write of the process, batching those that wait into one transaction, on one
// connection whose prepared statements it keeps: a statement is parsed once per process, not
// once per write.
type writer struct {
	conn  *sql.Conn
	tx    *wtx
	ckpt  *checkpointer
	batch int
	acks  chan *op
	bulk  chan *op
	quit  chan struct{}
	done  chan struct{}
}

// op is one write: fn runs inside the batch's transaction, under its own savepoint, so a failing
// write is undone alone and the others of the batch still commit.
type op struct {
	ack  bool
	ctx  context.Context
	fn   func(tx *wtx) error
	done chan error
}

func newWriter(ctx context.Context, db *sql.DB, batch int, ckpt *checkpointer) (*writer, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: taking the write connection: %w", err)
	}
	w := &writer{conn: conn, tx: &wtx{conn: conn, stmts: map[string]*sql.Stmt{}}, batch: batch, ckpt: ckpt,
		acks: make(chan *op), bulk: make(chan *op), quit: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w, nil
}

// do runs fn in the next committed batch and returns when that batch has committed. kind says
// whether a caller waits to be answered (kindAck) or not (kindBulk).
func (w *writer) do(ctx context.Context, kind int, fn func(tx *wtx) error) error {
	o := &op{ack: kind == kindAck, ctx: ctx, fn: fn, done: make(chan error, 1)}
	queue := w.bulk
	if o.ack {
		queue = w.acks
	}
	select {
	case queue <- o:
	case <-w.quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once handed over, the write may commit; its outcome is waited for even when ctx ends, so a
	// caller never reports failure for a write that was stored.
	return <-o.done
}

func (w *writer) close() {
	close(w.quit)
	<-w.done
}

func (w *writer) run() {
	defer close(w.done)
	defer w.conn.Close()
	defer w.tx.close()
	for {
		var first *op
		select {
		case first = <-w.acks:
		case first = <-w.bulk:
		case <-w.quit:
			return
		}
		w.commit(first)
	}
}

// commit runs first and the writes that join it in one transaction, then tells each caller the
// outcome. A write that fails is undone alone (its savepoint); when the transaction itself fails
// (disk full, the file locked by another process for longer than the busy timeout), no write of
// it was stored and each caller is told so.
func (w *writer) commit(first *op) {
	var ran []*op
	var errs []error
	err := w.fill(first, &ran, &errs)
	if err == nil {
		if _, err = w.tx.ExecContext(bg, "COMMIT"); err != nil {
			err = fmt.Errorf("sqlite: committing: %w", err)
		} else {
			w.ckpt.committed()
		}
	}
	if err != nil {
		// Whatever the failure left of the transaction is undone; an error here means there was
		// none left.
		w.conn.ExecContext(bg, "ROLLBACK")
	}
	for i, o := range ran {
		if err != nil {
			o.done <- err
		} else {
			o.done <- errs[i]
		}
	}
	if len(ran) == 0 {
		first.done <- err
	}
}

// fill begins a transaction and runs first and then the writes waiting, acks first, until an
// ack has joined and one bulk write if any waited, or the batch is full, or bulkBudget is spent.
func (w *writer) fill(first *op, ran *[]*op, errs *[]error) error {
	start := time.Now()
	if _, err := w.tx.ExecContext(bg, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("sqlite: beginning a write: %w", err)
	}
	run := func(o *op) error {
		*ran = append(*ran, o)
		e, err := w.tx.run(o)
		*errs = append(*errs, e)
		return err
	}
	if err := run(first); err != nil {
		return err
	}
	acked, bulk := 0, 0
	if first.ack {
		acked++
	} else {
		bulk++
	}
	for len(*ran) < w.batch {
		select {
		case o := <-w.acks:
			if err := run(o); err != nil {
				return err
			}
			acked++
			continue
		default:
		}
		if acked > 0 && bulk > 0 || time.Since(start) > bulkBudget {
			return nil
		}
		select {
		case o := <-w.bulk:
			if err := run(o); err != nil {
				return err
			}
			bulk++
		default:
			return nil
		}
	}
	return nil
}
