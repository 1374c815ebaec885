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

	_ "modernc.org/sqlite" // the pure-Go driver, so the binary needs no C toolchain

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a keikai store in one SQLite file. It implements store.Store.
type DB struct {
	write *sql.DB // one connection: SQLite has one writer at a time anyway
	read  *sql.DB
	w     *writer
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
	write, err := sql.Open("sqlite", uri+common+"&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate")
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
	db := &DB{write: write, read: read}
	db.w = newWriter(write, batch)
	return db, nil
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
		err = errors.Join(db.read.Close(), db.write.Close())
	})
	return err
}

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("sqlite: the store is closed")

// writer runs every write of the process, batching those that wait into one transaction.
type writer struct {
	db    *sql.DB
	batch int
	ops   chan *op
	quit  chan struct{}
	done  chan struct{}
}

// op is one write: fn runs inside the batch's transaction, under its own savepoint, so a failing
// write is undone alone and the others of the batch still commit.
type op struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
}

func newWriter(db *sql.DB, batch int) *writer {
	w := &writer{db: db, batch: batch, ops: make(chan *op), quit: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

// do runs fn in the next committed batch and returns when that batch has committed.
func (w *writer) do(ctx context.Context, fn func(tx *sql.Tx) error) error {
	o := &op{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case w.ops <- o:
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
	for {
		var first *op
		select {
		case first = <-w.ops:
		case <-w.quit:
			return
		}
		batch := []*op{first}
	drain:
		for len(batch) < w.batch {
			select {
			case o := <-w.ops:
				batch = append(batch, o)
			default:
				break drain
			}
		}
		w.commit(batch)
	}
}

// commit runs a batch in one transaction. A write that fails is undone alone (its savepoint);
// when the transaction itself fails (disk full, the file locked by another process for longer
// than the busy timeout), no write of the batch was stored and each caller is told so.
func (w *writer) commit(batch []*op) {
	errs, err := w.try(batch)
	for i, o := range batch {
		if err != nil {
			o.done <- err
		} else {
			o.done <- errs[i]
		}
	}
}

func (w *writer) try(batch []*op) ([]error, error) {
	// The transaction is the writer's, not a caller's: a caller giving up must not undo the
	// writes of the others.
	ctx := context.Background()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: beginning a write: %w", err)
	}
	errs := make([]error, len(batch))
	for i, o := range batch {
		if err := o.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if len(batch) == 1 {
			errs[i] = o.fn(tx)
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT op"); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("sqlite: savepoint: %w", err)
		}
		errs[i] = o.fn(tx)
		if errs[i] != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO op"); err != nil {
				tx.Rollback()
				return nil, fmt.Errorf("sqlite: rolling back a failed write: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE op"); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("sqlite: releasing a savepoint: %w", err)
		}
	}
	if len(batch) == 1 && errs[0] != nil {
		tx.Rollback()
		return errs, nil
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: committing: %w", err)
	}
	return errs, nil
}
