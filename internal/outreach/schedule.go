package outreach

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"otklik"
)

// Schedule asks customers at months of their lifetime, counted from their
// start date: by default months 3, 6, 9 and 12. Service limits it to the
// customers of one service line (empty: every customer), since the critical
// moments differ by service. The month-m invitation is due at the
// milestone (start date + m months, at SendHour in the policy's zone) and
// stays valid for Validity.
//
// In JSON: {"id": 1, "name": "…", "service": "", "months": [3, 6, 9, 12],
// "survey": "nps", "channels": ["email", "telegram"], "validity": "P30D",
// "send_hour": 10, "enabled": true}; absent months, validity, send_hour
// and enabled take those defaults.
type Schedule struct {
	ID       int64
	Name     string
	Service  string
	Months   []int
	Survey   string
	Channels []otklik.Channel
	Validity Duration
	// SendHour is the local hour a milestone falls due. It belongs to the
	// schedule rather than the policy so that Milestone needs nothing
	// else; the default, 10:00, is an hour after the default quiet hours
	// end, when the morning's mail has been read.
	SendHour int
	Enabled  bool
}

// Schedule defaults.
const (
	DefaultSendHour = 10
	// MaxMonth is the last lifetime month a schedule may name (ten years).
	MaxMonth = 120
)

var (
	defaultMonths           = []int{3, 6, 9, 12}
	defaultScheduleValidity = Days(30)
)

// DefaultSchedule returns the lifetime schedule a business starts with:
// NPS at months 3, 6, 9 and 12 for every customer, valid 30 days, due at
// 10:00.
func DefaultSchedule() Schedule {
	return Schedule{
		Name:     "NPS по сроку сотрудничества",
		Months:   slices.Clone(defaultMonths),
		Survey:   "nps",
		Channels: []otklik.Channel{otklik.ChannelEmail, otklik.ChannelTelegram},
		Validity: defaultScheduleValidity,
		SendHour: DefaultSendHour,
		Enabled:  true,
	}
}

// Validate reports every problem with s, naming the JSON fields.
func (s Schedule) Validate() error {
	var p otklik.Problems
	validateName(&p, s.Name)
	if len(s.Service) > MaxNameLength {
		p.Add("service", "is longer than %d characters", MaxNameLength)
	}
	if len(s.Months) == 0 {
		p.Add("months", "needs at least one month (e.g. 3, 6, 9, 12)")
	}
	for i, m := range s.Months {
		switch {
		case m < 1 || m > MaxMonth:
			p.Add(fieldIndex("months", i), "%d is not a month from 1 to %d", m, MaxMonth)
		case i > 0 && m <= s.Months[i-1]:
			p.Add(fieldIndex("months", i), "must be later than %d: list months in ascending order, once each", s.Months[i-1])
		}
	}
	validateSurvey(&p, s.Survey)
	validateChannels(&p, s.Channels)
	switch {
	case s.Validity <= 0:
		p.Add("validity", "must be longer than zero")
	case s.Validity > MaxDelay:
		p.Add("validity", "is longer than %s", MaxDelay)
	}
	if s.SendHour < 0 || s.SendHour > 23 {
		p.Add("send_hour", "%d is not an hour from 0 to 23", s.SendHour)
	}
	return p.Err("the schedule is not valid")
}

// Matches reports whether s, enabled, applies to customer c: c has a start
// date and, when s names a service, that service.
func (s Schedule) Matches(c Person) bool {
	return s.Enabled && c.StartedAt != nil && (s.Service == "" || c.hasService(s.Service))
}

// Milestone is the moment the month-m invitation of a customer who started
// on started falls due: the same day of the month m months later, at
// SendHour in loc. A day the target month lacks is clamped to its last
// day: 31 January + 1 month is 28 February (29 in a leap year), and
// 31 August + 6 months is 28 February, not 3 March. A nil loc is UTC.
func (s Schedule) Milestone(started otklik.Date, month int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := addMonths(started.Year(), started.Month(), started.Day(), month)
	return time.Date(y, m, d, s.SendHour, 0, 0, 0, loc)
}

