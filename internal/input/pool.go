package input

import "context"

// acquire takes a buffer from the pool, waiting for a Release when all are in use.
func (r *Reader) acquire(ctx context.Context) ([]byte, error) {
	select {
	case <-r.slots:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var b []byte
	r.mu.Lock()
	if n := len(r.free); n > 0 {
		b, r.free[n-1] = r.free[n-1], nil
		r.free = r.free[:n-1]
	}
	r.mu.Unlock()
	if b == nil {
		b = make([]byte, 0, r.bufCap)
	}
	return b[:0], nil
}

// Release returns the chunk's buffer for reuse. Data must not be used afterwards. Releasing a chunk
// twice, or a chunk without a buffer, does nothing.
func (r *Reader) Release(c *Chunk) {
	if c == nil || c.buf == nil {
		return
	}
	b := c.buf
	c.buf, c.Data = nil, nil
	if c.Ends != nil {
		r.putEnds(c.Ends)
		c.Ends = nil
	}
	if cap(b) != r.bufCap {
		return // not from this Reader's pool
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case r.slots <- struct{}{}:
		r.free = append(r.free, b[:0])
	default: // pool already full: a chunk from another Reader with the same sizes
	}
}
