package outreach

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/calendar"
)

// Action is what the caller does with a request.
type Action string

const (
	// Send: send the invitation now, on Decision.Channel.
	Send Action = "send"
	// Defer: ask again at Decision.At, the first moment it may go.
	Defer Action = "defer"
	// Skip: do not send it at all; Decision.Reason says why.
	Skip Action = "skip"
)

// Reason codes. A code names the verdict and its cause, so a code alone
// tells the outreach log what happened; Params carry what the sentence
// needs (see Explain).
const (
	// CodeSent: sent now. Params: channel, label, survey.
	CodeSent = "sent"

	// CodeSkippedErased: the customer's data was erased on request.
	CodeSkippedErased = "skipped.erased"
	// CodeSkippedAlreadySent: the history holds a contact with the same
	// ref. Params: sent_at, label.
	CodeSkippedAlreadySent = "skipped.already_sent"
	// CodeSkippedExpired: now is past the request's Latest (or its window
	// is empty). Params: latest.
	CodeSkippedExpired = "skipped.expired"
	// CodeSkippedNoChannel: no channel of the request has both consent and
	// an address. Params: channels (comma-separated, in the request's
	// order) and, per channel, what is missing: no_consent, withdrawn,
	// no_address or unsupported.
	CodeSkippedNoChannel = "skipped.no_channel"
	// CodeSkippedNoTime: the policy's quiet hours and business days leave
	// no moment to send (a policy Validate refuses).
	CodeSkippedNoTime = "skipped.no_time"

	// CodeDeferredNotYet: not due before Earliest. Params: until, earliest,
	// label.
	CodeDeferredNotYet = "deferred.not_yet"
	// CodeDeferredCap, CodeSkippedCap: a frequency cap. Params: until
	// (deferred) or latest (skipped); cap, max, period_days; last_at and
	// last_label of the contact whose leaving the period frees a slot.
	CodeDeferredCap = "deferred.cap"
	CodeSkippedCap  = "skipped.cap"
	// CodeDeferredContactPeriod, CodeSkippedContactPeriod: the customer's
	// agreed contact period. Params: until or latest, period_days, last_at,
	// last_label.
	CodeDeferredContactPeriod = "deferred.contact_period"
	CodeSkippedContactPeriod  = "skipped.contact_period"
	// CodeDeferredOutranked, CodeSkippedOutranked: a more important request
	// in the same Plan takes the slot the cap leaves. Params: until or
	// latest; winner_label, winner_ref, winner_at; limit (cap or
	// contact_period) with the cap's cap, max and period_days.
	CodeDeferredOutranked = "deferred.outranked"
	CodeSkippedOutranked  = "skipped.outranked"
	// CodeDeferredQuietHours, CodeSkippedQuietHours: the customer's night.
	// Params: until or latest, from, to.
	CodeDeferredQuietHours = "deferred.quiet_hours"
	CodeSkippedQuietHours  = "skipped.quiet_hours"
	// CodeDeferredDayOff, CodeSkippedDayOff: not a business day. Params:
	// until or latest, date (the first day off, YYYY-MM-DD) and, for a run
	// of days, last_date.
	CodeDeferredDayOff = "deferred.day_off"
	CodeSkippedDayOff  = "skipped.day_off"
	// CodeDeferredHoliday, CodeSkippedHoliday: public holidays. Params:
	// until or latest, date (the first holiday, YYYY-MM-DD) and, for a run
	// of them, last_date (the last one stepped over).
	CodeDeferredHoliday = "deferred.holiday"
	CodeSkippedHoliday  = "skipped.holiday"
)

// ReasonCodes lists every reason code Decide and Plan produce.
func ReasonCodes() []string {
	return []string{CodeSent,
		CodeSkippedErased, CodeSkippedAlreadySent, CodeSkippedExpired, CodeSkippedNoChannel, CodeSkippedNoTime,
		CodeDeferredNotYet,
		CodeDeferredCap, CodeSkippedCap, CodeDeferredContactPeriod, CodeSkippedContactPeriod,
		CodeDeferredOutranked, CodeSkippedOutranked,
		CodeDeferredQuietHours, CodeSkippedQuietHours, CodeDeferredDayOff, CodeSkippedDayOff,
		CodeDeferredHoliday, CodeSkippedHoliday}
}

// What a channel lacks, in the params of CodeSkippedNoChannel.
const (
	ChannelNoConsent   = "no_consent"  // no consent recorded
	ChannelWithdrawn   = "withdrawn"   // consent recorded as not granted
	ChannelNoAddress   = "no_address"  // no e-mail address, no linked Telegram chat
	ChannelUnsupported = "unsupported" // not a channel invitations go out on
)

