package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"slices"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

// ThreadStore is what joining replies needs: the threads, and reports by tracking number.
type ThreadStore interface {
	store.Messages
	Get(ctx context.Context, id int64) (*report.Report, error)
	ByTracking(ctx context.Context, tracking string) (*report.Report, error)
}

// Replies is a report.Submitter for mail (the SMTP listener, keikai import) that keeps the
// conversation of a report together: a message that answers one keikai sent joins that
// message's report or incident as an inbound message instead of becoming a new report. The
// answer is recognised by its In-Reply-To, then its References (newest first), against the
// Message-IDs keikai stored, then the Message-IDs of messages it encloses (a bounce's returned
// message, a reply sent as a forwarded attachment); failing those, by a tracking number in its
// subject that exists. Outlook's Thread-Index is not used: it names no message keikai sent,
// and Outlook keeps In-Reply-To and the subject's tracking number. A message a program sent
// (mail.Automatic: out-of-office, bounce) joins as store.MessageAutomatic, which keikai never
// answers. Everything else goes to Next (where an automatic message is stored as a report but
// not acknowledged).
type Replies struct {
	Next   report.Submitter
	Store  ThreadStore
	Logger *slog.Logger
}

// Submit implements report.Submitter.
func (r *Replies) Submit(ctx context.Context, sub *report.Submission) (report.Receipt, error) {
	if mt, _, err := mime.ParseMediaType(sub.ContentType); err != nil || mt != MediaMail {
		return r.Next.Submit(ctx, sub)
	}
	th := mail.ReadThread(sub.Raw)
	target, err := r.thread(ctx, th)
	if err != nil {
		return report.Receipt{}, err
	}
	if target == nil {
		return r.Next.Submit(ctx, sub)
	}
	kind := store.MessageReply
	if th.Automatic != "" {
		kind = store.MessageAutomatic
	}
	m := store.Message{ReportID: target.ReportID, IncidentID: target.IncidentID, Direction: store.Inbound, Kind: kind,
		MessageID: sub.MessageID, References: th.References, Subject: th.Subject, From: th.From, To: th.To, Raw: sub.Raw, At: sub.ReceivedAt}
	if m.MessageID == "" {
		m.MessageID = th.MessageID
	}
	if len(th.InReplyTo) > 0 {
		m.InReplyTo = th.InReplyTo[0]
	}
	stored, created, err := r.Store.AddMessage(ctx, m, audit.Actor{Name: "keikai"})
	if err != nil {
		return report.Receipt{}, fmt.Errorf("store the reply: %w", err)
	}
	rc := report.Receipt{ID: stored.ReportID, Tracking: target.Tracking, ReceivedAt: stored.At, Joined: true, Duplicate: !created, IncidentID: stored.IncidentID}
	if r.Logger != nil {
		r.Logger.Info("reply joined its thread", "tracking", rc.Tracking, "incident", rc.IncidentID, "message", stored.ID, "message_id", stored.MessageID, "by", target.By, "automatic", th.Automatic)
	}
	return rc, nil
}

// threadTarget is the thread a reply joins and how it was found.
type threadTarget struct {
	ReportID, IncidentID int64
	Tracking             string
	By                   string // "in-reply-to", "references", "enclosed" or "subject"
}

func (r *Replies) thread(ctx context.Context, th mail.Thread) (*threadTarget, error) {
	refs := slices.Clone(th.References)
	slices.Reverse(refs)
	for _, step := range []struct {
		by  string
		ids []string
	}{{"in-reply-to", th.InReplyTo}, {"references", refs}, {"enclosed", th.Enclosed}} {
		if len(step.ids) == 0 {
			continue
		}
		found, err := r.Store.MessagesByMessageID(ctx, step.ids)
		if err != nil {
			return nil, fmt.Errorf("look up the thread of a reply: %w", err)
		}
		// Any message of a thread places an answer to it there: what keikai sent, and the
		// replies that joined before (a site answering its own earlier reply). The first id of
		// the step that keikai knows decides, whatever order the store returned them in.
		slices.SortStableFunc(found, func(a, b store.Message) int {
			return slices.Index(step.ids, a.MessageID) - slices.Index(step.ids, b.MessageID)
		})
		for _, m := range found {
			t := &threadTarget{ReportID: m.ReportID, IncidentID: m.IncidentID, By: step.by}
			if m.ReportID != 0 {
				rep, err := r.Store.Get(ctx, m.ReportID)
				if err != nil {
					return nil, fmt.Errorf("look up the report of a reply: %w", err)
				}
				t.Tracking = rep.Tracking
			}
			return t, nil
		}
	}
	for _, n := range mail.TrackingNumbers(th.Subject) {
		rep, err := r.Store.ByTracking(ctx, n)
		if errors.Is(err, report.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("look up tracking number %s: %w", n, err)
		}
		return &threadTarget{ReportID: rep.ID, Tracking: rep.Tracking, By: "subject"}, nil
	}
	return nil, nil
}
