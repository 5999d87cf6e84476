package web_test

// The insights board over HTTP on both databases: every role on every
// page, an answer becoming a problem, votes (one per user), the status
// changed by leads only, answers linked within reach, CSRF, hostile text,
// and a recurring theme computed from answers inserted here showing on the
// themes page and the quarterly review, then put on the board.

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/apptest"
	"otklik/internal/store"
	"otklik/internal/storetest"
)

var insightLocation = regexp.MustCompile(`^/insights/(\d+)\?done=created$`)

func (s *site) insightByID(id int64) *otklik.Insight {
	s.t.Helper()
	in, err := s.app.DB.Insight(s.t.Context(), id, 0)
	if err != nil {
		s.t.Fatalf("insight %d: %v", id, err)
	}
	return in
}

func (s *site) boardState() string {
	s.t.Helper()
	ins, err := s.app.DB.Insights(s.t.Context(), store.InsightFilter{Sort: store.SortNewest})
	if err != nil {
		s.t.Fatal(err)
	}
	var b strings.Builder
	for _, in := range ins {
		fmt.Fprintf(&b, "%d %s %q %q %v %s %d %d\n", in.ID, in.Kind, in.Title, in.Body, in.Tags, in.Status, in.Votes, in.Answers)
	}
	return b.String()
}

// created reads the new item's id from the redirect after a create.
func created(t *testing.T, loc string) int64 {
	t.Helper()
	m := insightLocation.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("created item: redirect to %q", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// TestPlansAndInsightsByRole tries every role on every page of the plans
// and the board, with rows inside and outside each reach.
func TestPlansAndInsightsByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		north := w.plan("Север", "2026-02-01", "2026-02-28", "Февраль, Север")
		south := w.plan("Юг", "2026-02-01", "2026-02-28", "Февраль, Юг")
		answers := w.allAnswers()
		annaAnswer, borisAnswer := answers[0].ID, answers[1].ID
		in := &otklik.Insight{Kind: otklik.InsightProblem, Title: "Долгая выдача", Author: emailAdmin}
		in.Normalize()
		if err := w.app.DB.CreateInsight(t.Context(), otklik.Scope{Reach: otklik.ReachAll}, in, []int64{annaAnswer, borisAnswer}); err != nil {
			t.Fatal(err)
		}
		browsers := map[string]*browser{}
		for role, email := range roleEmails {
			browsers[role], _ = w.browserAs(email)
		}
		const ok, forbidden, missing, invalid = http.StatusOK, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity
		readers := every(forbidden, "admin", ok, "lead-north", ok, "lead-south", ok, "anna", ok, "boris", ok, "viewer", ok)
		nowhere := every(forbidden, "admin", missing, "lead-north", missing, "lead-south", missing, "anna", missing, "boris", missing, "viewer", missing)
		for _, g := range []struct {
			path string
			want byRole
		}{
			{"/plans", readers},
			{"/plans?team=Север&status=draft", readers},
			{"/plans/new", every(forbidden, "admin", ok, "lead-north", ok, "lead-south", ok)},
			{fmt.Sprintf("/plans/%d", north.ID), every(forbidden, "admin", ok, "lead-north", ok, "lead-south", missing,
				"anna", ok, "boris", missing, "viewer", ok)},
			{fmt.Sprintf("/plans/%d", south.ID), every(forbidden, "admin", ok, "lead-north", missing, "lead-south", ok,
				"anna", missing, "boris", ok, "viewer", ok)},
			{"/plans/999999", nowhere},
			{"/plans/x", nowhere},
			{"/insights", readers},
			{"/insights?kind=problem&status=new&tag=x&sort=answers", readers},
			{fmt.Sprintf("/insights/%d", in.ID), readers}, // the board is everyone's
			{"/insights/999999", nowhere},
			{"/insights/themes", readers},
			{"/insights/themes?from=2026-01-01&to=2026-03-31&survey=nps", readers},
			{"/insights/themes?from=bad", every(forbidden, "admin", invalid, "lead-north", invalid, "lead-south", invalid,
				"anna", invalid, "boris", invalid, "viewer", invalid)},
			{"/insights/review", readers},
			{"/insights/review?quarter=2025-Q4", readers},
			{"/insights/review?quarter=2025-Q5", every(forbidden, "admin", invalid, "lead-north", invalid, "lead-south", invalid,
				"anna", invalid, "boris", invalid, "viewer", invalid)},
			{fmt.Sprintf("/insights/answer/%d", annaAnswer), every(forbidden, "admin", ok, "lead-north", ok, "lead-south", missing,
				"anna", ok, "boris", missing, "viewer", ok)},
			{fmt.Sprintf("/insights/answer/%d", borisAnswer), every(forbidden, "admin", ok, "lead-north", missing, "lead-south", ok,
				"anna", missing, "boris", ok, "viewer", ok)},
			{"/insights/answer/x", nowhere},
		} {
			for _, role := range roleOrder {
				resp, body := browsers[role].send("GET", g.path, "", nil)
				if resp.StatusCode != g.want[role] {
					t.Errorf("%s GET %s: %d, want %d", role, g.path, resp.StatusCode, g.want[role])
				}
				if resp.StatusCode == missing && (has(body, "marker-anna") || has(body, "marker-boris") || has(body, "Февраль, ")) {
					t.Errorf("%s GET %s: the 404 page shows what it hides", role, g.path)
				}
			}
		}
		// The plan list shows each reader the plans in reach; the menu
		// links the plans and the board for those who may read them.
		_, body := browsers["lead-south"].get("/plans")
		if !has(body, "Февраль, Юг") || has(body, "Февраль, Север") || !has(body, `href="/plans"`) || !has(body, `href="/insights"`) {
			t.Errorf("the south lead's plan list:\n%s", body)
		}
		if _, body := browsers["agent"].get("/surveys"); has(body, `href="/plans"`) || has(body, `href="/insights"`) {
			t.Errorf("an agent's menu links the plans or the board")
		}
		// The item's page shows each reader the linked answers in reach and
		// counts the others.
		_, body = browsers["anna"].get(fmt.Sprintf("/insights/%d", in.ID))
		if !has(body, "marker-anna") || has(body, "marker-boris") || !has(body, "Ещё 1 ответ вне вашего доступа.") {
			t.Errorf("Анна's view of the item's answers:\n%s", body)
		}
		_, body = browsers["admin"].get(fmt.Sprintf("/insights/%d", in.ID))
		if !has(body, "marker-anna") || !has(body, "marker-boris") || has(body, "вне вашего доступа") {
			t.Errorf("the admin's view of the item's answers")
		}
	})
}

func TestInsightForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		answers := w.allAnswers()
		annaAnswer, borisAnswer := answers[0].ID, answers[1].ID
		anna, annaToken := w.browserAs(emailAnna)

		// Refused without CSRF, for an answer beyond reach, for a role that
		// may not write: nothing changes.
		before := w.boardState()
		form := url.Values{"kind": {"problem"}, "title": {rawScript + " Долго ждём"}, "body": {rawImg}, "tags": {"Скорость, #сроки"},
			"response_id": {strconv.FormatInt(annaAnswer, 10)}}
		status, _, _ := anna.post("/insights", form)
		want(t, "no CSRF", status, http.StatusForbidden, "")
		form.Set("_csrf", annaToken)
		form.Add("response_id", strconv.FormatInt(borisAnswer, 10))
		status, _, _ = anna.post("/insights", form)
		want(t, "Борис's answer by Анна", status, http.StatusNotFound, "")
		agent, agentToken := w.browserAs(emailAgent)
		status, _, _ = agent.post("/insights", url.Values{"_csrf": {agentToken}, "kind": {"idea"}, "title": {"x"}})
		want(t, "an agent's item", status, http.StatusForbidden, "")
		status, _, body := anna.post("/insights", url.Values{"_csrf": {annaToken}, "kind": {"wish"}, "title": {" "},
			"response_id": {strconv.FormatInt(annaAnswer, 10)}})
		want(t, "no title, no kind", status, http.StatusUnprocessableEntity, body)
		if !has(body, "Обязательное поле") || !has(body, "Выберите одно из значений") ||
			!has(body, fmt.Sprintf(`name="response_id" value="%d"`, annaAnswer)) {
			t.Errorf("the form's errors, or the answer to link, are lost:\n%s", body)
		}
		if w.boardState() != before {
			t.Fatal("a refused form changed the board")
		}

		// Анна makes her answer a problem.
		form.Set("response_id", strconv.FormatInt(annaAnswer, 10))
		status, loc, body := anna.post("/insights", form)
		want(t, "Анна's problem", status, http.StatusSeeOther, body)
		id := created(t, loc)
		in := w.insightByID(id)
		if in.Kind != otklik.InsightProblem || in.Author != emailAnna || in.Answers != 1 || fmt.Sprint(in.Tags) != "[скорость сроки]" ||
			in.Status != otklik.InsightNew {
			t.Fatalf("created %+v", in)
		}
		item := fmt.Sprintf("/insights/%d", id)
		for _, path := range []string{item, "/insights", fmt.Sprintf("/insights/answer/%d", annaAnswer)} {
			_, body := anna.get(path)
			inert(t, path, body, escScript)
		}

		// Votes: one per user; taking back works; the board sorts by them.
		lead, leadToken := w.browserAs(emailLeadNorth)
		viewer, viewerToken := w.browserAs(emailViewer)
		vote := func(b *browser, token, on string) {
			t.Helper()
			status, loc, body := b.post(item+"/vote", url.Values{"_csrf": {token}, "on": {on}, "back": {"/insights?sort=votes"}})
			want(t, "vote", status, http.StatusSeeOther, body)
			if loc != "/insights?sort=votes" {
				t.Errorf("after a vote: %q", loc)
			}
		}
		vote(anna, annaToken, "1")
		vote(anna, annaToken, "1")
		vote(lead, leadToken, "1")
		// A viewer reads the board but changes nothing, votes included.
		if status, _, body := viewer.post(item+"/vote", url.Values{"_csrf": {viewerToken}, "on": {"1"}}); status != http.StatusForbidden {
			want(t, "a viewer's vote", status, http.StatusForbidden, body)
		}
		if got := w.insightByID(id).Votes; got != 2 {
			t.Errorf("votes %d, want 2 (Анна twice counts once, the lead)", got)
		}
		status, loc, _ = anna.post(item+"/vote", url.Values{"_csrf": {annaToken}, "on": {"1"}, "back": {"https://evil.example/"}})
		if status != http.StatusSeeOther || loc != item+"?done=vote" {
			t.Errorf("a vote asking to go elsewhere: %d %q", status, loc)
		}
		status, _, _ = agent.post(item+"/vote", url.Values{"_csrf": {agentToken}, "on": {"1"}})
		want(t, "an agent votes", status, http.StatusForbidden, "")
		_, body = anna.get(item)
		if !has(body, `aria-pressed="true"`) || !has(body, "2 голоса") {
			t.Errorf("Анна's vote is not shown as hers")
		}

		// The status: leads and admins only.
		status, _, _ = anna.post(item+"/status", url.Values{"_csrf": {annaToken}, "status": {"planned"}})
		want(t, "a manager sets the status", status, http.StatusForbidden, "")
		status, _, body = lead.post(item+"/status", url.Values{"_csrf": {leadToken}, "status": {"archived"}})
		want(t, "an unknown status", status, http.StatusUnprocessableEntity, body)
		status, _, body = lead.post(item+"/status", url.Values{"_csrf": {leadToken}, "status": {"planned"}})
		want(t, "the lead plans it", status, http.StatusSeeOther, body)
		if w.insightByID(id).Status != otklik.InsightPlanned {
			t.Error("the status did not change")
		}

		// Борис adds his answer to Анна's problem: one more voice.
		boris, borisToken := w.browserAs(emailBoris)
		status, _, _ = boris.post(item+"/answers", url.Values{"_csrf": {borisToken}, "response_id": {strconv.FormatInt(annaAnswer, 10)}})
		want(t, "Борис links Анна's answer", status, http.StatusNotFound, "")
		status, _, body = boris.post(item+"/answers", url.Values{"_csrf": {borisToken}, "response_id": {""}})
		want(t, "no answer to link", status, http.StatusUnprocessableEntity, body)
		status, loc, body = boris.post(item+"/answers", url.Values{"_csrf": {borisToken}, "response_id": {"№" + strconv.FormatInt(borisAnswer, 10)},
			"back": {fmt.Sprintf("/insights/answer/%d", borisAnswer)}})
		want(t, "Борис links his answer", status, http.StatusSeeOther, body)
		if loc != fmt.Sprintf("/insights/answer/%d", borisAnswer) || w.insightByID(id).Answers != 2 {
			t.Errorf("after linking: %q, %d answers", loc, w.insightByID(id).Answers)
		}
		_, body = boris.get(loc)
		if !has(body, "Долго ждём") || !has(body, "marker-boris") {
			t.Errorf("Борис's answer page does not show the item it is on")
		}

		// Editing: the author and the leads; not another manager.
		status, _, _ = boris.post(item, url.Values{"_csrf": {borisToken}, "kind": {"idea"}, "title": {"Чужое"}})
		want(t, "another manager edits", status, http.StatusForbidden, "")
		status, _, body = anna.post(item, url.Values{"_csrf": {annaToken}, "kind": {"problem"}, "title": {"Долго ждём ответа"}, "tags": {"сроки"}})
		want(t, "the author edits", status, http.StatusSeeOther, body)
		if in := w.insightByID(id); in.Title != "Долго ждём ответа" || fmt.Sprint(in.Tags) != "[сроки]" || in.Votes != 2 || in.Answers != 2 {
			t.Errorf("edited: %+v", in)
		}

		// An idea from the board's form; the filters and orders.
		status, loc, body = lead.post("/insights", url.Values{"_csrf": {leadToken}, "kind": {"idea"}, "title": {"Чат-бот для статуса заявки"}})
		want(t, "the lead's idea", status, http.StatusSeeOther, body)
		idea := created(t, loc)
		_, body = anna.get("/insights?kind=idea")
		if !has(body, "Чат-бот для статуса заявки") || has(body, "Долго ждём ответа") {
			t.Errorf("the idea filter")
		}
		_, body = anna.get("/insights?tag=" + url.QueryEscape("сроки"))
		if has(body, "Чат-бот") || !has(body, "Долго ждём ответа") {
			t.Errorf("the tag filter")
		}
		_, body = anna.get("/insights?sort=new")
		if i, j := strings.Index(body, fmt.Sprintf(`id="insight-%d"`, idea)), strings.Index(body, fmt.Sprintf(`id="insight-%d"`, id)); i < 0 || j < 0 || i > j {
			t.Errorf("newest first: the idea at %d, the problem at %d", i, j)
		}
		_, body = anna.get("/insights")
		if i, j := strings.Index(body, fmt.Sprintf(`id="insight-%d"`, idea)), strings.Index(body, fmt.Sprintf(`id="insight-%d"`, id)); i < 0 || j < 0 || j > i {
			t.Errorf("by votes: the problem (2) at %d, the idea (0) at %d", j, i)
		}
	})
}

