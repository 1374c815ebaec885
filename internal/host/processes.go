package host

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/reason"
)

const (
	maxCommBytes    = 256       // the kernel keeps 16
	maxCmdlineBytes = 64 * 1024 // longer command lines are cut; the start is what identifies a program
)

var errNoProc = reason.New("no /proc under the root: sockets and processes not examined (a mounted disk image has none; run keikai check on the live system for them)",
	"ルートの下に /proc がありません: ソケットとプロセスは検査していません (マウントしたディスクイメージには /proc がありません。稼働中のシステムで keikai check を実行してください)")

// procfs examines sockets and processes, which both come from the root's /proc.
func (c *collector) procfs() {
	procHost, err := c.r.resolve("/proc", true)
	if err == nil && !procPopulated(c.r, procHost) {
		err = errNoProc
	}
	if err != nil {
		if isAbsent(err) {
			err = errNoProc
		}
		c.report(AreaProcesses, "/proc", err)
		return
	}
	c.sockets(procHost)
	c.processes(procHost)
}

// procPopulated tells a mounted proc (or a copy of one) from the empty mount point of an image.
func procPopulated(r rootFS, procHost string) bool {
	if _, err := os.Lstat(procHost + "/net"); err == nil {
		return true
	}
	f, err := r.openDir(procHost)
	if err != nil {
		return false
	}
	defer f.Close()
	for {
		names, err := f.Readdirnames(256)
		for _, n := range names {
			if isPid(n) {
				return true
			}
		}
		if err != nil || len(names) == 0 {
			return false
		}
	}
}

func isPid(name string) bool {
	if name == "" || len(name) > 10 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] < '0' || name[i] > '9' {
			return false
		}
	}
	return true
}

// processes emits one event per /proc/<pid>.
func (c *collector) processes(procHost string) {
	f, err := c.r.openDir(procHost)
	if err != nil {
		c.report(AreaProcesses, "/proc", reason.Wrap(err, "cannot list processes", "プロセスの一覧を取得できません"))
		return
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		c.report(AreaProcesses, "/proc", reason.Wrap(err, "listing processes stopped", "プロセスの一覧の取得が途中で止まりました"))
	}
	deniedExe := 0
	for _, de := range entries {
		if c.ctx.Err() != nil {
			return
		}
		// A pid entry planted as a symlink in an image is not followed.
		if !isPid(de.Name()) || !de.IsDir() {
			continue
		}
		p, err := readProcess(c.r, procHost+"/"+de.Name(), de.Name())
		switch {
		case err == nil:
		case vanished(err):
			continue // the process exited while it was being read
		default:
			c.report(AreaProcesses, "/proc/"+de.Name(), err)
			continue
		}
		if p.exeDenied {
			deniedExe++
		}
		c.emit(p.event(), p.describe(procWordsJa))
	}
	if deniedExe > 0 {
		// As root the denial comes from elsewhere (a container without CAP_SYS_PTRACE, another PID
		// namespace); advice to run as root would send the reader in a circle.
		en := fmt.Sprintf("%d processes' executables could not be read (permission denied: they belong to other users); run as root to see them", deniedExe)
		ja := fmt.Sprintf("%d 個のプロセスの実行ファイルを読めませんでした (権限がありません。他のユーザのプロセスです): root で実行すると見えます", deniedExe)
		if os.Geteuid() == 0 {
			en = fmt.Sprintf("%d processes' executables could not be read (permission denied even as root: keikai may lack the CAP_SYS_PTRACE capability, as in a container); run it on the host itself, or with that capability", deniedExe)
			ja = fmt.Sprintf("%d 個のプロセスの実行ファイルを読めませんでした (root でも権限がありません。コンテナ内などで CAP_SYS_PTRACE 権限がない可能性があります): ホスト上で、またはその権限を付けて実行してください", deniedExe)
		}
		c.report(AreaProcesses, "/proc/*/exe", reason.New(en, ja))
	}
}

// vanished reports whether err means the process exited during the read.
func vanished(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH)
}

type procInfo struct {
	pid, comm, cmdline, exe string
	exeDenied               bool
}

func readProcess(r rootFS, dir, pid string) (procInfo, error) {
	p := procInfo{pid: pid}
	comm, err := r.readRegular(dir+"/comm", maxCommBytes)
	if err != nil {
		return p, err
	}
	p.comm = strings.TrimSuffix(string(comm), "\n")
	cmdline, err := readCmdline(r, dir+"/cmdline")
	if err != nil {
		return p, err
	}
	p.cmdline = cmdline
	exe, err := os.Readlink(dir + "/exe")
	switch {
	case err == nil:
		p.exe = exe
	case errors.Is(err, fs.ErrPermission):
		p.exeDenied = true
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.EINVAL):
		// Kernel threads have no executable; in a copied /proc exe may not be a link.
	default:
		return p, err
	}
	return p, nil
}

// readCmdline returns the NUL-separated arguments joined by spaces.
func readCmdline(r rootFS, hostPath string) (string, error) {
	f, err := r.openRegular(hostPath)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCmdlineBytes))
	if err != nil {
		return "", err
	}
	return cmdlineText(data), nil
}

func cmdlineText(data []byte) string {
	data = bytes.TrimRight(data, "\x00")
	return string(bytes.ReplaceAll(data, []byte{0}, []byte{' '}))
}

// procWords are the words of a process's description in one language.
type procWords struct{ process, exe, exeDenied string }

var (
	procWordsEn = procWords{"process ", " (exe ", " (exe not readable)"}
	procWordsJa = procWords{"プロセス ", " (実行ファイル ", " (実行ファイルは読めません)"}
)

// describe is the process's description, in English
// `process 4242 .bugtraq: ./.bugtraq 192.0.2.1 (exe /tmp/.bugtraq (deleted))` or in Japanese
// `プロセス 4242 .bugtraq: ./.bugtraq 192.0.2.1 (実行ファイル /tmp/.bugtraq (deleted))`.
func (p procInfo) describe(w procWords) string {
	var b strings.Builder
	b.WriteString(w.process)
	b.WriteString(p.pid)
	b.WriteString(" ")
	b.WriteString(p.comm)
	if p.cmdline != "" {
		b.WriteString(": ")
		b.WriteString(p.cmdline)
	}
	switch {
	case p.exe != "":
		b.WriteString(w.exe)
		b.WriteString(p.exe)
		b.WriteString(")")
	case p.exeDenied:
		b.WriteString(w.exeDenied)
	}
	return b.String()
}

// event: `process 4242 .bugtraq: ./.bugtraq 192.0.2.1 (exe /tmp/.bugtraq (deleted))`.
func (p procInfo) event() *event.Event {
	e := newEvent(event.FormatHostProcess, p.describe(procWordsEn))
	setValue(e, event.ProcessID, p.pid)
	setValue(e, event.ProcessName, p.comm)
	if p.cmdline != "" {
		setValue(e, event.CommandLine, p.cmdline)
	}
	if p.exe != "" {
		setValue(e, event.Image, p.exe)
	}
	return e
}
