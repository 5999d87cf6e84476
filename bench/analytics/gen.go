package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"otklik"
)

// The synthetic business: a bank's B2B desk with 12 managers in 3 teams,
// 6 segments, 10 services and 8 regions, answering 3 surveys (NPS 60 %,
// CSAT 25 %, CES 15 %) over 18 months. Every run with the same -seed
// generates the same customers and the same answers, in the same order, for
// each database: the figures of SQLite and PostgreSQL describe one data set.

var (
	teamNames = []string{"Север", "Юг", "Восток"}
	// segments and their shares of customers.
	segmentNames   = []string{"smb", "micro", "mid-market", "corporate", "enterprise", "state"}
	segmentWeights = []float64{0.34, 0.22, 0.18, 0.13, 0.08, 0.05}
	serviceNames   = []string{"loans", "cards", "deposits", "leasing", "factoring", "payroll", "acquiring", "fx", "guarantees", "cash"}
	regionNames    = []string{"Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород", "Краснодар", "Ростов-на-Дону"}
	channelNames   = []otklik.Channel{otklik.ChannelEmail, otklik.ChannelTelegram, otklik.ChannelWeb, otklik.ChannelWidget, otklik.ChannelPhone, otklik.ChannelChat}
	channelWeights = []float64{0.40, 0.20, 0.15, 0.10, 0.10, 0.05}
	comments       = []string{
		"Всё отлично, спасибо менеджеру!",
		"Долго ждали ответа по заявке.",
		"Удобный интернет-банк, но тарифы высоковаты.",
		"Менеджер всегда на связи, решает вопросы быстро.",
		"Пришлось трижды отправлять одни и те же документы.",
		"Good service, fast onboarding.",
		"Карты перевыпустили за два дня — супер.",
		"Не устраивают сроки рассмотрения кредита.",
		"Nothing to add.",
		"Хотелось бы больше каналов связи, кроме почты.",
	}
)

// Score distributions: a B2B NPS around +30, a CSAT mostly 4–5 and a CES
// leaning to "easy" (7).
var (
	npsWeights  = []float64{2, 1, 1.5, 2, 2.5, 5, 6, 9, 16, 24, 31} // 0…10
	csatWeights = []float64{4, 6, 13, 35, 42}                       // 1…5
	cesWeights  = []float64{3, 4, 7, 12, 20, 27, 27}                // 1…7
)

// Answer period: 18 whole months in the business zone.
var (
	periodFrom = time.Date(2024, 10, 1, 0, 0, 0, 0, moscow)
	periodTo   = time.Date(2026, 4, 1, 0, 0, 0, 0, moscow)
)

const managersPerTeam = 4

type manager struct {
	email, team string
	quality     float64 // −0.2…+0.2: the chance an answer moves one point up (or down)
}

type customer struct {
	ext      string
	id       int64 // set once stored
	manager  int   // index in world.managers
	segment  string
	region   string
	services []string
	svcJSON  string
	revenue  int64 // hundredths; -1 unknown
	started  *otklik.Date
	// A customer handed over to another manager keeps the old one in the
	// snapshots of answers given before the hand-over.
	prevManager int // -1: never handed over
	handover    time.Time
}

// world is the generated business.
type world struct {
	seed      uint64
	n         int
	managers  []manager
	customers []customer
}

