package store

import (
	"context"

	"github.com/keikai-project/keikai/internal/audit"
)

// Audit reads the audit log. Nothing writes it but the store's own methods, each appending its
// entry in the transaction of the change it records; there is no method to change or delete an
// entry, and the schema refuses both.
type Audit interface {
	// AuditLog returns the entries f selects, oldest first.
	AuditLog(ctx context.Context, f AuditFilter) ([]audit.Entry, error)
}

// AuditFilter selects audit entries. Zero fields select everything.
type AuditFilter struct {
	Object   audit.Kind
	ObjectID int64 // with Object
	AfterID  int64 // paging: entries with a larger ID
	Limit    int   // 0: no limit
}
