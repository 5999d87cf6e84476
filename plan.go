package otklik

import (
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Action plans close the loop for the many customers who are neither fans
// nor angry: after each survey wave a team lead writes down what the
// answers showed, who fixes what by when, and later what came of it. The
// next wave's figures, beside the plan, say whether it worked.

// Plan statuses.
const (
	PlanDraft  = "draft"  // being written: not yet the team's commitment
	PlanActive = "active" // the team is working on it
	PlanDone   = "done"   // finished, with a results note
)

// PlanStatuses lists the statuses in the order a plan moves through them.
var PlanStatuses = []string{PlanDraft, PlanActive, PlanDone}

// Action item statuses.
const (
	ItemOpen = "open"
	ItemDone = "done"
)

// Limits on what people type into a plan.
const (
	MaxPlanTitleLength = 200
	MaxPlanTextLength  = 5000 // problems found, results
	MaxItemLength      = 1000 // what to do
	MaxDoneNoteLength  = 2000
	// MaxWaveDays bounds a wave: a plan answers one round of asking, and a
	// wave longer than a year compares nothing with anything.
	MaxWaveDays = 366
)

// Plan is a team's answer to one survey wave: the problems it found and
// the actions it takes, each with an owner and a due date.
type Plan struct {
	ID        int64      `json:"id"`
	Survey    string     `json:"survey"` // the survey's key
	Team      string     `json:"team"`
	From      Date       `json:"from"` // the wave's first day
	To        Date       `json:"to"`   // its last day, inclusive
	Title     string     `json:"title"`
	Problems  string     `json:"problems"`
	Status    string     `json:"status"`
	Results   string     `json:"results"`
	Author    string     `json:"author"` // who wrote it (e-mail)
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	Items     []PlanItem `json:"items"`

	SurveyID int64 `json:"-"`
}

// PlanItem is one action of a plan.
type PlanItem struct {
	ID        int64      `json:"id"`
	PlanID    int64      `json:"plan_id"`
	What      string     `json:"what"`
	Owner     string     `json:"owner"` // a user's e-mail
	Due       Date       `json:"due"`
	Status    string     `json:"status"`
	DoneNote  string     `json:"done_note"`
	DoneAt    *time.Time `json:"done_at"`
	DoneBy    string     `json:"done_by"`
	CreatedAt time.Time  `json:"created_at"`
}

// Normalize trims what was typed and fills the defaults.
func (p *Plan) Normalize() {
	p.Survey = strings.TrimSpace(p.Survey)
	p.Team = strings.TrimSpace(p.Team)
	p.Title = strings.TrimSpace(p.Title)
	p.Problems = strings.TrimSpace(p.Problems)
	p.Results = strings.TrimSpace(p.Results)
	if p.Status == "" {
		p.Status = PlanDraft
	}
}

// Validate checks a normalized plan.
func (p *Plan) Validate() error {
	var e Problems
	if p.Survey == "" {
		e.Add("survey", "is required")
	}
	if p.Team == "" {
		e.Add("team", "is required")
	}
	switch {
	case p.From.IsZero():
		e.Add("from", "is required")
	case p.To.IsZero():
		e.Add("to", "is required")
	case p.To.Before(p.From.Time):
		e.Add("to", "must not be before from")
	case p.Days() > MaxWaveDays:
		e.Add("to", "must be at most %d days after from", MaxWaveDays-1)
	}
	if !contains(PlanStatuses, p.Status) {
		e.Add("status", "must be one of %s", strings.Join(PlanStatuses, ", "))
	}
	if p.Status == PlanDone && p.Results == "" {
		// "Report its results": a plan is not done until it says what came of it.
		e.Add("results", "is required when the plan is done")
	}
	checkLength(&e, "title", p.Title, MaxPlanTitleLength)
	checkLength(&e, "problems", p.Problems, MaxPlanTextLength)
	checkLength(&e, "results", p.Results, MaxPlanTextLength)
	return e.Err("the plan is not valid")
}

// Days returns the wave's length in calendar days, both ends included.
// Dates are midnights in UTC, so every day is 24 hours long.
func (p *Plan) Days() int {
	return int(p.To.Sub(p.From.Time)/(24*time.Hour)) + 1
}

// Wave returns the wave as instants [from, to) in loc, the business's
// zone: from the first day's midnight to the midnight after the last day.
func (p *Plan) Wave(loc *time.Location) (from, to time.Time) {
	return midnight(p.From, 0, loc), midnight(p.To, 1, loc)
}

// NextWave returns the period of equal length that follows the wave, as
// instants [from, to) in loc: the figures that say whether the plan worked.
func (p *Plan) NextWave(loc *time.Location) (from, to time.Time) {
	return midnight(p.To, 1, loc), midnight(p.To, 1+p.Days(), loc)
}

// NextWaveDays returns the first and last day of the next wave.
func (p *Plan) NextWaveDays() (first, last Date) {
	return Date{p.To.AddDate(0, 0, 1)}, Date{p.To.AddDate(0, 0, p.Days())}
}

// midnight is the start of day d + days in loc. Counting in calendar days
// keeps a wave whole across a change of clocks.
func midnight(d Date, days int, loc *time.Location) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd+days, 0, 0, 0, 0, loc)
}

// Normalize trims what was typed and fills the defaults.
func (it *PlanItem) Normalize() {
	it.What = strings.TrimSpace(it.What)
	it.Owner = strings.ToLower(strings.TrimSpace(it.Owner))
	it.DoneNote = strings.TrimSpace(it.DoneNote)
	if it.Status == "" {
		it.Status = ItemOpen
	}
}

// Validate checks a normalized action item.
func (it *PlanItem) Validate() error {
	var e Problems
	if it.What == "" {
		e.Add("what", "is required")
	}
	checkLength(&e, "what", it.What, MaxItemLength)
	if it.Owner == "" {
		e.Add("owner", "is required")
	} else if a, err := mail.ParseAddress(it.Owner); err != nil || a.Address != it.Owner {
		e.Add("owner", "is not an e-mail address")
	}
	if it.Due.IsZero() {
		e.Add("due", "is required")
	}
	if it.Status != ItemOpen && it.Status != ItemDone {
		e.Add("status", "must be one of %s, %s", ItemOpen, ItemDone)
	}
	checkLength(&e, "done_note", it.DoneNote, MaxDoneNoteLength)
	return e.Err("the action is not valid")
}

// Where an action item stands against its due date.
const (
	DueDone    = "done"    // finished
	DueOverdue = "overdue" // its due day has passed
	DueSoon    = "soon"    // due within the reminder window, today included
	DueLater   = "later"   // due after the window
)

// DueState says where the item stands on day today (in the business's
// zone) with a reminder window of days days: an item due today or within
// the next days days is due soon, one due before today is overdue.
func (it *PlanItem) DueState(today Date, days int) string {
	switch {
	case it.Status == ItemDone:
		return DueDone
	case it.Due.Before(today.Time):
		return DueOverdue
	case !it.Due.After(today.AddDate(0, 0, days)):
		return DueSoon
	}
	return DueLater
}

// DueWithin returns the open items due on or before today + days, for a
// reminder, by due date (so the overdue ones come first), ties as given.
func DueWithin(items []PlanItem, today Date, days int) []PlanItem {
	var out []PlanItem
	for _, it := range items {
		if s := it.DueState(today, days); s == DueOverdue || s == DueSoon {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b PlanItem) int { return a.Due.Compare(b.Due.Time) })
	return out
}

// Today returns the calendar day now falls on in loc.
func Today(now time.Time, loc *time.Location) Date {
	y, m, d := now.In(loc).Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}
