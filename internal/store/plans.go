package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"otklik"
)

// PlanFilter narrows a list of plans. Empty fields do not filter.
type PlanFilter struct {
	Team   string
	Survey string // the survey's key
	Status string
	Limit  int
}

// plansWhere is scopeWhere for plans, which belong to a team rather than
// to a manager: someone who reaches only their own customers sees their
// team's plans and any plan with an action they own.
func plansWhere(s otklik.Scope) (string, []any) {
	switch s.Reach {
	case otklik.ReachAll:
		return "1=1", nil
	case otklik.ReachTeam:
		return "p.team = ?", []any{s.Team}
	case otklik.ReachOwn:
		return "(p.team = ? AND p.team <> '' OR EXISTS (SELECT 1 FROM plan_items o WHERE o.plan_id = p.id AND o.owner = ?))",
			[]any{s.Team, s.Manager}
	}
	return "1=0", nil
}

const planColumns = `p.id, s.key, p.team, p.wave_from, p.wave_to, p.title, p.problems, p.status, p.results, p.author,
	p.created_at, p.updated_at, p.survey_id`

const planFrom = ` FROM plans p JOIN surveys s ON s.id = p.survey_id`

func scanPlan(row interface{ Scan(...any) error }) (*otklik.Plan, error) {
	var p otklik.Plan
	var from, to, created, updated instant
	if err := row.Scan(&p.ID, &p.Survey, &p.Team, &from, &to, &p.Title, &p.Problems, &p.Status, &p.Results, &p.Author,
		&created, &updated, &p.SurveyID); err != nil {
		return nil, err
	}
	p.From, p.To = otklik.Date{Time: from.Time}, otklik.Date{Time: to.Time}
	p.CreatedAt, p.UpdatedAt = created.Time, updated.Time
	p.Items = []otklik.PlanItem{}
	return &p, nil
}

