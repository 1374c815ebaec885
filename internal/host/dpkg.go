package host

import (
	"bufio"
	"io"
	"strings"
)

// dpkgPackage is one installed package of a dpkg status file.
type dpkgPackage struct {
	Name, Version string
}

// parseDpkgStatus calls fn for every installed package in a dpkg status file. A stanza counts as
// installed when the third word of its Status is "installed": "hold ok installed" and
// "deinstall ok installed" still have their files on disk, which is what a check cares about.
func parseDpkgStatus(r io.Reader, fn func(dpkgPackage)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	var name, version, status string
	flush := func() {
		if name != "" && installedStatus(status) {
			fn(dpkgPackage{Name: name, Version: version})
		}
		name, version, status = "", "", ""
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // continuation of a multi-line field (Description, Conffiles)
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch key {
		case "Package":
			name = value
		case "Version":
			version = value
		case "Status":
			status = value
		}
	}
	flush()
	return sc.Err()
}

func installedStatus(status string) bool {
	words := strings.Fields(status)
	return len(words) == 3 && words[2] == "installed"
}
