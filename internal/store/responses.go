package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"otklik"
)

// responseColumns are the columns written for each answer, in the order of
// responseArgs.
const responseColumns = `survey_id, customer_id, channel, score, comment, answers, answered_at, created_at, idempotency_key,
	manager, team, segment, services, revenue, region, tenure_months`

const responseColumnCount = 16

func (db *DB) responseArgs(r *otklik.Response) []any {
	answers, _ := json.Marshal(r.Answers)
	services, _ := json.Marshal(r.Snapshot.Services)
	if r.Answers == nil {
		answers = []byte("{}")
	}
	if r.Snapshot.Services == nil {
		services = []byte("[]")
	}
	var revenue, tenure any
	if r.Snapshot.Revenue != nil {
		revenue = int64(*r.Snapshot.Revenue)
	}
	if r.Snapshot.TenureMonths != nil {
		tenure = *r.Snapshot.TenureMonths
	}
	return []any{r.SurveyID, r.CustomerID, string(r.Channel), r.Score, r.Comment, string(answers),
		db.ts(r.AnsweredAt), db.ts(r.CreatedAt), r.IdempotencyKey,
		r.Snapshot.Manager, r.Snapshot.Team, r.Snapshot.Segment, string(services), revenue, r.Snapshot.Region, tenure}
}

// selectResponses reads answers with their survey key and customer id.
const selectResponses = `SELECT r.id, s.key, c.external_id, r.channel, r.score, r.comment, r.answers, r.answered_at, r.created_at,
	r.idempotency_key, r.manager, r.team, r.segment, r.services, r.revenue, r.region, r.tenure_months, r.survey_id, r.customer_id
	FROM responses r JOIN surveys s ON s.id = r.survey_id JOIN customers c ON c.id = r.customer_id`

func scanResponse(row interface{ Scan(...any) error }) (*otklik.Response, error) {
	var r otklik.Response
	var answers, services string
	var answered, created instant
	var revenue, tenure sql.NullInt64
	err := row.Scan(&r.ID, &r.Survey, &r.Customer, &r.Channel, &r.Score, &r.Comment, &answers, &answered, &created,
		&r.IdempotencyKey, &r.Snapshot.Manager, &r.Snapshot.Team, &r.Snapshot.Segment, &services, &revenue,
		&r.Snapshot.Region, &tenure, &r.SurveyID, &r.CustomerID)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(answers), &r.Answers); err != nil {
		return nil, fmt.Errorf("answers of response %d: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(services), &r.Snapshot.Services); err != nil {
		return nil, fmt.Errorf("services of response %d: %w", r.ID, err)
	}
	if revenue.Valid {
		a := otklik.Amount(revenue.Int64)
		r.Snapshot.Revenue = &a
	}
	if tenure.Valid {
		t := int(tenure.Int64)
		r.Snapshot.TenureMonths = &t
	}
	r.AnsweredAt, r.CreatedAt = answered.Time, created.Time
	return &r, nil
}

// AddResponse stores one validated answer whose SurveyID, CustomerID,
// Snapshot and IdempotencyKey are set, and returns once it is committed.
// Concurrent calls share transactions (group commit). When the key was seen
// before, nothing is written, r becomes the stored answer and created is false.
func (db *DB) AddResponse(ctx context.Context, r *otklik.Response) (created bool, err error) {
	res := db.AddResponses(ctx, []*otklik.Response{r})
	return res[0].Created, res[0].Err
}

// AddResult is the outcome of storing one answer.
type AddResult struct {
	Created bool
	Err     error
}

// AddResponses stores several answers, each on its own merit: one that fails
// does not fail the others. Results are in the order of rs.
func (db *DB) AddResponses(ctx context.Context, rs []*otklik.Response) []AddResult {
	now := db.now()
	ps := make([]*pending, len(rs))
	out := make([]AddResult, len(rs))
	// A key repeated within the call is a replay of its first occurrence: it
	// waits for that one rather than racing it on another worker.
	firstOf := make(map[string]int, len(rs))
	for i, r := range rs {
		if j, ok := firstOf[r.IdempotencyKey]; ok {
			ps[i] = ps[j]
			continue
		}
		firstOf[r.IdempotencyKey] = i
		r.CreatedAt = now
		ps[i] = &pending{r: r, done: make(chan struct{})}
		if err := db.answers.enqueue(ctx, ps[i]); err != nil {
			ps[i].err = err
			close(ps[i].done)
		}
	}
	for i, p := range ps {
		if err := db.answers.wait(ctx, p); err != nil {
			out[i] = AddResult{Err: err}
			continue
		}
		if p.r != rs[i] { // a repeat: the stored answer, not created now
			*rs[i] = *p.r
			out[i] = AddResult{Err: p.err}
			continue
		}
		out[i] = AddResult{Created: p.created, Err: p.err}
	}
	return out
}

