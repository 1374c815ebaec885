// Package reason words why something could not be read or examined in English and Japanese at
// the place that knows why, so that the output shows the user's language throughout instead of
// translating English error texts after the fact.
package reason

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"

	"github.com/keikai-project/keikai/internal/finding"
)

// Error is an error worded in both languages. Error() is the English, followed by the cause's
// text when there is one, so wrapping with it leaves English messages as they were.
type Error struct {
	En, Ja string
	Err    error // the cause, or nil
}

// New returns an error without a cause.
func New(en, ja string) error { return &Error{En: en, Ja: ja} }

// Wrap returns err with the words of the layer that met it: "en: cause".
func Wrap(err error, en, ja string) error { return &Error{En: en, Ja: ja, Err: err} }

func (e *Error) Error() string {
	if e.Err == nil {
		return e.En
	}
	return e.En + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Text is err in both languages. En is always err.Error(). Ja is built from the layers keikai
// worded (Error), the file operations (fs.PathError) and the system's error numbers; a layer
// without Japanese words (another package's error) is shown as it is.
func Text(err error) finding.Text {
	if err == nil {
		return finding.Text{}
	}
	return finding.Text{En: err.Error(), Ja: japanese(err)}
}

func japanese(err error) string {
	switch e := err.(type) {
	case *Error:
		if e.Err == nil {
			return e.Ja
		}
		return e.Ja + ": " + japanese(e.Err)
	case *fs.PathError:
		return e.Op + " " + e.Path + ": " + japanese(e.Err)
	case syscall.Errno:
		if ja, ok := errnoJa[e]; ok {
			return ja + " (" + e.Error() + ")"
		}
		return e.Error()
	}
	// Another package's wrapping (fmt.Errorf("...: %w") or "%w: detail"): its words stay, the
	// cause it wraps is shown in Japanese.
	text := err.Error()
	if inner := errors.Unwrap(err); inner != nil {
		if rest, ok := strings.CutSuffix(text, inner.Error()); ok {
			return rest + japanese(inner)
		}
		if rest, ok := strings.CutPrefix(text, inner.Error()); ok {
			return japanese(inner) + rest
		}
	}
	return text
}

// errnoJa are the system errors a read-only check or a log read meets, in Japanese.
var errnoJa = map[syscall.Errno]string{
	syscall.ENOENT:       "ファイルまたはディレクトリが存在しません",
	syscall.EACCES:       "権限がありません",
	syscall.EPERM:        "操作が許可されていません",
	syscall.ENOTDIR:      "ディレクトリではありません",
	syscall.EISDIR:       "ディレクトリです",
	syscall.ELOOP:        "シンボリックリンクの段数が多すぎます",
	syscall.EIO:          "入出力エラー",
	syscall.ENXIO:        "デバイスまたはアドレスが存在しません",
	syscall.EXDEV:        "検査対象のルートの外を指しています",
	syscall.ENAMETOOLONG: "ファイル名が長すぎます",
	syscall.ESTALE:       "NFS のファイルハンドルが無効です",
	syscall.EAGAIN:       "一時的に利用できません",
	syscall.EINVAL:       "引数が不正です",
}
