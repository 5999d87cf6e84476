package web_test

// The outreach settings pages over HTTP, on both databases: who may open
// them, CSRF, every form saved and read back through the engine, errors
// next to their fields with the input kept, hostile text, and the webhook
// secret shown once.

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/calendar"
	"otklik/internal/outreach"
	"otklik/internal/storetest"
)

var (
	outreachFormTag     = regexp.MustCompile(`(?s)<form\b[^>]*\baction="([^"]*)"[^>]*>(.*?)</form>`)
	outreachInputTag    = regexp.MustCompile(`<input\b[^>]*>`)
	outreachSelectTag   = regexp.MustCompile(`(?s)<select\b([^>]*)>(.*?)</select>`)
	outreachOptionTag   = regexp.MustCompile(`<option\b([^>]*)>`)
	outreachAttrPattern = regexp.MustCompile(`([a-z_-]+)(?:="([^"]*)")?`)
)

func outreachAttrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range outreachAttrPattern.FindAllStringSubmatch(tag, -1) {
		m[a[1]] = html.UnescapeString(a[2])
	}
	return m
}

// outreachFormValues is what a browser would post from the page's first form with
// action, its buttons left unpressed.
func outreachFormValues(t *testing.T, body, action string) url.Values {
	t.Helper()
	for _, m := range outreachFormTag.FindAllStringSubmatch(body, -1) {
		if m[1] != action {
			continue
		}
		v := url.Values{}
		for _, tag := range outreachInputTag.FindAllString(m[2], -1) {
			a := outreachAttrs(tag)
			if _, checked := a["checked"]; (a["type"] == "checkbox" || a["type"] == "radio") && !checked || a["name"] == "" {
				continue
			}
			v.Add(a["name"], a["value"])
		}
		for _, sel := range outreachSelectTag.FindAllStringSubmatch(m[2], -1) {
			name, chosen := outreachAttrs(sel[1])["name"], ""
			for i, opt := range outreachOptionTag.FindAllStringSubmatch(sel[2], -1) {
				a := outreachAttrs(opt[1])
				if _, selected := a["selected"]; selected || i == 0 {
					chosen = a["value"]
				}
			}
			v.Set(name, chosen)
		}
		return v
	}
	t.Fatalf("no form posting to %s", action)
	return nil
}

// outreachErrorAt returns the field error shown after the field name and before
// the next field: next to it.
func outreachErrorAt(body, name string) string {
	_, rest, ok := strings.Cut(body, `name="`+name+`"`)
	if !ok {
		return "(no field)"
	}
	if i := strings.Index(rest, ` name="`); i >= 0 {
		rest = rest[:i]
	}
	m := regexp.MustCompile(`<span class="field-error">([^<]*)</span>`).FindStringSubmatch(rest)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// outreachValue is the value the page's field name holds.
func outreachValue(body, name string) string {
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		return "(no field)"
	}
	return html.UnescapeString(m[1])
}

// outreachState is what the engine and the store hold, for "nothing
// changed" checks.
func outreachState(t *testing.T, w *workspace) string {
	t.Helper()
	ctx := t.Context()
	p, err := w.app.Outreach.Policy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := w.app.Outreach.Triggers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := w.app.Outreach.Schedules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := w.app.Outreach.Integrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hooks, err := w.app.DB.Webhooks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var hs []string
	for _, h := range hooks {
		hs = append(hs, fmt.Sprint(h.ID, h.URL, h.Events, h.Enabled))
	}
	return fmt.Sprintf("%+v\n%+v\n%+v\n%+v\n%v", p, ts, ss, in, hs)
}

func TestOutreachPagesByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		ctx := t.Context()
		ts, err := w.app.Outreach.Triggers(ctx)
		if err != nil || len(ts) == 0 {
			t.Fatalf("no default triggers: %v", err)
		}
		ss, err := w.app.Outreach.Schedules(ctx)
		if err != nil || len(ss) == 0 {
			t.Fatalf("no default schedule: %v", err)
		}
		hook, err := w.app.Outreach.CreateWebhook(ctx, "https://hooks.example.com/otklik", []string{"*"})
		if err != nil {
			t.Fatal(err)
		}
		trig, sched := ts[0].ID, ss[0].ID
		gets := []string{"/outreach", "/outreach/triggers", "/outreach/triggers/new", fmt.Sprintf("/outreach/triggers/%d", trig),
			"/outreach/schedules", "/outreach/schedules/new", fmt.Sprintf("/outreach/schedules/%d", sched),
			"/outreach/integrations", "/outreach/webhooks", fmt.Sprintf("/outreach/webhooks/%d", hook.ID)}
		posts := map[string]url.Values{
			"/outreach/policy":   {"action": {"save"}, "time_zone": {"UTC"}, "caps_count": {"0"}, "business_days": {"1"}, "reminders": {"0"}},
			"/outreach/triggers": {"name": {"x"}, "event_type": {"deal_won"}, "survey": {"nps"}, "channel.email": {"1"}, "delay_min": {"0"}, "delay_min_unit": {"hours"}, "delay_max": {"1"}, "delay_max_unit": {"hours"}},
			fmt.Sprintf("/outreach/triggers/%d/toggle", trig):    {},
			fmt.Sprintf("/outreach/triggers/%d/delete", trig):    {},
			"/outreach/schedules":                                {"name": {"x"}, "months": {"3"}, "survey": {"nps"}, "channel.email": {"1"}, "validity": {"3"}, "validity_unit": {"days"}, "send_hour": {"10"}},
			fmt.Sprintf("/outreach/schedules/%d/toggle", sched):  {},
			fmt.Sprintf("/outreach/schedules/%d/delete", sched):  {},
			"/outreach/integrations":                             {"amocrm.customer_field": {"stolen"}},
			"/outreach/webhooks":                                 {"url": {"https://evil.example.com/"}, "events": {"*"}},
			fmt.Sprintf("/outreach/webhooks/%d/toggle", hook.ID): {"enabled": {"0"}},
			fmt.Sprintf("/outreach/webhooks/%d/delete", hook.ID): {},
		}
		before := outreachState(t, w)
		nav := regexp.MustCompile(`<nav>[\s\S]*?</nav>`)
		for _, role := range []string{"anna", "lead-north", "viewer", "agent", "interviewer", "reviewer"} {
			b, token := w.browserAs(roleEmails[role])
			for _, path := range gets {
				if status, body := b.get(path); status != http.StatusForbidden {
					t.Errorf("%s GET %s: %d, want 403\n%.300s", role, path, status, body)
				}
			}
			for path, form := range posts {
				form = outreachClone(form)
				form.Set("_csrf", token)
				if status, _, _ := b.post(path, form); status != http.StatusForbidden {
					t.Errorf("%s POST %s: %d, want 403", role, path, status)
				}
			}
			if _, body := b.get("/surveys"); strings.Contains(nav.FindString(body), `href="/outreach"`) {
				t.Errorf("%s is offered the outreach pages", role)
			}
		}
		// An administrator without the session's token is refused too.
		admin, token := w.browserAs(emailAdmin)
		_, other := w.browserAs(emailAdmin2)
		for path, form := range posts {
			for _, bad := range []string{"", other, token + "x"} {
				form = outreachClone(form)
				form.Set("_csrf", bad)
				if status, _, _ := admin.post(path, form); status != http.StatusForbidden {
					t.Errorf("admin POST %s with _csrf %q: %d", path, bad, status)
				}
			}
		}
		if after := outreachState(t, w); after != before {
			t.Errorf("refused requests changed something:\n%s\nwas\n%s", after, before)
		}
		for _, path := range gets {
			status, body := admin.get(path)
			want(t, "admin GET "+path, status, http.StatusOK, body)
			if !has(body, `aria-current="page">Опросы клиентов</a>`) {
				t.Errorf("%s is not under «Опросы клиентов» in the menu", path)
			}
		}
		for _, path := range []string{"/outreach/triggers/999999", "/outreach/triggers/x", "/outreach/schedules/999999", "/outreach/webhooks/999999"} {
			if status, _ := admin.get(path); status != http.StatusNotFound {
				t.Errorf("admin GET %s: %d, want 404", path, status)
			}
		}
		if status, _, _ := admin.post("/outreach/triggers/999999/toggle", url.Values{"_csrf": {token}}); status != http.StatusNotFound {
			t.Errorf("toggling a trigger that is not there: %d", status)
		}
	})
}

