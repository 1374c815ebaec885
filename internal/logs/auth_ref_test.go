package logs

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// FuzzSSHSearchesSameAsReference compares lastFrom with bytes.LastIndex and, for messages that
// start with "Failed " or "Accepted ", indexSSHFor with index.
func FuzzSSHSearchesSameAsReference(f *testing.F) {
	for _, s := range []string{"root from 198.51.100.7 port 1 ssh2", "a from b from c", "from x", " from ", "x from", "ffffffffffffffff from x",
		"from from from from from", "Failed password for root from 1.2.3.4", "Failed for for x from 1.2.3.4", "Accepted publickey for a from b",
		"Failed keyboard-interactive/pam for invalid user x from 1.2.3.4 port 2 ssh2", "Failed  for x", "Accepted x", "Failed none",
		"a fgfgfgfg from b", "a from gfgfgfgf", "gggggggf from ", "x fromg fro from gfrom"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := lastFrom(b), bytes.LastIndex(b, []byte(" from ")); got != want {
			t.Fatalf("lastFrom(%q) = %d, want %d", b, got, want)
		}
		if hasPrefix(b, "Failed ") || hasPrefix(b, "Accepted ") {
			if got, want := indexSSHFor(b), index(b, " for "); got != want {
				t.Fatalf("indexSSHFor(%q) = %d, want %d", b, got, want)
			}
		}
	})
}

// attemptMemoReference is attemptMemo as it was with one struct per slot; it is the oracle of
// FuzzAttemptMemoSameAsReference.
type attemptMemoReference struct {
	slots [16]struct {
		pid, at int64
		pending bool
	}
	next int
}

func (m *attemptMemoReference) find(pid, now int64) int {
	for i := range m.slots {
		s := &m.slots[i]
		if s.pid == pid && s.at != 0 && now-s.at <= sameAttemptWindow && now >= s.at {
			return i
		}
	}
	return -1
}

// line applies one line of kind 0 (PAM failure), 1 (sshd's failure) or 2 (after the last
// failure) and reports whether it is marked SameAttempt.
func (m *attemptMemoReference) line(kind int, pid, now int64) bool {
	i := m.find(pid, now)
	same := false
	switch kind {
	case 0, 1:
		same = kind == 1 && i >= 0 && m.slots[i].pending
		if i < 0 {
			i = m.next
			m.next = (m.next + 1) % len(m.slots)
		}
		m.slots[i].pid, m.slots[i].at, m.slots[i].pending = pid, now, kind == 0
	case 2:
		same = i >= 0
	}
	return same
}

// FuzzAttemptMemoSameAsReference reads the input as lines of three bytes (kind, PID, seconds
// step) and compares which lines each memo marks as the same attempt.
func FuzzAttemptMemoSameAsReference(f *testing.F) {
	f.Add([]byte{0, 1, 1, 1, 1, 1, 2, 1, 1, 1, 2, 20, 0, 3, 0, 1, 3, 0})
	f.Add(bytes.Repeat([]byte{0, 7, 1, 1, 7, 1, 0, 9, 0}, 12))
	f.Fuzz(func(t *testing.T, ops []byte) {
		var m attemptMemo
		var ref attemptMemoReference
		now := int64(1e18)
		for len(ops) >= 3 {
			// PIDs 0, 24, ... 552: some share their low six bits, the memo's filter bucket.
			kind, pid, step := int(ops[0]%3), int64(ops[1]%24)*24, int64(int8(ops[2]))
			ops = ops[3:]
			now += step * nanosPerSecond / 2
			var e event.Event
			e.Reset(nil)
			e.Set(event.PID, []byte(strconv.FormatInt(pid, 10)))
			e.Time = event.Time{UnixNano: now, Known: true}
			switch kind {
			case 0:
				m.pamFailure(&e)
			case 1:
				m.failure(&e)
			case 2:
				m.afterFailure(&e)
			}
			if got, want := e.Has(event.SameAttempt), ref.line(kind, pid, now); got != want {
				t.Fatalf("kind %d pid %d at %d: SameAttempt %v, reference %v", kind, pid, now, got, want)
			}
		}
	})
}

