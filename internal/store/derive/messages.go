package derive

import (
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/store"
)

// Message is m as both adapters store it: text fields made storable by Text, the time at
// microsecond precision (now when unset), the content type defaulted to mail, and the actor.
func Message(m store.Message, actor audit.Actor, now time.Time) store.Message {
	m.MessageID, m.InReplyTo = Text(m.MessageID), Text(m.InReplyTo)
	m.Subject, m.From = Text(m.Subject), Text(m.From)
	refs := make([]string, 0, len(m.References))
	for _, r := range m.References {
		if r = strings.Join(strings.Fields(Text(r)), ""); r != "" {
			refs = append(refs, r)
		}
	}
	m.References = refs
	to := make([]string, 0, len(m.To))
	for _, t := range m.To {
		if t = strings.Join(strings.Fields(Text(t)), ""); t != "" {
			to = append(to, t)
		}
	}
	m.To = to
	if m.ContentType == "" {
		m.ContentType = "message/rfc822"
	}
	m.ContentType = Text(m.ContentType)
	if m.At.IsZero() {
		m.At = now
	}
	m.At = Time(m.At)
	m.By = audit.Actor{UserID: actor.UserID, Name: Text(actor.Name)}
	if m.Raw == nil {
		m.Raw = []byte{}
	}
	return m
}

// MessageAudit is the audit entry of storing m: whose thread, which way, what it is.
func MessageAudit(m store.Message) audit.Entry {
	action := "message.receive"
	if m.Direction == store.Outbound {
		action = "message.send"
	}
	after, _ := audit.Fields(map[string]any{"report_id": m.ReportID, "incident_id": m.IncidentID, "direction": m.Direction,
		"kind": m.Kind, "message_id": m.MessageID, "subject": m.Subject, "shared": m.Shared})
	return audit.Entry{At: m.At, Actor: m.By, Object: audit.KindMessage, ObjectID: m.ID, Action: action, After: after}
}

// ShareAudit is the audit entry of showing a message to the reporter or hiding it again.
func ShareAudit(id int64, was, shared bool, actor audit.Actor, now time.Time) audit.Entry {
	action := "message.share"
	if !shared {
		action = "message.unshare"
	}
	before, _ := audit.Fields(map[string]any{"shared": was})
	after, _ := audit.Fields(map[string]any{"shared": shared})
	return audit.Entry{At: Time(now), Actor: actor, Object: audit.KindMessage, ObjectID: id, Action: action, Before: before, After: after}
}

// InIDOrder orders messages by the position of their Message-ID in ids.
func InIDOrder(found []store.Message, ids []string) []store.Message {
	out := make([]store.Message, 0, len(found))
	for _, id := range ids {
		for _, m := range found {
			if m.MessageID == id {
				out = append(out, m)
				break
			}
		}
	}
	return out
}
