// Package audit: TEMPORARY copy of the contract in ISSUE11.md, so that the incidents branch
// builds until the lead's internal/audit is merged from main; replaced by main's at that merge.
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
	ID       int64
	At       time.Time
	Actor    Actor
	Object   Kind
	ObjectID int64
	Action   string
	Before   json.RawMessage
	After    json.RawMessage
	Hash     []byte
}
