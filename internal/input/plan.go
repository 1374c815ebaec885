package input

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/safeopen"
)

// maxWalkDepth backs up loop detection where a file's identity cannot be read.
const maxWalkDepth = 1000

// Plan expands paths into the sources Run reads, in a deterministic order: the paths in the order
// given, each directory's entries recursively in name order. "-" is stdin (at most once). Symlinks
// are followed; a directory or file reached a second time (symlink loop, bind mount, the same file
// named twice) is skipped with a warning so nothing is analysed twice. Inside directories only
// regular files are read; a FIFO or character device is read only when named explicitly (for
// example /dev/stdin or a process substitution). Everything skipped is reported through warn.
func (r *Reader) Plan(paths []string, warn func(Warning)) []*Source {
	if warn == nil {
		warn = func(Warning) {}
	}
	p := &planner{warn: warn, seen: map[string]string{}, r: r}
	for _, path := range paths {
		p.add(path)
	}
	return p.sources
}

type planner struct {
	r         *Reader
	warn      func(Warning)
	seen      map[string]string // identity of each file and directory taken → the name it was taken as
	stdinSeen bool
	sources   []*Source
}

func (p *planner) add(path string) {
	switch path {
	case "-":
		if p.stdinSeen {
			p.warn(Warning{File: stdinName, Msg: `"-" was given more than once; stdin is read once`,
				MsgJa: `"-" が複数回指定されました。標準入力は一度だけ読みます`})
			return
		}
		p.stdinSeen = true
		p.sources = append(p.sources, &Source{Name: stdinName, Size: -1, stdin: true})
		return
	case "":
		p.warn(Warning{File: `""`, Msg: "empty path; skipped", MsgJa: "空のパスです。読み飛ばしました"})
		return
	}
	if p.r.root != "" {
		p.addInRoot(path)
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		p.warn(openWarning(path, err))
		return
	}
	mode := fi.Mode()
	switch {
	case mode.IsDir():
		p.walk(path, fi, 0)
	case mode.IsRegular():
		p.addFile(path, fi, true)
	case mode&fs.ModeNamedPipe != 0, mode&fs.ModeCharDevice != 0:
		if p.firstTime(path, fi) {
			p.sources = append(p.sources, &Source{Name: path, path: path, Size: -1})
		}
	default:
		k := kind(mode)
		p.warn(Warning{File: path, Msg: fmt.Sprintf(
			"is a %s; skipped (only files, directories, FIFOs and character devices are read)", k.En),
			MsgJa: fmt.Sprintf("%sのため読み飛ばしました (読むのはファイル、ディレクトリ、FIFO、キャラクタデバイスだけです)", k.Ja)})
	}
}

func (p *planner) walk(dir string, fi fs.FileInfo, depth int) {
	if id, ok := identity(dir, fi); ok {
		if first, dup := p.seen[id]; dup {
			p.warn(Warning{File: dir, Msg: "directory already included as " + first +
				" (symlink loop or bind mount); skipped",
				MsgJa: "ディレクトリは " + first + " として既に含まれています (シンボリックリンクのループかバインドマウント)。読み飛ばしました",
				Err:   &fs.PathError{Op: "walk", Path: dir, Err: errDirectoryLoop}})
			return
		}
		p.seen[id] = dir
	}
	if depth >= maxWalkDepth {
		p.warn(Warning{File: dir, Msg: fmt.Sprintf("directories nested deeper than %d levels; skipped", maxWalkDepth),
			MsgJa: fmt.Sprintf("ディレクトリの階層が %d 段より深いため読み飛ばしました", maxWalkDepth),
			Err:   &fs.PathError{Op: "walk", Path: dir, Err: errDirectoryLoop}})
		return
	}
	// ReadDir sorts by name and, on error, still returns what it could read.
	entries, err := os.ReadDir(dir)
	if err != nil {
		r := why(err)
		p.warn(Warning{File: dir, Msg: fmt.Sprintf(
			"directory cannot be listed (%s); files in it that could not be listed were skipped", r.En),
			MsgJa: fmt.Sprintf("ディレクトリの一覧を取得できません (%s)。一覧に出なかったファイルは読み飛ばしました", r.Ja), Err: err})
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		var info fs.FileInfo
		var err error
		if e.Type()&fs.ModeSymlink != 0 {
			info, err = os.Stat(path)
		} else {
			info, err = e.Info()
		}
		if err != nil {
			p.warn(openWarning(path, err))
			continue
		}
		switch mode := info.Mode(); {
		case mode.IsDir():
			p.walk(path, info, depth+1)
		case mode.IsRegular():
			p.addFile(path, info, e.Type()&fs.ModeSymlink != 0)
		default:
			k := kind(mode)
			p.warn(Warning{File: path, Msg: fmt.Sprintf(
				"is a %s; skipped (inside a directory only regular files are read; name it explicitly to read it)", k.En),
				MsgJa: fmt.Sprintf("%sのため読み飛ばしました (ディレクトリの中では通常ファイルだけを読みます。読むには直接指定してください)", k.Ja)})
		}
	}
}

