package store

import (
	"context"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
)

// Direction says whether keikai sent a message or received it.
type Direction string

const (
	Inbound  Direction = "in"
	Outbound Direction = "out"
)

// MessageKind says what a message in a thread is.
type MessageKind string

const (
	MessageAck      MessageKind = "ack"      // the acknowledgement of a mailed report
	MessageForward  MessageKind = "forward"  // a redacted forward to a site
	MessageReply    MessageKind = "reply"    // mail that joined a thread (a site's or reporter's answer)
	MessageReporter MessageKind = "reporter" // information a reporter added on the status page
	// MessageAutomatic is mail a program sent into a thread (an out-of-office reply, a bounce);
	// keikai records it and never answers it.
	MessageAutomatic MessageKind = "automatic"
)

// Message is one message of a report's or an incident's thread, Raw byte for byte as sent or
// received.
type Message struct {
	ID int64
	// ReportID and IncidentID say whose thread it is; at least one is set (0 is none).
	ReportID   int64
	IncidentID int64
	Direction  Direction
	Kind       MessageKind
	// MessageID, InReplyTo and References are without angle brackets.
	MessageID  string
	InReplyTo  string
	References []string
	Subject    string
	From       string
	To         []string
	// ContentType is "message/rfc822" for mail, the form's type for a reporter's addition.
	ContentType string
	Raw         []byte
	// Shared: an analyst chose to show it to the reporter on the status page.
	Shared bool
	// By is who recorded it (UserID 0: keikai itself), At when.
	By audit.Actor
	At time.Time
}

// MessageFilter selects the messages of one thread.
type MessageFilter struct {
	ReportID   int64
	IncidentID int64
	// SharedOnly selects only what the reporter may see.
	SharedOnly bool
}

// Messages keeps the mail threads. Every change appends its audit entry in the same
// transaction ("message.send", "message.receive", "message.share", "message.unshare").
type Messages interface {
	// AddMessage stores a message, once: a message whose MessageID is stored already is not
	// stored again, and the stored one is returned with created false.
	AddMessage(ctx context.Context, m Message, actor audit.Actor) (stored Message, created bool, err error)
	// Message returns one message, or ErrNotFound.
	Message(ctx context.Context, id int64) (Message, error)
	// Messages lists a thread, oldest first. A filter with neither ReportID nor IncidentID
	// selects nothing.
	Messages(ctx context.Context, f MessageFilter) ([]Message, error)
	// MessagesByMessageID returns the stored messages with any of the given Message-IDs, in the
	// order of ids: how a reply finds the thread it answers.
	MessagesByMessageID(ctx context.Context, ids []string) ([]Message, error)
	// ShareMessage shows a message to the reporter, or hides it again.
	ShareMessage(ctx context.Context, id int64, shared bool, actor audit.Actor) error
}
