package web

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/crm"
	"otklik/internal/dispatch"
	"otklik/internal/locale"
	"otklik/internal/outreach"
)

// The outreach settings (/outreach…): the contact policy, the event
// triggers, the lifetime schedules, the CRM integrations and the outgoing
// webhooks — everything an administrator decides about when customers are
// asked. Every change goes through dispatch.Engine, which validates it and
// names each bad field by its JSON path (caps[1].max, delay_max,
// bitrix24.portal_url). The forms' fields carry the same names, so an error
// lands next to the field that caused it; the engine's English messages
// are put into the reader's language by outreachMessages, and a message
// not listed there is shown as it came, so none is ever hidden.

// manageOutreach lets administrators through (otklik.ManageOutreach).
func manageOutreach(r *http.Request) error {
	_, err := viewerOf(r).user.Actor().Scope(otklik.ManageOutreach)
	return err
}

// outreachEngine is the engine the pages work through; a server started
// without one (some tests) says so rather than panicking.
func (s *Server) outreachEngine() (*dispatch.Engine, error) {
	if s.cfg.Outreach == nil {
		return nil, otklik.Errorf(otklik.EINTERNAL, "no outreach engine")
	}
	return s.cfg.Outreach, nil
}

// outreachAllowed is the start of every outreach handler: the role, then
// the engine.
func (s *Server) outreachAllowed(w http.ResponseWriter, r *http.Request) (*dispatch.Engine, bool) {
	if err := manageOutreach(r); err != nil {
		s.errorPage(w, r, err)
		return nil, false
	}
	e, err := s.outreachEngine()
	if err != nil {
		s.errorPage(w, r, err)
		return nil, false
	}
	return e, true
}

// outreachTab is one of the section's tabs.
type outreachTab struct {
	Href, Label string
	Current     bool
}

var outreachTabList = []struct{ key, href string }{
	{"policy", "/outreach"},
	{"triggers", "/outreach/triggers"},
	{"schedules", "/outreach/schedules"},
	{"integrations", "/outreach/integrations"},
	{"webhooks", "/outreach/webhooks"},
}

// outreachTabs lists the section's tabs with current marked.
func outreachTabs(current string) []outreachTab {
	out := make([]outreachTab, 0, len(outreachTabList))
	for _, t := range outreachTabList {
		out = append(out, outreachTab{Href: t.href, Label: "outreachui.tab." + t.key, Current: t.key == current})
	}
	return out
}

// outreachDone turns the ?done= of a redirect into the notice shown once.
func outreachDone(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "saved":
		return "outreachui.notice.saved"
	case "deleted":
		return "outreachui.notice.deleted"
	case "changed":
		return "outreachui.notice.changed"
	}
	return ""
}

// formErrors places field errors next to a form's fields; an error that no
// field shows goes to Other, with its field's name, so none is lost.
type formErrors struct {
	At    map[string]string
	Other []string
}

// Any reports whether there is an error to show.
func (e formErrors) Any() bool { return len(e.At) > 0 || len(e.Other) > 0 }

// trailingIndex is the index of one element of a list field: the form
// shows a list in one field, so segments[2] is shown at segments.
var trailingIndex = regexp.MustCompile(`\[\d+\]$`)

// formKey is the form field that shows an error about field.
func formKey(field string) string { return trailingIndex.ReplaceAllString(field, "") }

// placeErrors translates fields' messages and places them at the fields
// known reports the form shows.
func placeErrors(l *locale.Localizer, fields []otklik.FieldError, known func(key string) bool) formErrors {
	e := formErrors{At: map[string]string{}}
	for _, fe := range fields {
		key, msg := formKey(fe.Field), outreachMessage(l, fe.Message)
		switch {
		case !known(key):
			e.Other = append(e.Other, fe.Field+": "+msg)
		case e.At[key] == "":
			e.At[key] = msg
		case !strings.Contains(e.At[key], msg):
			e.At[key] += "; " + msg
		}
	}
	return e
}

// mergeProblems is what the form could not read, then what the engine's
// validation says about the other fields, so one round trip shows every
// problem.
func mergeProblems(read otklik.Problems, validate error) []otklik.FieldError {
	out := append([]otklik.FieldError(nil), read...)
	for _, fe := range otklik.ErrorFields(validate) {
		if !slices.ContainsFunc(read, func(p otklik.FieldError) bool { return formKey(p.Field) == formKey(fe.Field) }) {
			out = append(out, fe)
		}
	}
	return out
}

