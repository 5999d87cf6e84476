package web_test

// The closed loop's pages over HTTP, on both databases: the case board and
// the case page for every role, their forms (CSRF, validation, the
// resolution through the engine), the SLA timer on a hand-computed case,
// and hostile comments.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

// hostile is a comment written to break out of the page.
const hostile = `<script>alert(1)</script> "><img src=x onerror=alert(2)> Ждал три недели`

// loopWorkspace is the seeded workspace with its cases opened by the closed
// loop: Анна's promoter (a thank-you task), Анна's detractor (with a
// hostile comment) and Борис's detractor. All were opened on Monday
// 2 March 2026 at 12:00 in Moscow (apptest.T0).
type loopWorkspace struct {
	*workspace
	annaCase, annaThanks, borisCase int64
}

func seedCases(t *testing.T, dialect string) *loopWorkspace {
	t.Helper()
	w := &loopWorkspace{workspace: seedWorkspace(t, dialect)}
	w.answer("nps", "c-anna", 3, hostile)
	if n, err := w.app.Cases.Scan(t.Context()); err != nil || n != 3 {
		t.Fatalf("scan opened %d cases (%v), want 3", n, err)
	}
	w.annaCase = w.caseOf("c-anna", otklik.CaseDetractor).ID
	w.annaThanks = w.caseOf("c-anna", otklik.CaseThanks).ID
	w.borisCase = w.caseOf("c-boris", otklik.CaseDetractor).ID
	return w
}

// caseOf returns the customer's one case of kind.
func (s *site) caseOf(customer, kind string) *otklik.Case {
	s.t.Helper()
	cs, err := s.app.DB.Cases(s.t.Context(), otklik.Scope{Reach: otklik.ReachAll}, store.CaseFilter{Customer: customer, Kind: kind})
	if err != nil || len(cs) != 1 {
		s.t.Fatalf("cases of %s (%s): %v %v", customer, kind, cs, err)
	}
	return s.caseByID(cs[0].ID)
}

func (s *site) caseByID(id int64) *otklik.Case {
	s.t.Helper()
	c, err := s.app.DB.Case(s.t.Context(), otklik.Scope{Reach: otklik.ReachAll}, id)
	if err != nil {
		s.t.Fatalf("case %d: %v", id, err)
	}
	return c
}

// caseState describes what the forms could change on a case.
func (s *site) caseState(id int64) string {
	c := s.caseByID(id)
	return fmt.Sprintf("%s %v %v %q %q %d", c.Status, c.ContactedAt, c.ResolvedAt, c.RootCause, c.Decision, len(c.Events))
}

func TestCasePagesByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedCases(t, dialect)
		browsers, tokens := map[string]*browser{}, map[string]string{}
		for role, email := range roleEmails {
			browsers[role], tokens[role] = w.browserAs(email)
		}
		const ok, forbidden, missing = http.StatusOK, http.StatusForbidden, http.StatusNotFound
		readers := byRole{"admin": ok, "lead-north": ok, "lead-south": ok, "anna": ok, "boris": ok,
			"interviewer": forbidden, "agent": forbidden, "reviewer": forbidden, "viewer": ok}
		north := byRole{"admin": ok, "lead-north": ok, "lead-south": missing, "anna": ok, "boris": missing,
			"interviewer": forbidden, "agent": forbidden, "reviewer": forbidden, "viewer": ok}
		south := byRole{"admin": ok, "lead-north": missing, "lead-south": ok, "anna": missing, "boris": ok,
			"interviewer": forbidden, "agent": forbidden, "reviewer": forbidden, "viewer": ok}
		nobody := byRole{"admin": missing, "lead-north": missing, "lead-south": missing, "anna": missing, "boris": missing,
			"interviewer": forbidden, "agent": forbidden, "reviewer": forbidden, "viewer": missing}
		adminOnly := every(forbidden, "admin", ok)
		gets := []struct {
			path string
			want byRole
		}{
			{"/cases", readers},
			{"/cases?status=all&kind=thanks&owner=" + emailBoris + "&overdue=1", readers},
			{"/cases?from=2026-03-01&to=2026-03-31&sla=contacted_in_sla", readers},
			{fmt.Sprintf("/cases/%d", w.annaCase), north},
			{fmt.Sprintf("/cases/%d", w.annaThanks), north},
			{fmt.Sprintf("/cases/%d", w.borisCase), south},
			{"/cases/999999", nobody},
			{"/cases/not-a-number", nobody},
			{"/loop", readers},
			{"/loop?from=2026-01-01&to=2026-03-31", readers},
			{"/loop/rules", adminOnly},
			{"/loop/rules/new", adminOnly},
			{"/loop/rules/1", adminOnly},
			{"/feedback", byRole{"admin": ok, "lead-north": ok, "lead-south": ok, "anna": ok, "boris": ok,
				"interviewer": forbidden, "agent": forbidden, "reviewer": forbidden, "viewer": ok}},
		}
		for _, g := range gets {
			for _, role := range roleOrder {
				resp, body := browsers[role].send("GET", g.path, "", nil)
				if resp.StatusCode != g.want[role] {
					t.Errorf("%s GET %s: %d, want %d", role, g.path, resp.StatusCode, g.want[role])
				}
				if resp.StatusCode == missing && (has(body, "John Smith") || has(body, "Ирина Котова")) {
					t.Errorf("%s GET %s: the 404 page names the customer", role, g.path)
				}
			}
		}

		// The board holds the reader's cases and no one else's.
		type sees map[string]bool
		for _, c := range []struct {
			role, path string
			sees       sees
		}{
			{"anna", "/cases", sees{"Мои случаи": true, "Ирина Котова": true, "John Smith": false, fmt.Sprintf("№%d<", w.annaThanks): true}},
			{"anna", "/cases?owner=" + emailBoris, sees{"John Smith": false}},
			{"boris", "/cases", sees{"Мои случаи": true, "John Smith": true, "Ирина Котова": false}},
			{"lead-north", "/cases", sees{"Случаи команды <small>Север</small>": true, "Ирина Котова": true, "John Smith": false}},
			{"lead-south", "/cases", sees{"Случаи команды <small>Юг</small>": true, "Ирина Котова": false, "John Smith": true}},
			{"admin", "/cases", sees{"Все случаи": true, "Ирина Котова": true, "John Smith": true}},
			{"admin", "/cases?kind=thanks", sees{"Ирина Котова": true, "John Smith": false}},
			{"admin", "/cases?owner=" + emailBoris, sees{"Ирина Котова": false, "John Smith": true}},
			{"admin", "/cases?team=Север", sees{"Ирина Котова": true, "John Smith": false}},
			{"admin", "/cases?status=resolved", sees{"Ирина Котова": false, "John Smith": false, "По выбранным фильтрам случаев нет.": true}},
			{"viewer", "/cases", sees{"Ирина Котова": true, "John Smith": true, `action="/cases/`: false}},
			{"viewer", fmt.Sprintf("/cases/%d", w.annaCase), sees{"Ирина Котова": true, `action="/cases/`: false}},
			{"anna", fmt.Sprintf("/cases/%d", w.annaCase), sees{fmt.Sprintf(`action="/cases/%d/contact"`, w.annaCase): true,
				fmt.Sprintf(`action="/cases/%d/resolve"`, w.annaCase): true}},
		} {
			status, body := browsers[c.role].get(c.path)
			want(t, c.role+" "+c.path, status, ok, body)
			for text, visible := range c.sees {
				if has(body, text) != visible {
					t.Errorf("%s on %s sees %q: %v, want %v", c.role, c.path, text, !visible, visible)
				}
			}
		}
		// Everyone who reads cases finds them in the menu; the rules are for
		// those who set them.
		for role, b := range browsers {
			_, body := b.get("/surveys")
			menu := regexp.MustCompile(`<nav>[\s\S]*?</nav>`).FindString(body)
			if has(menu, `href="/cases"`) != (readers[role] == ok) || has(menu, `href="/loop"`) != (readers[role] == ok) {
				t.Errorf("%s's menu offers the cases: %v, want %v", role, has(menu, `href="/cases"`), readers[role] == ok)
			}
			if wantFeedback := role == "anna" || role == "boris" || strings.HasPrefix(role, "lead"); has(menu, `href="/feedback"`) != wantFeedback {
				t.Errorf("%s's menu offers the feedback page: %v, want %v", role, !wantFeedback, wantFeedback)
			}
		}
		if _, body := browsers["admin"].get("/loop"); !has(body, `href="/loop/rules"`) {
			t.Error("the loop page does not lead an administrator to the rules")
		}
		if _, body := browsers["lead-north"].get("/loop"); has(body, `href="/loop/rules"`) {
			t.Error("the loop page offers a lead the rules they may not open")
		}

		// Every form on a case, by every role: only those who work the case
		// may, a reader gets 403, and a case outside one's reach does not
		// exist (404). Nothing changes when refused.
		forms := map[string]url.Values{
			"notes":   {"body": {"Перезвонить завтра"}},
			"contact": {"outcome": {"no_answer"}, "at": {""}, "note": {"Не взял трубку"}},
			"resolve": {"root_cause": {"speed"}, "decision": {"Ускорили"}, "action": {""}},
			"close":   {},
		}
		wantPost := byRole{"admin": http.StatusSeeOther, "lead-north": http.StatusSeeOther, "lead-south": missing,
			"anna": http.StatusSeeOther, "boris": missing, "interviewer": forbidden, "agent": forbidden, "reviewer": forbidden, "viewer": forbidden}
		for _, role := range []string{"viewer", "interviewer", "agent", "reviewer", "boris", "lead-south"} {
			before := w.caseState(w.annaCase)
			for _, action := range []string{"notes", "contact", "resolve", "close"} {
				form := url.Values{"_csrf": {tokens[role]}}
				for k, v := range forms[action] {
					form[k] = v
				}
				status, _, body := browsers[role].post(fmt.Sprintf("/cases/%d/%s", w.annaCase, action), form)
				if status != wantPost[role] {
					t.Errorf("%s POST %s: %d, want %d", role, action, status, wantPost[role])
				}
				if has(body, "Ирина Котова") {
					t.Errorf("%s POST %s: the refusal shows the customer", role, action)
				}
			}
			if after := w.caseState(w.annaCase); after != before {
				t.Fatalf("%s's refused forms changed the case: %s → %s", role, before, after)
			}
		}
		// Without the session's CSRF token, nobody may post, not even the owner
		// or an administrator.
		rulesBefore, err := w.app.Cases.Rules(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, role := range []string{"anna", "admin"} {
			before := w.caseState(w.annaCase)
			paths := []string{"/loop/rules", "/loop/rules/1/toggle", "/loop/rules/1/move", "/loop/rules/1/delete"}
			for _, action := range []string{"notes", "contact", "resolve", "close"} {
				paths = append(paths, fmt.Sprintf("/cases/%d/%s", w.annaCase, action))
			}
			for _, path := range paths {
				for _, token := range []string{"", "forged", tokens["boris"]} {
					form := url.Values{"dir": {"down"}, "name": {"Взлом"}, "when.kinds": {"nps"}, "owner.kind": {"account_manager"},
						"first_contact_minutes": {"60"}, "resolution_days": {"1"}}
					for k, v := range forms["resolve"] {
						form[k] = v
					}
					if token != "" {
						form.Set("_csrf", token)
					}
					status, _, body := browsers[role].post(path, form)
					if status != forbidden || !has(body, "Форма устарела") {
						t.Errorf("%s POST %s with token %q: %d, want 403 explained", role, path, token, status)
					}
				}
			}
			if after := w.caseState(w.annaCase); after != before {
				t.Fatalf("posts without a CSRF token changed the case: %s → %s", before, after)
			}
		}
		// Only an administrator edits the rules.
		for _, role := range []string{"lead-north", "anna", "viewer"} {
			for _, path := range []string{"/loop/rules", "/loop/rules/1/toggle", "/loop/rules/1/move", "/loop/rules/1/delete"} {
				status, _, _ := browsers[role].post(path, url.Values{"_csrf": {tokens[role]}, "dir": {"down"}, "name": {"Взлом"}})
				if status != forbidden {
					t.Errorf("%s POST %s: %d, want 403", role, path, status)
				}
			}
		}
		if rulesAfter, _ := w.app.Cases.Rules(t.Context()); jsonOf(rulesAfter) != jsonOf(rulesBefore) {
			t.Errorf("refused posts changed the rules:\n%v\n%v", rulesBefore, rulesAfter)
		}
	})
}