func outreachClone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func TestOutreachForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		admin, token := w.browserAs(emailAdmin)
		ctx := t.Context()
		post := func(path string, form url.Values) (int, string, string) {
			t.Helper()
			form.Set("_csrf", token)
			return admin.post(path, form)
		}

		t.Run("Policy", func(t *testing.T) {
			status, body := admin.get("/outreach")
			want(t, "the policy", status, http.StatusOK, body)
			for _, s := range []string{`value="Новые клиенты"`, `value="Постоянные клиенты"`, `value="Europe/Moscow"`, `value="21:00"`,
				"Повторный опрос после случая", `name="business_days" value="5" checked`} {
				if !has(body, s) {
					t.Errorf("the policy page lacks %q", s)
				}
			}
			if has(body, `name="business_days" value="6" checked`) {
				t.Error("Saturday is ticked in the default policy")
			}
			// Posted back unchanged, the policy is the same: the default
			// caps keep their keys though shown in Russian.
			v := outreachFormValues(t, body, "/outreach/policy")
			v.Set("action", "save")
			if status, loc, body := post("/outreach/policy", v); status != http.StatusSeeOther || loc != "/outreach?done=saved" {
				t.Fatalf("saving unchanged: %d %q\n%.500s", status, loc, body)
			}
			if p, _ := w.app.Outreach.Policy(ctx); !reflect.DeepEqual(p, outreach.DefaultPolicy()) {
				t.Errorf("saved unchanged, the policy became\n%+v", p)
			}

			// A new policy: a VIP cap first, a blank row left empty, six
			// days, events before the loop, a reminder after 36 hours.
			v = outreachFormValues(t, body, "/outreach/policy")
			v.Set("caps_count", "3")
			v.Set("caps[0].name", "VIP")
			v.Set("caps[0].tenure_below_months", "")
			v.Set("caps[0].segments", "VIP, Крупные")
			v.Set("caps[0].max", "1")
			v.Set("caps[0].period_days", "90")
			v.Set("caps[1].name", "Новые клиенты")
			v.Set("caps[1].tenure_below_months", "3")
			v.Set("caps[1].max", "1")
			v.Set("caps[1].period_days", "14")
			v.Set("time_zone", "Asia/Yekaterinburg")
			v.Set("quiet.from", "20:00")
			v.Set("quiet.to", "10:00")
			v["business_days"] = []string{"1", "2", "3", "4", "5", "6"}
			v.Del("holidays")
			v["priorities"] = []string{"event", "loop", "lifetime", "marketing"}
			v.Set("reminders", "1")
			v.Set("reminder_after", "36")
			v.Set("reminder_after_unit", "hours")
			v.Set("action", "save")
			if status, _, body := post("/outreach/policy", v); status != http.StatusSeeOther {
				t.Fatalf("saving: %d\n%.800s", status, body)
			}
			wantPolicy := outreach.Policy{
				Caps: []outreach.Cap{{Name: "VIP", Segments: []string{"VIP", "Крупные"}, Max: 1, PeriodDays: 90},
					{Name: outreach.CapNewCustomers, TenureBelowMonths: 3, Max: 1, PeriodDays: 14}},
				TimeZone: "Asia/Yekaterinburg", Quiet: calendar.Quiet{From: "20:00", To: "10:00"}, BusinessDays: []int{1, 2, 3, 4, 5, 6},
				Priorities: []string{"event", "loop", "lifetime", "marketing"}, ReminderAfter: outreach.Hours(36), Reminders: 1}
			if p, _ := w.app.Outreach.Policy(ctx); !reflect.DeepEqual(p, wantPolicy) {
				t.Errorf("the policy saved is\n%+v\nwant\n%+v", p, wantPolicy)
			}
			_, body = admin.get("/outreach?done=saved")
			if !has(body, `<p class="notice">Сохранено.</p>`) || outreachValue(body, "caps[0].name") != "VIP" || outreachValue(body, "reminder_after") != "36" {
				t.Errorf("the saved policy shows as\n%.1500s", body)
			}

			// Buttons change the form without saving it.
			saved := outreachState(t, w)
			v = outreachFormValues(t, body, "/outreach/policy")
			v.Set("action", "add_cap")
			status, _, body = post("/outreach/policy", v)
			want(t, "add a cap", status, http.StatusOK, body)
			if outreachValue(body, "caps_count") != "3" || outreachValue(body, "caps[2].name") != "" || !has(body, "Изменения ещё не сохранены") {
				t.Errorf("adding a cap shows %q rows", outreachValue(body, "caps_count"))
			}
			v = outreachFormValues(t, body, "/outreach/policy")
			v.Set("caps[2].name", "Черновик") // typed, then the first row removed: the typing stays
			v.Set("action", "remove_cap:0")
			_, _, body = post("/outreach/policy", v)
			if outreachValue(body, "caps[0].name") != "Новые клиенты" || outreachValue(body, "caps[1].name") != "Черновик" {
				t.Errorf("after removing the first cap the rows are %q, %q", outreachValue(body, "caps[0].name"), outreachValue(body, "caps[1].name"))
			}
			v = outreachFormValues(t, body, "/outreach/policy")
			v.Set("action", "up:1")
			_, _, body = post("/outreach/policy", v)
			if got := outreachFormValues(t, body, "/outreach/policy")["priorities"]; strings.Join(got, " ") != "loop event lifetime marketing" {
				t.Errorf("after moving the loop up: %v", got)
			}
			if outreachState(t, w) != saved {
				t.Error("a button other than save saved the policy")
			}

			// Errors stand next to their fields, with what was typed.
			v = outreachFormValues(t, body, "/outreach/policy")
			v.Set("time_zone", "Europe/Mowcow")
			v.Set("caps[0].max", "0")
			v.Set("caps[1].max", "много")
			v.Del("business_days")
			v.Set("action", "save")
			status, _, body = post("/outreach/policy", v)
			want(t, "a bad policy", status, http.StatusUnprocessableEntity, body)
			for field, msg := range map[string]string{
				"time_zone":    "«Europe/Mowcow» — не часовой пояс. Укажите название из базы IANA, например Europe/Moscow.",
				"caps[0].max":  "Допустимо от 1 до 1000.",
				"caps[1].max":  "Введите целое число.",
				"caps[1].name": "", // Черновик is fine
			} {
				if got := outreachErrorAt(body, field); got != msg {
					t.Errorf("%s shows error %q, want %q", field, got, msg)
				}
			}
			if outreachValue(body, "time_zone") != "Europe/Mowcow" || outreachValue(body, "caps[1].max") != "много" || outreachValue(body, "caps[1].name") != "Черновик" {
				t.Error("the refused form lost what was typed")
			}
			if !regexp.MustCompile(`(?s)<legend>Дни, когда можно писать</legend>.*?<span class="field-error">Отметьте хотя бы один день.</span>\s*</fieldset>`).MatchString(body) {
				t.Error("no error next to the business days")
			}
			if outreachState(t, w) != saved {
				t.Error("a refused policy was saved")
			}
		})

		t.Run("Triggers", func(t *testing.T) {
			status, body := admin.get("/outreach/triggers")
			want(t, "the triggers", status, http.StatusOK, body)
			for name, window := range map[string]string{
				"NPS после доставки":               "через 12–72\u00a0ч",
				"NPS после сдачи работ":            "через 3–7 дней",
				"CSAT после решения жалобы":        "через 1–2 дня",
				"CSAT после обращения в поддержку": "в течение 30\u00a0мин",
				"NPS после сделки":                 "в течение 1 дня",
			} {
				if !regexp.MustCompile(`(?s)>` + regexp.QuoteMeta(name) + `</a>.*?<td [^>]*class="window">` + regexp.QuoteMeta(window) + `</td>`).MatchString(body) {
					t.Errorf("%s is not listed as %q", name, window)
				}
			}
			if !has(body, "Сделка проиграна") || !has(body, "E-mail → Telegram") || !has(body, "6 дней") {
				t.Error("the list lacks event names, channels or validity in words")
			}

			// A new trigger with a hostile name, Telegram first.
			_, body = admin.get("/outreach/triggers/new")
			v := outreachFormValues(t, body, "/outreach/triggers")
			v.Set("name", hostile)
			v.Set("event_type", "delivered")
			v.Set("segments", "ипотека, авто")
			v.Set("survey", "csat")
			v.Set("channel.telegram", "1")
			v.Set("channel.email", "2")
			v.Set("delay_min", "2")
			v.Set("delay_min_unit", "hours")
			v.Set("delay_max", "3")
			v.Set("delay_max_unit", "days")
			v.Set("validity", "")
			if status, loc, body := post("/outreach/triggers", v); status != http.StatusSeeOther || loc != "/outreach/triggers?done=saved" {
				t.Fatalf("a new trigger: %d %q\n%.800s", status, loc, body)
			}
			created := outreachTrigger(t, w, strings.TrimSpace(hostile))
			wantT := outreach.Trigger{ID: created.ID, Name: strings.TrimSpace(hostile), EventType: "delivered", Segments: []string{"ипотека", "авто"},
				Survey: "csat", Channels: []otklik.Channel{otklik.ChannelTelegram, otklik.ChannelEmail},
				DelayMin: outreach.Hours(2), DelayMax: outreach.Days(3), Validity: outreach.Days(6), Enabled: true}
			if !reflect.DeepEqual(created, wantT) {
				t.Errorf("the trigger saved is\n%+v\nwant\n%+v", created, wantT)
			}
			_, body = admin.get("/outreach/triggers")
			if has(body, "<script>alert(1)") || has(body, "<img src=x") || !has(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Error("the hostile name is not shown as text")
			}
			if !has(body, "через 2–72\u00a0ч") || !has(body, "Telegram → E-mail") {
				t.Error("the new trigger's window or channels are not in words")
			}

			// Its form posted back unchanged changes nothing; then a custom
			// event and no Telegram.
			path := fmt.Sprintf("/outreach/triggers/%d", created.ID)
			_, body = admin.get(path)
			if outreachValue(body, "name") != strings.TrimSpace(hostile) || has(body, "<script>alert(1)") {
				t.Error("the form does not hold the name as text")
			}
			v = outreachFormValues(t, body, "/outreach/triggers")
			if status, _, body := post("/outreach/triggers", v); status != http.StatusSeeOther {
				t.Fatalf("saving unchanged: %d\n%.800s", status, body)
			}
			if got := outreachTrigger(t, w, strings.TrimSpace(hostile)); !reflect.DeepEqual(got, wantT) {
				t.Errorf("saved unchanged, the trigger became\n%+v", got)
			}
			v.Set("name", "Договор подписан")
			v.Set("event_custom", "Contract.Signed")
			v.Set("channel.telegram", "")
			v.Set("validity", "10")
			v.Set("validity_unit", "days")
			if status, _, body := post("/outreach/triggers", v); status != http.StatusSeeOther {
				t.Fatalf("editing: %d\n%.800s", status, body)
			}
			got := outreachTrigger(t, w, "Договор подписан")
			if got.ID != created.ID || got.EventType != "contract.signed" || fmt.Sprint(got.Channels) != "[email]" || got.Validity != outreach.Days(10) {
				t.Errorf("the edited trigger is %+v", got)
			}
			_, body = admin.get("/outreach/triggers")
			if !has(body, "<code>contract.signed</code>") {
				t.Error("a custom event type is not shown as it is")
			}

			// Errors next to their fields, the input kept.
			v.Set("delay_min", "3")
			v.Set("delay_min_unit", "days")
			v.Set("delay_max", "1")
			v.Set("delay_max_unit", "hours")
			v.Set("validity", "x")
			v.Set("channel.email", "")
			status, _, body = post("/outreach/triggers", v)
			want(t, "a bad trigger", status, http.StatusUnprocessableEntity, body)
			for field, msg := range map[string]string{
				"delay_max_unit": "1\u00a0ч — меньше, чем «не раньше чем через» (3 дня).",
				"validity_unit":  "«x» — не целое число.",
			} {
				if got := outreachErrorAt(body, field); got != msg {
					t.Errorf("%s shows error %q, want %q", field, got, msg)
				}
			}
			if !has(body, `<span class="field-error">Выберите хотя бы один канал.</span>`) || outreachValue(body, "delay_max") != "1" || outreachValue(body, "validity") != "x" {
				t.Errorf("the refused trigger form:\n%.2000s", body)
			}
			v = outreachFormValues(t, body, "/outreach/triggers")
			v.Set("survey", "nope")
			v.Set("channel.email", "1")
			v.Set("delay_max", "5")
			v.Set("delay_max_unit", "days")
			v.Set("validity", "")
			status, _, body = post("/outreach/triggers", v)
			want(t, "a trigger of a missing survey", status, http.StatusUnprocessableEntity, body)
			if !regexp.MustCompile(`(?s)name="survey">.*?</select>\s*<span class="field-error">Опроса «nope» нет: сначала создайте его.</span>`).MatchString(body) {
				t.Error("no error next to the survey")
			}

			// Off, on, deleted.
			toggle := fmt.Sprintf("/outreach/triggers/%d/toggle", created.ID)
			if status, loc, _ := post(toggle, url.Values{}); status != http.StatusSeeOther || loc != "/outreach/triggers?done=changed" {
				t.Fatalf("toggle: %d %q", status, loc)
			}
			if outreachTrigger(t, w, "Договор подписан").Enabled {
				t.Error("the trigger is still on")
			}
			_, body = admin.get("/outreach/triggers")
			if !regexp.MustCompile(`(?s)id="trigger-` + fmt.Sprint(created.ID) + `" class="off">.*?Выключен`).MatchString(body) {
				t.Error("the list does not show the trigger off")
			}
			post(toggle, url.Values{})
			if !outreachTrigger(t, w, "Договор подписан").Enabled {
				t.Error("the trigger did not come back on")
			}
			if status, loc, _ := post(fmt.Sprintf("/outreach/triggers/%d/delete", created.ID), url.Values{}); status != http.StatusSeeOther || loc != "/outreach/triggers?done=deleted" {
				t.Fatalf("delete: %d %q", status, loc)
			}
			if status, _ := admin.get(path); status != http.StatusNotFound {
				t.Errorf("a deleted trigger's form: %d", status)
			}
		})

		t.Run("Schedules", func(t *testing.T) {
			status, body := admin.get("/outreach/schedules")
			want(t, "the schedules", status, http.StatusOK, body)
			if !has(body, "NPS по сроку сотрудничества") || !has(body, "3, 6, 9, 12 мес.") || !has(body, "10:00") || !has(body, "30 дней") {
				t.Error("the default schedule is not listed in words")
			}
			_, body = admin.get("/outreach/schedules/new")
			v := outreachFormValues(t, body, "/outreach/schedules")
			v.Set("name", "NPS ипотеки")
			v.Set("service", "Ипотека")
			v.Set("months", "12, 3, 6, 3")
			v.Set("channel.telegram", "")
			v.Set("validity", "14")
			v.Set("send_hour", "11")
			if status, _, body := post("/outreach/schedules", v); status != http.StatusSeeOther {
				t.Fatalf("a new schedule: %d\n%.800s", status, body)
			}
			sc := outreachSchedule(t, w, "NPS ипотеки")
			wantS := outreach.Schedule{ID: sc.ID, Name: "NPS ипотеки", Service: "Ипотека", Months: []int{3, 6, 12}, Survey: "nps",
				Channels: []otklik.Channel{otklik.ChannelEmail}, Validity: outreach.Days(14), SendHour: 11, Enabled: true}
			if !reflect.DeepEqual(sc, wantS) {
				t.Errorf("the schedule saved is\n%+v\nwant\n%+v", sc, wantS)
			}
			_, body = admin.get(fmt.Sprintf("/outreach/schedules/%d", sc.ID))
			v = outreachFormValues(t, body, "/outreach/schedules")
			if status, _, _ := post("/outreach/schedules", v); status != http.StatusSeeOther {
				t.Fatal("saving the schedule unchanged failed")
			}
			if got := outreachSchedule(t, w, "NPS ипотеки"); !reflect.DeepEqual(got, wantS) {
				t.Errorf("saved unchanged, the schedule became %+v", got)
			}
			v.Set("months", "3, март")
			status, _, body = post("/outreach/schedules", v)
			want(t, "bad months", status, http.StatusUnprocessableEntity, body)
			if got := outreachErrorAt(body, "months"); got != "«март» — не целое число." || outreachValue(body, "months") != "3, март" {
				t.Errorf("months show error %q and value %q", got, outreachValue(body, "months"))
			}
			post(fmt.Sprintf("/outreach/schedules/%d/toggle", sc.ID), url.Values{})
			if outreachSchedule(t, w, "NPS ипотеки").Enabled {
				t.Error("the schedule is still on")
			}
			_, body = admin.get("/outreach/schedules")
			if !has(body, "Выключено") {
				t.Error("the list does not show the schedule off")
			}
			post(fmt.Sprintf("/outreach/schedules/%d/delete", sc.ID), url.Values{})
			if ss, _ := w.app.Outreach.Schedules(ctx); len(ss) != 1 {
				t.Errorf("%d schedules after deleting, want the default one", len(ss))
			}
		})

		t.Run("Integrations", func(t *testing.T) {
			in, err := w.app.Outreach.Integrations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			status, body := admin.get("/outreach/integrations")
			want(t, "the integrations", status, http.StatusOK, body)
			for _, u := range []string{"http://otklik.test/api/v1/integrations/amocrm/" + in.Secret, "http://otklik.test/api/v1/integrations/bitrix24/" + in.Secret} {
				if !has(body, `<code class="copy"`) || !has(body, u) {
					t.Errorf("the page does not show %s", u)
				}
			}
			if outreachValue(body, "bitrix24.customer_field") != "CONTACT_ID" || outreachValue(body, "bitrix24.lost_stages") != "LOSE, APOLOGY" {
				t.Error("the default Bitrix24 mapping is not shown")
			}
			v := outreachFormValues(t, body, "/outreach/integrations")
			v.Set("amocrm.customer_field", "Номер клиента")
			v.Set("bitrix24.portal_url", "https://romashka.bitrix24.ru/rest/1/abc123/")
			v.Set("bitrix24.application_token", "tok-1")
			v.Set("bitrix24.customer_field", "UF_CRM_1721244482250")
			v.Set("bitrix24.won_stages", "WON, C2:WON")
			if status, loc, body := post("/outreach/integrations", v); status != http.StatusSeeOther || loc != "/outreach/integrations?done=saved" {
				t.Fatalf("saving: %d %q\n%.800s", status, loc, body)
			}
			got, _ := w.app.Outreach.Integrations(ctx)
			if got.Secret != in.Secret || got.AmoCRM.CustomerField != "Номер клиента" || got.Bitrix.PortalURL != "https://romashka.bitrix24.ru/rest/1/abc123/" ||
				got.Bitrix.ApplicationToken != "tok-1" || got.Bitrix.CustomerField != "UF_CRM_1721244482250" ||
				fmt.Sprint(got.Bitrix.WonStages) != "[WON C2:WON]" || fmt.Sprint(got.Bitrix.LostStages) != "[LOSE APOLOGY]" {
				t.Errorf("the integrations saved are %+v", got)
			}
			v.Set("bitrix24.portal_url", "ftp://romashka")
			status, _, body = post("/outreach/integrations", v)
			want(t, "a bad portal", status, http.StatusUnprocessableEntity, body)
			if got := outreachErrorAt(body, "bitrix24.portal_url"); got != "Нужен адрес входящего вебхука портала: https://<портал>/rest/<пользователь>/<ключ>/." ||
				outreachValue(body, "bitrix24.portal_url") != "ftp://romashka" || !has(body, in.Secret) {
				t.Errorf("a bad portal shows error %q", got)
			}
		})

		t.Run("Webhooks", func(t *testing.T) {
			status, body := admin.get("/outreach/webhooks")
			want(t, "the webhooks", status, http.StatusOK, body)
			v := outreachFormValues(t, body, "/outreach/webhooks")
			v.Set("url", "ftp://hooks.example.com")
			status, _, body = post("/outreach/webhooks", v)
			want(t, "a bad webhook", status, http.StatusUnprocessableEntity, body)
			if outreachErrorAt(body, "url") != "Нужен полный адрес, начинающийся с http:// или https://." || outreachValue(body, "url") != "ftp://hooks.example.com" ||
				!has(body, `<span class="field-error">Отметьте хотя бы одно событие.</span>`) {
				t.Errorf("the refused webhook form:\n%.1500s", body)
			}

			v.Set("url", "https://hooks.example.com/otklik?token=abc")
			v["events"] = []string{"response.created", "case.opened"}
			status, _, body = post("/outreach/webhooks", v)
			want(t, "a new webhook", status, http.StatusOK, body)
			hooks, _ := w.app.DB.Webhooks(ctx)
			if len(hooks) != 1 || fmt.Sprint(hooks[0].Events) != "[response.created case.opened]" {
				t.Fatalf("webhooks %+v", hooks)
			}
			stored, _ := w.app.DB.Webhook(ctx, hooks[0].ID)
			shown := regexp.MustCompile(`<code class="copy secret" id="webhook-secret">([^<]*)</code>`).FindAllStringSubmatch(body, -1)
			if !strings.HasPrefix(stored.Secret, "whsec_") || len(shown) != 1 || html.UnescapeString(shown[0][1]) != stored.Secret ||
				strings.Count(html.UnescapeString(body), stored.Secret) != 1 || !has(body, "он показывается только один раз") {
				t.Errorf("the secret is not shown once after creation: %q", shown)
			}
			page := fmt.Sprintf("/outreach/webhooks/%d", stored.ID)
			for _, path := range []string{"/outreach/webhooks", page} {
				if _, body := admin.get(path); has(html.UnescapeString(body), stored.Secret) {
					t.Errorf("%s shows the secret again", path)
				}
			}
			_, body = admin.get("/outreach/webhooks")
			if !has(body, "Новый ответ, Открыт случай") || !has(body, "https://hooks.example.com/otklik?token=abc") {
				t.Error("the list does not show the subscription")
			}

			// The delivery log: an attempt that failed, one that got through.
			w.clock.Add(time.Minute)
			for _, d := range []*otklik.WebhookDelivery{
				{WebhookID: stored.ID, EventID: "evt_ONE", Type: "case.opened", Attempt: 1, Status: 0, DurationMS: 10000, Error: "dial tcp: connection refused"},
				{WebhookID: stored.ID, EventID: "evt_ONE", Type: "case.opened", Attempt: 2, Status: 200, DurationMS: 120},
			} {
				if err := w.app.DB.RecordDelivery(ctx, d); err != nil {
					t.Fatal(err)
				}
			}
			_, body = admin.get(page)
			rows := regexp.MustCompile(`(?s)<tr class="(ok|failed)">.*?</tr>`).FindAllString(body, -1)
			if len(rows) != 2 {
				t.Fatalf("%d delivery rows, want 2", len(rows))
			}
			for i, parts := range [][]string{
				{`class="ok"`, "Открыт случай", "evt_ONE", ">2<", "200 OK", "120\u00a0мс", "принято"},
				{`class="failed"`, ">1<", "нет ответа", "10\u00a0000\u00a0мс", "dial tcp: connection refused"},
			} {
				for _, p := range parts {
					if !has(rows[i], p) {
						t.Errorf("delivery row %d lacks %q:\n%s", i+1, p, rows[i])
					}
				}
			}

			toggle := fmt.Sprintf("/outreach/webhooks/%d/toggle", stored.ID)
			post(toggle, url.Values{"enabled": {"0"}})
			if h, _ := w.app.DB.Webhook(ctx, stored.ID); h.Enabled || h.DisabledAt == nil {
				t.Errorf("switched off, the webhook is %+v", h)
			}
			_, body = admin.get("/outreach/webhooks")
			if !has(body, `<span class="tag off">Выключен</span>`) || !has(body, `name="enabled" value="1"`) {
				t.Error("the list does not offer to switch it back on")
			}
			post(toggle, url.Values{"enabled": {"1"}})
			if h, _ := w.app.DB.Webhook(ctx, stored.ID); !h.Enabled {
				t.Error("the webhook did not come back on")
			}
			if status, loc, _ := post(fmt.Sprintf("/outreach/webhooks/%d/delete", stored.ID), url.Values{}); status != http.StatusSeeOther || loc != "/outreach/webhooks?done=deleted" {
				t.Fatalf("delete: %d %q", status, loc)
			}
			if status, _ := admin.get(page); status != http.StatusNotFound {
				t.Errorf("a deleted webhook's log: %d", status)
			}
		})

		t.Run("English", func(t *testing.T) {
			w.user("boss.en@example.com", otklik.RoleAdmin, "", "en")
			en, _ := w.browserAs("boss.en@example.com")
			_, body := en.get("/outreach/triggers")
			for _, s := range []string{">Outreach</a>", "Surveys after events", "12–72\u00a0h later", "within 30\u00a0min", "Order delivered", "E-mail → Telegram"} {
				if !has(body, s) {
					t.Errorf("the English triggers page lacks %q", s)
				}
			}
			_, body = en.get("/outreach")
			if !has(body, `value="New customers"`) || !has(body, "Re-survey after a case") {
				t.Error("the English policy page is not in English")
			}
		})
	})
}

