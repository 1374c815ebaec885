package intake

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

// errPermanent marks failures that no retry can cure (the report or its decoder is gone).
var errPermanent = errors.New("cannot be analysed")

// Start runs the analysis workers in the background until Stop. It returns an error when they
// are running already.
func (s *Service) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return errors.New("intake: workers already running")
	}
	jobCtx, abort := context.WithCancel(context.Background())
	s.running, s.stop, s.done, s.abort = true, make(chan struct{}), make(chan struct{}), abort
	go s.claimLoop(jobCtx, s.stop, s.done)
	return nil
}

// Stop stops claiming jobs and waits until the jobs in progress are analysed and committed. When
// ctx ends first, the jobs still running are abandoned: their leases expire and they are
// analysed again later, by this process after a restart or by another one. It returns ctx's error
// in that case.
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return nil
	}
	s.running = false
	close(s.stop)
	done, abort := s.done, s.abort
	s.mu.Unlock()
	select {
	case <-done:
		abort()
		return nil
	case <-ctx.Done():
		abort()
		<-done
		return fmt.Errorf("intake: jobs in progress abandoned at shutdown (they will be analysed again): %w", ctx.Err())
	}
}

// claimLoop keeps Workers goroutines busy. It leases jobs in batches, holding up to twice as
// many as there are workers (the rest wait in a buffer): one claim per batch rather than one per
// report, since every claim is a write transaction. Jobs in hand at Stop are still analysed.
func (s *Service) claimLoop(jobCtx context.Context, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	limit := 2 * s.cfg.Workers
	jobs := make(chan store.Job, limit)
	finished := make(chan struct{}, 1)
	var inHand atomic.Int64
	var workers sync.WaitGroup
	for range s.cfg.Workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for job := range jobs {
				s.process(jobCtx, job)
				inHand.Add(-1)
				select {
				case finished <- struct{}{}:
				default:
				}
			}
		}()
	}
	defer workers.Wait()
	defer close(jobs)

	idleWait := time.NewTimer(s.cfg.Poll)
	defer idleWait.Stop()
	for {
		free := limit - int(inHand.Load())
		if free < s.cfg.Workers {
			// Busy: claim again once half the capacity is free.
			select {
			case <-finished:
			case <-stop:
				return
			}
			continue
		}
		claimed, err := s.cfg.Store.Claim(jobCtx, s.cfg.Name, free, s.cfg.Lease)
		if err != nil && jobCtx.Err() == nil {
			s.log.Error("claim analysis jobs", "err", err)
		}
		inHand.Add(int64(len(claimed)))
		for _, job := range claimed {
			jobs <- job // never blocks: at most limit jobs are in hand
		}
		if len(claimed) > 0 {
			select {
			case <-stop:
				return
			default:
				continue
			}
		}
		// Nothing to do: wait for a local submission, the poll interval (other processes and
		// retries coming due), or the end.
		idleWait.Reset(s.cfg.Poll)
		select {
		case <-s.wake:
		case <-idleWait.C:
		case <-stop:
			return
		}
	}
}

// process analyses one job and commits the outcome. A job cut off by shutdown records nothing:
// its lease expires and it is done again, so shutdown never counts as a failed attempt.
func (s *Service) process(jobCtx context.Context, job store.Job) {
	ctx, cancel := context.WithTimeout(jobCtx, s.cfg.Lease/2)
	defer cancel()
	start := s.cfg.Now()
	a, err := s.analyse(ctx, job.ReportID)
	if err == nil {
		err = s.cfg.Store.Complete(ctx, job, a)
	}
	if jobCtx.Err() != nil {
		return
	}
	if err == nil {
		s.log.Debug("report analysed", "report", job.ReportID, "category", a.Category, "findings", len(a.Findings), "duration", s.cfg.Now().Sub(start))
		return
	}
	// Attempts counts this claim too (the store counts a claim as an attempt, so that a worker
	// that dies mid-job uses one up).
	give := errors.Is(err, errPermanent) || job.Attempts >= s.cfg.MaxAttempts
	retryAt := s.cfg.Now().Add(s.backoff(job.Attempts))
	s.log.Warn("analysis failed", "report", job.ReportID, "attempt", job.Attempts, "given_up", give, "err", err)
	failCtx, cancelFail := context.WithTimeout(jobCtx, 30*time.Second)
	defer cancelFail()
	if ferr := s.cfg.Store.Fail(failCtx, job, err.Error(), retryAt, give); ferr != nil && jobCtx.Err() == nil {
		s.log.Error("record failed analysis", "report", job.ReportID, "err", ferr)
	}
}

// backoff doubles the delay with each attempt, with jitter so that retries of many reports that
// failed together (a database outage) do not come back together.
func (s *Service) backoff(attempt int) time.Duration {
	d := s.cfg.RetryBase
	for i := 1; i < attempt && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, s.cfg.RetryMax)
	return d + rand.N(d/5+1)
}

// analyse decodes and analyses one stored report. A panic in a decoder or analyzer is a bug,
// but it must not take the server down with every other report: it fails this job instead.
func (s *Service) analyse(ctx context.Context, reportID int64) (a *report.Analysis, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in analysis", "report", reportID, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic in analysis: %v", p)
		}
	}()
	sub, err := s.cfg.Store.Submission(ctx, reportID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: report %d is not stored", errPermanent, reportID)
	}
	if err != nil {
		return nil, fmt.Errorf("read submission: %w", err)
	}
	dec, err := s.decoderFor(sub.ContentType)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errPermanent, err)
	}
	content, err := dec.Decode(ctx, sub)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", sub.ContentType, err)
	}
	a, err = s.cfg.Analyzer(ctx, content, sub.ReceivedAt)
	if err != nil {
		return nil, fmt.Errorf("analyse: %w", err)
	}
	if a == nil {
		return nil, errors.New("analyse: the analyzer returned no analysis")
	}
	if a.Content.Parts == nil && a.Content.Description == "" && a.Content.Subject == "" {
		a.Content = content
	}
	// The service's clock dates every analysis, whichever analyzer made it, so that all of one
	// process's analyses are dated alike (and tests can fix the time).
	a.AnalysedAt = s.cfg.Now().UTC()
	return a, nil
}
