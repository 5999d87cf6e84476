package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"otklik"
	"otklik/internal/dispatch"
	"otklik/internal/locale"
	"otklik/internal/outreach"
)

// Lifetime schedules (/outreach/schedules): ask at months of a customer's
// life with the business (3, 6, 9, 12 by default), for every customer or
// one service line's.

// scheduleForm is a schedule as the form shows it.
type scheduleForm struct {
	ID       int64
	Name     string
	Service  string // blank: every customer
	Months   string // comma-separated
	Survey   string
	Channels map[otklik.Channel]string
	Validity delayInput
	SendHour string
	Enabled  bool
}

func scheduleToForm(sc outreach.Schedule) scheduleForm {
	months := make([]string, len(sc.Months))
	for i, m := range sc.Months {
		months[i] = strconv.Itoa(m)
	}
	return scheduleForm{ID: sc.ID, Name: sc.Name, Service: sc.Service, Months: joinList(months), Survey: sc.Survey,
		Channels: channelPlaces(sc.Channels), Validity: delayToInput(sc.Validity, unitDays),
		SendHour: strconv.Itoa(sc.SendHour), Enabled: sc.Enabled}
}

// blankScheduleForm offers the default schedule's months, survey, channels,
// validity and hour, without its name.
func blankScheduleForm() scheduleForm {
	sc := outreach.DefaultSchedule()
	sc.Name = ""
	return scheduleToForm(sc)
}

func readScheduleForm(r *http.Request) scheduleForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := scheduleForm{Name: v("name"), Service: v("service"), Months: v("months"), Survey: v("survey"),
		Channels: readChannelPlaces(r), Validity: readDelay(r, "validity"), SendHour: v("send_hour"), Enabled: v("enabled") == "1"}
	f.ID, _ = strconv.ParseInt(v("id"), 10, 64)
	return f
}

// schedule builds the schedule from the form, with the problems of
// reading it. Months may be typed in any order and more than once: they
// are sorted and each kept once, as the engine wants them.
func (f scheduleForm) schedule() (outreach.Schedule, otklik.Problems) {
	var p otklik.Problems
	sc := outreach.Schedule{ID: f.ID, Name: f.Name, Service: f.Service, Survey: f.Survey,
		Channels: placesToChannels(f.Channels), Enabled: f.Enabled}
	for _, part := range splitList(strings.ReplaceAll(f.Months, ";", ",")) {
		m, err := strconv.Atoi(part)
		if err != nil {
			p.Add("months", "%q is not a whole number", truncateText(part, 20))
			continue
		}
		sc.Months = append(sc.Months, m)
	}
	slices.Sort(sc.Months)
	sc.Months = slices.Compact(sc.Months)
	sc.Validity, _ = f.Validity.duration("validity", false, &p)
	sc.SendHour = formInt(f.SendHour, "send_hour", true, 0, &p)
	return sc, p
}

func scheduleKnows(key string) bool {
	switch key {
	case "name", "service", "months", "survey", "channels", "validity", "send_hour":
		return true
	}
	return false
}

// scheduleRow is a schedule in the list, in words.
type scheduleRow struct {
	S             outreach.Schedule
	Months        string
	Survey        string
	SurveyMissing bool
	Channels      string
	Validity      string
	SendAt        string
}

func scheduleRowOf(l *locale.Localizer, sc outreach.Schedule, titles map[string]string) scheduleRow {
	months := make([]string, len(sc.Months))
	for i, m := range sc.Months {
		months[i] = strconv.Itoa(m)
	}
	title, ok := titles[sc.Survey]
	return scheduleRow{S: sc, Months: l.T("outreachui.schedules.months_text", map[string]any{"Months": strings.Join(months, ", ")}),
		Survey: title, SurveyMissing: !ok, Channels: channelsWords(l, sc.Channels), Validity: durationWords(l, sc.Validity),
		SendAt: fmt.Sprintf("%02d:00", sc.SendHour)}
}

type schedulesData struct {
	Tabs  []outreachTab
	Rows  []scheduleRow
	Error string
}

// hourChoice is an hour in the send-hour list.
type hourChoice struct {
	Value, Label string
}

type scheduleFormData struct {
	Tabs     []outreachTab
	F        scheduleForm
	New      bool
	Errors   formErrors
	Surveys  []surveyOption
	Channels []channelChoice
	Units    []string
	Hours    []hourChoice
}

func (s *Server) outreachSchedules(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.outreachAllowed(w, r); !ok {
		return
	}
	s.renderSchedules(w, r, http.StatusOK, outreachDone(r), "")
}

