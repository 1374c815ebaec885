// Package audit: TEMPORARY stand-in with the contract of ISSUE11.md, so that the threads branch
// builds before the lead's audit package is in main. Reverted before merging main.
package audit

import (
	"encoding/json"
	"time"
)

type Kind string

const (
	KindReport   Kind = "report"
	KindIncident Kind = "incident"
	KindUser     Kind = "user"
	KindMessage  Kind = "message"
)

type Actor struct {
	UserID int64
	Name   string
}

type Entry struct {
	ID            int64
	At            time.Time
	Actor         Actor
	Object        Kind
	ObjectID      int64
	Action        string
	Before, After json.RawMessage
	Hash          []byte
}
