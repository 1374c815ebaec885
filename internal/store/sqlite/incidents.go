package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/incident"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

// DecideReport implements store.Triage. The report's side rows carry the category it counts as,
// so they follow the decision, and so do the per-day totals: the activity report counts the
// decision from this transaction on.
func (db *DB) DecideReport(ctx context.Context, reportID int64, category, rsit, note string, actor audit.Actor) error {
	d, err := incident.CheckDecision(incident.Decision{Category: category, RSIT: rsit, Note: note})
	if err != nil {
		return err
	}
	d.Note = derive.Text(d.Note)
	return db.w.do(ctx, kindBulk, func(tx *wtx) error {
		now := derive.Time(time.Now())
		var received int64
		var counted string
		var oldCat, oldRSIT, oldNote sql.NullString
		err := tx.QueryRowContext(bg, `SELECT received_at, category, decided_category, decided_rsit, decision_note FROM reports WHERE id = ?`,
			reportID).Scan(&received, &counted, &oldCat, &oldRSIT, &oldNote)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("deciding report %d: %w", reportID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("deciding report %d: %w", reportID, err)
		}
		facts, err := storedFacts(tx, reportID)
		if err != nil {
			return fmt.Errorf("deciding report %d: %w", reportID, err)
		}
		if _, err := tx.ExecContext(bg, `UPDATE reports SET decided_category = ?, decided_rsit = ?, decided_by = ?,
			decided_by_name = ?, decided_at = ?, decision_note = ?, category = ? WHERE id = ?`,
			d.Category, d.RSIT, actor.UserID, derive.Text(actor.Name), micros(now), d.Note, d.Category, reportID); err != nil {
			return fmt.Errorf("deciding report %d: %w", reportID, err)
		}
		for _, table := range []string{"report_ports", "report_icmp", "report_cgi", "report_causes", "report_observables"} {
			if _, err := tx.ExecContext(bg, `UPDATE `+table+` SET category = ? WHERE report_id = ?`, d.Category, reportID); err != nil {
				return fmt.Errorf("deciding report %d: %w", reportID, err)
			}
		}
		if err := applyDelta(tx, fromMicros(received), derive.Delta(facts.Counted(counted), facts.Counted(d.Category))); err != nil {
			return fmt.Errorf("counting the decision on report %d: %w", reportID, err)
		}
		before, after := decisionChange(oldCat, oldRSIT, oldNote, d)
		e, err := derive.Entry(now, actor, audit.KindReport, reportID, "report.decide", before, after)
		if err != nil {
			return err
		}
		return appendAudit(tx, e)
	})
}

// decisionChange is the before and after of a decision's audit entry: the fields that change.
func decisionChange(cat, rsit, note sql.NullString, d incident.Decision) (before, after map[string]any) {
	b, a := map[string]any{}, map[string]any{}
	change := func(name string, old sql.NullString, v string) {
		if old.Valid && old.String == v {
			return
		}
		if old.Valid {
			b[name] = old.String
		} else {
			b[name] = nil
		}
		a[name] = v
	}
	change("decided_category", cat, d.Category)
	change("decided_rsit", rsit, d.RSIT)
	if note.String != d.Note {
		b["decision_note"], a["decision_note"] = note.String, d.Note
	}
	return b, a
}

const triageColumns = `r.id, COALESCE(r.tracking, ''), r.channel, r.received_at, r.state, COALESCE(r.suggested_category, ''),
	COALESCE(r.rsit, ''), r.decided_category, COALESCE(r.decided_rsit, ''), COALESCE(r.decided_by, 0),
	COALESCE(r.decided_by_name, ''), COALESCE(r.decided_at, 0), r.decision_note, COALESCE(ir.incident_id, 0), COALESCE(i.ref, '')
	FROM reports r LEFT JOIN incident_reports ir ON ir.report_id = r.id LEFT JOIN incidents i ON i.id = ir.incident_id`

func scanTriage(row interface{ Scan(...any) error }) (store.TriageRow, error) {
	var t store.TriageRow
	var channel, state string
	var received, decidedAt int64
	var decided sql.NullString
	var d store.Decision
	if err := row.Scan(&t.ID, &t.Tracking, &channel, &received, &state, &t.Suggested, &t.SuggestedRSIT, &decided,
		&d.RSIT, &d.By.UserID, &d.By.Name, &decidedAt, &d.Note, &t.Incident, &t.IncidentRef); err != nil {
		return t, err
	}
	t.Channel, t.State, t.ReceivedAt = report.Channel(channel), report.State(state), fromMicros(received)
	if decided.Valid {
		d.Category, d.At = decided.String, fromMicros(decidedAt)
		t.Decision = &d
	}
	return t, nil
}

