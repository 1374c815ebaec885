// Package analyze runs the detection engine over log inputs: it reads them as line-aligned chunks,
// parses and matches the chunks on every core, and puts the results back in input order, so that
// findings come out in file and line order and correlations see events in the order they were
// logged. Memory does not grow with the input: chunks are recycled, counters are bounded, and
// correlation state expires.
package analyze

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/input"
)

// Options say what to analyse and how.
type Options struct {
	Paths []string
	// Year is the year in which the logs end, for timestamps that carry none (RFC 3164 syslog);
	// 0 takes it from each file's modification time.
	Year int
	// Location is the zone of timestamps that carry no offset; nil means time.Local.
	Location *time.Location
	// Workers is the number of parsing goroutines; 0 means GOMAXPROCS.
	Workers int
	// Findings selects whether findings are built and passed on; false only counts them, which is
	// all a summary needs.
	Findings bool
	// Top is how many entries each ranking of the summary lists; 0 means 20.
	Top   int
	Input input.Options
	// Now is the reference time for standard input; nil means time.Now.
	Now func() time.Time
}

// Callbacks receive what the analysis produces. Finding is called from one goroutine, in input
// order; Warning may be called from any goroutine.
type Callbacks struct {
	Finding  func(*finding.Finding) error
	Warning  func(input.Warning)
	Progress func(n int64)
	// Planned is told the inputs before reading starts (for a progress bar's total).
	Planned func([]*input.Source)
}

// Run analyses the inputs and returns the summary. The error is non-nil only when the analysis
// could not go on (a Finding callback failed, or ctx was cancelled); problems with single inputs
// are warnings and are counted in the summary.
func Run(ctx context.Context, eng *engine.Engine, opts Options, cb Callbacks) (*Summary, error) {
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Top <= 0 {
		opts.Top = 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	var (
		warnMu      sync.Mutex
		warnings    int
		inputErrors int
	)
	warn := func(w input.Warning) {
		warnMu.Lock()
		warnings++
		if w.Err != nil {
			inputErrors++
		}
		warnMu.Unlock()
		if cb.Warning != nil {
			cb.Warning(w)
		}
	}
	progress := cb.Progress
	if progress == nil {
		progress = func(int64) {}
	}

	reader := input.NewReader(opts.Input)
	sources := reader.Plan(opts.Paths, warn)
	if cb.Planned != nil {
		cb.Planned(sources)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan *input.Chunk, opts.Workers)
	results := make(chan *chunkResult, opts.Workers*2)
	go reader.Run(ctx, sources, chunks, warn, progress)

	var wg sync.WaitGroup
	workers := make([]*worker, opts.Workers)
	for i := range workers {
		workers[i] = newWorker(eng, &opts)
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for c := range chunks {
				r := w.process(c)
				reader.Release(c)
				select {
				case results <- r:
				case <-ctx.Done():
				}
			}
		}(workers[i])
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	seq := newSequencer(eng, &opts, cb.Finding)
	err := seq.run(ctx, results)
	if err != nil {
		cancel()
		for range results {
			// Let the workers and the reader wind down before returning.
		}
	}

	sum := newSummary(eng, sources, &opts)
	for _, w := range workers {
		sum.add(w.tally)
	}
	sum.finish(seq)
	sum.Warnings, sum.InputErrors = warnings, inputErrors
	if err == nil {
		err = ctx.Err()
	}
	return sum.Summary, err
}
