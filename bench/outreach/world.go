package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"otklik"
	"otklik/internal/outreach"
)

// The synthetic business: a credit broker with customers who started over
// the last five years, asked after deals and at months 3, 6, 9 and 12 of
// their lifetime, as the product's default schedule does. Every customer is
// generated from its own random stream (seed, index), so the customers,
// their consents and their invitations can be produced in separate passes,
// in id order, without holding a million of them in memory, and the same
// -seed gives the same data on every database.

var (
	segmentNames   = []string{"smb", "micro", "mid-market", "corporate", "enterprise", "state"}
	segmentWeights = []float64{0.34, 0.22, 0.18, 0.13, 0.08, 0.05}
	serviceNames   = []string{"mortgage", "auto", "consumer", "refinance", "business", "leasing", "insurance", "cards"}
	regionNames    = []string{"Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород", "Краснодар", "Ростов-на-Дону"}
	teamNames      = []string{"Север", "Юг", "Восток"}
)

// Shares of the generated population.
const (
	startedYears      = 5      // start dates spread over the last five years
	unknownStartShare = 0.03   // customers without a start date: no lifetime milestones
	erasedShare       = 0.002  // erased on request: never candidates, nothing waiting
	emailGranted      = 0.88   // e-mail consent given …
	emailWithdrawn    = 0.04   // … or withdrawn (unsubscribed); the rest never gave it
	telegramShare     = 0.12   // linked a Telegram chat (with its consent)
	periodShare       = 0.02   // agreed their own contact period (90 days)
	eventsPerYear     = 0.7    // invitations after events sent in the last 365 days, per customer (Poisson)
	dueShare          = 0.0075 // of the waiting invitations, the share whose moment has come
	managers          = 12
)

// world is the generated business at one moment, now.
type world struct {
	seed      uint64
	n         int     // customers
	waiting   float64 // chance that a customer has an invitation waiting (planned or deferred)
	now       time.Time
	loc       *time.Location
	sched     outreach.Schedule // the default lifetime schedule, with the id it was stored under
	surveyIDs [2]int64          // nps, csat
	today     otklik.Date       // now's calendar day in loc
}

func newWorld(seed uint64, n, waiting int, now time.Time, loc *time.Location, sched outreach.Schedule, surveys [2]int64) *world {
	lt := now.In(loc)
	return &world{seed: seed, n: n, waiting: float64(waiting) / float64(n), now: now, loc: loc, sched: sched, surveyIDs: surveys,
		today: otklik.Date{Time: time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC)}}
}

// customer is one generated customer with everything stored about it.
type customer struct {
	id         int64 // 1…n, in generation order
	ext        string
	name       string
	email      string
	telegram   string
	segment    string
	region     string
	manager    string
	team       string
	svcJSON    string
	revenue    int64 // hundredths; -1 unknown
	started    *otklik.Date
	period     int // agreed contact period in days; 0 none
	erased     bool
	emailState int // 0 no consent, 1 granted, 2 withdrawn
	created    time.Time
	invs       []invitation
}

// invitation is one row of invitations.
type invitation struct {
	survey   int // index in world.surveyIDs
	source   string
	ref      string
	label    string
	channel  string
	status   string
	earliest time.Time
	latest   time.Time
	next     time.Time // zero: NULL
	sent     time.Time // zero: NULL
	answered time.Time // zero: NULL
	reason   string
	created  time.Time
}

const channelsJSON = `["email","telegram"]`

// reachable says whether a customer can be mailed or messaged at all.
func (c *customer) reachable() bool {
	return !c.erased && ((c.emailState == 1 && c.email != "") || c.telegram != "")
}

func (c *customer) channel() string {
	if c.emailState == 1 && c.email != "" {
		return string(otklik.ChannelEmail)
	}
	return string(otklik.ChannelTelegram)
}

