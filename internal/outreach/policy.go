package outreach

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"otklik"
	"otklik/internal/calendar"
)

// Cap is a contact-frequency limit against survey fatigue: a customer it
// applies to gets at most Max invitations in any PeriodDays days, across all
// surveys. It applies to customers whose tenure is below TenureBelowMonths
// (0: any tenure; a customer without a start date has no known tenure and
// only matches a cap of any tenure) and whose segment is one of Segments
// (empty: any). Policy.Caps are tried in order; the first that applies
// wins.
//
// Name is shown to managers («лимит для новых клиентов»): the default caps'
// names, new_customers and established_customers, have sentences in the
// catalogue; any other name is quoted as it is.
type Cap struct {
	Name              string   `json:"name"`
	TenureBelowMonths int      `json:"tenure_below_months"`
	Segments          []string `json:"segments"`
	Max               int      `json:"max"`
	PeriodDays        int      `json:"period_days"`
}

// Names of the default caps.
const (
	CapNewCustomers         = "new_customers"
	CapEstablishedCustomers = "established_customers"
)

// applies reports whether the cap covers a customer of segment with tenure
// months (known: has a start date).
func (c Cap) applies(segment string, tenure int, known bool) bool {
	if c.TenureBelowMonths > 0 && (!known || tenure >= c.TenureBelowMonths) {
		return false
	}
	return len(c.Segments) == 0 || slices.ContainsFunc(c.Segments, func(s string) bool { return strings.EqualFold(s, segment) })
}

// Policy is the business's rules for every invitation: caps, quiet hours,
// business days and holidays in the customer's zone, which source wins
// when requests compete, and reminders.
//
// Quiet holds only From and To (the nightly window, default 21:00–09:00);
// its Days and Location are ignored — BusinessDays (ISO weekdays, empty:
// every day) and the customer's zone, or TimeZone, take their place. With
// Holidays set, the Russian public holidays of internal/calendar are days
// off too. Priorities lists request sources, most important first; a source
// it does not name ranks after every one it does. Reminders (0 or 1) is how
// many reminders follow an unanswered invitation, ReminderAfter apart.
//
// In JSON: {"caps": [...], "time_zone": "Europe/Moscow", "quiet": {"from":
// "21:00", "to": "09:00"}, "business_days": [1, 2, 3, 4, 5], "holidays":
// true, "priorities": ["loop", "event", "lifetime", "marketing"],
// "reminder_after": "P3D", "reminders": 1}.
type Policy struct {
	Caps          []Cap
	TimeZone      string
	Quiet         calendar.Quiet
	BusinessDays  []int
	Holidays      bool
	Priorities    []string
	ReminderAfter Duration
	Reminders     int
}

// Policy limits.
const (
	MaxCaps       = 20
	MaxCapMax     = 1000
	MaxPeriodDays = 3650
)

// DefaultPolicy returns the policy a business starts with: in the first
// 6 months at most one invitation per 30 days, afterwards at most two per
// 365 days (PRODUCT.md: "a new customer at most once a month, an
// established customer at most twice a year"); Europe/Moscow; quiet
// 21:00–09:00; Monday to Friday; Russian public holidays off; the closed
// loop first, then events, lifetime schedules and marketing; one reminder
// three days later.
func DefaultPolicy() Policy {
	return Policy{
		Caps: []Cap{
			{Name: CapNewCustomers, TenureBelowMonths: 6, Max: 1, PeriodDays: 30},
			{Name: CapEstablishedCustomers, Max: 2, PeriodDays: 365},
		},
		TimeZone:      "Europe/Moscow",
		Quiet:         calendar.Quiet{From: "21:00", To: "09:00"},
		BusinessDays:  []int{1, 2, 3, 4, 5},
		Holidays:      true,
		Priorities:    Sources(),
		ReminderAfter: Days(3),
		Reminders:     1,
	}
}

// Zone loads TimeZone.
func (p Policy) Zone() (*time.Location, error) {
	if p.TimeZone == "" || p.TimeZone == "Local" {
		return nil, fmt.Errorf("outreach: time zone %q: not an IANA zone name", p.TimeZone)
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("outreach: time zone: %w", err)
	}
	return loc, nil
}

