package web_test

// Action plans over HTTP on both databases: who may see and write which
// plan, the forms with CSRF and validation, the owner marking an action
// done, the due states, and the wave's figures beside the next wave's,
// hand-computed from answers inserted for the test.

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/intake"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

// answerAt records an answer given at a moment in the past.
func (s *site) answerAt(survey, customer string, score int, comment string, at time.Time) *otklik.Response {
	s.t.Helper()
	r, _, err := s.app.Intake.Record(s.t.Context(), adminActor, intake.Answer{Survey: survey, Customer: customer,
		Score: &score, Comment: comment, Channel: otklik.ChannelEmail, AnsweredAt: at})
	if err != nil {
		s.t.Fatalf("record answer: %v", err)
	}
	return r
}

// plan creates a plan straight in the store.
func (s *site) plan(team, from, to, title string) *otklik.Plan {
	s.t.Helper()
	f, _ := otklik.ParseDate(from)
	e, _ := otklik.ParseDate(to)
	p := &otklik.Plan{Survey: "nps", Team: team, From: f, To: e, Title: title, Author: emailLeadNorth}
	p.Normalize()
	if err := s.app.DB.CreatePlan(s.t.Context(), p); err != nil {
		s.t.Fatalf("create plan: %v", err)
	}
	return p
}

func (s *site) planByID(id int64) *otklik.Plan {
	s.t.Helper()
	p, err := s.app.DB.Plan(s.t.Context(), otklik.Scope{Reach: otklik.ReachAll}, id)
	if err != nil {
		s.t.Fatalf("plan %d: %v", id, err)
	}
	return p
}

func (s *site) plansState() string {
	s.t.Helper()
	ps, err := s.app.DB.Plans(s.t.Context(), otklik.Scope{Reach: otklik.ReachAll}, store.PlanFilter{})
	if err != nil {
		s.t.Fatal(err)
	}
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%d %s %s %s %s %q %q %s %q\n", p.ID, p.Team, p.From, p.To, p.Status, p.Title, p.Problems, p.Results, p.Author)
		for _, it := range p.Items {
			fmt.Fprintf(&b, "  %d %q %s %s %s %q %s\n", it.ID, it.What, it.Owner, it.Due, it.Status, it.DoneNote, it.DoneBy)
		}
	}
	return b.String()
}

var planLocation = regexp.MustCompile(`^/plans/(\d+)\?done=created$`)

func TestPlanForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		lead, leadToken := w.browserAs(emailLeadNorth)

		// No CSRF token: refused, nothing written.
		before := w.plansState()
		form := url.Values{"survey": {"nps"}, "team": {"Север"}, "from": {"2026-02-01"}, "to": {"2026-02-28"},
			"title": {"Февраль"}, "problems": {hostile}, "status": {"active"}}
		status, _, _ := lead.post("/plans", form)
		want(t, "a plan without CSRF", status, http.StatusForbidden, "")
		if w.plansState() != before {
			t.Fatal("a refused form wrote a plan")
		}

		// A lead writes for their own team, whatever team is posted.
		form.Set("_csrf", leadToken)
		form.Set("team", "Юг")
		status, loc, body := lead.post("/plans", form)
		want(t, "a lead's plan", status, http.StatusSeeOther, body)
		m := planLocation.FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("created plan: redirect to %q", loc)
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		p := w.planByID(id)
		if p.Team != "Север" || p.Status != otklik.PlanActive || p.Author != emailLeadNorth || p.Problems != strings.TrimSpace(hostile) ||
			p.From.String() != "2026-02-01" || p.To.String() != "2026-02-28" {
			t.Fatalf("created plan: %+v", p)
		}
		// The same wave again is a conflict; a wave ending before it starts
		// is explained next to the field, in the reader's language.
		status, _, body = lead.post("/plans", form)
		want(t, "the same wave again", status, http.StatusConflict, body)
		if !has(body, "уже есть план") {
			t.Errorf("the conflict is not explained:\n%s", body)
		}
		bad := url.Values{"_csrf": {leadToken}, "survey": {"nps"}, "from": {"2026-03-10"}, "to": {"2026-03-01"}, "status": {"done"}}
		status, _, body = lead.post("/plans", bad)
		want(t, "a wave backwards", status, http.StatusUnprocessableEntity, body)
		for _, msg := range []string{"Конец волны раньше её начала", "Выберите одно из значений"} {
			if !has(body, msg) {
				t.Errorf("the form does not say %q", msg)
			}
		}
		admin, adminToken := w.browserAs(emailAdmin)
		status, _, body = admin.post("/plans", url.Values{"_csrf": {adminToken}, "survey": {"nps"}, "team": {"Марс"},
			"from": {"2026-02-01"}, "to": {"2026-02-28"}})
		want(t, "an unknown team", status, http.StatusUnprocessableEntity, body)
		if !has(body, "Нет такой группы") {
			t.Errorf("an unknown team is not explained")
		}
		// A manager may not write plans.
		anna, annaToken := w.browserAs(emailAnna)
		before = w.plansState()
		status, _, _ = anna.post("/plans", url.Values{"_csrf": {annaToken}, "survey": {"nps"}, "from": {"2026-01-01"}, "to": {"2026-01-31"}})
		want(t, "a manager's plan", status, http.StatusForbidden, "")
		status, _, _ = anna.post(fmt.Sprintf("/plans/%d/items", id), url.Values{"_csrf": {annaToken}, "what": {"x"},
			"owner": {emailAnna}, "due": {"2026-03-05"}})
		want(t, "a manager adds an action", status, http.StatusForbidden, "")
		if w.plansState() != before {
			t.Fatal("a manager changed plans")
		}

		// Actions: an owner must be a user; hostile text stays text.
		items := fmt.Sprintf("/plans/%d/items", id)
		status, _, body = lead.post(items, url.Values{"_csrf": {leadToken}, "what": {"Позвонить"}, "owner": {"nobody@example.com"}, "due": {"2026-03-05"}})
		want(t, "an action for nobody", status, http.StatusUnprocessableEntity, body)
		if !has(body, "Нет такого пользователя") || !has(body, "Позвонить") {
			t.Errorf("the bad owner is not explained, or the typed text is lost")
		}
		status, _, body = lead.post(items, url.Values{"_csrf": {leadToken}, "what": {rawScript + " Перезвонить нейтральным"}, "owner": {emailAnna}, "due": {"2026-03-05"}})
		want(t, "Анна's action", status, http.StatusSeeOther, body)
		status, _, body = lead.post(items, url.Values{"_csrf": {leadToken}, "what": {"Сократить сроки"}, "owner": {emailLeadNorth}, "due": {"2026-03-20"}})
		want(t, "the lead's action", status, http.StatusSeeOther, body)
		status, _, body = lead.post(items, url.Values{"_csrf": {leadToken}, "what": {"Давно пора"}, "owner": {emailLeadNorth}, "due": {"2026-02-20"}})
		want(t, "an overdue action", status, http.StatusSeeOther, body)
		p = w.planByID(id)
		if len(p.Items) != 3 {
			t.Fatalf("actions: %+v", p.Items)
		}
		annas, leads, late := p.Items[0], p.Items[1], p.Items[2]

		// Today is 2 March: Анна's is due on the 5th (soon), the lead's on
		// the 20th (later), the third was due on 20 February (overdue).
		page := fmt.Sprintf("/plans/%d", id)
		_, body = anna.get(page)
		inert(t, "the plan page", body, escScript)
		for _, row := range []struct {
			item  otklik.PlanItem
			class string
		}{{annas, "soon"}, {leads, "later"}, {late, "overdue"}} {
			if !regexp.MustCompile(fmt.Sprintf(`id="item-%d" class="item %s"`, row.item.ID, row.class)).MatchString(body) {
				t.Errorf("action %d is not %s", row.item.ID, row.class)
			}
		}
		// Анна sees her own action as due soon on the list.
		_, body = anna.get("/plans")
		if !has(body, "Мои действия") || !has(body, fmt.Sprintf(`href="/plans/%d#item-%d"`, id, annas.ID)) || has(body, fmt.Sprintf("#item-%d", leads.ID)) {
			t.Errorf("Анна's due actions on the list:\n%s", body)
		}
		// Анна marks her own action done; the viewer may not; another team
		// does not see the plan at all.
		done := fmt.Sprintf("/plans/%d/items/%d/done", id, annas.ID)
		viewer, viewerToken := w.browserAs(emailViewer)
		status, _, _ = viewer.post(done, url.Values{"_csrf": {viewerToken}, "note": {"x"}})
		want(t, "the viewer marks done", status, http.StatusForbidden, "")
		boris, borisToken := w.browserAs(emailBoris)
		status, _, _ = boris.post(done, url.Values{"_csrf": {borisToken}, "note": {"x"}})
		want(t, "another team marks done", status, http.StatusNotFound, "")
		status, _, _ = anna.post(fmt.Sprintf("/plans/%d/items/%d/done", id, leads.ID), url.Values{"_csrf": {annaToken}, "note": {"x"}})
		want(t, "Анна marks the lead's action", status, http.StatusForbidden, "")
		status, loc, body = anna.post(done, url.Values{"_csrf": {annaToken}, "note": {"Обзвонили 12 клиентов"}})
		want(t, "Анна marks hers done", status, http.StatusSeeOther, body)
		if loc != page+"?done=done" {
			t.Errorf("after marking done: %q", loc)
		}
		if it := w.planByID(id).Items[0]; it.Status != otklik.ItemDone || it.DoneNote != "Обзвонили 12 клиентов" || it.DoneBy != emailAnna {
			t.Errorf("Анна's action: %+v", it)
		}
		_, body = anna.get(loc)
		if !has(body, "Действие отмечено выполненным.") || !regexp.MustCompile(fmt.Sprintf(`id="item-%d" class="item done"`, annas.ID)).MatchString(body) {
			t.Errorf("the done action on the page")
		}

		// The lead edits an action and closes the plan with its results.
		status, _, body = lead.post(fmt.Sprintf("/plans/%d/items/%d", id, leads.ID), url.Values{"_csrf": {leadToken},
			"what": {"Сократить сроки до 2 дней"}, "owner": {emailAnna}, "due": {"2026-03-25"}})
		want(t, "edit an action", status, http.StatusSeeOther, body)
		status, _, body = lead.post(page, url.Values{"_csrf": {leadToken}, "title": {"Февраль"}, "status": {"done"}})
		want(t, "done without results", status, http.StatusUnprocessableEntity, body)
		if !has(body, "Запишите результаты, чтобы закрыть план") {
			t.Errorf("closing without results is not explained")
		}
		status, _, body = lead.post(page, url.Values{"_csrf": {leadToken}, "title": {"Февраль"}, "status": {"done"}, "results": {"NPS вырос"}})
		want(t, "done with results", status, http.StatusSeeOther, body)
		p = w.planByID(id)
		if p.Status != otklik.PlanDone || p.Results != "NPS вырос" || p.Items[1].What != "Сократить сроки до 2 дней" ||
			p.Items[1].Owner != emailAnna || p.Items[1].Due.String() != "2026-03-25" {
			t.Errorf("after the edits: %+v", p)
		}
		south, southToken := w.browserAs(emailLeadSouth)
		status, _, _ = south.post(page, url.Values{"_csrf": {southToken}, "title": {"Чужой"}, "status": {"draft"}})
		want(t, "another team's lead edits", status, http.StatusNotFound, "")
	})
}

