package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/rules"
)

// runVersion prints what a bug report needs: the version, the commit it was built from, and how
// many rules are bundled.
func runVersion(env *Env, args []string) int {
	if len(args) > 0 && args[0] != "--help" && args[0] != "-h" {
		return fail(env, "version", fmt.Errorf("%w: version takes no arguments", errUsage))
	}
	if len(args) > 0 {
		fmt.Fprintln(env.Stdout, "Usage: keikai version\n\nPrints keikai's version, the commit it was built from, and the number of bundled rules.")
		return exitClean
	}
	line := "keikai " + buildVersion()
	if info, ok := debug.ReadBuildInfo(); ok {
		commit, modified := "", false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if len(commit) > 12 {
			commit = commit[:12]
		}
		switch {
		case commit == "":
			line += " (commit unknown: built without version control information)"
		case modified:
			line += " (commit " + commit + ", with uncommitted changes)"
		default:
			line += " (commit " + commit + ")"
		}
		line += ", " + info.GoVersion
	}
	set, err := sigma.LoadFSForMatching(rules.FS, ".", sigma.NewNodeCache(rules.NodeCache)) // it only counts them
	if err != nil {
		return fail(env, "version", fmt.Errorf("bundled rules are broken (a bug in this build of keikai): %w", err))
	}
	fmt.Fprintf(env.Stdout, "%s\n%d bundled rules\n", line, len(set.Rules))
	return exitClean
}

// buildVersion is keikai's module version, "(devel)" in a development build.
func buildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
