package host

import (
	"context"
	"errors"
	"time"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/finding"
)

// Options says which system to examine.
type Options struct {
	// Root is where the target system's "/" is: "" or "/" for the live system, or the directory
	// where a disk image or a copy of a system is mounted.
	Root string
}

// Areas of collection, as Problem.Area names them.
const (
	AreaFiles     = "files"
	AreaSockets   = "sockets"
	AreaProcesses = "processes"
	AreaPackages  = "packages"
	AreaLogs      = "logs"
)

// Problem is something that could not be examined. A check that reports no findings but has
// problems has not shown the host to be clean.
type Problem struct {
	Area string // one of the Area constants
	Path string // as on the target system ("/proc", "/var/lib/rpm/Packages"); may be empty
	Err  error
}

// Targets are the file-system places the host rules care about.
type Targets struct {
	// Paths are exact paths the rules name, such as /tmp/.bugtraq; each is lstat-ed.
	Paths []string
	// Dirs are directories whose entries are listed (each entry lstat-ed), such as /tmp.
	Dirs []string
	// Depth is how many levels below each of Dirs are listed; 0 means 1 (the entries only).
	Depth int
}

// Artifact is one thing found on the host: the event the host rules match, and its description in
// English (the event's Raw, which the rules' prefilter scans) and Japanese.
type Artifact struct {
	Event       *event.Event
	Description finding.Text
}

// Collect examines the system under opts.Root and calls emit for every artifact found: the files
// that targets name, sockets, processes and installed packages. Each event owns its memory, so emit
// may keep it. Whatever cannot be examined is passed to problem (which may be nil). emit and problem
// are called from the calling goroutine, one at a time. The error is non-nil only when the root
// itself is unusable or ctx ends.
func Collect(ctx context.Context, opts Options, targets Targets, emit func(Artifact), problem func(Problem)) error {
	if emit == nil {
		return errors.New("host.Collect: emit is nil; pass a function that receives the events")
	}
	if problem == nil {
		problem = func(Problem) {}
	}
	r, err := newRootFS(opts.Root)
	if err != nil {
		return err
	}
	c := &collector{ctx: ctx, r: r, problem: problem}
	c.emit = withNFS(func(e *event.Event, ja string) {
		emit(Artifact{Event: e, Description: finding.Text{En: string(e.Raw), Ja: ja}})
	}, c.nfsUse())
	steps := []func(){
		func() { c.files(targets) },
		c.procfs,
		c.packages,
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		step()
	}
	return ctx.Err()
}

// collector carries what every area needs; one per Collect call.
type collector struct {
	ctx     context.Context
	r       rootFS
	emit    func(e *event.Event, ja string) // ja describes e in Japanese
	problem func(Problem)
	// rpmBudget is how long reading an rpm database may take; 0 means rpmTimeBudget.
	rpmBudget time.Duration
}

func (c *collector) report(area, path string, err error) {
	c.problem(Problem{Area: area, Path: path, Err: err})
}
