package reason

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/keikai-project/keikai/internal/finding"
)

func TestText(t *testing.T) {
	loop := New("too many levels of symbolic links (a link loop?)", "シンボリックリンクの段数が多すぎます (リンクのループ?)")
	for _, tt := range []struct {
		name string
		err  error
		want finding.Text
	}{
		{"nil", nil, finding.Text{}},
		{"worded", loop, finding.Text{En: loop.Error(), Ja: "シンボリックリンクの段数が多すぎます (リンクのループ?)"}},
		{
			"path error around a worded cause",
			&fs.PathError{Op: "resolve", Path: "/var/log/httpd", Err: loop},
			finding.Text{En: "resolve /var/log/httpd: too many levels of symbolic links (a link loop?)", Ja: "resolve /var/log/httpd: シンボリックリンクの段数が多すぎます (リンクのループ?)"},
		},
		{
			"wrapped system error",
			Wrap(&fs.PathError{Op: "open", Path: "/proc", Err: syscall.EACCES}, "cannot list processes", "プロセスの一覧を取得できません"),
			finding.Text{En: "cannot list processes: open /proc: permission denied", Ja: "プロセスの一覧を取得できません: open /proc: 権限がありません (permission denied)"},
		},
		{
			"another package's wrapping keeps its words, the cause in Japanese",
			fmt.Errorf("opening the rpm database: %w", syscall.ENOENT),
			finding.Text{En: "opening the rpm database: no such file or directory", Ja: "opening the rpm database: ファイルまたはディレクトリが存在しません (no such file or directory)"},
		},
		{
			"a sentinel with a detail after it",
			fmt.Errorf("%w: header size 0", New("journal file is damaged or truncated", "journal ファイルが壊れているか途中で切れています")),
			finding.Text{En: "journal file is damaged or truncated: header size 0", Ja: "journal ファイルが壊れているか途中で切れています: header size 0"},
		},
		{"unknown errno", syscall.Errno(0x7fff), finding.Text{En: syscall.Errno(0x7fff).Error(), Ja: syscall.Errno(0x7fff).Error()}},
		{"plain error", errors.New("bad header"), finding.Text{En: "bad header", Ja: "bad header"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.err); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if tt.err != nil && Text(tt.err).En != tt.err.Error() {
				t.Error("the English is not err.Error()")
			}
		})
	}
	if !errors.Is(Wrap(syscall.EACCES, "x", "y"), fs.ErrPermission) {
		t.Error("Wrap hides its cause from errors.Is")
	}
}
