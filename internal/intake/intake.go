// Package intake turns an answer arriving on any channel (the API, an
// import, the survey page, a bot) into a stored response: it resolves the
// survey and the customer within the actor's reach, checks the answer
// against the survey's scale, snapshots the customer's dimensions and
// writes through the store's group commit.
package intake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"otklik"
	"otklik/internal/store"
)

// Answer is an answer as a channel delivers it.
type Answer struct {
	Survey   string // survey key
	Customer string // customer external id
	// NewCustomer, when set, creates the customer if it is unknown.
	NewCustomer *otklik.Customer
	Score       *int
	Comment     string
	Channel     otklik.Channel
	AnsweredAt  time.Time // zero means now
	Answers     map[string]int
	Key         string // idempotency key; empty means a fresh one
}

// Service records answers.
type Service struct {
	db      *store.DB
	now     func() time.Time
	loc     *time.Location
	surveys *surveyCache
}

// New returns a Service. loc is the business's time zone, in which a
// customer's months since start are counted.
func New(db *store.DB, now func() time.Time, loc *time.Location) *Service {
	return &Service{db: db, now: now, loc: loc, surveys: &surveyCache{db: db, ttl: 5 * time.Second}}
}

// Survey returns a survey by key from a short-lived cache: survey
// definitions change rarely and every answer needs one.
func (s *Service) Survey(ctx context.Context, key string) (*otklik.Survey, error) {
	return s.surveys.get(ctx, key)
}

// Forget drops a survey from the cache after it changed here.
func (s *Service) Forget(key string) { s.surveys.forget(key) }

// Prepare resolves and validates an answer without writing it (an unknown
// customer given with NewCustomer is created, though).
func (s *Service) Prepare(ctx context.Context, actor otklik.Actor, a Answer) (*otklik.Response, error) {
	scope, err := actor.Scope(otklik.WriteResponses)
	if err != nil {
		return nil, err
	}
	var p otklik.Problems
	if a.Survey == "" {
		p.Add("survey", "is required")
	}
	if a.Customer == "" {
		p.Add("customer", "is required")
	}
	if a.Score == nil {
		p.Add("score", "is required")
	}
	if err := p.Err("the answer is not complete"); err != nil {
		return nil, err
	}
	survey, err := s.Survey(ctx, a.Survey)
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		return nil, fieldError("survey", "no survey with key "+a.Survey)
	} else if err != nil {
		return nil, err
	}
	customer, err := s.customer(ctx, actor, scope, a)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &otklik.Response{
		SurveyID: survey.ID, Survey: survey.Key, CustomerID: customer.ID, Customer: customer.ExternalID,
		Channel: a.Channel, Score: *a.Score, Comment: a.Comment, Answers: a.Answers,
		AnsweredAt: a.AnsweredAt.UTC().Truncate(time.Microsecond), IdempotencyKey: a.Key,
	}
	if r.Channel == "" {
		r.Channel = otklik.ChannelAPI
	}
	if r.AnsweredAt.IsZero() {
		r.AnsweredAt = now.UTC().Truncate(time.Microsecond)
	}
	if r.Answers == nil {
		r.Answers = map[string]int{}
	}
	if err := r.Validate(survey, now); err != nil {
		return nil, err
	}
	if r.IdempotencyKey == "" {
		r.IdempotencyKey = newKey()
	}
	r.Snapshot = customer.Dimensions(r.AnsweredAt.In(s.loc))
	return r, nil
}

