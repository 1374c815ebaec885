package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/store"
)

// An edition is recorded once and never changes: the same sources again keep the first record,
// other sources are refused; the record survives a reopen, byte for byte.
func testAdvisories(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	source := store.AdvisorySource{YAML: []byte("id: JPCERT-AT-2002-0006\n"), Ja: []byte("# 注意喚起\n\x00\xff"), En: []byte{}}
	first := store.AdvisoryEdition{
		ID: "JPCERT-AT-2002-0006", Edition: 1, Source: source, PublishedAt: time.Date(2002, 9, 14, 6, 0, 0, 123456789, time.UTC),
		Outputs: map[string][32]byte{
			"advisories/JPCERT-AT-2002-0006/ja.txt":                    sha256.Sum256([]byte("ja")),
			".well-known/csaf/white/2002/jpcert-at-2002-0006.json.asc": sha256.Sum256([]byte("csaf")),
		},
	}
	got, created, err := s.RecordEdition(ctx, first)
	if err != nil || !created {
		t.Fatalf("RecordEdition = %v, %v", created, err)
	}
	if want := time.Date(2002, 9, 14, 6, 0, 0, 123456000, time.UTC); !got.PublishedAt.Equal(want) {
		t.Errorf("recorded at %v, want %v (microseconds kept)", got.PublishedAt, want)
	}
	again := first
	again.PublishedAt = first.PublishedAt.Add(time.Hour)
	again.Outputs = map[string][32]byte{"other": sha256.Sum256(nil)}
	got, created, err = s.RecordEdition(ctx, again)
	if err != nil || created || !got.PublishedAt.Equal(first.PublishedAt.Truncate(time.Microsecond)) || len(got.Outputs) != 2 {
		t.Errorf("recording the same edition again = %+v, %v, %v; want the first record", got, created, err)
	}
	changed := first
	changed.Source.Ja = []byte("# 注意喚起 (changed)\n")
	if _, _, err := s.RecordEdition(ctx, changed); !errors.Is(err, store.ErrEditionChanged) || !errors.Is(err, store.ErrConflict) {
		t.Errorf("recording an edition with other sources: %v, want ErrEditionChanged", err)
	}
	second := first
	second.Edition, second.Source.Ja, second.PublishedAt = 2, []byte("# Ver.02\n"), time.Date(2002, 9, 20, 0, 0, 0, 0, time.UTC)
	if _, created, err := s.RecordEdition(ctx, second); err != nil || !created {
		t.Errorf("recording edition 2 = %v, %v", created, err)
	}
	// Byte order of IDs, the same in both databases whatever PostgreSQL's collation.
	for _, id := range []string{"a-lower", "_under", "B-upper"} {
		if _, _, err := s.RecordEdition(ctx, store.AdvisoryEdition{ID: id, Edition: 1, Source: source}); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []store.AdvisoryEdition{{ID: "", Edition: 1}, {ID: "x", Edition: 0}} {
		if _, _, err := s.RecordEdition(ctx, bad); err == nil {
			t.Errorf("RecordEdition(%q, %d) accepted", bad.ID, bad.Edition)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, open)
	e, err := s.AdvisoryEdition(ctx, "JPCERT-AT-2002-0006", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Source.Equal(source) || e.Source.En == nil || len(e.Outputs) != 2 ||
		e.Outputs[".well-known/csaf/white/2002/jpcert-at-2002-0006.json.asc"] != sha256.Sum256([]byte("csaf")) {
		t.Errorf("after reopen: %+v", e)
	}
	if _, err := s.AdvisoryEdition(ctx, "JPCERT-AT-2002-0006", 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an edition never recorded: %v, want ErrNotFound", err)
	}
	list, err := s.AdvisoryEditions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range list {
		keys = append(keys, e.ID+"/"+string(rune('0'+e.Edition)))
	}
	want := []string{"B-upper/1", "JPCERT-AT-2002-0006/1", "JPCERT-AT-2002-0006/2", "_under/1", "a-lower/1"}
	if len(keys) != len(want) {
		t.Fatalf("AdvisoryEditions = %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("AdvisoryEditions = %v, want %v", keys, want)
		}
	}

	// Two publishers recording one new edition at once: one records it, the other finds it.
	var wg sync.WaitGroup
	results := make([]bool, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i], errs[i] = s.RecordEdition(ctx, store.AdvisoryEdition{ID: "race", Edition: 1, Source: source})
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || results[0] == results[1] {
		t.Errorf("concurrent RecordEdition: created %v, errors %v", results, errs)
	}
}