func outreachTrigger(t *testing.T, w *workspace, name string) outreach.Trigger {
	t.Helper()
	ts, err := w.app.Outreach.Triggers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		if tr.Name == name {
			return tr
		}
	}
	t.Fatalf("no trigger %q", name)
	return outreach.Trigger{}
}

func outreachSchedule(t *testing.T, w *workspace, name string) outreach.Schedule {
	t.Helper()
	ss, err := w.app.Outreach.Schedules(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range ss {
		if sc.Name == name {
			return sc
		}
	}
	t.Fatalf("no schedule %q", name)
	return outreach.Schedule{}
}

// TestOutreachFreshInstall: on a new installation the shipped triggers
// name surveys nobody has created yet; the list says so; one may be
// switched off, but switching it back on is refused with the reason.
func TestOutreachFreshInstall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		s := newSite(t, dialect)
		s.user(emailAdmin, otklik.RoleAdmin, "", "ru")
		w := &workspace{site: s}
		admin, token := s.browserAs(emailAdmin)
		status, body := admin.get("/outreach/triggers")
		want(t, "the triggers", status, http.StatusOK, body)
		if n := strings.Count(body, `<span class="tag off">опрос не найден</span>`); n != 6 {
			t.Errorf("%d triggers marked as naming a missing survey, want the 6 shipped", n)
		}
		tr := outreachTrigger(t, w, "NPS после доставки")
		status, _, body = admin.post(fmt.Sprintf("/outreach/triggers/%d/toggle", tr.ID), url.Values{"_csrf": {token}})
		want(t, "switching off", status, http.StatusSeeOther, body)
		if outreachTrigger(t, w, "NPS после доставки").Enabled {
			t.Error("the trigger is still on")
		}
		status, _, body = admin.post(fmt.Sprintf("/outreach/triggers/%d/toggle", tr.ID), url.Values{"_csrf": {token}})
		want(t, "switching back on", status, http.StatusUnprocessableEntity, body)
		if !has(body, `<p class="error" role="alert">NPS после доставки: Опрос: Опроса «nps» нет: сначала создайте его.</p>`) {
			t.Errorf("the refusal is not explained:\n%.1500s", body)
		}
		_, body = admin.get(fmt.Sprintf("/outreach/triggers/%d", tr.ID))
		if !has(body, `<option value="nps" selected>nps — опрос не найден</option>`) {
			t.Error("the form does not keep the missing survey")
		}
	})
}
