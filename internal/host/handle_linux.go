package host

import (
	"os"
	"strconv"
)

// handlePath names the open file f for a library that opens by name: /proc/self/fd/N reopens the
// very file behind the descriptor, whatever has been renamed or swapped since.
func handlePath(f *os.File, hostPath string) string {
	p := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	if _, err := os.Stat(p); err != nil {
		return hostPath // /proc is not mounted here
	}
	return p
}