// TestHostileCommentOnCasePages: a comment is the customer's text and shows
// as text everywhere the loop shows it.
func TestHostileCommentOnCasePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedCases(t, dialect)
		b, token := w.browserAs(emailAnna)
		// A note and a call-back carry a person's text too.
		b.post(fmt.Sprintf("/cases/%d/notes", w.annaCase), url.Values{"_csrf": {token}, "body": {`<b onmouseover=alert(3)>заметка</b>`}})
		for _, path := range []string{"/cases", fmt.Sprintf("/cases/%d", w.annaCase), "/feedback"} {
			status, body := b.get(path)
			want(t, path, status, http.StatusOK, body)
			for _, raw := range []string{"<script>alert(1)", "<img src=x", "onerror=alert(2)>", "<b onmouseover"} {
				if has(body, raw) {
					t.Errorf("%s: the comment is in the page as markup: %q", path, raw)
				}
			}
			if !has(body, "&lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;&lt;img src=x onerror=alert(2)&gt;") {
				t.Errorf("%s does not show the comment as text", path)
			}
		}
		if _, body := b.get(fmt.Sprintf("/cases/%d", w.annaCase)); !has(body, "&lt;b onmouseover=alert(3)&gt;заметка&lt;/b&gt;") {
			t.Error("the note is not shown as text")
		}
	})
}

