package input

import (
	"bytes"
	"slices"
)

// LineEnds appends to ends where each line of data from offset from on ends, at most most lines:
// the offset of its '\n', or len(data) for a last line without one. It returns the offset at
// which the next line starts, len(data) once every line is recorded. from must be the start of
// a line. Whole blocks of data are searched at once (newlineBlocks) where the CPU can, the rest a
// line at a time.
func LineEnds(ends []uint32, data []byte, from, most int) ([]uint32, int) {
	if from < 0 || from >= len(data) {
		return ends, len(data)
	}
	if most <= 0 {
		return ends, from
	}
	limit := len(ends) + most
	for haveNewlineBlocks {
		// A block of n bytes holds at most n line ends: n is bounded by the room in ends, which
		// grows as it fills (a chunk of long lines keeps a small slice), ahead so that each
		// search covers many blocks.
		if room := cap(ends) - len(ends); room < endsRoom/4 && room < min(limit-len(ends), len(data)-from) {
			ends = slices.Grow(ends, min(max(cap(ends), endsRoom), limit-len(ends), len(data)-from))
		}
		n := min(len(data)-from, cap(ends)-len(ends), limit-len(ends)) &^ (newlineBlock - 1)
		if n == 0 {
			break
		}
		k := newlineBlocks(data[from:from+n], uint32(from), ends[len(ends):len(ends)+n])
		ends = ends[:len(ends)+k]
		from += n // inside a line, or just past one: the lines after the last end are not done
	}
	for len(ends) < limit {
		if from >= len(data) { // the blocks reached the end
			if data[len(data)-1] != '\n' {
				ends = append(ends, uint32(len(data)))
			}
			return ends, len(data)
		}
		i := bytes.IndexByte(data[from:], '\n')
		if i < 0 {
			return append(ends, uint32(len(data))), len(data)
		}
		ends = append(ends, uint32(from+i))
		from += i + 1
	}
	// The room ran out (limit > len(ends) on entry, so an end was added): the next line starts
	// after the last end, wherever the block search stopped.
	return ends, int(ends[len(ends)-1]) + 1
}

// endsRoom is the least room LineEnds makes in ends for its block search, in ends.
const endsRoom = 1 << 14

// lineEnds records the line ends of a chunk's data for its consumer, who then need not look for
// them, and returns the number of '\n' in data, which the splitter needs anyway for the next
// chunk's first line number: finding the lines once serves both. A chunk of very many short lines
// gets no ends (nil), so that the pooled slices stay small.
func (r *Reader) lineEnds(data []byte) (ends []uint32, newlines int64) {
	ends, next := LineEnds(r.takeEnds(), data, 0, r.maxEnds)
	if next < len(data) {
		n := int64(len(ends)) + int64(bytes.Count(data[next:], []byte{'\n'}))
		r.putEnds(ends)
		return nil, n
	}
	newlines = int64(len(ends))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		newlines--
	}
	return ends, newlines
}

// takeEnds returns an empty slice for a chunk's line ends, from those released if there is one.
func (r *Reader) takeEnds() []uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.freeEnds)
	if n == 0 {
		return nil
	}
	e := r.freeEnds[n-1]
	r.freeEnds[n-1] = nil
	r.freeEnds = r.freeEnds[:n-1]
	return e[:0]
}

// putEnds keeps e for another chunk; as many are kept as there are buffers.
func (r *Reader) putEnds(e []uint32) {
	if cap(e) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.freeEnds) < cap(r.slots) {
		r.freeEnds = append(r.freeEnds, e[:0])
	}
}
