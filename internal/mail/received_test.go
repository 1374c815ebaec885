package mail

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestReceivedAt(t *testing.T) {
	jst := time.FixedZone("", 9*3600)
	tests := []struct {
		name     string
		raw      string
		fromLine string
		want     time.Time
		ok       bool
	}{
		{
			name:     "From_ line wins, zone taken from the newest Received",
			raw:      "Received: from a by b; Sat, 1 Apr 2000 10:23:40 +0900 (JST)\nReceived: from c by a; Sat, 1 Apr 2000 10:23:30 +0900\nDate: Fri, 31 Mar 2000 23:00:00 -0800\n\n",
			fromLine: "From reporter@example.co.jp  Sat Apr  1 10:23:45 2000",
			want:     time.Date(2000, 4, 1, 10, 23, 45, 0, jst), ok: true,
		},
		{
			name:     "From_ line with a zone name before the year",
			raw:      "Date: Sat, 1 Apr 2000 00:00:00 +0000\n\n",
			fromLine: "From x@y Sat Apr  1 10:23:45 JST 2000",
			want:     time.Date(2000, 4, 1, 10, 23, 45, 0, jst), ok: true,
		},
		{
			name:     "From_ line with a numeric zone after the year",
			raw:      "\n",
			fromLine: "From x@y Sat Apr  1 10:23:45 2000 +0900",
			want:     time.Date(2000, 4, 1, 10, 23, 45, 0, jst), ok: true,
		},
		{
			name:     "From_ line of a bounce, null sender, no Received: UTC",
			raw:      "Subject: x\n\n",
			fromLine: "From MAILER-DAEMON Mon Jul  3 01:02:03 2000",
			want:     time.Date(2000, 7, 3, 1, 2, 3, 0, time.UTC), ok: true,
		},
		{
			name: "newest Received: with +0900 (JST), folded",
			raw:  "Received: from mail.example.co.jp (mail.example.co.jp [192.0.2.25])\n\tby relay (8.8.8/3.6W) with ESMTP id MAA01234\n\tfor <info@jpcert.example>; Fri, 13 Mar 1998 13:02:11 +0900 (JST)\nReceived: x; Fri, 13 Mar 1998 13:01:58 +0900\nDate: Fri, 13 Mar 1998 13:01:50 +0900\n\n",
			want: time.Date(1998, 3, 13, 13, 2, 11, 0, jst), ok: true,
		},
		{
			name: "obsolete zone JST and a two-digit year",
			raw:  "Received: from mh by relay (8.6.12/3.4W)\n\tid QAA00077; Tue, 24 Feb 98 16:20:01 JST\n\n",
			want: time.Date(1998, 2, 24, 16, 20, 1, 0, jst), ok: true,
		},
		{
			name: "two-digit year 00 is 2000",
			raw:  "Date: 1 Apr 00 09:00 PST\n\n",
			want: time.Date(2000, 4, 1, 9, 0, 0, 0, time.FixedZone("", -8*3600)), ok: true,
		},
		{
			name: "Received without a date falls back to Date:",
			raw:  "Received: from x by y id 1\nDate: Thu, 26 Feb 1998 09:00:00 -0500\n\n",
			want: time.Date(1998, 2, 26, 9, 0, 0, 0, time.FixedZone("", -5*3600)), ok: true,
		},
		{
			name: "asctime order in Date:",
			raw:  "Date: Sat Apr  1 10:23:45 2000\n\n",
			want: time.Date(2000, 4, 1, 10, 23, 45, 0, time.UTC), ok: true,
		},
		{
			name: "nothing usable",
			raw:  "Date: yesterday\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ReceivedAt([]byte(tt.raw), tt.fromLine)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("ReceivedAt = %v %v, want %v %v", got, ok, tt.want, tt.ok)
			}
			if ok {
				_, gotOff := got.Zone()
				_, wantOff := tt.want.Zone()
				if gotOff != wantOff {
					t.Errorf("offset = %d, want %d", gotOff, wantOff)
				}
			}
		})
	}
}

func TestReceivedAtTestdata(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "mutt_eucjp_uuencode.eml"))
	if err != nil {
		t.Fatal(err)
	}
	// The file starts with its mbox From_ line; it is read when given, and skipped as a header.
	got, ok := ReceivedAt(raw, "From takahashi@example.or.jp  Thu Jun  1 02:30:45 2000")
	want := time.Date(2000, 6, 1, 2, 30, 45, 0, time.FixedZone("", 9*3600))
	if !ok || !got.Equal(want) {
		t.Errorf("ReceivedAt = %v %v, want %v", got, ok, want)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]time.Time{
		"Sat, 01 Apr 2000 10:23:45 +0900":         time.Date(2000, 4, 1, 1, 23, 45, 0, time.UTC),
		"Sat, 1 Apr 2000 10:23:45 +0900 (JST)":    time.Date(2000, 4, 1, 1, 23, 45, 0, time.UTC),
		"1 Apr 2000 10:23 GMT":                    time.Date(2000, 4, 1, 10, 23, 0, 0, time.UTC),
		"Mon, 3 Jul 2000 01:02:03 EDT":            time.Date(2000, 7, 3, 5, 2, 3, 0, time.UTC),
		"Mon, 3 Jul 2000 01:02:03 -0000":          time.Date(2000, 7, 3, 1, 2, 3, 0, time.UTC),
		"Tue, 24 Feb 98 16:20:01 JST":             time.Date(1998, 2, 24, 7, 20, 1, 0, time.UTC),
		"Wed, 10 May 2000 12:05:30 +01:00":        time.Date(2000, 5, 10, 11, 5, 30, 0, time.UTC),
		"Wed, 10 May 2000 12:05:30 Z":             time.Date(2000, 5, 10, 12, 5, 30, 0, time.UTC),
		"Thu,  1 Jun 2000 02:30:44 +0900 (JST)\r": time.Date(2000, 5, 31, 17, 30, 44, 0, time.UTC),
	} {
		got, ok := ParseDate(in)
		if !ok || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "31 Feb 2000 10:00:00 +0000", "1 Foo 2000 10:00", "1 Apr 2000 25:00:00", "Sat, 1 Apr"} {
		if got, ok := ParseDate(bad); ok {
			t.Errorf("ParseDate(%q) = %v, want failure", bad, got)
		}
	}
}