// Reason says why a decision was made: a code and the values its sentence
// needs. Instants in Params are RFC 3339 in UTC — the renderer shows them
// in the reader's zone and language —, dates YYYY-MM-DD.
type Reason struct {
	Code   string            `json:"code"`
	Params map[string]string `json:"params,omitempty"`
}

// Decision is the verdict on one request. At is now for Send and Skip and
// the first allowed moment for Defer; Channel is the channel it goes (or
// would go) on, empty for Skip.
type Decision struct {
	Ref     string         `json:"ref"`
	Action  Action         `json:"action"`
	At      time.Time      `json:"at"`
	Channel otklik.Channel `json:"channel,omitempty"`
	Reason  Reason         `json:"reason"`
}

// Causes of a deferral, strongest last: when several push a request later,
// the reason names the strongest — the one a manager would act on. A cap
// says more than the night that followed it, a holiday more than the quiet
// hours around it.
const (
	causeNotYet        = "not_yet"
	causeQuietHours    = "quiet_hours"
	causeDayOff        = "day_off"
	causeHoliday       = "holiday"
	causeCap           = "cap"
	causeContactPeriod = "contact_period"
	causeOutranked     = "outranked"
)

var causeRank = map[string]int{causeNotYet: 1, causeQuietHours: 2, causeDayOff: 3, causeHoliday: 4,
	causeCap: 5, causeContactPeriod: 5, causeOutranked: 6}

type cause struct {
	name   string
	params map[string]string
}

func stronger(a, b cause) cause {
	if causeRank[b.name] >= causeRank[a.name] {
		return b
	}
	return a
}

// Decide decides one request for one customer at now. It applies, in
// order:
//
//  1. the customer's data is erased → skip;
//  2. a contact in the history has the request's ref → skip;
//  3. now is after Latest → skip (expired);
//  4. no channel of the request, in order, has consent and an address
//     (e-mail: an address; Telegram: a linked chat) → skip, naming what
//     each lacks;
//  5. before Earliest → not before Earliest;
//  6. the cap: the customer's agreed contact period (one invitation per
//     that many days), else the first of the policy's caps that applies
//     to the customer's tenure at the moment considered; when the history
//     already holds Max contacts in the period, not before the oldest of
//     them leaves it;
//  7. quiet hours, business days and (with Policy.Holidays) Russian
//     public holidays in the customer's zone → the next allowed moment;
//
// repeating 6 and 7 until neither moves the moment. A moment after Latest
// is a skip, naming the strongest cause that moved it (a cap over the night
// that followed); a later moment is a Defer to it; now itself is a Send on
// the first usable channel.
func Decide(p Policy, who Person, req Request, history []Contact, now time.Time) Decision {
	return newPlanner(p, who, now).decide(req, history, nil)
}

// Plan decides several requests for one customer that compete for the same
// slots. They are decided in the order of Policy.Priorities (then by
// Earliest, then as given), and each request that is sent or deferred
// books its moment: the requests after it count it as a contact, so a
// lifetime survey that meets a closed-loop re-survey is deferred or
// skipped with a reason that names the winner (outranked). The decisions
// are returned in the order of reqs.
func Plan(p Policy, who Person, reqs []Request, history []Contact, now time.Time) []Decision {
	pl := newPlanner(p, who, now)
	order := make([]int, len(reqs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(p.rank(reqs[a].Source), p.rank(reqs[b].Source)); c != 0 {
			return c
		}
		return reqs[a].Earliest.Compare(reqs[b].Earliest)
	})
	out := make([]Decision, len(reqs))
	var booked []Contact
	for _, i := range order {
		d := pl.decide(reqs[i], history, booked)
		out[i] = d
		if d.Action != Skip {
			r := reqs[i]
			booked = append(booked, Contact{At: d.At, Source: r.Source, Survey: r.Survey, Label: r.Label, Ref: r.Ref})
		}
	}
	return out
}

// Reminder says whether a reminder of an invitation sent at sentAt, already
// reminded reminded times, is due at now, and when it is (or was) due:
// ReminderAfter after the invitation (after the previous reminder for a
// second one), moved out of quiet hours, days off and holidays in the
// policy's zone. No reminder is due once the policy's Reminders are used
// up; at is then zero. Whether the invitation is still valid, and still
// unanswered, is the caller's to check.
func Reminder(p Policy, sentAt time.Time, reminded int, now time.Time) (due bool, at time.Time) {
	reminded = max(reminded, 0)
	if reminded >= p.Reminders || p.ReminderAfter <= 0 {
		return false, time.Time{}
	}
	at = sentAt.Add(time.Duration(reminded+1) * p.ReminderAfter.Std())
	if t, _, ok := newPlanner(p, Person{}, now).calendar(at, time.Time{}); ok {
		at = t
	}
	return !now.Before(at), at
}

