package intake

import (
	"bytes"
	"context"
	"testing"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

func TestRepliesJoinTheirThread(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	svc := newService(t, st, nil, func(c *Config) { c.Decoders[MediaMail] = MailDecoder(DefaultLimits()) })
	replies := &Replies{Next: svc, Store: st}
	mailSub := func(raw string) *report.Submission {
		return &report.Submission{Channel: report.ChannelSMTP, Raw: []byte(raw), ContentType: MediaMail, MessageID: mail.MessageID([]byte(raw))}
	}
	first, err := replies.Submit(ctx, mailSub("From: taro@reporter.example\r\nMessage-ID: <report1@reporter.example>\r\nSubject: probe\r\n\r\nscan from 203.0.113.5\r\n"))
	if err != nil || first.Joined || first.Tracking == "" {
		t.Fatalf("a first report: %+v, %v", first, err)
	}
	// keikai forwards it to a site and stores what it sent.
	fwd, _, err := st.AddMessage(ctx, store.Message{ReportID: first.ID, Direction: store.Outbound, Kind: store.MessageForward,
		MessageID: "kk.fwd1@csirt.example", Subject: "[" + first.Tracking + "] Report", Raw: []byte("forward")}, audit.Actor{UserID: 1, Name: "analyst"})
	if err != nil {
		t.Fatal(err)
	}
	inc, err := st.CreateIncident(ctx, "scan", nil, audit.Actor{UserID: 1, Name: "analyst"})
	if err != nil {
		t.Fatal(err)
	}
	incidentOnly, _, err := st.AddMessage(ctx, store.Message{IncidentID: inc.ID, Direction: store.Outbound, Kind: store.MessageForward,
		MessageID: "kk.inc9@csirt.example", Subject: "incident", Raw: []byte("forward")}, audit.Actor{UserID: 1, Name: "analyst"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		raw          string
		wantJoined   bool
		wantReport   int64
		wantIncident int64
		wantDup      bool
	}{
		{"In-Reply-To names the forward",
			"From: abuse@site.example\r\nMessage-ID: <r1@site.example>\r\nIn-Reply-To: <kk.fwd1@csirt.example>\r\nSubject: Re: Report\r\n\r\nfixed\r\n",
			true, first.ID, 0, false},
		{"the same reply again is stored once",
			"From: abuse@site.example\r\nMessage-ID: <r1@site.example>\r\nIn-Reply-To: <kk.fwd1@csirt.example>\r\nSubject: Re: Report\r\n\r\nfixed\r\n",
			true, first.ID, 0, true},
		{"References only, newest first",
			"From: noc@site.example\r\nMessage-ID: <r2@site.example>\r\nReferences: <unknown@x> <r1@site.example>\r\nSubject: more\r\n\r\nmore\r\n",
			true, first.ID, 0, false},
		{"an incident's thread",
			"From: noc@other.example\r\nMessage-ID: <r3@other.example>\r\nIn-Reply-To: <kk.inc9@csirt.example>\r\nSubject: Re: incident\r\n\r\nok\r\n",
			true, 0, inc.ID, false},
		{"the tracking number in the subject, as a fallback",
			"From: taro@reporter.example\r\nMessage-ID: <r4@reporter.example>\r\nSubject: Re: [" + first.Tracking + "] Report received\r\n\r\nanother log\r\n",
			true, first.ID, 0, false},
		{"a tracking number that does not exist makes a new report",
			"From: x@example.net\r\nMessage-ID: <r5@example.net>\r\nSubject: [KK-1999-999999] spoof\r\n\r\nscan\r\n",
			false, 0, 0, false},
		{"unrelated mail is a new report",
			"From: y@example.net\r\nMessage-ID: <r6@example.net>\r\nIn-Reply-To: <elsewhere@example.net>\r\nSubject: new\r\n\r\nscan\r\n",
			false, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := replies.Submit(ctx, mailSub(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if rc.Joined != tc.wantJoined || rc.Duplicate != tc.wantDup {
				t.Fatalf("receipt %+v", rc)
			}
			if !tc.wantJoined {
				if rc.ID == first.ID || rc.StatusSecret == "" {
					t.Errorf("not a new report: %+v", rc)
				}
				return
			}
			if rc.ID != tc.wantReport || rc.IncidentID != tc.wantIncident || (tc.wantReport != 0 && rc.Tracking != first.Tracking) || rc.StatusSecret != "" {
				t.Errorf("receipt %+v, want report %d incident %d", rc, tc.wantReport, tc.wantIncident)
			}
			th := mail.ReadThread([]byte(tc.raw))
			got, err := st.MessagesByMessageID(ctx, []string{th.MessageID})
			if err != nil || len(got) != 1 || !bytes.Equal(got[0].Raw, []byte(tc.raw)) || got[0].Direction != store.Inbound || got[0].Kind != store.MessageReply {
				t.Errorf("stored reply %+v, %v", got, err)
			}
		})
	}
	thread, err := st.Messages(ctx, store.MessageFilter{ReportID: first.ID})
	if err != nil || len(thread) != 4 || thread[0].ID != fwd.ID {
		t.Errorf("thread of the report: %d messages, %v", len(thread), err)
	}
	incThread, _ := st.Messages(ctx, store.MessageFilter{IncidentID: inc.ID})
	if len(incThread) != 2 || incThread[0].ID != incidentOnly.ID {
		t.Errorf("thread of the incident: %+v", incThread)
	}
	// Web submissions never join a thread, whatever they say.
	web := jsonSubmission(t, map[string]any{"description": "Subject [" + first.Tracking + "]"})
	if rc, err := replies.Submit(ctx, web); err != nil || rc.Joined {
		t.Errorf("web submission: %+v, %v", rc, err)
	}
}