// generate fills c with customer i (0-based) of w: attributes, consents
// and the invitations it has at now — the history of the last year
// (lifetime milestones and events: sent, answered or skipped), the
// lifetime invitations of milestones within the schedule's validity that a
// planning round has already made (every one but today's), and at times an
// invitation waiting for its moment.
func (w *world) generate(i int, c *customer) {
	rng := rand.New(rand.NewPCG(w.seed, uint64(i)))
	invs := c.invs[:0]
	*c = customer{id: int64(i + 1), ext: fmt.Sprintf("C%07d", i+1), revenue: -1}
	c.name = "Клиент " + strconv.Itoa(i+1)
	c.email = fmt.Sprintf("client%07d@example.ru", i+1)
	c.segment = segmentNames[pick(rng, segmentWeights)]
	c.region = regionNames[rng.IntN(len(regionNames))]
	m := rng.IntN(managers)
	c.manager = fmt.Sprintf("manager%02d@broker.example", m+1)
	c.team = teamNames[m%len(teamNames)]
	var svcs []string
	for k := 1 + rng.IntN(2); k > 0; k-- {
		s := serviceNames[int(float64(len(serviceNames))*math.Pow(rng.Float64(), 2))]
		if !slices.Contains(svcs, s) {
			svcs = append(svcs, s)
		}
	}
	b, _ := json.Marshal(svcs)
	c.svcJSON = string(b)
	if rng.Float64() >= 0.05 {
		c.revenue = int64(math.Exp(math.Log(5e6) + 1.1*rng.NormFloat64()))
	}
	daysBack := rng.IntN(startedYears * 365)
	if rng.Float64() >= unknownStartShare {
		c.started = &otklik.Date{Time: w.today.AddDate(0, 0, -daysBack)}
	}
	c.created = w.today.AddDate(0, 0, -daysBack).Add(9 * time.Hour)
	switch u := rng.Float64(); {
	case u < emailGranted:
		c.emailState = 1
	case u < emailGranted+emailWithdrawn:
		c.emailState = 2
	}
	if rng.Float64() < telegramShare {
		c.telegram = strconv.Itoa(700000000 + i)
	}
	if rng.Float64() < periodShare {
		c.period = 90
	}
	c.erased = rng.Float64() < erasedShare
	if c.erased {
		c.name, c.email, c.telegram, c.emailState = "", "", "", 0
	}

	// Lifetime milestones: the history of the past year, and those within
	// the schedule's validity, planned by an earlier round unless they fell
	// due today (the round that plans them is the one being measured).
	validFrom := w.now.Add(-w.sched.Validity.Std())
	yearAgo := w.now.AddDate(0, 0, -365)
	if c.started != nil {
		for _, month := range w.sched.Months {
			at := w.sched.Milestone(*c.started, month, w.loc)
			if at.After(w.now) || at.Before(yearAgo) {
				continue
			}
			inWindow := !at.Before(validFrom)
			if inWindow && w.isToday(at) {
				continue // a candidate of this round
			}
			req := w.sched.Request(month, at)
			inv := invitation{survey: 0, source: outreach.SourceLifetime, ref: req.Ref, label: req.Label,
				earliest: req.Earliest, latest: req.Latest, created: at}
			w.outcome(rng, c, &inv, at.Add(time.Duration(rng.IntN(180))*time.Minute))
			invs = append(invs, inv)
		}
	}
	// Invitations after events (deals won and lost, deliveries) in the
	// past year.
	for j := range poisson(rng, eventsPerYear) {
		at := yearAgo.Add(time.Duration(rng.Int64N(int64(364 * 24 * time.Hour))))
		inv := invitation{survey: 0, source: outreach.SourceEvent, ref: fmt.Sprintf("event:deal-%d-%d:1", i+1, j),
			label: "NPS после сделки", earliest: at, latest: at.AddDate(0, 0, 7), created: at}
		if rng.IntN(10) < 3 {
			inv.survey, inv.ref, inv.label = 1, fmt.Sprintf("event:delivery-%d-%d:3", i+1, j), "CSAT после выдачи"
		}
		w.outcome(rng, c, &inv, at.Add(time.Duration(rng.IntN(120))*time.Minute))
		invs = append(invs, inv)
	}
	// An invitation waiting for the planner: after an event with a delay
	// (planned) or moved by a cap (deferred), or the closed loop's
	// re-survey; a few of them are due now.
	if !c.erased && rng.Float64() < w.waiting {
		var next time.Time
		if rng.Float64() < dueShare {
			next = w.now.Add(-time.Duration(rng.Int64N(int64(2 * time.Hour))))
		} else {
			next = w.now.Add(time.Second + time.Duration(rng.Int64N(int64(30*24*time.Hour))))
		}
		inv := invitation{survey: 0, source: outreach.SourceEvent, ref: fmt.Sprintf("event:deal-%d-w:1", i+1),
			label: "NPS после сделки", status: otklik.InvitationPlanned, earliest: next, latest: next.AddDate(0, 0, 7), next: next}
		if rng.IntN(100) < 15 {
			inv.source, inv.ref, inv.label = outreach.SourceLoop, fmt.Sprintf("case:%d", i+1), "Повторный опрос после случая"
			inv.latest = next.AddDate(0, 0, 14)
		}
		if rng.IntN(10) < 3 {
			inv.status, inv.reason = otklik.InvitationDeferred, outreach.CodeDeferredCap
			inv.earliest = next.AddDate(0, 0, -1-rng.IntN(20))
		}
		inv.created = inv.earliest.Add(-time.Hour)
		invs = append(invs, inv)
	}
	c.invs = invs
}

