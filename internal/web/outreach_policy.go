package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"otklik"
	"otklik/internal/calendar"
	"otklik/internal/locale"
	"otklik/internal/outreach"
)

// The contact policy form (/outreach): the frequency caps, the quiet
// hours, business days and holidays, which source wins, and reminders,
// saved whole through Engine.SetPolicy.
//
// It works without JavaScript: adding or removing a cap and moving a
// source up or down post the form as it stands and show it again changed
// but not saved (nothing typed is lost), and only the save button stores
// it. A save button comes first in the form, so pressing Enter in a field
// saves rather than removing the first cap.

// capRow is a cap as typed.
type capRow struct {
	Name     string
	Tenure   string // months; blank: any tenure
	Segments string // comma-separated; blank: any segment
	Max      string
	Period   string // days
}

func (c capRow) blank() bool {
	return c.Name == "" && c.Tenure == "" && c.Segments == "" && c.Max == "" && c.Period == ""
}

// policyForm is the policy as the form shows it.
type policyForm struct {
	Caps          []capRow
	TimeZone      string
	QuietFrom     string
	QuietTo       string
	Days          map[int]bool // ISO weekdays
	Holidays      bool
	Priorities    []string // every source, most important first
	ReminderAfter delayInput
	Reminders     string
}

// capName is a cap's name for the reader: the default caps are stored
// under English keys and shown in the reader's language.
func capName(l *locale.Localizer, name string) string {
	if name == outreach.CapNewCustomers || name == outreach.CapEstablishedCustomers {
		return l.T("outreachui.cap." + name)
	}
	return name
}

// capKeys maps the default caps' names, as either language shows them,
// back to their keys, so a policy saved unchanged keeps them (and their
// sentences in the outreach log).
func capKeys(cat *locale.Catalog) map[string]string {
	m := map[string]string{}
	for _, lang := range []string{locale.Russian, locale.English} {
		for _, key := range []string{outreach.CapNewCustomers, outreach.CapEstablishedCustomers} {
			m[cat.For(lang).T("outreachui.cap."+key)] = key
		}
	}
	return m
}

// fullPriorities is every source once, in the order given, the ones not
// given after them in the usual order: the form moves sources, it does not
// drop them. A source the list does not name ranks after all it names, so
// appending the missing ones changes nothing that mattered.
func fullPriorities(in []string) []string {
	var out []string
	for _, src := range in {
		if slices.Contains(outreach.Sources(), src) && !slices.Contains(out, src) {
			out = append(out, src)
		}
	}
	for _, src := range outreach.Sources() {
		if !slices.Contains(out, src) {
			out = append(out, src)
		}
	}
	return out
}

func policyToForm(l *locale.Localizer, p outreach.Policy) policyForm {
	f := policyForm{TimeZone: p.TimeZone, QuietFrom: p.Quiet.From, QuietTo: p.Quiet.To, Days: map[int]bool{},
		Holidays: p.Holidays, Priorities: fullPriorities(p.Priorities),
		ReminderAfter: delayToInput(p.ReminderAfter, unitDays), Reminders: strconv.Itoa(p.Reminders)}
	for _, c := range p.Caps {
		row := capRow{Name: capName(l, c.Name), Segments: joinList(c.Segments), Max: strconv.Itoa(c.Max), Period: strconv.Itoa(c.PeriodDays)}
		if c.TenureBelowMonths != 0 {
			row.Tenure = strconv.Itoa(c.TenureBelowMonths)
		}
		f.Caps = append(f.Caps, row)
	}
	// No business days listed means every day: all boxes are ticked.
	for d := 1; d <= 7; d++ {
		f.Days[d] = len(p.BusinessDays) == 0 || slices.Contains(p.BusinessDays, d)
	}
	return f
}

