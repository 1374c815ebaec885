package journal

import (
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultPaths lists the journal files of the system under root ("/" for this host): the
// persistent journal in var/log/journal and the volatile one in run/log/journal, each searched
// recursively (journald keeps one directory per machine ID, and namespaces beside it) for
// *.journal files and the *.journal~ files it leaves after an unclean shutdown. Unreadable
// directories are skipped; the result is sorted and empty on a host without a journal.
func DefaultPaths(root string) []string {
	var paths []string
	for _, dir := range []string{"run/log/journal", "var/log/journal"} {
		base := filepath.Join(root, dir)
		_ = filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if d != nil && d.IsDir() && path != base {
					return fs.SkipDir
				}
				return nil // unreadable: the caller reports what it could not read when it opens it
			}
			if d.Type().IsRegular() && (strings.HasSuffix(path, ".journal") || strings.HasSuffix(path, ".journal~")) {
				paths = append(paths, path)
			}
			return nil
		})
	}
	sort.Strings(paths)
	return paths
}
