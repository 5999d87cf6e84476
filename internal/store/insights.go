package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"otklik"
)

// The board of ideas and problems is the whole team's: every reader sees
// every item. What a reader's scope bounds are the answers: which ones they
// may link to an item, which linked ones they see, whose comments they
// mine for themes.

// Sort orders of the board.
const (
	SortVotes   = "votes"   // most votes first
	SortAnswers = "answers" // most linked answers first
	SortNewest  = "new"     // newest first
)

// InsightFilter narrows the board. Empty fields do not filter.
type InsightFilter struct {
	Kind   string
	Status string
	Tag    string
	Sort   string // SortVotes (the default), SortAnswers or SortNewest
	Viewer int64  // the user whose votes Voted reports
	Limit  int
}

const insightColumns = `i.id, i.kind, i.title, i.body, i.tags, i.status, i.author, i.theme, i.votes, i.answers,
	i.created_at, i.updated_at`

// voted says whether the viewer (the first argument) voted for the row.
const voted = `, EXISTS (SELECT 1 FROM insight_votes v WHERE v.insight_id = i.id AND v.user_id = ?)`

func scanInsight(row interface{ Scan(...any) error }, extra ...any) (*otklik.Insight, error) {
	var in otklik.Insight
	var tags string
	var created, updated instant
	dest := append([]any{&in.ID, &in.Kind, &in.Title, &in.Body, &tags, &in.Status, &in.Author, &in.Theme, &in.Votes,
		&in.Answers, &created, &updated, &in.Voted}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(tags), &in.Tags); err != nil {
		return nil, fmt.Errorf("tags of insight %d: %w", in.ID, err)
	}
	in.CreatedAt, in.UpdatedAt = created.Time, updated.Time
	return &in, nil
}

