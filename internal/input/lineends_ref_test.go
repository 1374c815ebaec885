package input

import "bytes"

// lineEndsRef is LineEnds as the worker used to find lines: IndexByte a line at a time.
func lineEndsRef(ends []uint32, data []byte, from, most int) ([]uint32, int) {
	if from < 0 || from >= len(data) {
		return ends, len(data)
	}
	for n := 0; n < most && from < len(data); n++ {
		i := bytes.IndexByte(data[from:], '\n')
		if i < 0 {
			return append(ends, uint32(len(data))), len(data)
		}
		ends = append(ends, uint32(from+i))
		from += i + 1
	}
	return ends, from
}
