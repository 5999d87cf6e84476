package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"otklik"
)

// DriverRow is one answer's score with its driver ratings, for the driver
// analysis (which questions move the score).
type DriverRow struct {
	Score   int
	Answers map[string]int
	Manager string
	Team    string
}

// DriverRows returns, for the answers to survey in [from, to) within scope
// that rated at least one driver, the score and the ratings.
func (db *DB) DriverRows(ctx context.Context, scope otklik.Scope, surveyID int64, from, to time.Time) ([]DriverRow, error) {
	cond, args := scopeWhere(scope, "manager", "team")
	q := "SELECT score, answers, manager, team FROM responses WHERE survey_id = ? AND answers <> '{}' AND " + cond
	args = append([]any{surveyID}, args...)
	if db.postgres {
		q = "SELECT score, answers, manager, team FROM responses WHERE survey_id = ? AND answers <> '{}'::jsonb AND " + cond
	}
	if !from.IsZero() {
		q += " AND answered_at >= ?"
		args = append(args, db.ts(from))
	}
	if !to.IsZero() {
		q += " AND answered_at < ?"
		args = append(args, db.ts(to))
	}
	rows, err := db.query(ctx, db.read, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: driver rows: %w", err)
	}
	defer rows.Close()
	var out []DriverRow
	for rows.Next() {
		var r DriverRow
		var answers string
		if err := rows.Scan(&r.Score, &answers, &r.Manager, &r.Team); err != nil {
			return nil, fmt.Errorf("store: driver rows: %w", err)
		}
		if err := json.Unmarshal([]byte(answers), &r.Answers); err != nil {
			return nil, fmt.Errorf("store: driver rows: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
