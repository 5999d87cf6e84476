package dispatch

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"otklik/internal/channel/webhook"
	"otklik/internal/store"
)

// announceResponses tells webhook subscribers of a page of new answers,
// each once: the first replica to mark an answer announces it (a revised
// answer, read again by seq, is not new). One transaction a page.
func (e *Engine) announceResponses(ctx context.Context, rows []store.LoopRow) error {
	return e.cfg.DB.InTx(ctx, func(tx *sql.Tx) error {
		for i := range rows {
			r := &rows[i]
			first, err := e.cfg.DB.MarkOnce(ctx, tx, fmt.Sprintf("response.created:%d", r.ID))
			if err != nil {
				return err
			}
			if !first {
				continue
			}
			resp := r.Response
			if err := e.Emit(ctx, tx, webhook.EventResponseCreated, map[string]any{"id": resp.ID, "survey": resp.Survey,
				"customer": resp.Customer, "channel": resp.Channel, "score": resp.Score, "comment": resp.Comment,
				"answered_at": resp.AnsweredAt, "snapshot": resp.Snapshot}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Run closes invitations as their surveys are answered, until ctx ends: at
// once after this process wrote answers, every two seconds for other
// replicas'. It reads answers by seq after a stored cursor, as the closed
// loop does.
func (e *Engine) Run(ctx context.Context) {
	e.cfg.DB.FollowAnswers(ctx, 250*time.Millisecond, 2*time.Second, func(ctx context.Context) error {
		_, err := e.CloseAnswered(ctx)
		return err
	}, e.cfg.Log, "outreach: close answered invitations")
}

// CloseAnswered marks answered every open invitation whose survey the
// customer has answered since the last call; it returns how many.
func (e *Engine) CloseAnswered(ctx context.Context) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var cursor int64
	if v, ok, err := e.cfg.DB.SettingValue(ctx, cursorKey); err != nil {
		return 0, err
	} else if ok {
		if cursor, err = strconv.ParseInt(v, 10, 64); err != nil {
			return 0, err
		}
	}
	announce, err := e.cfg.DB.HasSubscribers(ctx, webhook.EventResponseCreated)
	if err != nil {
		return 0, err
	}
	closed := 0
	from, last := e.cfg.DB.LoopStart(cursor), cursor
	for {
		rows, next, err := e.cfg.DB.LoopRows(ctx, from, 500)
		if err != nil {
			return closed, err
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.CustomerID
		}
		open, err := e.cfg.DB.WithOpenInvitations(ctx, ids)
		if err != nil {
			return closed, err
		}
		for i := range rows {
			r := &rows[i]
			if open[r.CustomerID] {
				n, err := e.cfg.DB.AnswerInvitations(ctx, r.CustomerID, r.SurveyID, r.ID, r.Response.AnsweredAt)
				if err != nil {
					return closed, err
				}
				closed += n
			}
		}
		if announce {
			if err := e.announceResponses(ctx, rows); err != nil {
				return closed, err
			}
		}
		if next > last {
			if err := e.cfg.DB.PutSetting(ctx, cursorKey, strconv.FormatInt(next, 10)); err != nil {
				return closed, err
			}
			last = next
		}
		if len(rows) < 500 {
			return closed, nil
		}
		from = next
	}
}