// insertBatch writes a batch of answers in one transaction. Keys that already
// exist (a retry, or twice in the batch) are not written again; those
// answers are filled from the stored row instead.
func (db *DB) insertBatch(ctx context.Context, batch []*pending) error {
	if !db.postgres {
		return db.insertBatchRows(ctx, batch)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var q strings.Builder
		q.WriteString("INSERT INTO responses (" + responseColumns + ") VALUES ")
		args := make([]any, 0, len(batch)*responseColumnCount)
		row := "(" + strings.Repeat("?, ", responseColumnCount-1) + "?)"
		for i, p := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
			args = append(args, db.responseArgs(p.r)...)
		}
		q.WriteString(" ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key")
		rows, err := db.query(ctx, tx, q.String(), args...)
		if err != nil {
			return err
		}
		inserted := map[string]int64{}
		for rows.Next() {
			var id int64
			var key string
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return err
			}
			inserted[key] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var replayed []*pending
		for _, p := range batch {
			if id, ok := inserted[p.r.IdempotencyKey]; ok {
				p.r.ID, p.created = id, true
				delete(inserted, p.r.IdempotencyKey) // a second item with the same key is a replay
				continue
			}
			replayed = append(replayed, p)
		}
		if err := db.fillReplays(ctx, tx, replayed); err != nil {
			return err
		}
		return db.undoErased(ctx, tx, batch)
	})
}

// undoErased takes back, before the commit, the answers of customers erased
// since their answer was prepared: an erased person's comment must never be
// written. The insert's foreign-key checks hold a KEY SHARE lock on each
// customer until the commit and an erasure locks its customer FOR UPDATE
// first, so an erasure either committed before this check (and is seen
// here) or waits for this commit (and then clears the comment itself).
func (db *DB) undoErased(ctx context.Context, tx *sql.Tx, batch []*pending) error {
	erased, err := db.erasedAmong(ctx, tx, batch)
	if err != nil || len(erased) == 0 {
		return err
	}
	for _, p := range batch {
		if !erased[p.r.CustomerID] {
			continue
		}
		if p.created {
			if _, err := db.exec(ctx, tx, "DELETE FROM responses WHERE id = ?", p.r.ID); err != nil {
				return err
			}
		}
		p.created, p.err = false, otklik.Errorf(otklik.ENOTFOUND, "the customer was erased")
	}
	return nil
}

// insertBatchRows is insertBatch for SQLite: there a statement costs no
// round trip, so one prepared single-row INSERT per answer beats compiling
// a multi-row statement of a new length for every batch.
func (db *DB) insertBatchRows(ctx context.Context, batch []*pending) error {
	st, err := db.preparedOn(ctx, db.write, "INSERT INTO responses ("+responseColumns+", seq) VALUES ("+
		strings.Repeat("?, ", responseColumnCount)+"(SELECT COALESCE(MAX(seq), 0) + 1 FROM responses))"+
		" ON CONFLICT (idempotency_key) DO NOTHING RETURNING id")
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		batch, err := db.dropErased(ctx, tx, batch)
		if err != nil {
			return err
		}
		ins := tx.StmtContext(ctx, st)
		defer ins.Close()
		var replayed []*pending
		seen := make(map[string]bool, len(batch))
		for _, p := range batch {
			if seen[p.r.IdempotencyKey] {
				replayed = append(replayed, p) // twice in one batch: the second is a replay
				continue
			}
			seen[p.r.IdempotencyKey] = true
			err := ins.QueryRowContext(ctx, db.responseArgs(p.r)...).Scan(&p.r.ID)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				replayed = append(replayed, p)
			case err != nil:
				return err
			default:
				p.created = true
			}
		}
		return db.fillReplays(ctx, tx, replayed)
	})
}

// dropErased fails the answers of customers erased since their answer was
// prepared and returns the others. It serves SQLite, whose single writer
// runs this check and the insert with no erasure in between.
func (db *DB) dropErased(ctx context.Context, tx *sql.Tx, batch []*pending) ([]*pending, error) {
	erased, err := db.erasedAmong(ctx, tx, batch)
	if err != nil || len(erased) == 0 {
		return batch, err
	}
	kept := batch[:0:0]
	for _, p := range batch {
		if erased[p.r.CustomerID] {
			p.err = otklik.Errorf(otklik.ENOTFOUND, "the customer was erased")
			continue
		}
		kept = append(kept, p)
	}
	return kept, nil
}

