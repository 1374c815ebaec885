// Package audit is the record of who changed what: every change to a report, an incident, a
// staff account or a message is one entry, written in the same transaction as the change. The
// log is append-only: no route, command or store method edits or removes an entry, and the
// schema refuses UPDATE and DELETE on it. Entries are chained by SHA-256, so an edit made behind
// keikai's back (with the database's own tools) shows when the chain is verified.
package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// Kind is the kind of object an entry is about.
type Kind string

const (
	KindReport   Kind = "report"
	KindIncident Kind = "incident"
	KindUser     Kind = "user"
	KindMessage  Kind = "message"
)

// Actor is who made a change.
type Actor struct {
	// UserID is the staff account; 0 is keikai itself or the command line, and Name says which.
	UserID int64
	// Name is the account name at the time of the change, so the entry stays readable after the
	// account is renamed or disabled.
	Name string
}

// System is keikai acting on its own (a worker, a reply joining its thread).
var System = Actor{Name: "keikai"}

// Entry is one change.
type Entry struct {
	ID       int64
	At       time.Time
	Actor    Actor
	Object   Kind
	ObjectID int64
	// Action is a dotted verb: "report.decide", "incident.create", "user.disable", ...
	Action string
	// Before and After are JSON objects of the changed fields only; nil when there is none (a
	// creation has no Before).
	Before, After json.RawMessage
	// Hash chains the entry to the one before it: SHA-256 of the previous hash and this entry.
	Hash []byte
}

// Fields returns a JSON object of the given fields, for Before and After. A value that cannot be
// encoded is a programming error reported as such.
func Fields(fields map[string]any) (json.RawMessage, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(fields) // map keys come out sorted: the same fields, the same bytes
	if err != nil {
		return nil, fmt.Errorf("audit: encoding fields: %w", err)
	}
	return b, nil
}

// Chain returns the hash of e following prev (nil for the first entry). ID is not part of it:
// the order is fixed by the chain itself, and the database assigns IDs after the hash is known.
// At counts in microseconds, the precision both databases keep.
func (e Entry) Chain(prev []byte) []byte {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field(prev)
	field(binary.BigEndian.AppendUint64(nil, uint64(e.At.UnixMicro())))
	field(binary.BigEndian.AppendUint64(nil, uint64(e.Actor.UserID)))
	field([]byte(e.Actor.Name))
	field([]byte(e.Object))
	field(binary.BigEndian.AppendUint64(nil, uint64(e.ObjectID)))
	field([]byte(e.Action))
	field(e.Before)
	field(e.After)
	return h.Sum(nil)
}

// Verify checks that entries, the whole log oldest first, form an unbroken chain. It returns the
// ID of the first entry that does not (0 when all do) and why.
func Verify(entries []Entry) (badID int64, err error) {
	return VerifyFrom(nil, entries)
}

// VerifyFrom is Verify for a part of the log that follows the entry whose hash is prev, so that a
// long log can be checked a page at a time.
func VerifyFrom(prev []byte, entries []Entry) (badID int64, err error) {
	for _, e := range entries {
		if want := e.Chain(prev); !bytes.Equal(want, e.Hash) {
			return e.ID, fmt.Errorf("audit entry %d (%s on %s %d at %s) does not match the chain: the log was changed outside keikai", e.ID, e.Action, e.Object, e.ObjectID, e.At.UTC().Format(time.RFC3339))
		}
		prev = e.Hash
	}
	return 0, nil
}
