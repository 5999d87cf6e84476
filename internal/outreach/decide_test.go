package outreach

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
)

const (
	delivery = "NPS после доставки"
	dealWon  = "NPS после сделки"
)

// Calendar facts the cases rely on (Moscow): 17 Nov 2026 is a Tuesday,
// 20 Nov a Friday, 23 Nov a Monday; 4 Nov 2026 is a Wednesday and a public
// holiday; 31 Dec 2026 is a Thursday made a day off by decree, 1–8 January
// 2027 are the New Year holidays, 9–10 January a weekend, 11 January a
// Monday; 10 March 2026 is a Tuesday, 1 April a Wednesday, 15 April a
// Wednesday, 1 June a Monday, 22 November a Sunday.
func TestCalendarFacts(t *testing.T) {
	for _, c := range []struct {
		t  time.Time
		wd time.Weekday
	}{
		{at(2026, 11, 17, 0, 0), time.Tuesday}, {at(2026, 11, 20, 0, 0), time.Friday}, {at(2026, 11, 23, 0, 0), time.Monday},
		{at(2026, 11, 4, 0, 0), time.Wednesday}, {at(2026, 12, 31, 0, 0), time.Thursday}, {at(2027, 1, 11, 0, 0), time.Monday},
		{at(2026, 3, 10, 0, 0), time.Tuesday}, {at(2026, 4, 1, 0, 0), time.Wednesday}, {at(2026, 4, 15, 0, 0), time.Wednesday},
		{at(2026, 6, 1, 0, 0), time.Monday}, {at(2026, 11, 22, 0, 0), time.Sunday}, {at(2026, 12, 23, 0, 0), time.Wednesday},
		{at(2026, 4, 10, 0, 0), time.Friday},
	} {
		if c.t.Weekday() != c.wd {
			t.Errorf("%s is a %s, not a %s", c.t.Format(time.DateOnly), c.t.Weekday(), c.wd)
		}
	}
}

