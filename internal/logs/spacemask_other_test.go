//go:build !amd64 || purego

package logs

import "iter"

// spaceMaskForms yields nothing: only amd64 has forms in assembly.
func spaceMaskForms(b []byte, from int) iter.Seq2[string, [spaceWindow / 64]uint64] {
	return func(yield func(string, [spaceWindow / 64]uint64) bool) {}
}
