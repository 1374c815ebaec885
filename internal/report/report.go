// Package report is the domain of incident reports: a submission as it was received, what intake
// decoded from it, and what analysis concluded. It imports no adapter: the store, the HTTP and SMTP
// front ends and the mail decoder depend on it, never the other way round.
package report

import (
	"context"
	"errors"
	"time"
)

// Channel is the way a submission reached keikai.
type Channel string

const (
	ChannelForm   Channel = "form"   // the public web form
	ChannelAPI    Channel = "api"    // POST /api/v1/reports with a partner token
	ChannelSMTP   Channel = "smtp"   // the built-in SMTP listener
	ChannelImport Channel = "import" // keikai import mbox|maildir
)

// Submission is one report exactly as received. Raw is kept byte-for-byte for ever: everything
// else keikai knows about a report can be derived from it again.
type Submission struct {
	Channel Channel
	// ReceivedAt is when the report reached the coordination center: now for live intake, the
	// original receipt time for imported mail (mbox From_ line, newest Received:, then Date:).
	ReceivedAt time.Time
	// Raw is the submission's bytes: the RFC 5322 message, the API's JSON body, or the form's
	// body as the browser sent it.
	Raw []byte
	// ContentType says how Raw is encoded ("message/rfc822", "application/json",
	// "multipart/form-data; boundary=...", "application/x-www-form-urlencoded").
	ContentType string
	// MessageID is the mail's Message-ID, without angle brackets; a message already stored is
	// stored once.
	MessageID string
	// IdempotencyKey, with TokenID, makes an API retry store the submission once.
	IdempotencyKey string
	TokenID        int64
	// RemoteAddr is the peer's address (HTTP client or SMTP client), for rate limits and audit.
	RemoteAddr string
	// Lang is the reporter's language for acknowledgements ("ja" or "en"), when known at receipt.
	Lang string
}

// Receipt is what intake answers once a submission is durably committed.
type Receipt struct {
	ID         int64
	Tracking   string // human-friendly tracking number, e.g. "KK-2000-00718"
	ReceivedAt time.Time
	// Duplicate is true when the submission had been stored before (same Message-ID, or the same
	// token and Idempotency-Key); Tracking then names the earlier report.
	Duplicate bool
	// StatusSecret is the reporter's secret status link token, set by intake on a new report only:
	// only its hash is stored, so it can be shown once and never again.
	StatusSecret string
	// Joined is true when the submission was mail answering keikai (a reply to a forward or an
	// acknowledgement): it joined the thread of the report that ID and Tracking name (or only
	// of incident IncidentID) instead of becoming a new report.
	Joined     bool
	IncidentID int64
}

// Submitter durably stores a submission before it returns: when Submit returns without error, the
// submission survives a crash, and analysis will follow.
type Submitter interface {
	Submit(ctx context.Context, s *Submission) (Receipt, error)
}

// Part is one piece of decoded report content that analysis reads.
type Part struct {
	Kind        PartKind
	Name        string // file name of an attachment; empty for bodies
	ContentType string
	// Text is the decoded content: charset converted to UTF-8 for text, decompressed for gzip,
	// decoded for uuencode. Bytes that are not valid in the declared charset stay as they were
	// (8-bit log bytes such as the statd shellcode must reach the rules intact).
	Text []byte
}

// PartKind tells where a part came from.
type PartKind string

const (
	PartBody       PartKind = "body"       // a mail body or a form's description
	PartExcerpt    PartKind = "excerpt"    // log excerpts pasted into a form or API field
	PartAttachment PartKind = "attachment" // an attached file
)

// Reporter is who sent a report. It is confidential: shown to staff only, and to the sites
// involved only when DisclosureAllowed.
type Reporter struct {
	Name              string
	Organization      string
	Email             string
	Phone             string
	PGPKey            string
	DisclosureAllowed bool
}

// Content is a submission decoded for analysis: the reporter, the report form's fields where the
// submission had them, and the parts to run the rules over. Decoding never fails outright: what
// could not be decoded is listed in Warnings and the rest is analysed.
type Content struct {
	Subject  string
	Reporter Reporter
	Lang     string
	// IncidentTime and TimeZone are the report's stated time of the incident, when given.
	IncidentTime  string
	TimeZone      string
	AffectedHosts []string
	SourceHosts   []string
	Description   string
	Parts         []Part
	Warnings      []string
}

// ErrNotFound is returned when a report, token or link does not exist.
var ErrNotFound = errors.New("not found")