func TestDecide(t *testing.T) {
	newCustomer := date(2026, 1, 10)    // tenure 2 months on 10 March 2026: the new-customer cap
	autumnCustomer := date(2026, 10, 1) // new in November 2026
	withTelegram := func(p *Person) {
		p.Consent[otklik.ChannelTelegram] = otklik.Consent{Granted: true}
		p.TelegramChat = "123456789"
	}
	tests := []struct {
		name    string
		started *otklik.Date
		who     func(*Person)
		policy  func(*Policy)
		req     Request
		history []Contact
		now     time.Time
		want    Decision
	}{
		{
			name: "due in working hours: send now",
			req:  request("event:1:1", delivery, at(2026, 11, 17, 11, 0), at(2026, 11, 23, 11, 0)),
			now:  at(2026, 11, 17, 12, 0),
			want: Decision{Action: Send, At: at(2026, 11, 17, 12, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeSent, map[string]string{"channel": "email", "label": delivery, "survey": "nps"}}},
		},
		{
			name: "friday evening waits for monday 09:00",
			req:  request("event:1:1", delivery, at(2026, 11, 20, 21, 30), at(2026, 11, 26, 21, 30)),
			now:  at(2026, 11, 20, 22, 0),
			want: Decision{Action: Defer, At: at(2026, 11, 23, 9, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeDeferredDayOff, map[string]string{"date": "2026-11-21", "last_date": "2026-11-22", "until": utc(at(2026, 11, 23, 9, 0))}}},
		},
		{
			name: "monday night waits for the morning",
			req:  request("event:1:1", delivery, at(2026, 11, 23, 21, 30), at(2026, 11, 29, 21, 30)),
			now:  at(2026, 11, 23, 22, 0),
			want: Decision{Action: Defer, At: at(2026, 11, 24, 9, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeDeferredQuietHours, map[string]string{"from": "21:00", "to": "09:00", "until": utc(at(2026, 11, 24, 9, 0))}}},
		},
		{
			name: "small hours wait until 09:00 the same day",
			req:  request("event:1:1", delivery, at(2026, 11, 24, 2, 0), at(2026, 11, 29, 21, 30)),
			now:  at(2026, 11, 24, 3, 0),
			want: Decision{Action: Defer, At: at(2026, 11, 24, 9, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeDeferredQuietHours, map[string]string{"from": "21:00", "to": "09:00", "until": utc(at(2026, 11, 24, 9, 0))}}},
		},
		{
			name: "4 November is a holiday",
			req:  request("event:1:1", delivery, at(2026, 11, 4, 9, 30), at(2026, 11, 10, 9, 30)),
			now:  at(2026, 11, 4, 10, 0),
			want: Decision{Action: Defer, At: at(2026, 11, 5, 9, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeDeferredHoliday, map[string]string{"date": "2026-11-04", "until": utc(at(2026, 11, 5, 9, 0))}}},
		},
		{
			name:   "without holidays 4 November is a Wednesday like any other",
			policy: func(p *Policy) { p.Holidays = false },
			req:    request("event:1:1", delivery, at(2026, 11, 4, 9, 30), at(2026, 11, 10, 9, 30)),
			now:    at(2026, 11, 4, 10, 0),
			want: Decision{Action: Send, At: at(2026, 11, 4, 10, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeSent, map[string]string{"channel": "email", "label": delivery, "survey": "nps"}}},
		},
		{
			name: "31 December waits until after the New Year holidays",
			req:  request("event:1:2", "NPS после сдачи работ", at(2026, 12, 30, 12, 0), at(2027, 1, 13, 12, 0)),
			now:  at(2026, 12, 31, 11, 0),
			want: Decision{Action: Defer, At: at(2027, 1, 11, 9, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeDeferredHoliday, map[string]string{"date": "2026-12-31", "last_date": "2027-01-08", "until": utc(at(2027, 1, 11, 9, 0))}}},
		},
		{
			name: "a short validity does not survive the New Year holidays",
			req:  request("event:1:1", delivery, at(2026, 12, 31, 0, 0), at(2027, 1, 5, 12, 0)),
			now:  at(2026, 12, 31, 11, 0),
			// The walk stops once past Latest: the last holiday it saw is 5 January.
			want: Decision{Action: Skip, At: at(2026, 12, 31, 11, 0),
				Reason: Reason{CodeSkippedHoliday, map[string]string{"date": "2026-12-31", "last_date": "2027-01-05", "latest": utc(at(2027, 1, 5, 12, 0))}}},
		},
		{
			name: "before the delay has passed",
			req:  request("event:1:1", delivery, at(2026, 11, 17, 15, 30), at(2026, 11, 23, 3, 30)),
			now:  at(2026, 11, 17, 10, 0),
			want: Decision{Action: Defer, At: at(2026, 11, 17, 15, 30), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeDeferredNotYet, map[string]string{"earliest": utc(at(2026, 11, 17, 15, 30)), "label": delivery,
					"until": utc(at(2026, 11, 17, 15, 30))}}},
		},
		{
			name: "a delay ending at night: the quiet hours explain 09:00",
			req:  request("event:1:1", delivery, at(2026, 11, 17, 23, 0), at(2026, 11, 23, 11, 0)),
			now:  at(2026, 11, 17, 10, 0),
			want: Decision{Action: Defer, At: at(2026, 11, 18, 9, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeDeferredQuietHours, map[string]string{"from": "21:00", "to": "09:00", "until": utc(at(2026, 11, 18, 9, 0))}}},
		},
		{
			name:    "new customer contacted 8 days ago: deferred until 30 days have passed",
			started: newCustomer,
			req:     request("event:1:1", delivery, at(2026, 3, 10, 11, 0), at(2026, 4, 10, 12, 0)),
			history: []Contact{contact(at(2026, 3, 2, 10, 0), dealWon)},
			now:     at(2026, 3, 10, 12, 0),
			want: Decision{Action: Defer, At: at(2026, 4, 1, 10, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeDeferredCap, map[string]string{"cap": CapNewCustomers, "max": "1", "period_days": "30",
					"last_at": utc(at(2026, 3, 2, 10, 0)), "last_label": dealWon, "until": utc(at(2026, 4, 1, 10, 0))}}},
		},
		{
			name:    "new customer contacted 8 days ago: skipped when the invitation expires first",
			started: newCustomer,
			req:     request("event:1:1", delivery, at(2026, 3, 10, 11, 0), at(2026, 3, 20, 11, 0)),
			history: []Contact{contact(at(2026, 3, 2, 10, 0), dealWon)},
			now:     at(2026, 3, 10, 12, 0),
			want: Decision{Action: Skip, At: at(2026, 3, 10, 12, 0),
				Reason: Reason{CodeSkippedCap, map[string]string{"cap": CapNewCustomers, "max": "1", "period_days": "30",
					"last_at": utc(at(2026, 3, 2, 10, 0)), "last_label": dealWon, "latest": utc(at(2026, 3, 20, 11, 0))}}},
		},
		{
			name:    "new customer contacted 31 days ago: send",
			started: newCustomer,
			req:     request("event:1:1", delivery, at(2026, 3, 10, 11, 0), at(2026, 3, 20, 11, 0)),
			history: []Contact{contact(at(2026, 2, 7, 10, 0), dealWon)},
			now:     at(2026, 3, 10, 12, 0),
			want: Decision{Action: Send, At: at(2026, 3, 10, 12, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeSent, map[string]string{"channel": "email", "label": delivery, "survey": "nps"}}},
		},
		{
			// Started 15 Sep 2025: five months on 10 March, six on 1 April,
			// when the new-customer cap would let the request go. By then the
			// established cap counts 20 Oct and 2 Mar: no slot until 20 Oct.
			name:    "deferred past the sixth month, a new customer meets the established cap",
			started: date(2025, 9, 15),
			req:     request("event:1:1", delivery, at(2026, 3, 10, 11, 0), at(2026, 4, 10, 12, 0)),
			history: []Contact{contact(at(2025, 10, 20, 12, 0), "A"), contact(at(2026, 3, 2, 10, 0), dealWon)},
			now:     at(2026, 3, 10, 12, 0),
			want: Decision{Action: Skip, At: at(2026, 3, 10, 12, 0),
				Reason: Reason{CodeSkippedCap, map[string]string{"cap": CapEstablishedCustomers, "max": "2", "period_days": "365",
					"last_at": utc(at(2025, 10, 20, 12, 0)), "last_label": "A", "latest": utc(at(2026, 4, 10, 12, 0))}}},
		},
		{
			name:    "established customer asked twice this year: skipped until the older one is a year old",
			req:     request("event:1:1", delivery, at(2026, 3, 10, 11, 0), at(2026, 4, 10, 12, 0)),
			history: []Contact{contact(at(2025, 6, 1, 12, 0), "A"), contact(at(2025, 12, 1, 12, 0), "B")},
			now:     at(2026, 3, 10, 12, 0),
			want: Decision{Action: Skip, At: at(2026, 3, 10, 12, 0),
				Reason: Reason{CodeSkippedCap, map[string]string{"cap": CapEstablishedCustomers, "max": "2", "period_days": "365",
					"last_at": utc(at(2025, 6, 1, 12, 0)), "last_label": "A", "latest": utc(at(2026, 4, 10, 12, 0))}}},
		},
		{
			name:    "established customer asked once this year: send",
			req:     request("event:1:1", delivery, at(2026, 3, 10, 11, 0), at(2026, 4, 10, 12, 0)),
			history: []Contact{contact(at(2025, 12, 1, 12, 0), "B")},
			now:     at(2026, 3, 10, 12, 0),
			want: Decision{Action: Send, At: at(2026, 3, 10, 12, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeSent, map[string]string{"channel": "email", "label": delivery, "survey": "nps"}}},
		},
		{
			name:    "an agreed contact period looser than the cap wins",
			who:     func(p *Person) { p.ContactPeriodDays = intp(30) },
			req:     request("event:1:1", delivery, at(2026, 3, 10, 11, 0), at(2026, 4, 10, 12, 0)),
			history: []Contact{contact(at(2025, 6, 1, 12, 0), "A"), contact(at(2025, 12, 1, 12, 0), "B")},
			now:     at(2026, 3, 10, 12, 0),
			want: Decision{Action: Send, At: at(2026, 3, 10, 12, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeSent, map[string]string{"channel": "email", "label": delivery, "survey": "nps"}}},
		},
		{
			name:    "an agreed contact period stricter than the cap wins",
			started: newCustomer,
			who:     func(p *Person) { p.ContactPeriodDays = intp(90) },
			req:     request("event:1:1", delivery, at(2026, 3, 10, 11, 0), at(2026, 4, 30, 12, 0)),
			history: []Contact{contact(at(2026, 1, 15, 10, 0), dealWon)},
			now:     at(2026, 3, 10, 12, 0),
			want: Decision{Action: Defer, At: at(2026, 4, 15, 10, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeDeferredContactPeriod, map[string]string{"period_days": "90",
					"last_at": utc(at(2026, 1, 15, 10, 0)), "last_label": dealWon, "until": utc(at(2026, 4, 15, 10, 0))}}},
		},
		{
			name:    "the cap ends on a Sunday: Monday 09:00, and the cap is the reason",
			started: autumnCustomer,
			req:     request("event:1:1", delivery, at(2026, 11, 17, 11, 0), at(2026, 11, 30, 11, 0)),
			history: []Contact{contact(at(2026, 10, 23, 14, 0), dealWon)},
			now:     at(2026, 11, 17, 12, 0),
			want: Decision{Action: Defer, At: at(2026, 11, 23, 9, 0), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeDeferredCap, map[string]string{"cap": CapNewCustomers, "max": "1", "period_days": "30",
					"last_at": utc(at(2026, 10, 23, 14, 0)), "last_label": dealWon, "until": utc(at(2026, 11, 23, 9, 0))}}},
		},
		{
			name: "consent withdrawn",
			who: func(p *Person) {
				p.Consent[otklik.ChannelEmail] = otklik.Consent{Granted: false, Source: "unsubscribe link"}
			},
			req: request("event:1:1", delivery, at(2026, 11, 17, 11, 0), at(2026, 11, 23, 11, 0)),
			now: at(2026, 11, 17, 12, 0),
			want: Decision{Action: Skip, At: at(2026, 11, 17, 12, 0), Reason: Reason{CodeSkippedNoChannel,
				map[string]string{"channels": "email,telegram", "email": ChannelWithdrawn, "telegram": ChannelNoConsent}}},
		},
		{
			name: "consent but no address",
			who: func(p *Person) {
				withTelegram(p)
				p.Email, p.TelegramChat = "", ""
			},
			req: request("event:1:1", delivery, at(2026, 11, 17, 11, 0), at(2026, 11, 23, 11, 0)),
			now: at(2026, 11, 17, 12, 0),
			want: Decision{Action: Skip, At: at(2026, 11, 17, 12, 0), Reason: Reason{CodeSkippedNoChannel,
				map[string]string{"channels": "email,telegram", "email": ChannelNoAddress, "telegram": ChannelNoAddress}}},
		},
		{
			name: "no e-mail address: Telegram, the next channel",
			who: func(p *Person) {
				withTelegram(p)
				p.Email = ""
			},
			req: request("event:1:1", delivery, at(2026, 11, 17, 11, 0), at(2026, 11, 23, 11, 0)),
			now: at(2026, 11, 17, 12, 0),
			want: Decision{Action: Send, At: at(2026, 11, 17, 12, 0), Channel: otklik.ChannelTelegram,
				Reason: Reason{CodeSent, map[string]string{"channel": "telegram", "label": delivery, "survey": "nps"}}},
		},
		{
			name: "expired",
			req:  request("event:1:1", delivery, at(2026, 11, 17, 11, 0), at(2026, 11, 23, 11, 0)),
			now:  at(2026, 11, 24, 12, 0),
			want: Decision{Action: Skip, At: at(2026, 11, 24, 12, 0),
				Reason: Reason{CodeSkippedExpired, map[string]string{"latest": utc(at(2026, 11, 23, 11, 0))}}},
		},
		{
			name: "erased comes first",
			who:  func(p *Person) { p.Erased = true },
			req:  request("event:1:1", delivery, at(2026, 11, 17, 11, 0), at(2026, 11, 23, 11, 0)),
			now:  at(2026, 11, 24, 12, 0),
			want: Decision{Action: Skip, At: at(2026, 11, 24, 12, 0), Reason: Reason{Code: CodeSkippedErased}},
		},
		{
			name:    "already sent",
			req:     request("event:old:"+dealWon, dealWon, at(2026, 11, 17, 11, 0), at(2026, 11, 23, 11, 0)),
			history: []Contact{contact(at(2026, 11, 17, 11, 5), dealWon)},
			now:     at(2026, 11, 17, 12, 0),
			want: Decision{Action: Skip, At: at(2026, 11, 17, 12, 0),
				Reason: Reason{CodeSkippedAlreadySent, map[string]string{"sent_at": utc(at(2026, 11, 17, 11, 5)), "label": dealWon}}},
		},
		{
			name: "the customer's own zone: 22:00 in Vladivostok is noon in Moscow",
			who:  func(p *Person) { p.Location = vvo },
			req:  request("event:1:1", delivery, at(2026, 11, 17, 11, 0), at(2026, 11, 23, 11, 0)),
			now:  time.Date(2026, 11, 17, 12, 0, 0, 0, time.UTC),
			want: Decision{Action: Defer, At: time.Date(2026, 11, 18, 9, 0, 0, 0, vvo), Channel: otklik.ChannelEmail,
				Reason: Reason{CodeDeferredQuietHours, map[string]string{"from": "21:00", "to": "09:00",
					"until": "2026-11-17T23:00:00Z"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			started := tt.started
			if started == nil {
				started = established
			}
			who := reachable(started)
			if tt.who != nil {
				tt.who(&who)
			}
			tt.want.Ref = tt.req.Ref
			got := Decide(p, who, tt.req, tt.history, tt.now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestCapCountsEveryPeriodAroundTheMoment checks a cap of 2 per 10 days
// against contacts on both sides of the moment: a request may go between
// two contacts only if no 10-day period then holds three.
func TestCapCountsEveryPeriodAroundTheMoment(t *testing.T) {
	p := DefaultPolicy()
	p.Caps = []Cap{{Name: "tight", Max: 2, PeriodDays: 10}}
	p.Quiet.From, p.Quiet.To, p.BusinessDays, p.Holidays = "", "", nil, false // only the cap
	who := reachable(established)
	now := at(2026, 5, 10, 12, 0)
	req := request("r", "R", now, now.AddDate(0, 2, 0))
	tests := []struct {
		name    string
		history []Contact
		want    time.Time
	}{
		{"one before", []Contact{contact(at(2026, 5, 5, 12, 0), "a")}, now},
		{"two before: the older must leave", []Contact{contact(at(2026, 5, 3, 12, 0), "a"), contact(at(2026, 5, 5, 12, 0), "b")},
			at(2026, 5, 13, 12, 0)},
		// One before and one after: the period ending at the later one
		// would hold all three, until the earlier one leaves on 15 May.
		{"one before, one after", []Contact{contact(at(2026, 5, 5, 12, 0), "a"), contact(at(2026, 5, 12, 12, 0), "c")},
			at(2026, 5, 15, 12, 0)},
		// With 11 days between them, no period holds both: the moment fits.
		{"one before, one after, far apart", []Contact{contact(at(2026, 5, 5, 12, 0), "a"), contact(at(2026, 5, 16, 12, 0), "c")}, now},
		{"two after", []Contact{contact(at(2026, 5, 11, 12, 0), "c"), contact(at(2026, 5, 12, 12, 0), "d")},
			at(2026, 5, 21, 12, 0)},
		{"old contacts do not count", []Contact{contact(at(2026, 4, 20, 12, 0), "x"), contact(at(2026, 4, 30, 12, 0), "y")}, now},
	}
	for _, tt := range tests {
		got := Decide(p, who, req, tt.history, now)
		if !got.At.Equal(tt.want) {
			t.Errorf("%s: %s at %s (%s), want %s", tt.name, got.Action, got.At.In(msk), got.Reason.Code, tt.want)
		}
	}
}

func TestReminder(t *testing.T) {
	p := DefaultPolicy() // one reminder after three days
	tests := []struct {
		name     string
		sent     time.Time
		reminded int
		now      time.Time
		due      bool
		at       time.Time
	}{
		{"not yet", at(2026, 11, 17, 10, 0), 0, at(2026, 11, 20, 9, 59), false, at(2026, 11, 20, 10, 0)},
		{"due", at(2026, 11, 17, 10, 0), 0, at(2026, 11, 20, 10, 0), true, at(2026, 11, 20, 10, 0)},
		{"a Saturday evening moves to Monday", at(2026, 11, 18, 20, 0), 0, at(2026, 11, 22, 12, 0), false, at(2026, 11, 23, 9, 0)},
		{"after the New Year holidays", at(2026, 12, 29, 12, 0), 0, at(2027, 1, 11, 9, 0), true, at(2027, 1, 11, 9, 0)},
		{"already reminded", at(2026, 11, 17, 10, 0), 1, at(2026, 12, 1, 10, 0), false, time.Time{}},
	}
	for _, tt := range tests {
		due, when := Reminder(p, tt.sent, tt.reminded, tt.now)
		if due != tt.due || !when.Equal(tt.at) {
			t.Errorf("%s: Reminder = %v, %s; want %v, %s", tt.name, due, when.In(msk), tt.due, tt.at)
		}
	}
	p.Reminders = 0
	if due, when := Reminder(p, at(2026, 11, 17, 10, 0), 0, at(2026, 12, 1, 10, 0)); due || !when.IsZero() {
		t.Errorf("no reminders: %v, %s", due, when)
	}
}
