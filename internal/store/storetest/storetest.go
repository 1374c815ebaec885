// Package storetest is the conformance suite of the store adapters: every adapter runs the same
// tests against its real database, so SQLite and PostgreSQL cannot drift apart.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Opener opens the database of test t: an empty one on the first call for t, and the same one
// again on later calls (after the store of the first call was closed), to check what survives
// a reopen. The store is closed by the suite, not by a cleanup of the opener.
type Opener func(t *testing.T) store.Store

// Run runs the suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"RawBytes", testRawBytes},
		{"OddText", testOddText},
		{"Tracking", testTracking},
		{"DedupMessageID", testDedupMessageID},
		{"DedupIdempotencyKey", testDedupIdempotencyKey},
		{"StatusHash", testStatusHash},
		{"QueueTwoWorkers", testQueueTwoWorkers},
		{"QueueLeaseExpiry", testQueueLeaseExpiry},
		{"QueueFail", testQueueFail},
		{"CompleteReplaces", testCompleteReplaces},
		{"List", testList},
		{"Activity", testActivity},
		{"ActivityPeriods", testActivityPeriods},
		{"ConcurrentCompletes", testConcurrentCompletes},
		{"Tokens", testTokens},
		{"NotFound", testNotFound},
		{"Reopen", testReopen},
		{"Advisories", testAdvisories},
		{"StaffUsers", testStaffUsers},
		{"StaffSessions", testStaffSessions},
		{"StaffTOTP", testStaffTOTP},
		{"LoginFailures", testLoginFailures},
		{"Messages", testMessages},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// Day is a UTC midnight of the seed's quarter, so test times read like the activity report.
func Day(month, day int) time.Time {
	return time.Date(2000, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

func openStore(t *testing.T, open Opener) store.Store {
	t.Helper()
	s := open(t)
	t.Cleanup(func() { s.Close() })
	return s
}

func insert(t *testing.T, s store.Store, sub *report.Submission) report.Receipt {
	t.Helper()
	if sub.Channel == "" {
		sub.Channel = report.ChannelAPI
	}
	if sub.ReceivedAt.IsZero() {
		sub.ReceivedAt = Day(4, 1)
	}
	rc, err := s.Insert(context.Background(), sub, nil)
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	return rc
}

// analyse claims the job of report id and completes it with a.
func analyse(t *testing.T, s store.Store, id int64, a *report.Analysis) {
	t.Helper()
	ctx := context.Background()
	for {
		jobs, err := s.Claim(ctx, "test", 100, time.Minute)
		if err != nil {
			t.Fatalf("Claim: %v", err)
		}
		if len(jobs) == 0 {
			t.Fatalf("no job for report %d", id)
		}
		var found bool
		for _, j := range jobs {
			if j.ReportID == id {
				found = true
				if err := s.Complete(ctx, j, a); err != nil {
					t.Fatalf("Complete: %v", err)
				}
				continue
			}
			// Not ours: hand it back at once.
			if err := s.Fail(ctx, j, "not this test's", time.Time{}, false); err != nil {
				t.Fatalf("Fail: %v", err)
			}
		}
		if found {
			return
		}
	}
}

func testRawBytes(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	tests := []struct {
		name string
		raw  []byte
	}{
		{"empty", []byte{}},
		{"ascii", []byte("Subject: probe\r\n\r\nport 111\r\n")},
		{"nul", []byte("a\x00b\x00\x00")},
		{"invalid utf-8", []byte("\xff\xfe\xc3\x28 \xe2\x82")},
		{"iso-2022-jp", []byte("\x1b$B$3$s$K$A$O\x1b(B")},
		// The statd line of seed 000, shellcode bytes as they reach syslog.
		{"statd shellcode", []byte("statd[415]: attempt to create \"/var/statmon/sm//../../../../../../../../bin/sh\x90\x90\x90\xeb\x4b\x5e\x89\x76\xac\x83\xee\x20\x8d\x5e\x28\"")},
		{"every byte", func() []byte {
			b := make([]byte, 256)
			for i := range b {
				b[i] = byte(i)
			}
			return b
		}()},
		{"1 MiB", big},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub := &report.Submission{
				Channel:     report.ChannelSMTP,
				ReceivedAt:  time.Date(2000, 5, 1, 12, 34, 56, 789123456, time.FixedZone("JST", 9*3600)),
				Raw:         tc.raw,
				ContentType: "message/rfc822",
				MessageID:   fmt.Sprintf("raw-%d@example.jp", i),
				RemoteAddr:  "192.0.2.7:4321",
				Lang:        "ja",
			}
			rc, err := s.Insert(ctx, sub, nil)
			if err != nil {
				t.Fatalf("Insert: %v", err)
			}
			got, err := s.Submission(ctx, rc.ID)
			if err != nil {
				t.Fatalf("Submission: %v", err)
			}
			if !bytes.Equal(got.Raw, tc.raw) {
				t.Fatalf("raw bytes differ: stored %d bytes, read back %d", len(tc.raw), len(got.Raw))
			}
			want := *sub
			want.ReceivedAt = sub.ReceivedAt.UTC().Truncate(time.Microsecond)
			got.Raw, want.Raw = nil, nil
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("submission read back\n got %+v\nwant %+v", *got, want)
			}
			r, err := s.Get(ctx, rc.ID)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if r.Size != int64(len(tc.raw)) || r.State != report.StateReceived || r.Analysis != nil || !r.ReceivedAt.Equal(want.ReceivedAt) {
				t.Errorf("report = %+v, want size %d, state received, no analysis", r, len(tc.raw))
			}
		})
	}
}

