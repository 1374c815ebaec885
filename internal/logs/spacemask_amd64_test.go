//go:build !purego

package logs

import "iter"

// spaceMaskForms yields the result of each assembly form of spaceMask that can take b, every
// word of m set beforehand (each must be written).
func spaceMaskForms(b []byte, from int) iter.Seq2[string, [spaceWindow / 64]uint64] {
	return func(yield func(string, [spaceWindow / 64]uint64) bool) {
		fill := func() (m [spaceWindow / 64]uint64) {
			for i := range m {
				m[i] = ^uint64(0)
			}
			return m
		}
		if len(b) >= 16 {
			m := fill()
			spaceMaskSSE2(b, from, &m)
			if !yield("SSE2", m) {
				return
			}
		}
		if len(b) >= 32 && useAVX2 {
			m := fill()
			spaceMaskAVX2(b, from, &m)
			yield("AVX2", m)
		}
	}
}
