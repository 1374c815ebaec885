// Package check runs the advisories' detection methods on a host: it collects the host's
// artifacts (files, sockets, processes, packages) read-only, matches them with the host rules, and
// hands the logs that the host's syslog writes to the log analysis its caller provides. Every finding carries the
// countermeasures of the advisories it comes from, and everything that could not be examined is
// reported, so that a clean result is never mistaken for a complete one.
package check

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/host"
	"github.com/keikai-project/keikai/internal/input"
	"github.com/keikai-project/keikai/internal/reason"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Options say which system to check.
type Options struct {
	// Root is where the checked system's "/" is; "" is the live system.
	Root string
	// Logs analyses the host's log files; nil leaves them out.
	Logs LogAnalyzer
	// Advisories give each finding its advisories' countermeasures.
	Advisories *advisory.Collection
}

// LogAnalyzer runs log files through the log rules: it passes findings to emit (in order, from
// one goroutine), problems with the files to warn (from any goroutine), and returns how many lines
// it read. The caller wires it (cli uses analyze.Run), so the host check does not depend on the
// log pipeline.
type LogAnalyzer func(ctx context.Context, paths []string, emit func(*finding.Finding) error, warn func(input.Warning)) (lines int64, err error)

// Callbacks receive findings (in order, from one goroutine) and problems with the log inputs.
type Callbacks struct {
	Finding func(*finding.Finding) error
	Warning func(input.Warning)
}

// Summary says what was examined, what was found, and what could not be examined.
type Summary struct {
	Root string `json:"root"`
	// Artifacts counts what was examined per kind: file, socket, process, package.
	Artifacts  map[string]int64 `json:"artifacts"`
	LogFiles   []string         `json:"log_files"`
	LogLines   int64            `json:"log_lines"`
	Findings   int64            `json:"findings"`
	Categories map[string]int64 `json:"categories"`
	// NotExamined lists what could not be examined; Complete is true when it is empty.
	NotExamined []Gap `json:"not_examined"`
	Complete    bool  `json:"complete"`
}

// Gap is one thing the check could not examine.
type Gap struct {
	Area   string `json:"area"`
	Path   string `json:"path,omitempty"`
	Reason string `json:"reason"`
	// ReasonJa is Reason in Japanese.
	ReasonJa string `json:"reason_ja"`
}

// Run checks the system described by opts with the host and log rules of eng.
func Run(ctx context.Context, eng *engine.Engine, opts Options, cb Callbacks) (*Summary, error) {
	root := opts.Root
	if root == "" {
		root = "/"
	}
	sum := &Summary{Root: escape.String(root), Artifacts: map[string]int64{}, Categories: map[string]int64{}, LogFiles: []string{}, NotExamined: []Gap{}}
	for _, c := range taxonomy.Categories() {
		sum.Categories[c.Key] = 0
	}
	emit := func(f *finding.Finding) error {
		if f.Countermeasures == nil && opts.Advisories != nil {
			f.Countermeasures = opts.Advisories.Countermeasures(f.Advisories)
		}
		sum.Findings++
		sum.Categories[f.Category]++
		if cb.Finding != nil {
			return cb.Finding(f)
		}
		return nil
	}
	gap := func(p host.Problem) {
		why := finding.Text{En: "unknown", Ja: "不明"}
		if p.Err != nil {
			why = reason.Text(p.Err)
		}
		sum.NotExamined = append(sum.NotExamined, Gap{Area: p.Area, Path: escape.String(p.Path),
			Reason: escape.String(why.En), ReasonJa: escape.String(why.Ja)})
	}

	w := eng.NewWorker()
	var matched []int
	var emitErr error
	hostOpts := host.Options{Root: opts.Root}
	err := host.Collect(ctx, hostOpts, host.DefaultTargets(), func(a host.Artifact) {
		ev := a.Event
		sum.Artifacts[artifactKind(ev.Format)]++
		matched = w.Match(ev, matched)
		for _, ri := range matched {
			if emitErr != nil || !eng.Generates(ri) {
				continue
			}
			f := hostFinding(eng, ri, ev)
			f.ExcerptJa = escape.String(a.Description.Ja)
			// A package in an affected version is a host to update, not a host to rebuild.
			if ev.Format == event.FormatHostPackage && opts.Advisories != nil {
				f.Countermeasures = opts.Advisories.Updates(f.Advisories)
			}
			emitErr = emit(f)
		}
	}, gap)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", root, err)
	}
	if emitErr != nil {
		return nil, emitErr
	}

	if opts.Logs != nil {
		files := host.LogFiles(hostOpts, gap)
		for _, f := range files {
			sum.LogFiles = append(sum.LogFiles, escape.String(f))
		}
		if len(files) > 0 {
			var mu sync.Mutex // warnings come from the analysis' goroutines
			warn := func(w input.Warning) {
				mu.Lock()
				defer mu.Unlock()
				if w.Err != nil {
					why := w.Text()
					sum.NotExamined = append(sum.NotExamined, Gap{Area: host.AreaLogs, Path: escape.String(w.File),
						Reason: escape.String(why.En), ReasonJa: escape.String(why.Ja)})
				}
				if cb.Warning != nil {
					cb.Warning(w)
				}
			}
			lines, err := opts.Logs(ctx, files, emit, warn)
			if err != nil {
				return nil, err
			}
			sum.LogLines = lines
		}
	}
	sort.SliceStable(sum.NotExamined, func(i, j int) bool { return sum.NotExamined[i].Area < sum.NotExamined[j].Area })
	sum.Complete = len(sum.NotExamined) == 0
	return sum, nil
}

func artifactKind(f event.Format) string {
	return strings.TrimPrefix(f.String(), "host-")
}

func hostFinding(eng *engine.Engine, ri int, ev *event.Event) *finding.Finding {
	f := engine.NewFinding(eng.Rules[ri])
	f.Artifact = artifact(ev)
	f.Excerpt = escape.Bytes(ev.Raw)
	if ev.Format == event.FormatHostSocket {
		f.Protocol = escape.Bytes(ev.Get(event.Protocol))
		f.SourceIP = escape.Bytes(ev.Get(event.RemoteIP))
		f.DestinationIP = escape.Bytes(ev.Get(event.LocalIP))
		if p, ok := ev.Int(event.LocalPort); ok {
			f.DestinationPort = int(p)
		}
	}
	return f
}

// artifact names what matched, the way an administrator would look it up again.
func artifact(ev *event.Event) string {
	get := func(f event.Field) string { return escape.Bytes(ev.Get(f)) }
	switch ev.Format {
	case event.FormatHostFile:
		return get(event.TargetFilename)
	case event.FormatHostSocket:
		return fmt.Sprintf("%s %s:%s -> %s:%s %s", get(event.Protocol), get(event.LocalIP), get(event.LocalPort),
			get(event.RemoteIP), get(event.RemotePort), get(event.State))
	case event.FormatHostProcess:
		s := fmt.Sprintf("pid %s %s", get(event.ProcessID), get(event.ProcessName))
		if img := get(event.Image); img != "" {
			s += " (" + img + ")"
		}
		return s
	case event.FormatHostPackage:
		return fmt.Sprintf("%s %s (%s)", get(event.PackageName), get(event.PackageVersion), get(event.PackageSource))
	}
	return escape.Bytes(ev.Raw)
}
