//go:build !amd64 || purego

package ahocorasick

// fusedTables exists on amd64 only: elsewhere scan is the Go loop over the filter's passes.
type fusedTables struct{}

func newFusedTables(d *dfa) *fusedTables { return nil }

func (d *dfa) scan(text []byte, hits *Hits) bool { return d.scanFiltered(text, hits) }
