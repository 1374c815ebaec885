// Package cli is keikai's command line: it turns arguments into options for the domain packages,
// runs them, and maps the outcome to an exit code. Exit codes are decided here and nowhere else:
//
//	0  clean: nothing found (rules test: every sample passed; serve: stopped cleanly; report,
//	   token: done)
//	1  findings (rules test: a sample failed; report show|reanalyse, token revoke: no such
//	   report or token)
//	2  usage error, or an input, rule or database that could not be read
package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

const (
	exitClean    = 0
	exitFindings = 1
	exitError    = 2
)

// Env is what a command sees of the world; tests substitute every part.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (NO_COLOR, LANG).
	Getenv func(string) string
	// IsTerminal reports whether a writer is a terminal (for colour and progress).
	IsTerminal func(io.Writer) bool
}

// errUsage marks errors in how keikai was called; they print the command's usage hint.
var errUsage = errors.New("usage")

type command struct {
	name    string
	summary string
	run     func(env *Env, args []string) int
}

func commands() []command {
	return []command{
		{"analyze", "find attacks in log files (syslog, firewall, web, mail, logins)", runAnalyze},
		{"check", "run the advisories' detection methods on this host or a mounted image", runCheck},
		{"advisory", "lint, render, sign, verify and publish advisories", runAdvisory},
		{"key", "generate, import and export the OpenPGP key advisories are signed with", runKey},
		{"rules", "list, test and inspect the detection rules", runRules},
		{"serve", "run the report desk: web form, API, status pages and analysis workers", runServe},
		{"import", "import mail collected elsewhere (mbox, maildir) as reports", runImport},
		{"demo", "fill a fresh database with a generated quarter of 718 reports", runDemo},
		{"report", "show, list and re-analyse stored reports", runReport},
		{"token", "add, list and revoke the partners' API tokens", runToken},
		{"version", "print keikai's version", runVersion},
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
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return Run([]string{args[1], "--help"}, env)
		}
		usage(env.Stdout)
		if len(args) == 0 {
			return exitError
		}
		return exitClean
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(env, args[1:])
		}
	}
	fmt.Fprintf(env.Stderr, "keikai: unknown command %q; run 'keikai help' for the list of commands\n", args[0])
	return exitError
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("keikai — incident coordination for CSIRTs: find the attacks that advisories describe.\n\n")
	b.WriteString("Usage: keikai <command> [flags] [arguments]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'keikai <command> --help' for a command's flags.\n")
	b.WriteString("Exit codes: 0 nothing found (or done), 1 findings (or no such report or token), 2 usage, input or database error.\n")
	io.WriteString(w, b.String())
}

// newStdout buffers standard output: findings can number in the hundreds of thousands, and a
// system call each would dominate. Commands flush after each finding when stdout is a terminal, so
// that a person sees findings as they come.
func newStdout(env *Env) (w *bufio.Writer, interactive bool) {
	return bufio.NewWriterSize(env.Stdout, 256<<10), env.IsTerminal(env.Stdout)
}

// fail prints err for a person and returns the exit code for errors.
func fail(env *Env, cmd string, err error) int {
	fmt.Fprintf(env.Stderr, "keikai %s: %v\n", cmd, err)
	return exitError
}