// TestThemeFromAnswers: comments inserted for the test make a theme that
// rises from the previous 30 days to the last 30, shows with its example
// answers, goes on the board with them, and tops the quarterly review.
func TestThemeFromAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		// The clock stands at 2 March 2026, 12:00 in Moscow. The default
		// period is the 30 days 1 February … 2 March (Moscow); the one
		// before it 2 … 31 January.
		cur := time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC)
		prev := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
		var ids []int64
		for i, c := range []string{
			"Долго ждали ответа от банка",
			"Очень долго ждали ответа, неделю",
			"Мы долго ждали ответа по заявке",
			"долго ждали ответа!!! " + rawScript,
		} {
			ids = append(ids, w.answerAt("nps", "c-anna", 5+i%2, c, cur.Add(time.Duration(i)*time.Hour)).ID)
		}
		w.answerAt("nps", "c-boris", 6, "Long wait for an answer", cur)
		for _, c := range []string{"Спасибо, всё быстро", "Менеджер вежливый", "Всё хорошо", "Приятный офис"} {
			w.answerAt("nps", "c-anna", 9, c, prev)
		}
		lead, leadToken := w.browserAs(emailLeadNorth)
		status, body := lead.get("/insights/themes")
		want(t, "the themes page", status, http.StatusOK, body)
		if !has(body, `<strong>долго ждали ответа</strong>`) || !has(body, "новая") {
			t.Fatalf("the theme is not on the page:\n%s", body)
		}
		// Север's lead: 5 answers in the period (the seed's and the four),
		// all with comments; 4 in the period before.
		for _, s := range []string{"За период: 5 ответов, из них 5 комментариев.", "Сравнение с 2 января 2026 — 31 января 2026: 4 ответа.",
			"4 комментария", fmt.Sprintf(`href="/insights/answer/%d"`, ids[3]), fmt.Sprintf(`href="/insights/answer/%d"`, ids[1]),
			`href="/answers?from=2026-02-01&amp;q=`} {
			if !has(body, s) {
				t.Errorf("the themes page lacks %q", s)
			}
		}
		if has(body, "Long wait") {
			t.Errorf("Юг's comment is in Север's themes")
		}
		inert(t, "the themes page", body, escScript)
		// The three most recent examples go to the board with the theme.
		examples := regexp.MustCompile(`name="response_id" value="(\d+)"`).FindAllStringSubmatch(body, -1)
		if len(examples) != 3 {
			t.Fatalf("examples to post: %q", examples)
		}
		form := url.Values{"_csrf": {leadToken}, "kind": {"problem"}, "title": {"долго ждали ответа"}, "theme": {"долг ждал ответ"}}
		for _, m := range examples {
			form.Add("response_id", m[1])
		}
		status, loc, body := lead.post("/insights", form)
		want(t, "the theme to the board", status, http.StatusSeeOther, body)
		id := created(t, loc)
		if in := w.insightByID(id); in.Answers != 3 || in.Theme != "долг ждал ответ" {
			t.Fatalf("the theme's item: %+v", in)
		}
		_, body = lead.get("/insights/themes")
		if !has(body, fmt.Sprintf(`href="/insights/%d" class="button">Уже на доске`, id)) {
			t.Errorf("the theme does not link its board item")
		}
		// The quarterly review of Q1: the item and the theme.
		_, body = lead.get("/insights/review")
		for _, s := range []string{"Квартальный разбор 2026-Q1", "долго ждали ответа", "3 ответа за квартал",
			fmt.Sprintf(`href="/insights/%d"`, id), `href="/insights/review?quarter=2025-Q4"`} {
			if !has(body, s) {
				t.Errorf("the review lacks %q", s)
			}
		}
		if has(body, "2026-Q2") {
			t.Errorf("the review links a quarter that has not begun")
		}
		// English: the same page speaks English for an English reader.
		w.user("en@example.com", otklik.RoleAdmin, "", "en")
		en, _ := w.browserAs("en@example.com")
		_, body = en.get("/insights/themes")
		for _, s := range []string{"Recurring themes", "Already on the board", "In the period: 7 answers, 7 comments among them."} {
			if !has(body, s) {
				t.Errorf("the English themes page lacks %q", s)
			}
		}
	})
}

