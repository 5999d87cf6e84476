package exchange

import (
	"context"
	"io"
	"sort"
	"time"

	"otklik"
	"otklik/internal/store"
	"otklik/internal/transfer"
)

// chunk is how many answers are handed to the store's group commit at once.
const chunk = 1000

// Responses imports a file of historical answers as actor. Each row must
// name a known survey and customer and fit the survey's scale. Answers keep
// the snapshot columns of an Otklik export; otherwise they take the
// customer's dimensions as they are now, with the months since start
// counted at the answer's date. Re-importing a file writes nothing twice.
func Responses(ctx context.Context, db *store.DB, actor otklik.Actor, r io.Reader, opt Options) (*Report, error) {
	if _, err := actor.Scope(otklik.ImportData); err != nil {
		return nil, err
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	batch, err := transfer.ReadResponses(r, opt.Format, opt.read())
	if err != nil {
		return nil, err
	}
	rep := &Report{Errors: batch.Errors, Ignored: batch.Ignored}
	res := resolver{db: db, surveys: map[string]*otklik.Survey{}, customers: map[string]*otklik.Customer{}}
	var ready []*otklik.Response
	var lines []int
	for i := range batch.Rows {
		row := &batch.Rows[i]
		resp := &row.Response
		errs := res.resolve(ctx, resp, opt.Now, loc, batch.Snapshot)
		for _, e := range errs {
			rep.Errors = append(rep.Errors, transfer.RowError{Line: row.Line, Field: e.Field, Message: e.Message})
		}
		if len(errs) == 0 {
			ready, lines = append(ready, resp), append(lines, row.Line)
		}
	}
	if res.err != nil {
		return nil, res.err
	}
	sort.SliceStable(rep.Errors, func(i, j int) bool { return rep.Errors[i].Line < rep.Errors[j].Line })
	rep.Rows = len(ready) + countLines(rep.Errors)
	if len(rep.Errors) > 0 && !opt.Partial || len(ready) == 0 {
		return rep, nil
	}
	for start := 0; start < len(ready); start += chunk {
		end := min(start+chunk, len(ready))
		for j, out := range db.AddResponses(ctx, ready[start:end]) {
			switch {
			case out.Err != nil:
				rep.Errors = append(rep.Errors, transfer.RowError{Line: lines[start+j], Message: otklik.ErrorMessage(out.Err)})
			case out.Created:
				rep.Created++
			default:
				rep.Duplicates++
			}
		}
		if opt.Progress != nil {
			opt.Progress(end, len(ready))
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
	}
	rep.Written = true
	return rep, nil
}

// resolver looks surveys and customers up once per import.
type resolver struct {
	db        *store.DB
	surveys   map[string]*otklik.Survey
	customers map[string]*otklik.Customer
	err       error // a database failure, which ends the import
}

var all = otklik.Scope{Reach: otklik.ReachAll}

func (res *resolver) resolve(ctx context.Context, r *otklik.Response, now time.Time, loc *time.Location, keepSnapshot bool) []otklik.FieldError {
	if res.err != nil {
		return nil
	}
	s, ok := res.surveys[r.Survey]
	if !ok {
		var err error
		s, err = res.db.Survey(ctx, r.Survey)
		if err != nil && otklik.ErrorCode(err) != otklik.ENOTFOUND {
			res.err = err
			return nil
		}
		res.surveys[r.Survey] = s // nil when unknown
	}
	c, ok := res.customers[r.Customer]
	if !ok {
		var err error
		c, err = res.db.Customer(ctx, all, r.Customer)
		if err != nil && otklik.ErrorCode(err) != otklik.ENOTFOUND {
			res.err = err
			return nil
		}
		res.customers[r.Customer] = c
	}
	var errs []otklik.FieldError
	if s == nil {
		errs = append(errs, otklik.FieldError{Field: "survey", Message: "no survey with key " + r.Survey})
	}
	if c == nil {
		errs = append(errs, otklik.FieldError{Field: "customer", Message: "no customer with external id " + r.Customer + "; import the customers first"})
	}
	if len(errs) > 0 {
		return errs
	}
	if r.Channel == "" {
		r.Channel = otklik.ChannelImport
	}
	if err := r.Validate(s, now); err != nil {
		return otklik.ErrorFields(err)
	}
	r.SurveyID, r.CustomerID = s.ID, c.ID
	if r.IdempotencyKey == "" {
		r.IdempotencyKey = transfer.ContentKey(r)
	}
	if !keepSnapshot {
		r.Snapshot = c.Dimensions(r.AnsweredAt.In(loc))
	}
	return nil
}
