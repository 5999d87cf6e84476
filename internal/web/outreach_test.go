package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/calendar"
	"otklik/internal/channel/webhook"
	"otklik/internal/crm"
	"otklik/internal/dispatch"
	"otklik/internal/outreach"
)

// The outreach forms without a server: reading them, durations in words,
// the engine's messages in Russian. The pages over HTTP are tested in
// web_outreach_test.go.

// outreachRequest is a POST carrying form, as a browser sends it.
func outreachRequest(form url.Values) *http.Request {
	r := httptest.NewRequest("POST", "/outreach", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestWindowWords(t *testing.T) {
	cat := catalog(t)
	h, d := outreach.Hours, outreach.Days
	for _, tc := range []struct {
		lo, hi outreach.Duration
		ru, en string
	}{
		{0, 0, "сразу", "at once"},
		{0, outreach.Minutes(30), "в течение 30\u00a0мин", "within 30\u00a0min"},
		{0, h(24), "в течение 1 дня", "within 1 day"},
		{0, d(5), "в течение 5 дней", "within 5 days"},
		{0, d(21), "в течение 21 дня", "within 21 days"},
		{0, d(3) + outreach.Minutes(30), "в течение 3 дней 30\u00a0мин", "within 3 days 30\u00a0min"},
		{h(12), h(72), "через 12–72\u00a0ч", "12–72\u00a0h later"},
		{d(1), d(2), "через 1–2 дня", "1–2 days later"},
		{d(3), d(7), "через 3–7 дней", "3–7 days later"},
		{d(3), d(3), "через 3 дня", "3 days later"},
		{h(36), d(3), "через 36–72\u00a0ч", "36–72\u00a0h later"},
		{outreach.Minutes(90), h(2), "через 90–120\u00a0мин", "90–120\u00a0min later"},
		{outreach.Duration(30 * time.Second), h(1), "через PT30S – 1\u00a0ч", "PT30S – 1\u00a0h later"},
	} {
		if got := windowWords(cat.For("ru"), tc.lo, tc.hi); got != tc.ru {
			t.Errorf("ru %s–%s: %q, want %q", tc.lo, tc.hi, got, tc.ru)
		}
		if got := windowWords(cat.For("en"), tc.lo, tc.hi); got != tc.en {
			t.Errorf("en %s–%s: %q, want %q", tc.lo, tc.hi, got, tc.en)
		}
	}
}

func TestDurationWords(t *testing.T) {
	cat := catalog(t)
	for _, tc := range []struct {
		d      outreach.Duration
		ru, en string
	}{
		{outreach.Days(6), "6 дней", "6 days"},
		{outreach.Hours(144), "6 дней", "6 days"},
		{outreach.Days(1), "1 день", "1 day"},
		{outreach.Days(2), "2 дня", "2 days"},
		{outreach.Days(366), "366 дней", "366 days"},
		{outreach.Hours(36), "36\u00a0ч", "36\u00a0h"},
		{outreach.Minutes(90), "90\u00a0мин", "90\u00a0min"},
		{0, "0\u00a0мин", "0\u00a0min"},
		{outreach.Days(3) + outreach.Minutes(30), "3 дня 30\u00a0мин", "3 days 30\u00a0min"},
		{outreach.Hours(84), "3 дня 12\u00a0ч", "3 days 12\u00a0h"},
		{outreach.Minutes(190), "3\u00a0ч 10\u00a0мин", "3\u00a0h 10\u00a0min"},
		{outreach.Duration(90 * time.Second), "PT1M30S", "PT1M30S"},
	} {
		if got := durationWords(cat.For("ru"), tc.d); got != tc.ru {
			t.Errorf("ru %s: %q, want %q", tc.d, got, tc.ru)
		}
		if got := durationWords(cat.For("en"), tc.d); got != tc.en {
			t.Errorf("en %s: %q, want %q", tc.d, got, tc.en)
		}
	}
}

func TestDelayInput(t *testing.T) {
	maxMinutes := int64(366*24*60) + 1 // past the longest delay, for the engine to refuse
	for _, tc := range []struct {
		in       delayInput
		optional bool
		want     time.Duration
		present  bool
		problem  string
	}{
		{delayInput{"12", unitHours}, false, 12 * time.Hour, true, ""},
		{delayInput{"0", unitMinutes}, false, 0, true, ""},
		{delayInput{"3", unitDays}, false, 72 * time.Hour, true, ""},
		{delayInput{"", unitDays}, true, 0, false, ""},
		{delayInput{"", unitDays}, false, 0, false, "d is required"},
		{delayInput{"1,5", unitHours}, false, 0, false, `d "1,5" is not a whole number`},
		{delayInput{"3", "weeks"}, false, 0, false, "d must be one of minutes, hours, days"},
		{delayInput{"-5", unitDays}, false, -24 * time.Hour, true, ""},
		{delayInput{"99999999999", unitDays}, false, 367 * 24 * time.Hour, true, ""},
		{delayInput{"9223372036854775807", unitMinutes}, false, time.Duration(maxMinutes) * time.Minute, true, ""},
	} {
		var p otklik.Problems
		got, present := tc.in.duration("d", tc.optional, &p)
		problem := ""
		if len(p) > 0 {
			problem = p[0].Field + " " + p[0].Message
		}
		if got.Std() != tc.want || present != tc.present || problem != tc.problem {
			t.Errorf("%+v: %s %v %q, want %s %v %q", tc.in, got.Std(), present, problem, tc.want, tc.present, tc.problem)
		}
	}
	for _, tc := range []struct {
		d    time.Duration
		want delayInput
	}{
		{0, delayInput{"0", unitHours}},
		{72 * time.Hour, delayInput{"3", unitDays}},
		{36 * time.Hour, delayInput{"36", unitHours}},
		{90 * time.Minute, delayInput{"90", unitMinutes}},
		{90 * time.Second, delayInput{"2", unitMinutes}}, // rounded up: the form counts whole minutes
	} {
		if got := delayToInput(outreach.Duration(tc.d), unitHours); got != tc.want {
			t.Errorf("delayToInput(%s) = %+v, want %+v", tc.d, got, tc.want)
		}
	}
}

// TestOutreachMessages: the engine's messages read in Russian, durations in
// words; and every message the validations can produce is translated.
func TestOutreachMessages(t *testing.T) {
	ru := catalog(t).For("ru")
	fieldMsg := func(err error, field string) string {
		for _, fe := range otklik.ErrorFields(err) {
			if fe.Field == field {
				return fe.Message
			}
		}
		t.Fatalf("no problem at %s in %v", field, err)
		return ""
	}
	tr := outreach.Trigger{Name: "x", EventType: "deal_won", Survey: "nps", Channels: []otklik.Channel{otklik.ChannelEmail},
		DelayMin: outreach.Days(3), DelayMax: outreach.Hours(1), Validity: outreach.Days(1)}
	long := tr
	long.DelayMin, long.DelayMax, long.Validity = 0, outreach.Days(400), outreach.Days(800)
	pol := outreach.DefaultPolicy()
	pol.TimeZone, pol.Caps[0].Max = "Europe/Mowcow", 0
	for _, tc := range []struct{ msg, want string }{
		{fieldMsg(tr.Validate(), "delay_max"), "1\u00a0ч — меньше, чем «не раньше чем через» (3 дня)."},
		{fieldMsg(outreach.Trigger{DelayMax: outreach.Days(3), Validity: outreach.Days(1)}.Validate(), "validity"),
			"1 день — меньше, чем «желательно не позже» (3 дня): приглашение устареет раньше, чем придёт его время. Подойдёт, например, 6 дней."},
		{fieldMsg(long.Validate(), "delay_max"), "Слишком долго: не больше 366 дней."},
		{fieldMsg(pol.Validate(), "time_zone"), "«Europe/Mowcow» — не часовой пояс. Укажите название из базы IANA, например Europe/Moscow."},
		{fieldMsg(pol.Validate(), "caps[0].max"), "Допустимо от 1 до 1000."},
		{`no survey "csat": create it first`, "Опроса «csat» нет: сначала создайте его."},
		{"is required", "Заполните это поле."},
	} {
		if got := outreachMessage(ru, tc.msg); got != tc.want {
			t.Errorf("%q reads\n%q, want\n%q", tc.msg, got, tc.want)
		}
	}

	// Everything wrong at once, to collect every message the forms can meet.
	var all []otklik.FieldError
	badPolicy := outreach.Policy{Caps: []outreach.Cap{{Name: " ", TenureBelowMonths: -1, Segments: []string{""}, Max: 0, PeriodDays: 0},
		{Name: strings.Repeat("й", 300), Max: 2000, PeriodDays: 9999}},
		TimeZone: "Mars/Base", Quiet: calendar.Quiet{From: "25:00", To: ""}, BusinessDays: []int{0, 1, 1},
		Priorities: []string{"spam", "loop", "loop"}, Reminders: 3, ReminderAfter: -1}
	all = append(all, otklik.ErrorFields(badPolicy.Validate())...)
	allDay := outreach.DefaultPolicy()
	allDay.Quiet, allDay.Reminders, allDay.ReminderAfter = calendar.Quiet{From: "00:00", To: "24:00"}, 1, 0
	all = append(all, otklik.ErrorFields(allDay.Validate())...)
	quietTo := outreach.DefaultPolicy()
	quietTo.Quiet = calendar.Quiet{To: "09:00"}
	all = append(all, otklik.ErrorFields(quietTo.Validate())...)
	badTrigger := outreach.Trigger{Name: "", EventType: "Deal Won", Segments: []string{" "}, Services: []string{strings.Repeat("x", 300)},
		Survey: "NPS!", Channels: []otklik.Channel{"sms", otklik.ChannelEmail, otklik.ChannelEmail}, DelayMin: -1, DelayMax: outreach.Days(400)}
	all = append(all, otklik.ErrorFields(badTrigger.Validate())...)
	all = append(all, otklik.ErrorFields(outreach.Trigger{}.Validate())...)
	all = append(all, otklik.ErrorFields(tr.Validate())...)
	badSchedule := outreach.Schedule{Service: strings.Repeat("x", 300), Months: []int{0, 6, 3}, SendHour: 24, Validity: outreach.Days(400)}
	all = append(all, otklik.ErrorFields(badSchedule.Validate())...)
	all = append(all, otklik.ErrorFields(outreach.Schedule{}.Validate())...)
	for _, raw := range []string{"", "ftp://x", "https://u:p@example.com", "https://", strings.Repeat("h", 3000)} {
		all = append(all, otklik.ErrorFields(webhook.ValidateURL(raw))...)
	}
	var p otklik.Problems
	p.Add("business_days", "needs at least one day")
	p.Add("months", "%q is not a whole number", "март")
	p.Add("send_hour", "is not a whole number")
	p.Add("bitrix24.portal_url", "must be the portal's inbound webhook URL, https://<portal>/rest/<user>/<key>/")
	p.Add("events", "name at least one event type, or * for all")
	p.Add("events[0]", "must be one of %s or *", strings.Join(dispatch.WebhookEventTypes(), ", "))
	all = append(all, p...)
	if len(all) < 40 {
		t.Fatalf("only %d messages collected: the inputs above no longer fail as planned", len(all))
	}
	for _, fe := range all {
		got := outreachMessage(ru, fe.Message)
		if got == fe.Message || strings.HasPrefix(got, "outreachui.") || strings.HasPrefix(got, "loop.") || strings.Contains(got, "<no value>") {
			t.Errorf("%s: %q is not translated (%q)", fe.Field, fe.Message, got)
		}
	}
}

// policyFormValues writes a policy form as the browser posts it.
func policyFormValues(f policyForm) url.Values {
	v := url.Values{"time_zone": {f.TimeZone}, "quiet.from": {f.QuietFrom}, "quiet.to": {f.QuietTo},
		"priorities": f.Priorities, "reminder_after": {f.ReminderAfter.N}, "reminder_after_unit": {f.ReminderAfter.Unit},
		"reminders": {f.Reminders}, "caps_count": {strconv.Itoa(len(f.Caps))}, "action": {"save"}}
	for i, c := range f.Caps {
		p := fmt.Sprintf("caps[%d].", i)
		v.Set(p+"name", c.Name)
		v.Set(p+"tenure_below_months", c.Tenure)
		v.Set(p+"segments", c.Segments)
		v.Set(p+"max", c.Max)
		v.Set(p+"period_days", c.Period)
	}
	for d := 1; d <= 7; d++ {
		if f.Days[d] {
			v.Add("business_days", strconv.Itoa(d))
		}
	}
	if f.Holidays {
		v.Set("holidays", "1")
	}
	return v
}

// outreachCustomPolicy uses every field of the policy.
func outreachCustomPolicy() outreach.Policy {
	return outreach.Policy{
		Caps: []outreach.Cap{
			{Name: "VIP: не чаще раза в квартал", Segments: []string{"VIP", "Крупные клиенты"}, Max: 1, PeriodDays: 90},
			{Name: outreach.CapNewCustomers, TenureBelowMonths: 3, Max: 1, PeriodDays: 14},
			{Name: outreach.CapEstablishedCustomers, Max: 4, PeriodDays: 365},
		},
		TimeZone: "Asia/Yekaterinburg", Quiet: calendar.Quiet{From: "20:00", To: "10:00"}, BusinessDays: []int{1, 2, 3, 4, 5, 6},
		Priorities:    []string{outreach.SourceEvent, outreach.SourceLoop, outreach.SourceLifetime, outreach.SourceMarketing},
		ReminderAfter: outreach.Hours(36), Reminders: 1,
	}
}

// TestPolicyFormRoundTrip: a policy shown in the form and posted back
// unchanged is the same policy, in either language (the default caps'
// names are shown translated and stored under their keys).
func TestPolicyFormRoundTrip(t *testing.T) {
	cat := catalog(t)
	keys := capKeys(cat)
	for _, lang := range []string{"ru", "en"} {
		for _, want := range []outreach.Policy{outreach.DefaultPolicy(), outreachCustomPolicy()} {
			shown := policyToForm(cat.For(lang), want)
			f, action := readPolicyForm(outreachRequest(policyFormValues(shown)))
			if action != "save" || f.edit(action) {
				t.Fatalf("action %q is not a save", action)
			}
			f.dropBlankCaps()
			got, problems := f.policy(keys)
			if len(problems) > 0 {
				t.Fatalf("%s: %v", lang, problems)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: came back as\n%+v\nwant\n%+v", lang, got, want)
			}
		}
	}
	if f := policyToForm(cat.For("ru"), outreach.DefaultPolicy()); f.Caps[0].Name != "Новые клиенты" || f.ReminderAfter != (delayInput{"3", unitDays}) {
		t.Errorf("the default policy shows as %+v", f)
	}
	// No business days stored means every day: all seven boxes are ticked.
	every := outreach.DefaultPolicy()
	every.BusinessDays = nil
	if f := policyToForm(cat.For("ru"), every); len(f.Days) != 7 || !f.Days[1] || !f.Days[7] {
		t.Errorf("every day shows as %v", f.Days)
	}
}

// TestPolicyFormButtons: the buttons that change the form without saving.
func TestPolicyFormButtons(t *testing.T) {
	base := policyToForm(catalog(t).For("ru"), outreachCustomPolicy())
	for _, tc := range []struct {
		action string
		edits  bool
		caps   []string // the caps' names after
		prio   string
	}{
		{"add_cap", true, []string{"VIP: не чаще раза в квартал", "Новые клиенты", "Постоянные клиенты", ""}, "event loop lifetime marketing"},
		{"remove_cap:1", true, []string{"VIP: не чаще раза в квартал", "Постоянные клиенты"}, "event loop lifetime marketing"},
		{"remove_cap:7", true, []string{"VIP: не чаще раза в квартал", "Новые клиенты", "Постоянные клиенты"}, "event loop lifetime marketing"},
		{"up:1", true, []string{"VIP: не чаще раза в квартал", "Новые клиенты", "Постоянные клиенты"}, "loop event lifetime marketing"},
		{"down:3", true, []string{"VIP: не чаще раза в квартал", "Новые клиенты", "Постоянные клиенты"}, "event loop lifetime marketing"},
		{"down:2", true, []string{"VIP: не чаще раза в квартал", "Новые клиенты", "Постоянные клиенты"}, "event loop marketing lifetime"},
		{"save", false, []string{"VIP: не чаще раза в квартал", "Новые клиенты", "Постоянные клиенты"}, "event loop lifetime marketing"},
		{"", false, []string{"VIP: не чаще раза в квартал", "Новые клиенты", "Постоянные клиенты"}, "event loop lifetime marketing"},
	} {
		v := policyFormValues(base)
		v.Set("action", tc.action)
		f, action := readPolicyForm(outreachRequest(v))
		if got := f.edit(action); got != tc.edits {
			t.Errorf("%q edits: %v, want %v", tc.action, got, tc.edits)
		}
		var names []string
		for _, c := range f.Caps {
			names = append(names, c.Name)
		}
		if fmt.Sprintf("%q", names) != fmt.Sprintf("%q", tc.caps) || strings.Join(f.Priorities, " ") != tc.prio {
			t.Errorf("%q: caps %q, priorities %q; want %q, %q", tc.action, names, f.Priorities, tc.caps, tc.prio)
		}
	}
	// A form posted with priorities missing or repeated still lists each
	// source once; unticked days are refused rather than read as every day.
	v := policyFormValues(base)
	v["priorities"] = []string{"lifetime", "lifetime", "spam"}
	v.Del("business_days")
	f, _ := readPolicyForm(outreachRequest(v))
	if got := strings.Join(f.Priorities, " "); got != "lifetime loop event marketing" {
		t.Errorf("priorities %q", got)
	}
	if _, problems := f.policy(nil); len(problems) != 1 || problems[0].Field != "business_days" {
		t.Errorf("no days: %v", problems)
	}
}

// triggerFormValues writes a trigger form as the browser posts it.
func triggerFormValues(f triggerForm) url.Values {
	v := url.Values{"id": {strconv.FormatInt(f.ID, 10)}, "name": {f.Name}, "event_type": {f.EventType}, "event_custom": {f.EventCustom},
		"segments": {f.Segments}, "services": {f.Services}, "survey": {f.Survey},
		"delay_min": {f.DelayMin.N}, "delay_min_unit": {f.DelayMin.Unit}, "delay_max": {f.DelayMax.N}, "delay_max_unit": {f.DelayMax.Unit},
		"validity": {f.Validity.N}, "validity_unit": {f.Validity.Unit}}
	for ch, place := range f.Channels {
		v.Set("channel."+string(ch), place)
	}
	if f.Enabled {
		v.Set("enabled", "1")
	}
	return v
}

func TestTriggerFormRoundTrip(t *testing.T) {
	custom := outreach.Trigger{ID: 9, Name: "После подписания договора", EventType: "contract.signed", Segments: []string{"ипотека", "VIP"},
		Services: []string{"Рефинансирование"}, Survey: "nps-b2b", Channels: []otklik.Channel{otklik.ChannelTelegram, otklik.ChannelEmail},
		DelayMin: outreach.Minutes(90), DelayMax: outreach.Hours(36), Validity: outreach.Days(10), Enabled: false}
	for i, want := range append(outreach.DefaultTriggers(), custom) {
		if want.ID == 0 {
			want.ID = int64(i + 1)
		}
		got, problems := readTriggerForm(outreachRequest(triggerFormValues(triggerToForm(want)))).trigger()
		if len(problems) > 0 {
			t.Fatalf("%s: %v", want.Name, problems)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s came back as\n%+v\nwant\n%+v", want.Name, got, want)
		}
	}
	// A new trigger: the event typed wins over the list and is lowercased;
	// a blank validity is the engine's default; e-mail is left out.
	f := blankTriggerForm()
	f.Name, f.EventCustom, f.Validity = "Своё", "Contract.Signed", delayInput{"", unitDays}
	f.Channels = map[otklik.Channel]string{otklik.ChannelTelegram: "1"}
	f.DelayMin, f.DelayMax = delayInput{"12", unitHours}, delayInput{"3", unitDays}
	got, problems := readTriggerForm(outreachRequest(triggerFormValues(f))).trigger()
	want := outreach.Trigger{Name: "Своё", EventType: "contract.signed", Survey: "nps", Channels: []otklik.Channel{otklik.ChannelTelegram},
		DelayMin: outreach.Hours(12), DelayMax: outreach.Days(3), Validity: outreach.Days(6), Enabled: true}
	if len(problems) > 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("new trigger %+v %v, want %+v", got, problems, want)
	}
	// An event type not in the list is ignored in the list, not trusted.
	v := triggerFormValues(f)
	v.Set("event_custom", "")
	v.Set("event_type", "<script>")
	if got, _ := readTriggerForm(outreachRequest(v)).trigger(); got.EventType != "" {
		t.Errorf("event type %q from a tampered list", got.EventType)
	}
}

// scheduleFormValues writes a schedule form as the browser posts it.
func scheduleFormValues(f scheduleForm) url.Values {
	v := url.Values{"id": {strconv.FormatInt(f.ID, 10)}, "name": {f.Name}, "service": {f.Service}, "months": {f.Months},
		"survey": {f.Survey}, "validity": {f.Validity.N}, "validity_unit": {f.Validity.Unit}, "send_hour": {f.SendHour}}
	for ch, place := range f.Channels {
		v.Set("channel."+string(ch), place)
	}
	if f.Enabled {
		v.Set("enabled", "1")
	}
	return v
}

func TestScheduleFormRoundTrip(t *testing.T) {
	def := outreach.DefaultSchedule()
	def.ID = 1
	custom := outreach.Schedule{ID: 4, Name: "Ипотека: 1 и 24 месяц", Service: "Ипотека", Months: []int{1, 24}, Survey: "csat",
		Channels: []otklik.Channel{otklik.ChannelTelegram}, Validity: outreach.Hours(60), SendHour: 0, Enabled: false}
	for _, want := range []outreach.Schedule{def, custom} {
		got, problems := readScheduleForm(outreachRequest(scheduleFormValues(scheduleToForm(want)))).schedule()
		if len(problems) > 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s came back as\n%+v %v\nwant\n%+v", want.Name, got, problems, want)
		}
	}
	// Months in any order and repeated are sorted and kept once; words are
	// refused by name.
	f := scheduleToForm(custom)
	f.Months = "12; 3, 6,3"
	if got, _ := readScheduleForm(outreachRequest(scheduleFormValues(f))).schedule(); fmt.Sprint(got.Months) != "[3 6 12]" {
		t.Errorf("months %v", got.Months)
	}
	f.Months = "3, март"
	_, problems := readScheduleForm(outreachRequest(scheduleFormValues(f))).schedule()
	if len(problems) != 1 || problems[0].Field != "months" || problems[0].Message != `"март" is not a whole number` {
		t.Errorf("problems %v", problems)
	}
}

