package demo

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"otklik"
)

// Segments of the broker's customers.
const (
	segMortgage  = "Ипотека"
	segAuto      = "Автокредит"
	segBusiness  = "Бизнес-кредит"
	segRefinance = "Рефинансирование"
)

// Service lines, in the order a customer's list shows them.
var services = []string{"Подбор программы", "Сопровождение сделки", "Проверка кредитной истории",
	"Страхование", "Юридическая проверка", "Оценка залога"}

// serviceWeights gives, per segment, how often each service line is taken.
var serviceWeights = map[string][]float64{
	segMortgage:  {10, 6, 2, 4, 4, 4},
	segAuto:      {10, 3, 3, 5, 1, 1},
	segBusiness:  {10, 7, 2, 1, 6, 3},
	segRefinance: {10, 4, 6, 2, 1, 1},
}

// segmentEffect shifts satisfaction by segment: businesses are the most
// demanding, refinancing customers the easiest to please.
var segmentEffect = map[string]float64{segMortgage: 0, segAuto: 0.05, segBusiness: -0.15, segRefinance: 0.1}

// Score shapes when every effect is zero (ordered probit, see ordinal).
var (
	npsScale    = newOrdinal(0, 3, 1, 1.5, 2, 2.5, 4.5, 5.5, 11, 19, 20, 30)
	driverScale = newOrdinal(1, 4, 7, 17, 34, 38)
	csatScale   = newOrdinal(1, 4, 4, 9, 25, 58)
	cesScale    = newOrdinal(1, 3, 4, 6, 10, 19, 28, 30)
)

// npsBase centres the latent satisfaction so that the whole demo lands in the
// credit-brokerage range of NPS (+25…+35).
const npsBase = -0.04

// customerPlan is one customer and every answer they give, computed in
// memory before anything is written, so that the data depend only on the
// seed and the options.
type customerPlan struct {
	index   int
	c       otklik.Customer // without ID
	mgr     *staff
	answers []answerPlan
}

type answerPlan struct {
	survey  string
	key     string
	at      time.Time
	channel otklik.Channel
	score   int
	comment string
	answers map[string]int
}

// traits are a customer's lasting dispositions, in standard deviations of
// the latent satisfaction.
type traits struct {
	general, speed, terms float64
}

type planner struct {
	seed     int64
	now      time.Time // in loc
	from     time.Time // the first instant answers may have
	loc      *time.Location
	startDay time.Time // the earliest start date
}

// customerRand returns the random source of customer i: each customer has a
// stream of their own, so a customer's data do not depend on how many others
// there are.
func customerRand(seed int64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x637573746f6d6572+uint64(i)))
}

