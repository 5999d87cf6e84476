package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"otklik"
	"otklik/internal/crm"
	"otklik/internal/dispatch"
	"otklik/internal/locale"
	"otklik/internal/outreach"
)

// Event triggers (/outreach/triggers): the list in words («после события
// «Сделка выиграна», через 12–72 ч»), a form to add or change one, and
// switching one on or off. Delays are typed as a number and a unit and
// become outreach.Duration; a blank validity is the engine's default (the
// window's end plus as long again, at least three days).

// triggerForm is a trigger as the form shows it.
type triggerForm struct {
	ID          int64
	Name        string
	EventType   string // one of crm.KnownTypes chosen in the list, or ""
	EventCustom string // a type of the business's own; wins over the list
	Segments    string // comma-separated
	Services    string // comma-separated
	Survey      string
	Channels    map[otklik.Channel]string // place, "1" first; "" not used
	DelayMin    delayInput
	DelayMax    delayInput
	Validity    delayInput // blank: outreach.DefaultValidity(delay max)
	Enabled     bool
}

func triggerToForm(t outreach.Trigger) triggerForm {
	f := triggerForm{ID: t.ID, Name: t.Name, Segments: joinList(t.Segments), Services: joinList(t.Services), Survey: t.Survey,
		Channels: channelPlaces(t.Channels), DelayMin: delayToInput(t.DelayMin, unitHours),
		DelayMax: delayToInput(t.DelayMax, unitHours), Validity: delayToInput(t.Validity, unitDays), Enabled: t.Enabled}
	if slices.Contains(crm.KnownTypes, t.EventType) {
		f.EventType = t.EventType
	} else {
		f.EventCustom = t.EventType
	}
	return f
}

// blankTriggerForm is what the form offers for a new trigger: NPS by
// e-mail, then Telegram, within a day of a deal won, valid as long as the
// engine's default.
func blankTriggerForm() triggerForm {
	f := triggerToForm(outreach.Trigger{EventType: crm.TypeDealWon, Survey: "nps", Enabled: true,
		Channels: outreach.SendChannels(), DelayMax: outreach.Hours(24)})
	f.Validity = delayInput{Unit: unitDays}
	return f
}

func readTriggerForm(r *http.Request) triggerForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := triggerForm{Name: v("name"), EventCustom: strings.ToLower(v("event_custom")), Segments: v("segments"),
		Services: v("services"), Survey: v("survey"), Channels: readChannelPlaces(r), DelayMin: readDelay(r, "delay_min"),
		DelayMax: readDelay(r, "delay_max"), Validity: readDelay(r, "validity"), Enabled: v("enabled") == "1"}
	if t := v("event_type"); slices.Contains(crm.KnownTypes, t) {
		f.EventType = t
	}
	f.ID, _ = strconv.ParseInt(v("id"), 10, 64)
	return f
}

// trigger builds the trigger from the form, with the problems of reading
// it; the engine validates the rest.
func (f triggerForm) trigger() (outreach.Trigger, otklik.Problems) {
	var p otklik.Problems
	t := outreach.Trigger{ID: f.ID, Name: f.Name, EventType: f.EventType, Segments: splitList(f.Segments),
		Services: splitList(f.Services), Survey: f.Survey, Channels: placesToChannels(f.Channels), Enabled: f.Enabled}
	if f.EventCustom != "" {
		t.EventType = f.EventCustom
	}
	t.DelayMin, _ = f.DelayMin.duration("delay_min", false, &p)
	t.DelayMax, _ = f.DelayMax.duration("delay_max", false, &p)
	if v, ok := f.Validity.duration("validity", true, &p); ok {
		t.Validity = v
	} else {
		t.Validity = outreach.DefaultValidity(t.DelayMax)
	}
	return t, p
}

func triggerKnows(key string) bool {
	switch key {
	case "name", "event_type", "segments", "services", "survey", "channels", "delay_min", "delay_max", "validity":
		return true
	}
	return false
}

// triggerRow is a trigger in the list, in words.
type triggerRow struct {
	T             outreach.Trigger
	Event         string
	Custom        bool // not one of the known event types
	Survey        string
	SurveyMissing bool
	Channels      string
	Window        string
	Validity      string
	Segments      string
	Services      string
}

func triggerRowOf(l *locale.Localizer, t outreach.Trigger, titles map[string]string) triggerRow {
	title, ok := titles[t.Survey]
	return triggerRow{T: t, Event: eventName(l, t.EventType), Custom: !slices.Contains(crm.KnownTypes, t.EventType),
		Survey: title, SurveyMissing: !ok, Channels: channelsWords(l, t.Channels), Window: windowWords(l, t.DelayMin, t.DelayMax),
		Validity: durationWords(l, t.Validity), Segments: joinList(t.Segments), Services: joinList(t.Services)}
}

type triggersData struct {
	Tabs  []outreachTab
	Rows  []triggerRow
	Error string
}

// eventChoice is a known event type in the form's list.
type eventChoice struct {
	Type, Name string
}

type triggerFormData struct {
	Tabs     []outreachTab
	F        triggerForm
	New      bool
	Errors   formErrors
	Events   []eventChoice
	Surveys  []surveyOption
	Channels []channelChoice
	Units    []string
	Default  string // the default validity for the trigger's window, in words
}

func (s *Server) outreachTriggers(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.outreachAllowed(w, r); !ok {
		return
	}
	s.renderTriggers(w, r, http.StatusOK, outreachDone(r), "")
}

