//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package host

// Elsewhere only the lstat before each open guards against symlinks and FIFOs.
const (
	openFileFlags = 0
	openDirFlags  = 0
)
