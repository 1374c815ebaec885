package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

const tokenHelp = `
Manages the API tokens of partners who submit reports with POST /api/v1/reports.

  keikai token add NAME     create a token; it is printed once, on standard output, and only
                            its hash is stored: give it to the partner now
  keikai token list         list the tokens (never their values)
  keikai token revoke ID    revoke a token; requests with it are refused from now on

Exit codes: 0 done, 1 no token with that ID, 2 usage error or the database could not be used.`

func runToken(env *Env, args []string) int {
	fs := newFlagSet(env, "token", "add NAME | list | revoke ID [flags]", tokenHelp)
	db := dbFlag(fs)
	format := fs.String("format", "text", "output `format` of list: text or json")
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "token", err)
	}
	if len(rest) == 0 {
		return fail(env, "token", fmt.Errorf("%w: say add NAME, list or revoke ID (see --help)", errUsage))
	}
	if *format != "text" && *format != "json" {
		return fail(env, "token", fmt.Errorf("%w: --format must be text or json", errUsage))
	}
	verb, rest := rest[0], rest[1:]
	want := map[string]int{"add": 1, "list": 0, "revoke": 1}
	n, ok := want[verb]
	if !ok {
		return fail(env, "token", fmt.Errorf("%w: unknown subcommand %q; use add, list or revoke", errUsage, verb))
	}
	if len(rest) != n {
		return fail(env, "token", fmt.Errorf("%w: token %s takes %d argument(s) (see --help)", errUsage, verb, n))
	}
	ctx := context.Background()
	// Adding the first token may come before the first keikai serve; the rest needs a database.
	open := openExistingStore
	if verb == "add" {
		open = openStore
	}
	st, err := open(ctx, *db)
	if err != nil {
		return fail(env, "token", err)
	}
	defer st.Close()
	switch verb {
	case "add":
		return tokenAdd(ctx, env, st, rest[0])
	case "list":
		return tokenList(ctx, env, st, *format)
	default:
		return tokenRevoke(ctx, env, st, rest[0])
	}
}

func tokenAdd(ctx context.Context, env *Env, st store.Store, name string) int {
	if name == "" || len(name) > 200 {
		return fail(env, "token", fmt.Errorf("%w: NAME must be 1 to 200 bytes (the partner's name)", errUsage))
	}
	secret, hash, err := intake.NewSecret()
	if err != nil {
		return fail(env, "token", err)
	}
	tok, err := st.AddToken(ctx, name, hash)
	if err != nil {
		return fail(env, "token", fmt.Errorf("add token: %w", err))
	}
	fmt.Fprintln(env.Stdout, secret)
	fmt.Fprintf(env.Stderr, "keikai token: token %d for %s added; it is shown only now (send it as Authorization: Bearer TOKEN)\n", tok.ID, escape.String(name))
	return exitClean
}

type tokenJSON struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

func tokenList(ctx context.Context, env *Env, st store.Store, format string) int {
	toks, err := st.ListTokens(ctx)
	if err != nil {
		return fail(env, "token", fmt.Errorf("list tokens: %w", err))
	}
	if format == "json" {
		out := make([]tokenJSON, 0, len(toks))
		for _, t := range toks {
			j := tokenJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt.UTC()}
			if !t.RevokedAt.IsZero() {
				r := t.RevokedAt.UTC()
				j.RevokedAt = &r
			}
			out = append(out, j)
		}
		return writeJSONOut(env, "token", out)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCREATED\tREVOKED")
	for _, t := range toks {
		revoked := "-"
		if !t.RevokedAt.IsZero() {
			revoked = t.RevokedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", t.ID, escape.String(t.Name), t.CreatedAt.UTC().Format(time.RFC3339), revoked)
	}
	if err := tw.Flush(); err != nil {
		return fail(env, "token", err)
	}
	return exitClean
}

func tokenRevoke(ctx context.Context, env *Env, st store.Store, arg string) int {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return fail(env, "token", fmt.Errorf("%w: ID must be a token number from keikai token list", errUsage))
	}
	err = st.RevokeToken(ctx, id)
	if errors.Is(err, report.ErrNotFound) {
		fmt.Fprintf(env.Stderr, "keikai token: no token %d (see keikai token list)\n", id)
		return exitFindings
	}
	if err != nil {
		return fail(env, "token", fmt.Errorf("revoke token %d: %w", id, err))
	}
	fmt.Fprintf(env.Stderr, "keikai token: token %d revoked\n", id)
	return exitClean
}

// writeJSONOut writes v as indented JSON on standard output.
func writeJSONOut(env *Env, cmd string, v any) int {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fail(env, cmd, err)
	}
	return exitClean
}