// TestOutreachIDsExist: the message ids the pages build at run time exist
// in both languages (the templates' literal ids are checked by
// TestEveryMessageIDExists).
func TestOutreachIDsExist(t *testing.T) {
	var ids []string
	for _, tab := range outreachTabs("") {
		ids = append(ids, tab.Label)
	}
	for _, src := range outreach.Sources() {
		ids = append(ids, "outreachui.source."+src, "outreachui.source_hint."+src)
	}
	for d := 1; d <= 7; d++ {
		ids = append(ids, "outreachui.weekday."+strconv.Itoa(d))
	}
	for _, typ := range crm.KnownTypes {
		ids = append(ids, "outreachui.event."+typ)
	}
	for _, ch := range outreach.SendChannels() {
		ids = append(ids, "outreachui.channel."+string(ch))
	}
	for _, u := range delayUnits {
		ids = append(ids, "outreachui.delay."+u)
	}
	for _, ev := range dispatch.WebhookEventTypes() {
		ids = append(ids, "outreachui.hook_event."+strings.ReplaceAll(ev, ".", "_"))
	}
	for _, m := range outreachMessages {
		ids = append(ids, m.id)
	}
	for _, key := range []string{outreach.CapNewCustomers, outreach.CapEstablishedCustomers} {
		ids = append(ids, "outreachui.cap."+key)
	}
	for _, done := range []string{"saved", "deleted", "changed"} {
		r := httptest.NewRequest("GET", "/outreach?done="+done, nil)
		ids = append(ids, outreachDone(r))
	}
	for _, key := range []string{"name", "event_type", "segments", "services", "survey", "channels", "delay_min", "delay_max",
		"validity", "service", "months", "send_hour"} {
		if triggerKnows(key) || scheduleKnows(key) {
			ids = append(ids, "outreachui.field."+key)
		}
	}
	ids = append(ids, "outreachui.unit.none", "outreachui.unit.days", "outreachui.unit.days_gen", "outreachui.hook_event.all")
	cat := catalog(t)
	for _, lang := range []string{"ru", "en"} {
		if missing := cat.MissingIn(lang, ids); len(missing) > 0 {
			t.Errorf("%s lacks %v", lang, missing)
		}
	}
}