// Validate reports every problem with p, naming the JSON fields.
func (p Policy) Validate() error {
	var pr otklik.Problems
	if len(p.Caps) > MaxCaps {
		pr.Add("caps", "has more than %d caps", MaxCaps)
	}
	for i, c := range p.Caps {
		f := fieldIndex("caps", i)
		switch {
		case strings.TrimSpace(c.Name) == "":
			pr.Add(f+".name", "is required")
		case len(c.Name) > MaxNameLength:
			pr.Add(f+".name", "is longer than %d characters", MaxNameLength)
		}
		if c.TenureBelowMonths < 0 || c.TenureBelowMonths > MaxMonth {
			pr.Add(f+".tenure_below_months", "must be from 0 (any tenure) to %d", MaxMonth)
		}
		validateFilter(&pr, f+".segments", c.Segments)
		if c.Max < 1 || c.Max > MaxCapMax {
			pr.Add(f+".max", "must be from 1 to %d", MaxCapMax)
		}
		if c.PeriodDays < 1 || c.PeriodDays > MaxPeriodDays {
			pr.Add(f+".period_days", "must be from 1 to %d", MaxPeriodDays)
		}
	}
	if _, err := p.Zone(); err != nil {
		pr.Add("time_zone", "%q is not an IANA time zone name such as Europe/Moscow", truncate(p.TimeZone, 40))
	}
	quietOK := true
	q := calendar.Quiet{From: p.Quiet.From, To: p.Quiet.To, Location: time.UTC}
	var ve *calendar.ValidationError
	if errors.As(q.Validate(), &ve) {
		quietOK = false
		for _, fe := range ve.Problems {
			pr.Add("quiet."+fe.Field, "%s", fe.Message)
		}
	}
	daysOK := true
	for i, d := range p.BusinessDays {
		switch {
		case d < 1 || d > 7:
			pr.Add(fieldIndex("business_days", i), "%d is not an ISO weekday: use 1 (Monday) … 7 (Sunday)", d)
			daysOK = false
		case slices.Index(p.BusinessDays, d) < i:
			pr.Add(fieldIndex("business_days", i), "weekday %d is listed twice", d)
		}
	}
	if quietOK && daysOK {
		q.Days = p.BusinessDays
		if _, ok := q.NextAllowedOK(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); !ok {
			pr.Add("quiet", "%s–%s leaves no time of day to send an invitation", p.Quiet.From, p.Quiet.To)
		}
	}
	for i, s := range p.Priorities {
		switch {
		case !slices.Contains(Sources(), s):
			pr.Add(fieldIndex("priorities", i), "%q is not a source (%s)", truncate(s, 40), strings.Join(Sources(), ", "))
		case slices.Index(p.Priorities, s) < i:
			pr.Add(fieldIndex("priorities", i), "repeats %q", s)
		}
	}
	if p.Reminders < 0 || p.Reminders > 1 {
		pr.Add("reminders", "must be 0 (no reminder) or 1")
	}
	switch {
	case p.ReminderAfter < 0:
		pr.Add("reminder_after", "must not be negative")
	case p.ReminderAfter > MaxDelay:
		pr.Add("reminder_after", "is longer than %s", MaxDelay)
	case p.Reminders > 0 && p.ReminderAfter == 0:
		pr.Add("reminder_after", "is required when reminders is 1 (e.g. P3D)")
	}
	return pr.Err("the outreach policy is not valid")
}

// rank is the position of source in the priorities: lower goes first.
func (p Policy) rank(source string) int {
	if i := slices.Index(p.Priorities, source); i >= 0 {
		return i
	}
	return len(p.Priorities)
}

type quietJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type policyJSON struct {
	Caps          *[]Cap     `json:"caps,omitempty"`
	TimeZone      *string    `json:"time_zone,omitempty"`
	Quiet         *quietJSON `json:"quiet,omitempty"`
	BusinessDays  *[]int     `json:"business_days,omitempty"`
	Holidays      *bool      `json:"holidays,omitempty"`
	Priorities    *[]string  `json:"priorities,omitempty"`
	ReminderAfter *string    `json:"reminder_after,omitempty"`
	Reminders     *int       `json:"reminders,omitempty"`
}

// MarshalJSON writes every field of p in snake_case, lists as [] when
// empty.
func (p Policy) MarshalJSON() ([]byte, error) {
	caps := orEmpty(slices.Clone(p.Caps)) // a copy: p's caps are the caller's
	for i := range caps {
		caps[i].Segments = orEmpty(caps[i].Segments)
	}
	days, prio, after := orEmpty(p.BusinessDays), orEmpty(p.Priorities), p.ReminderAfter.String()
	return json.Marshal(policyJSON{Caps: &caps, TimeZone: &p.TimeZone,
		Quiet: &quietJSON{From: p.Quiet.From, To: p.Quiet.To}, BusinessDays: &days, Holidays: &p.Holidays,
		Priorities: &prio, ReminderAfter: &after, Reminders: &p.Reminders})
}

// UnmarshalJSON reads the form MarshalJSON writes. A field the JSON does
// not mention keeps its value, so decoding onto DefaultPolicy() fills the
// defaults. A reminder_after that does not parse is an EINVALID error
// naming it; the rest is left to Validate.
func (p *Policy) UnmarshalJSON(b []byte) error {
	var w policyJSON
	if err := strictUnmarshal(b, &w); err != nil {
		return err
	}
	out := *p
	if w.Caps != nil {
		out.Caps = emptyNil(*w.Caps)
		for i := range out.Caps {
			out.Caps[i].Segments = emptyNil(out.Caps[i].Segments)
		}
	}
	if w.TimeZone != nil {
		out.TimeZone = *w.TimeZone
	}
	if w.Quiet != nil {
		out.Quiet = calendar.Quiet{From: w.Quiet.From, To: w.Quiet.To}
	}
	if w.BusinessDays != nil {
		out.BusinessDays = emptyNil(*w.BusinessDays)
	}
	if w.Holidays != nil {
		out.Holidays = *w.Holidays
	}
	if w.Priorities != nil {
		out.Priorities = emptyNil(*w.Priorities)
	}
	if w.Reminders != nil {
		out.Reminders = *w.Reminders
	}
	var pr otklik.Problems
	if w.ReminderAfter != nil {
		out.ReminderAfter = durationField(&pr, "reminder_after", w.ReminderAfter, 0)
	}
	if err := pr.Err("the outreach policy is not valid"); err != nil {
		return err
	}
	*p = out
	return nil
}