func newWorld(seed uint64, customers, n int) *world {
	rng := rand.New(rand.NewPCG(seed, 0xC0FFEE))
	w := &world{seed: seed, n: n}
	for t, team := range teamNames {
		for i := range managersPerTeam {
			k := t*managersPerTeam + i + 1
			w.managers = append(w.managers, manager{email: fmt.Sprintf("manager%02d@otklik.local", k), team: team,
				quality: -0.2 + 0.4*rng.Float64()})
		}
	}
	days := int(periodTo.Sub(periodFrom).Hours() / 24)
	for i := range customers {
		c := customer{ext: fmt.Sprintf("cust-%06d", i+1), manager: rng.IntN(len(w.managers)), prevManager: -1,
			segment: segmentNames[pick(rng, segmentWeights)], region: regionNames[rng.IntN(len(regionNames))],
			revenue: int64(math.Exp(math.Log(3e7) + 1.2*rng.NormFloat64()))}
		if rng.IntN(20) == 0 {
			c.revenue = -1
		}
		for k := 1 + rng.IntN(3); k > 0; k-- {
			// Squaring skews towards the first services, as real portfolios do.
			s := serviceNames[int(float64(len(serviceNames))*math.Pow(rng.Float64(), 2))]
			if !contains(c.services, s) {
				c.services = append(c.services, s)
			}
		}
		b, _ := json.Marshal(c.services)
		c.svcJSON = string(b)
		if rng.IntN(33) > 0 { // 3 % have no known start: no tenure, no cohort
			// Starts from January 2021 to the last month of answers.
			d := time.Date(2021, 1, 1+rng.IntN(62*30), 0, 0, 0, 0, time.UTC)
			c.started = &otklik.Date{Time: d}
		}
		if rng.IntN(20) == 0 {
			c.prevManager = rng.IntN(len(w.managers))
			c.handover = periodFrom.AddDate(0, 0, rng.IntN(days))
		}
		w.customers = append(w.customers, c)
	}
	return w
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

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// answer is one generated answer with its snapshot.
type answer struct {
	survey   int // 0 nps, 1 csat, 2 ces
	cust     *customer
	channel  string
	score    int
	comment  string
	answers  string // JSON object of driver ratings
	at       time.Time
	created  time.Time
	manager  *manager
	tenure   int // -1: NULL
	sequence int // 1…n: id and seq
}

// generator yields the answers of a world in id order.
type generator struct {
	w      *world
	rng    *rand.Rand
	i      int
	span   float64 // seconds in the period
	buf    []byte
	cum    [3][]float64
	chanCu []float64
}

func (w *world) answers() *generator {
	g := &generator{w: w, rng: rand.New(rand.NewPCG(w.seed, 0xA115)), span: periodTo.Sub(periodFrom).Seconds()}
	g.cum[0], g.cum[1], g.cum[2] = cumulative(npsWeights), cumulative(csatWeights), cumulative(cesWeights)
	g.chanCu = cumulative(channelWeights)
	return g
}

func cumulative(ws []float64) []float64 {
	out := make([]float64, len(ws))
	sum := 0.0
	for _, w := range ws {
		sum += w
	}
	acc := 0.0
	for i, w := range ws {
		acc += w / sum
		out[i] = acc
	}
	out[len(out)-1] = 1
	return out
}

func draw(rng *rand.Rand, cum []float64) int {
	u := rng.Float64()
	for i, c := range cum {
		if u < c {
			return i
		}
	}
	return len(cum) - 1
}

// next fills a with the next answer; false when all n are out.
func (g *generator) next(a *answer) bool {
	if g.i >= g.w.n {
		return false
	}
	g.i++
	rng := g.rng
	// Answers arrive in roughly time order (ids follow arrival) and the
	// volume grows over the period: twice as many answers at its end as at
	// its start. Position p in [0,1) solves F(p) = f for the density 1 + p.
	f := float64(g.i-1) / float64(g.w.n)
	p := (-1 + math.Sqrt(1+3*f)) // (p + p²/2)/(3/2) = f
	sec := p*g.span + float64(rng.IntN(6*3600)) - 3*3600
	// Answers come in during the day, mostly in office hours (Moscow).
	sec = math.Floor(sec/86400)*86400 + float64(8*3600+rng.IntN(14*3600)+rng.IntN(2*3600))
	sec = min(max(sec, 0), g.span-1)
	at := periodFrom.Add(time.Duration(sec*float64(time.Second)) + time.Duration(rng.IntN(1e6))*time.Microsecond).UTC()

	// A customer who had started by then (a few tries), else whoever was drawn.
	var c *customer
	for try := 0; try < 4; try++ {
		c = &g.w.customers[rng.IntN(len(g.w.customers))]
		if c.started == nil || !c.started.After(at) {
			break
		}
	}
	m := c.manager
	if c.prevManager >= 0 && at.Before(c.handover) {
		m = c.prevManager
	}
	mg := &g.w.managers[m]

	*a = answer{cust: c, manager: mg, at: at, sequence: g.i, tenure: -1}
	a.created = at.Add(time.Duration(1+rng.IntN(5)) * time.Second)
	switch k := rng.IntN(20); {
	case k < 12:
		a.survey = 0
	case k < 17:
		a.survey = 1
	default:
		a.survey = 2
	}
	s := draw(rng, g.cum[a.survey])
	if u := rng.Float64(); mg.quality > 0 && u < mg.quality {
		s++
	} else if mg.quality < 0 && u < -mg.quality {
		s--
	}
	switch a.survey {
	case 0:
		a.score = min(max(s, 0), 10)
	case 1:
		a.score = min(max(s+1, 1), 5)
	case 2:
		a.score = min(max(s+1, 1), 7)
	}
	a.channel = string(channelNames[draw(rng, g.chanCu)])
	if rng.IntN(5) == 0 {
		a.comment = comments[rng.IntN(len(comments))]
	}
	a.answers = "{}"
	if a.survey == 0 && rng.IntN(10) < 6 {
		// Driver ratings 1–5, loosely following the score.
		base := 1 + a.score*4/10
		b := append(g.buf[:0], `{"deliverables":`...)
		b = strconv.AppendInt(b, int64(clamp(base+rng.IntN(3)-1, 1, 5)), 10)
		b = append(b, `,"manager_quality":`...)
		b = strconv.AppendInt(b, int64(clamp(base+rng.IntN(3)-1, 1, 5)), 10)
		b = append(b, `,"manager_speed":`...)
		b = strconv.AppendInt(b, int64(clamp(base+rng.IntN(3)-1, 1, 5)), 10)
		b = append(b, '}')
		g.buf = b
		a.answers = string(b)
	}
	if c.started != nil {
		// As the application snapshots it: whole months to the answer's
		// calendar day in the business zone.
		a.tenure = c.started.MonthsSince(at.In(moscow))
	}
	return true
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

// idempotencyKey is fixed-width so that key order is id order: the unique
// index on it grows at its end, as with live answers' fresh keys.
func idempotencyKey(seq int) string { return fmt.Sprintf("bench-%010d", seq) }
