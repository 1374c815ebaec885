package audit

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func chain(entries []Entry) []Entry {
	var prev []byte
	for i := range entries {
		entries[i].ID = int64(i + 1)
		entries[i].Hash = entries[i].Chain(prev)
		prev = entries[i].Hash
	}
	return entries
}

func sample() []Entry {
	at := time.Date(2000, 6, 1, 9, 0, 0, 0, time.UTC)
	return chain([]Entry{
		{At: at, Actor: Actor{UserID: 2, Name: "tanaka"}, Object: KindReport, ObjectID: 7, Action: "report.decide",
			Before: json.RawMessage(`{"category":"scan"}`), After: json.RawMessage(`{"category":"intrusion"}`)},
		{At: at.Add(time.Minute), Actor: System, Object: KindIncident, ObjectID: 1, Action: "incident.create",
			After: json.RawMessage(`{"status":"new"}`)},
		{At: at.Add(2 * time.Minute), Actor: Actor{UserID: 1, Name: "admin"}, Object: KindUser, ObjectID: 3, Action: "user.disable",
			Before: json.RawMessage(`{"disabled":false}`), After: json.RawMessage(`{"disabled":true}`)},
	})
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]Entry) []Entry
		bad    int64
	}{
		{"untouched", func(e []Entry) []Entry { return e }, 0},
		{"empty log", func([]Entry) []Entry { return nil }, 0},
		{"after changed", func(e []Entry) []Entry { e[0].After = json.RawMessage(`{"category":"scan"}`); return e }, 1},
		{"actor changed", func(e []Entry) []Entry { e[1].Actor.Name = "someone"; return e }, 2},
		{"time changed", func(e []Entry) []Entry { e[2].At = e[2].At.Add(time.Microsecond); return e }, 3},
		{"object changed", func(e []Entry) []Entry { e[2].ObjectID = 4; return e }, 3},
		{"entry removed", func(e []Entry) []Entry { return append(e[:1], e[2:]...) }, 3},
		{"entries swapped", func(e []Entry) []Entry { e[1], e[2] = e[2], e[1]; return e }, 3},
		{"before moved into after", func(e []Entry) []Entry {
			// Length prefixes keep field boundaries: the same bytes split differently differ.
			e[0].Before, e[0].After = nil, append(append(json.RawMessage{}, e[0].Before...), e[0].After...)
			return e
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad, err := Verify(tc.tamper(sample()))
			if bad != tc.bad {
				t.Fatalf("Verify = %d, %v; want first bad entry %d", bad, err, tc.bad)
			}
			if (err != nil) != (tc.bad != 0) {
				t.Fatalf("Verify error = %v; want an error only for a broken chain", err)
			}
			if err != nil && !strings.Contains(err.Error(), "outside keikai") {
				t.Errorf("error %q does not say what happened", err)
			}
		})
	}
}

func TestFields(t *testing.T) {
	a, err := Fields(map[string]any{"tlp": "AMBER", "status": "new", "assignee": 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"assignee":3,"status":"new","tlp":"AMBER"}`; string(a) != want {
		t.Errorf("Fields = %s; want %s (keys sorted, so the same change always hashes alike)", a, want)
	}
	if b, err := Fields(nil); b != nil || err != nil {
		t.Errorf("Fields(nil) = %s, %v; want nil", b, err)
	}
	if _, err := Fields(map[string]any{"bad": func() {}}); err == nil {
		t.Error("Fields encoded a function")
	}
}