// TriageList implements store.Triage.
func (db *DB) TriageList(ctx context.Context, f store.TriageFilter) ([]store.TriageRow, error) {
	var where []string
	var args []any
	if !f.From.IsZero() {
		where, args = append(where, `r.received_at >= ?`), append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, `r.received_at < ?`), append(args, micros(f.To))
	}
	if f.Category != "" {
		where, args = append(where, `r.category = ?`), append(args, f.Category)
	}
	if f.State != "" {
		where, args = append(where, `r.state = ?`), append(args, string(f.State))
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
		where = append(where, `r.id IN (SELECT report_id FROM report_observables WHERE ip BETWEEN ? AND ?)`)
		args = append(args, lo, hi)
	}
	if f.Rule != "" {
		where = append(where, `EXISTS (SELECT 1 FROM json_each(r.analysis, '$.Findings') x WHERE json_extract(x.value, '$.rule') = ?)`)
		args = append(args, f.Rule)
	}
	if f.Advisory != "" {
		where = append(where, `EXISTS (SELECT 1 FROM json_each(r.analysis, '$.Advisories') x WHERE x.value = ?)`)
		args = append(args, f.Advisory)
	}
	if f.BeforeID != 0 {
		where, args = append(where, `r.id < ?`), append(args, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT ` + triageColumns
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY r.id DESC LIMIT ?`
	rows, err := db.read.QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("listing the report queue: %w", err)
	}
	var out []store.TriageRow
	err = scanAll(rows, func(r *sql.Rows) error {
		t, err := scanTriage(r)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing the report queue: %w", err)
	}
	return out, nil
}

// TriageRow implements store.Triage.
func (db *DB) TriageRow(ctx context.Context, reportID int64) (store.TriageRow, error) {
	t, err := scanTriage(db.read.QueryRowContext(ctx, `SELECT `+triageColumns+` WHERE r.id = ?`, reportID))
	if errors.Is(err, sql.ErrNoRows) {
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
	err = db.w.do(ctx, kindBulk, func(tx *wtx) error {
		var err error
		id, err = createIncident(tx, title, incident.DefaultTLP, derive.IDs(reportIDs), actor, "incident.create", nil)
		return err
	})
	if err != nil {
		return incident.Incident{}, err
	}
	return db.GetIncident(ctx, id)
}

// createIncident inserts an incident with its reports and its audit entry; extra adds fields to
// the entry's after.
func createIncident(tx *wtx, title string, tlp incident.TLP, reports []int64, actor audit.Actor, action string, extra map[string]any) (int64, error) {
	now := derive.Time(time.Now())
	var id int64
	if err := tx.QueryRowContext(bg, `INSERT INTO incidents (title, tlp, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id`,
		title, string(tlp), micros(now), micros(now)).Scan(&id); err != nil {
		return 0, fmt.Errorf("creating the incident: %w", err)
	}
	ref := incident.Ref(now, id)
	if _, err := tx.ExecContext(bg, `UPDATE incidents SET ref = ? WHERE id = ?`, ref, id); err != nil {
		return 0, fmt.Errorf("creating the incident: %w", err)
	}
	if err := addReports(tx, id, reports, now); err != nil {
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
	return id, appendAudit(tx, e)
}

// addReports puts reports into incident id: an unknown report is ErrNotFound, one in another
// incident ErrConflict; those in id already are skipped. It returns nothing of what it skipped:
// callers pass the reports their audit entry names.
func addReports(tx *wtx, id int64, reports []int64, now time.Time) error {
	for _, r := range reports {
		var in sql.NullInt64
		err := tx.QueryRowContext(bg, `SELECT ir.incident_id FROM reports r LEFT JOIN incident_reports ir ON ir.report_id = r.id WHERE r.id = ?`, r).Scan(&in)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("report %d: %w", r, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("adding report %d: %w", r, err)
		}
		switch {
		case in.Valid && in.Int64 == id:
			continue
		case in.Valid:
			return fmt.Errorf("report %d belongs to incident %d already (merge the incidents instead): %w", r, in.Int64, store.ErrConflict)
		}
		if _, err := tx.ExecContext(bg, `INSERT INTO incident_reports (report_id, incident_id, added_at) VALUES (?, ?, ?)`, r, id, micros(now)); err != nil {
			return fmt.Errorf("adding report %d: %w", r, err)
		}
	}
	return nil
}

// openIncident reads the fields of an incident that changes check, locking nothing (the single
// writer is the lock); a merged incident cannot change any more.
func openIncident(tx *wtx, id int64) (incident.Incident, error) {
	var in incident.Incident
	var status, tlp string
	var merged sql.NullInt64
	err := tx.QueryRowContext(bg, `SELECT id, ref, title, status, assignee, assignee_name, tlp, merged_into FROM incidents WHERE id = ?`, id).
		Scan(&in.ID, &in.Ref, &in.Title, &status, &in.Assignee, &in.AssigneeName, &tlp, &merged)
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("incident %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return in, fmt.Errorf("reading incident %d: %w", id, err)
	}
	in.Status, in.TLP = incident.Status(status), incident.TLP(tlp)
	if merged.Valid {
		return in, fmt.Errorf("incident %s was merged into another and cannot change: %w", in.Ref, store.ErrConflict)
	}
	return in, nil
}

// touch sets an incident's update time and appends the audit entry of a change to it.
func touch(tx *wtx, id int64, now time.Time, actor audit.Actor, action string, before, after map[string]any) error {
	if _, err := tx.ExecContext(bg, `UPDATE incidents SET updated_at = ? WHERE id = ?`, micros(now), id); err != nil {
		return fmt.Errorf("updating incident %d: %w", id, err)
	}
	e, err := derive.Entry(now, actor, audit.KindIncident, id, action, before, after)
	if err != nil {
		return err
	}
	return appendAudit(tx, e)
}

// change runs fn on an open incident in a write transaction.
func (db *DB) change(ctx context.Context, id int64, fn func(tx *wtx, in incident.Incident, now time.Time) error) error {
	return db.w.do(ctx, kindBulk, func(tx *wtx) error {
		in, err := openIncident(tx, id)
		if err != nil {
			return err
		}
		return fn(tx, in, derive.Time(time.Now()))
	})
}

// AddIncidentReports implements store.Incidents.
func (db *DB) AddIncidentReports(ctx context.Context, id int64, reportIDs []int64, actor audit.Actor) error {
	reports := derive.IDs(reportIDs)
	return db.change(ctx, id, func(tx *wtx, in incident.Incident, now time.Time) error {
		had, err := incidentReports(tx, id)
		if err != nil {
			return err
		}
		if err := addReports(tx, id, reports, now); err != nil {
			return err
		}
		added := newIDs(reports, had)
		if len(added) == 0 {
			return nil
		}
		return touch(tx, id, now, actor, "incident.add_reports", nil, map[string]any{"reports": added})
	})
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

func incidentReports(tx *wtx, id int64) ([]int64, error) {
	rows, err := tx.QueryContext(bg, `SELECT report_id FROM incident_reports WHERE incident_id = ? ORDER BY report_id`, id)
	if err != nil {
		return nil, fmt.Errorf("reading the reports of incident %d: %w", id, err)
	}
	var out []int64
	err = scanAll(rows, func(r *sql.Rows) error {
		var v int64
		err := r.Scan(&v)
		out = append(out, v)
		return err
	})
	return out, err
}

// MergeIncidents implements store.Incidents.
func (db *DB) MergeIncidents(ctx context.Context, into int64, from []int64, actor audit.Actor) error {
	from = derive.IDs(from)
	if len(from) == 0 {
		return fmt.Errorf("%w: name at least one incident to merge", incident.ErrInvalid)
	}
	return db.change(ctx, into, func(tx *wtx, target incident.Incident, now time.Time) error {
		if target.Status == incident.StatusClosed {
			return fmt.Errorf("incident %s is closed: reopen it before merging into it: %w", target.Ref, store.ErrConflict)
		}
		var moved []int64
		var refs []string
		for _, f := range from {
			if f == into {
				return fmt.Errorf("an incident cannot be merged into itself: %w", store.ErrConflict)
			}
			src, err := openIncident(tx, f)
			if err != nil {
				return err
			}
			reports, err := incidentReports(tx, f)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(bg, `UPDATE incident_reports SET incident_id = ?, added_at = ? WHERE incident_id = ?`, into, micros(now), f); err != nil {
				return fmt.Errorf("moving the reports of incident %d: %w", f, err)
			}
			if _, err := tx.ExecContext(bg, `UPDATE incidents SET status = ?, merged_into = ? WHERE id = ?`, string(incident.StatusClosed), into, f); err != nil {
				return fmt.Errorf("closing incident %d: %w", f, err)
			}
			if err := touch(tx, f, now, actor, "incident.merged", map[string]any{"status": string(src.Status), "reports": reports},
				map[string]any{"status": string(incident.StatusClosed), "merged_into": target.Ref, "reports": []int64{}}); err != nil {
				return err
			}
			moved, refs = append(moved, reports...), append(refs, src.Ref)
		}
		return touch(tx, into, now, actor, "incident.merge", nil, map[string]any{"merged": refs, "reports": derive.IDs(moved)})
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
	err = db.change(ctx, from, func(tx *wtx, src incident.Incident, now time.Time) error {
		had, err := incidentReports(tx, from)
		if err != nil {
			return err
		}
		if rest := newIDs(had, reports); len(rest) == 0 {
			return fmt.Errorf("%w: splitting off every report leaves an empty incident; create a new one or change the title instead", incident.ErrInvalid)
		}
		if extra := newIDs(reports, had); len(extra) > 0 {
			return fmt.Errorf("report %d is not in incident %s: %w", extra[0], src.Ref, store.ErrConflict)
		}
		for _, r := range reports {
			if _, err := tx.ExecContext(bg, `DELETE FROM incident_reports WHERE report_id = ?`, r); err != nil {
				return fmt.Errorf("splitting incident %d: %w", from, err)
			}
		}
		if id, err = createIncident(tx, title, src.TLP, reports, actor, "incident.create", map[string]any{"split_from": src.Ref}); err != nil {
			return err
		}
		return touch(tx, from, now, actor, "incident.split", map[string]any{"reports": reports},
			map[string]any{"split_into": incident.Ref(now, id), "reports": []int64{}})
	})
	if err != nil {
		return incident.Incident{}, err
	}
	return db.GetIncident(ctx, id)
}

// SetIncidentStatus implements store.Incidents.
func (db *DB) SetIncidentStatus(ctx context.Context, id int64, status incident.Status, actor audit.Actor) error {
	return db.change(ctx, id, func(tx *wtx, in incident.Incident, now time.Time) error {
		if err := incident.CheckTransition(in.Status, status); err != nil {
			return fmt.Errorf("incident %s: %w", in.Ref, err)
		}
		if _, err := tx.ExecContext(bg, `UPDATE incidents SET status = ? WHERE id = ?`, string(status), id); err != nil {
			return fmt.Errorf("changing the status of incident %d: %w", id, err)
		}
		return touch(tx, id, now, actor, "incident.status", map[string]any{"status": string(in.Status)}, map[string]any{"status": string(status)})
	})
}

// AssignIncident implements store.Incidents.
func (db *DB) AssignIncident(ctx context.Context, id int64, assignee audit.Actor, actor audit.Actor) error {
	name := derive.Text(assignee.Name)
	if assignee.UserID == 0 {
		name = ""
	}
	return db.change(ctx, id, func(tx *wtx, in incident.Incident, now time.Time) error {
		if in.Assignee == assignee.UserID && in.AssigneeName == name {
			return nil
		}
		if _, err := tx.ExecContext(bg, `UPDATE incidents SET assignee = ?, assignee_name = ? WHERE id = ?`, assignee.UserID, name, id); err != nil {
			return fmt.Errorf("assigning incident %d: %w", id, err)
		}
		return touch(tx, id, now, actor, "incident.assign", map[string]any{"assignee": in.Assignee, "assignee_name": in.AssigneeName},
			map[string]any{"assignee": assignee.UserID, "assignee_name": name})
	})
}

// SetIncidentTLP implements store.Incidents.
func (db *DB) SetIncidentTLP(ctx context.Context, id int64, tlp incident.TLP, actor audit.Actor) error {
	if _, err := incident.ParseTLP(string(tlp)); err != nil {
		return fmt.Errorf("%w: %v", incident.ErrInvalid, err)
	}
	return db.change(ctx, id, func(tx *wtx, in incident.Incident, now time.Time) error {
		if in.TLP == tlp {
			return nil
		}
		if _, err := tx.ExecContext(bg, `UPDATE incidents SET tlp = ? WHERE id = ?`, string(tlp), id); err != nil {
			return fmt.Errorf("labelling incident %d: %w", id, err)
		}
		return touch(tx, id, now, actor, "incident.tlp", map[string]any{"tlp": string(in.TLP)}, map[string]any{"tlp": string(tlp)})
	})
}

// AddIncidentNote implements store.Incidents.
func (db *DB) AddIncidentNote(ctx context.Context, id int64, text string, actor audit.Actor) (incident.Note, error) {
	text, err := incident.CheckNote(text)
	if err != nil {
		return incident.Note{}, err
	}
	n := incident.Note{Text: derive.Text(text), AuthorID: actor.UserID, AuthorName: derive.Text(actor.Name)}
	err = db.change(ctx, id, func(tx *wtx, in incident.Incident, now time.Time) error {
		n.At = now
		if err := tx.QueryRowContext(bg, `INSERT INTO incident_notes (incident_id, at, author_id, author_name, body) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			id, micros(now), n.AuthorID, n.AuthorName, n.Text).Scan(&n.ID); err != nil {
			return fmt.Errorf("adding a note to incident %d: %w", id, err)
		}
		return touch(tx, id, now, actor, "incident.note", nil, map[string]any{"note": n.ID, "text": n.Text})
	})
	if err != nil {
		return incident.Note{}, err
	}
	return n, nil
}

const incidentColumns = `id, COALESCE(ref, ''), title, status, assignee, assignee_name, tlp, COALESCE(merged_into, 0), created_at, updated_at`

func scanIncident(row interface{ Scan(...any) error }) (incident.Incident, error) {
	var in incident.Incident
	var status, tlp string
	var created, updated int64
	if err := row.Scan(&in.ID, &in.Ref, &in.Title, &status, &in.Assignee, &in.AssigneeName, &tlp, &in.MergedInto, &created, &updated); err != nil {
		return in, err
	}
	in.Status, in.TLP, in.CreatedAt, in.UpdatedAt = incident.Status(status), incident.TLP(tlp), fromMicros(created), fromMicros(updated)
	return in, nil
}

// GetIncident implements store.Incidents.
func (db *DB) GetIncident(ctx context.Context, id int64) (incident.Incident, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return incident.Incident{}, fmt.Errorf("reading incident %d: %w", id, err)
	}
	defer tx.Rollback()
	in, err := scanIncident(tx.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("incident %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return in, fmt.Errorf("reading incident %d: %w", id, err)
	}
	if in.Reports, err = readIncidentReports(ctx, tx, id); err != nil {
		return in, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, at, author_id, author_name, body FROM incident_notes WHERE incident_id = ? ORDER BY id`, id)
	if err != nil {
		return in, fmt.Errorf("reading the notes of incident %d: %w", id, err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var n incident.Note
		var at int64
		err := r.Scan(&n.ID, &at, &n.AuthorID, &n.AuthorName, &n.Text)
		n.At = fromMicros(at)
		in.Notes = append(in.Notes, n)
		return err
	})
	if err != nil {
		return in, fmt.Errorf("reading the notes of incident %d: %w", id, err)
	}
	return in, nil
}

func readIncidentReports(ctx context.Context, tx *sql.Tx, id int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT report_id FROM incident_reports WHERE incident_id = ? ORDER BY report_id`, id)
	if err != nil {
		return nil, fmt.Errorf("reading the reports of incident %d: %w", id, err)
	}
	var out []int64
	err = scanAll(rows, func(r *sql.Rows) error {
		var v int64
		err := r.Scan(&v)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the reports of incident %d: %w", id, err)
	}
	return out, nil
}

// ListIncidents implements store.Incidents.
func (db *DB) ListIncidents(ctx context.Context, f store.IncidentFilter) ([]incident.Incident, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, `status = ?`), append(args, string(f.Status))
	}
	if f.Assignee != 0 {
		where, args = append(where, `assignee = ?`), append(args, f.Assignee)
	}
	if f.BeforeID != 0 {
		where, args = append(where, `id < ?`), append(args, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT ` + incidentColumns + ` FROM incidents`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("listing incidents: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("listing incidents: %w", err)
	}
	var out []incident.Incident
	err = scanAll(rows, func(r *sql.Rows) error {
		in, err := scanIncident(r)
		out = append(out, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing incidents: %w", err)
	}
	for i := range out {
		if out[i].Reports, err = readIncidentReports(ctx, tx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// IncidentsOfReports implements store.Incidents.
func (db *DB) IncidentsOfReports(ctx context.Context, reportIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	ids := derive.IDs(reportIDs)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := db.read.QueryContext(ctx, `SELECT report_id, incident_id FROM incident_reports WHERE report_id IN (?`+
			strings.Repeat(`, ?`, len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("reading the incidents of reports: %w", err)
		}
		err = scanAll(rows, func(r *sql.Rows) error {
			var rep, in int64
			err := r.Scan(&rep, &in)
			out[rep] = in
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("reading the incidents of reports: %w", err)
		}
	}
	return out, nil
}