// addMonths adds n months to a calendar date, clamping the day.
func addMonths(y int, m time.Month, d, n int) (int, time.Month, int) {
	months := int(m) - 1 + n
	y += floorDiv(months, 12)
	m = time.Month(months - floorDiv(months, 12)*12 + 1)
	return y, m, min(d, daysIn(y, m))
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// StartWindow returns the range of start dates, both ends inclusive, whose
// month-m milestone falls within [now − Validity, now]: the customers whose
// month-m invitation is due and not yet stale. The caller selects them with
// an index range on started_at. Because of month-end clamping several start
// dates can share a milestone (28–31 January all reach 28 February), and
// some days are nobody's milestone; the range accounts for both. When no
// start date qualifies, from is after to.
func (s Schedule) StartWindow(month int, now time.Time, loc *time.Location) (from, to otklik.Date) {
	if loc == nil {
		loc = time.UTC
	}
	due := func(d time.Time) time.Time { return s.Milestone(otklik.Date{Time: d}, month, loc) }
	// Milestone is non-decreasing in the start date, so both ends are found
	// by a guess — the day m months back — and a short walk: clamping moves
	// a milestone by at most three days, a change of offset by a day.
	last := guessStart(now, month, loc)
	for !due(last).After(now) {
		last = last.AddDate(0, 0, 1)
	}
	for due(last).After(now) {
		last = last.AddDate(0, 0, -1)
	}
	oldest := now.Add(-s.Validity.Std())
	first := guessStart(oldest, month, loc)
	for due(first).Before(oldest) {
		first = first.AddDate(0, 0, 1)
	}
	for !due(first.AddDate(0, 0, -1)).Before(oldest) {
		first = first.AddDate(0, 0, -1)
	}
	return otklik.Date{Time: first}, otklik.Date{Time: last}
}

// guessStart is the start date, at UTC midnight as otklik.Date holds it,
// m months before the local day of t.
func guessStart(t time.Time, m int, loc *time.Location) time.Time {
	lt := t.In(loc)
	y, mo, d := addMonths(lt.Year(), lt.Month(), lt.Day(), -m)
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

// Request is the invitation s makes for a customer's month-m milestone: due
// at the milestone, valid for Validity after it.
func (s Schedule) Request(month int, milestone time.Time) Request {
	return Request{
		Source:   SourceLifetime,
		Ref:      "lifetime:" + strconv.FormatInt(s.ID, 10) + ":" + strconv.Itoa(month),
		Survey:   s.Survey,
		Label:    s.Name,
		Channels: slices.Clone(s.Channels),
		Earliest: milestone,
		Latest:   milestone.Add(s.Validity.Std()),
	}
}

type scheduleJSON struct {
	ID       int64            `json:"id"`
	Name     string           `json:"name"`
	Service  string           `json:"service"`
	Months   []int            `json:"months"`
	Survey   string           `json:"survey"`
	Channels []otklik.Channel `json:"channels"`
	Validity *string          `json:"validity"`
	SendHour *int             `json:"send_hour"`
	Enabled  *bool            `json:"enabled"`
}

// MarshalJSON writes s with snake_case fields and an ISO 8601 validity.
func (s Schedule) MarshalJSON() ([]byte, error) {
	v := s.Validity.String()
	return json.Marshal(scheduleJSON{ID: s.ID, Name: s.Name, Service: s.Service, Months: orEmpty(s.Months),
		Survey: s.Survey, Channels: orEmpty(s.Channels), Validity: &v, SendHour: &s.SendHour, Enabled: &s.Enabled})
}

// UnmarshalJSON reads the form MarshalJSON writes; absent months, validity,
// send_hour and enabled take DefaultSchedule's values. A validity that does
// not parse is an EINVALID error naming it; the rest is left to Validate.
func (s *Schedule) UnmarshalJSON(b []byte) error {
	var w scheduleJSON
	if err := strictUnmarshal(b, &w); err != nil {
		return err
	}
	var p otklik.Problems
	out := Schedule{ID: w.ID, Name: w.Name, Service: w.Service, Months: w.Months,
		Survey: w.Survey, Channels: emptyNil(w.Channels), SendHour: DefaultSendHour, Enabled: true,
		Validity: durationField(&p, "validity", w.Validity, defaultScheduleValidity)}
	if w.Months == nil {
		out.Months = slices.Clone(defaultMonths)
	}
	if w.SendHour != nil {
		out.SendHour = *w.SendHour
	}
	if w.Enabled != nil {
		out.Enabled = *w.Enabled
	}
	if err := p.Err("the schedule is not valid"); err != nil {
		return err
	}
	*s = out
	return nil
}
