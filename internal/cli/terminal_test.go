package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/output"
	"github.com/keikai-project/keikai/internal/testenv"
)

// terminalLog writes a log big enough for the progress bar to be drawn many times, with a finding
// every 5,000 lines and one line that tries to set the terminal's title and clear the screen.
func terminalLog(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	const lines = 450_000
	for i := range lines {
		switch {
		case i == lines/2:
			b.WriteString("203.0.113.99 - - [22/Apr/2004:11:57:26 -0400] \"GET /cgi-bin/phf HTTP/1.0\" 404 287 \"-\" \"\x1b]2;pwned\x07\x1b[2J\u202e\"\n")
		case i%5000 == 0:
			fmt.Fprintf(&b, "198.51.100.%d - - [22/Apr/2004:11:57:26 -0400] \"GET /cgi-bin/phf?Qalias=x HTTP/1.0\" 404 287 \"-\" \"-\"\n", i/5000)
		default:
			fmt.Fprintf(&b, "Mar  1 10:%02d:%02d host CRON[%d]: (root) CMD (run-parts /etc/cron.hourly)\n", i/60%60, i%60, 1000+i)
		}
	}
	name := filepath.Join(dir, "big.log")
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func buildKeikai(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "keikai")
	cmd := exec.Command(testenv.Command(t, "go", "golang-go"), "build", "-o", bin, "../../cmd/keikai")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// barStart is how the progress bar begins: the amount read so far.
var barStart = regexp.MustCompile(`^[0-9]+\.[0-9] MiB`)

// TestTerminalInTmux runs keikai in a real terminal, a narrow tmux pane, and reads back what the
// pane received byte for byte (pipe-pane) and what it shows (capture-pane): the progress bar never
// shares a line with a finding or a warning, never wraps, is gone at the end, and no control
// sequence from the log reaches the terminal.
func TestTerminalInTmux(t *testing.T) {
	tmux := testenv.Command(t, "tmux", "tmux")
	dir := t.TempDir()
	bin := buildKeikai(t, dir)
	log := terminalLog(t, dir)
	// Narrower than the bar ("19.0 MiB  94.7 MiB/s"), so it must be cut to fit.
	const cols = 18
	socket := filepath.Join(dir, "tmux.sock")
	// The history must hold the whole run; a pane takes its limit when it is created.
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set-option -g history-limit 200000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", socket, "-f", conf}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tm("new-session", "-d", "-s", "k", "-x", fmt.Sprint(cols), "-y", "30", "env", "PS1=$ ", "HISTFILE=/dev/null", "sh")
	t.Cleanup(func() { exec.Command(tmux, "-S", socket, "kill-server").Run() })

	for _, format := range []string{"ndjson", "text"} {
		t.Run(format, func(t *testing.T) {
			tm("clear-history", "-t", "k")
			tm("send-keys", "-t", "k", "clear", "Enter")
			raw := filepath.Join(dir, format+".raw")
			tm("pipe-pane", "-t", "k", "-o", "cat > "+raw)
			// The log comes through a pipe that stalls halfway, so the analysis outlasts several
			// ticks of the bar however fast the machine, with findings before and after. The
			// hostile line is the 46th source of its rule: --top lists it in text.
			cmd := fmt.Sprintf("{ head -n 225000 %[2]s; sleep 1.5; tail -n +225001 %[2]s; } | %[1]s analyze --tz UTC --top 100 --format %[3]s - /nonexistent-%[3]s; echo KEIKAI-EXIT-%[3]s=$?",
				bin, log, format)
			// The shell's report of the exit code; the typed command shows "=$?" instead.
			exitLine := regexp.MustCompile(`(?m)^KEIKAI-EXIT-` + format + `=([0-9]+)$`)
			tm("send-keys", "-t", "k", cmd, "Enter")
			deadline := time.Now().Add(2 * time.Minute)
			var screen string
			for {
				screen = tm("capture-pane", "-t", "k", "-p", "-J", "-S", "-", "-E", "-")
				if exitLine.MatchString(screen) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("keikai did not finish in the pane:\n%s", screen)
				}
				time.Sleep(200 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond) // let pipe-pane write its last bytes
			tm("pipe-pane", "-t", "k")
			if m := exitLine.FindStringSubmatch(screen); m[1] != "1" {
				t.Errorf("exit code is not 1 (findings, with an input missing):\n%s", screen)
			}
			data, err := os.ReadFile(raw)
			if err != nil {
				t.Fatal(err)
			}
			stream := string(data)
			bars := 0
			for _, seg := range strings.Split(stream, "\r\x1b[K") {
				if !barStart.MatchString(seg) {
					continue
				}
				bars++
				if strings.ContainsAny(seg, "\n{[") {
					t.Errorf("the progress bar shares its line with other output: %q", seg)
				}
				if w := output.Width(seg); w >= cols {
					t.Errorf("the progress bar is %d columns in a %d-column pane: %q", w, cols, seg)
				}
			}
			if bars == 0 {
				t.Fatalf("the progress bar was never drawn; the test log is too small to test it:\n%q", stream[:min(len(stream), 2000)])
			}
			if format == "ndjson" && strings.Index(stream, "\r\x1b[K") > strings.LastIndex(stream, `{"rule"`) {
				t.Errorf("no finding was written while the bar was up; the test does not test the interleaving")
			}
			for _, line := range strings.Split(screen, "\n") {
				if barStart.MatchString(line) {
					t.Errorf("the progress bar is left on the screen: %q", line)
				}
			}
			if strings.ContainsAny(screen, "\x1b\x07\u202e") {
				t.Errorf("raw control characters on the screen")
			}
			shown := `\x1b]2;pwned\x07\x1b[2J\u202e`
			if format == "ndjson" {
				shown = strings.ReplaceAll(shown, `\`, `\\`) // JSON writes the escape's backslash as two
			}
			if !strings.Contains(screen, shown) {
				t.Errorf("the hostile user agent is not shown escaped:\n%s", screen)
			}
			if title := tm("display-message", "-p", "-t", "k", "#{pane_title}"); strings.Contains(title, "pwned") {
				t.Errorf("a log line set the terminal title: %q", title)
			}
			if !strings.Contains(screen, "keikai: warning: /nonexistent-"+format) {
				t.Errorf("the warning about the missing input is not on the screen:\n%s", screen)
			}
			t.Logf("%s: the bar was drawn %d times", format, bars)
		})
	}
}