// testOddText checks that metadata and analyses carrying NUL and invalid UTF-8 (taken from
// hostile mail) are stored, not refused: a refused insert would lose a report.
func testOddText(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	sub := &report.Submission{Channel: report.ChannelSMTP, MessageID: "bad\xff\x00id@example.jp", Lang: "j\xa4a",
		RemoteAddr: "\x00", ContentType: "text/plain; charset=\x1b$B", Raw: []byte("x")}
	first := insert(t, s, sub)
	again := insert(t, s, &report.Submission{MessageID: sub.MessageID, Raw: []byte("y")})
	if !again.Duplicate || again.ID != first.ID {
		t.Errorf("the same odd Message-ID stored twice: %+v %+v", first, again)
	}
	got, err := s.Submission(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.MessageID != "bad\uFFFDid@example.jp" || got.Lang != "j\uFFFDa" || got.RemoteAddr != "" || got.ContentType != sub.ContentType {
		t.Errorf("metadata read back as %+v", got)
	}
	a := &report.Analysis{
		Category:    taxonomy.Intrusion,
		Content:     report.Content{Description: "nul\x00here", Parts: []report.Part{{Kind: report.PartBody, Text: []byte("\x00\xff\x90")}}},
		Findings:    []finding.Finding{{Rule: "r\x00", Title: "t\x00", Category: taxonomy.Intrusion, Excerpt: "e\x00"}},
		CGIPaths:    []string{"/cgi-bin/\x00phf"},
		Observables: []report.Observable{{Kind: report.ObservableURL, Value: "http://x/\x00", Count: 1}},
	}
	analyse(t, s, first.ID, a)
	r, err := s.Get(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Analysis == nil || !reflect.DeepEqual(*r.Analysis, *a) {
		t.Errorf("analysis read back\n got %+v\nwant %+v", r.Analysis, a)
	}
	st, err := s.Activity(ctx, Day(4, 1), Day(7, 1), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.CGIPaths) != 1 || st.CGIPaths[0].Path != "/cgi-bin/phf" || len(st.Causes) != 1 || st.Causes[0].Rule != "r" {
		t.Errorf("side tables of odd text: CGI %+v, causes %+v", st.CGIPaths, st.Causes)
	}
}

var trackingRE = regexp.MustCompile(`^KK-(\d{4})-(\d{6,})$`)

func testTracking(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	seen := map[string]bool{}
	for i, at := range []time.Time{Day(4, 1), Day(6, 30), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} {
		rc := insert(t, s, &report.Submission{ReceivedAt: at, Raw: []byte{byte(i)}})
		m := trackingRE.FindStringSubmatch(rc.Tracking)
		if m == nil || m[1] != fmt.Sprint(at.Year()) || m[2] != fmt.Sprintf("%06d", rc.ID) {
			t.Errorf("tracking %q for report %d received %v: want KK-%d-%06d", rc.Tracking, rc.ID, at, at.Year(), rc.ID)
		}
		if seen[rc.Tracking] || rc.Duplicate {
			t.Errorf("tracking %q repeated", rc.Tracking)
		}
		seen[rc.Tracking] = true
		r, err := s.ByTracking(ctx, rc.Tracking)
		if err != nil || r.ID != rc.ID || r.Tracking != rc.Tracking {
			t.Errorf("ByTracking(%q) = %+v, %v", rc.Tracking, r, err)
		}
	}
}

// concurrently inserts n submissions at once and returns the receipts.
func concurrently(t *testing.T, s store.Store, n int, sub func(i int) *report.Submission) []report.Receipt {
	t.Helper()
	rcs := make([]report.Receipt, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			rcs[i], errs[i] = s.Insert(context.Background(), sub(i), nil)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Insert %d: %v", i, err)
		}
	}
	return rcs
}

// oneOriginal checks that the receipts name one report, stored once.
func oneOriginal(t *testing.T, rcs []report.Receipt) {
	t.Helper()
	originals := 0
	for _, rc := range rcs {
		if !rc.Duplicate {
			originals++
		}
		if rc.ID != rcs[0].ID || rc.Tracking != rcs[0].Tracking {
			t.Errorf("receipt %+v names another report than %+v", rc, rcs[0])
		}
	}
	if originals != 1 {
		t.Errorf("%d receipts without Duplicate, want 1", originals)
	}
}

func testDedupMessageID(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	rcs := concurrently(t, s, 20, func(i int) *report.Submission {
		return &report.Submission{Channel: report.ChannelImport, ReceivedAt: Day(4, 2), MessageID: "same@example.jp", Raw: []byte(fmt.Sprint("copy ", i))}
	})
	oneOriginal(t, rcs)
	other := insert(t, s, &report.Submission{MessageID: "other@example.jp", Raw: []byte("x")})
	if other.Duplicate || other.ID == rcs[0].ID {
		t.Errorf("another Message-ID was taken for a duplicate: %+v", other)
	}
	// Without a Message-ID nothing is a duplicate.
	a := insert(t, s, &report.Submission{Raw: []byte("same")})
	b := insert(t, s, &report.Submission{Raw: []byte("same")})
	if a.Duplicate || b.Duplicate || a.ID == b.ID {
		t.Errorf("submissions without Message-ID deduplicated: %+v %+v", a, b)
	}
	if n, err := s.Pending(ctx); err != nil || n != 4 {
		t.Errorf("Pending = %d, %v; want 4 (one job per stored report)", n, err)
	}
}

func testDedupIdempotencyKey(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	t1, err := s.AddToken(ctx, "partner one", []byte("hash-one"))
	if err != nil {
		t.Fatal(err)
	}
	t2, err := s.AddToken(ctx, "partner two", []byte("hash-two"))
	if err != nil {
		t.Fatal(err)
	}
	rcs := concurrently(t, s, 20, func(i int) *report.Submission {
		return &report.Submission{Channel: report.ChannelAPI, TokenID: t1.ID, IdempotencyKey: "key-1", Raw: []byte(fmt.Sprint("retry ", i))}
	})
	oneOriginal(t, rcs)
	tests := []struct {
		name    string
		token   int64
		key     string
		dupOfID int64 // 0: a new report
	}{
		{"same key, other token", t2.ID, "key-1", 0},
		{"other key, same token", t1.ID, "key-2", 0},
		{"retry of the first", t1.ID, "key-1", rcs[0].ID},
		{"no key", t1.ID, "", 0},
		{"no key again", t1.ID, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := insert(t, s, &report.Submission{TokenID: tc.token, IdempotencyKey: tc.key, Raw: []byte(tc.name)})
			if (tc.dupOfID != 0) != rc.Duplicate || (tc.dupOfID != 0 && rc.ID != tc.dupOfID) {
				t.Errorf("receipt %+v, want duplicate of %d", rc, tc.dupOfID)
			}
		})
	}
	got, err := s.List(ctx, store.Filter{TokenID: t1.ID})
	if err != nil || len(got) != 4 {
		t.Errorf("List(token one) = %d reports, %v; want 4", len(got), err)
	}
}

