package input

import (
	"fmt"
	"runtime/debug"
	"sync"
	"unsafe"
)

// A plain-text regular file is read through a read-only mapping of the whole file where the OS
// allows it (mapFile): chunks are then slices of the mapping, at the same line boundaries as
// read() would give, and no byte is copied into the pool's buffers. Copying the page cache into
// those buffers (the kernel's share of read()) and faulting the buffers in were about a tenth of
// the CPU time of an analysis. Anything else, and any file that cannot be mapped, is read with
// read().
//
// The mapping is dropped piece by piece: once every chunk below an offset is released and the
// reader is past it, its pages are given back (dropPages), so that the resident set stays about as
// large as the chunks in flight, however large the file is. The mapping itself is removed when its
// last chunk is released.

// mapping is one mapped file and what is still in use of it.
type mapping struct {
	data []byte // the whole file as it was when mapped; never written
	name string // the source's name, for ShrankError
	// start and span are the mapped address range, data rounded up to whole pages: a fault
	// anywhere in it is a fault on this file. They outlive data, which is nil once unmapped.
	start, span uintptr

	mu sync.Mutex
	// pieces holds, in reading order, the start of every chunk that was or is being built from
	// data and not yet handed back, and whether it has been (released out of order); base is the
	// index of pieces[0] since the mapping was made.
	pieces []piece
	base   int
	// reading is set while the reader may still build chunks from data.
	reading bool
	dropped int // data[:dropped] was given back
}

type piece struct {
	start    int
	released bool
}

// dropBatch is how many bytes of consumed pages are given back at once: fewer, larger calls, with
// a few MiB more resident.
const dropBatch = 2 << 20

// newMapping tracks data, mapped from the source name; the reader holds it until done.
func newMapping(data []byte, name string) *mapping {
	page := uintptr(pageSize)
	return &mapping{data: data, name: name, reading: true,
		start: uintptr(unsafe.Pointer(unsafe.SliceData(data))), span: (uintptr(len(data)) + page - 1) &^ (page - 1)}
}

// begin records that a chunk starts at offset start of data and returns its index for finish.
func (m *mapping) begin(start int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pieces = append(m.pieces, piece{start: start})
	return m.base + len(m.pieces) - 1
}

// finish hands back the chunk with index i; once every chunk is back and the reader is done, the
// mapping is removed.
func (m *mapping) finish(i int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pieces[i-m.base].released = true
	m.release()
}

// readerDone records that the reader builds no more chunks from data.
func (m *mapping) readerDone() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reading = false
	m.release()
}

// release gives back what nothing uses any more. The system calls are made under mu: a page range
// given back after another goroutine removed the mapping could belong to a new one by then.
func (m *mapping) release() {
	n := 0
	for n < len(m.pieces) && m.pieces[n].released {
		n++
	}
	m.pieces = m.pieces[n:]
	m.base += n
	if len(m.pieces) == 0 {
		// Either every chunk is back, or the reader is about to begin the next one, at the line
		// it carries over, which is not known here.
		if !m.reading && m.data != nil {
			unmap(m.data)
			m.data = nil
		}
		return
	}
	low := m.pieces[0].start &^ (pageSize - 1)
	if low-m.dropped >= dropBatch {
		dropPages(m.data[m.dropped:low])
		m.dropped = low
	}
}

// ShrankError ends an analysis when a mapped file became shorter while it was read: its pages past
// the new end no longer exist, and reading them faults.
type ShrankError struct {
	File string
}

func (e *ShrankError) Error() string {
	return fmt.Sprintf("%s shrank while being read (rotated with copytruncate?): analyze a copy of it", e.File)
}

// fault returns the ShrankError for a panic that a fault inside the mapping raised (see
// debug.SetPanicOnFault), nil for any other panic.
func (m *mapping) fault(p any) error {
	f, ok := p.(interface{ Addr() uintptr })
	if !ok {
		return nil
	}
	if a := f.Addr(); a < m.start || a-m.start >= m.span {
		return nil
	}
	return &ShrankError{File: m.name}
}

// Guard calls read, which reads c's bytes. A chunk of a mapped file faults when the file shrank
// since it was mapped (a log rotated by copying and truncating it); Guard turns that fault into
// a ShrankError instead of a crash. Every goroutine that reads a chunk's bytes should do so
// inside Guard.
func (c *Chunk) Guard(read func()) (err error) {
	if c.mapped == nil {
		read()
		return nil
	}
	m := c.mapped
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			if err = m.fault(p); err == nil {
				panic(p)
			}
		}
	}()
	read()
	return nil
}

// aheadBytes is how far ahead of the reader the mapping's pages are made present.
var aheadBytes = 4 << 20
