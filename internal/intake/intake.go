// Package intake receives reports and analyses them. Submit stores a submission byte-for-byte in
// one durable commit, with its analysis job, before it acknowledges; workers then claim jobs from
// the store's queue under a lease, decode the submission with the Decoder registered for its
// content type, run the Analyzer over it and store the analysis. Everything after the commit can
// be redone from the raw bytes, so a crash loses nothing and several processes can share one
// PostgreSQL queue.
package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"strings"
	"sync"
	"time"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

// Decoder turns a stored submission into the content analysis reads. One is registered per
// media type (application/json, multipart/form-data, message/rfc822, ...). Decoding should not
// fail outright: what cannot be decoded goes to Content.Warnings and the rest is analysed; an
// error means nothing at all could be read and the job is retried.
type Decoder interface {
	Decode(ctx context.Context, s *report.Submission) (report.Content, error)
}

// DecoderFunc adapts a function to Decoder.
type DecoderFunc func(ctx context.Context, s *report.Submission) (report.Content, error)

// Decode calls fn.
func (fn DecoderFunc) Decode(ctx context.Context, s *report.Submission) (report.Content, error) {
	return fn(ctx, s)
}

// Analyzer concludes what a report shows from its decoded content. receivedAt anchors log
// timestamps that carry no year. The returned Analysis should carry c as its Content (an analyzer
// may enrich it); when it carries none, the service fills in c.
type Analyzer func(ctx context.Context, c report.Content, receivedAt time.Time) (*report.Analysis, error)

// Errors of Submit; both are the submitter's fault and map to a 4xx answer.
var (
	ErrTooLarge    = errors.New("submission too large")
	ErrUnsupported = errors.New("unsupported content type")
)

// Config assembles a Service. Store, Analyzer and at least one decoder are required.
type Config struct {
	Store    store.Store
	Decoders map[string]Decoder // by media type, lower case, without parameters
	Analyzer Analyzer
	Limits   Limits
	// Workers is the number of reports analysed at once by this process; 0 means 16. An
	// analysis spends much of its time waiting for its commit, so more workers than cores pay.
	Workers int
	// Lease is how long a claimed job stays with this process before another may take it
	// (the worker died); 0 means 1 minute. An analysis is cut off at half the lease.
	Lease time.Duration
	// MaxAttempts is how often analysis is tried before the report is marked failed; 0 means 5.
	MaxAttempts int
	// RetryBase is the delay before the first retry, doubling with each attempt up to
	// RetryMax; 0 means 5 s and 10 min.
	RetryBase, RetryMax time.Duration
	// Poll is how often an idle process looks for jobs submitted through other processes;
	// 0 means 1 s. Jobs submitted through this process are picked up at once.
	Poll time.Duration
	// Name identifies this process's workers in the queue (host:pid); "" means "keikai".
	Name   string
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service is the intake: a report.Submitter and the analysis workers.
type Service struct {
	cfg  Config
	log  *slog.Logger
	wake chan struct{}

	mu      sync.Mutex
	running bool
	stop    chan struct{} // closed to stop claiming
	done    chan struct{} // closed when the claim loop and every job have finished
	abort   context.CancelFunc
}

var _ report.Submitter = (*Service)(nil)

// New checks cfg and applies its defaults.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("intake: no store configured")
	}
	if cfg.Analyzer == nil {
		return nil, errors.New("intake: no analyzer configured")
	}
	if len(cfg.Decoders) == 0 {
		return nil, errors.New("intake: no decoder configured")
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits()
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 5 * time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 10 * time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Name == "" {
		cfg.Name = "keikai"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	decoders := make(map[string]Decoder, len(cfg.Decoders))
	for t, d := range cfg.Decoders {
		decoders[strings.ToLower(t)] = d
	}
	cfg.Decoders = decoders
	return &Service{cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1)}, nil
}

// Limits returns the limits submissions are held to.
func (s *Service) Limits() Limits { return s.cfg.Limits }

// Submit stores sub durably with a new secret status link and queues it for analysis. The
// receipt carries the link's secret (only its hash is stored); a duplicate's receipt names the
// earlier report and carries none. It satisfies report.Submitter.
func (s *Service) Submit(ctx context.Context, sub *report.Submission) (report.Receipt, error) {
	if int64(len(sub.Raw)) > s.cfg.Limits.MaxSubmission {
		return report.Receipt{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(sub.Raw), s.cfg.Limits.MaxSubmission)
	}
	if _, err := s.decoderFor(sub.ContentType); err != nil {
		return report.Receipt{}, err
	}
	switch sub.Channel {
	case report.ChannelForm, report.ChannelAPI, report.ChannelSMTP, report.ChannelImport:
	default:
		return report.Receipt{}, fmt.Errorf("intake: unknown channel %q", sub.Channel)
	}
	if sub.ReceivedAt.IsZero() {
		sub.ReceivedAt = s.cfg.Now().UTC()
	}
	secret, hash, err := NewSecret()
	if err != nil {
		return report.Receipt{}, err
	}
	rc, err := s.cfg.Store.Insert(ctx, sub, hash)
	if err != nil {
		return report.Receipt{}, fmt.Errorf("store the submission: %w", err)
	}
	if !rc.Duplicate {
		rc.StatusSecret = secret
		s.notify()
	}
	return rc, nil
}

// notify wakes the claim loop without waiting: one pending wake-up is enough.
func (s *Service) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Service) decoderFor(contentType string) (Decoder, error) {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrUnsupported, contentType, err)
	}
	d, ok := s.cfg.Decoders[mediaType]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, mediaType)
	}
	return d, nil
}