func testStatusHash(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	rc, err := s.Insert(ctx, &report.Submission{Channel: report.ChannelForm, ReceivedAt: Day(4, 3), Raw: []byte("form")}, []byte("secret-hash-1"))
	if err != nil {
		t.Fatal(err)
	}
	// Reports without a status link do not collide with each other.
	insert(t, s, &report.Submission{Raw: []byte("a")})
	insert(t, s, &report.Submission{Raw: []byte("b")})
	r, err := s.ByStatusHash(ctx, []byte("secret-hash-1"))
	if err != nil || r.ID != rc.ID {
		t.Errorf("ByStatusHash = %+v, %v; want report %d", r, err, rc.ID)
	}
	for _, h := range [][]byte{[]byte("secret-hash-2"), nil, {}} {
		if _, err := s.ByStatusHash(ctx, h); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ByStatusHash(%q) error = %v, want ErrNotFound", h, err)
		}
	}
}

func testQueueTwoWorkers(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	const n = 40
	want := map[int64]bool{}
	for i := range n {
		want[insert(t, s, &report.Submission{Raw: []byte{byte(i)}}).ID] = true
	}
	var mu sync.Mutex
	claimed := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, worker := range []string{"one", "two"} {
		wg.Go(func() {
			for {
				jobs, err := s.Claim(ctx, worker, 3, time.Minute)
				if err != nil {
					errs <- err
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, j := range jobs {
					if prev, ok := claimed[j.ReportID]; ok {
						errs <- fmt.Errorf("report %d claimed by %s and again by %s", j.ReportID, prev, worker)
					}
					claimed[j.ReportID] = worker
					if j.Worker != worker || j.Attempts != 1 {
						errs <- fmt.Errorf("job %+v: want worker %s, attempt 1", j, worker)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(claimed) != n {
		t.Errorf("%d reports claimed, want %d", len(claimed), n)
	}
	for id := range want {
		if _, ok := claimed[id]; !ok {
			t.Errorf("report %d never claimed", id)
		}
	}
	if p, err := s.Pending(ctx); err != nil || p != n {
		t.Errorf("Pending = %d, %v; leased jobs are pending until completed, want %d", p, err, n)
	}
}

func testQueueLeaseExpiry(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	rc := insert(t, s, &report.Submission{Raw: []byte("lease")})
	const lease = 300 * time.Millisecond
	first, err := s.Claim(ctx, "dies", 10, lease)
	if err != nil || len(first) != 1 || first[0].ReportID != rc.ID {
		t.Fatalf("Claim = %+v, %v; want the job of report %d", first, err, rc.ID)
	}
	if again, err := s.Claim(ctx, "other", 10, lease); err != nil || len(again) != 0 {
		t.Fatalf("Claim during the lease = %+v, %v; want nothing", again, err)
	}
	time.Sleep(lease + 100*time.Millisecond)
	second, err := s.Claim(ctx, "other", 10, time.Minute)
	if err != nil || len(second) != 1 || second[0].ID != first[0].ID || second[0].Attempts != 2 || second[0].Worker != "other" {
		t.Fatalf("Claim after the lease expired = %+v, %v; want job %d, attempt 2, worker other", second, err, first[0].ID)
	}
	if err := s.Complete(ctx, second[0], &report.Analysis{Category: taxonomy.Probe}); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Pending(ctx); err != nil || p != 0 {
		t.Errorf("Pending after Complete = %d, %v; want 0", p, err)
	}
}

func testQueueFail(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	rc := insert(t, s, &report.Submission{Raw: []byte("fails")})
	jobs, err := s.Claim(ctx, "w", 1, time.Minute)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("Claim = %+v, %v", jobs, err)
	}
	// A retry in the future: not claimable now, but still pending.
	if err := s.Fail(ctx, jobs[0], "decoder crashed", time.Now().Add(time.Hour), false); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Claim(ctx, "w", 1, time.Minute); err != nil || len(got) != 0 {
		t.Fatalf("Claim before retryAt = %+v, %v; want nothing", got, err)
	}
	if p, _ := s.Pending(ctx); p != 1 {
		t.Errorf("Pending = %d, want 1", p)
	}
	// A retry due now.
	if err := s.Fail(ctx, jobs[0], "decoder crashed", time.Now().Add(-time.Second), false); err != nil {
		t.Fatal(err)
	}
	jobs, err = s.Claim(ctx, "w", 1, time.Minute)
	if err != nil || len(jobs) != 1 || jobs[0].Attempts != 2 {
		t.Fatalf("Claim after retryAt = %+v, %v; want attempt 2", jobs, err)
	}
	// Give up: the report is failed, its raw submission intact, and nothing is pending.
	if err := s.Fail(ctx, jobs[0], "decoder crashed again", time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	r, err := s.Get(ctx, rc.ID)
	if err != nil || r.State != report.StateFailed {
		t.Fatalf("Get = %+v, %v; want state failed", r, err)
	}
	if sub, err := s.Submission(ctx, rc.ID); err != nil || string(sub.Raw) != "fails" {
		t.Errorf("Submission after give-up = %+v, %v", sub, err)
	}
	if p, _ := s.Pending(ctx); p != 0 {
		t.Errorf("Pending after give-up = %d, want 0", p)
	}
	// Reanalysis queues it again, once however often it is asked for.
	for range 2 {
		if err := s.Enqueue(ctx, rc.ID); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ := s.Pending(ctx); p != 1 {
		t.Errorf("Pending after Enqueue twice = %d, want 1", p)
	}
	if r, _ := s.Get(ctx, rc.ID); r.State != report.StateReceived {
		t.Errorf("state after Enqueue = %s, want received", r.State)
	}
	analyse(t, s, rc.ID, &report.Analysis{Category: taxonomy.Other})
	if r, _ := s.Get(ctx, rc.ID); r.State != report.StateAnalysed {
		t.Errorf("state after analysis = %s, want analysed", r.State)
	}
}

func testCompleteReplaces(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	rc := insert(t, s, &report.Submission{ReceivedAt: Day(4, 10), Raw: []byte("scan")})
	first := &report.Analysis{
		AnalysedAt: time.Date(2000, 4, 10, 1, 0, 0, 0, time.UTC), RulesVersion: "1",
		Category: taxonomy.Probe, RSIT: "information-gathering:scanner",
		TCPPorts: []int{111, 21, 111}, UDPPorts: []int{137}, ICMPTypes: []int{8}, CGIPaths: []string{"/cgi-bin/phf"},
		Observables: []report.Observable{{Kind: report.ObservableIP, Value: "198.51.100.9", Count: 3}},
	}
	analyse(t, s, rc.ID, first)
	second := &report.Analysis{
		AnalysedAt: time.Date(2000, 4, 11, 1, 0, 0, 0, time.UTC), RulesVersion: "2",
		Category: taxonomy.Intrusion, RSIT: "intrusions:system-compromise",
		TCPPorts: []int{53},
		Findings: []finding.Finding{{Rule: "bind-overflow", Title: "BIND overflow", Category: taxonomy.Intrusion, Advisories: []string{"CA-99-14"}}},
		Observables: []report.Observable{{Kind: report.ObservableIP, Value: "203.0.113.5", Count: 1},
			{Kind: report.ObservableHostname, Value: "ns.example.jp", Count: 1}},
		Warnings: []string{"second look"},
	}
	if err := s.Enqueue(ctx, rc.ID); err != nil {
		t.Fatal(err)
	}
	analyse(t, s, rc.ID, second)

	r, err := s.Get(ctx, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Analysis == nil || !reflect.DeepEqual(*r.Analysis, *second) {
		t.Errorf("analysis read back\n got %+v\nwant %+v", r.Analysis, second)
	}
	st, err := s.Activity(ctx, Day(4, 1), Day(7, 1), 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []activity.PortCount{{Port: 53, Service: "domain", Count: 1}}
	if st.Total != 1 || st.Categories[taxonomy.Intrusion] != 1 || st.Categories[taxonomy.Probe] != 0 ||
		!reflect.DeepEqual(st.TopTCPPorts, want) || len(st.TopUDPPorts) != 0 || len(st.ICMPTypes) != 0 || len(st.CGIPaths) != 0 {
		t.Errorf("activity after reanalysis counts the first analysis too: %+v", st)
	}
	if len(st.Causes) != 1 || st.Causes[0].Advisory != "CA-99-14" || st.Causes[0].Count != 1 {
		t.Errorf("causes = %+v, want CA-99-14 once", st.Causes)
	}
	for source, want := range map[string]int{"198.51.100.9": 0, "203.0.113.5": 1} {
		got, err := s.List(ctx, store.Filter{Source: source})
		if err != nil || len(got) != want {
			t.Errorf("List(source %s) = %d reports, %v; want %d", source, len(got), err, want)
		}
	}
}

func testList(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	tok, err := s.AddToken(ctx, "partner", []byte("list-token"))
	if err != nil {
		t.Fatal(err)
	}
	type fixture struct {
		at       time.Time
		channel  report.Channel
		token    int64
		category string
		ips      []string
	}
	fixtures := []fixture{
		{Day(3, 31).Add(23 * time.Hour), report.ChannelSMTP, 0, taxonomy.Probe, []string{"192.0.2.1"}},
		{Day(4, 1), report.ChannelSMTP, 0, taxonomy.Probe, []string{"192.0.2.10", "10.0.0.1"}},
		{Day(4, 15), report.ChannelAPI, tok.ID, taxonomy.Intrusion, []string{"198.51.100.200"}},
		{Day(5, 1), report.ChannelForm, 0, taxonomy.MailRelay, []string{"2001:db8::1"}},
		{Day(6, 30).Add(23*time.Hour + 59*time.Minute), report.ChannelImport, 0, taxonomy.Probe, []string{"192.0.3.1"}},
		{Day(7, 1), report.ChannelAPI, tok.ID, taxonomy.Probe, nil},
	}
	ids := make([]int64, len(fixtures))
	for i, f := range fixtures {
		ids[i] = insert(t, s, &report.Submission{Channel: f.channel, ReceivedAt: f.at, TokenID: f.token, Raw: []byte{byte(i)}}).ID
	}
	for i, f := range fixtures {
		a := &report.Analysis{Category: f.category}
		for _, ip := range f.ips {
			a.Observables = append(a.Observables, report.Observable{Kind: report.ObservableIP, Value: ip, Count: 1})
		}
		a.Observables = append(a.Observables, report.Observable{Kind: report.ObservableHostname, Value: "192.0.2.1.example", Count: 1})
		analyse(t, s, ids[i], a)
	}
	tests := []struct {
		name string
		f    store.Filter
		want []int // indexes into fixtures
	}{
		{"everything", store.Filter{}, []int{0, 1, 2, 3, 4, 5}},
		{"quarter", store.Filter{From: Day(4, 1), To: Day(7, 1)}, []int{1, 2, 3, 4}},
		{"from only", store.Filter{From: Day(5, 1)}, []int{3, 4, 5}},
		{"to only", store.Filter{To: Day(4, 1)}, []int{0}},
		{"category", store.Filter{Category: taxonomy.Probe}, []int{0, 1, 4, 5}},
		{"category in quarter", store.Filter{Category: taxonomy.Probe, From: Day(4, 1), To: Day(7, 1)}, []int{1, 4}},
		{"address", store.Filter{Source: "192.0.2.10"}, []int{1}},
		{"cidr /24", store.Filter{Source: "192.0.2.0/24"}, []int{0, 1}},
		{"cidr /16", store.Filter{Source: "192.0.0.0/16"}, []int{0, 1, 4}},
		{"cidr not aligned", store.Filter{Source: "192.0.2.77/28"}, []int{}},
		{"private address", store.Filter{Source: "10.0.0.0/8"}, []int{1}},
		{"ipv6 cidr", store.Filter{Source: "2001:db8::/32"}, []int{3}},
		{"other ipv6 net", store.Filter{Source: "2001:db8:1::/48"}, []int{}},
		{"ipv4-mapped cidr", store.Filter{Source: "::ffff:192.0.2.0/120"}, []int{0, 1}},
		{"channel", store.Filter{Channel: report.ChannelSMTP}, []int{0, 1}},
		{"token", store.Filter{TokenID: tok.ID}, []int{2, 5}},
		{"page 1", store.Filter{Limit: 2}, []int{0, 1}},
		{"page 2", store.Filter{Limit: 2, AfterID: ids[1]}, []int{2, 3}},
		{"page 3", store.Filter{Limit: 2, AfterID: ids[3]}, []int{4, 5}},
		{"after the last", store.Filter{AfterID: ids[5]}, []int{}},
		{"combined", store.Filter{From: Day(4, 1), To: Day(7, 1), Source: "192.0.0.0/8", Channel: report.ChannelImport}, []int{4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.List(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			gotIDs := []int64{}
			for _, r := range got {
				gotIDs = append(gotIDs, r.ID)
			}
			wantIDs := []int64{}
			for _, i := range tc.want {
				wantIDs = append(wantIDs, ids[i])
			}
			if !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("List(%+v) = %v, want %v", tc.f, gotIDs, wantIDs)
			}
		})
	}
	if _, err := s.List(ctx, store.Filter{Source: "not-an-address"}); err == nil {
		t.Error("List with a malformed source: no error")
	}
}

func testActivity(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	intrusion := func(rule string, advisories ...string) finding.Finding {
		return finding.Finding{Rule: rule, Title: rule + " title", TitleJa: rule + " 題", Category: taxonomy.Intrusion, Advisories: advisories}
	}
	reports := []struct {
		at       time.Time
		analysis *report.Analysis // nil: not analysed yet
	}{
		{Day(4, 1), &report.Analysis{Category: taxonomy.Probe, TCPPorts: []int{111, 21}, UDPPorts: []int{111}, ICMPTypes: []int{8}, CGIPaths: []string{"/cgi-bin/phf"}}},
		{Day(4, 2), &report.Analysis{Category: taxonomy.Probe, TCPPorts: []int{111, 111, 23}, ICMPTypes: []int{8, 0}, CGIPaths: []string{"/cgi-bin/phf", "/cgi-bin/test-cgi"}}},
		{Day(4, 3), &report.Analysis{Category: taxonomy.Probe, TCPPorts: []int{111}, UDPPorts: []int{137}}},
		{Day(5, 1), &report.Analysis{Category: taxonomy.Intrusion, TCPPorts: []int{53},
			Findings: []finding.Finding{intrusion("bind", "CA-99-14"), intrusion("bind2", "CA-99-14"), {Rule: "portscan", Category: taxonomy.Probe}}}},
		{Day(5, 2), &report.Analysis{Category: taxonomy.Intrusion, TCPPorts: []int{110},
			Findings: []finding.Finding{intrusion("qpopper")}}},
		{Day(5, 3), &report.Analysis{Category: taxonomy.Intrusion, Findings: []finding.Finding{intrusion("bind", "CA-99-14")}}},
		// A probe whose finding is an intrusion rule: no cause, the report is not an intrusion.
		{Day(5, 4), &report.Analysis{Category: taxonomy.Probe, Findings: []finding.Finding{intrusion("qpopper")}}},
		{Day(6, 1), &report.Analysis{Category: taxonomy.MailRelay, TCPPorts: []int{25}}},
		{Day(6, 2), &report.Analysis{Category: "no-such-category"}},
		{Day(6, 3), nil},
		// Outside the period on both sides.
		{Day(3, 31), &report.Analysis{Category: taxonomy.DoS, TCPPorts: []int{111}}},
		{Day(7, 1), &report.Analysis{Category: taxonomy.Worm, TCPPorts: []int{111}}},
	}
	for i, r := range reports {
		rc := insert(t, s, &report.Submission{ReceivedAt: r.at, Raw: []byte{byte(i)}})
		if r.analysis != nil {
			analyse(t, s, rc.ID, r.analysis)
		}
	}
	st, err := s.Activity(ctx, Day(4, 1), Day(7, 1), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := &activity.Stats{
		From: Day(4, 1), To: Day(7, 1), Total: 10,
		Categories: map[string]int64{taxonomy.Probe: 4, taxonomy.MailRelay: 1, taxonomy.ForgedMail: 0,
			taxonomy.Intrusion: 3, taxonomy.DoS: 0, taxonomy.Worm: 0, taxonomy.Other: 2},
		TopTCPPorts: []activity.PortCount{port(111, "sunrpc", 3), port(21, "ftp", 1), port(23, "telnet", 1)},
		TopUDPPorts: []activity.PortCount{port(111, "sunrpc", 1), port(137, "netbios-ns", 1)},
		ICMPTypes:   []activity.ICMPCount{{Type: 8, Name: "echo request", Count: 2}, {Type: 0, Name: "echo reply", Count: 1}},
		CGIPaths:    []activity.PathCount{{Path: "/cgi-bin/phf", Count: 2}, {Path: "/cgi-bin/test-cgi", Count: 1}},
		Causes: []activity.CauseCount{
			{Advisory: "CA-99-14", Title: "bind title", TitleJa: "bind 題", Count: 2},
			{Rule: "qpopper", Title: "qpopper title", TitleJa: "qpopper 題", Count: 1},
		},
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("Activity\n got %+v\nwant %+v", st, want)
	}
	empty, err := s.Activity(ctx, Day(1, 1), Day(2, 1), 10)
	if err != nil {
		t.Fatal(err)
	}
	if empty.Total != 0 || len(empty.Categories) != len(taxonomy.CategoryKeys()) || empty.TopTCPPorts == nil || empty.Causes == nil {
		t.Errorf("empty period: %+v; want every category at zero and empty (not nil) rankings", empty)
	}
}

func port(p int, service string, n int64) activity.PortCount {
	return activity.PortCount{Port: p, Service: service, Count: n}
}

func testTokens(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	a, err := s.AddToken(ctx, "partner-a", []byte("hash-a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.AddToken(ctx, "partner-b", []byte("hash-b"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddToken(ctx, "copy", []byte("hash-a")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("AddToken with a stored hash: %v, want ErrConflict", err)
	}
	if got, err := s.TokenByHash(ctx, []byte("hash-a")); err != nil || got.ID != a.ID || got.Name != "partner-a" {
		t.Errorf("TokenByHash = %+v, %v", got, err)
	}
	if err := s.RevokeToken(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenByHash(ctx, []byte("hash-a")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenByHash of a revoked token: %v, want ErrNotFound", err)
	}
	if err := s.RevokeToken(ctx, a.ID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if err := s.RevokeToken(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeToken(unknown) = %v, want ErrNotFound", err)
	}
	list, err := s.ListTokens(ctx)
	if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
		t.Fatalf("ListTokens = %+v, %v", list, err)
	}
	if list[0].RevokedAt.IsZero() || !list[1].RevokedAt.IsZero() || list[1].CreatedAt.IsZero() {
		t.Errorf("ListTokens times: %+v", list)
	}
}

func testNotFound(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	checks := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := s.Get(ctx, 42); return err }},
		{"ByTracking", func() error { _, err := s.ByTracking(ctx, "KK-2000-000042"); return err }},
		{"ByStatusHash", func() error { _, err := s.ByStatusHash(ctx, []byte("nope")); return err }},
		{"Submission", func() error { _, err := s.Submission(ctx, 42); return err }},
		{"Enqueue", func() error { return s.Enqueue(ctx, 42) }},
		{"Complete", func() error { return s.Complete(ctx, store.Job{ID: 1, ReportID: 42}, &report.Analysis{}) }},
		{"TokenByHash", func() error { _, err := s.TokenByHash(ctx, []byte("nope")); return err }},
		{"RevokeToken", func() error { return s.RevokeToken(ctx, 42) }},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if !errors.Is(err, store.ErrNotFound) || !errors.Is(err, report.ErrNotFound) {
				t.Errorf("error = %v, want ErrNotFound", err)
			}
		})
	}
}

func testReopen(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	tok, err := s.AddToken(ctx, "kept", []byte("kept-hash"))
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("kept\x00\xff")
	rc, err := s.Insert(ctx, &report.Submission{Channel: report.ChannelAPI, ReceivedAt: Day(4, 5), Raw: raw, TokenID: tok.ID, IdempotencyKey: "k"}, []byte("status"))
	if err != nil {
		t.Fatal(err)
	}
	analyse(t, s, rc.ID, &report.Analysis{Category: taxonomy.Probe, TCPPorts: []int{111}})
	waiting := insert(t, s, &report.Submission{ReceivedAt: Day(4, 6), Raw: []byte("waiting")})
	before, err := s.Activity(ctx, Day(4, 1), Day(7, 1), 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openStore(t, open)
	if r, err := s.ByStatusHash(ctx, []byte("status")); err != nil || r.ID != rc.ID || r.State != report.StateAnalysed {
		t.Errorf("after reopen: ByStatusHash = %+v, %v", r, err)
	}
	if sub, err := s.Submission(ctx, rc.ID); err != nil || !bytes.Equal(sub.Raw, raw) {
		t.Errorf("after reopen: Submission = %+v, %v", sub, err)
	}
	if got, err := s.TokenByHash(ctx, []byte("kept-hash")); err != nil || got.ID != tok.ID {
		t.Errorf("after reopen: TokenByHash = %+v, %v", got, err)
	}
	again, err := s.Insert(ctx, &report.Submission{Channel: report.ChannelAPI, ReceivedAt: Day(4, 7), Raw: []byte("retry"), TokenID: tok.ID, IdempotencyKey: "k"}, nil)
	if err != nil || !again.Duplicate || again.ID != rc.ID {
		t.Errorf("after reopen: retry = %+v, %v; want a duplicate of %d", again, err, rc.ID)
	}
	if p, err := s.Pending(ctx); err != nil || p != 1 {
		t.Errorf("after reopen: Pending = %d, %v; want 1 (report %d)", p, err, waiting.ID)
	}
	after, err := s.Activity(ctx, Day(4, 1), Day(7, 1), 10)
	if err != nil || !reflect.DeepEqual(before, after) {
		t.Errorf("after reopen: Activity\n got %+v, %v\nwant %+v", after, err, before)
	}
}

// testActivityPeriods checks periods that start and end inside days (counted from the side
// tables) as well as whole days (summed from the per-day totals), after reanalyses changed
// what some reports count as, against counts made here from the analyses themselves.
func testActivityPeriods(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	titles := map[string][2]string{}
	cause := func(rule, advisory string) finding.Finding {
		titles[derive.CauseKey(advisory, "")] = [2]string{rule + " title", rule + " 題"}
		if advisory == "" {
			titles[derive.CauseKey("", rule)] = [2]string{rule + " title", rule + " 題"}
		}
		f := finding.Finding{Rule: rule, Title: rule + " title", TitleJa: rule + " 題", Category: taxonomy.Intrusion}
		if advisory != "" {
			f.Advisories = []string{advisory}
		}
		return f
	}
	analyses := []*report.Analysis{
		{Category: taxonomy.Probe, TCPPorts: []int{111, 21}, ICMPTypes: []int{8}, CGIPaths: []string{"/cgi-bin/phf"}},
		{Category: taxonomy.Probe, TCPPorts: []int{23}, UDPPorts: []int{137}},
		{Category: taxonomy.Intrusion, TCPPorts: []int{53}, Findings: []finding.Finding{cause("bind", "CA-99-14")}},
		{Category: taxonomy.Intrusion, Findings: []finding.Finding{cause("qpopper", "")}},
		{Category: taxonomy.MailRelay, TCPPorts: []int{25}},
		{Category: taxonomy.DoS, ICMPTypes: []int{0, 8}},
	}
	type stored struct {
		at time.Time
		a  *report.Analysis // nil: not analysed
	}
	var reports []stored
	start := Day(4, 1)
	for i := range 40 {
		// Five reports a day at uneven hours, over eight days.
		at := start.Add(time.Duration(i/5)*24*time.Hour + time.Duration((i*7)%24)*time.Hour + time.Duration(i)*time.Minute)
		var a *report.Analysis
		if i%9 != 4 {
			a = analyses[i%len(analyses)]
		}
		rc := insert(t, s, &report.Submission{ReceivedAt: at, Raw: []byte{byte(i)}})
		if a != nil {
			analyse(t, s, rc.ID, a)
			// Some reports are analysed again and now count as something else.
			if i%4 == 1 {
				if err := s.Enqueue(ctx, rc.ID); err != nil {
					t.Fatal(err)
				}
				a = analyses[(i+2)%len(analyses)]
				analyse(t, s, rc.ID, a)
			}
		}
		reports = append(reports, stored{at, a})
	}
	periods := []struct{ from, to time.Time }{
		{Day(4, 1), Day(4, 9)},
		{Day(4, 1).Add(5 * time.Hour), Day(4, 8).Add(13 * time.Hour)},
		{Day(4, 2).Add(90 * time.Minute), Day(4, 2).Add(20 * time.Hour)},
		{Day(4, 3), Day(4, 4)},
		{Day(4, 3).Add(time.Hour), Day(4, 5)},
		{Day(4, 3), Day(4, 5).Add(time.Hour)},
		{Day(3, 1), Day(4, 2).Add(-time.Microsecond)},
		{Day(4, 5), Day(4, 5)},
	}
	for _, p := range periods {
		c := derive.NewCounts()
		for _, r := range reports {
			if r.at.Before(p.from) || !r.at.Before(p.to) {
				continue
			}
			if r.a == nil {
				c.Add(derive.KindCategory, taxonomy.Other, 1)
				continue
			}
			f := derive.FactsOf(r.a)
			for _, fact := range f.Counted(f.Category) {
				c.Add(fact.Kind, fact.Key, 1)
			}
		}
		want := c.Stats(p.from, p.to, 5, func(advisory, rule string) (string, string) {
			tt := titles[derive.CauseKey(advisory, rule)]
			return tt[0], tt[1]
		})
		got, err := s.Activity(ctx, p.from, p.to, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Activity(%v, %v)\n got %+v\nwant %+v", p.from, p.to, got, want)
		}
	}
}

// testConcurrentCompletes completes the analyses of one day's reports from four workers at once,
// with overlapping facts, while more reports arrive: no write may fail (a deadlock on the
// per-day totals would), and the counts come out exact.
func testConcurrentCompletes(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	analyses := []*report.Analysis{
		{Category: taxonomy.Probe, TCPPorts: []int{111, 21, 23}, UDPPorts: []int{137}, ICMPTypes: []int{8}},
		{Category: taxonomy.Probe, TCPPorts: []int{23, 111}, CGIPaths: []string{"/cgi-bin/phf"}},
		{Category: taxonomy.Intrusion, TCPPorts: []int{21, 111}, Findings: []finding.Finding{{Rule: "r", Category: taxonomy.Intrusion}}},
	}
	const n = 60
	for i := range n {
		insert(t, s, &report.Submission{ReceivedAt: Day(4, 1).Add(time.Duration(i) * time.Minute), Raw: []byte{byte(i)}})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 4 {
		wg.Go(func() {
			for {
				jobs, err := s.Claim(ctx, fmt.Sprint("w", w), 2, time.Minute)
				if err != nil {
					errs <- err
					return
				}
				if len(jobs) == 0 {
					return
				}
				for _, j := range jobs {
					if err := s.Complete(ctx, j, analyses[j.ReportID%int64(len(analyses))]); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			if _, err := s.Insert(ctx, &report.Submission{Channel: report.ChannelAPI, ReceivedAt: Day(4, 1).Add(time.Duration(i) * time.Second),
				Raw: []byte("late")}, nil); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, err := s.Activity(ctx, Day(4, 1), Day(4, 2), 10)
	if err != nil {
		t.Fatal(err)
	}
	analysed := st.Categories[taxonomy.Probe] + st.Categories[taxonomy.Intrusion]
	if st.Total != n+20 || analysed+st.Categories[taxonomy.Other] != n+20 {
		t.Errorf("Activity: total %d, categories %v; want %d reports", st.Total, st.Categories, n+20)
	}
	var tcp111 int64
	for _, p := range st.TopTCPPorts {
		if p.Port == 111 {
			tcp111 = p.Count
		}
	}
	if tcp111 != analysed {
		t.Errorf("port 111 counted for %d reports, want %d (every analysed one)", tcp111, analysed)
	}
}
