package derive

import (
	"slices"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
)

// Entry is the audit entry of a change: before and after hold the changed fields only, so both
// adapters write the same bytes for the same change.
func Entry(at time.Time, actor audit.Actor, object audit.Kind, id int64, action string, before, after map[string]any) (audit.Entry, error) {
	e := audit.Entry{At: at, Actor: actor, Object: object, ObjectID: id, Action: action}
	var err error
	if e.Before, err = audit.Fields(before); err != nil {
		return e, err
	}
	e.After, err = audit.Fields(after)
	return e, err
}

// IDs is a set of IDs, ascending and without repeats, as the incident methods take them.
func IDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