// erasedAmong returns which of the batch's customers are erased.
func (db *DB) erasedAmong(ctx context.Context, tx *sql.Tx, batch []*pending) (map[int64]bool, error) {
	ids := make([]any, 0, len(batch))
	seen := map[int64]bool{}
	for _, p := range batch {
		if !seen[p.r.CustomerID] {
			seen[p.r.CustomerID] = true
			ids = append(ids, p.r.CustomerID)
		}
	}
	rows, err := db.query(ctx, tx, "SELECT id FROM customers WHERE erased_at IS NOT NULL AND id IN ("+
		strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+")", ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	erased := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		erased[id] = true
	}
	return erased, rows.Err()
}

// fillReplays replaces each replayed answer with the one stored under its key.
func (db *DB) fillReplays(ctx context.Context, tx querier, ps []*pending) error {
	if len(ps) == 0 {
		return nil
	}
	marks := make([]string, len(ps))
	args := make([]any, len(ps))
	for i, p := range ps {
		marks[i], args[i] = "?", p.r.IdempotencyKey
	}
	rows, err := db.query(ctx, tx, selectResponses+" WHERE r.idempotency_key IN ("+strings.Join(marks, ",")+")", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	stored := map[string]*otklik.Response{}
	for rows.Next() {
		r, err := scanResponse(rows)
		if err != nil {
			return err
		}
		stored[r.IdempotencyKey] = r
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range ps {
		r, ok := stored[p.r.IdempotencyKey]
		if !ok {
			return fmt.Errorf("store: answer with key %q neither written nor found", p.r.IdempotencyKey)
		}
		*p.r = *r
	}
	return nil
}

// ResponseFilter narrows an answer list. After* is the keyset cursor: the
// last (answered_at, id) of the previous page.
type ResponseFilter struct {
	Survey     string
	Kind       otklik.Kind // every survey of this kind
	Customer   string      // external id
	Channel    otklik.Channel
	Manager    string // snapshot manager's e-mail
	Segment    string // snapshot segment
	Team       string // snapshot team
	Region     string // snapshot region
	Service    string // the snapshot holds this service
	TenureMin  *int   // snapshot months since start, inclusive bounds
	TenureMax  *int
	StartedIn  string // the customer started in this month, "2025-11"
	ScoreMin   *int
	ScoreMax   *int
	Text       string    // a word or phrase in the comment
	From, To   time.Time // [From, To); zero means unbounded
	AfterTime  time.Time
	AfterID    int64
	Limit      int
	Descending bool
}

// Responses lists the answers in scope, a page at a time, in answer-time order.
func (db *DB) Responses(ctx context.Context, scope otklik.Scope, f ResponseFilter) ([]*otklik.Response, error) {
	cond, args := scopeWhere(scope, "r.manager", "r.team")
	conds := []string{cond}
	if f.Survey != "" {
		conds = append(conds, "s.key = ?")
		args = append(args, f.Survey)
	}
	if !f.From.IsZero() {
		conds = append(conds, "r.answered_at >= ?")
		args = append(args, db.ts(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "r.answered_at < ?")
		args = append(args, db.ts(f.To))
	}
	for _, eq := range []struct{ col, v string }{
		{"s.kind", string(f.Kind)}, {"c.external_id", f.Customer}, {"r.channel", string(f.Channel)}, {"r.manager", strings.ToLower(f.Manager)}, {"r.segment", f.Segment},
		{"r.team", f.Team}, {"r.region", f.Region},
	} {
		if eq.v != "" {
			conds = append(conds, eq.col+" = ?")
			args = append(args, eq.v)
		}
	}
	if f.Service != "" {
		if db.postgres {
			conds = append(conds, "r.services @> jsonb_build_array(CAST(? AS text))")
		} else {
			conds = append(conds, "EXISTS (SELECT 1 FROM json_each(r.services) WHERE json_each.value = ?)")
		}
		args = append(args, f.Service)
	}
	if f.TenureMin != nil {
		conds = append(conds, "r.tenure_months >= ?")
		args = append(args, *f.TenureMin)
	}
	if f.TenureMax != nil {
		conds = append(conds, "r.tenure_months <= ?")
		args = append(args, *f.TenureMax)
	}
	if start, err := time.Parse("2006-01", f.StartedIn); err == nil {
		conds = append(conds, "c.started_at >= ? AND c.started_at < ?")
		args = append(args, start.Format(time.DateOnly), start.AddDate(0, 1, 0).Format(time.DateOnly))
	}
	if f.ScoreMin != nil {
		conds = append(conds, "r.score >= ?")
		args = append(args, *f.ScoreMin)
	}
	if f.ScoreMax != nil {
		conds = append(conds, "r.score <= ?")
		args = append(args, *f.ScoreMax)
	}
	if c, a := textMatch("r.comment", f.Text); c != "" {
		conds, args = append(conds, c), append(args, a...)
	}
	order := "r.answered_at, r.id"
	if f.AfterID != 0 {
		if f.Descending {
			conds = append(conds, "(r.answered_at, r.id) < (?, ?)")
		} else {
			conds = append(conds, "(r.answered_at, r.id) > (?, ?)")
		}
		args = append(args, db.ts(f.AfterTime), f.AfterID)
	}
	if f.Descending {
		order = "r.answered_at DESC, r.id DESC"
	}
	return db.responsesWhere(ctx, strings.Join(conds, " AND "), args, order, clampLimit(f.Limit))
}

// Response returns one answer by id if it lies in scope.
func (db *DB) Response(ctx context.Context, scope otklik.Scope, id int64) (*otklik.Response, error) {
	cond, args := scopeWhere(scope, "r.manager", "r.team")
	rs, err := db.responsesWhere(ctx, "r.id = ? AND "+cond, append([]any{id}, args...), "r.id", 1)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no such answer")
	}
	return rs[0], nil
}

func (db *DB) responsesWhere(ctx context.Context, cond string, args []any, order string, limit int) ([]*otklik.Response, error) {
	q := selectResponses + " WHERE " + cond + " ORDER BY " + order
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := db.query(ctx, db.read, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: responses: %w", err)
	}
	defer rows.Close()
	out := []*otklik.Response{}
	for rows.Next() {
		r, err := scanResponse(rows)
		if err != nil {
			return nil, fmt.Errorf("store: responses: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ScoreCounts is the plain SQL aggregate the analytics index (internal/cube)
// must agree with; tests use it to check the index. It returns how many
// answers in scope gave each score to the surveys
// within [from, to) (zero bounds are open): the histogram every metric needs.
func (db *DB) ScoreCounts(ctx context.Context, scope otklik.Scope, surveyIDs []int64, from, to time.Time) (map[int]int, error) {
	out := map[int]int{}
	if len(surveyIDs) == 0 {
		return out, nil
	}
	cond, args := scopeWhere(scope, "manager", "team")
	marks := strings.TrimSuffix(strings.Repeat("?,", len(surveyIDs)), ",")
	q := "SELECT score, COUNT(*) FROM responses WHERE survey_id IN (" + marks + ") AND " + cond
	ids := make([]any, len(surveyIDs))
	for i, id := range surveyIDs {
		ids[i] = id
	}
	args = append(ids, args...)
	if !from.IsZero() {
		q += " AND answered_at >= ?"
		args = append(args, db.ts(from))
	}
	if !to.IsZero() {
		q += " AND answered_at < ?"
		args = append(args, db.ts(to))
	}
	rows, err := db.query(ctx, db.read, q+" GROUP BY score", args...)
	if err != nil {
		return nil, fmt.Errorf("store: score counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var score, n int
		if err := rows.Scan(&score, &n); err != nil {
			return nil, fmt.Errorf("store: score counts: %w", err)
		}
		out[score] = n
	}
	return out, rows.Err()
}

// ResponseByKey returns the answer stored under an idempotency key.
func (db *DB) ResponseByKey(ctx context.Context, key string) (*otklik.Response, error) {
	rs, err := db.responsesWhere(ctx, "r.idempotency_key = ?", []any{key}, "r.id", 1)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no such answer")
	}
	return rs[0], nil
}

// ReviseResponse changes the score, comment and driver answers of a stored
// answer: a customer who opens their survey link again corrects the same
// answer instead of adding another. The caller has validated the values.
func (db *DB) ReviseResponse(ctx context.Context, r *otklik.Response) error {
	answers, _ := json.Marshal(r.Answers)
	if r.Answers == nil {
		answers = []byte("{}")
	}
	next := "(SELECT COALESCE(MAX(seq), 0) + 1 FROM responses)"
	if db.postgres {
		next = "nextval('responses_seq_seq')"
	}
	res, err := db.exec(ctx, db.write, "UPDATE responses SET score = ?, comment = ?, answers = ?, seq = "+next+" WHERE id = ?",
		r.Score, r.Comment, string(answers), r.ID)
	if err != nil {
		return fmt.Errorf("store: revise response %d: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return otklik.Errorf(otklik.ENOTFOUND, "no such answer")
	}
	db.changes.Add(1)
	return nil
}
