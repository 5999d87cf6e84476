package web_test

// The loop's figures, the routing rules editor and the feedback page over
// HTTP, on both databases.

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/loop"
	"otklik/internal/storetest"
)

// rowOf returns the table row whose first cell is label.
func rowOf(t *testing.T, body, label string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr>\s*<td>` + regexp.QuoteMeta(label) + `</td>.*?</tr>`).FindString(body)
	if m == "" {
		t.Fatalf("no row %q", label)
	}
	return m
}

// linkWith returns the first link on the page whose query holds part.
func linkWith(t *testing.T, body, part string) string {
	t.Helper()
	for _, m := range regexp.MustCompile(`href="(/cases\?[^"]*)"`).FindAllStringSubmatch(body, -1) {
		if href := html.UnescapeString(m[1]); strings.Contains(href, part) {
			return href
		}
	}
	t.Fatalf("no link with %q", part)
	return ""
}

// caseNumbers lists the case numbers on a board.
func caseNumbers(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<td class="id"><a href="/cases/\d+">№(\d+)</a>`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// ids lists case numbers as the board shows them: newest first.
func ids(ns ...int64) string {
	slices.Sort(ns)
	slices.Reverse(ns)
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprint(n))
	}
	return fmt.Sprint(out)
}

// TestLoopDashboard: the figures of three detractor cases worked out by
// hand, overall and per cut, and every number leads to exactly its cases.
//
//	A (Анна, Ирина Котова, 3): reached 13:00 (due 16:00), resolved Monday 17:30 (due Thursday 18:00), root cause price;
//	   the customer then answers 9: won back to promoter.
//	B (Борис, John Smith, 2):  reached 17:10, after its 16:00 deadline.
//	D (Анна, Пётр Сидоров, 5): untouched.
//
// Opened 3; contacted in SLA 1 (33 %); resolved in SLA 1 (33 %); median
// first contact of 60 and 310 minutes: 185 = 3\u00a0h 5\u00a0min; answered again 1,
// won back to promoter 1: 100 %.
func TestLoopDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedCases(t, dialect)
		w.customer("c-anna2", func(c *otklik.Customer) {
			c.Name, c.Manager, c.Team = "Пётр Сидоров", emailAnna, "Север"
		})
		w.answer("nps", "c-anna2", 5, "Долго")
		if _, err := w.app.Cases.Scan(t.Context()); err != nil {
			t.Fatal(err)
		}
		a, b, d := w.annaCase, w.borisCase, w.caseOf("c-anna2", otklik.CaseDetractor).ID
		w.clock.Add(5*time.Hour + 30*time.Minute) // 17:30 in Moscow
		anna, annaToken := w.browserAs(emailAnna)
		boris, borisToken := w.browserAs(emailBoris)
		mustPost := func(br *browser, path string, form url.Values) {
			t.Helper()
			if status, _, body := br.post(path, form); status != http.StatusSeeOther {
				t.Fatalf("POST %s: %d\n%.500s", path, status, body)
			}
		}
		mustPost(anna, fmt.Sprintf("/cases/%d/contact", a), url.Values{"_csrf": {annaToken}, "outcome": {"reached"}, "at": {"2026-03-02T13:00"}})
		mustPost(anna, fmt.Sprintf("/cases/%d/resolve", a), url.Values{"_csrf": {annaToken}, "root_cause": {"price"}, "decision": {"Вернули комиссию"}})
		mustPost(boris, fmt.Sprintf("/cases/%d/contact", b), url.Values{"_csrf": {borisToken}, "outcome": {"reached"}, "at": {"2026-03-02T17:10"}})
		w.answer("nps", "c-anna", 9, "Спасибо, что вернули комиссию")
		if _, err := w.app.Cases.Scan(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := w.caseByID(a).WonBack; got != "promoter" {
			t.Fatalf("case A won back %q, want promoter", got)
		}

		admin, _ := w.browserAs(emailAdmin)
		status, body := admin.get("/loop")
		want(t, "the loop's figures", status, http.StatusOK, body)
		for _, s := range []string{">3</a>", ">33\u00a0%</a>", "Медиана до первого контакта: <strong>3\u00a0ч 5\u00a0мин</strong>", ">100\u00a0%</a>",
			"в промоутеры: 1", "в нейтралы: 0", "Благодарностей промоутерам: 0 из 2"} {
			if !has(body, s) {
				t.Errorf("the overall figures lack %q", s)
			}
		}
		for label, cells := range map[string][]string{
			emailAnna:        {">2</a>", ">1</a> <small>50\u00a0%</small>", ">1\u00a0ч<", "100\u00a0%"},
			emailBoris:       {">1</a>", ">0</a> <small>0\u00a0%</small>", ">5\u00a0ч 10\u00a0мин<"},
			"Север":          {">2</a>"},
			"Юг":             {">1</a>"},
			"Ещё не решены":  {">2</a>"},
			"Цена и условия": {">1</a>", ">1</a> <small>100\u00a0%</small>"},
			"Март 2026":      {">3</a>"},
		} {
			row := rowOf(t, body, label)
			for _, c := range cells {
				if !has(row, c) {
					t.Errorf("the row %s lacks %q:\n%s", label, c, row)
				}
			}
		}
		// Every number opens exactly the cases behind it.
		for _, tc := range []struct {
			what, part string
			want       string
		}{
			{"opened", "kind=detractor&status=all&to=", ids(d, b, a)},
			{"contacted in SLA", "sla=contacted_in_sla", ids(a)},
			{"resolved in SLA", "sla=resolved_in_sla", ids(a)},
			{"won back to promoter", "won_back=promoter", ids(a)},
			{"won back to passive", "won_back=passive", ids()},
			{"answered again", "won_back=answered", ids(a)},
			{"Борис's cases", "owner=" + url.QueryEscape(emailBoris), ids(b)},
			{"not resolved yet", "root_cause=-", ids(d, b)},
			{"the month", "from=2026-03-01", ids(d, b, a)},
		} {
			href := linkWith(t, body, tc.part)
			status, board := admin.get(href)
			want(t, tc.what, status, http.StatusOK, board)
			if got := fmt.Sprint(caseNumbers(board)); got != tc.want {
				t.Errorf("%s (%s) lists cases %s, want %s", tc.what, href, got, tc.want)
			}
		}
		if href := linkWith(t, body, "root_cause=-"); !has(href, "from=2025-12-03") || !has(href, "to=2026-03-02") {
			t.Errorf("a figure's link %q does not keep the period", href)
		}

		// A lead sees the team's figures, a manager their own.
		_, body = anna.get("/loop")
		if !has(body, ">2</a>") || has(body, emailBoris) {
			t.Error("Анна's figures are not her own")
		}
		leadSouth, _ := w.browserAs(emailLeadSouth)
		_, body = leadSouth.get("/loop")
		if row := rowOf(t, body, emailBoris); !has(row, ">1</a>") || has(body, emailAnna) {
			t.Error("the southern lead's figures are not the team's")
		}
		// A period with nothing in it, and one that is not a period.
		if _, body = admin.get("/loop?from=2025-01-01&to=2025-01-31"); !has(body, "За этот период случаев нет.") {
			t.Error("an empty period is not explained")
		}
		if status, _ = admin.get("/loop?from=2025-13-01"); status != http.StatusUnprocessableEntity {
			t.Errorf("a bad period: %d, want 422", status)
		}
	})
}

// TestRulesEditor: the administrator adds a rule, gets a refused field back
// next to the field, saves it, sees it route an answer, then edits, moves,
// disables and deletes it.
func TestRulesEditor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		b, token := w.browserAs(emailAdmin)
		status, body := b.get("/loop/rules")
		want(t, "the rules", status, http.StatusOK, body)
		// The shipped rules are stored under English names and read in Russian.
		for _, s := range []string{">Недовольные клиенты</a>", "NPS, оценка не выше 6 или CSAT, оценка не выше 3",
			"первый контакт — 4\u00a0ч рабочего времени, решение — 3 рабочих дня", ">Промоутеры: поблагодарить и попросить рекомендацию</a>",
			"через 14 дней после решения", "Europe/Moscow", "<dt>Понедельник</dt><dd>09:00–18:00</dd>", "<dt>Суббота</dt><dd>выходной</dd>",
			"9 марта 2026", "PUT /api/v1/loop/calendar"} {
			if !has(body, s) {
				t.Errorf("the rules page lacks %q", s)
			}
		}
		status, body = b.get("/loop/rules/new")
		want(t, "a new rule's form", status, http.StatusOK, body)

		rule := url.Values{"_csrf": {token}, "id": {"0"}, "position": {"1"}, "enabled": {"1"}, "name": {"VIP: задержки"},
			"when.kinds": {"nps"}, "when.score_max": {"11"}, "when.keywords": {"задержка, ставка"}, "when.segments": {"VIP"},
			"any_count": {"1"}, "owner.kind": {"user"}, "owner.email": {""}, "watchers.channel_specialist": {"1"},
			"watchers.emails": {"qa@example.com"}, "first_contact_minutes": {"60"}, "resolution_days": {"1"},
			"case": {"detractor"}, "resurvey_days": {"7"}}
		status, _, body = b.post("/loop/rules", rule)
		want(t, "a rule with a score of 11", status, http.StatusUnprocessableEntity, body)
		if !regexp.MustCompile(`<input type="number" name="when.score_max" value="11"[^>]*>\s*<span class="field-error">Допустимо от 0 до 10.</span>`).MatchString(body) {
			t.Errorf("the score's error is not next to the score:\n%s", regexp.MustCompile(`(?s)<form.*</form>`).FindString(body))
		}
		if !regexp.MustCompile(`name="owner.email" value=""[^>]*>\s*<span class="field-error">Это не похоже на адрес e-mail.</span>`).MatchString(body) {
			t.Error("the owner's missing e-mail is not explained next to it")
		}
		for _, s := range []string{`value="VIP: задержки"`, `value="задержка, ставка"`, `name="watchers.channel_specialist" value="1" checked`} {
			if !has(body, s) {
				t.Errorf("the refused form lost %q", s)
			}
		}
		if rules, _ := w.app.Cases.Rules(t.Context()); len(rules) != 2 {
			t.Fatalf("a refused rule was saved: %d rules", len(rules))
		}

		rule.Set("when.score_max", "8")
		rule.Set("owner.kind", "team_lead")
		status, loc, body := b.post("/loop/rules", rule)
		want(t, "a good rule", status, http.StatusSeeOther, body)
		if loc != "/loop/rules?done=saved" {
			t.Errorf("after saving: %q", loc)
		}
		rules, err := w.app.Cases.Rules(t.Context())
		if err != nil || len(rules) != 3 {
			t.Fatalf("rules after saving: %v %v", rules, err)
		}
		vip := rules[0]
		eight := 8
		wantVIP := loop.Rule{ID: 3, Name: "VIP: задержки", Enabled: true, Position: 0,
			When:         loop.Condition{Kinds: []otklik.Kind{otklik.KindNPS}, ScoreMax: &eight, Keywords: []string{"задержка", "ставка"}, Segments: []string{"VIP"}},
			Owner:        loop.OwnerSpec{Kind: loop.OwnerTeamLead},
			Watchers:     []loop.WatcherSpec{{Kind: loop.WatcherChannelSpecialist}, {Kind: loop.WatcherUser, Email: "qa@example.com"}},
			FirstContact: time.Hour, Resolution: 1, Case: otklik.CaseDetractor, ResurveyDays: 7}
		if jsonOf(vip) != jsonOf(wantVIP) {
			t.Errorf("saved rule\n%s\nwant\n%s", jsonOf(vip), jsonOf(wantVIP))
		}
		if rules[1].Name != "Detractors and unhappy customers" || rules[2].Position != 2 {
			t.Errorf("the other rules moved: %s, %d", rules[1].Name, rules[2].Position)
		}
		// The saved rule routes the next answer: a VIP customer's 7 about a
		// delay goes to the team lead, watched by the named person.
		w.customer("c-vip", func(c *otklik.Customer) {
			c.Name, c.Manager, c.Team, c.Segment = "ООО «Вектор»", emailBoris, "Юг", "VIP"
		})
		w.answer("nps", "c-vip", 7, "Задержки с выплатой уже третий раз")
		if _, err := w.app.Cases.Scan(t.Context()); err != nil {
			t.Fatal(err)
		}
		if c := w.caseOf("c-vip", otklik.CaseDetractor); c.Rule != "VIP: задержки" || c.Owner != emailLeadSouth || fmt.Sprint(c.Watchers) != "[qa@example.com]" {
			t.Errorf("the VIP answer opened a case by %q owned by %q watched by %v", c.Rule, c.Owner, c.Watchers)
		}

		// Edit: the form shows the rule as saved; moved to the end.
		status, body = b.get("/loop/rules/3")
		want(t, "the rule's form", status, http.StatusOK, body)
		for _, s := range []string{`name="when.score_max" value="8"`, `name="when.segments" value="VIP"`, `name="owner.kind" value="team_lead" checked`,
			`name="resurvey_days" value="7"`, `<option value="1" selected>1</option>`} {
			if !has(body, s) {
				t.Errorf("the edit form lacks %s", s)
			}
		}
		rule.Set("id", "3")
		rule.Set("name", "VIP: задержки и ставка")
		rule.Set("position", "3")
		if status, _, body = b.post("/loop/rules", rule); status != http.StatusSeeOther {
			t.Fatalf("editing: %d\n%.500s", status, body)
		}
		names := func() string {
			rules, err := w.app.Cases.Rules(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rules {
				state := "on"
				if !r.Enabled {
					state = "off"
				}
				out = append(out, fmt.Sprintf("%d:%s:%s", r.ID, state, r.Name))
			}
			return strings.Join(out, " | ")
		}
		const detr, thanks = "1:on:Detractors and unhappy customers", "2:on:Promoters: thank and ask for a referral"
		if got := names(); got != detr+" | "+thanks+" | 3:on:VIP: задержки и ставка" {
			t.Errorf("after the edit: %s", got)
		}
		act := func(path string, form url.Values) {
			t.Helper()
			form.Set("_csrf", token)
			if status, _, body := b.post(path, form); status != http.StatusSeeOther {
				t.Fatalf("POST %s: %d\n%.500s", path, status, body)
			}
		}
		act("/loop/rules/3/move", url.Values{"dir": {"up"}})
		act("/loop/rules/3/toggle", url.Values{})
		if got := names(); got != detr+" | 3:off:VIP: задержки и ставка | "+thanks {
			t.Errorf("after moving up and disabling: %s", got)
		}
		act("/loop/rules/1/move", url.Values{"dir": {"up"}}) // already first: stays
		act("/loop/rules/3/delete", url.Values{})
		if got := names(); got != detr+" | "+thanks {
			t.Errorf("after deleting: %s", got)
		}
		if status, _, _ = b.post("/loop/rules/99/toggle", url.Values{"_csrf": {token}}); status != http.StatusNotFound {
			t.Errorf("toggling a rule that does not exist: %d", status)
		}
		act("/loop/rules/1/toggle", url.Values{})
		act("/loop/rules/2/toggle", url.Values{})
		if _, body = b.get("/loop/rules"); !has(body, "Ни одно правило не включено") {
			t.Error("the page does not warn that no rule is enabled")
		}
	})
}

// TestFeedbackPage: each manager sees praise for their promoters and a
// coaching checklist for their detractors, answered from the cases.
func TestFeedbackPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedCases(t, dialect)
		anna, token := w.browserAs(emailAnna)
		status, body := anna.get("/feedback")
		want(t, "Анна's feedback", status, http.StatusOK, body)
		for _, s := range []string{"Отзывы обо мне", "Ирина Котова рекомендует нас", "marker-anna", "Клиент недоволен: Ирина Котова",
			"Перезвонили в тот же день?", "Ещё нет — позвоните сегодня.", "Что пообещали клиенту?", "Не записано.",
			fmt.Sprintf(`href="/cases/%d"`, w.annaThanks), fmt.Sprintf(`href="/cases/%d"`, w.annaCase)} {
			if !has(body, s) {
				t.Errorf("Анна's feedback lacks %q", s)
			}
		}
		if has(body, "marker-boris") {
			t.Error("Анна sees feedback about Борис")
		}
		w.clock.Add(5 * time.Hour)
		anna.post(fmt.Sprintf("/cases/%d/contact", w.annaCase), url.Values{"_csrf": {token}, "outcome": {"reached"}, "at": {"2026-03-02T13:00"}})
		anna.post(fmt.Sprintf("/cases/%d/resolve", w.annaCase), url.Values{"_csrf": {token}, "root_cause": {"speed"},
			"decision": {"Ускорим одобрение"}, "action": {"Звонок в день заявки"}})
		_, body = anna.get("/feedback")
		for _, s := range []string{"Да, в 13:00.", "Ускорим одобрение — Звонок в день заявки", "Причина: Сроки и скорость."} {
			if !has(body, s) {
				t.Errorf("after the call-back Анна's checklist lacks %q", s)
			}
		}
		// Борис has not called back; the next day the checklist says so.
		w.clock.Add(24 * time.Hour)
		boris, _ := w.browserAs(emailBoris)
		_, body = boris.get("/feedback")
		if !has(body, "Нет — клиенту до сих пор не перезвонили.") || !has(body, "marker-boris") || has(body, "marker-anna") {
			t.Error("Борис's checklist does not show the missed call-back")
		}
		lead, _ := w.browserAs(emailLeadNorth)
		if _, body = lead.get("/feedback"); !has(body, "Отзывы о команде") || !has(body, "marker-anna") || has(body, "marker-boris") {
			t.Error("the northern lead does not see the team's feedback only")
		}
		admin, _ := w.browserAs(emailAdmin)
		if _, body = admin.get("/feedback?manager=" + emailBoris + "&from=2026-03-01&to=2026-03-31"); !has(body, "marker-boris") || has(body, "marker-anna") {
			t.Error("the administrator's manager filter does not work")
		}
	})
}