func (s *Server) renderSchedules(w http.ResponseWriter, r *http.Request, status int, notice, problem string) {
	ctx, l := r.Context(), s.localizer(r)
	ss, err := s.cfg.Outreach.Schedules(ctx)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	titles, err := s.surveyTitles(ctx, l)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := schedulesData{Tabs: outreachTabs("schedules"), Error: problem}
	for _, sc := range ss {
		d.Rows = append(d.Rows, scheduleRowOf(l, sc, titles))
	}
	s.render(w, r, status, "outreach_schedules", page{Title: "outreachui.schedules.title", Nav: "outreach", Notice: notice, Data: d})
}

func findSchedule(r *http.Request, e *dispatch.Engine, id int64) (outreach.Schedule, error) {
	ss, err := e.Schedules(r.Context())
	if err != nil {
		return outreach.Schedule{}, err
	}
	i := slices.IndexFunc(ss, func(sc outreach.Schedule) bool { return sc.ID == id })
	if i < 0 {
		return outreach.Schedule{}, otklik.Errorf(otklik.ENOTFOUND, "no schedule %d", id)
	}
	return ss[i], nil
}

func (s *Server) outreachScheduleForm(w http.ResponseWriter, r *http.Request) {
	e, ok := s.outreachAllowed(w, r)
	if !ok {
		return
	}
	d := scheduleFormData{New: true, F: blankScheduleForm()}
	if r.PathValue("id") != "" {
		id, err := outreachID(r, "schedule")
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		sc, err := findSchedule(r, e, id)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		d.New, d.F = false, scheduleToForm(sc)
	}
	s.renderScheduleForm(w, r, http.StatusOK, d)
}

func (s *Server) renderScheduleForm(w http.ResponseWriter, r *http.Request, status int, d scheduleFormData) {
	l := s.localizer(r)
	var err error
	if d.Surveys, err = s.surveyOptions(r.Context(), l, d.F.Survey); err != nil {
		s.errorPage(w, r, err)
		return
	}
	d.Tabs, d.Channels, d.Units = outreachTabs("schedules"), channelChoices(l, d.F.Channels), delayUnits
	for h := range 24 {
		d.Hours = append(d.Hours, hourChoice{Value: strconv.Itoa(h), Label: fmt.Sprintf("%02d:00", h)})
	}
	if d.Errors.At == nil {
		d.Errors.At = map[string]string{}
	}
	title := "outreachui.schedules.edit"
	if d.New {
		title = "outreachui.schedules.new"
	}
	s.render(w, r, status, "outreach_schedule", page{Title: title, Nav: "outreach", Data: d})
}

func (s *Server) saveOutreachSchedule(w http.ResponseWriter, r *http.Request) {
	e, ok := s.outreachAllowed(w, r)
	if !ok {
		return
	}
	f := readScheduleForm(r)
	if f.ID != 0 {
		if _, err := findSchedule(r, e, f.ID); err != nil {
			s.errorPage(w, r, err)
			return
		}
	}
	d, l := scheduleFormData{F: f, New: f.ID == 0}, s.localizer(r)
	sc, problems := f.schedule()
	if len(problems) > 0 {
		d.Errors = placeErrors(l, mergeProblems(problems, sc.Validate()), scheduleKnows)
		s.renderScheduleForm(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	if _, err := e.SaveSchedule(r.Context(), sc); err != nil {
		if otklik.ErrorCode(err) != otklik.EINVALID {
			s.errorPage(w, r, err)
			return
		}
		d.Errors = placeErrors(l, otklik.ErrorFields(err), scheduleKnows)
		s.renderScheduleForm(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	http.Redirect(w, r, "/outreach/schedules?done=saved", http.StatusSeeOther)
}

func (s *Server) toggleOutreachSchedule(w http.ResponseWriter, r *http.Request) {
	e, ok := s.outreachAllowed(w, r)
	if !ok {
		return
	}
	id, err := outreachID(r, "schedule")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	sc, err := findSchedule(r, e, id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	sc.Enabled = !sc.Enabled
	if _, err := e.SaveSchedule(r.Context(), sc); err != nil {
		if otklik.ErrorCode(err) != otklik.EINVALID {
			s.errorPage(w, r, err)
			return
		}
		s.renderSchedules(w, r, http.StatusUnprocessableEntity, "", sc.Name+": "+describeOutreach(s.localizer(r), err))
		return
	}
	http.Redirect(w, r, "/outreach/schedules?done=changed", http.StatusSeeOther)
}

func (s *Server) deleteOutreachSchedule(w http.ResponseWriter, r *http.Request) {
	s.deleteDefinition(w, r, "schedule", "/outreach/schedules?done=deleted")
}
