// Package store is the persistence contract of keikai serve: reports kept byte-for-byte, the
// durable analysis queue, partner tokens and the activity aggregates. Two adapters implement it,
// store/sqlite (the embedded default) and store/postgres (to scale out), on one schema; the
// conformance suite in store/storetest runs against both, so they cannot drift apart.
//
// Interfaces only: domain packages (report, activity) never import this package; intake and the
// command-line wiring do.
package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/report"
)

// Errors every adapter maps its driver's errors to.
var (
	ErrNotFound = report.ErrNotFound
	ErrConflict = errors.New("conflict")
	// ErrEditionChanged is returned for an edition published before with other sources; it
	// wraps ErrConflict.
	ErrEditionChanged = fmt.Errorf("%w: an edition is immutable once published", ErrConflict)
)

// Store is everything keikai serve keeps.
type Store interface {
	Reports
	Queue
	Tokens
	Activity
	Advisories
	Audit
	Staff
	Triage
	Incidents
	Messages
	Close() error
}

// Reports stores submissions and reads reports back.
type Reports interface {
	// Insert commits the submission and its analysis job in one durable transaction (fsync'd)
	// before it returns. statusHash is the hash of the reporter's secret status link (nil for
	// none). A submission whose MessageID, or whose TokenID and IdempotencyKey, are already stored
	// is not stored again: the receipt names the earlier report and Duplicate is true.
	Insert(ctx context.Context, s *report.Submission, statusHash []byte) (report.Receipt, error)
	Get(ctx context.Context, id int64) (*report.Report, error)
	ByTracking(ctx context.Context, tracking string) (*report.Report, error)
	ByStatusHash(ctx context.Context, hash []byte) (*report.Report, error)
	// Submission returns the stored submission, Raw byte-for-byte as received.
	Submission(ctx context.Context, id int64) (*report.Submission, error)
	List(ctx context.Context, f Filter) ([]report.Report, error)
}

// Filter selects reports for List. Zero fields select everything.
type Filter struct {
	From, To time.Time // received in [From, To)
	Category string    // suggested category key
	Source   string    // an IP address or CIDR among the report's observables
	Channel  report.Channel
	TokenID  int64 // reports submitted with this API token
	Limit    int   // 0 means 100
	AfterID  int64 // paging: reports with a larger ID
}

// Queue is the durable analysis queue. Several keikai serve processes may share one PostgreSQL
// database: a job is leased to one worker at a time, and a lease that expires (its worker died)
// makes the job claimable again, so a crash between receipt and analysis loses nothing.
type Queue interface {
	Claim(ctx context.Context, worker string, n int, lease time.Duration) ([]Job, error)
	// Complete stores the analysis on the report and removes the job, in one transaction.
	Complete(ctx context.Context, job Job, a *report.Analysis) error
	// Fail records a failed attempt; the job becomes claimable again at retryAt, or the report
	// is marked failed when give is true.
	Fail(ctx context.Context, job Job, reason string, retryAt time.Time, give bool) error
	// Enqueue queues a stored report for analysis again (keikai report reanalyse).
	Enqueue(ctx context.Context, reportID int64) error
	Pending(ctx context.Context) (int64, error)
}

// Job is one leased analysis job.
type Job struct {
	ID       int64
	ReportID int64
	Attempts int
	Worker   string
}

// Token is a partner's API token. Only its hash is stored.
type Token struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	RevokedAt time.Time // zero while valid
}

// Tokens manages partner API tokens.
type Tokens interface {
	AddToken(ctx context.Context, name string, hash []byte) (Token, error)
	ListTokens(ctx context.Context) ([]Token, error)
	RevokeToken(ctx context.Context, id int64) error
	// TokenByHash returns a valid token; a revoked or unknown one is ErrNotFound.
	TokenByHash(ctx context.Context, hash []byte) (Token, error)
}

// Activity computes the period statistics from indexed report rows, never from raw mail.
type Activity interface {
	// Activity counts reports received in [from, to); top bounds each ranking.
	Activity(ctx context.Context, from, to time.Time, top int) (*activity.Stats, error)
}

// AdvisoryEdition is one published edition of an advisory: its source files byte for byte as
// they were published, and the SHA-256 of every signed file the publication wrote for it, so
// that what was said on a date can be shown and a served file checked against the record.
type AdvisoryEdition struct {
	ID      string
	Edition int
	// Source is the advisory's directory: advisory.yml, ja.md and en.md.
	Source AdvisorySource
	// Outputs maps each published file (its path in the publication tree) to its SHA-256.
	Outputs     map[string][32]byte
	PublishedAt time.Time
}

// AdvisorySource holds the three source files of an advisory.
type AdvisorySource struct {
	YAML, Ja, En []byte
}

// Equal reports whether two sources are the same bytes.
func (s AdvisorySource) Equal(o AdvisorySource) bool {
	return bytes.Equal(s.YAML, o.YAML) && bytes.Equal(s.Ja, o.Ja) && bytes.Equal(s.En, o.En)
}

// Advisories records published advisory editions. The text files stay the authors' working
// copy; the database is the record of what was published.
type Advisories interface {
	// RecordEdition stores an edition, once: recording it again with the same sources keeps the
	// first record and returns it with created false; with other sources it is
	// ErrEditionChanged and nothing changes.
	RecordEdition(ctx context.Context, e AdvisoryEdition) (stored AdvisoryEdition, created bool, err error)
	// AdvisoryEdition returns one recorded edition, or ErrNotFound.
	AdvisoryEdition(ctx context.Context, id string, edition int) (AdvisoryEdition, error)
	// AdvisoryEditions lists every recorded edition by ID and edition, without sources or outputs.
	AdvisoryEditions(ctx context.Context) ([]AdvisoryEdition, error)
}