// planner holds what every decision for one customer at one moment shares.
type planner struct {
	p            Policy
	who          Person
	now          time.Time
	loc          *time.Location
	quiet, night calendar.Quiet // with and without the business days
}

// limit is the frequency limit that applies to the customer: at most max
// invitations in any period of days.
type limit struct {
	kind string // causeCap, causeContactPeriod, or "" for none
	name string // the cap's name
	max  int
	days int
}

func newPlanner(p Policy, who Person, now time.Time) *planner {
	loc := who.Location
	if loc == nil {
		var err error
		if loc, err = p.Zone(); err != nil {
			loc = calendar.Moscow() // Validate refuses such a policy; Moscow is the product's home zone
		}
	}
	pl := &planner{p: p, who: who, now: now, loc: loc}
	pl.night = calendar.Quiet{From: p.Quiet.From, To: p.Quiet.To, Location: loc}
	pl.quiet = pl.night
	pl.quiet.Days = p.BusinessDays
	return pl
}

// limitFor picks the customer's limit for an invitation at t (in the
// customer's zone): the agreed contact period, else the first cap that
// applies given the tenure at t. The tenure is taken at the moment the
// invitation would go, not at now: a customer deferred past their sixth
// month is an established customer by then.
func (p Policy) limitFor(who Person, t time.Time) limit {
	if who.ContactPeriodDays != nil && *who.ContactPeriodDays > 0 {
		return limit{kind: causeContactPeriod, max: 1, days: *who.ContactPeriodDays}
	}
	tenure, known := 0, who.StartedAt != nil
	if known {
		tenure = who.StartedAt.MonthsSince(t)
	}
	for _, c := range p.Caps {
		if c.Max > 0 && c.PeriodDays > 0 && c.applies(who.Segment, tenure, known) {
			return limit{kind: causeCap, name: c.Name, max: c.Max, days: c.PeriodDays}
		}
	}
	return limit{}
}

func (pl *planner) decide(req Request, history, booked []Contact) Decision {
	now := pl.now
	skip := func(code string, params map[string]string) Decision {
		return Decision{Ref: req.Ref, Action: Skip, At: now, Reason: Reason{Code: code, Params: params}}
	}
	if pl.who.Erased {
		return skip(CodeSkippedErased, nil)
	}
	if req.Ref != "" {
		for _, h := range history {
			if h.Ref == req.Ref {
				return skip(CodeSkippedAlreadySent, map[string]string{"sent_at": instant(h.At), "label": h.Label})
			}
		}
	}
	if now.After(req.Latest) || req.Earliest.After(req.Latest) {
		return skip(CodeSkippedExpired, map[string]string{"latest": instant(req.Latest)})
	}
	ch, lacks := pl.channel(req.Channels)
	if ch == "" {
		return skip(CodeSkippedNoChannel, lacks)
	}

	t, why := now, cause{}
	if req.Earliest.After(now) {
		t = req.Earliest
		why = cause{causeNotYet, map[string]string{"earliest": instant(req.Earliest), "label": req.Label}}
	}
	from := t
	var ctr *counter
	settled := false
	for range 64 {
		moved := false
		if l := pl.p.limitFor(pl.who, t.In(pl.loc)); ctr == nil || ctr.limit != l {
			ctr = pl.counter(l, history, booked, from)
		}
		if next, c := ctr.fatigue(t); next.After(t) {
			t, why, moved = next, stronger(why, c), true
		}
		if !t.After(req.Latest) {
			next, c, ok := pl.calendar(t, req.Latest)
			if !ok {
				return skip(CodeSkippedNoTime, nil)
			}
			if next.After(t) {
				t, why, moved = next, stronger(why, c), true
			}
		}
		if t.After(req.Latest) {
			params := withParam(why.params, "latest", instant(req.Latest))
			return skip("skipped."+why.name, params)
		}
		if !moved {
			settled = true
			break
		}
	}
	if !settled {
		return skip(CodeSkippedNoTime, nil)
	}
	if t.Equal(now) {
		return Decision{Ref: req.Ref, Action: Send, At: now, Channel: ch, Reason: Reason{Code: CodeSent,
			Params: map[string]string{"channel": string(ch), "label": req.Label, "survey": req.Survey}}}
	}
	return Decision{Ref: req.Ref, Action: Defer, At: t, Channel: ch,
		Reason: Reason{Code: "deferred." + why.name, Params: withParam(why.params, "until", instant(t))}}
}

