//go:build !linux

package input

// mapAhead does nothing: the pages of a mapped file are faulted in as they are read.
func mapAhead([]byte) {}
