package input

import (
	"compress/flate"
	"compress/gzip"
	"errors"
	"io/fs"

	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/reason"
)

// errDirectoryLoop is the Err of a warning about a directory reached a second time.
var errDirectoryLoop = errors.New("directory reached twice (symlink loop or bind mount)")

// why is the part of err that a person needs, in both languages; the file name is already in
// the warning.
func why(err error) finding.Text {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		err = pathErr.Err
	}
	return reason.Text(err)
}

func isCorruptGzip(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, &corrupt)
}

// openWarning says why a path cannot be read and what to do about it.
func openWarning(file string, err error) Warning {
	w := Warning{File: file, Err: err}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		w.Msg = "does not exist (removed or renamed?); skipped"
		w.MsgJa = "存在しません (削除または名前が変更された?)。読み飛ばしました"
	case errors.Is(err, fs.ErrPermission):
		w.Msg = "permission denied; skipped (run as a user who may read it, or copy it somewhere readable)"
		w.MsgJa = "読み取り権限がありません。読み飛ばしました (読めるユーザで実行するか、読める場所にコピーしてください)"
	default:
		r := why(err)
		w.Msg = "cannot be read (" + r.En + "); skipped"
		w.MsgJa = "読めません (" + r.Ja + ")。読み飛ばしました"
	}
	return w
}
