package migrate

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    []int
		wantErr string
	}{
		{"ordered", map[string]string{"m/0002_b.sql": "B", "m/0001_a.sql": "A", "m/README": "x"}, []int{1, 2}, ""},
		{"gap", map[string]string{"m/0001_a.sql": "A", "m/0003_c.sql": "C"}, nil, "without gaps"},
		{"repeat", map[string]string{"m/0001_a.sql": "A", "m/1_b.sql": "B"}, nil, "without gaps"},
		{"bad name", map[string]string{"m/init.sql": "A"}, nil, "NNNN_what.sql"},
		{"zero", map[string]string{"m/0000_a.sql": "A"}, nil, "NNNN_what.sql"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			ms, err := Load(fsys, "m")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Load: %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
			}
			if len(got) != len(tc.want) || ms[0].SQL != "A" {
				t.Errorf("versions %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPending(t *testing.T) {
	ms := []Migration{{Version: 1}, {Version: 2}}
	for applied, want := range map[int]int{0: 2, 1: 1, 2: 0} {
		p, err := Pending(ms, applied)
		if err != nil || len(p) != want {
			t.Errorf("Pending(applied %d) = %d, %v; want %d", applied, len(p), err, want)
		}
	}
	if _, err := Pending(ms, 3); err == nil || !strings.Contains(err.Error(), "newer keikai") {
		t.Errorf("Pending on a newer schema: %v", err)
	}
}
