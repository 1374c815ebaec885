package store

import (
	"context"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/incident"
	"github.com/keikai-project/keikai/internal/report"
)

// Triage keeps analysts' decisions on reports. A decision is kept beside keikai's suggestion,
// never over it, and the report counts as the decision in the activity statistics from the
// decision's transaction on (the per-day totals change with it).
type Triage interface {
	// DecideReport records the category and RSIT class:type an analyst decided for a report,
	// with who and when, and appends its audit entry, in one transaction. Deciding again
	// replaces the earlier decision (the audit log keeps both). category and rsit must be valid
	// (incident.CheckDecision); an unknown report is ErrNotFound.
	DecideReport(ctx context.Context, reportID int64, category, rsit, note string, actor audit.Actor) error
	// TriageList lists reports for the staff's queue, newest first, with their suggestion,
	// decision and incident; it never reads raw submissions or analyses.
	TriageList(ctx context.Context, f TriageFilter) ([]TriageRow, error)
	// TriageRow returns the row of one report, or ErrNotFound.
	TriageRow(ctx context.Context, reportID int64) (TriageRow, error)
}

// Decided selects reports by whether an analyst decided them.
type Decided string

const (
	DecidedAny Decided = ""
	DecidedYes Decided = "yes"
	DecidedNo  Decided = "no"
)

// TriageFilter selects reports for TriageList. Zero fields select everything.
type TriageFilter struct {
	From, To time.Time // received in [From, To)
	Category string    // what the report counts as: the decision, else the suggestion
	State    report.State
	Decided  Decided
	Source   string // an IP address or CIDR among the report's observables
	// Rule and Advisory select reports with a finding of that rule, or naming that advisory.
	// They read the stored analyses (no index holds every finding): for searches, not lists.
	Rule     string
	Advisory string
	Limit    int   // 0 means 50
	BeforeID int64 // paging: reports with a smaller ID
}

// TriageRow is one report as the queue shows it.
type TriageRow struct {
	ID         int64
	Tracking   string
	Channel    report.Channel
	ReceivedAt time.Time
	State      report.State
	// Suggested and SuggestedRSIT are keikai's suggestion; empty before analysis.
	Suggested, SuggestedRSIT string
	// Decision is the analyst's; nil when there is none.
	Decision *Decision
	// Incident is the incident the report belongs to (0 for none) and its reference.
	Incident    int64
	IncidentRef string
}

// Decision is an analyst's decision on a report, with who and when.
type Decision struct {
	incident.Decision
	By audit.Actor
	At time.Time
}

// IncidentFilter selects incidents for ListIncidents. Zero fields select everything.
type IncidentFilter struct {
	Status   incident.Status
	Assignee int64
	Limit    int   // 0 means 50
	BeforeID int64 // paging: incidents with a smaller ID (newest first)
}

// Incidents keeps incidents: groups of reports with their status, assignee, TLP label and
// notes. Every method that changes one appends its audit entry (before and after of the changed
// fields) in the same transaction, so no change goes unrecorded.
type Incidents interface {
	// CreateIncident creates an incident (status new, DefaultTLP) holding reportIDs (may be
	// none). A report that belongs to another incident already is ErrConflict: merge instead.
	CreateIncident(ctx context.Context, title string, reportIDs []int64, actor audit.Actor) (incident.Incident, error)
	// GetIncident returns an incident with its reports and notes, or ErrNotFound.
	GetIncident(ctx context.Context, id int64) (incident.Incident, error)
	// ListIncidents lists incidents newest first, with their reports but without notes.
	ListIncidents(ctx context.Context, f IncidentFilter) ([]incident.Incident, error)
	// AddIncidentReports adds reports to an incident; those in it already are skipped, one in
	// another incident is ErrConflict and nothing changes.
	AddIncidentReports(ctx context.Context, id int64, reportIDs []int64, actor audit.Actor) error
	// MergeIncidents moves the reports of every incident of from into into; each of from is
	// closed and points to into. Merging an incident that was merged already, into a closed
	// one, or into itself is ErrConflict.
	MergeIncidents(ctx context.Context, into int64, from []int64, actor audit.Actor) error
	// SplitIncident moves reportIDs (all of them in incident from, not all of its reports) into
	// a new incident titled title, with from's TLP label, and returns it.
	SplitIncident(ctx context.Context, from int64, reportIDs []int64, title string, actor audit.Actor) (incident.Incident, error)
	// SetIncidentStatus changes the status along the workflow (incident.CheckTransition); a
	// change it does not allow is an error wrapping incident.ErrTransition.
	SetIncidentStatus(ctx context.Context, id int64, status incident.Status, actor audit.Actor) error
	// AssignIncident makes assignee (UserID 0: nobody) the analyst in charge.
	AssignIncident(ctx context.Context, id int64, assignee audit.Actor, actor audit.Actor) error
	// SetIncidentTLP changes the TLP label.
	SetIncidentTLP(ctx context.Context, id int64, tlp incident.TLP, actor audit.Actor) error
	// AddIncidentNote adds a note by actor and returns it.
	AddIncidentNote(ctx context.Context, id int64, text string, actor audit.Actor) (incident.Note, error)
	// IncidentsOfReports maps each of reportIDs that belongs to an incident to that incident's ID.
	IncidentsOfReports(ctx context.Context, reportIDs []int64) (map[int64]int64, error)
}
