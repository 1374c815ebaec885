package cli

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keikai-project/keikai/internal/input"
)

// progress draws a one-line progress bar (bytes, rate, ETA) on standard error, only when standard
// error is a terminal: redirected output never carries it.
type progress struct {
	env     *Env
	enabled bool
	total   int64
	done    atomic.Int64
	began   time.Time
	stop    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	drawn   bool
}

func newProgress(env *Env) *progress {
	return &progress{env: env, enabled: env.IsTerminal(env.Stderr)}
}

func (p *progress) start(sources []*input.Source) {
	if !p.enabled {
		return
	}
	for _, s := range sources {
		if s.Size > 0 {
			p.total += s.Size
		}
	}
	p.began = time.Now()
	p.stop = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
				p.draw()
			}
		}
	}()
}

func (p *progress) add(n int64) { p.done.Add(n) }

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	done := p.done.Load()
	elapsed := time.Since(p.began).Seconds()
	rate := float64(done) / max(elapsed, 1e-9)
	line := mib(done)
	if p.total > 0 {
		pct := float64(done) / float64(p.total) * 100
		line = fmt.Sprintf("%s / %s (%3.0f%%)", mib(done), mib(p.total), min(pct, 100))
	}
	line += fmt.Sprintf("  %s/s", mib(int64(rate)))
	if p.total > 0 && rate > 0 && done < p.total {
		eta := time.Duration(float64(p.total-done) / rate * float64(time.Second)).Round(time.Second)
		line += fmt.Sprintf("  ETA %s", eta)
	}
	fmt.Fprintf(p.env.Stderr, "\r\x1b[K%s", line)
	p.drawn = true
}

// clear erases the bar so that a warning can be printed on a clean line; the next tick redraws it.
func (p *progress) clear() {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.env.Stderr, "\r\x1b[K")
		p.drawn = false
	}
}

func (p *progress) finish() {
	if !p.enabled || p.stop == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.clear()
}

func mib(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
