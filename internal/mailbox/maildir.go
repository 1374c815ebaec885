package mailbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maildirEntry is one message file of a maildir.
type maildirEntry struct {
	path      string
	delivered time.Time // from the unique name "SECONDS.unique.host"; zero when it has none
	info      string
}

// listMaildir lists the messages in dir's new/ and cur/ (tmp/ holds deliveries in progress and is
// skipped), oldest delivery first, as their unique names say.
func listMaildir(dir string) ([]maildirEntry, error) {
	var entries []maildirEntry
	found := false
	for _, sub := range []string{"new", "cur"} {
		des, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading maildir: %w", err)
		}
		found = true
		for _, de := range des {
			if !de.Type().IsRegular() || strings.HasPrefix(de.Name(), ".") {
				continue
			}
			entries = append(entries, parseMaildirName(filepath.Join(dir, sub, de.Name())))
		}
	}
	if !found {
		return nil, fmt.Errorf("%s is not a maildir: it has neither new/ nor cur/", dir)
	}
	sort.SliceStable(entries, func(i, j int) bool {
		if !entries[i].delivered.Equal(entries[j].delivered) {
			return entries[i].delivered.Before(entries[j].delivered)
		}
		return entries[i].path < entries[j].path
	})
	return entries, nil
}

// parseMaildirName reads "1262304000.M20P1234Q5.host,S=1234:2,RS": the delivery second before the
// first dot and the flags after ":2," (";2," or "!2," on file systems that forbid ":").
func parseMaildirName(path string) maildirEntry {
	e := maildirEntry{path: path}
	name := filepath.Base(path)
	for _, sep := range []string{":2,", ";2,", "!2,"} {
		if i := strings.LastIndex(name, sep); i >= 0 {
			e.info = name[i+len(sep):]
			name = name[:i]
			break
		}
	}
	if dot := strings.IndexByte(name, '.'); dot > 0 {
		if secs, err := strconv.ParseInt(name[:dot], 10, 64); err == nil && secs > 0 {
			e.delivered = time.Unix(secs, 0).UTC()
		}
	}
	return e
}

func readMaildirFile(e maildirEntry, maxSize int64) (*Message, error) {
	fi, err := os.Stat(e.path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxSize {
		return nil, fmt.Errorf("%s: %w of %d bytes; skipped", e.path, ErrTooLarge, maxSize)
	}
	raw, err := os.ReadFile(e.path)
	if err != nil {
		return nil, err
	}
	return &Message{Raw: raw, Path: e.path, Info: e.info}, nil
}

// deliveredAt is the maildir delivery time from the file name, or the file's modification time.
func deliveredAt(path string) (time.Time, bool) {
	if e := parseMaildirName(path); !e.delivered.IsZero() {
		return e.delivered, true
	}
	if fi, err := os.Stat(path); err == nil {
		return fi.ModTime().UTC(), true
	}
	return time.Time{}, false
}