// customer finds the answer's customer in scope, or creates it from
// NewCustomer when the actor may.
func (s *Service) customer(ctx context.Context, actor otklik.Actor, scope otklik.Scope, a Answer) (*otklik.Customer, error) {
	c, err := s.db.CustomerForAnswer(ctx, scope, a.Customer)
	if otklik.ErrorCode(err) != otklik.ENOTFOUND {
		return c, err
	}
	if a.NewCustomer == nil {
		return nil, fieldError("customer", "no customer with external id "+a.Customer+"; send the customer's fields to create one")
	}
	writeScope, err := actor.Scope(otklik.WriteCustomers)
	if err != nil {
		return nil, fieldError("customer", "no customer with external id "+a.Customer+", and your role may not create customers")
	}
	c, _, err = s.db.UpsertCustomer(ctx, writeScope, a.Customer, func(c *otklik.Customer) {
		id, created, updated := c.ID, c.CreatedAt, c.UpdatedAt
		*c = *a.NewCustomer
		c.ID, c.CreatedAt, c.UpdatedAt = id, created, updated
	})
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		// It exists, outside the actor's reach: as unknown as if it did not.
		return nil, fieldError("customer", "no customer with external id "+a.Customer)
	}
	return c, err
}

// Record stores one answer and returns it. created is false when the
// idempotency key was seen before: the answer returned is the stored one.
func (s *Service) Record(ctx context.Context, actor otklik.Actor, a Answer) (r *otklik.Response, created bool, err error) {
	if r, err = s.Prepare(ctx, actor, a); err != nil {
		return nil, false, err
	}
	surveyID, customerID := r.SurveyID, r.CustomerID
	if created, err = s.db.AddResponse(ctx, r); err != nil {
		return nil, false, err
	}
	if err := checkReplay(r, created, surveyID, customerID); err != nil {
		return nil, false, err
	}
	return r, created, nil
}

// checkReplay refuses an idempotency key that was first used for another
// survey or customer: returning that answer would show the caller a row
// outside its reach, and a client reusing keys across answers has a bug.
func checkReplay(stored *otklik.Response, created bool, surveyID, customerID int64) error {
	if created || stored.SurveyID == surveyID && stored.CustomerID == customerID {
		return nil
	}
	return &otklik.Error{Code: otklik.ECONFLICT, Message: "this idempotency key was already used for another answer",
		Fields: []otklik.FieldError{{Field: "id", Message: "is taken by an answer of another survey or customer; use a new key"}}}
}

// Result is the outcome of one answer of a batch.
type Result struct {
	Response *otklik.Response
	Created  bool
	Err      error
}

// RecordBatch stores several answers, each on its own merit, in order.
func (s *Service) RecordBatch(ctx context.Context, actor otklik.Actor, as []Answer) []Result {
	out := make([]Result, len(as))
	var ready []*otklik.Response
	var at []int
	type ids struct{ survey, customer int64 }
	var asked []ids
	for i, a := range as {
		r, err := s.Prepare(ctx, actor, a)
		if err != nil {
			out[i].Err = err
			continue
		}
		ready, at, asked = append(ready, r), append(at, i), append(asked, ids{r.SurveyID, r.CustomerID})
	}
	for j, res := range s.db.AddResponses(ctx, ready) {
		if res.Err == nil {
			res.Err = checkReplay(ready[j], res.Created, asked[j].survey, asked[j].customer)
		}
		if res.Err != nil {
			out[at[j]] = Result{Err: res.Err}
			continue
		}
		out[at[j]] = Result{Response: ready[j], Created: res.Created}
	}
	return out
}

func fieldError(field, message string) error {
	return &otklik.Error{Code: otklik.EINVALID, Message: "the answer is not valid",
		Fields: []otklik.FieldError{{Field: field, Message: message}}}
}

func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "auto:" + hex.EncodeToString(b)
}

// surveyCache keeps survey definitions for a few seconds. Another replica's
// change is seen within ttl; this replica's own at once (forget).
type surveyCache struct {
	db  *store.DB
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedSurvey
}

type cachedSurvey struct {
	s       *otklik.Survey
	expires time.Time
}

func (c *surveyCache) get(ctx context.Context, key string) (*otklik.Survey, error) {
	now := time.Now() // cache freshness is wall-clock, not business time
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.s, nil
	}
	s, err := c.db.Survey(ctx, key)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedSurvey{}
	}
	c.m[key] = cachedSurvey{s, now.Add(c.ttl)}
	c.mu.Unlock()
	return s, nil
}

func (c *surveyCache) forget(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}