// readPolicyForm reads the form and the button pressed.
func readPolicyForm(r *http.Request) (policyForm, string) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := policyForm{TimeZone: v("time_zone"), QuietFrom: v("quiet.from"), QuietTo: v("quiet.to"), Days: map[int]bool{},
		Holidays: v("holidays") == "1", Priorities: fullPriorities(r.PostForm["priorities"]),
		ReminderAfter: readDelay(r, "reminder_after"), Reminders: v("reminders")}
	n, _ := strconv.Atoi(v("caps_count"))
	// One more than the policy may hold, so the engine says what the limit is.
	for i := range min(max(n, 0), outreach.MaxCaps+1) {
		p := "caps[" + strconv.Itoa(i) + "]."
		f.Caps = append(f.Caps, capRow{Name: v(p + "name"), Tenure: v(p + "tenure_below_months"), Segments: v(p + "segments"),
			Max: v(p + "max"), Period: v(p + "period_days")})
	}
	for _, d := range r.PostForm["business_days"] {
		if iso, err := strconv.Atoi(d); err == nil && iso >= 1 && iso <= 7 {
			f.Days[iso] = true
		}
	}
	return f, r.PostFormValue("action")
}

// edit applies a button other than save: add or remove a cap, move a
// source. It reports whether the button was one of those.
func (f *policyForm) edit(action string) bool {
	verb, arg, _ := strings.Cut(action, ":")
	i, err := strconv.Atoi(arg)
	switch {
	case verb == "add_cap":
		if len(f.Caps) < outreach.MaxCaps {
			f.Caps = append(f.Caps, capRow{})
		}
	case err != nil:
		return false
	case verb == "remove_cap":
		if i >= 0 && i < len(f.Caps) {
			f.Caps = slices.Delete(f.Caps, i, i+1)
		}
	case verb == "up" || verb == "down":
		j := i + 1
		if verb == "up" {
			j = i - 1
		}
		if i >= 0 && i < len(f.Priorities) && j >= 0 && j < len(f.Priorities) {
			f.Priorities[i], f.Priorities[j] = f.Priorities[j], f.Priorities[i]
		}
	default:
		return false
	}
	return true
}

// dropBlankCaps forgets rows added and left empty, before the rows are
// numbered for the engine.
func (f *policyForm) dropBlankCaps() {
	f.Caps = slices.DeleteFunc(f.Caps, capRow.blank)
}

// formInt reads a whole number typed into field; blank is def, or a
// problem when the field is required.
func formInt(s, field string, required bool, def int, p *otklik.Problems) int {
	if s == "" {
		if required {
			p.Add(field, "is required")
		}
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		p.Add(field, "is not a whole number")
		return def
	}
	return n
}

// policy builds the policy from the form, with the problems of reading it;
// the engine validates the rest. keys maps the default caps' shown names
// back to their keys.
func (f policyForm) policy(keys map[string]string) (outreach.Policy, otklik.Problems) {
	var p otklik.Problems
	out := outreach.Policy{TimeZone: f.TimeZone, Quiet: calendar.Quiet{From: f.QuietFrom, To: f.QuietTo},
		Holidays: f.Holidays, Priorities: slices.Clone(f.Priorities)}
	for i, row := range f.Caps {
		field := "caps[" + strconv.Itoa(i) + "]."
		c := outreach.Cap{Name: row.Name, Segments: splitList(row.Segments),
			TenureBelowMonths: formInt(row.Tenure, field+"tenure_below_months", false, 0, &p),
			Max:               formInt(row.Max, field+"max", true, 0, &p),
			PeriodDays:        formInt(row.Period, field+"period_days", true, 0, &p)}
		if key, ok := keys[c.Name]; ok {
			c.Name = key
		}
		out.Caps = append(out.Caps, c)
	}
	for d := 1; d <= 7; d++ {
		if f.Days[d] {
			out.BusinessDays = append(out.BusinessDays, d)
		}
	}
	if len(out.BusinessDays) == 0 {
		// An empty list would mean every day to the engine; unticking every
		// box means the opposite, so it is refused rather than guessed.
		p.Add("business_days", "needs at least one day")
	}
	out.ReminderAfter, _ = f.ReminderAfter.duration("reminder_after", true, &p)
	switch f.Reminders {
	case "0", "1":
		out.Reminders, _ = strconv.Atoi(f.Reminders)
	default:
		p.Add("reminders", "must be 0 (no reminder) or 1")
	}
	return out, p
}

