// Package forward is the coordination step of seed 002's promise: it prepares the redacted
// forward of a report to the site it concerns (package redact), lets the analyst review it,
// and sends it through the relay, recording it in the report's thread only once the relay took
// it. Nothing here knows HTTP or SQL: the web front end calls it, the store keeps the result.
package forward

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/redact"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/sign"
	"github.com/keikai-project/keikai/internal/store"
)

// Outbox hands a message to the SMTP relay; nil error means the relay accepted it.
type Outbox interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// Service prepares and sends forwards.
type Service struct {
	Messages store.Messages
	// Relay is nil when no relay is configured: forwards are prepared and reviewed, not sent.
	Relay Outbox
	// From is the address forwards come from and sites reply to.
	From   string
	Signer *sign.Signer
	Now    func() time.Time
}

// Request is what the analyst asks for.
type Request struct {
	// Reports are the reports forwarded: one, or an incident's. The first one's tracking number
	// is in the subject, and its thread (and the incident's) records the forward.
	Reports []*report.Report
	// IncidentID, when set, records the forward on the incident's thread too.
	IncidentID int64
	// To is the site's abuse contact, as the analyst gives it.
	To string
	// Site lists the site's addresses, networks and domains: what the forward shows as it is.
	// The recipient's domain is always the site's.
	Site string
	Lang string
	// Category is the analyst's decided category of the first report; empty: keikai's
	// suggestion. The forward names it.
	Category string
	// Body is the reviewed text; empty when preparing.
	Body string
}

// Draft is a prepared forward for the analyst's review.
type Draft struct {
	To      string
	Lang    string
	Subject string // with the tracking number
	Body    string
	Result  redact.Result
	// Consent says whether the reporter allowed their identity to be disclosed.
	Consent bool
}

// Errors the analyst is shown.
var (
	ErrRecipient  = errors.New("the recipient is not a mail address")
	ErrSite       = errors.New("the site's addresses could not be read")
	ErrNotLoaded  = errors.New("the report has not been analysed yet")
	ErrNoRelay    = errors.New("no SMTP relay is configured (keikai serve --relay)")
	ErrNotClean   = errors.New("the reviewed text still shows what the forward must withhold")
	ErrNotSent    = errors.New("the relay did not take the forward; nothing was recorded as sent")
	ErrNotRecords = errors.New("the forward was sent but could not be recorded")
	ErrEmpty      = errors.New("there is no text to send")
)

// input builds the redaction sources of a request.
// The recipient's domain and the team's own (From) are the site's too: neither is confidential.
func input(req Request, from string) ([]redact.Source, redact.Site, string, error) {
	to, err := netmail.ParseAddress(strings.TrimSpace(req.To))
	if err != nil || !strings.Contains(to.Address, "@") {
		return nil, redact.Site{}, "", ErrRecipient
	}
	site, err := redact.ParseSite(req.Site)
	if err != nil {
		return nil, redact.Site{}, "", fmt.Errorf("%w: %v", ErrSite, err)
	}
	site.Domains = append(site.Domains, strings.ToLower(to.Address[strings.LastIndexByte(to.Address, '@')+1:]))
	if own, err := netmail.ParseAddress(from); err == nil && strings.Contains(own.Address, "@") {
		site.Domains = append(site.Domains, strings.ToLower(own.Address[strings.LastIndexByte(own.Address, '@')+1:]))
	}
	if len(req.Reports) == 0 {
		return nil, redact.Site{}, "", ErrNotLoaded
	}
	var sources []redact.Source
	for _, rep := range req.Reports {
		if rep == nil || rep.Analysis == nil {
			return nil, redact.Site{}, "", ErrNotLoaded
		}
		src := redact.Source{Content: rep.Analysis.Content, Observables: rep.Analysis.Observables}
		if len(req.Reports) > 1 {
			src.Label = rep.Tracking
		}
		sources = append(sources, src)
	}
	return sources, site, to.Address, nil
}

