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
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

// ErrNoSender is returned for a reply to a message without a sender address to answer.
var ErrNoSender = errors.New("the message has no sender to reply to")

// ErrAutomatic is returned for a reply to an automatic message (an out-of-office reply, a
// bounce): its sender is a program that would answer again, or nobody.
var ErrAutomatic = errors.New("the message was sent by a program (auto-reply or bounce); write to the site's own address instead")

// ReplyRequest is an analyst's answer to a message of a thread (a site's reply).
type ReplyRequest struct {
	// Parent is the message answered; the reply goes to its sender, in its thread.
	Parent store.Message
	// Reports are the reports of the thread (the parent's report, or its incident's), whose
	// reporters' identities the reply must not show either.
	Reports []*report.Report
	Site    string
	Body    string
}

// request is the forward request whose redaction rules the reply follows: the same reports,
// the parent's sender as the site.
func (r ReplyRequest) request() Request {
	return Request{Reports: r.Reports, IncidentID: r.Parent.IncidentID, To: r.Parent.From, Site: r.Site, Body: r.Body}
}

// CheckReply is Check for a reply: it returns the reply's text as redaction would have it.
func (s *Service) CheckReply(req ReplyRequest) (string, bool, error) {
	if req.Parent.From == "" {
		return "", false, ErrNoSender
	}
	if req.Parent.Kind == store.MessageAutomatic {
		return "", false, ErrAutomatic
	}
	return s.Check(req.request())
}

// Reply sends an analyst's answer to a message of a thread, threaded to it (In-Reply-To and
// References, RFC 5322 3.6.4) with the tracking number in the subject, after checking that it
// shows nothing the forward withheld; it is recorded on the parent's thread once the relay took
// it.
func (s *Service) Reply(ctx context.Context, req ReplyRequest, actor audit.Actor) (store.Message, error) {
	if s.Relay == nil {
		return store.Message{}, ErrNoRelay
	}
	if strings.TrimSpace(req.Body) == "" {
		return store.Message{}, ErrEmpty
	}
	_, clean, err := s.CheckReply(req)
	if err != nil {
		return store.Message{}, err
	}
	if !clean {
		return store.Message{}, ErrNotClean
	}
	to, err := netmail.ParseAddress(req.Parent.From)
	if err != nil {
		return store.Message{}, ErrNoSender
	}
	parent := mail.ReadThread(req.Parent.Raw)
	if parent.MessageID == "" {
		parent.MessageID = req.Parent.MessageID
	}
	subject := req.Parent.Subject
	if !strings.HasPrefix(strings.ToLower(subject), "re:") {
		subject = "Re: " + subject
	}
	tracking := ""
	if len(req.Reports) > 0 {
		tracking = req.Reports[0].Tracking
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	raw, out, err := mail.Compose(mail.Outgoing{From: s.From, To: []string{to.Address}, Subject: subject, Tracking: tracking,
		Body: req.Body, Parent: &parent, Date: now()}, s.Signer)
	if err != nil {
		return store.Message{}, err
	}
	from, _ := netmail.ParseAddress(s.From)
	if err := s.Relay.Send(ctx, from.Address, []string{to.Address}, raw); err != nil {
		return store.Message{}, fmt.Errorf("%w: %w", ErrNotSent, err)
	}
	refs := append(append([]string(nil), parent.References...), parent.MessageID)
	m, _, err := s.Messages.AddMessage(ctx, store.Message{ReportID: req.Parent.ReportID, IncidentID: req.Parent.IncidentID,
		Direction: store.Outbound, Kind: store.MessageReply, MessageID: out.MessageID, InReplyTo: parent.MessageID, References: refs,
		Subject: out.Subject, From: from.Address, To: []string{to.Address}, Raw: raw, At: out.Date}, actor)
	if err != nil {
		return store.Message{}, fmt.Errorf("%w: %w", ErrNotRecords, err)
	}
	return m, nil
}
