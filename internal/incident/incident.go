// Package incident is the domain of what analysts work on: incidents that group reports about the
// same activity, their status, TLP label and notes, the triage decision on one report, and the
// grouping that keikai suggests. It imports no adapter: the store and the staff pages depend on
// it, never the other way round.
package incident

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Status is where an incident is in its handling.
type Status string

const (
	StatusNew          Status = "new"
	StatusTriage       Status = "triage"
	StatusCoordinating Status = "coordinating"
	StatusResolved     Status = "resolved"
	StatusClosed       Status = "closed"
)

// Statuses lists every status in the order of the work.
func Statuses() []Status {
	return []Status{StatusNew, StatusTriage, StatusCoordinating, StatusResolved, StatusClosed}
}

// transitions are the moves an analyst may make. An incident goes forward through the work; a
// resolved or closed incident can be taken up again (new reports about the same activity), but
// never back to new, which only an incident nobody has looked at is.
var transitions = map[Status][]Status{
	StatusNew:          {StatusTriage, StatusCoordinating, StatusResolved, StatusClosed},
	StatusTriage:       {StatusCoordinating, StatusResolved, StatusClosed},
	StatusCoordinating: {StatusTriage, StatusResolved, StatusClosed},
	StatusResolved:     {StatusCoordinating, StatusClosed},
	StatusClosed:       {StatusTriage},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// Next lists the statuses s may change to.
func (s Status) Next() []Status { return append([]Status(nil), transitions[s]...) }

// CanBecome reports whether an incident in status s may change to to.
func (s Status) CanBecome(to Status) bool {
	for _, n := range transitions[s] {
		if n == to {
			return true
		}
	}
	return false
}

// ErrTransition is returned for a change of status that the workflow does not allow.
var ErrTransition = errors.New("status change not allowed")

// CheckTransition returns nil when from may become to, else an error that names the allowed moves.
func CheckTransition(from, to Status) error {
	if !to.Valid() {
		return fmt.Errorf("%w: unknown status %q (one of %s)", ErrTransition, to, joinStatuses(Statuses()))
	}
	if !from.CanBecome(to) {
		return fmt.Errorf("%w: %s cannot become %s (it can become %s)", ErrTransition, from, to, joinStatuses(from.Next()))
	}
	return nil
}

func joinStatuses(ss []Status) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ", ")
}

// TLP is a Traffic Light Protocol label (FIRST TLP 2.0): how far what an incident holds may be
// shared.
type TLP string

const (
	TLPClear       TLP = "CLEAR"
	TLPGreen       TLP = "GREEN"
	TLPAmber       TLP = "AMBER"
	TLPAmberStrict TLP = "AMBER+STRICT"
	TLPRed         TLP = "RED"
)

// TLPs lists the labels from the least to the most restricted.
func TLPs() []TLP { return []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed} }

// DefaultTLP is the label of a new incident: it holds what reporters told the coordination
// center in confidence, so it is shared with the organisations involved only until an analyst
// decides otherwise.
const DefaultTLP = TLPAmber

// ParseTLP reads a label as written in TLP 2.0 ("TLP:AMBER") or without its prefix, in any case.
func ParseTLP(s string) (TLP, error) {
	v := strings.ToUpper(strings.TrimSpace(s))
	v = strings.TrimPrefix(v, "TLP:")
	for _, t := range TLPs() {
		if string(t) == v {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown TLP label %q (one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED)", s)
}

// String is the label as TLP 2.0 writes it.
func (t TLP) String() string { return "TLP:" + string(t) }

// Incident is a group of reports about the same activity and its handling.
type Incident struct {
	ID int64
	// Ref is the human reference, e.g. "IN-2000-0001".
	Ref    string
	Title  string
	Status Status
	// Assignee is the staff user ID of the analyst in charge; 0 for nobody.
	Assignee     int64
	AssigneeName string
	TLP          TLP
	// Reports are the IDs of the incident's reports, ascending. A report belongs to one incident
	// at most.
	Reports []int64
	Notes   []Note
	// MergedInto is the incident this one was merged into (it is then closed); 0 for none.
	MergedInto int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Note is an analyst's remark on an incident.
type Note struct {
	ID         int64
	At         time.Time
	AuthorID   int64 // staff user ID; 0 for keikai itself or the command line
	AuthorName string
	Text       string
}

// Ref is the human reference of incident id created at t: the year (UTC) and the ID, zero-padded
// to four digits.
func Ref(createdAt time.Time, id int64) string {
	return fmt.Sprintf("IN-%04d-%04d", createdAt.UTC().Year(), id)
}

// MaxTitle and MaxNote bound what an analyst types, in bytes.
const (
	MaxTitle = 200
	MaxNote  = 20000
)

// ErrInvalid is wrapped by every validation error of this package.
var ErrInvalid = errors.New("invalid")

// CheckTitle validates an incident's title.
func CheckTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	switch {
	case title == "":
		return "", fmt.Errorf("%w: an incident needs a title", ErrInvalid)
	case len(title) > MaxTitle:
		return "", fmt.Errorf("%w: a title has at most %d bytes", ErrInvalid, MaxTitle)
	case strings.ContainsAny(title, "\r\n"):
		return "", fmt.Errorf("%w: a title is one line", ErrInvalid)
	}
	return title, nil
}

// CheckNote validates a note's text.
func CheckNote(text string) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return "", fmt.Errorf("%w: the note is empty", ErrInvalid)
	case len(text) > MaxNote:
		return "", fmt.Errorf("%w: a note has at most %d bytes", ErrInvalid, MaxNote)
	}
	return text, nil
}

// Decision is an analyst's triage of one report: what it is, kept beside keikai's suggestion.
type Decision struct {
	Category string // a taxonomy category key
	RSIT     string // RSIT "class:type"
	Note     string
}

// CheckDecision validates a decision: a known category and an RSIT type of the taxonomy. An
// empty RSIT takes the category's default.
func CheckDecision(d Decision) (Decision, error) {
	d.Category, d.RSIT, d.Note = strings.TrimSpace(d.Category), strings.TrimSpace(d.RSIT), strings.TrimSpace(d.Note)
	c, ok := taxonomy.CategoryByKey(d.Category)
	if !ok {
		return d, fmt.Errorf("%w: unknown category %q (one of %s)", ErrInvalid, d.Category, strings.Join(taxonomy.CategoryKeys(), ", "))
	}
	if d.RSIT == "" {
		d.RSIT = c.DefaultRSIT
	}
	if !taxonomy.ValidRSIT(d.RSIT) {
		return d, fmt.Errorf("%w: %q is no RSIT class:type", ErrInvalid, d.RSIT)
	}
	if len(d.Note) > MaxNote {
		return d, fmt.Errorf("%w: a note has at most %d bytes", ErrInvalid, MaxNote)
	}
	return d, nil
}