// TestCaseSLATimer: the timer on the board and the case page, on a case
// worked out by hand. Борис's case was opened on Monday 2 March at 12:00
// in Moscow with first contact due within 4 working hours: 16:00.
func TestCaseSLATimer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedCases(t, dialect)
		c := w.caseByID(w.borisCase)
		if want := time.Date(2026, 3, 2, 13, 0, 0, 0, time.UTC); c.FirstContactDue == nil || !c.FirstContactDue.Equal(want) {
			t.Fatalf("first contact due %v, want %v (16:00 in Moscow)", c.FirstContactDue, want)
		}
		b, _ := w.browserAs(emailBoris)
		row := func() string {
			_, body := b.get("/cases")
			m := regexp.MustCompile(`(?s)<tr class="case[^"]*">.*?</tr>`).FindString(body)
			if m == "" {
				t.Fatalf("no case on Борис's board:\n%s", body)
			}
			return m
		}
		w.clock.Add(105 * time.Minute) // 13:45
		if r := row(); !has(r, "2\u00a0ч 15\u00a0мин до первого контакта") || has(r, "breached") {
			t.Errorf("at 13:45 the row reads:\n%s", r)
		}
		if r := row(); !has(r, `title="Срок: 2 марта 2026, 16:00, считается в рабочем времени"`) {
			t.Errorf("the timer does not say when it is due:\n%s", r)
		}
		_, page := b.get(fmt.Sprintf("/cases/%d", w.borisCase))
		if !has(page, "2\u00a0ч 15\u00a0мин до первого контакта") || !has(page, "2 марта 2026, 16:00") {
			t.Errorf("the case page at 13:45 does not show the timer and the due time")
		}
		w.clock.Add(205 * time.Minute) // 17:10
		if r := row(); !has(r, "просрочено на 1\u00a0ч 10\u00a0мин — первый контакт") || !has(r, `class="case breached kind-detractor"`) {
			t.Errorf("at 17:10 the row reads:\n%s", r)
		}
		// In the evening only working time counts: 16:00–18:00.
		w.clock.Add(3 * time.Hour) // 20:10
		if r := row(); !has(r, "просрочено на 2\u00a0ч — первый контакт") || !has(r, "нерабочее время — таймер стоит") {
			t.Errorf("at 20:10 the row reads:\n%s", r)
		}
		// Once the escalation has marked the breach, the "missed deadlines" filter finds it.
		if _, body := b.get("/cases?overdue=1"); has(body, "John Smith") {
			t.Error("the overdue filter lists a case the escalation has not marked yet")
		}
		if _, err := w.app.Cases.Escalate(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, body := b.get("/cases?overdue=1"); !has(body, "John Smith") {
			t.Error("the overdue filter does not list the marked case")
		}
		if _, body := b.get(fmt.Sprintf("/cases/%d", w.borisCase)); !has(body, "Просрочен первый контакт") {
			t.Error("the timeline does not show the breach")
		}
	})
}