// FuzzOutreachForms: whatever is posted, reading the three forms never
// panics, and what a form accepts and the engine's validation passes
// shows again as the same thing.
func FuzzOutreachForms(f *testing.F) {
	f.Add("name=x&event_type=deal_won&survey=nps&channel.email=1&delay_min=0&delay_min_unit=hours&delay_max=24&delay_max_unit=hours&enabled=1")
	f.Add("name=y&event_custom=A.B&segments=a,,b&channel.telegram=2&channel.email=2&delay_min=90&delay_min_unit=minutes&delay_max=3&delay_max_unit=days&validity=10&validity_unit=days&months=12,3;3&send_hour=7")
	f.Add("caps_count=2&caps[0].name=Новые клиенты&caps[0].tenure_below_months=6&caps[0].max=1&caps[0].period_days=30&caps[1].max=2&caps[1].period_days=365&caps[1].name=b&time_zone=Europe/Moscow&quiet.from=21:00&quiet.to=09:00&business_days=1&business_days=5&holidays=1&priorities=event&reminders=1&reminder_after=3&reminder_after_unit=days")
	f.Add("caps_count=99999999999&action=up:-1&reminders=2&reminder_after=-3&reminder_after_unit=weeks&business_days=8")
	cat := catalog(f)
	keys, ru := capKeys(cat), cat.For("ru")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		req := func() *http.Request { return outreachRequest(form) }

		if tr, problems := readTriggerForm(req()).trigger(); len(problems) == 0 && tr.Validate() == nil {
			again, problems := readTriggerForm(outreachRequest(triggerFormValues(triggerToForm(tr)))).trigger()
			if len(problems) > 0 || !reflect.DeepEqual(again, tr) {
				t.Fatalf("trigger round trip:\n%+v\n%+v %v", tr, again, problems)
			}
		}
		if sc, problems := readScheduleForm(req()).schedule(); len(problems) == 0 && sc.Validate() == nil {
			again, problems := readScheduleForm(outreachRequest(scheduleFormValues(scheduleToForm(sc)))).schedule()
			if len(problems) > 0 || !reflect.DeepEqual(again, sc) {
				t.Fatalf("schedule round trip:\n%+v\n%+v %v", sc, again, problems)
			}
		}
		pf, action := readPolicyForm(req())
		if pf.edit(action) {
			return
		}
		pf.dropBlankCaps()
		if p, problems := pf.policy(keys); len(problems) == 0 && p.Validate() == nil {
			shown := policyToForm(ru, p)
			back, _ := readPolicyForm(outreachRequest(policyFormValues(shown)))
			back.dropBlankCaps()
			again, problems := back.policy(keys)
			if len(problems) > 0 || !reflect.DeepEqual(again, p) {
				t.Fatalf("policy round trip:\n%+v\n%+v %v", p, again, problems)
			}
		}
	})
}
