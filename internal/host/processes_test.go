package host

import (
	"os"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/testenv"
)

func TestCollectProcesses(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"proc/4242/comm":    ".bugtraq\n",
		"proc/4242/cmdline": "./.bugtraq\x00192.0.2.1\x00",
		"proc/4242/exe":     "->/tmp/.bugtraq (deleted)",
		"proc/1/comm":       "init\n",
		"proc/1/cmdline":    "/sbin/init\x00",
		"proc/1/exe":        "->/sbin/init",
		"proc/2/comm":       "kthreadd\n", // a kernel thread: no cmdline, no exe
		"proc/2/cmdline":    "",
		"proc/777":          "->4242", // a pid entry planted as a symlink is not followed
		"proc/88/cmdline":   "half-gone",
		"proc/self":         "->4242",
		"proc/net/":         "",
	})
	c := collect(t, root, Targets{})
	tests := []struct {
		pid, name, cmdline, image, raw string
	}{
		{"4242", ".bugtraq", "./.bugtraq 192.0.2.1", "/tmp/.bugtraq (deleted)", "process 4242 .bugtraq: ./.bugtraq 192.0.2.1 (exe /tmp/.bugtraq (deleted))"},
		{"1", "init", "/sbin/init", "/sbin/init", "process 1 init: /sbin/init (exe /sbin/init)"},
		{"2", "kthreadd", "", "", "process 2 kthreadd"},
	}
	for _, tt := range tests {
		m, ok := c.find(event.FormatHostProcess, "ProcessId", tt.pid)
		if !ok {
			t.Errorf("no process %s; processes: %v", tt.pid, c.ofFormat(event.FormatHostProcess))
			continue
		}
		if m["ProcessName"] != tt.name || m["CommandLine"] != tt.cmdline || m["Image"] != tt.image || m["Raw"] != tt.raw {
			t.Errorf("process %v, want %+v", m, tt)
		}
	}
	if n := len(c.ofFormat(event.FormatHostProcess)); n != 3 {
		t.Errorf("%d processes, want 3 (no symlinked pid, no process that vanished)", n)
	}
	if ps := c.problemsIn(AreaProcesses); len(ps) != 0 {
		t.Errorf("problems = %v; a process without comm has exited and is skipped silently", ps)
	}
}

func TestCmdlineText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"./.bugtraq\x00192.0.2.1\x00", "./.bugtraq 192.0.2.1"},
		{"nginx: worker process\x00\x00\x00", "nginx: worker process"},
		{"", ""},
		{"\x00", ""},
		{"a\x00\x00b", "a  b"},
	}
	for _, tt := range tests {
		if got := cmdlineText([]byte(tt.in)); got != tt.want {
			t.Errorf("cmdlineText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCollectWithoutProc(t *testing.T) {
	tests := []struct {
		name string
		tree map[string]string
	}{
		{"no proc at all", map[string]string{"etc/": ""}},
		{"empty mount point", map[string]string{"proc/": ""}},
		{"proc is a file", map[string]string{"proc": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collect(t, fakeRoot(t, tt.tree), Targets{})
			ps := append(c.problemsIn(AreaProcesses), c.problemsIn(AreaSockets)...)
			if len(ps) != 1 || !strings.Contains(ps[0].Err.Error(), "sockets and processes not examined") {
				t.Errorf("problems = %v, want exactly one saying sockets and processes were not examined", ps)
			}
		})
	}
}

// On the live system as an ordinary user, other users' executables cannot be read: one Problem
// with a count, not one per process.
func TestCollectLiveProcessesAsUser(t *testing.T) {
	testenv.NonRoot(t)
	if _, err := os.Stat("/proc/self/exe"); err != nil {
		t.Skip("no /proc on this system")
	}
	c := collect(t, "/", Targets{})
	if len(c.ofFormat(event.FormatHostProcess)) == 0 {
		t.Fatal("no processes from the live /proc")
	}
	denied := 0
	for _, p := range c.problemsIn(AreaProcesses) {
		if strings.Contains(p.Err.Error(), "permission denied") {
			denied++
		}
	}
	if denied > 1 {
		t.Errorf("%d permission problems, want at most one summary", denied)
	}
}
