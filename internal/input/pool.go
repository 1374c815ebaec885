package input

import "context"

// acquire takes a slot for a chunk, waiting for a Release when all are in use, and a buffer for it
// if withBuffer: a chunk of a mapped file needs none.
func (r *Reader) acquire(ctx context.Context, withBuffer bool) ([]byte, error) {
	select {
	case <-r.slots:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !withBuffer {
		return nil, nil
	}
	return r.takeBuffer(), nil
}

// takeBuffer returns an empty buffer for a chunk that holds a slot already.
func (r *Reader) takeBuffer() []byte {
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
	return b[:0]
}

// Release returns the chunk's buffer for reuse, or its part of a mapped file. Data must not be
// used afterwards. Releasing a chunk twice, or a chunk without a buffer, does nothing.
func (r *Reader) Release(c *Chunk) {
	if c == nil || (c.buf == nil && c.mapped == nil) {
		return
	}
	b, m := c.buf, c.mapped
	c.buf, c.mapped, c.Data = nil, nil, nil
	if c.Ends != nil {
		r.putEnds(c.Ends)
		c.Ends = nil
	}
	if m != nil {
		m.finish(c.piece)
	} else if cap(b) != r.bufCap {
		return // not from this Reader's pool
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case r.slots <- struct{}{}:
		if b != nil {
			r.free = append(r.free, b[:0])
		}
	default: // pool already full: a chunk from another Reader with the same sizes
	}
}