// TestWorkACaseThroughTheForms: Анна calls the customer back, notes, resolves
// and closes the case; refused forms say why next to the field and keep
// what was typed.
func TestWorkACaseThroughTheForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedCases(t, dialect)
		b, token := w.browserAs(emailAnna)
		id := w.annaCase
		page := fmt.Sprintf("/cases/%d", id)
		post := func(action string, form url.Values) (int, string, string) {
			form.Set("_csrf", token)
			return b.post(page+"/"+action, form)
		}
		w.clock.Add(5*time.Hour + 30*time.Minute) // 17:30 in Moscow

		// A call-back without an outcome, in the future.
		status, _, body := post("contact", url.Values{"at": {"2026-03-02T19:00"}, "note": {"Клиент просит вернуть комиссию"}})
		want(t, "an incomplete call-back", status, http.StatusUnprocessableEntity, body)
		for _, s := range []string{"Выберите один из вариантов.", "Это время ещё не наступило.", ">Клиент просит вернуть комиссию</textarea>",
			`name="at" value="2026-03-02T19:00"`} {
			if !has(body, s) {
				t.Errorf("the refused call-back form lacks %q", s)
			}
		}
		status, _, body = post("contact", url.Values{"outcome": {"reached"}, "at": {"вчера"}})
		want(t, "a call-back at no time", status, http.StatusUnprocessableEntity, body)
		if !has(body, "Укажите дату и время.") {
			t.Error("an unreadable time is not explained")
		}
		status, loc, body := post("contact", url.Values{"outcome": {"reached"}, "at": {"2026-03-02T17:20"}, "note": {"Обещал разобраться"}})
		want(t, "a call-back", status, http.StatusSeeOther, body)
		if loc != page+"?done=contact" {
			t.Errorf("after the call-back the browser goes to %q", loc)
		}
		_, body = b.get(loc)
		for _, s := range []string{"Звонок записан.", "Звонок: Дозвонились", "Обещал разобраться", "связались 2 марта 2026, 17:20 — с опозданием",
			`class="status s-contacted">Связались`, "время звонка: 2 марта 2026, 17:20"} {
			if !has(body, s) {
				t.Errorf("after the call-back the page lacks %q", s)
			}
		}
		c := w.caseByID(id)
		if c.Status != otklik.CaseContacted || c.ContactedAt == nil || !c.ContactedAt.Equal(time.Date(2026, 3, 2, 14, 20, 0, 0, time.UTC)) {
			t.Errorf("stored: status %s, contacted %v", c.Status, c.ContactedAt)
		}

		// Notes.
		status, _, body = post("notes", url.Values{"body": {"   "}})
		want(t, "an empty note", status, http.StatusUnprocessableEntity, body)
		if !has(body, "Заполните это поле.") {
			t.Error("an empty note is not explained")
		}
		status, _, _ = post("notes", url.Values{"body": {"Согласовать возврат с юристом"}})
		want(t, "a note", status, http.StatusSeeOther, "")

		// The resolution: without a root cause and a decision it is refused,
		// next to those fields, keeping the action typed.
		status, _, body = post("resolve", url.Values{"root_cause": {""}, "decision": {" "}, "action": {"Менеджер звонит в день заявки"}, "customer_told": {"1"}})
		want(t, "an incomplete resolution", status, http.StatusUnprocessableEntity, body)
		form := regexp.MustCompile(`(?s)<form method="post" action="/cases/\d+/resolve".*?</form>`).FindString(body)
		for _, s := range []string{"Выберите один из вариантов.", "Заполните это поле.", ">Менеджер звонит в день заявки</textarea>", `name="customer_told" value="1" checked`} {
			if !has(form, s) {
				t.Errorf("the refused resolution form lacks %q:\n%s", s, form)
			}
		}
		status, loc, body = post("resolve", url.Values{"root_cause": {"price"}, "decision": {"Вернули комиссию"},
			"action": {"Менеджер звонит в день заявки"}, "customer_told": {"1"}})
		want(t, "a resolution", status, http.StatusSeeOther, body)
		c = w.caseByID(id)
		wantResurvey := w.clock.Now().AddDate(0, 0, 14)
		if c.Status != otklik.CaseResolved || c.RootCause != "price" || c.Decision != "Вернули комиссию" || !c.CustomerTold ||
			c.ResurveyAt == nil || !c.ResurveyAt.Equal(wantResurvey) {
			t.Fatalf("stored resolution: %s %q %q told=%v resurvey %v, want resurvey %v", c.Status, c.RootCause, c.Decision, c.CustomerTold, c.ResurveyAt, wantResurvey)
		}
		_, body = b.get(loc)
		for _, s := range []string{"Решение сохранено.", "Цена и условия", "Вернули комиссию", "Менеджер звонит в день заявки",
			"Повторный опрос", "16 марта 2026", "решено 2 марта 2026, 17:30 — в срок", `class="status s-resolved">Решён`} {
			if !has(body, s) {
				t.Errorf("the resolved case lacks %q", s)
			}
		}
		if has(body, `action="`+page+`/resolve"`) {
			t.Error("a resolved case still offers to resolve it")
		}
		// Resolving twice is refused, with the page as it is now.
		status, _, body = post("resolve", url.Values{"root_cause": {"speed"}, "decision": {"Ещё раз"}})
		want(t, "a second resolution", status, http.StatusConflict, body)
		if !has(body, "случай изменился") || w.caseByID(id).RootCause != "price" {
			t.Error("a second resolution is not refused cleanly")
		}

		status, _, _ = post("close", url.Values{})
		want(t, "closing", status, http.StatusSeeOther, "")
		_, body = b.get(page)
		if !has(body, `class="status s-closed">Закрыт`) || has(body, `action="`+page+`/contact"`) {
			t.Error("a closed case still offers its forms")
		}
		status, _, _ = post("close", url.Values{})
		want(t, "closing twice", status, http.StatusConflict, "")
		// The whole story is on the timeline, in order.
		var kinds []string
		for _, e := range w.caseByID(id).Events {
			kinds = append(kinds, e.Kind)
		}
		if got := strings.Join(kinds, " "); got != "opened contact note resolved closed" {
			t.Errorf("timeline %s", got)
		}
	})
}