// outcome settles an invitation of the past: skipped when the customer had
// no channel (or, now and then, by a cap), else sent at `at` and sometimes
// answered.
func (w *world) outcome(rng *rand.Rand, c *customer, inv *invitation, at time.Time) {
	switch u := rng.Float64(); {
	case !c.reachable() && !c.erased:
		inv.status, inv.reason = otklik.InvitationSkipped, outreach.CodeSkippedNoChannel
	case u < 0.1:
		inv.status, inv.reason = otklik.InvitationSkipped, outreach.CodeSkippedCap
	default:
		inv.status, inv.channel, inv.sent = otklik.InvitationSent, c.channel(), at
		if u < 0.4 {
			inv.status, inv.answered = otklik.InvitationAnswered, at.Add(time.Duration(1+rng.IntN(48))*time.Hour)
		}
	}
}

// isToday says whether t falls on now's calendar day in the business zone.
func (w *world) isToday(t time.Time) bool {
	lt := t.In(w.loc)
	return lt.Year() == w.today.Year() && lt.Month() == w.today.Month() && lt.Day() == w.today.Day()
}

// each generates every customer in id order and hands it to fn (the same
// *customer, refilled: fn must not keep it).
func (w *world) each(fn func(c *customer) error) error {
	var c customer
	for i := range w.n {
		w.generate(i, &c)
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}

// expected is what the generator knows must come out of "who is due now":
// the customers, by id, with a lifetime milestone within the validity and
// no invitation for it yet (not erased), and those with a waiting
// invitation whose moment has come. It is worked out with the schedule's
// own Milestone, independently of both SQL forms.
type expected struct {
	ids                  []int64
	lifetime, waitingDue int // customers of each kind (one may be both)
	invitations          int
	waitingAll           int
	history              int // invitations sent or answered in the past year
}

func (w *world) expected() expected {
	var e expected
	validFrom := w.now.Add(-w.sched.Validity.Std())
	_ = w.each(func(c *customer) error {
		e.invitations += len(c.invs)
		has := map[string]bool{}
		waitingDue := false
		for _, inv := range c.invs {
			has[inv.ref] = true
			if !inv.next.IsZero() {
				e.waitingAll++
				if !inv.next.After(w.now) {
					waitingDue = true
				}
			}
			if !inv.sent.IsZero() {
				e.history++
			}
		}
		candidate := false
		if c.started != nil && !c.erased {
			for _, m := range w.sched.Months {
				at := w.sched.Milestone(*c.started, m, w.loc)
				if !at.After(w.now) && !at.Before(validFrom) && !has[w.sched.Request(m, at).Ref] {
					candidate = true
				}
			}
		}
		if candidate {
			e.lifetime++
		}
		if waitingDue {
			e.waitingDue++
		}
		if candidate || waitingDue {
			e.ids = append(e.ids, c.id)
		}
		return nil
	})
	return e
}

func pick(rng *rand.Rand, weights []float64) int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	u := rng.Float64() * sum
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

// poisson draws from a Poisson distribution with a small mean (Knuth).
func poisson(rng *rand.Rand, mean float64) int {
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
