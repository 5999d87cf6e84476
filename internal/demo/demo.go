// Package demo fills a database with a realistic workspace of one credit
// broker: three teams, twelve managers, about two thousand customers and a
// year and a half of NPS, CSAT and CES answers with Russian comments. The
// data depend only on the seed and the options, never on the clock or on
// map order, so a demo can be rebuilt exactly and running it twice on the
// same database adds nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"otklik"
	"otklik/internal/metric"
	"otklik/internal/store"
)

// Defaults of Options.
const (
	DefaultCustomers = 2000
	DefaultMonths    = 18
)

// Options shape a demo.
type Options struct {
	// Seed chooses the demo; the same seed and Now give the same data.
	Seed int64
	// Now is the end of the answer history (answers come before it). Required:
	// the demo never reads the clock itself.
	Now time.Time
	// Location is the business's time zone: answers are given during its
	// day. Europe/Moscow when nil.
	Location *time.Location
	// Customers is how many customers to create (DefaultCustomers when 0).
	Customers int
	// Months is how many months of answers to create (DefaultMonths when 0).
	Months int
	// PasswordHash, when set, is given to every demo user so that the demo
	// can be explored by signing in as a manager or a lead. Empty means the
	// demo users cannot sign in.
	PasswordHash string
}

// DemoUser is a user the demo created (or found already there).
type DemoUser struct {
	Email string
	Name  string
	Role  otklik.Role
	Team  string
}

// Summary describes the demo.
type Summary struct {
	Users     []DemoUser
	Customers int // demo customers, the erased ones included
	Erased    int // customers erased on request, whose answers stay anonymised
	Responses int // answers of the demo, all surveys
	// BySurvey counts the answers per survey key.
	BySurvey map[string]int
	// Added is how many answers this call wrote: all of them on an empty
	// database, none when the same demo is already there.
	Added int
	// NPS is the demo's overall NPS, rounded to one decimal.
	NPS float64
}

// eraseCount is how many customers the demo erases at the end.
const eraseCount = 5

// batchSize is how many answers go to the store at once.
const batchSize = 1000

// demoActor is who erases the demo's customers, as the audit log shows.
var demoActor = otklik.Actor{Email: "demo", Role: otklik.RoleAdmin}

var all = otklik.Scope{Reach: otklik.ReachAll}