// addFile takes a regular file after checking that it can be opened, so an unreadable file is
// reported before the analysis starts. The handle says what the file is; follow allows a symlink
// as the last component, where the plan followed one.
func (p *planner) addFile(path string, fi fs.FileInfo, follow bool) {
	f, opened, err := safeopen.File(path, follow)
	if err != nil {
		p.warn(openWarning(path, err))
		return
	}
	_ = f.Close() // opened only to check access; read-only, so a close error loses nothing
	if !os.SameFile(fi, opened) {
		err := &fs.PathError{Op: "open", Path: path, Err: errSwapped}
		p.warn(openWarning(path, err))
		return
	}
	p.take(&Source{Name: path, path: path, ModTime: opened.ModTime(), Size: opened.Size(), regular: true, follow: follow}, opened)
}

// addInRoot takes a file of a checked system's root: a regular file inside the root, never
// followed out of it.
func (p *planner) addInRoot(path string) {
	f, fi, err := p.r.openInRoot(path)
	if err != nil {
		p.warn(openWarning(path, err))
		return
	}
	_ = f.Close()
	p.take(&Source{Name: path, path: path, ModTime: fi.ModTime(), Size: fi.Size(), regular: true}, fi)
}

// take adds a planned regular file, remembering which file it is.
func (p *planner) take(src *Source, fi fs.FileInfo) {
	if !p.firstTime(src.path, fi) {
		return
	}
	src.id, _ = identity(src.path, fi)
	p.sources = append(p.sources, src)
}

// firstTime reports whether the file behind path has not been taken yet, and warns if it has.
func (p *planner) firstTime(path string, fi fs.FileInfo) bool {
	id, ok := identity(path, fi)
	if !ok {
		return true
	}
	if first, dup := p.seen[id]; dup {
		p.warn(Warning{File: path, Msg: "same file as " + first + "; skipped so that its lines are not counted twice",
			MsgJa: first + " と同じファイルです。行を二重に数えないよう読み飛ばしました"})
		return false
	}
	p.seen[id] = path
	return true
}

func kind(mode fs.FileMode) finding.Text {
	switch {
	case mode&fs.ModeNamedPipe != 0:
		return finding.Text{En: "FIFO", Ja: "FIFO"}
	case mode&fs.ModeSocket != 0:
		return finding.Text{En: "socket", Ja: "ソケット"}
	case mode&fs.ModeCharDevice != 0:
		return finding.Text{En: "character device", Ja: "キャラクタデバイス"}
	case mode&fs.ModeDevice != 0:
		return finding.Text{En: "block device", Ja: "ブロックデバイス"}
	default:
		return finding.Text{En: "special file", Ja: "特殊ファイル"}
	}
}