// channel returns the first channel of chs the customer can be reached on,
// or "" and, per channel, what it lacks.
func (pl *planner) channel(chs []otklik.Channel) (otklik.Channel, map[string]string) {
	lacks := map[string]string{}
	names := make([]string, 0, len(chs))
	for _, ch := range chs {
		problem := pl.lacks(ch)
		if problem == "" {
			return ch, nil
		}
		lacks[string(ch)] = problem
		names = append(names, string(ch))
	}
	lacks["channels"] = strings.Join(names, ",")
	return "", lacks
}

// lacks says what stops an invitation on ch: "" when nothing does.
// Withdrawn consent is reported before a missing address: it is the
// customer's own decision and the one a manager must respect.
func (pl *planner) lacks(ch otklik.Channel) string {
	if !slices.Contains(sendChannels, ch) {
		return ChannelUnsupported
	}
	consent, ok := pl.who.Consent[ch]
	switch {
	case ok && !consent.Granted:
		return ChannelWithdrawn
	case !ok:
		return ChannelNoConsent
	case ch == otklik.ChannelEmail && pl.who.Email == "",
		ch == otklik.ChannelTelegram && pl.who.TelegramChat == "":
		return ChannelNoAddress
	}
	return ""
}

// booking is a contact a limit counts: from the history, or booked by a
// more important request of the same Plan (won).
type booking struct {
	Contact
	leaves time.Time // when it stops counting: the limit's days later, in the customer's zone
	won    bool
}

// counter counts contacts against one limit.
type counter struct {
	limit limit
	loc   *time.Location
	books []booking
}

// counter lists the contacts that count against l at some moment from from
// on.
func (pl *planner) counter(l limit, history, booked []Contact, from time.Time) *counter {
	ctr := &counter{limit: l, loc: pl.loc}
	if l.kind == "" {
		return ctr
	}
	add := func(c Contact, won bool) {
		if end := ctr.leaves(c.At); end.After(from) {
			ctr.books = append(ctr.books, booking{Contact: c, leaves: end, won: won})
		}
	}
	for _, c := range history {
		add(c, false)
	}
	for _, c := range booked {
		add(c, true)
	}
	return ctr
}

func (ctr *counter) leaves(at time.Time) time.Time {
	return at.In(ctr.loc).AddDate(0, 0, ctr.limit.days)
}

// fatigue returns the first moment from t on at which one more invitation
// keeps every period within the limit, and the cause when that is after
// t. A contact counts in the period ending at x from its moment until it
// leaves; a booked contact later than t counts too, since a request sent
// now must not push a more important one over the limit.
func (ctr *counter) fatigue(t time.Time) (time.Time, cause) {
	if ctr.limit.kind == "" || len(ctr.books) == 0 {
		return t, cause{}
	}
	var freed *booking
	// Each step waits for one more contact to leave; the moments it can
	// become possible again are exactly those, so the first that fits is
	// the answer.
	for range len(ctr.books) + 1 {
		if ctr.fits(t) {
			break
		}
		var next time.Time
		for i := range ctr.books {
			if end := ctr.books[i].leaves; end.After(t) && (next.IsZero() || end.Before(next)) {
				next, freed = end, &ctr.books[i]
			}
		}
		if next.IsZero() {
			break
		}
		t = next
	}
	if freed == nil {
		return t, cause{}
	}
	return t, ctr.cause(freed.Contact, freed.won)
}

// fits reports whether an invitation at t keeps within the limit every
// period that would contain it: the one ending at t and those ending at
// each later contact it would share a period with.
func (ctr *counter) fits(t time.Time) bool {
	count := func(x time.Time) int {
		n := 1 // the invitation at t itself
		for _, b := range ctr.books {
			if !b.At.After(x) && x.Before(b.leaves) {
				n++
			}
		}
		return n
	}
	most := ctr.limit.max
	if count(t) > most {
		return false
	}
	until := ctr.leaves(t)
	for _, b := range ctr.books {
		if b.At.After(t) && b.At.Before(until) && count(b.At) > most {
			return false
		}
	}
	return true
}

// cause names the limit and the contact c whose leaving made room — a
// more important request of the same plan when won.
func (ctr *counter) cause(c Contact, won bool) cause {
	l := ctr.limit
	params := map[string]string{"period_days": strconv.Itoa(l.days)}
	if l.kind == causeCap {
		params["cap"] = l.name
		params["max"] = strconv.Itoa(l.max)
	}
	if won {
		params["limit"] = l.kind
		params["winner_label"] = c.Label
		params["winner_ref"] = c.Ref
		params["winner_at"] = instant(c.At)
		return cause{causeOutranked, params}
	}
	params["last_at"] = instant(c.At)
	params["last_label"] = c.Label
	return cause{l.kind, params}
}

