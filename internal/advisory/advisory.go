// Package advisory holds the advisories that keikai's bundled rules implement. For now it is a
// catalog, so that a finding can say which advisory it comes from and what that advisory tells
// the reader to do; it will grow into the publishing model (editions, sections, rendering,
// signing).
package advisory

import "slices"

// Text is one piece of text in Japanese, the language advisories are written in, and English.
type Text struct {
	Ja, En string
}

// Kinds of advisory document, as JPCERT/CC published them.
const (
	KindEmergencyAdvisory = "emergency advisory" // 緊急報告 (JPCERT-E-...)
	KindAlert             = "alert"              // 注意喚起 (JPCERT-AT-...)
	KindActivityReport    = "activity report"    // 活動概要 (JPCERT-PR-...)
)

// Advisory is one published document.
type Advisory struct {
	ID      string // JPCERT-AT-2002-0006
	Kind    string // one of the Kind constants
	Title   Text
	Issued  string // YYYY-MM-DD of the first edition
	Revised string // YYYY-MM-DD of the latest edition; empty when there was only one
	// References are the documents the advisory itself cites, its own address first.
	References []string
	// Countermeasures are the advisory's own steps, in its order.
	Countermeasures []Text
	// Updates are the steps for a host that is vulnerable but shows no sign of compromise (a
	// package in an affected version): update, do not reinstall. Empty when the advisory names
	// no such step; Countermeasures then apply.
	Updates []Text
}

// Lookup returns the advisory with the given ID.
func Lookup(id string) (Advisory, bool) {
	for _, a := range catalog {
		if a.ID == id {
			return clone(a), true
		}
	}
	return Advisory{}, false
}

// All returns every advisory in the catalog, oldest first.
func All() []Advisory {
	out := make([]Advisory, len(catalog))
	for i, a := range catalog {
		out[i] = clone(a)
	}
	return out
}

// clone copies the slices, so that a caller cannot change the catalog.
func clone(a Advisory) Advisory {
	a.References = slices.Clone(a.References)
	a.Countermeasures = slices.Clone(a.Countermeasures)
	a.Updates = slices.Clone(a.Updates)
	return a
}
