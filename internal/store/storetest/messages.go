package storetest

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

func testMessages(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a := insert(t, s, &report.Submission{Raw: []byte("a"), MessageID: "a@example"})
	b := insert(t, s, &report.Submission{Raw: []byte("b"), MessageID: "b@example"})
	analyst := audit.Actor{UserID: 7, Name: "hanako"}
	inc, err := s.CreateIncident(ctx, "scan from 203.0.113.5", nil, analyst)
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("Subject: [KK] x\r\n\r\n\x00\xff\x1b[31m byte for byte\r\n")
	out := store.Message{ReportID: a.ID, Direction: store.Outbound, Kind: store.MessageForward, MessageID: "kk.1@csirt.example",
		Subject: "[KK] forward", From: "info@csirt.example", To: []string{"abuse@site.example", "noc@site.example"}, Raw: raw}
	sent, created, err := s.AddMessage(ctx, out, analyst)
	if err != nil || !created || sent.ID == 0 || sent.By != analyst || sent.At.IsZero() || sent.ContentType != "message/rfc822" {
		t.Fatalf("AddMessage = %+v, %v, %v", sent, created, err)
	}
	reply := store.Message{ReportID: a.ID, IncidentID: inc.ID, Direction: store.Inbound, Kind: store.MessageReply, MessageID: "r1@site.example",
		InReplyTo: "kk.1@csirt.example", References: []string{"kk.1@csirt.example"}, Subject: "Re: [KK] forward\x00", From: "abuse@site.example", Raw: []byte("reply")}
	got, created, err := s.AddMessage(ctx, reply, audit.Actor{})
	if err != nil || !created || got.Subject != "Re: [KK] forward" {
		t.Fatalf("AddMessage reply = %+v, %v, %v", got, created, err)
	}
	again, created, err := s.AddMessage(ctx, store.Message{ReportID: b.ID, Direction: store.Inbound, Kind: store.MessageReply, MessageID: "r1@site.example", Raw: []byte("other")}, audit.Actor{})
	if err != nil || created || again.ID != got.ID || again.ReportID != a.ID {
		t.Errorf("the same Message-ID again = %+v, %v, %v; want the stored one", again, created, err)
	}
	if _, _, err := s.AddMessage(ctx, store.Message{Direction: store.Inbound, Kind: store.MessageReply, Raw: []byte("x")}, audit.Actor{}); err == nil {
		t.Error("a message of no report and no incident was stored")
	}
	if _, _, err := s.AddMessage(ctx, store.Message{IncidentID: inc.ID + 1000, Direction: store.Inbound, Kind: store.MessageReply, Raw: []byte("x")}, audit.Actor{}); err == nil {
		t.Error("a message of an incident that does not exist was stored")
	}
	note, _, err := s.AddMessage(ctx, store.Message{ReportID: b.ID, Direction: store.Inbound, Kind: store.MessageReporter,
		ContentType: "multipart/form-data; boundary=x", Raw: []byte("--x--\r\n")}, audit.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	onlyIncident, _, err := s.AddMessage(ctx, store.Message{IncidentID: inc.ID, Direction: store.Outbound, Kind: store.MessageForward, MessageID: "kk.2@csirt.example", Raw: []byte("i")}, analyst)
	if err != nil || onlyIncident.ReportID != 0 || onlyIncident.IncidentID != inc.ID {
		t.Fatalf("incident message %+v, %v", onlyIncident, err)
	}
	s.Close()

	s = openStore(t, open)
	m, err := s.Message(ctx, sent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Raw, raw) || !reflect.DeepEqual(m.To, out.To) || m.MessageID != out.MessageID || m.Direction != store.Outbound ||
		m.Kind != store.MessageForward || !m.At.Equal(sent.At) || m.By != analyst {
		t.Errorf("read back %+v", m)
	}
	if _, err := s.Message(ctx, 99999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown message: %v", err)
	}
	ids := func(ms []store.Message) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    store.MessageFilter
		want []int64
	}{
		{"report a", store.MessageFilter{ReportID: a.ID}, []int64{sent.ID, got.ID}},
		{"report b", store.MessageFilter{ReportID: b.ID}, []int64{note.ID}},
		{"incident", store.MessageFilter{IncidentID: inc.ID}, []int64{got.ID, onlyIncident.ID}},
		{"report or incident", store.MessageFilter{ReportID: b.ID, IncidentID: inc.ID}, []int64{got.ID, note.ID, onlyIncident.ID}},
		{"shared only, none yet", store.MessageFilter{ReportID: a.ID, SharedOnly: true}, nil},
		{"nothing", store.MessageFilter{}, nil},
	} {
		ms, err := s.Messages(ctx, tc.f)
		if err != nil || !reflect.DeepEqual(ids(ms), tc.want) {
			t.Errorf("%s: Messages = %v, %v; want %v", tc.name, ids(ms), err, tc.want)
		}
	}
	byID, err := s.MessagesByMessageID(ctx, []string{"r1@site.example", "unknown@x", "kk.1@csirt.example"})
	if err != nil || !reflect.DeepEqual(ids(byID), []int64{got.ID, sent.ID}) {
		t.Errorf("MessagesByMessageID = %v, %v", ids(byID), err)
	}

	if err := s.ShareMessage(ctx, got.ID, true, analyst); err != nil {
		t.Fatal(err)
	}
	if err := s.ShareMessage(ctx, got.ID, true, analyst); err != nil {
		t.Errorf("sharing twice: %v", err)
	}
	shared, err := s.Messages(ctx, store.MessageFilter{ReportID: a.ID, SharedOnly: true})
	if err != nil || !reflect.DeepEqual(ids(shared), []int64{got.ID}) || !shared[0].Shared {
		t.Errorf("shared = %+v, %v", shared, err)
	}
	if err := s.ShareMessage(ctx, got.ID, false, analyst); err != nil {
		t.Fatal(err)
	}
	if shared, _ := s.Messages(ctx, store.MessageFilter{ReportID: a.ID, SharedOnly: true}); len(shared) != 0 {
		t.Errorf("unshared message still shared: %v", ids(shared))
	}
	if err := s.ShareMessage(ctx, 99999, true, analyst); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("sharing an unknown message: %v", err)
	}

	// Every change is in the audit log, with who did it; a duplicate and a no-op add nothing.
	for _, tc := range []struct {
		id   int64
		want []string
	}{
		{sent.ID, []string{"message.send hanako"}},
		{got.ID, []string{"message.receive ", "message.share hanako", "message.unshare hanako"}},
		{note.ID, []string{"message.receive "}},
	} {
		entries, err := s.AuditLog(ctx, store.AuditFilter{Object: audit.KindMessage, ObjectID: tc.id})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action+" "+e.Actor.Name)
		}
		if !reflect.DeepEqual(actions, tc.want) {
			t.Errorf("audit of message %d: %q, want %q", tc.id, actions, tc.want)
		}
	}
	all, err := s.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := audit.Verify(all); err != nil {
		t.Errorf("the audit chain breaks at %d: %v", id, err)
	}
}
