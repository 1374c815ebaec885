// Package pgtest gives a test a PostgreSQL database of its own: a fresh schema in the database
// that KEIKAI_TEST_POSTGRES names, dropped when the test ends, so that runs repeat and tests that
// run at once never see each other's rows. Without KEIKAI_TEST_POSTGRES the test skips locally and
// fails under CI (internal/testenv).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/keikai-project/keikai/internal/testenv"
)

// DSN creates a schema named prefix plus random hex and returns a DSN whose search_path selects it.
func DSN(t testing.TB, prefix string) string {
	t.Helper()
	dsn := testenv.PostgresDSN(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	exec(t, dsn, `CREATE SCHEMA `+schema)
	t.Cleanup(func() { exec(t, dsn, `DROP SCHEMA `+schema+` CASCADE`) })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("KEIKAI_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to PostgreSQL (%s): %v", dsn, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Errorf("%s: %v", sql, err)
	}
}
