package cli

import (
	"fmt"
	"runtime/debug"
)

func runVersion(env *Env, args []string) int {
	version := "(devel)"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		version = info.Main.Version
	}
	fmt.Fprintf(env.Stdout, "keikai %s\n", version)
	return exitClean
}
