// Package cli is keikai's command line: it turns arguments into options for the domain packages,
// runs them, and maps the outcome to an exit code. Exit codes are decided here and nowhere else:
//
//	0  clean: everything named was read and analysed, and nothing was found
//	   (rules test: every sample passed; serve: stopped cleanly; report, token, advisory: done)
//	1  findings, even when some input could not be read: findings are never hidden behind an
//	   input error; a warning then says the result is incomplete (rules test: a sample failed;
//	   report show|reanalyse, token revoke, user passwd|disable: no such report, token or account)
//	2  usage error, rules that could not be loaded, a database that could not be opened, or an
//	   input that could not be read (and no finding in the rest)
//	3  nothing was analysed: no log file, only empty files, or no line in a format keikai reads;
//	   the message says what to do
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/keikai-project/keikai/internal/escape"
)

const (
	exitClean    = 0
	exitFindings = 1
	exitError    = 2
	exitNothing  = 3
)

// exitCodesHelp is the exit-code table every help text ends with.
const exitCodesHelp = `Exit codes: 0 nothing found; 1 findings (also when some input could not be read: a warning says so);
2 usage error, or an input or rule that could not be read; 3 nothing analysed (no log, empty logs,
or no line in a known format).`

// Env is what a command sees of the world; tests substitute every part.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (NO_COLOR, TERM, LANG).
	Getenv func(string) string
	// IsTerminal reports whether a writer is a terminal (for colour and progress).
	IsTerminal func(io.Writer) bool
	// TerminalWidth is a terminal's width in columns, 0 when unknown; nil means unknown.
	TerminalWidth func(io.Writer) int
	// SystemRoot is where the system whose logs `analyze` reads when given no path is mounted;
	// "" means this host ("/"). Tests point it at a directory they built.
	SystemRoot string
}

// errUsage marks errors in how keikai was called; they print a one-line hint to the help.
var errUsage = errors.New("usage")

type command struct {
	name    string
	summary string
	run     func(env *Env, args []string) int
}

// commands is the command table: one line per command, in the order help lists them.
func commands() []command {
	return []command{
		{"analyze", "find attacks in log files (syslog, firewall, web, mail, logins)", runAnalyze},
		{"check", "run the advisories' detection methods on this host or a mounted image", runCheck},
		{"advisory", "lint, render, sign, verify and publish advisories", runAdvisory},
		{"key", "generate, import and export the OpenPGP key advisories are signed with", runKey},
		{"rules", "list, show, test and inspect the detection rules", runRules},
		{"serve", "run the report desk: web form, API, status pages and analysis workers", runServe},
		{"import", "import mail collected elsewhere (mbox, maildir) as reports", runImport},
		{"demo", "fill a fresh database with a generated quarter of 718 reports", runDemo},
		{"report", "show, list and re-analyse stored reports; the activity report", runReport},
		{"token", "add, list and revoke the partners' API tokens", runToken},
		{"user", "add, list and disable staff accounts; set their passwords", runUser},
		{"audit", "list the audit log of changes and verify its hash chain", runAudit},
		{"version", "print keikai's version, commit and rule count", runVersion},
		{"completion", "print a shell completion script (bash, zsh or fish)", runCompletion},
	}
}

// Run executes keikai with args (without the program name) and returns the exit code.
func Run(args []string, env *Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.IsTerminal == nil {
		env.IsTerminal = func(io.Writer) bool { return false }
	}
	if env.TerminalWidth == nil {
		env.TerminalWidth = func(io.Writer) int { return 0 }
	}
	if len(args) == 0 {
		usage(env.Stderr)
		return exitError
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return Run([]string{args[1], "--help"}, env)
		}
		usage(env.Stdout)
		return exitClean
	case "-version", "--version":
		return runVersion(env, args[1:])
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(env, args[1:])
		}
	}
	msg := `unknown command "` + escape.String(args[0]) + `"`
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if s := suggest(args[0], names); s != "" {
		msg += `; did you mean "` + s + `"?`
	}
	fmt.Fprintf(env.Stderr, "keikai: %s\nrun 'keikai help' for the list of commands\n", msg)
	return exitError
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("keikai — incident coordination for CSIRTs: find the attacks that advisories describe.\n\n")
	b.WriteString("Usage: keikai <command> [flags] [arguments]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'keikai <command> --help' for a command's flags; 'keikai --version' for the version.\n")
	b.WriteString(exitCodesHelp + "\n")
	io.WriteString(w, b.String())
}

// suggest returns the name a mistyped one most likely meant: one within two edits, or the only
// one it is a prefix of; "" when nothing is close.
func suggest(name string, names []string) string {
	best, bestDist := "", 3
	var prefixed []string
	for _, n := range names {
		if d := editDistance(name, n); d < bestDist {
			best, bestDist = n, d
		}
		if len(name) >= 2 && strings.HasPrefix(n, name) {
			prefixed = append(prefixed, n)
		}
	}
	if best == "" && len(prefixed) == 1 {
		return prefixed[0]
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes (command names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// fail prints err for a person and returns the exit code for errors. Error texts carry paths,
// arguments and rule-file text raw; they are escaped here, once, line by line. A usage error gets
// one line of hint, not the whole help: the help is for --help.
func fail(env *Env, cmd string, err error) int {
	text := err.Error()
	isUsage := errors.Is(err, errUsage)
	if isUsage {
		text = strings.TrimPrefix(text, errUsage.Error()+": ")
	}
	fmt.Fprintf(env.Stderr, "keikai %s: %s\n", cmd, escapeLines(text))
	if isUsage {
		fmt.Fprintf(env.Stderr, "run 'keikai %s --help' for the flags and arguments\n", cmd)
	}
	return exitError
}

// escapeLines escapes each line of a multi-line message, keeping the line breaks and the
// indentation a nested error uses.
func escapeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		body := strings.TrimLeft(l, "\t ")
		indent := strings.ReplaceAll(l[:len(l)-len(body)], "\t", "    ")
		lines[i] = indent + escape.String(body)
	}
	return strings.Join(lines, "\n")
}