// TestThanksCaseReadsAsTask: a promoter's case asks to thank and ask for a
// referral, and is done by closing it, not by a resolution.
func TestThanksCaseReadsAsTask(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedCases(t, dialect)
		b, token := w.browserAs(emailAnna)
		page := fmt.Sprintf("/cases/%d", w.annaThanks)
		_, body := b.get(page)
		for _, s := range []string{"Благодарность №", "Позвоните, поблагодарите его и спросите, кому он мог бы нас порекомендовать.",
			"Звонок с благодарностью", "Готово — закрыть задачу", "8\u00a0ч, чтобы поблагодарить", "marker-anna"} {
			if !has(body, s) {
				t.Errorf("the thank-you task lacks %q", s)
			}
		}
		if has(body, `action="`+page+`/resolve"`) {
			t.Error("a thank-you task offers a root cause and a decision")
		}
		b.post(page+"/contact", url.Values{"_csrf": {token}, "outcome": {"reached"}, "note": {"Порекомендует брата, Олег, +7 900 000-00-00"}})
		b.post(page+"/close", url.Values{"_csrf": {token}})
		_, body = b.get("/cases?status=all&kind=thanks")
		if !has(body, "выполнено") {
			t.Error("a closed thank-you task does not read as done on the board")
		}
	})
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
