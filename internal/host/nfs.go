package host

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/keikai-project/keikai/internal/event"
)

// nfsUse tells whether the system serves NFS (/etc/exports) or mounts it (/etc/fstab,
// /proc/mounts): statd only matters to NFS, and the statd advisory says to stop it where NFS is
// unused. "unknown" when none of the files could be read.
func (c *collector) nfsUse() string {
	read := false
	if b, err := c.r.readTargetFile("/etc/exports", 1<<20); err == nil {
		read = true
		if hasExport(b) {
			return "yes"
		}
	}
	for _, table := range []string{"/etc/fstab", "/proc/mounts"} {
		b, err := c.r.readTargetFile(table, 4<<20)
		if err != nil {
			continue
		}
		read = true
		if mountsNFS(b) {
			return "yes"
		}
	}
	if !read {
		return "unknown"
	}
	return "no"
}

// hasExport reports whether an exports file exports anything.
func hasExport(b []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			return true
		}
	}
	return false
}

// mountsNFS reports whether an fstab or mounts table has an NFS file system (third column).
func mountsNFS(b []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch fields[2] {
		case "nfs", "nfs4", "nfs3":
			return true
		}
	}
	return false
}

// withNFS sets NFSInUse on process and package events, the ones statd rules look at.
func withNFS(emit func(*event.Event, string), nfs string) func(*event.Event, string) {
	return func(e *event.Event, ja string) {
		if e.Format == event.FormatHostProcess || e.Format == event.FormatHostPackage {
			e.SetString(event.NFSInUse, nfs)
		}
		emit(e, ja)
	}
}
