package host

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/reason"
)

// maxDirEntries bounds one directory listing: a /tmp with millions of entries must not stall the check.
const maxDirEntries = 100000

// files emits an event for each target path that exists and for each entry of the target dirs.
func (c *collector) files(t Targets) {
	seen := make(map[string]bool)
	for _, p := range t.Paths {
		if c.ctx.Err() != nil {
			return
		}
		c.examinePath(cleanTarget(p), seen)
	}
	depth := t.Depth
	if depth <= 0 {
		depth = 1
	}
	for _, d := range t.Dirs {
		if c.ctx.Err() != nil {
			return
		}
		dir := cleanTarget(d)
		c.examinePath(dir, seen)
		c.listDir(dir, depth, seen)
	}
}

func cleanTarget(p string) string { return path.Clean("/" + p) }

// examinePath lstats one target path (its directories resolved inside the root) and emits it.
func (c *collector) examinePath(target string, seen map[string]bool) {
	if seen[target] {
		return
	}
	seen[target] = true
	hp, err := c.r.resolve(target, false)
	if err != nil {
		if !isAbsent(err) {
			c.report(AreaFiles, target, err)
		}
		return
	}
	fi, err := os.Lstat(hp)
	if err != nil {
		if !isAbsent(err) {
			c.report(AreaFiles, target, err)
		}
		return
	}
	c.emitFile(target, hp, fi)
}

// listDir emits every entry of a target directory, depth levels down, lstat only.
func (c *collector) listDir(dir string, depth int, seen map[string]bool) {
	hp, err := c.r.resolve(dir, true)
	if err != nil {
		if !isAbsent(err) {
			c.report(AreaFiles, dir, err)
		}
		return
	}
	f, err := c.r.openDir(hp)
	if err != nil {
		if !isAbsent(err) {
			c.report(AreaFiles, dir, reason.Wrap(err, "cannot list the directory", "ディレクトリの一覧を取得できません"))
		}
		return
	}
	defer f.Close()
	listed := 0
	var subdirs []string
	for c.ctx.Err() == nil {
		entries, err := f.ReadDir(1024)
		for _, de := range entries {
			listed++
			if listed > maxDirEntries {
				c.report(AreaFiles, dir, reason.New(fmt.Sprintf("more than %d entries; the rest were not examined", maxDirEntries),
					fmt.Sprintf("%d 件を超えるエントリがあり、残りは検査していません", maxDirEntries)))
				return
			}
			target := path.Join(dir, de.Name())
			if seen[target] {
				continue
			}
			seen[target] = true
			fi, err := os.Lstat(hp + "/" + de.Name())
			if err != nil {
				if !isAbsent(err) { // an entry that vanished meanwhile is no finding
					c.report(AreaFiles, target, err)
				}
				continue
			}
			c.emitFile(target, hp+"/"+de.Name(), fi)
			if depth > 1 && fi.IsDir() {
				subdirs = append(subdirs, target)
			}
		}
		if err == io.EOF || (err == nil && len(entries) == 0) {
			break
		}
		if err != nil {
			c.report(AreaFiles, dir, reason.Wrap(err, "listing stopped", "一覧の取得が途中で止まりました"))
			break
		}
	}
	for _, sub := range subdirs {
		c.listDir(sub, depth-1, seen)
	}
}

// emitFile turns one lstat result into a host-file event; a symlink's target is read, never followed.
func (c *collector) emitFile(target, hostPath string, fi fs.FileInfo) {
	kind, desc, descJa := fileKind(fi.Mode())
	var link string
	if kind == "symlink" {
		dest, err := os.Readlink(hostPath)
		if err != nil {
			c.report(AreaFiles, target, reason.Wrap(err, "cannot read the symlink", "シンボリックリンクを読めません"))
		} else {
			link = dest
		}
	}
	e := newEvent(event.FormatHostFile, describeFile(fileWordsEn, target, desc, link, fi))
	ja := describeFile(fileWordsJa, target, descJa, link, fi)
	setValue(e, event.TargetFilename, target)
	e.SetString(event.FileType, kind)
	if kind == "symlink" {
		setValue(e, event.LinkTarget, link)
	}
	c.emit(e, ja)
}

// fileKind names a file type as the FileType field does, and as a person reads it in English and
// Japanese.
func fileKind(m fs.FileMode) (kind, desc, descJa string) {
	switch {
	case m.IsRegular():
		return "file", "regular file", "通常ファイル"
	case m.IsDir():
		return "dir", "directory", "ディレクトリ"
	case m&fs.ModeSymlink != 0:
		return "symlink", "symlink", "シンボリックリンク"
	case m&fs.ModeSocket != 0:
		return "socket", "socket", "ソケット"
	case m&fs.ModeNamedPipe != 0:
		return "fifo", "fifo", "FIFO"
	case m&fs.ModeDevice != 0 && m&fs.ModeCharDevice != 0:
		return "device", "character device", "キャラクタデバイス"
	case m&fs.ModeDevice != 0:
		return "device", "block device", "ブロックデバイス"
	}
	return "other", "unknown file type", "不明な種類のファイル"
}

// fileWords are the words of a file's description in one language.
type fileWords struct {
	file, notFollowed, bytes, sep, mode, modified string
}

var (
	fileWordsEn = fileWords{"file ", ", not followed", " bytes", ", ", "mode ", "modified "}
	fileWordsJa = fileWords{"ファイル ", "、リンク先は辿っていません", " バイト", "、", "モード ", "更新 "}
)

// describeFile is the finding excerpt, in English
// `file /tmp/.bugtraq (regular file, 10240 bytes, mode 0755, uid 48, modified 2002-09-14 03:12:00 UTC)`
// or in Japanese
// `ファイル /tmp/.bugtraq (通常ファイル、10240 バイト、モード 0755、uid 48、更新 2002-09-14 03:12:00 UTC)`.
func describeFile(w fileWords, target, desc, link string, fi fs.FileInfo) string {
	var b strings.Builder
	b.WriteString(w.file)
	b.WriteString(target)
	b.WriteString(" (")
	b.WriteString(desc)
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		b.WriteString(" -> ")
		b.WriteString(link)
		b.WriteString(w.notFollowed)
	case fi.Mode().IsRegular():
		b.WriteString(w.sep)
		b.WriteString(strconv.FormatInt(fi.Size(), 10))
		b.WriteString(w.bytes)
	}
	b.WriteString(w.sep + w.mode + formatMode(fi.Mode()))
	if uid, ok := fileOwner(fi); ok {
		fmt.Fprintf(&b, "%suid %d", w.sep, uid)
	}
	b.WriteString(w.sep + w.modified)
	b.WriteString(fi.ModTime().UTC().Format(time.DateTime))
	b.WriteString(" UTC)")
	return b.String()
}

// formatMode prints permissions the way chmod takes them, setuid/setgid/sticky included (a setuid
// file in /tmp is itself a signal).
func formatMode(m fs.FileMode) string {
	v := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		v |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		v |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		v |= 0o1000
	}
	return fmt.Sprintf("%04o", v)
}