// outreachMessages turns the validation messages of internal/outreach,
// dispatch and the webhook channel (written in English for the API) into
// the reader's language. Captured parts are passed as A, B, C; ISO 8601
// durations among them are written in words first.
var outreachMessages = []struct {
	re *regexp.Regexp
	id string
}{
	{regexp.MustCompile(`^must be from 0 \(any tenure\) to (\d+)$`), "outreachui.err.tenure"},
	{regexp.MustCompile(`^must be from (\d+) to (\d+)$`), "outreachui.err.from_to"},
	{regexp.MustCompile(`^"(.*)" is not an IANA time zone name`), "outreachui.err.zone"},
	{regexp.MustCompile(`^"(.*)" is not a time from 00:00 to (\d\d:\d\d)`), "outreachui.err.clock"},
	{regexp.MustCompile(`^is required when (?:to|from) is given$`), "outreachui.err.quiet_pair"},
	{regexp.MustCompile(`^(\d\d:\d\d)–(\d\d:\d\d) leaves no time of day`), "outreachui.err.quiet_all_day"},
	{regexp.MustCompile(`^-?\d+ is not an ISO weekday`), "outreachui.err.weekday"},
	{regexp.MustCompile(`^weekday \d+ is listed twice$`), "outreachui.err.weekday_twice"},
	{regexp.MustCompile(`^needs at least one day$`), "outreachui.err.no_days"},
	{regexp.MustCompile(`^"(.*)" is not a source`), "outreachui.err.source"},
	{regexp.MustCompile(`^repeats "(.*)"$`), "outreachui.err.repeats"},
	{regexp.MustCompile(`^must be 0 \(no reminder\) or 1$`), "outreachui.err.reminders"},
	{regexp.MustCompile(`^is required when reminders is 1`), "outreachui.err.reminder_after"},
	{regexp.MustCompile(`^is longer than (-?P[0-9A-Z.]+)$`), "outreachui.err.too_long_duration"},
	{regexp.MustCompile(`^is (-?P[0-9A-Z.]+), shorter than delay_min (P[0-9A-Z.]+)$`), "outreachui.err.max_below_min"},
	{regexp.MustCompile(`^is (-?P[0-9A-Z.]+), shorter than delay_max (P[0-9A-Z.]+): .*\(suggested: (P[0-9A-Z.]+)\)$`), "outreachui.err.validity_short"},
	{regexp.MustCompile(`^must be longer than zero$`), "outreachui.err.positive_duration"},
	{regexp.MustCompile(`^must be an event type`), "outreachui.err.event_type"},
	{regexp.MustCompile(`^must be a survey key`), "outreachui.err.survey_key"},
	{regexp.MustCompile(`^no survey "(.*)": create it first$`), "outreachui.err.no_survey"},
	{regexp.MustCompile(`^needs at least one channel`), "outreachui.err.no_channel"},
	{regexp.MustCompile(`^"(.*)" is not a channel invitations go out on`), "outreachui.err.channel"},
	{regexp.MustCompile(`^needs at least one month`), "outreachui.err.no_months"},
	{regexp.MustCompile(`^(-?\d+) is not a month from 1 to (\d+)$`), "outreachui.err.month"},
	{regexp.MustCompile(`^must be later than (-?\d+): list months in ascending order`), "outreachui.err.month_order"},
	{regexp.MustCompile(`^"(.*)" is not a whole number$`), "outreachui.err.not_number"},
	{regexp.MustCompile(`^(-?\d+) is not an hour from 0 to 23$`), "outreachui.err.hour"},
	{regexp.MustCompile(`^must be the portal's inbound webhook URL`), "outreachui.err.portal_url"},
	{regexp.MustCompile(`^must be an absolute http or https URL$`), "outreachui.err.url"},
	{regexp.MustCompile(`^must not contain a user name or password$`), "outreachui.err.url_user"},
	{regexp.MustCompile(`^has no host$`), "outreachui.err.url_host"},
	{regexp.MustCompile(`^name at least one event type`), "outreachui.err.no_events"},
}

// outreachMessage translates one validation message: the outreach table,
// then the closed loop's (required, too long, empty, …), else as it came.
func outreachMessage(l *locale.Localizer, msg string) string {
	for _, m := range outreachMessages {
		if sub := m.re.FindStringSubmatch(msg); sub != nil {
			data := map[string]any{}
			for i, v := range sub[1:] {
				if d, err := outreach.ParseDuration(v); err == nil && strings.HasPrefix(v, "P") {
					v = durationWords(l, d)
				}
				data[string(rune('A'+i))] = v
			}
			return l.T(m.id, data)
		}
	}
	return fieldMessage(l, msg)
}

// Units a delay is typed in.
const (
	unitMinutes = "minutes"
	unitHours   = "hours"
	unitDays    = "days"
)

var delayUnits = []string{unitMinutes, unitHours, unitDays}

func unitSize(unit string) time.Duration {
	switch unit {
	case unitMinutes:
		return time.Minute
	case unitHours:
		return time.Hour
	case unitDays:
		return 24 * time.Hour
	}
	return 0
}

