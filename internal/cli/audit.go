package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/store"
)

const auditHelp = `
Reads the audit log: every change to a report, incident, staff account or message, with who made
it, when, and the changed fields before and after. No command or page can change or delete an
entry; the database refuses it, and the entries are chained by SHA-256.

  keikai audit list [--object KIND [--id N]]   the entries, oldest first
  keikai audit verify                          check the whole chain

KIND is report, incident, user or message. verify reads every entry and recomputes the chain: an
entry edited or removed with the database's own tools (around keikai) breaks it, and verify names
the first entry that does not match.

Exit codes: 0 listed, or the chain is intact; 1 the chain is broken; 2 usage error or the database
could not be read.`

func runAudit(env *Env, args []string) int {
	fs := newFlagSet(env, "audit", "list [--object KIND [--id N]] | verify [flags]", auditHelp)
	db := dbFlag(fs)
	object := fs.String("object", "", "list only entries about this `kind`: report, incident, user or message")
	id := fs.Int64("id", 0, "with --object, only the entries about the object with this `ID`")
	limit := fs.Int("limit", 0, "list at most `N` entries (0: all)")
	format := fs.String("format", "text", "output `format` of list: text or json")
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "audit", err)
	}
	if len(rest) != 1 || (rest[0] != "list" && rest[0] != "verify") {
		return fail(env, "audit", fmt.Errorf("%w: say list or verify (see --help)", errUsage))
	}
	f := store.AuditFilter{Object: audit.Kind(*object), ObjectID: *id, Limit: *limit}
	switch f.Object {
	case "", audit.KindReport, audit.KindIncident, audit.KindUser, audit.KindMessage:
	default:
		return fail(env, "audit", fmt.Errorf("%w: --object must be report, incident, user or message", errUsage))
	}
	if f.ObjectID != 0 && f.Object == "" {
		return fail(env, "audit", fmt.Errorf("%w: --id goes with --object", errUsage))
	}
	if *format != "text" && *format != "json" {
		return fail(env, "audit", fmt.Errorf("%w: --format must be text or json", errUsage))
	}
	if rest[0] == "verify" && (f != store.AuditFilter{} || *format != "text") {
		return fail(env, "audit", fmt.Errorf("%w: verify checks the whole log and takes no --object, --id, --limit or --format", errUsage))
	}
	ctx := context.Background()
	st, err := openExistingStore(ctx, *db)
	if err != nil {
		return fail(env, "audit", err)
	}
	defer st.Close()
	if rest[0] == "verify" {
		return auditVerify(ctx, env, st)
	}
	entries, err := st.AuditLog(ctx, f)
	if err != nil {
		return fail(env, "audit", err)
	}
	if *format == "json" {
		out := make([]auditJSON, 0, len(entries))
		for _, e := range entries {
			out = append(out, auditJSON{ID: e.ID, At: e.At.UTC(), ActorID: e.Actor.UserID, Actor: e.Actor.Name, Object: string(e.Object),
				ObjectID: e.ObjectID, Action: e.Action, Before: e.Before, After: e.After, Hash: fmt.Sprintf("%x", e.Hash)})
		}
		return writeJSONOut(env, "audit", out)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAT\tACTOR\tOBJECT\tACTION\tBEFORE\tAFTER")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s %d\t%s\t%s\t%s\n", e.ID, e.At.UTC().Format(time.RFC3339), escape.String(e.Actor.Name),
			e.Object, e.ObjectID, escape.String(e.Action), escape.String(orDash(e.Before)), escape.String(orDash(e.After)))
	}
	if err := tw.Flush(); err != nil {
		return fail(env, "audit", err)
	}
	return exitClean
}

type auditJSON struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	ActorID  int64     `json:"actor_id"`
	Actor    string    `json:"actor"`
	Object   string    `json:"object"`
	ObjectID int64     `json:"object_id"`
	Action   string    `json:"action"`
	Before   any       `json:"before"`
	After    any       `json:"after"`
	Hash     string    `json:"hash"`
}

func orDash(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return string(b)
}

// auditVerify walks the whole log a page at a time, so a long log is checked in bounded memory.
func auditVerify(ctx context.Context, env *Env, st store.Store) int {
	const page = 10000
	var prev []byte
	var n, after int64
	for {
		entries, err := st.AuditLog(ctx, store.AuditFilter{AfterID: after, Limit: page})
		if err != nil {
			return fail(env, "audit", err)
		}
		for _, e := range entries {
			if _, err := audit.VerifyFrom(prev, []audit.Entry{e}); err != nil {
				fmt.Fprintf(env.Stderr, "keikai audit: %s\n", escape.String(err.Error()))
				fmt.Fprintf(env.Stdout, "broken: %d entries checked before entry %d\n", n, e.ID)
				return exitFindings
			}
			prev, after = e.Hash, e.ID
			n++
		}
		if len(entries) < page {
			break
		}
	}
	fmt.Fprintf(env.Stdout, "intact: %d entries\n", n)
	return exitClean
}
