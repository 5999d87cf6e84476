package web

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/calendar"
	"otklik/internal/locale"
)

// slaView is a case's SLA timer at one moment: which deadline runs, how
// much working time is left (negative once it has passed), or how the case
// ended. Its text is written in the reader's language by Text.
type slaView struct {
	Kind   string    // otklik.CaseDetractor or otklik.CaseThanks: a thank-you task words its timer differently
	Which  string    // "first_contact" or "resolution"; "" when no deadline runs
	Due    time.Time // the running deadline
	Left   time.Duration
	Over   bool   // the deadline has passed
	Paused bool   // outside working hours: the timer stands still
	Done   string // how a finished case ended: resolved_in_time, resolved_late, closed, thanked
	Marked bool   // an SLA of this case was breached at some point
}

// slaOf is the timer case c shows at now. The first-contact deadline runs
// while the case is open, the resolution deadline once the customer has
// been reached; both are counted in working time on the business calendar,
// so a case opened on Friday evening is not overdue on Monday morning.
func slaOf(c *otklik.Case, cal calendar.Calendar, now time.Time) slaView {
	v := slaView{Kind: c.Kind, Marked: c.FirstContactBreach != nil || c.ResolutionBreach != nil}
	var due *time.Time
	switch c.Status {
	case otklik.CaseOpen:
		v.Which, due = "first_contact", c.FirstContactDue
	case otklik.CaseContacted:
		v.Which, due = "resolution", c.ResolutionDue
	case otklik.CaseResolved:
		v.Done = "resolved_in_time"
		if c.ResolvedAt != nil && c.ResolutionDue != nil && c.ResolvedAt.After(*c.ResolutionDue) {
			v.Done = "resolved_late"
		}
		return v
	default:
		v.Done = "closed"
		if c.Kind == otklik.CaseThanks {
			v.Done = "thanked"
		}
		return v
	}
	if due == nil {
		v.Which = ""
		return v
	}
	v.Due = *due
	v.Left = cal.Remaining(*due, now)
	v.Over = cal.Breached(*due, now)
	v.Paused = !cal.IsOpen(now)
	return v
}

// Text is the timer as a person reads it: «2 ч 15 мин до первого
// контакта», «просрочено на 1 ч 10 мин — первый контакт».
func (v slaView) Text(l *locale.Localizer) string {
	kind := v.Kind
	if kind != otklik.CaseThanks {
		kind = otklik.CaseDetractor
	}
	id := "loop.sla." + kind + "." + v.Which
	switch {
	case v.Done != "":
		return l.T("loop.sla.done." + v.Done)
	case v.Which == "":
		return l.T("loop.sla.no_deadline")
	case v.Over && -v.Left < time.Minute:
		// Past due, but no working time has passed since: a deadline of
		// Friday 18:00 seen on Saturday.
		return l.T(id + ".expired")
	case v.Over:
		return l.T(id+".over", map[string]any{"Over": workingText(l, -v.Left)})
	}
	return l.T(id+".left", map[string]any{"Left": workingText(l, v.Left)})
}

// Class is the timer's CSS class: over, soon (under an hour left), running,
// or done.
func (v slaView) Class() string {
	switch {
	case v.Done != "":
		return "done"
	case v.Over:
		return "over"
	case v.Which != "" && v.Left < time.Hour:
		return "soon"
	}
	return "running"
}

// workingText writes a span of time in hours and minutes, rounded up to the
// minute so a running timer never shows «0 мин» before its deadline:
// «2 ч 15 мин», «4 ч», «35 мин».
func workingText(l *locale.Localizer, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	minutes := int64((d + time.Minute - 1) / time.Minute)
	h, m := minutes/60, minutes%60
	data := map[string]any{"H": l.Number(float64(h), 0), "M": strconv.FormatInt(m, 10)}
	switch {
	case h == 0:
		return l.T("loop.dur.m", data)
	case m == 0:
		return l.T("loop.dur.h", data)
	}
	return l.T("loop.dur.hm", data)
}

