package sqlite

import (
	"database/sql"
	"time"
)

// walFallback is the WAL size, in pages, at which the writer checkpoints at a commit itself:
// only when the background checkpoints cannot keep up (SQLite's default is 1,000 pages).
const walFallback = 20000

// checkpointPause is the least time between two background checkpoints: each writes and syncs
// the database file, so while reports arrive they copy several commits' pages at once.
const checkpointPause = 200 * time.Millisecond

// checkpointer copies the WAL back into the database file beside the writer. Left to the
// writer's connection, a checkpoint runs inside a commit: it writes and syncs the database file
// while every submission of that commit waits for its answer, and all the clients of that
// moment see the delay at once. A PASSIVE checkpoint waits for no reader and no writer; what it
// cannot copy now, the next one does.
type checkpointer struct {
	db   *sql.DB
	kick chan struct{}
	quit chan struct{}
	done chan struct{}
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// committed tells the checkpointer that the WAL grew; it never waits.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.kick:
		case <-c.quit:
			return
		}
		// A checkpoint that fails (the disk busy, the file locked by another process) leaves
		// the WAL as it is, every commit kept there; the next one copies it.
		var busy, logFrames, copied int
		c.db.QueryRowContext(bg, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
		select {
		case <-time.After(checkpointPause):
		case <-c.quit:
			return
		}
	}
}

func (c *checkpointer) close() error {
	close(c.quit)
	<-c.done
	return c.db.Close()
}
