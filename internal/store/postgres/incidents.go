package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/incident"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

// DecideReport implements store.Triage. The report's row is locked first, as Complete locks it,
// so a decision and an analysis of the same report take turns; the side rows follow the
// category the report counts as, and so do the per-day totals.
func (db *DB) DecideReport(ctx context.Context, reportID int64, category, rsit, note string, actor audit.Actor) error {
	d, err := incident.CheckDecision(incident.Decision{Category: category, RSIT: rsit, Note: note})
	if err != nil {
		return err
	}
	d.Note = derive.Text(d.Note)
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		now := derive.Time(time.Now())
		var received time.Time
		var counted string
		var oldCat, oldRSIT *string
		var oldNote string
		err := tx.QueryRow(ctx, `SELECT received_at, category, decided_category, decided_rsit, decision_note FROM reports WHERE id = $1 FOR UPDATE`,
			reportID).Scan(&received, &counted, &oldCat, &oldRSIT, &oldNote)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("deciding report %d: %w", reportID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("deciding report %d: %w", reportID, err)
		}
		facts, err := storedFacts(ctx, tx, reportID)
		if err != nil {
			return fmt.Errorf("deciding report %d: %w", reportID, err)
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE reports SET decided_category = $1, decided_rsit = $2, decided_by = $3, decided_by_name = $4,
			decided_at = $5, decision_note = $6, category = $1 WHERE id = $7`,
			d.Category, d.RSIT, actor.UserID, derive.Text(actor.Name), now, d.Note, reportID)
		for _, table := range []string{"report_ports", "report_icmp", "report_cgi", "report_causes", "report_observables"} {
			b.Queue(`UPDATE `+table+` SET category = $1 WHERE report_id = $2`, d.Category, reportID)
		}
		for _, c := range derive.Delta(facts.Counted(counted), facts.Counted(d.Category)) {
			b.Queue(`INSERT INTO activity_days (day, kind, key, shard, reports) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (day, kind, key, shard) DO UPDATE SET reports = activity_days.reports + excluded.reports`,
				derive.Day(received), c.Kind, c.Key, reportID%8, c.By)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("deciding report %d: %w", reportID, err)
		}
		before, after := decisionChange(oldCat, oldRSIT, oldNote, d)
		e, err := derive.Entry(now, actor, audit.KindReport, reportID, "report.decide", before, after)
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, e)
	})
}

// decisionChange is the before and after of a decision's audit entry: the fields that change.
func decisionChange(cat, rsit *string, note string, d incident.Decision) (before, after map[string]any) {
	b, a := map[string]any{}, map[string]any{}
	change := func(name string, old *string, v string) {
		if old != nil && *old == v {
			return
		}
		if old != nil {
			b[name] = *old
		} else {
			b[name] = nil
		}
		a[name] = v
	}
	change("decided_category", cat, d.Category)
	change("decided_rsit", rsit, d.RSIT)
	if note != d.Note {
		b["decision_note"], a["decision_note"] = note, d.Note
	}
	return b, a
}

const triageColumns = `r.id, COALESCE(r.tracking, ''), r.channel, r.received_at, r.state, COALESCE(r.suggested_category, ''),
	COALESCE(r.rsit, ''), r.decided_category, COALESCE(r.decided_rsit, ''), COALESCE(r.decided_by, 0),
	COALESCE(r.decided_by_name, ''), r.decided_at, r.decision_note, COALESCE(ir.incident_id, 0), COALESCE(i.ref, '')
	FROM reports r LEFT JOIN incident_reports ir ON ir.report_id = r.id LEFT JOIN incidents i ON i.id = ir.incident_id`

func scanTriage(row pgx.Row) (store.TriageRow, error) {
	var t store.TriageRow
	var channel, state string
	var decided *string
	var decidedAt *time.Time
	var d store.Decision
	if err := row.Scan(&t.ID, &t.Tracking, &channel, &t.ReceivedAt, &state, &t.Suggested, &t.SuggestedRSIT, &decided,
		&d.RSIT, &d.By.UserID, &d.By.Name, &decidedAt, &d.Note, &t.Incident, &t.IncidentRef); err != nil {
		return t, err
	}
	t.Channel, t.State, t.ReceivedAt = report.Channel(channel), report.State(state), t.ReceivedAt.UTC()
	if decided != nil {
		d.Category = *decided
		if decidedAt != nil {
			d.At = decidedAt.UTC()
		}
		t.Decision = &d
	}
	return t, nil
}

// TriageList implements store.Triage.
func (db *DB) TriageList(ctx context.Context, f store.TriageFilter) ([]store.TriageRow, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !f.From.IsZero() {
		where = append(where, `r.received_at >= `+arg(derive.Time(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, `r.received_at < `+arg(derive.Time(f.To)))
	}
	if f.Category != "" {
		where = append(where, `r.category = `+arg(f.Category))
	}
	if f.State != "" {
		where = append(where, `r.state = `+arg(string(f.State)))
	}
	switch f.Decided {
	case store.DecidedYes:
		where = append(where, `r.decided_category IS NOT NULL`)
	case store.DecidedNo:
		where = append(where, `r.decided_category IS NULL`)
	}
	if f.Source != "" {
		lo, hi, err := derive.SourceRange(f.Source)
		if err != nil {
			return nil, err
		}
		where = append(where, `r.id IN (SELECT report_id FROM report_observables WHERE ip BETWEEN `+arg(lo)+` AND `+arg(hi)+`)`)
	}
	if f.Rule != "" {
		where = append(where, `r.analysis::jsonb -> 'Findings' @> jsonb_build_array(jsonb_build_object('rule', `+arg(f.Rule)+`::text))`)
	}
	if f.Advisory != "" {
		where = append(where, `r.analysis::jsonb -> 'Advisories' ? `+arg(f.Advisory))
	}
	if f.BeforeID != 0 {
		where = append(where, `r.id < `+arg(f.BeforeID))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT ` + triageColumns
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY r.id DESC LIMIT ` + arg(limit)
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing the report queue: %w", err)
	}
	defer rows.Close()
	var out []store.TriageRow
	for rows.Next() {
		t, err := scanTriage(rows)
		if err != nil {
			return nil, fmt.Errorf("listing the report queue: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing the report queue: %w", err)
	}
	return out, nil
}

// TriageRow implements store.Triage.
func (db *DB) TriageRow(ctx context.Context, reportID int64) (store.TriageRow, error) {
	t, err := scanTriage(db.pool.QueryRow(ctx, `SELECT `+triageColumns+` WHERE r.id = $1`, reportID))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, fmt.Errorf("report %d: %w", reportID, store.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("reading report %d: %w", reportID, err)
	}
	return t, nil
}

// CreateIncident implements store.Incidents.
func (db *DB) CreateIncident(ctx context.Context, title string, reportIDs []int64, actor audit.Actor) (incident.Incident, error) {
	title, err := incident.CheckTitle(title)
	if err != nil {
		return incident.Incident{}, err
	}
	title = derive.Text(title)
	var id int64
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var err error
		id, err = createIncident(ctx, tx, title, incident.DefaultTLP, derive.IDs(reportIDs), actor, "incident.create", nil)
		return err
	})
	if err != nil {
		return incident.Incident{}, err
	}
	return db.GetIncident(ctx, id)
}

func createIncident(ctx context.Context, tx pgx.Tx, title string, tlp incident.TLP, reports []int64, actor audit.Actor, action string, extra map[string]any) (int64, error) {
	now := derive.Time(time.Now())
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO incidents (title, tlp, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
		title, string(tlp), now).Scan(&id); err != nil {
		return 0, fmt.Errorf("creating the incident: %w", err)
	}
	ref := incident.Ref(now, id)
	if _, err := tx.Exec(ctx, `UPDATE incidents SET ref = $1 WHERE id = $2`, ref, id); err != nil {
		return 0, fmt.Errorf("creating the incident: %w", err)
	}
	if err := addReports(ctx, tx, id, reports, now); err != nil {
		return 0, err
	}
	after := map[string]any{"ref": ref, "title": title, "status": string(incident.StatusNew), "tlp": string(tlp), "reports": reports}
	for k, v := range extra {
		after[k] = v
	}
	e, err := derive.Entry(now, actor, audit.KindIncident, id, action, nil, after)
	if err != nil {
		return 0, err
	}
	return id, appendAudit(ctx, tx, e)
}

// addReports puts reports into incident id: an unknown report is ErrNotFound, one in another
// incident ErrConflict; those in id already are skipped. Each report's row is locked, so two
// analysts adding one report to two incidents at once take turns and the second is refused.
func addReports(ctx context.Context, tx pgx.Tx, id int64, reports []int64, now time.Time) error {
	for _, r := range reports {
		var found int64
		if err := tx.QueryRow(ctx, `SELECT id FROM reports WHERE id = $1 FOR UPDATE`, r).Scan(&found); errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("report %d: %w", r, store.ErrNotFound)
		} else if err != nil {
			return fmt.Errorf("adding report %d: %w", r, err)
		}
		var in int64
		err := tx.QueryRow(ctx, `SELECT incident_id FROM incident_reports WHERE report_id = $1`, r).Scan(&in)
		switch {
		case err == nil && in == id:
			continue
		case err == nil:
			return fmt.Errorf("report %d belongs to incident %d already (merge the incidents instead): %w", r, in, store.ErrConflict)
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("adding report %d: %w", r, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO incident_reports (report_id, incident_id, added_at) VALUES ($1, $2, $3)`, r, id, now); err != nil {
			return fmt.Errorf("adding report %d: %w", r, err)
		}
	}
	return nil
}

