package sigma

import (
	"bytes"

	"github.com/keikai-project/keikai/internal/ascii"
)

// Sigma matches case-insensitively by default (package ascii says how); the |cased modifier
// matches exactly. These choose between the two for a needle that, when fold is set, is
// already lower case. The exact comparisons convert to string, which does not allocate.

func hasPrefix(v []byte, needle string, fold bool) bool {
	if fold {
		return ascii.HasPrefixFold(v, needle)
	}
	return len(v) >= len(needle) && string(v[:len(needle)]) == needle
}

func hasSuffix(v []byte, needle string, fold bool) bool {
	if fold {
		return ascii.HasSuffixFold(v, needle)
	}
	return len(v) >= len(needle) && string(v[len(v)-len(needle):]) == needle
}

// index returns the first position of needle in v, or -1; needleBytes is needle as bytes, kept by
// the matcher so that the exact search does not convert on every call.
func index(v []byte, needle string, needleBytes []byte, fold bool) int {
	if fold {
		return ascii.IndexFold(v, needle)
	}
	return bytes.Index(v, needleBytes)
}
