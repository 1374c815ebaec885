package intake

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/rules"
)

func bundledEngine(tb testing.TB) *engine.Engine {
	tb.Helper()
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		tb.Fatal(err)
	}
	eng, err := engine.New(set)
	if err != nil {
		tb.Fatal(err)
	}
	return eng
}

func probeExcerpt(lines int) string {
	var b strings.Builder
	for l := range lines {
		fmt.Fprintf(&b, "Jun  1 12:00:%02d fw kernel: IN=eth0 OUT= MAC= SRC=198.51.100.7 DST=192.0.2.%d LEN=60 TOS=0x00 PREC=0x00 TTL=48 ID=1 DF PROTO=TCP SPT=40000 DPT=111 WINDOW=32120 RES=0x00 SYN URGP=0\n", l, l+1)
	}
	return b.String()
}

// BenchmarkAssessAnalyzer measures the analysis of one small report (a description and five log
// lines), the common case at intake.
func BenchmarkAssessAnalyzer(b *testing.B) {
	analyse := AssessAnalyzer(bundledEngine(b), time.UTC, "bench")
	f := &Form{Description: "port scan against our network", Excerpts: []string{probeExcerpt(5)}}
	c := f.Content(DefaultLimits())
	received := time.Date(2000, 6, 30, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := analyse(context.Background(), c, received); err != nil {
			b.Fatal(err)
		}
	}
}

var _ = report.PartBody