// authSSHReference is authSSH before it chose the phrases by their first letter, and
// userFromHostReference userFromHost before it tested 'i' first: the oracles of
// FuzzAuthSSHSameAsReference.
func (p *Parser) authSSHReference(msg []byte, e *event.Event) bool {
	m := msg
	if hasPrefix(m, "error: ") {
		m = m[len("error: "):]
	}
	switch {
	case hasPrefix(m, "Failed ") || hasPrefix(m, "Accepted "):
		i := indexSSHFor(m)
		if i < 0 || !userFromHostReference(m[i+len(" for "):], e) {
			return false
		}
		if m[0] == 'F' && !hasPrefix(m, "Failed none ") {
			p.attempts.failure(e)
		}
		return true
	case hasPrefix(m, "Invalid user "), hasPrefix(m, "Illegal user "):
		return userFromHostReference(m[len("Invalid user "):], e)
	case hasPrefix(m, "maximum authentication attempts exceeded for "):
		if !userFromHostReference(m[len("maximum authentication attempts exceeded for "):], e) {
			return false
		}
		p.attempts.afterFailure(e)
		return true
	case hasPrefix(m, "PAM: Authentication failure for "), hasPrefix(m, "PAM: authentication error for "):
		i := index(m, " for ")
		if !userFromHostReference(m[i+len(" for "):], e) {
			return false
		}
		p.attempts.pamFailure(e)
		return true
	case hasPrefix(m, "Did not receive identification string from "):
		return hostPort(m[len("Did not receive identification string from "):], e)
	}
	return false
}

func userFromHostReference(b []byte, e *event.Event) bool {
	if hasPrefix(b, "invalid user ") || hasPrefix(b, "illegal user ") {
		b = b[len("invalid user "):]
	}
	i := lastFrom(b)
	if i < 0 {
		return false
	}
	if !hostPort(b[i+len(" from "):], e) {
		return false
	}
	e.SetSlice(event.User, b[:i])
	return true
}

// FuzzAuthSSHSameAsReference holds authSSH to authSSHReference on one parser each, so that
// their attempt memos (SameAttempt) go through the same lines too.
func FuzzAuthSSHSameAsReference(f *testing.F) {
	for _, s := range []string{"Failed password for root from 198.51.100.7 port 1 ssh2", "Failed password for invalid user a from 1.2.3.4 port 2 ssh2",
		"Accepted publickey for alice from 192.0.2.1 port 4242 ssh2", "Invalid user test from 198.51.100.7 port 4242", "Illegal user x from h.example",
		"error: maximum authentication attempts exceeded for root from 198.51.100.7 port 1 ssh2 [preauth]", "Did not receive identification string from 198.51.100.7 port 4242",
		"error: PAM: Authentication failure for root from host.example.net", "error: PAM: authentication error for illegal user test from 198.51.100.7",
		"Failed none for x from 1.2.3.4", "error: ", "F", "Failed for", "PAM: x", "Received disconnect from 1.2.3.4"} {
		f.Add([]byte(s))
	}
	p, q := newTestParser(), newTestParser()
	f.Fuzz(func(t *testing.T, msg []byte) {
		var got, want event.Event
		for _, e := range []*event.Event{&got, &want} {
			e.Reset(msg)
			e.Time = event.Time{UnixNano: 1e18, Known: true}
			e.SetString(event.PID, "42")
		}
		ok, wok := p.authSSH(msg, &got), q.authSSHReference(msg, &want)
		if ok != wok {
			t.Fatalf("authSSH(%q) = %v, reference %v", msg, ok, wok)
		}
		checkSameEvent(t, msg, &got, &want)
	})
}
