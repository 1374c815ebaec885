package cli

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
)

const completionHelp = `Usage: keikai completion bash|zsh|fish

Prints a script that completes keikai's commands, subcommands and flags in that shell:
  bash:  source <(keikai completion bash)      (or save it in /etc/bash_completion.d/keikai)
  zsh:   source <(keikai completion zsh)      (in ~/.zshrc, after compinit)
  fish:  keikai completion fish > ~/.config/fish/completions/keikai.fish`

// runCompletion writes a completion script. The words come from the command table and from each
// command's own --help, so a command added to the table completes without touching this file.
func runCompletion(env *Env, args []string) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(env.Stdout, completionHelp)
		return exitClean
	}
	if len(args) != 1 {
		return fail(env, "completion", fmt.Errorf("%w: name the shell: bash, zsh or fish", errUsage))
	}
	words := completionWords()
	switch args[0] {
	case "bash":
		io.WriteString(env.Stdout, bashCompletion(words))
	case "zsh":
		// zsh runs bash completions through bashcompinit, which the script loads.
		io.WriteString(env.Stdout, bashCompletion(words))
	case "fish":
		io.WriteString(env.Stdout, fishCompletion(words))
	default:
		return fail(env, "completion", fmt.Errorf("%w: unknown shell \"%s\": use bash, zsh or fish", errUsage, args[0]))
	}
	return exitClean
}

// commandWords are what may follow one command: its subcommands and its flags.
type commandWords struct {
	name, summary     string
	subcommands       []string
	flags             []string
	flagTakesFile     map[string]bool
	completesFileArgs bool
}

// completionWords reads every command's help: flag lines ("  -name value") and, for commands
// with subcommands, the indented names under "Subcommands:".
func completionWords() []commandWords {
	var out []commandWords
	for _, c := range commands() {
		if c.name == "completion" {
			out = append(out, commandWords{name: c.name, summary: c.summary, subcommands: []string{"bash", "zsh", "fish"}})
			continue
		}
		var help bytes.Buffer
		c.run(&Env{Stdout: &help, Stderr: io.Discard, Getenv: func(string) string { return "" },
			IsTerminal: func(io.Writer) bool { return false }, TerminalWidth: func(io.Writer) int { return 0 }}, []string{"--help"})
		w := commandWords{name: c.name, summary: c.summary, flagTakesFile: map[string]bool{}}
		inSub := false
		for _, line := range strings.Split(help.String(), "\n") {
			trimmed := strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(trimmed, "Subcommands:"):
				inSub = true
			case inSub && strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   "):
				if f := strings.Fields(trimmed); len(f) > 0 {
					w.subcommands = append(w.subcommands, f[0])
				}
			case strings.HasPrefix(line, "  -"):
				inSub = false
				f := strings.Fields(trimmed)
				name := "--" + strings.TrimLeft(f[0], "-")
				w.flags = append(w.flags, name)
				if len(f) > 1 && (f[1] == "FILE" || f[1] == "DIR") {
					w.flagTakesFile[name] = true
				}
			case trimmed == "":
			default:
				if !strings.HasPrefix(line, " ") {
					inSub = false
				}
			}
			if strings.HasPrefix(line, "Usage:") && strings.Contains(line, "PATH") {
				w.completesFileArgs = true
			}
		}
		slices.Sort(w.flags)
		w.flags = slices.Compact(w.flags)
		out = append(out, w)
	}
	return out
}

func bashCompletion(words []commandWords) string {
	var b strings.Builder
	var names []string
	for _, w := range words {
		names = append(names, w.name)
	}
	b.WriteString("# keikai completion (bash; zsh loads it through bashcompinit)\n")
	b.WriteString("if [ -n \"$ZSH_VERSION\" ]; then autoload -U +X bashcompinit && bashcompinit; fi\n")
	b.WriteString("_keikai() {\n  local cur prev cmd\n  cur=\"${COMP_WORDS[COMP_CWORD]}\"\n  prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n  cmd=\"${COMP_WORDS[1]}\"\n")
	fmt.Fprintf(&b, "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n    COMPREPLY=($(compgen -W %q -- \"$cur\"))\n    return\n  fi\n", strings.Join(append(names, "help", "--version"), " "))
	b.WriteString("  case \"$cmd\" in\n")
	for _, w := range words {
		fmt.Fprintf(&b, "  %s)\n", w.name)
		var fileFlags []string
		for f := range w.flagTakesFile {
			fileFlags = append(fileFlags, f)
		}
		slices.Sort(fileFlags)
		if len(fileFlags) > 0 {
			fmt.Fprintf(&b, "    case \"$prev\" in %s) COMPREPLY=($(compgen -f -- \"$cur\")); return;; esac\n", strings.Join(fileFlags, "|"))
		}
		if len(w.subcommands) > 0 {
			fmt.Fprintf(&b, "    if [ \"$COMP_CWORD\" -eq 2 ]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); return; fi\n", strings.Join(w.subcommands, " "))
		}
		if w.completesFileArgs {
			fmt.Fprintf(&b, "    if [[ \"$cur\" != -* ]]; then COMPREPLY=($(compgen -f -- \"$cur\")); return; fi\n")
		}
		fmt.Fprintf(&b, "    COMPREPLY=($(compgen -W %q -- \"$cur\"));;\n", strings.Join(w.flags, " "))
	}
	b.WriteString("  esac\n}\ncomplete -o filenames -F _keikai keikai\n")
	return b.String()
}

func fishCompletion(words []commandWords) string {
	var b strings.Builder
	b.WriteString("# keikai completion (fish)\ncomplete -c keikai -f\n")
	for _, w := range words {
		fmt.Fprintf(&b, "complete -c keikai -n __fish_use_subcommand -a %s -d %s\n", w.name, fishQuote(w.summary))
	}
	for _, w := range words {
		cond := "__fish_seen_subcommand_from " + w.name
		for _, s := range w.subcommands {
			fmt.Fprintf(&b, "complete -c keikai -n %s -a %s\n", fishQuote(cond), s)
		}
		for _, f := range w.flags {
			extra := ""
			if w.flagTakesFile[f] {
				extra = " -r -F"
			}
			fmt.Fprintf(&b, "complete -c keikai -n %s -l %s%s\n", fishQuote(cond), strings.TrimPrefix(f, "--"), extra)
		}
		if w.completesFileArgs {
			fmt.Fprintf(&b, "complete -c keikai -n %s -F\n", fishQuote(cond))
		}
	}
	return b.String()
}

func fishQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