func (p *planner) customer(i int) *customerPlan {
	r := customerRand(p.seed, i)
	cp := &customerPlan{index: i}
	c := &cp.c
	c.ExternalID = fmt.Sprintf("demo-%05d", i+1)

	// Team, manager, region.
	ti := pick(r, []weighted[int]{{0, teams[0].share}, {1, teams[1].share}, {2, teams[2].share}})
	team := teams[ti]
	var mw []weighted[*staff]
	for _, m := range managersOf(team.name) {
		mw = append(mw, weighted[*staff]{m, m.weight})
	}
	cp.mgr = pick(r, mw)
	c.Manager, c.Team = cp.mgr.email(), team.name
	c.Region = pick(r, team.regions)

	// Who the customer is.
	const (
		person = iota
		soleTrader
		company
	)
	kind := pick(r, []weighted[int]{{person, 77}, {soleTrader, 9}, {company, 14}})
	female := chance(r, 0.5)
	en := kind == person && chance(r, 0.035)
	resp := respMale
	if female {
		resp = respFemale
	}
	var first, last string
	switch {
	case en:
		if female {
			first = one(r, enFemale)
		} else {
			first = one(r, enMale)
		}
		last = one(r, enSurname)
		c.Locale = "en"
	case female:
		first, last = one(r, femaleFirst), feminine(one(r, surnames))
		c.Locale = "ru"
	default:
		first, last = one(r, maleFirst), one(r, surnames)
		c.Locale = "ru"
	}
	c.Name = first + " " + last
	domain := one(r, []string{"example.com", "example.net", "example.org"})
	local := translit(first) + "." + translit(last)
	switch kind {
	case soleTrader:
		patronymic := one(r, patronymics)
		if female {
			patronymic = feminine(patronymic)
		}
		c.Company = "ИП " + last + " " + firstLetter(first) + ". " + firstLetter(patronymic) + "."
	case company:
		name := one(r, companyPrefix) + one(r, companySuffix)
		c.Company = "ООО «" + name + "»"
		domain = translit(name) + ".example"
		local = one(r, []string{"info", "office", "fin", local})
		resp = respCompany
	}
	if chance(r, 0.15) {
		local += strconv.Itoa(r.IntN(90) + 10)
	}

	// What they bought.
	switch kind {
	case person:
		c.Segment = pick(r, []weighted[string]{{segMortgage, 48}, {segAuto, 27}, {segRefinance, 25}})
	default:
		c.Segment = pick(r, []weighted[string]{{segBusiness, 85}, {segRefinance, 15}})
	}
	c.Services = pickServices(r, c.Segment)
	median, sigma := map[string]float64{segMortgage: 40000, segAuto: 18000, segRefinance: 15000, segBusiness: 150000}[c.Segment], 0.6
	switch kind {
	case soleTrader:
		median, sigma = median*0.4, 0.7
	case company:
		sigma = 0.8
	}
	rub := math.Max(500, math.Round(median*math.Exp(sigma*r.NormFloat64())/500)*500)
	revenue := otklik.Amount(rub) * 100
	c.Revenue = &revenue

	// When they started: over the last two years (or the answer window, when
	// longer), newer customers more numerous, as a growing business has.
	spanDays := p.now.Sub(p.startDay).Hours() / 24
	tau := spanDays * 0.6
	age := -tau * math.Log(1-r.Float64()*(1-math.Exp(-spanDays/tau)))
	y, m, d := p.now.AddDate(0, 0, -int(age)).Date()
	c.StartedAt = &otklik.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	started := time.Date(y, m, d, 0, 0, 0, 0, p.loc)

	// How to reach them, and what they agreed to.
	c.Email = local + "@" + domain
	c.Phone = fmt.Sprintf("+7 9%02d %03d-%02d-%02d", r.IntN(100), r.IntN(1000), r.IntN(100), r.IntN(100))
	consentAt := started.Add(time.Duration(9*60+r.IntN(9*60)) * time.Minute)
	c.Consent = map[otklik.Channel]otklik.Consent{}
	grant := func(ch otklik.Channel, p float64) bool {
		if chance(r, p) {
			c.Consent[ch] = otklik.Consent{Granted: true, At: consentAt, Source: "договор"}
			return true
		}
		return false
	}
	hasEmail := grant(otklik.ChannelEmail, 0.93)
	tgP := 0.35
	if en {
		tgP = 0.1
	}
	hasTelegram := grant(otklik.ChannelTelegram, tgP)
	if hasTelegram {
		c.TelegramChat = strconv.Itoa(100000000 + r.IntN(900000000))
	}
	hasPhone := grant(otklik.ChannelPhone, 0.7)
	if chance(r, 0.04) {
		period := 90
		c.ContactPeriod = &period
	}
	source := pick(r, []weighted[string]{{"Сайт", 35}, {"Рекомендация", 25}, {"Реклама", 15}, {"Повторное обращение", 10},
		{map[string]string{segMortgage: "Застройщик-партнёр", segAuto: "Автосалон-партнёр",
			segBusiness: "Банк-партнёр", segRefinance: "Сайт"}[c.Segment], 15}})
	c.Attributes, _ = json.Marshal(struct {
		Source string `json:"lead_source"`
	}{source})

	// The customer's answers.
	t := traits{general: 0.45 * r.NormFloat64(), speed: 0.5 * r.NormFloat64(), terms: 0.8 * r.NormFloat64()}
	v := voice{mgr: cp.mgr, resp: resp, seg: c.Segment, en: en}
	channels := func(email, telegram, web, phone float64) []weighted[otklik.Channel] {
		w := []weighted[otklik.Channel]{{otklik.ChannelWeb, web}}
		if hasEmail {
			w = append(w, weighted[otklik.Channel]{otklik.ChannelEmail, email})
		}
		if hasTelegram {
			w = append(w, weighted[otklik.Channel]{otklik.ChannelTelegram, telegram})
		}
		if hasPhone {
			w = append(w, weighted[otklik.Channel]{otklik.ChannelPhone, phone})
		}
		return w
	}
	minGap := 30.0
	if c.ContactPeriod != nil {
		minGap = float64(*c.ContactPeriod)
	}

	// NPS: after the deal closes, on the lifetime months 3, 6, 9, 12 and
	// then twice a year, and after occasional events (a second loan, a
	// complaint resolved), never more often than the contact cap allows.
	var touches []float64 // days since start
	if chance(r, 0.85) {
		touches = append(touches, 14+r.Float64()*46)
	}
	for month := 3; float64(month)*30.44 < spanDays+30; month += lifetimeStep(month) {
		if chance(r, 0.7) {
			touches = append(touches, float64(month)*30.44+r.Float64()*10)
		}
	}
	for day := 0.0; ; {
		day += -math.Log(1-r.Float64()) / 0.45 * 30.44
		if day > spanDays+30 {
			break
		}
		if chance(r, 0.75) {
			touches = append(touches, day)
		}
	}
	slices.Sort(touches)
	prev := math.Inf(-1)
	for _, day := range touches {
		if day-prev < minGap {
			continue
		}
		ch := pick(r, channels(55, 22, 13, 10))
		at, ok := p.answerTime(r, started, day, ch)
		if !ok {
			continue
		}
		prev = day
		a := answerPlan{survey: SurveyNPS, at: at, channel: ch}
		a.score, a.answers, a.comment = p.npsAnswer(r, c, cp.mgr, t, v, at, ch)
		cp.answers = append(cp.answers, a)
	}

	// CES: right after the application.
	if chance(r, 0.6) {
		ch := pick(r, channels(35, 10, 55, 0))
		if at, ok := p.answerTime(r, started, r.Float64()*5, ch); ok {
			x := 0.5*t.general + 0.3*cp.mgr.speed + 0.2*cp.mgr.quality + 0.2*t.terms + p.trend(at) + r.NormFloat64()
			a := answerPlan{survey: SurveyCES, at: at, channel: ch, score: cesScale.score(x)}
			if chance(r, 0.4) {
				a.comment = v.cesComment(r, a.score)
			}
			cp.answers = append(cp.answers, a)
		}
	}

	// CSAT: after support contacts.
	for day := 0.0; ; {
		day += -math.Log(1-r.Float64()) / 0.12 * 30.44
		if day > spanDays+30 {
			break
		}
		if !chance(r, 0.6) {
			continue
		}
		ch := pick(r, channels(35, 30, 10, 25))
		at, ok := p.answerTime(r, started, day, ch)
		if !ok {
			continue
		}
		x := 0.6*t.general + 0.2*cp.mgr.speed + p.trend(at) + r.NormFloat64()
		a := answerPlan{survey: SurveyCSAT, at: at, channel: ch, score: csatScale.score(x)}
		if chance(r, 0.45) {
			a.comment = v.csatComment(r, a.score)
		}
		cp.answers = append(cp.answers, a)
	}

	slices.SortStableFunc(cp.answers, func(a, b answerPlan) int { return a.at.Compare(b.at) })
	for k := range cp.answers {
		cp.answers[k].comment = upperFirst(cp.answers[k].comment)
		cp.answers[k].key = fmt.Sprintf("demo:%d:%d.%d", p.seed, i+1, k+1)
	}
	return cp
}