func lang(l string) string {
	if l == "ja" {
		return "ja"
	}
	return "en"
}

// Prepare makes the draft of a forward: the redacted excerpts in the forward's text.
func (s *Service) Prepare(req Request) (Draft, error) {
	sources, site, to, err := input(req, s.From)
	if err != nil {
		return Draft{}, err
	}
	res := redact.RedactMany(sources, site)
	first := req.Reports[0]
	var reporters []report.Reporter
	for _, rep := range req.Reports {
		reporters = append(reporters, rep.Analysis.Content.Reporter)
	}
	category := req.Category
	if category == "" {
		category = first.Analysis.Category
	}
	subject, body, err := redact.Compose(redact.Forward{Lang: lang(req.Lang), Tracking: first.Tracking, Team: s.team(),
		Category: category, Result: res, Reporters: reporters})
	if err != nil {
		return Draft{}, err
	}
	return Draft{To: to, Lang: lang(req.Lang), Subject: mail.TaggedSubject(first.Tracking, subject), Body: body, Result: res,
		Consent: res.IdentityDisclosed}, nil
}

// team names the sender in the text: the display name of From, else its address.
func (s *Service) team() string {
	if a, err := netmail.ParseAddress(s.From); err == nil {
		if a.Name != "" {
			return a.Name
		}
		return a.Address
	}
	return "keikai"
}

// Check redacts the reviewed text once more: an analyst's edit that brought back a name, an
// address or a host of the reporter or another victim is caught here. It returns the text as
// it would have to be, and whether the reviewed text is already that.
func (s *Service) Check(req Request) (string, bool, error) {
	sources, site, _, err := input(req, s.From)
	if err != nil {
		return "", false, err
	}
	r := redact.NewMany(sources, site)
	for _, src := range sources {
		for _, p := range src.Content.Parts {
			r.Learn(p.Text)
		}
	}
	lines := strings.Split(strings.ReplaceAll(req.Body, "\r\n", "\n"), "\n")
	clean := true
	for i, l := range lines {
		if out := r.Line(l); out != l {
			lines[i], clean = out, false
		}
	}
	return strings.Join(lines, "\n"), clean, nil
}

// Send sends the reviewed forward through the relay and records it in the thread of the report
// (and of the incident, when given), with its audit entry. It records nothing unless the relay
// accepted the message.
func (s *Service) Send(ctx context.Context, req Request, actor audit.Actor) (store.Message, error) {
	if s.Relay == nil {
		return store.Message{}, ErrNoRelay
	}
	if _, clean, err := s.Check(req); err != nil {
		return store.Message{}, err
	} else if !clean {
		return store.Message{}, ErrNotClean
	}
	draft, err := s.Prepare(req)
	if err != nil {
		return store.Message{}, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	first := req.Reports[0]
	raw, out, err := mail.Compose(mail.Outgoing{From: s.From, To: []string{draft.To}, Subject: draft.Subject, Tracking: first.Tracking,
		Lang: draft.Lang, Body: req.Body, Date: now()}, s.Signer)
	if err != nil {
		return store.Message{}, err
	}
	from, _ := netmail.ParseAddress(s.From)
	if err := s.Relay.Send(ctx, from.Address, []string{draft.To}, raw); err != nil {
		return store.Message{}, fmt.Errorf("%w: %w", ErrNotSent, err)
	}
	m, _, err := s.Messages.AddMessage(ctx, store.Message{ReportID: first.ID, IncidentID: req.IncidentID, Direction: store.Outbound,
		Kind: store.MessageForward, MessageID: out.MessageID, Subject: out.Subject, From: from.Address, To: []string{draft.To},
		Raw: raw, At: out.Date}, actor)
	if err != nil {
		return store.Message{}, fmt.Errorf("%w: %w", ErrNotRecords, err)
	}
	return m, nil
}