// Generate builds the demo workspace in db. It creates the users, surveys
// and customers that are missing, updates the demo customers that exist,
// and writes the answers not written before (they carry idempotency keys
// "demo:<seed>:<customer>.<n>"). The admin is not created here.
func Generate(ctx context.Context, db *store.DB, opt Options) (*Summary, error) {
	if opt.Now.IsZero() {
		return nil, errors.New("demo: Options.Now is required")
	}
	if opt.Customers < 0 || opt.Months < 0 {
		return nil, errors.New("demo: Customers and Months must not be negative")
	}
	if opt.Customers == 0 {
		opt.Customers = DefaultCustomers
	}
	if opt.Months == 0 {
		opt.Months = DefaultMonths
	}
	loc := opt.Location
	if loc == nil {
		loc = moscow()
	}
	now := opt.Now.In(loc).Truncate(time.Second)
	p := &planner{seed: opt.Seed, now: now, loc: loc, from: now.AddDate(0, -opt.Months, 0),
		startDay: now.AddDate(0, -max(24, opt.Months), 0)}

	sum := &Summary{Customers: opt.Customers, BySurvey: map[string]int{}}
	if err := createUsers(ctx, db, opt.PasswordHash, sum); err != nil {
		return nil, err
	}
	byKey, err := createSurveys(ctx, db)
	if err != nil {
		return nil, err
	}

	plans := make([]*customerPlan, opt.Customers)
	for i := range plans {
		plans[i] = p.customer(i)
	}
	erase := chooseErased(opt.Seed, plans)
	sum.Erased = len(erase)
	var nps metric.NPSCounts
	for _, cp := range plans {
		for _, a := range cp.answers {
			sum.Responses++
			sum.BySurvey[a.survey]++
			if a.survey == SurveyNPS {
				nps.Add(a.score)
			}
		}
	}
	sum.NPS = metric.Round1(nps.Result().NPS)

	var batch []*otklik.Response
	flush := func() error {
		for i, res := range db.AddResponses(ctx, batch) {
			if res.Err != nil {
				return fmt.Errorf("demo: answer %s: %w", batch[i].IdempotencyKey, res.Err)
			}
			if res.Created {
				sum.Added++
			}
		}
		batch = batch[:0]
		return nil
	}
	var toErase []string
	for _, cp := range plans {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if slices.Contains(erase, cp.index) {
			gone, err := alreadyErased(ctx, db, cp)
			if err != nil {
				return nil, err
			}
			if gone { // erased by an earlier run: its answers are there, anonymised
				continue
			}
			toErase = append(toErase, cp.c.ExternalID)
		}
		c, _, err := db.UpsertCustomer(ctx, all, cp.c.ExternalID, func(c *otklik.Customer) { fill(c, &cp.c) })
		if err != nil {
			return nil, fmt.Errorf("demo: customer %s: %w", cp.c.ExternalID, err)
		}
		for _, a := range cp.answers {
			s := byKey[a.survey]
			r := &otklik.Response{SurveyID: s.ID, CustomerID: c.ID, Survey: s.Key, Customer: c.ExternalID,
				Channel: a.channel, Score: a.score, Comment: a.comment, Answers: a.answers,
				AnsweredAt: a.at, Snapshot: c.Dimensions(a.at), IdempotencyKey: a.key}
			if err := r.Validate(s, now); err != nil {
				return nil, fmt.Errorf("demo: answer %s: %w", a.key, err)
			}
			batch = append(batch, r)
		}
		if len(batch) >= batchSize {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	for _, ext := range toErase {
		if err := db.EraseCustomer(ctx, demoActor, ext); err != nil {
			return nil, fmt.Errorf("demo: erase %s: %w", ext, err)
		}
	}
	return sum, nil
}

// fill copies the demo's fields onto a stored or new customer.
func fill(dst, src *otklik.Customer) {
	dst.Name, dst.Company, dst.Email, dst.Phone, dst.TelegramChat = src.Name, src.Company, src.Email, src.Phone, src.TelegramChat
	dst.Locale, dst.Segment, dst.Services, dst.Revenue, dst.StartedAt = src.Locale, src.Segment, src.Services, src.Revenue, src.StartedAt
	dst.Manager, dst.Team, dst.Region, dst.Attributes, dst.ContactPeriod = src.Manager, src.Team, src.Region, src.Attributes, src.ContactPeriod
	dst.Consent = map[otklik.Channel]otklik.Consent{}
	for _, ch := range otklik.ConsentChannels {
		if k, ok := src.Consent[ch]; ok {
			dst.Consent[ch] = k
		}
	}
}

func createUsers(ctx context.Context, db *store.DB, hash string, sum *Summary) error {
	for _, p := range people {
		u := &otklik.User{Email: p.email(), Name: p.name(), Role: p.role, Team: p.team, Locale: "ru", PasswordHash: hash}
		err := db.CreateUser(ctx, u)
		if err != nil && otklik.ErrorCode(err) != otklik.ECONFLICT {
			return fmt.Errorf("demo: user %s: %w", u.Email, err)
		}
		sum.Users = append(sum.Users, DemoUser{Email: u.Email, Name: u.Name, Role: u.Role, Team: u.Team})
	}
	return nil
}

// createSurveys creates the demo's surveys, or takes the existing ones of the
// same keys, and returns them by key.
func createSurveys(ctx context.Context, db *store.DB) (map[string]*otklik.Survey, error) {
	out := map[string]*otklik.Survey{}
	for _, s := range surveys() {
		err := db.CreateSurvey(ctx, s)
		if otklik.ErrorCode(err) == otklik.ECONFLICT {
			if s, err = db.Survey(ctx, s.Key); err == nil && s.Kind != surveyKind(s.Key) {
				err = fmt.Errorf("survey %s exists with kind %s", s.Key, s.Kind)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("demo: survey: %w", err)
		}
		out[s.Key] = s
	}
	return out, nil
}

func surveyKind(key string) otklik.Kind {
	for _, s := range surveys() {
		if s.Key == key {
			return s.Kind
		}
	}
	return ""
}

// chooseErased picks the customers who ask to be forgotten: some of those
// who answered with a comment, so the anonymisation shows.
func chooseErased(seed int64, plans []*customerPlan) []int {
	var candidates []int
	for _, cp := range plans {
		if slices.ContainsFunc(cp.answers, func(a answerPlan) bool { return a.comment != "" }) {
			candidates = append(candidates, cp.index)
		}
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x6572617365))
	n := min(eraseCount, len(candidates), len(plans)/20)
	var out []int
	for _, k := range r.Perm(len(candidates))[:n] {
		out = append(out, candidates[k])
	}
	slices.Sort(out)
	return out
}

// alreadyErased reports whether a customer to be erased was erased by an
// earlier run of the same demo: it is gone, and its first answer is stored.
func alreadyErased(ctx context.Context, db *store.DB, cp *customerPlan) (bool, error) {
	_, err := db.Customer(ctx, all, cp.c.ExternalID)
	if err == nil {
		return false, nil
	}
	if otklik.ErrorCode(err) != otklik.ENOTFOUND {
		return false, err
	}
	first := cp.answers[0]
	rs, err := db.Responses(ctx, all, store.ResponseFilter{From: first.at, To: first.at.Add(time.Second), Limit: 1000})
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(rs, func(r *otklik.Response) bool { return r.IdempotencyKey == first.key }), nil
}

// moscow returns Europe/Moscow, or UTC+3 (what it has been since 2014) where
// the system has no zone database.
func moscow() *time.Location {
	if loc, err := time.LoadLocation("Europe/Moscow"); err == nil {
		return loc
	}
	return time.FixedZone("MSK", 3*60*60)
}
