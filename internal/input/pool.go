package input

import "context"

// acquire takes a buffer from the pool, waiting for a Release when all are in use.
func (r *Reader) acquire(ctx context.Context) ([]byte, error) {
	select {
	case b := <-r.slots:
		if b == nil {
			b = make([]byte, 0, r.bufCap)
		}
		return b[:0], nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Release returns the chunk's buffer for reuse. Data must not be used afterwards. Releasing a chunk
// twice, or a chunk without a buffer, does nothing.
func (r *Reader) Release(c *Chunk) {
	if c == nil || c.buf == nil {
		return
	}
	b := c.buf
	c.buf, c.Data = nil, nil
	if cap(b) != r.bufCap {
		return // not from this Reader's pool
	}
	select {
	case r.slots <- b[:0]:
	default: // pool already full: a chunk from another Reader with the same sizes
	}
}