// knows reports whether the form shows errors at key: the policy's
// fields, and each cap row's.
func (f policyForm) knows(key string) bool {
	switch key {
	case "caps", "time_zone", "quiet", "quiet.from", "quiet.to", "business_days", "holidays", "priorities",
		"reminders", "reminder_after":
		return true
	}
	rest, ok := strings.CutPrefix(key, "caps[")
	if !ok {
		return false
	}
	num, field, ok := strings.Cut(rest, "].")
	i, err := strconv.Atoi(num)
	return ok && err == nil && i >= 0 && i < len(f.Caps) &&
		slices.Contains([]string{"name", "tenure_below_months", "segments", "max", "period_days"}, field)
}

// zoneChoices are offered for the time zone: Russia's zones west to east,
// then a few neighbours'. Any IANA name may be typed.
var zoneChoices = []string{"Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
	"Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan",
	"Asia/Kamchatka", "Europe/Minsk", "Asia/Almaty", "Asia/Tashkent", "Asia/Tbilisi", "Asia/Yerevan", "UTC"}

type weekdayChoice struct {
	ISO  int
	Name string
}

type policyData struct {
	Tabs     []outreachTab
	F        policyForm
	Errors   formErrors
	Unsaved  bool // the form was changed by a button and not yet saved
	Zones    []string
	Weekdays []weekdayChoice
	Units    []string
	MaxCaps  int
}

func (s *Server) outreachPolicy(w http.ResponseWriter, r *http.Request) {
	e, ok := s.outreachAllowed(w, r)
	if !ok {
		return
	}
	p, err := e.Policy(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.renderPolicy(w, r, http.StatusOK, outreachDone(r), policyData{F: policyToForm(s.localizer(r), p)})
}

func (s *Server) renderPolicy(w http.ResponseWriter, r *http.Request, status int, notice string, d policyData) {
	l := s.localizer(r)
	d.Tabs, d.Zones, d.Units, d.MaxCaps = outreachTabs("policy"), zoneChoices, delayUnits, outreach.MaxCaps
	for iso := 1; iso <= 7; iso++ {
		d.Weekdays = append(d.Weekdays, weekdayChoice{ISO: iso, Name: l.T("outreachui.weekday." + strconv.Itoa(iso))})
	}
	if d.Errors.At == nil {
		d.Errors.At = map[string]string{}
	}
	s.render(w, r, status, "outreach", page{Title: "outreachui.policy.title", Nav: "outreach", Notice: notice, Data: d})
}

func (s *Server) saveOutreachPolicy(w http.ResponseWriter, r *http.Request) {
	e, ok := s.outreachAllowed(w, r)
	if !ok {
		return
	}
	f, action := readPolicyForm(r)
	if f.edit(action) {
		s.renderPolicy(w, r, http.StatusOK, "", policyData{F: f, Unsaved: true})
		return
	}
	f.dropBlankCaps()
	l := s.localizer(r)
	p, problems := f.policy(capKeys(s.cat))
	if len(problems) > 0 {
		s.renderPolicy(w, r, http.StatusUnprocessableEntity, "",
			policyData{F: f, Errors: placeErrors(l, mergeProblems(problems, p.Validate()), f.knows)})
		return
	}
	if err := e.SetPolicy(r.Context(), p); err != nil {
		if otklik.ErrorCode(err) != otklik.EINVALID {
			s.errorPage(w, r, err)
			return
		}
		s.renderPolicy(w, r, http.StatusUnprocessableEntity, "", policyData{F: f, Errors: placeErrors(l, otklik.ErrorFields(err), f.knows)})
		return
	}
	http.Redirect(w, r, "/outreach?done=saved", http.StatusSeeOther)
}