func (s *Server) renderTriggers(w http.ResponseWriter, r *http.Request, status int, notice, problem string) {
	ctx, l := r.Context(), s.localizer(r)
	ts, err := s.cfg.Outreach.Triggers(ctx)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	titles, err := s.surveyTitles(ctx, l)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := triggersData{Tabs: outreachTabs("triggers"), Error: problem}
	for _, t := range ts {
		d.Rows = append(d.Rows, triggerRowOf(l, t, titles))
	}
	s.render(w, r, status, "outreach_triggers", page{Title: "outreachui.triggers.title", Nav: "outreach", Notice: notice, Data: d})
}

// findTrigger returns the trigger {id}, or a not-found error.
func findTrigger(r *http.Request, e *dispatch.Engine, id int64) (outreach.Trigger, error) {
	ts, err := e.Triggers(r.Context())
	if err != nil {
		return outreach.Trigger{}, err
	}
	i := slices.IndexFunc(ts, func(t outreach.Trigger) bool { return t.ID == id })
	if i < 0 {
		return outreach.Trigger{}, otklik.Errorf(otklik.ENOTFOUND, "no trigger %d", id)
	}
	return ts[i], nil
}

func (s *Server) outreachTriggerForm(w http.ResponseWriter, r *http.Request) {
	e, ok := s.outreachAllowed(w, r)
	if !ok {
		return
	}
	d := triggerFormData{New: true, F: blankTriggerForm()}
	if r.PathValue("id") != "" {
		id, err := outreachID(r, "trigger")
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		t, err := findTrigger(r, e, id)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		d.New, d.F = false, triggerToForm(t)
	}
	s.renderTriggerForm(w, r, http.StatusOK, d)
}

func (s *Server) renderTriggerForm(w http.ResponseWriter, r *http.Request, status int, d triggerFormData) {
	l := s.localizer(r)
	var err error
	if d.Surveys, err = s.surveyOptions(r.Context(), l, d.F.Survey); err != nil {
		s.errorPage(w, r, err)
		return
	}
	for _, t := range crm.KnownTypes {
		d.Events = append(d.Events, eventChoice{Type: t, Name: eventName(l, t)})
	}
	d.Tabs, d.Channels, d.Units = outreachTabs("triggers"), channelChoices(l, d.F.Channels), delayUnits
	if hi, _ := d.F.DelayMax.duration("delay_max", false, &otklik.Problems{}); hi >= 0 {
		d.Default = durationWords(l, outreach.DefaultValidity(hi))
	}
	if d.Errors.At == nil {
		d.Errors.At = map[string]string{}
	}
	title := "outreachui.triggers.edit"
	if d.New {
		title = "outreachui.triggers.new"
	}
	s.render(w, r, status, "outreach_trigger", page{Title: title, Nav: "outreach", Data: d})
}

func (s *Server) saveOutreachTrigger(w http.ResponseWriter, r *http.Request) {
	e, ok := s.outreachAllowed(w, r)
	if !ok {
		return
	}
	f := readTriggerForm(r)
	if f.ID != 0 {
		if _, err := findTrigger(r, e, f.ID); err != nil {
			s.errorPage(w, r, err)
			return
		}
	}
	d, l := triggerFormData{F: f, New: f.ID == 0}, s.localizer(r)
	t, problems := f.trigger()
	if len(problems) > 0 {
		d.Errors = placeErrors(l, mergeProblems(problems, t.Validate()), triggerKnows)
		s.renderTriggerForm(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	if _, err := e.SaveTrigger(r.Context(), t); err != nil {
		if otklik.ErrorCode(err) != otklik.EINVALID {
			s.errorPage(w, r, err)
			return
		}
		d.Errors = placeErrors(l, otklik.ErrorFields(err), triggerKnows)
		s.renderTriggerForm(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	http.Redirect(w, r, "/outreach/triggers?done=saved", http.StatusSeeOther)
}

// toggleOutreachTrigger switches a trigger on or off. The engine checks
// the whole trigger again, so one naming a survey that has since gone
// cannot be saved: the list then says why.
func (s *Server) toggleOutreachTrigger(w http.ResponseWriter, r *http.Request) {
	e, ok := s.outreachAllowed(w, r)
	if !ok {
		return
	}
	id, err := outreachID(r, "trigger")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	t, err := findTrigger(r, e, id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	t.Enabled = !t.Enabled
	if _, err := e.SaveTrigger(r.Context(), t); err != nil {
		if otklik.ErrorCode(err) != otklik.EINVALID {
			s.errorPage(w, r, err)
			return
		}
		s.renderTriggers(w, r, http.StatusUnprocessableEntity, "", t.Name+": "+describeOutreach(s.localizer(r), err))
		return
	}
	http.Redirect(w, r, "/outreach/triggers?done=changed", http.StatusSeeOther)
}

func (s *Server) deleteOutreachTrigger(w http.ResponseWriter, r *http.Request) {
	s.deleteDefinition(w, r, "trigger", "/outreach/triggers?done=deleted")
}

// deleteDefinition deletes a trigger or a schedule.
func (s *Server) deleteDefinition(w http.ResponseWriter, r *http.Request, kind, done string) {
	if _, ok := s.outreachAllowed(w, r); !ok {
		return
	}
	id, err := outreachID(r, kind)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	if err := s.db.DeleteDefinition(r.Context(), kind, id); err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, done, http.StatusSeeOther)
}

// describeOutreach writes an engine's validation error as one line in the
// reader's language.
func describeOutreach(l *locale.Localizer, err error) string {
	var parts []string
	for _, fe := range otklik.ErrorFields(err) {
		label := formKey(fe.Field)
		if t := l.T("outreachui.field." + label); t != "outreachui.field."+label {
			label = t
		}
		parts = append(parts, label+": "+outreachMessage(l, fe.Message))
	}
	if len(parts) == 0 {
		return otklik.ErrorMessage(err)
	}
	return strings.Join(parts, "; ")
}