// calendar returns the first moment from t on outside quiet hours, on a
// business day and (with Policy.Holidays) not a Russian public holiday, in
// the customer's zone, with the strongest cause it met when that is later
// than t. It stops early once past stop (when stop is not zero), and
// reports false when the policy allows no moment at all.
func (pl *planner) calendar(t, stop time.Time) (time.Time, cause, bool) {
	start := t
	var met met
	// A day takes at most three steps (the day, the night, the holiday),
	// so this covers any run of days off a valid policy allows.
	for range 3 * 400 {
		if !stop.IsZero() && t.After(stop) {
			break
		}
		ok, why := pl.quiet.Allowed(t)
		if ok {
			if !pl.p.Holidays || !pl.isHoliday(t) {
				return t, pl.calendarCause(start, t, met), true
			}
			met.holidays.add(t.In(pl.loc).Format(time.DateOnly))
			t = pl.nextMidnight(t)
			continue
		}
		switch why {
		case calendar.ReasonDayNotAllowed:
			met.daysOff.add(t.In(pl.loc).Format(time.DateOnly))
			t = pl.nextMidnight(t)
		case calendar.ReasonQuietHours:
			met.quiet = true
			next, ok := pl.night.NextAllowedOK(t)
			if !ok {
				return t, cause{}, false
			}
			t = next
		default:
			return t, cause{}, false
		}
	}
	if !stop.IsZero() && t.After(stop) {
		return t, pl.calendarCause(start, t, met), true
	}
	return t, cause{}, false
}

// met is what the calendar walk stepped over.
type met struct {
	quiet             bool
	holidays, daysOff dayRun
}

// dayRun is the first and last of the days stepped over, YYYY-MM-DD.
type dayRun struct{ first, last string }

func (r *dayRun) add(day string) {
	if r.first == "" {
		r.first = day
	}
	r.last = day
}

// params are the run's dates: date, and last_date when it spans days.
func (r dayRun) params() map[string]string {
	if r.last == r.first {
		return map[string]string{"date": r.first}
	}
	return map[string]string{"date": r.first, "last_date": r.last}
}

func (pl *planner) calendarCause(start, t time.Time, m met) cause {
	switch {
	case t.Equal(start):
		return cause{}
	case m.holidays.first != "":
		return cause{causeHoliday, m.holidays.params()}
	case m.daysOff.first != "":
		return cause{causeDayOff, m.daysOff.params()}
	case m.quiet:
		return cause{causeQuietHours, map[string]string{"from": pl.p.Quiet.From, "to": pl.p.Quiet.To}}
	}
	return cause{}
}

func (pl *planner) nextMidnight(t time.Time) time.Time {
	y, m, d := t.In(pl.loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, pl.loc)
}

// isHoliday reports whether t's day in the customer's zone is a Russian
// public holiday (see russianHolidays).
func (pl *planner) isHoliday(t time.Time) bool {
	y, m, d := t.In(pl.loc).Date()
	if y < holidayYears[0] || y > holidayYears[1] {
		_, found := slices.BinarySearch(calendar.RussianFixedHolidays(y), t.In(pl.loc).Format(time.DateOnly))
		return found
	}
	return russianHolidays[civilDay{y, m, d}]
}

// civilDay is a calendar date as a map key.
type civilDay struct {
	y int
	m time.Month
	d int
}

// holidayYears is the span russianHolidays covers.
var holidayYears = [2]int{2000, 2100}

// russianHolidays holds the Russian public holidays internal/calendar knows
// — the official calendar where it knows the year, else the fixed holidays
// of the Labour Code — for holidayYears. It is built once and only read:
// building a year's list formats and sorts a few dozen strings, which
// would otherwise be the largest cost of a Decide.
var russianHolidays = func() map[civilDay]bool {
	out := map[civilDay]bool{}
	for y := holidayYears[0]; y <= holidayYears[1]; y++ {
		days := calendar.RussianHolidays(y)
		if days == nil {
			days = calendar.RussianFixedHolidays(y)
		}
		for _, s := range days {
			if t, err := time.Parse(time.DateOnly, s); err == nil {
				out[civilDay{t.Year(), t.Month(), t.Day()}] = true
			}
		}
	}
	return out
}()

// instant writes t as a Reason param: RFC 3339 in UTC.
func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// withParam returns a copy of params with k set to v.
func withParam(params map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(params)+1)
	maps.Copy(out, params)
	out[k] = v
	return out
}
