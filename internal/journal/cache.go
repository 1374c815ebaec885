package journal

import (
	"fmt"
	"io"
)

const (
	pageSize  = 64 << 10
	pageCount = 128 // 8 MiB: entries point back at DATA objects shared by many entries
)

// pageCache reads a file in aligned pages and keeps the last few, because an entry's DATA objects
// lie anywhere before it and the common ones (host name, program) are shared by many entries.
type pageCache struct {
	ra    io.ReaderAt
	size  int64
	pages [pageCount]page
	slot  map[int64]int // page offset -> index in pages
	next  int           // page slot to replace next (round robin)
	last  int           // the slot used last: consecutive reads mostly hit it
	big   []byte        // for reads larger than a page
}

type page struct {
	off  int64 // -1 when empty
	data []byte
}

func newPageCache(ra io.ReaderAt, size int64) *pageCache {
	c := &pageCache{ra: ra, size: size, slot: make(map[int64]int, pageCount)}
	for i := range c.pages {
		c.pages[i].off = -1
	}
	return c
}

// slice returns n bytes at off. The result is valid until the next call.
func (c *pageCache) slice(off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off+int64(n) > c.size {
		return nil, fmt.Errorf("%w: read of %d bytes at offset %d is past the end of the file", ErrCorrupt, n, off)
	}
	start := off &^ (pageSize - 1)
	if off+int64(n) > start+pageSize {
		if cap(c.big) < n {
			c.big = make([]byte, n)
		}
		b := c.big[:n]
		if _, err := c.ra.ReadAt(b, off); err != nil {
			return nil, readError(off, err)
		}
		return b, nil
	}
	p, err := c.page(start)
	if err != nil {
		return nil, err
	}
	rel := int(off - start)
	if rel+n > len(p) {
		return nil, fmt.Errorf("%w: read of %d bytes at offset %d is past the end of the file", ErrCorrupt, n, off)
	}
	return p[rel : rel+n], nil
}

func (c *pageCache) page(start int64) ([]byte, error) {
	if c.pages[c.last].off == start {
		return c.pages[c.last].data, nil
	}
	if i, ok := c.slot[start]; ok {
		c.last = i
		return c.pages[i].data, nil
	}
	slot := &c.pages[c.next]
	if slot.off >= 0 {
		delete(c.slot, slot.off)
	}
	c.last = c.next
	c.next = (c.next + 1) % pageCount
	if slot.data == nil {
		slot.data = make([]byte, pageSize)
	}
	n := int(min(pageSize, c.size-start))
	slot.off = -1
	if got, err := c.ra.ReadAt(slot.data[:n], start); got < n {
		return nil, readError(start, err)
	}
	slot.off = start
	slot.data = slot.data[:n]
	c.slot[start] = c.last
	return slot.data, nil
}

func readError(off int64, err error) error {
	if err == nil || err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: file ends at offset %d", ErrCorrupt, off)
	}
	return fmt.Errorf("read journal at offset %d: %w", off, err)
}