// BenchmarkThemesPage measures the themes page of a busy period: 40,000
// answers over the 60 days before the clock (20,000 in the page's 30-day
// period and as many in the one before), four in five with a comment made
// of a few dozen complaints and praises. The page reads both periods'
// comments and counts, runs text.Themes over 40,000 documents and renders
// the 30 best themes with their examples.
func BenchmarkThemesPage(b *testing.B) {
	x := apptest.Start(b, "sqlite", nil)
	ctx := b.Context()
	db := x.App.DB
	if err := db.CreateUser(ctx, &otklik.User{Email: emailAdmin, Role: otklik.RoleAdmin, Locale: "ru", PasswordHash: hashed}); err != nil {
		b.Fatal(err)
	}
	sv := npsSurvey("nps")
	if err := db.CreateSurvey(ctx, sv); err != nil {
		b.Fatal(err)
	}
	c, _, err := db.UpsertCustomer(ctx, otklik.Scope{Reach: otklik.ReachAll}, "c-1", func(c *otklik.Customer) { c.Team = "Север" })
	if err != nil {
		b.Fatal(err)
	}
	openings := []string{"Долго ждали ответа", "Так и не перезвонили", "Менеджер грубо разговаривал", "Быстро решили вопрос",
		"Высокие проценты", "Удобное приложение", "Приложение вылетает", "Waited too long", "Great service", "Всё понятно"}
	tails := []string{"по заявке", "уже вторую неделю", "спасибо", "в отделении", "по телефону", "в чате", "", "опять"}
	var batch []*otklik.Response
	start := apptest.T0.AddDate(0, 0, -60)
	for i := range 40_000 {
		at := start.Add(time.Duration(i) * 129 * time.Second) // 40,000 × 129 s ≈ 60 days
		comment := ""
		if i%5 != 0 {
			comment = openings[(i*7+i/3)%len(openings)] + " " + tails[(i/7)%len(tails)]
		}
		batch = append(batch, &otklik.Response{SurveyID: sv.ID, CustomerID: c.ID, Survey: sv.Key, Customer: c.ExternalID,
			Channel: otklik.ChannelEmail, Score: i % 11, Comment: comment, AnsweredAt: at, CreatedAt: at,
			Snapshot: c.Dimensions(at), IdempotencyKey: "bench-" + strconv.Itoa(i)})
		if len(batch) == 500 {
			for _, r := range db.AddResponses(ctx, batch) {
				if r.Err != nil {
					b.Fatal(r.Err)
				}
			}
			batch = nil
		}
	}
	// Sign in over HTTP, as a browser would.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get := func(path string) string {
		resp, err := client.Get(x.Srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(body)
	}
	token := csrfField.FindStringSubmatch(get("/signin"))[1]
	resp, err := client.PostForm(x.Srv.URL+"/signin", url.Values{"_csrf": {token}, "email": {emailAdmin}, "password": {testPassword}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if body := get("/insights/themes"); !has(body, `class="cards themes"`) || !has(body, "За период: 19\u00a0572 ответа") {
		b.Fatalf("the themes page lacks the theme or the answers:\n%s", body)
	}
	b.ResetTimer()
	for b.Loop() {
		get("/insights/themes")
	}
}