// CreatePlan stores a validated plan (without items) written by author;
// the survey is found by its key. A plan for the same survey, team and
// wave is a conflict.
func (db *DB) CreatePlan(ctx context.Context, p *otklik.Plan) error {
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.queryRow(ctx, tx, "SELECT id FROM surveys WHERE key = ?", p.Survey).Scan(&p.SurveyID); errors.Is(err, sql.ErrNoRows) {
			return &otklik.Error{Code: otklik.EINVALID, Message: "the plan is not valid",
				Fields: []otklik.FieldError{{Field: "survey", Message: "is not a survey"}}}
		} else if err != nil {
			return err
		}
		id, err := db.insertID(ctx, tx, `INSERT INTO plans (survey_id, team, wave_from, wave_to, title, problems, status, results,
			author, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.SurveyID, p.Team, p.From.String(), p.To.String(), p.Title, p.Problems, p.Status, p.Results, p.Author,
			db.ts(now), db.ts(now))
		if isUniqueViolation(err) {
			return otklik.Errorf(otklik.ECONFLICT, "team %s already has a plan for this wave of %s", p.Team, p.Survey)
		}
		p.ID = id
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create plan: %w", err)
	}
	p.CreatedAt, p.UpdatedAt, p.Items = now, now, []otklik.PlanItem{}
	return nil
}

// Plans lists the plans in scope with their items, the latest wave first.
func (db *DB) Plans(ctx context.Context, scope otklik.Scope, f PlanFilter) ([]*otklik.Plan, error) {
	where, args := plansWhere(scope)
	for _, eq := range []struct{ col, v string }{{"p.team", f.Team}, {"s.key", f.Survey}, {"p.status", f.Status}} {
		if eq.v != "" {
			where += " AND " + eq.col + " = ?"
			args = append(args, eq.v)
		}
	}
	args = append(args, clampLimit(f.Limit))
	rows, err := db.query(ctx, db.read, "SELECT "+planColumns+planFrom+" WHERE "+where+
		" ORDER BY p.wave_from DESC, p.id DESC LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("store: plans: %w", err)
	}
	var out []*otklik.Plan
	byID := map[int64]*otklik.Plan{}
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: plans: %w", err)
		}
		out = append(out, p)
		byID[p.ID] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: plans: %w", err)
	}
	if err := db.loadItems(ctx, db.read, byID); err != nil {
		return nil, fmt.Errorf("store: plans: %w", err)
	}
	return out, nil
}

// Plan returns one plan in scope with its items; outside the scope it does
// not exist.
func (db *DB) Plan(ctx context.Context, scope otklik.Scope, id int64) (*otklik.Plan, error) {
	return db.planOn(ctx, db.read, scope, id)
}

func (db *DB) planOn(ctx context.Context, q querier, scope otklik.Scope, id int64) (*otklik.Plan, error) {
	where, args := plansWhere(scope)
	p, err := scanPlan(db.queryRow(ctx, q, "SELECT "+planColumns+planFrom+" WHERE p.id = ? AND "+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no plan %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: plan %d: %w", id, err)
	}
	if err := db.loadItems(ctx, q, map[int64]*otklik.Plan{id: p}); err != nil {
		return nil, fmt.Errorf("store: plan %d: %w", id, err)
	}
	return p, nil
}

const itemColumns = `i.id, i.plan_id, i.what, i.owner, i.due, i.status, i.done_note, i.done_at, i.done_by, i.created_at`

func scanItem(row interface{ Scan(...any) error }) (otklik.PlanItem, error) {
	var it otklik.PlanItem
	var due, doneAt, created instant
	if err := row.Scan(&it.ID, &it.PlanID, &it.What, &it.Owner, &due, &it.Status, &it.DoneNote, &doneAt, &it.DoneBy, &created); err != nil {
		return it, err
	}
	it.Due, it.DoneAt, it.CreatedAt = otklik.Date{Time: due.Time}, doneAt.ptr(), created.Time
	return it, nil
}

// loadItems fills the items of plans, in the order they were added.
func (db *DB) loadItems(ctx context.Context, q querier, plans map[int64]*otklik.Plan) error {
	if len(plans) == 0 {
		return nil
	}
	ids := make([]any, 0, len(plans))
	for id := range plans {
		ids = append(ids, id)
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	rows, err := db.query(ctx, q, "SELECT "+itemColumns+" FROM plan_items i WHERE i.plan_id IN ("+marks+") ORDER BY i.id", ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return err
		}
		p := plans[it.PlanID]
		p.Items = append(p.Items, it)
	}
	return rows.Err()
}

// UpdatePlan changes what a plan in scope says: its title, problems,
// status and results. The survey, team and wave stay.
func (db *DB) UpdatePlan(ctx context.Context, scope otklik.Scope, p *otklik.Plan) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.planOn(ctx, tx, scope, p.ID); err != nil {
			return err
		}
		_, err := db.exec(ctx, tx, "UPDATE plans SET title = ?, problems = ?, status = ?, results = ?, updated_at = ? WHERE id = ?",
			p.Title, p.Problems, p.Status, p.Results, db.ts(db.now()), p.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: update plan %d: %w", p.ID, err)
	}
	return nil
}

// AddPlanItem adds a validated action to a plan in scope.
func (db *DB) AddPlanItem(ctx context.Context, scope otklik.Scope, planID int64, it *otklik.PlanItem) error {
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.planOn(ctx, tx, scope, planID); err != nil {
			return err
		}
		id, err := db.insertID(ctx, tx, `INSERT INTO plan_items (plan_id, what, owner, due, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, planID, it.What, it.Owner, it.Due.String(), otklik.ItemOpen, db.ts(now), db.ts(now))
		if err != nil {
			return err
		}
		it.ID, it.PlanID, it.Status, it.CreatedAt = id, planID, otklik.ItemOpen, now
		return db.touchPlan(ctx, tx, planID, now)
	})
	if err != nil {
		return fmt.Errorf("store: add item to plan %d: %w", planID, err)
	}
	return nil
}

// UpdatePlanItem changes what an action of a plan in scope says, who owns
// it and when it is due.
func (db *DB) UpdatePlanItem(ctx context.Context, scope otklik.Scope, planID int64, it *otklik.PlanItem) error {
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.planOn(ctx, tx, scope, planID); err != nil {
			return err
		}
		res, err := db.exec(ctx, tx, "UPDATE plan_items SET what = ?, owner = ?, due = ?, updated_at = ? WHERE id = ? AND plan_id = ?",
			it.What, it.Owner, it.Due.String(), db.ts(now), it.ID, planID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return otklik.Errorf(otklik.ENOTFOUND, "no action %d in plan %d", it.ID, planID)
		}
		return db.touchPlan(ctx, tx, planID, now)
	})
	if err != nil {
		return fmt.Errorf("store: update item %d: %w", it.ID, err)
	}
	return nil
}

