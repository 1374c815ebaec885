//go:build !linux

package host

import "os"

// handlePath falls back to the name where no descriptor path exists; the file was checked just
// before.
func handlePath(_ *os.File, hostPath string) string { return hostPath }