// CreateInsight puts a validated item on the board and links the answers
// responseIDs to it in the same transaction. Each answer must lie in scope
// (the author's reach over answers); one that does not fails the whole
// item as not found, so nobody learns of answers beyond their reach.
func (db *DB) CreateInsight(ctx context.Context, scope otklik.Scope, in *otklik.Insight, responseIDs []int64) error {
	tags, _ := json.Marshal(in.Tags)
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		id, err := db.insertID(ctx, tx, `INSERT INTO insights (kind, title, body, tags, status, author, theme, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Kind, in.Title, in.Body, string(tags), in.Status, in.Author, in.Theme,
			db.ts(now), db.ts(now))
		if err != nil {
			return err
		}
		in.ID = id
		in.Answers, err = db.linkAnswers(ctx, tx, scope, id, responseIDs, in.Author, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create insight: %w", err)
	}
	in.Votes, in.Voted, in.CreatedAt, in.UpdatedAt = 0, false, now, now
	return nil
}

// LinkAnswers links answers in scope to item id ("this answer says it
// too") and returns how many were not linked before. An answer outside the
// scope is not found; linking one twice does nothing.
func (db *DB) LinkAnswers(ctx context.Context, scope otklik.Scope, id int64, responseIDs []int64, by string) (int, error) {
	var added int
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.queryRow(ctx, tx, "SELECT id FROM insights WHERE id = ?", id).Scan(&id); errors.Is(err, sql.ErrNoRows) {
			return otklik.Errorf(otklik.ENOTFOUND, "no item %d", id)
		} else if err != nil {
			return err
		}
		var err error
		added, err = db.linkAnswers(ctx, tx, scope, id, responseIDs, by, db.now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: link answers to insight %d: %w", id, err)
	}
	return added, nil
}

func (db *DB) linkAnswers(ctx context.Context, tx *sql.Tx, scope otklik.Scope, id int64, responseIDs []int64, by string, now time.Time) (int, error) {
	cond, scopeArgs := scopeWhere(scope, "r.manager", "r.team")
	added := 0
	for _, rid := range slices.Compact(slices.Sorted(slices.Values(responseIDs))) {
		var found int64
		err := db.queryRow(ctx, tx, "SELECT r.id FROM responses r WHERE r.id = ? AND "+cond, append([]any{rid}, scopeArgs...)...).Scan(&found)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, otklik.Errorf(otklik.ENOTFOUND, "no such answer")
		} else if err != nil {
			return 0, err
		}
		res, err := db.exec(ctx, tx, `INSERT INTO insight_answers (insight_id, response_id, linked_by, linked_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (insight_id, response_id) DO NOTHING`, id, rid, by, db.ts(now))
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		added += int(n)
	}
	if added > 0 {
		if _, err := db.exec(ctx, tx, "UPDATE insights SET answers = answers + ?, updated_at = ? WHERE id = ?", added, db.ts(now), id); err != nil {
			return 0, err
		}
	}
	return added, nil
}

// Vote records user's vote for item id (on) or takes it back (off). A user
// has one vote per item, held by the primary key: voting twice, from two
// tabs or two replicas, counts once.
func (db *DB) Vote(ctx context.Context, id, userID int64, on bool) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.queryRow(ctx, tx, "SELECT id FROM insights WHERE id = ?", id).Scan(&id); errors.Is(err, sql.ErrNoRows) {
			return otklik.Errorf(otklik.ENOTFOUND, "no item %d", id)
		} else if err != nil {
			return err
		}
		var res sql.Result
		var err error
		delta := "+ 1"
		if on {
			res, err = db.exec(ctx, tx, "INSERT INTO insight_votes (insight_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT (insight_id, user_id) DO NOTHING",
				id, userID, db.ts(db.now()))
		} else {
			delta = "- 1"
			res, err = db.exec(ctx, tx, "DELETE FROM insight_votes WHERE insight_id = ? AND user_id = ?", id, userID)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // nothing changed: the vote was already as asked
		}
		_, err = db.exec(ctx, tx, "UPDATE insights SET votes = votes "+delta+" WHERE id = ?", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: vote for insight %d: %w", id, err)
	}
	return nil
}

// SetInsightStatus moves item id to status (validated by the caller).
func (db *DB) SetInsightStatus(ctx context.Context, id int64, status, by string) error {
	now := db.now()
	res, err := db.exec(ctx, db.write, "UPDATE insights SET status = ?, status_by = ?, status_at = ?, updated_at = ? WHERE id = ?",
		status, by, db.ts(now), db.ts(now), id)
	if err != nil {
		return fmt.Errorf("store: insight %d status: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return otklik.Errorf(otklik.ENOTFOUND, "no item %d", id)
	}
	return nil
}

// UpdateInsight changes an item's kind, title, body and tags.
func (db *DB) UpdateInsight(ctx context.Context, in *otklik.Insight) error {
	tags, _ := json.Marshal(in.Tags)
	res, err := db.exec(ctx, db.write, "UPDATE insights SET kind = ?, title = ?, body = ?, tags = ?, updated_at = ? WHERE id = ?",
		in.Kind, in.Title, in.Body, string(tags), db.ts(db.now()), in.ID)
	if err != nil {
		return fmt.Errorf("store: update insight %d: %w", in.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return otklik.Errorf(otklik.ENOTFOUND, "no item %d", in.ID)
	}
	return nil
}

// Insight returns one item; Voted says whether viewer voted for it.
func (db *DB) Insight(ctx context.Context, id, viewer int64) (*otklik.Insight, error) {
	in, err := scanInsight(db.queryRow(ctx, db.read, "SELECT "+insightColumns+voted+" FROM insights i WHERE i.id = ?", viewer, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "no item %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: insight %d: %w", id, err)
	}
	return in, nil
}

// Insights lists the board.
func (db *DB) Insights(ctx context.Context, f InsightFilter) ([]*otklik.Insight, error) {
	where, args := "1=1", []any{f.Viewer}
	for _, eq := range []struct{ col, v string }{{"i.kind", f.Kind}, {"i.status", f.Status}} {
		if eq.v != "" {
			where += " AND " + eq.col + " = ?"
			args = append(args, eq.v)
		}
	}
	if f.Tag != "" {
		if db.postgres {
			where += " AND i.tags @> jsonb_build_array(CAST(? AS text))"
		} else {
			where += " AND EXISTS (SELECT 1 FROM json_each(i.tags) WHERE json_each.value = ?)"
		}
		args = append(args, f.Tag)
	}
	order := "i.votes DESC, i.answers DESC, i.id DESC"
	switch f.Sort {
	case SortAnswers:
		order = "i.answers DESC, i.votes DESC, i.id DESC"
	case SortNewest:
		order = "i.id DESC"
	}
	args = append(args, clampLimit(f.Limit))
	rows, err := db.query(ctx, db.read, "SELECT "+insightColumns+voted+" FROM insights i WHERE "+where+" ORDER BY "+order+" LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("store: insights: %w", err)
	}
	defer rows.Close()
	out := []*otklik.Insight{}
	for rows.Next() {
		in, err := scanInsight(rows)
		if err != nil {
			return nil, fmt.Errorf("store: insights: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// InsightTags lists every tag on the board, for the filter, sorted.
func (db *DB) InsightTags(ctx context.Context) ([]string, error) {
	rows, err := db.query(ctx, db.read, "SELECT tags FROM insights WHERE tags <> '[]'")
	if err != nil {
		return nil, fmt.Errorf("store: insight tags: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var s string
		var tags []string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("store: insight tags: %w", err)
		}
		if json.Unmarshal([]byte(s), &tags) == nil {
			for _, t := range tags {
				seen[t] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	slices.Sort(out)
	return out, rows.Err()
}

// InsightAnswers returns up to limit answers linked to item id that lie in
// scope, newest first. The item's Answers counts them all, in reach or not.
func (db *DB) InsightAnswers(ctx context.Context, scope otklik.Scope, id int64, limit int) ([]*otklik.Response, error) {
	cond, args := scopeWhere(scope, "r.manager", "r.team")
	return db.responsesWhere(ctx, "r.id IN (SELECT a.response_id FROM insight_answers a WHERE a.insight_id = ?) AND "+cond,
		append([]any{id}, args...), "r.answered_at DESC, r.id DESC", clampLimit(limit))
}

// InsightsOfAnswer returns the items an answer is linked to.
func (db *DB) InsightsOfAnswer(ctx context.Context, responseID, viewer int64) ([]*otklik.Insight, error) {
	rows, err := db.query(ctx, db.read, "SELECT "+insightColumns+voted+
		" FROM insights i JOIN insight_answers a ON a.insight_id = i.id WHERE a.response_id = ? ORDER BY i.id", viewer, responseID)
	if err != nil {
		return nil, fmt.Errorf("store: insights of answer %d: %w", responseID, err)
	}
	defer rows.Close()
	out := []*otklik.Insight{}
	for rows.Next() {
		in, err := scanInsight(rows)
		if err != nil {
			return nil, fmt.Errorf("store: insights of answer %d: %w", responseID, err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// ReviewItem is a board item as the quarterly review ranks it.
type ReviewItem struct {
	*otklik.Insight
	// PeriodAnswers counts the linked answers given within the period: how
	// loud the item was this quarter, whenever it was put on the board.
	PeriodAnswers int
}

// ReviewInsights returns the items of kind that matter for the period
// [from, to): put on the board within it, or with answers from within it
// linked; rejected items are left out. They come ranked by votes, then by
// the period's linked answers, then by all linked answers.
func (db *DB) ReviewInsights(ctx context.Context, kind string, from, to time.Time, viewer int64, limit int) ([]ReviewItem, error) {
	q := `SELECT * FROM (SELECT ` + insightColumns + voted + ` AS voted,
		(SELECT COUNT(*) FROM insight_answers a JOIN responses r ON r.id = a.response_id
		 WHERE a.insight_id = i.id AND r.answered_at >= ? AND r.answered_at < ?) AS period_answers
		FROM insights i WHERE i.kind = ? AND i.status <> ?) x
		WHERE x.period_answers > 0 OR x.created_at >= ? AND x.created_at < ?
		ORDER BY x.votes DESC, x.period_answers DESC, x.answers DESC, x.id LIMIT ?`
	rows, err := db.query(ctx, db.read, q, viewer, db.ts(from), db.ts(to), kind, otklik.InsightRejected, db.ts(from), db.ts(to), clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: review insights: %w", err)
	}
	defer rows.Close()
	var out []ReviewItem
	for rows.Next() {
		var it ReviewItem
		if it.Insight, err = scanInsight(rows, &it.PeriodAnswers); err != nil {
			return nil, fmt.Errorf("store: review insights: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Comment is the free text of one answer, for finding themes.
type Comment struct {
	ID         int64 // the answer's id
	Text       string
	AnsweredAt time.Time
}

// CommentFilter selects comments.
type CommentFilter struct {
	SurveyIDs []int64   // empty: every survey
	From, To  time.Time // [From, To)
	Limit     int       // at most this many, the most recent; 0: DefaultCommentLimit
}

// DefaultCommentLimit bounds the comments of one period read for themes:
// enough for a large business's quarter, small enough for one page to
// tokenize in about a second.
const DefaultCommentLimit = 100_000

// Comments returns the non-empty comments of the answers in scope given
// in [f.From, f.To), oldest first; when there are more than the limit, the
// most recent ones.
func (db *DB) Comments(ctx context.Context, scope otklik.Scope, f CommentFilter) ([]Comment, error) {
	cond, args := scopeWhere(scope, "r.manager", "r.team")
	cond += " AND r.comment <> '' AND r.answered_at >= ? AND r.answered_at < ?"
	args = append(args, db.ts(f.From), db.ts(f.To))
	if len(f.SurveyIDs) > 0 {
		cond += " AND r.survey_id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(f.SurveyIDs)), ",") + ")"
		for _, id := range f.SurveyIDs {
			args = append(args, id)
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultCommentLimit
	}
	args = append(args, limit)
	rows, err := db.query(ctx, db.read, "SELECT r.id, r.comment, r.answered_at FROM responses r WHERE "+cond+
		" ORDER BY r.answered_at DESC, r.id DESC LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("store: comments: %w", err)
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		var at instant
		if err := rows.Scan(&c.ID, &c.Text, &at); err != nil {
			return nil, fmt.Errorf("store: comments: %w", err)
		}
		c.AnsweredAt = at.Time
		out = append(out, c)
	}
	slices.Reverse(out)
	return out, rows.Err()
}

// ResponsesByID returns the answers with the given ids that lie in scope,
// in the order of ids; the others are left out.
func (db *DB) ResponsesByID(ctx context.Context, scope otklik.Scope, ids []int64) ([]*otklik.Response, error) {
	if len(ids) == 0 {
		return []*otklik.Response{}, nil
	}
	cond, args := scopeWhere(scope, "r.manager", "r.team")
	in := make([]any, len(ids))
	for i, id := range ids {
		in[i] = id
	}
	rs, err := db.responsesWhere(ctx, "r.id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+") AND "+cond,
		append(in, args...), "r.id", len(ids))
	if err != nil {
		return nil, err
	}
	pos := map[int64]int{}
	for i, id := range ids {
		if _, ok := pos[id]; !ok {
			pos[id] = i
		}
	}
	slices.SortFunc(rs, func(a, b *otklik.Response) int { return pos[a.ID] - pos[b.ID] })
	return rs, nil
}