// TestPlanFigures puts the wave's NPS beside the next wave's, from the
// analytics index: the team's answers only, each wave its own days.
func TestPlanFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		// The seed's answers came on 2 March (Анна's 10 in Север, Борис's 2
		// in Юг). February for Север: 3, 8, 9 → 1 promoter, 1 detractor of
		// 3: NPS 0. The next wave, 1–28 March: the seed's 10 and a 9 →
		// NPS 100. Юг's answers count in neither.
		feb := time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
		for _, s := range []int{3, 8, 9} {
			w.answerAt("nps", "c-anna", s, "", feb)
		}
		w.answerAt("nps", "c-boris", 0, "", feb)
		w.answerAt("nps", "c-anna", 9, "", time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
		// 31 January 22:00 UTC is 1 February in Moscow: in the wave.
		w.answerAt("nps", "c-anna", 7, "", time.Date(2026, 1, 31, 22, 0, 0, 0, time.UTC))
		// Now n = 4 in February: 1 promoter, 1 detractor → NPS 0 still.
		p := w.plan("Север", "2026-02-01", "2026-02-28", "Февраль")

		lead, _ := w.browserAs(emailLeadNorth)
		status, body := lead.get(fmt.Sprintf("/plans/%d", p.ID))
		want(t, "the plan page", status, http.StatusOK, body)
		values := regexp.MustCompile(`<p class="value">([^<]*)</p>`).FindAllStringSubmatch(body, -1)
		if len(values) != 2 || values[0][1] != "0" || values[1][1] != "100" {
			t.Fatalf("wave figures %q, want 0 then 100", values)
		}
		for _, s := range []string{"4 ответа", "2 ответа", "+100", "идёт сейчас",
			`href="/answers?from=2026-02-01&amp;survey=nps&amp;team=%D0%A1%D0%B5%D0%B2%D0%B5%D1%80&amp;to=2026-02-28"`,
			`href="/answers?from=2026-03-01&amp;survey=nps&amp;team=%D0%A1%D0%B5%D0%B2%D0%B5%D1%80&amp;to=2026-03-28"`} {
			if !has(body, s) {
				t.Errorf("the figures lack %q", s)
			}
		}
		// Анна reaches only her own customers: the figures say so.
		anna, _ := w.browserAs(emailAnna)
		_, body = anna.get(fmt.Sprintf("/plans/%d", p.ID))
		if !has(body, "Цифры — по ответам ваших клиентов") {
			t.Errorf("a manager's figures are not marked as their own customers'")
		}
	})
}
