// Command keikai is a CSIRT's incident-coordination tool: it finds the attacks that advisories
// describe in logs and on hosts. All behaviour lives in package cli; main only wires the process.
package main

import (
	"io"
	"os"

	"golang.org/x/term"

	"github.com/keikai-project/keikai/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], &cli.Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		IsTerminal: func(w io.Writer) bool {
			f, ok := w.(*os.File)
			return ok && term.IsTerminal(int(f.Fd()))
		},
		TerminalWidth: func(w io.Writer) int {
			if f, ok := w.(*os.File); ok {
				if cols, _, err := term.GetSize(int(f.Fd())); err == nil {
					return cols
				}
			}
			return 0
		},
	}))
}
