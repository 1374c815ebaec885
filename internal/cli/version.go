package cli

import (
	"fmt"
	"runtime/debug"
)

func runVersion(env *Env, args []string) int {
	fmt.Fprintf(env.Stdout, "keikai %s\n", buildVersion())
	return exitClean
}

// buildVersion is keikai's module version, "(devel)" in a development build.
func buildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
