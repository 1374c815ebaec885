// Package rules holds keikai's bundled detection rules: Sigma-compatible YAML files, one idea per
// file, grouped by the advisory or incident category they implement (statd, slapper, probe, mail,
// dos, worm, intrusion, and host for host-artifact checks). The files are embedded into the binary;
// load them with sigma.LoadFS(rules.FS, "."), or, to match only,
// sigma.LoadFSForMatching(rules.FS, ".", sigma.NewNodeCache(rules.NodeCache)).
//
// Rule files live one directory below this one and end in .yml. The pattern below matches every
// such file, so a directory that is still empty does not break the build.
package rules

import "embed"

// FS holds every bundled rule file, at paths such as "statd/statd_sm_traversal.yml".
//
//go:embed */*.yml
var FS embed.FS

// NodeCache is sigma.WriteNodeCache of FS: the bundled rules already decoded from YAML, which
// makes start-up cheaper. After editing a rule file, rewrite it with
// go test ./rules -run TestNodeCacheFresh -update (the test fails until then; meanwhile the
// edited file is decoded as YAML, so the cache is never wrong, only slower).
//
//go:embed nodecache.bin
var NodeCache string
