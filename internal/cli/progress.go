package cli

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keikai-project/keikai/internal/input"
	"github.com/keikai-project/keikai/internal/output"
)

// progress draws a one-line progress bar (bytes, rate, ETA) on standard error when it is a
// terminal. Whatever else goes to the terminal (a finding, a warning) is written through pause,
// which erases the bar first and holds it off until the text is out, so the two never share a line.
// The bar is cut to the terminal's width: a wrapped bar could not be erased with one "\r".
type progress struct {
	env     *Env
	enabled bool
	total   int64
	done    atomic.Int64
	began   time.Time
	stop    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex // held while the bar or anything else is written to the terminal
	drawn   bool
}

func newProgress(env *Env, enabled bool) *progress {
	return &progress{env: env, enabled: enabled}
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

func (p *progress) line() string {
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
	return line
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := p.line()
	if w := p.env.TerminalWidth(p.env.Stderr); w > 1 {
		line = output.Truncate(line, w-1) // the last column would wrap on some terminals
	}
	fmt.Fprintf(p.env.Stderr, "\r\x1b[K%s", line)
	p.drawn = true
}

// clearLocked erases the bar; p.mu is held.
func (p *progress) clearLocked() {
	if p.drawn {
		fmt.Fprint(p.env.Stderr, "\r\x1b[K")
		p.drawn = false
	}
}

// pause runs write with the bar erased and not redrawn until write returns; the next tick draws
// it again below what write printed.
func (p *progress) pause(write func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	write()
}

// finish stops the bar and erases it, before the report and the final messages are written.
func (p *progress) finish() {
	if !p.enabled || p.stop == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	p.clearLocked()
	p.mu.Unlock()
}

func mib(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
