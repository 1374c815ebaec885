// Package advisories holds the advisories keikai ships: one directory per advisory with its
// metadata (advisory.yml) and its prose in Japanese (ja.md) and English (en.md). They are
// embedded into the binary; load them with advisory.LoadFS(advisories.FS, ".").
package advisories

import "embed"

// FS holds every advisory's files, at paths such as "JPCERT-AT-2002-0006/advisory.yml".
//
//go:embed */advisory.yml */ja.md */en.md
var FS embed.FS