// delayInput is a duration as typed: a whole number and its unit, kept as
// text so a refused form shows what was typed.
type delayInput struct {
	N    string
	Unit string
}

// delayToInput writes d in the largest unit that holds it whole; zero is
// written in unit def. A duration with seconds (set through the API) is
// rounded up to whole minutes: the form counts no finer.
func delayToInput(d outreach.Duration, def string) delayInput {
	std := d.Std()
	switch {
	case std == 0:
		return delayInput{N: "0", Unit: def}
	case std%(24*time.Hour) == 0:
		return delayInput{N: strconv.FormatInt(int64(std/(24*time.Hour)), 10), Unit: unitDays}
	case std%time.Hour == 0:
		return delayInput{N: strconv.FormatInt(int64(std/time.Hour), 10), Unit: unitHours}
	}
	return delayInput{N: strconv.FormatInt(int64((std+time.Minute-1)/time.Minute), 10), Unit: unitMinutes}
}

// readDelay reads the fields name and name_unit.
func readDelay(r *http.Request, name string) delayInput {
	return delayInput{N: strings.TrimSpace(r.PostFormValue(name)), Unit: r.PostFormValue(name + "_unit")}
}

// duration converts the input, recording under field what cannot be read.
// Blank is absent (false) when optional, else a problem. A number too
// large for a duration is kept just past the longest delay, so the engine
// says what the limit is instead of the value wrapping round.
func (in delayInput) duration(field string, optional bool, p *otklik.Problems) (outreach.Duration, bool) {
	if in.N == "" {
		if !optional {
			p.Add(field, "is required")
		}
		return 0, false
	}
	n, err := strconv.ParseInt(in.N, 10, 64)
	if err != nil {
		p.Add(field, "%q is not a whole number", truncateText(in.N, 20))
		return 0, false
	}
	size := unitSize(in.Unit)
	if size == 0 {
		p.Add(field, "must be one of minutes, hours, days")
		return 0, false
	}
	n = min(max(n, -1), int64(outreach.MaxDelay.Std()/size)+1)
	return outreach.Duration(time.Duration(n) * size), true
}

// truncateText shortens what is echoed in a message.
func truncateText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// wholeUnit is the largest unit every one of ds is a whole number of.
func wholeUnit(ds ...time.Duration) (time.Duration, string) {
	for _, u := range []string{unitDays, unitHours, unitMinutes} {
		size := unitSize(u)
		if !slices.ContainsFunc(ds, func(d time.Duration) bool { return d%size != 0 }) {
			return size, u
		}
	}
	return 0, ""
}

// amountIn writes d as a count of unit: «3 дня», «72 ч», «30 мин». The
// days take the case the sentence needs: form "" (nominative and
// accusative, «через 3 дня») or "gen" (genitive, «в течение 3 дней»).
func amountIn(l *locale.Localizer, d time.Duration, unit, form string) string {
	n := int(d / unitSize(unit))
	switch unit {
	case unitDays:
		if form == "gen" {
			return l.N("outreachui.unit.days_gen", n)
		}
		return l.N("outreachui.unit.days", n)
	case unitHours:
		return l.T("outreachui.unit.hours", map[string]any{"N": l.Number(float64(n), 0)})
	}
	return l.T("outreachui.unit.minutes", map[string]any{"N": l.Number(float64(n), 0)})
}

// durationWords writes a duration for a reader: «6 дней», «36 ч»,
// «90 мин», and a long one that is no whole number of its unit in parts,
// «3 дня 30 мин»; what is not whole minutes keeps its ISO form.
func durationWords(l *locale.Localizer, d outreach.Duration) string {
	return durationForm(l, d, "")
}

func durationForm(l *locale.Localizer, d outreach.Duration, form string) string {
	std := d.Std()
	switch {
	case std == 0:
		return l.T("outreachui.unit.none")
	case std < 0 || std%time.Minute != 0:
		return d.String()
	case std%(24*time.Hour) == 0:
		return amountIn(l, std, unitDays, form)
	case std%time.Hour == 0 && std < 72*time.Hour:
		return amountIn(l, std, unitHours, form)
	case std < 3*time.Hour:
		return amountIn(l, std, unitMinutes, form)
	}
	var parts []string
	for _, u := range []string{unitDays, unitHours, unitMinutes} {
		size := unitSize(u)
		if n := std / size; n > 0 {
			parts = append(parts, amountIn(l, n*size, u, form))
			std -= n * size
		}
	}
	return strings.Join(parts, " ")
}

