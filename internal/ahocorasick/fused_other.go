//go:build !amd64 || purego

package ahocorasick

// fusedTables exists on amd64 only: elsewhere scan is the Go loop over the filter's passes.
type fusedTables struct{}

const useFused = false

func newFusedTables(d *dfa) *fusedTables { return nil }

// scanFused is never called where useFused is false.
func (d *dfa) scanFused(text []byte, hits *Hits) bool { return d.scanFiltered(text, hits) }
