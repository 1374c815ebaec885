package storetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

// CrashEnv, set in the environment of a test binary, makes its crash child test run CrashChild.
const CrashEnv = "KEIKAI_STORE_CRASH_CHILD"

// crashRaw is the raw submission number i of the crash test: distinct, and carrying the bytes
// that a careless store would mangle.
func crashRaw(i int) []byte {
	return fmt.Appendf(nil, "From: crash@example.jp\r\nMessage-ID: <crash-%d>\r\n\r\nstatd\x00\x90\x90\xeb\xff %d %s\r\n",
		i, i, bytes.Repeat([]byte{byte(i)}, i%2000))
}

// CrashChild inserts reports from several goroutines as fast as s takes them and prints
// "ack ID TRACKING N" on stdout as soon as each Insert has returned. It runs until killed.
func CrashChild(s store.Store) {
	var mu sync.Mutex
	var next int
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				rc, err := s.Insert(context.Background(), &report.Submission{
					Channel: report.ChannelSMTP, ReceivedAt: time.Now(), Raw: crashRaw(i),
					MessageID: fmt.Sprintf("crash-%d", i), ContentType: "message/rfc822",
				}, nil)
				if err != nil {
					fmt.Fprintf(os.Stderr, "insert %d: %v\n", i, err)
					os.Exit(3)
				}
				mu.Lock()
				// One write per line: the line reaches the pipe whole or not at all.
				os.Stdout.WriteString(fmt.Sprintf("ack %d %s %d\n", rc.ID, rc.Tracking, i))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

type ack struct {
	id       int64
	tracking string
	n        int
}

// Crash runs the test named child of this test binary as a child process with env added (it
// must call CrashChild when CrashEnv is set), kills it with SIGKILL while it inserts, then opens
// the database again with reopen and checks that every report the child saw acknowledged is
// there, byte for byte, with its job queued.
func Crash(t *testing.T, child string, env []string, reopen func(t *testing.T) store.Store) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), CrashEnv+"=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acks := make(chan ack, 1<<16)
	readDone := make(chan error, 1)
	go func() {
		r := bufio.NewReader(out)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				// A last line without its newline was cut by the kill: not an acknowledgement.
				if err == io.EOF {
					err = nil
				}
				close(acks)
				readDone <- err
				return
			}
			var a ack
			if _, err := fmt.Sscanf(line, "ack %d %s %d\n", &a.id, &a.tracking, &a.n); err == nil {
				acks <- a
			}
		}
	}()
	// Kill mid-load: after a few hundred acknowledgements, or after a while on a slow machine.
	var got []ack
	deadline := time.After(5 * time.Second)
wait:
	for len(got) < 300 {
		select {
		case a, ok := <-acks:
			if !ok {
				break wait
			}
			got = append(got, a)
		case <-deadline:
			break wait
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("killing the child: %v", err)
	}
	for a := range acks {
		got = append(got, a)
	}
	if err := <-readDone; err != nil {
		t.Fatalf("reading the child's output: %v", err)
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 || !strings.Contains(ee.String(), "killed") {
		t.Fatalf("the child ended by itself (%v), not by the kill; its stderr:\n%s", err, stderr.String())
	}
	if len(got) == 0 {
		t.Fatalf("the child acknowledged no report before it was killed; its stderr:\n%s", stderr.String())
	}
	t.Logf("killed the child after %d acknowledged reports", len(got))

	s := reopen(t)
	defer s.Close()
	ctx := context.Background()
	for _, a := range got {
		r, err := s.Get(ctx, a.id)
		if err != nil {
			t.Errorf("acknowledged report %d (%s) lost: %v", a.id, a.tracking, err)
			continue
		}
		sub, err := s.Submission(ctx, a.id)
		if err != nil {
			t.Errorf("submission of acknowledged report %d: %v", a.id, err)
			continue
		}
		if r.Tracking != a.tracking || sub.MessageID != fmt.Sprintf("crash-%d", a.n) || !bytes.Equal(sub.Raw, crashRaw(a.n)) {
			t.Errorf("acknowledged report %d (%s, submission %d) read back as %s, Message-ID %q, %d bytes",
				a.id, a.tracking, a.n, r.Tracking, sub.MessageID, len(sub.Raw))
		}
	}
	if n, err := s.Pending(ctx); err != nil || n < int64(len(got)) {
		t.Errorf("Pending = %d, %v; want at least the %d acknowledged reports queued for analysis", n, err, len(got))
	}
	// Every report stored, acknowledged or not, is counted: its count committed with it.
	all, err := s.List(ctx, store.Filter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	from, to := time.Now().Add(-24*time.Hour), time.Now().Add(24*time.Hour)
	st, err := s.Activity(ctx, from, to, 10)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != int64(len(all)) {
		t.Errorf("Activity counts %d reports; %d are stored", st.Total, len(all))
	}
}