// windowWords writes a trigger's delay window: «сразу», «в течение
// 30 мин», «через 3 дня», «через 12–72 ч», «через 36 ч – 3 дня».
func windowWords(l *locale.Localizer, lo, hi outreach.Duration) string {
	switch {
	case hi <= 0:
		return l.T("outreachui.window.at_once")
	case lo <= 0:
		return l.T("outreachui.window.within", map[string]any{"Max": durationForm(l, hi, "gen")})
	case lo == hi:
		return l.T("outreachui.window.after", map[string]any{"Max": durationWords(l, hi)})
	}
	if size, unit := wholeUnit(lo.Std(), hi.Std()); unit != "" {
		return l.T("outreachui.window.range", map[string]any{"Min": l.Number(float64(lo.Std()/size), 0),
			"Max": amountIn(l, hi.Std(), unit, "")})
	}
	return l.T("outreachui.window.range_mixed", map[string]any{"Min": durationWords(l, lo), "Max": durationWords(l, hi)})
}

// eventName is an event type for a reader: the known types in words, a
// custom one as it is.
func eventName(l *locale.Localizer, typ string) string {
	if slices.Contains(crm.KnownTypes, typ) {
		return l.T("outreachui.event." + typ)
	}
	return typ
}

// channelPlaces gives each channel of an ordered list its place, "1" for
// the first; a channel not in the list has "".
func channelPlaces(chs []otklik.Channel) map[otklik.Channel]string {
	m := map[otklik.Channel]string{}
	for i, ch := range chs {
		m[ch] = strconv.Itoa(i + 1)
	}
	return m
}

// readChannelPlaces reads the place chosen for each channel invitations go
// out on (fields channel.email, channel.telegram).
func readChannelPlaces(r *http.Request) map[otklik.Channel]string {
	m := map[otklik.Channel]string{}
	for _, ch := range outreach.SendChannels() {
		if v := strings.TrimSpace(r.PostFormValue("channel." + string(ch))); v != "" {
			m[ch] = v
		}
	}
	return m
}

// placesToChannels orders the chosen channels by place; two at the same
// place keep the usual order (e-mail, then Telegram). A place that is not
// a positive number leaves its channel out.
func placesToChannels(m map[otklik.Channel]string) []otklik.Channel {
	type placed struct {
		ch otklik.Channel
		at int
	}
	var ps []placed
	for _, ch := range outreach.SendChannels() {
		if at, err := strconv.Atoi(m[ch]); err == nil && at > 0 {
			ps = append(ps, placed{ch, at})
		}
	}
	slices.SortStableFunc(ps, func(a, b placed) int { return a.at - b.at })
	out := make([]otklik.Channel, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.ch)
	}
	return out
}

// channelsWords writes channels in order: «e-mail → Telegram».
func channelsWords(l *locale.Localizer, chs []otklik.Channel) string {
	var names []string
	for _, ch := range chs {
		names = append(names, channelName(l, ch))
	}
	return strings.Join(names, " → ")
}

func channelName(l *locale.Localizer, ch otklik.Channel) string {
	if slices.Contains(outreach.SendChannels(), ch) {
		return l.T("outreachui.channel." + string(ch))
	}
	return string(ch)
}

// channelChoice is one channel's place picker in a form.
type channelChoice struct {
	Channel otklik.Channel
	Name    string
	Place   string
}

func channelChoices(l *locale.Localizer, places map[otklik.Channel]string) []channelChoice {
	var out []channelChoice
	for _, ch := range outreach.SendChannels() {
		out = append(out, channelChoice{Channel: ch, Name: channelName(l, ch), Place: places[ch]})
	}
	return out
}

// surveyOption is a survey in a form's picker.
type surveyOption struct {
	Key, Title string
	Missing    bool // named by the trigger or schedule, but not found
}

// surveyOptions lists the surveys to choose from; a current key that names
// no survey is kept as an option, marked, so saving the form does not
// change it silently.
func (s *Server) surveyOptions(ctx context.Context, l *locale.Localizer, current string) ([]surveyOption, error) {
	surveys, err := s.db.Surveys(ctx)
	if err != nil {
		return nil, err
	}
	var out []surveyOption
	for _, sv := range surveys {
		out = append(out, surveyOption{Key: sv.Key, Title: sv.Title.In(l.Lang())})
	}
	if current != "" && !slices.ContainsFunc(out, func(o surveyOption) bool { return o.Key == current }) {
		out = append([]surveyOption{{Key: current, Missing: true}}, out...)
	}
	return out, nil
}

// surveyTitles maps survey keys to their titles in the reader's language.
func (s *Server) surveyTitles(ctx context.Context, l *locale.Localizer) (map[string]string, error) {
	surveys, err := s.db.Surveys(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(surveys))
	for _, sv := range surveys {
		m[sv.Key] = sv.Title.In(l.Lang())
	}
	return m, nil
}

// outreachID reads the {id} of an outreach path; anything else is not found.
func outreachID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, otklik.Errorf(otklik.ENOTFOUND, "no %s %s", what, r.PathValue("id"))
	}
	return id, nil
}

// joinList writes a list for a comma-separated field.
func joinList(xs []string) string { return strings.Join(xs, ", ") }