// lifetimeStep is the gap to the next lifetime survey: quarterly in the
// first year, then twice a year.
func lifetimeStep(month int) int {
	if month < 12 {
		return 3
	}
	return 6
}

// trend is the slow improvement of the business over the answer window.
func (p *planner) trend(at time.Time) float64 {
	frac := at.Sub(p.from).Seconds() / p.now.Sub(p.from).Seconds()
	return 0.2 * (frac - 0.5)
}

// npsAnswer draws a score, driver ratings and perhaps a comment. The score
// comes from the manager's speed and expertise, the loan terms, the
// customer's own disposition, the segment, the trend and the tenure (the
// first three months are the hardest).
func (p *planner) npsAnswer(r *rand.Rand, c *otklik.Customer, mgr *staff, t traits, v voice, at time.Time, ch otklik.Channel) (int, map[string]int, string) {
	speed := mgr.speed + t.speed + 0.6*r.NormFloat64()
	quality := mgr.quality + 0.5*r.NormFloat64()
	terms := t.terms + 0.5*r.NormFloat64()
	mood := npsBase + t.general + segmentEffect[c.Segment] + p.trend(at)
	if c.StartedAt.MonthsSince(at) < 3 {
		mood -= 0.15
	}
	u := mood + 0.3*speed + 0.25*quality + 0.3*terms + 0.7*r.NormFloat64()
	score := npsScale.score(u)

	var answers map[string]int
	if chance(r, 0.8) {
		answers = map[string]int{}
		for _, d := range []struct {
			key  string
			comp float64
		}{{driverSpeed, speed}, {driverQuality, quality}, {driverTerms, terms}} {
			if chance(r, 0.93) {
				answers[d.key] = driverScale.score(0.75*d.comp + 0.45*u + 0.5*r.NormFloat64())
			}
		}
	}

	weakest := "speed"
	if quality < speed && quality <= terms {
		weakest = "quality"
	} else if terms < speed && terms < quality {
		weakest = "terms"
	}
	pComment := 0.4 // passives
	switch {
	case score >= 9:
		pComment = 0.45
	case score <= 6:
		pComment = 0.7
	}
	if ch == otklik.ChannelPhone {
		pComment += 0.2 // the interviewer writes down what was said
	}
	var comment string
	if chance(r, pComment) {
		comment = v.npsComment(r, score, weakest)
	}
	return score, answers, comment
}