// openIncident locks an incident's row and reads the fields that changes check; a merged
// incident cannot change any more.
func openIncident(ctx context.Context, tx pgx.Tx, id int64) (incident.Incident, error) {
	var in incident.Incident
	var status, tlp string
	var merged *int64
	err := tx.QueryRow(ctx, `SELECT id, ref, title, status, assignee, assignee_name, tlp, merged_into FROM incidents WHERE id = $1 FOR UPDATE`, id).
		Scan(&in.ID, &in.Ref, &in.Title, &status, &in.Assignee, &in.AssigneeName, &tlp, &merged)
	if errors.Is(err, pgx.ErrNoRows) {
		return in, fmt.Errorf("incident %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return in, fmt.Errorf("reading incident %d: %w", id, err)
	}
	in.Status, in.TLP = incident.Status(status), incident.TLP(tlp)
	if merged != nil {
		return in, fmt.Errorf("incident %s was merged into another and cannot change: %w", in.Ref, store.ErrConflict)
	}
	return in, nil
}

// touch sets an incident's update time and appends the audit entry of a change to it.
func touch(ctx context.Context, tx pgx.Tx, id int64, now time.Time, actor audit.Actor, action string, before, after map[string]any) error {
	if _, err := tx.Exec(ctx, `UPDATE incidents SET updated_at = $1 WHERE id = $2`, now, id); err != nil {
		return fmt.Errorf("updating incident %d: %w", id, err)
	}
	e, err := derive.Entry(now, actor, audit.KindIncident, id, action, before, after)
	if err != nil {
		return err
	}
	return appendAudit(ctx, tx, e)
}

// change runs fn on an open, locked incident in a transaction.
func (db *DB) change(ctx context.Context, id int64, fn func(tx pgx.Tx, in incident.Incident, now time.Time) error) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		in, err := openIncident(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(tx, in, derive.Time(time.Now()))
	})
}

