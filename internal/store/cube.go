package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// CubeRow is what the in-memory analytics index keeps of an answer: its
// score, when, and the dimensions it was given under. No personal data.
type CubeRow struct {
	ID         int64
	Seq        int64
	SurveyID   int64
	AnsweredAt time.Time
	Score      int
	Channel    string
	Manager    string
	Team       string
	Segment    string
	Services   []string
	Revenue    int64 // hundredths; -1 when unknown
	Region     string
	Tenure     int       // months since the customer started; -1 when unknown
	StartedAt  time.Time // the customer's start (zero when unknown): the acquisition cohort
}

// CubeWindow is how far back, in seq values, a PostgreSQL reader re-reads:
// a sequence value is drawn when a row is written but becomes visible at
// commit, so a row may appear below the highest seq already seen. Answer
// transactions hold at most a few hundred rows, so rows that late are within
// this window; re-read rows are recognised by id.
const CubeWindow = 5000

// CubeRows returns up to limit answers changed after seq `after`, in seq
// order, and the seq the next call should start after. On PostgreSQL the
// next start trails the highest seq seen by CubeWindow, so late commits are
// read too (callers de-duplicate by id and seq).
func (db *DB) CubeRows(ctx context.Context, after int64, limit int) (rows []CubeRow, next int64, err error) {
	from := after
	if db.postgres {
		from = max(after-CubeWindow, 0)
	}
	q, err := db.query(ctx, db.read, `SELECT r.id, r.seq, r.survey_id, r.answered_at, r.score, r.channel, r.manager, r.team, r.segment,
		r.services, r.revenue, r.region, r.tenure_months, c.started_at
		FROM responses r JOIN customers c ON c.id = r.customer_id
		WHERE r.seq > ? ORDER BY r.seq LIMIT ?`, from, limit)
	if err != nil {
		return nil, after, fmt.Errorf("store: cube rows: %w", err)
	}
	defer q.Close()
	next = after
	for q.Next() {
		var r CubeRow
		var services string
		var answered, started instant
		var revenue, tenure sql.NullInt64
		if err := q.Scan(&r.ID, &r.Seq, &r.SurveyID, &answered, &r.Score, &r.Channel, &r.Manager, &r.Team, &r.Segment,
			&services, &revenue, &r.Region, &tenure, &started); err != nil {
			return nil, after, fmt.Errorf("store: cube rows: %w", err)
		}
		if services != "[]" {
			if err := json.Unmarshal([]byte(services), &r.Services); err != nil {
				return nil, after, fmt.Errorf("store: services of response %d: %w", r.ID, err)
			}
		}
		r.AnsweredAt, r.StartedAt = answered.Time, started.Time
		r.Revenue, r.Tenure = -1, -1
		if revenue.Valid {
			r.Revenue = revenue.Int64
		}
		if tenure.Valid {
			r.Tenure = int(tenure.Int64)
		}
		rows = append(rows, r)
		next = max(next, r.Seq)
	}
	return rows, next, q.Err()
}