// hourWeights is when people answer, in local time.
var hourWeights = []weighted[int]{{8, 2}, {9, 5}, {10, 9}, {11, 10}, {12, 9}, {13, 8}, {14, 8}, {15, 8},
	{16, 8}, {17, 8}, {18, 9}, {19, 9}, {20, 7}, {21, 4}, {22, 1}}

// answerTime places an answer day days after the start, during the day; an
// e-mail may wait a day or two, and phone interviews happen on working days
// and hours. It reports false when the answer falls outside the window.
func (p *planner) answerTime(r *rand.Rand, started time.Time, day float64, ch otklik.Channel) (time.Time, bool) {
	d := int(day)
	if ch == otklik.ChannelEmail {
		d += pick(r, []weighted[int]{{0, 60}, {1, 30}, {2, 10}})
	}
	date := started.AddDate(0, 0, d)
	hour := pick(r, hourWeights)
	if ch == otklik.ChannelPhone {
		switch date.Weekday() {
		case time.Saturday:
			date = date.AddDate(0, 0, 2)
		case time.Sunday:
			date = date.AddDate(0, 0, 1)
		}
		hour = 10 + r.IntN(9)
	}
	at := time.Date(date.Year(), date.Month(), date.Day(), hour, r.IntN(60), r.IntN(60), 0, p.loc)
	if at.Before(p.from) || !at.Before(p.now) {
		return time.Time{}, false
	}
	return at, true
}

// pickServices draws one to three service lines, weighted by segment.
func pickServices(r *rand.Rand, segment string) []string {
	n := pick(r, []weighted[int]{{1, 40}, {2, 40}, {3, 20}})
	w := slices.Clone(serviceWeights[segment])
	taken := make([]bool, len(services))
	for range n {
		var items []weighted[int]
		for i, x := range w {
			if !taken[i] {
				items = append(items, weighted[int]{i, x})
			}
		}
		taken[pick(r, items)] = true
	}
	var out []string
	for i, s := range services {
		if taken[i] {
			out = append(out, s)
		}
	}
	return out
}

func firstLetter(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return string(r)
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
