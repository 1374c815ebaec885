package intake

import (
	"context"
	"time"

	"github.com/keikai-project/keikai/internal/assess"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/report"
)

// AssessAnalyzer is the Analyzer of keikai serve: assess.Analyse with the rules of eng. loc is
// the coordination centre's zone, for clock times in reports that state no zone of their own;
// rulesVersion is recorded in every analysis, so that reports analysed by other rules can be
// found and analysed again.
func AssessAnalyzer(eng *engine.Engine, loc *time.Location, rulesVersion string) Analyzer {
	return func(ctx context.Context, c report.Content, receivedAt time.Time) (*report.Analysis, error) {
		return assess.Analyse(ctx, eng, c, assess.Options{ReceivedAt: receivedAt, Location: loc, RulesVersion: rulesVersion})
	}
}