// CompletePlanItem marks an action done with a note of what was done, or
// open again (done false). The plan's leads (manage, from ManagePlans) may
// do it, and so may the action's owner (by) for their own action, as long
// as they can read the plan (read).
func (db *DB) CompletePlanItem(ctx context.Context, manage, read otklik.Scope, planID, itemID int64, by string, done bool, note string) error {
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.planOn(ctx, tx, read, planID); err != nil {
			return err
		}
		it, err := scanItem(db.queryRow(ctx, tx, "SELECT "+itemColumns+" FROM plan_items i WHERE i.id = ? AND i.plan_id = ?", itemID, planID))
		if errors.Is(err, sql.ErrNoRows) {
			return otklik.Errorf(otklik.ENOTFOUND, "no action %d in plan %d", itemID, planID)
		} else if err != nil {
			return err
		}
		if it.Owner != by {
			if _, err := db.planOn(ctx, tx, manage, planID); otklik.ErrorCode(err) == otklik.ENOTFOUND {
				return otklik.Errorf(otklik.EFORBIDDEN, "only the action's owner or the team's lead may change it")
			} else if err != nil {
				return err
			}
		}
		if done {
			_, err = db.exec(ctx, tx, "UPDATE plan_items SET status = ?, done_note = ?, done_at = ?, done_by = ?, updated_at = ? WHERE id = ?",
				otklik.ItemDone, note, db.ts(now), by, db.ts(now), itemID)
		} else {
			_, err = db.exec(ctx, tx, "UPDATE plan_items SET status = ?, done_at = NULL, done_by = '', updated_at = ? WHERE id = ?",
				otklik.ItemOpen, db.ts(now), itemID)
		}
		if err != nil {
			return err
		}
		return db.touchPlan(ctx, tx, planID, now)
	})
	if err != nil {
		return fmt.Errorf("store: complete item %d: %w", itemID, err)
	}
	return nil
}

// touchPlan marks a plan changed when one of its actions did.
func (db *DB) touchPlan(ctx context.Context, tx querier, id int64, now time.Time) error {
	_, err := db.exec(ctx, tx, "UPDATE plans SET updated_at = ? WHERE id = ?", db.ts(now), id)
	return err
}

// DueItem is an open action with the plan it belongs to, for reminders.
type DueItem struct {
	otklik.PlanItem
	Plan   string // the plan's title
	Team   string
	Survey string
}

// DueFilter selects the open actions to remind of.
type DueFilter struct {
	Through otklik.Date // due on or before this day (the overdue ones too)
	Owner   string      // only this owner's; empty: everyone's
	Limit   int
}

// DuePlanItems returns the open actions of draft and active plans in scope
// due on or before f.Through, earliest first: what a reminder lists. The
// app's reminder job calls it with the whole scope and today + the window,
// then groups by owner; otklik.PlanItem.DueState tells overdue from soon.
func (db *DB) DuePlanItems(ctx context.Context, scope otklik.Scope, f DueFilter) ([]DueItem, error) {
	where, args := plansWhere(scope)
	where += " AND i.status = ? AND p.status IN (?, ?) AND i.due <= ?"
	args = append(args, otklik.ItemOpen, otklik.PlanDraft, otklik.PlanActive, f.Through.String())
	if f.Owner != "" {
		where += " AND i.owner = ?"
		args = append(args, strings.ToLower(f.Owner))
	}
	args = append(args, clampLimit(f.Limit))
	rows, err := db.query(ctx, db.read, "SELECT "+itemColumns+", p.title, p.team, s.key FROM plan_items i JOIN plans p ON p.id = i.plan_id"+
		" JOIN surveys s ON s.id = p.survey_id WHERE "+where+" ORDER BY i.due, i.id LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("store: due plan items: %w", err)
	}
	defer rows.Close()
	var out []DueItem
	for rows.Next() {
		var d DueItem
		var due, doneAt, created instant
		it := &d.PlanItem
		if err := rows.Scan(&it.ID, &it.PlanID, &it.What, &it.Owner, &due, &it.Status, &it.DoneNote, &doneAt, &it.DoneBy, &created,
			&d.Plan, &d.Team, &d.Survey); err != nil {
			return nil, fmt.Errorf("store: due plan items: %w", err)
		}
		it.Due, it.DoneAt, it.CreatedAt = otklik.Date{Time: due.Time}, doneAt.ptr(), created.Time
		out = append(out, d)
	}
	return out, rows.Err()
}