func incidentReports(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, id int64) ([]int64, error) {
	rows, _ := q.Query(ctx, `SELECT report_id FROM incident_reports WHERE incident_id = $1 ORDER BY report_id`, id)
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("reading the reports of incident %d: %w", id, err)
	}
	return out, nil
}

// newIDs are the IDs of want that have lacks.
func newIDs(want, have []int64) []int64 {
	var out []int64
	for _, id := range want {
		found := false
		for _, h := range have {
			found = found || h == id
		}
		if !found {
			out = append(out, id)
		}
	}
	return out
}

// AddIncidentReports implements store.Incidents.
func (db *DB) AddIncidentReports(ctx context.Context, id int64, reportIDs []int64, actor audit.Actor) error {
	reports := derive.IDs(reportIDs)
	return db.change(ctx, id, func(tx pgx.Tx, in incident.Incident, now time.Time) error {
		had, err := incidentReports(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := addReports(ctx, tx, id, reports, now); err != nil {
			return err
		}
		added := newIDs(reports, had)
		if len(added) == 0 {
			return nil
		}
		return touch(ctx, tx, id, now, actor, "incident.add_reports", nil, map[string]any{"reports": added})
	})
}

// MergeIncidents implements store.Incidents.
func (db *DB) MergeIncidents(ctx context.Context, into int64, from []int64, actor audit.Actor) error {
	from = derive.IDs(from)
	if len(from) == 0 {
		return fmt.Errorf("%w: name at least one incident to merge", incident.ErrInvalid)
	}
	return db.change(ctx, into, func(tx pgx.Tx, target incident.Incident, now time.Time) error {
		if target.Status == incident.StatusClosed {
			return fmt.Errorf("incident %s is closed: reopen it before merging into it: %w", target.Ref, store.ErrConflict)
		}
		var moved []int64
		var refs []string
		for _, f := range from {
			if f == into {
				return fmt.Errorf("an incident cannot be merged into itself: %w", store.ErrConflict)
			}
			src, err := openIncident(ctx, tx, f)
			if err != nil {
				return err
			}
			reports, err := incidentReports(ctx, tx, f)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE incident_reports SET incident_id = $1, added_at = $2 WHERE incident_id = $3`, into, now, f); err != nil {
				return fmt.Errorf("moving the reports of incident %d: %w", f, err)
			}
			if _, err := tx.Exec(ctx, `UPDATE incidents SET status = $1, merged_into = $2 WHERE id = $3`, string(incident.StatusClosed), into, f); err != nil {
				return fmt.Errorf("closing incident %d: %w", f, err)
			}
			if err := touch(ctx, tx, f, now, actor, "incident.merged", map[string]any{"status": string(src.Status), "reports": reports},
				map[string]any{"status": string(incident.StatusClosed), "merged_into": target.Ref, "reports": []int64{}}); err != nil {
				return err
			}
			moved, refs = append(moved, reports...), append(refs, src.Ref)
		}
		return touch(ctx, tx, into, now, actor, "incident.merge", nil, map[string]any{"merged": refs, "reports": derive.IDs(moved)})
	})
}

// SplitIncident implements store.Incidents.
func (db *DB) SplitIncident(ctx context.Context, from int64, reportIDs []int64, title string, actor audit.Actor) (incident.Incident, error) {
	title, err := incident.CheckTitle(title)
	if err != nil {
		return incident.Incident{}, err
	}
	title = derive.Text(title)
	reports := derive.IDs(reportIDs)
	if len(reports) == 0 {
		return incident.Incident{}, fmt.Errorf("%w: choose the reports to split off", incident.ErrInvalid)
	}
	var id int64
	err = db.change(ctx, from, func(tx pgx.Tx, src incident.Incident, now time.Time) error {
		had, err := incidentReports(ctx, tx, from)
		if err != nil {
			return err
		}
		if rest := newIDs(had, reports); len(rest) == 0 {
			return fmt.Errorf("%w: splitting off every report leaves an empty incident; create a new one or change the title instead", incident.ErrInvalid)
		}
		if extra := newIDs(reports, had); len(extra) > 0 {
			return fmt.Errorf("report %d is not in incident %s: %w", extra[0], src.Ref, store.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM incident_reports WHERE report_id = ANY($1)`, reports); err != nil {
			return fmt.Errorf("splitting incident %d: %w", from, err)
		}
		if id, err = createIncident(ctx, tx, title, src.TLP, reports, actor, "incident.create", map[string]any{"split_from": src.Ref}); err != nil {
			return err
		}
		return touch(ctx, tx, from, now, actor, "incident.split", map[string]any{"reports": reports},
			map[string]any{"split_into": incident.Ref(now, id), "reports": []int64{}})
	})
	if err != nil {
		return incident.Incident{}, err
	}
	return db.GetIncident(ctx, id)
}

// SetIncidentStatus implements store.Incidents.
func (db *DB) SetIncidentStatus(ctx context.Context, id int64, status incident.Status, actor audit.Actor) error {
	return db.change(ctx, id, func(tx pgx.Tx, in incident.Incident, now time.Time) error {
		if err := incident.CheckTransition(in.Status, status); err != nil {
			return fmt.Errorf("incident %s: %w", in.Ref, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE incidents SET status = $1 WHERE id = $2`, string(status), id); err != nil {
			return fmt.Errorf("changing the status of incident %d: %w", id, err)
		}
		return touch(ctx, tx, id, now, actor, "incident.status", map[string]any{"status": string(in.Status)}, map[string]any{"status": string(status)})
	})
}

// AssignIncident implements store.Incidents.
func (db *DB) AssignIncident(ctx context.Context, id int64, assignee audit.Actor, actor audit.Actor) error {
	name := derive.Text(assignee.Name)
	if assignee.UserID == 0 {
		name = ""
	}
	return db.change(ctx, id, func(tx pgx.Tx, in incident.Incident, now time.Time) error {
		if in.Assignee == assignee.UserID && in.AssigneeName == name {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE incidents SET assignee = $1, assignee_name = $2 WHERE id = $3`, assignee.UserID, name, id); err != nil {
			return fmt.Errorf("assigning incident %d: %w", id, err)
		}
		return touch(ctx, tx, id, now, actor, "incident.assign", map[string]any{"assignee": in.Assignee, "assignee_name": in.AssigneeName},
			map[string]any{"assignee": assignee.UserID, "assignee_name": name})
	})
}

// SetIncidentTLP implements store.Incidents.
func (db *DB) SetIncidentTLP(ctx context.Context, id int64, tlp incident.TLP, actor audit.Actor) error {
	if _, err := incident.ParseTLP(string(tlp)); err != nil {
		return fmt.Errorf("%w: %v", incident.ErrInvalid, err)
	}
	return db.change(ctx, id, func(tx pgx.Tx, in incident.Incident, now time.Time) error {
		if in.TLP == tlp {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE incidents SET tlp = $1 WHERE id = $2`, string(tlp), id); err != nil {
			return fmt.Errorf("labelling incident %d: %w", id, err)
		}
		return touch(ctx, tx, id, now, actor, "incident.tlp", map[string]any{"tlp": string(in.TLP)}, map[string]any{"tlp": string(tlp)})
	})
}

// AddIncidentNote implements store.Incidents.
func (db *DB) AddIncidentNote(ctx context.Context, id int64, text string, actor audit.Actor) (incident.Note, error) {
	text, err := incident.CheckNote(text)
	if err != nil {
		return incident.Note{}, err
	}
	n := incident.Note{Text: derive.Text(text), AuthorID: actor.UserID, AuthorName: derive.Text(actor.Name)}
	err = db.change(ctx, id, func(tx pgx.Tx, in incident.Incident, now time.Time) error {
		n.At = now
		if err := tx.QueryRow(ctx, `INSERT INTO incident_notes (incident_id, at, author_id, author_name, body) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			id, now, n.AuthorID, n.AuthorName, n.Text).Scan(&n.ID); err != nil {
			return fmt.Errorf("adding a note to incident %d: %w", id, err)
		}
		return touch(ctx, tx, id, now, actor, "incident.note", nil, map[string]any{"note": n.ID, "text": n.Text})
	})
	if err != nil {
		return incident.Note{}, err
	}
	return n, nil
}

const incidentColumns = `id, COALESCE(ref, ''), title, status, assignee, assignee_name, tlp, COALESCE(merged_into, 0), created_at, updated_at`

func scanIncident(row pgx.Row) (incident.Incident, error) {
	var in incident.Incident
	var status, tlp string
	if err := row.Scan(&in.ID, &in.Ref, &in.Title, &status, &in.Assignee, &in.AssigneeName, &tlp, &in.MergedInto, &in.CreatedAt, &in.UpdatedAt); err != nil {
		return in, err
	}
	in.Status, in.TLP, in.CreatedAt, in.UpdatedAt = incident.Status(status), incident.TLP(tlp), in.CreatedAt.UTC(), in.UpdatedAt.UTC()
	return in, nil
}

// GetIncident implements store.Incidents, in one snapshot.
func (db *DB) GetIncident(ctx context.Context, id int64) (incident.Incident, error) {
	var in incident.Incident
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		in, err = scanIncident(tx.QueryRow(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("incident %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("reading incident %d: %w", id, err)
		}
		if in.Reports, err = incidentReports(ctx, tx, id); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, at, author_id, author_name, body FROM incident_notes WHERE incident_id = $1 ORDER BY id`, id)
		var n incident.Note
		if _, err := pgx.ForEachRow(rows, []any{&n.ID, &n.At, &n.AuthorID, &n.AuthorName, &n.Text}, func() error {
			n.At = n.At.UTC()
			in.Notes = append(in.Notes, n)
			return nil
		}); err != nil {
			return fmt.Errorf("reading the notes of incident %d: %w", id, err)
		}
		return nil
	})
	return in, err
}

// ListIncidents implements store.Incidents.
func (db *DB) ListIncidents(ctx context.Context, f store.IncidentFilter) ([]incident.Incident, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Status != "" {
		where = append(where, `status = `+arg(string(f.Status)))
	}
	if f.Assignee != 0 {
		where = append(where, `assignee = `+arg(f.Assignee))
	}
	if f.BeforeID != 0 {
		where = append(where, `id < `+arg(f.BeforeID))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT ` + incidentColumns + ` FROM incidents`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC LIMIT ` + arg(limit)
	var out []incident.Incident
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (incident.Incident, error) { return scanIncident(r) })
		if err != nil {
			return err
		}
		for i := range out {
			if out[i].Reports, err = incidentReports(ctx, tx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing incidents: %w", err)
	}
	return out, nil
}

// IncidentsOfReports implements store.Incidents.
func (db *DB) IncidentsOfReports(ctx context.Context, reportIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	rows, _ := db.pool.Query(ctx, `SELECT report_id, incident_id FROM incident_reports WHERE report_id = ANY($1)`, derive.IDs(reportIDs))
	var rep, in int64
	if _, err := pgx.ForEachRow(rows, []any{&rep, &in}, func() error {
		out[rep] = in
		return nil
	}); err != nil {
		return nil, fmt.Errorf("reading the incidents of reports: %w", err)
	}
	return out, nil
}
