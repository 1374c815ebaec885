package engine

import (
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/sigma"
)

// NewFinding returns a finding of rule r with the rule's own fields filled in; the caller adds
// where and what it matched. Log analysis and the host check both start their findings here, so a
// finding names its rule the same way whichever path produced it.
func NewFinding(r *sigma.Rule) *finding.Finding {
	advisories := r.Advisories()
	if advisories == nil {
		advisories = []string{}
	}
	return &finding.Finding{
		Rule:       r.Key(),
		Title:      r.Title,
		TitleJa:    r.TitleJa,
		Level:      r.Level.String(),
		Category:   r.Category(),
		RSIT:       r.RSIT(),
		Advisories: advisories,
	}
}
