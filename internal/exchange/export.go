package exchange

import (
	"context"
	"io"
	"iter"
	"time"

	"otklik"
	"otklik/internal/store"
	"otklik/internal/transfer"
)

// Filter chooses the answers to export.
type Filter struct {
	Survey   string    // a survey key; empty means every survey
	From, To time.Time // [From, To); zero bounds are open
}

// ExportResponses streams the answers within actor's reach to w, oldest
// first, a page at a time, with one column per driver question.
func ExportResponses(ctx context.Context, db *store.DB, actor otklik.Actor, w io.Writer, f transfer.Format, filter Filter) (int, error) {
	scope, err := actor.Scope(otklik.ReadResponses)
	if err != nil {
		return 0, err
	}
	var surveys []*otklik.Survey
	if filter.Survey != "" {
		s, err := db.Survey(ctx, filter.Survey)
		if err != nil {
			return 0, err
		}
		surveys = []*otklik.Survey{s}
	} else if surveys, err = db.Surveys(ctx); err != nil {
		return 0, err
	}
	var keys []string
	seen := map[string]bool{}
	for _, s := range surveys {
		for _, d := range s.Drivers {
			if !seen[d.Key] {
				seen[d.Key] = true
				keys = append(keys, d.Key)
			}
		}
	}
	n := 0
	rows := func(yield func(otklik.Response, error) bool) {
		page := store.ResponseFilter{Survey: filter.Survey, From: filter.From, To: filter.To, Limit: 1000}
		for {
			rs, err := db.Responses(ctx, scope, page)
			if err != nil {
				yield(otklik.Response{}, err)
				return
			}
			for _, r := range rs {
				n++
				if !yield(*r, nil) {
					return
				}
			}
			if len(rs) < page.Limit {
				return
			}
			last := rs[len(rs)-1]
			page.AfterTime, page.AfterID = last.AnsweredAt, last.ID
		}
	}
	err = transfer.WriteResponses(w, f, keys, iter.Seq2[otklik.Response, error](rows))
	return n, err
}