// calendar is the business calendar SLAs are counted on; without the
// closed loop's engine (a bare test server) it is the default one.
func (s *Server) calendar(ctx context.Context) (calendar.Calendar, error) {
	if s.cfg.Cases == nil {
		return calendar.Default(), nil
	}
	return s.cfg.Cases.Calendar(ctx)
}

// scoreGroup is the colour group of a score on a survey of kind: NPS
// promoter / passive / detractor; CSAT and CES read the same way (4–5 and
// 5–7 good, 1–3 bad); a custom scale has none.
func scoreGroup(kind otklik.Kind, score int) string {
	switch kind {
	case otklik.KindNPS:
		switch {
		case score >= 9:
			return "promoter"
		case score >= 7:
			return "passive"
		}
		return "detractor"
	case otklik.KindCSAT:
		if score >= 4 {
			return "promoter"
		}
		return "detractor"
	case otklik.KindCES:
		switch {
		case score >= 5:
			return "promoter"
		case score == 4:
			return "passive"
		}
		return "detractor"
	}
	return ""
}

// excerpt shortens a comment to about n characters at a word boundary.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:—-") + "…"
}

// fieldMessages turns the validation messages of the domain and the loop
// rules (written in English for the API) into the reader's language. A
// message not listed here is shown as it came, so nothing is ever hidden.
var fieldMessages = []struct {
	re *regexp.Regexp
	id string
}{
	{regexp.MustCompile(`^is required`), "loop.err.required"},
	{regexp.MustCompile(`^is longer than (\d+) characters$`), "loop.err.too_long"},
	{regexp.MustCompile(`^is not valid UTF-8$`), "loop.err.utf8"},
	{regexp.MustCompile(`^is in the future$`), "loop.err.future"},
	{regexp.MustCompile(`^is not a date and time$`), "loop.err.datetime"},
	{regexp.MustCompile(`^is not a whole number$`), "loop.err.integer"},
	{regexp.MustCompile(`^is not an amount$`), "loop.err.amount"},
	{regexp.MustCompile(`^must be one of `), "loop.err.choose"},
	{regexp.MustCompile(`^must be detractor or thanks$`), "loop.err.choose"},
	{regexp.MustCompile(`^must be between (-?\d+) and (-?\d+)$`), "loop.err.between"},
	{regexp.MustCompile(`^must be at most (\d+)$`), "loop.err.at_most"},
	{regexp.MustCompile(`^must be positive$`), "loop.err.positive"},
	{regexp.MustCompile(`^must be whole minutes$`), "loop.err.whole_minutes"},
	{regexp.MustCompile(`^must not be negative$`), "loop.err.not_negative"},
	{regexp.MustCompile(`^is not an e-mail address$`), "loop.err.email"},
	{regexp.MustCompile(`^is only for (owner|watcher) kind user$`), "loop.err.only_user"},
	{regexp.MustCompile(`^needs at least one criterion$`), "loop.err.no_criterion"},
	{regexp.MustCompile(`^needs kind ces among kinds$`), "loop.err.ces_kind"},
	{regexp.MustCompile(`^has no letters or digits$`), "loop.err.no_letters"},
	{regexp.MustCompile(`^is empty$`), "loop.err.empty"},
	{regexp.MustCompile(`^is listed twice$`), "loop.err.twice"},
	{regexp.MustCompile(`^may not be nested$`), "loop.err.nested"},
	{regexp.MustCompile(`^at most (\d+) rules$`), "loop.err.too_many_rules"},
}

// fieldMessage translates one validation message.
func fieldMessage(l *locale.Localizer, msg string) string {
	for _, m := range fieldMessages {
		if sub := m.re.FindStringSubmatch(msg); sub != nil {
			data := map[string]any{}
			for i, v := range sub[1:] {
				data[string(rune('A'+i))] = v
			}
			return l.T(m.id, data)
		}
	}
	return msg
}
