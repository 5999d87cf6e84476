package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"otklik"
	"otklik/internal/auth"
	"otklik/internal/demo"
	"otklik/internal/intake"
	"otklik/internal/store"
)

// The tests in this file drive the web UI in a real browser: Debian's
// chromium, headless, through chromedp. One browser serves every test; each
// test gets tabs of its own in a fresh browser context (its own cookies), on
// a site of its own.

const chromiumPath = "/usr/bin/chromium"

// tabTimeout bounds each test's tabs, so a stuck page fails the test instead
// of hanging the run.
const tabTimeout = 60 * time.Second

// startChromium starts the browser the subtests of t share and stops it when
// t ends. Without chromium the tests are skipped, except in CI, where a
// missing browser must not pass unnoticed.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need %s (apt-get install -y chromium): %v", chromiumPath, err)
		}
		t.Skipf("browser tests skipped: %s not found (apt-get install -y chromium; with CI=true this fails)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		// This machine has no network: without these chromium waits on
		// services it cannot reach.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelRoot(); cancelAlloc() })
	// The first Run ties the browser's life to its context, so it cannot
	// carry a timeout; a timer stops a browser that does not come up.
	stuck := time.AfterFunc(30*time.Second, cancelRoot)
	err := chromedp.Do(root)
	if !stuck.Stop() {
		t.Fatalf("chromium did not start within 30 s: %v", err)
	}
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return root
}

// chromeTab is one browser tab looking at one site.
type chromeTab struct {
	t   *testing.T
	s   *site
	ctx context.Context
}

// openTab opens a tab in a fresh browser context: no cookies from other tests.
func openTab(t *testing.T, chrome context.Context, s *site) *chromeTab {
	t.Helper()
	ctx, cancel := context.WithTimeout(chrome, tabTimeout)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(func() { cancelTab(); cancel() })
	tb := &chromeTab{t: t, s: s, ctx: ctx}
	tb.do() // opens the tab
	return tb
}

// sibling opens another tab in the same browser context: same cookies.
func (tb *chromeTab) sibling() *chromeTab {
	tb.t.Helper()
	ctx, cancel := chromedp.NewContext(tb.ctx)
	tb.t.Cleanup(cancel)
	other := &chromeTab{t: tb.t, s: tb.s, ctx: ctx}
	other.do()
	return other
}

func (tb *chromeTab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.t.Fatalf("browser: %v\n%s", err, tb.describe())
	}
}

// describe tells where the tab is and what it shows, for failure messages.
func (tb *chromeTab) describe() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + (document.body ? document.body.innerText : "")`))
	if err != nil {
		return "(page unreadable: " + err.Error() + ")"
	}
	if len(text) > 1500 {
		text = text[:1500] + "…"
	}
	return "page: " + text
}

// open loads path and fails unless the page answers 200.
func (tb *chromeTab) open(path string) {
	tb.t.Helper()
	tb.expectPage(http.StatusOK, chromedp.Navigate(tb.s.srv.URL+path))
}

// submit clicks sel, which must load a new page, and checks its status.
func (tb *chromeTab) submit(sel string) {
	tb.t.Helper()
	tb.expectPage(http.StatusOK, chromedp.Click(chromedp.CSS(sel)))
}

func (tb *chromeTab) expectPage(status int, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, steps...)
	if err != nil {
		tb.t.Fatalf("browser: %v\n%s", err, tb.describe())
	}
	if int(resp.Status) != status {
		tb.t.Fatalf("%s answered %d, want %d\n%s", resp.URL, resp.Status, status, tb.describe())
	}
}

// text is the visible text of the first element matching sel.
func (tb *chromeTab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v\n%s", sel, err, tb.describe())
	}
	return strings.TrimSpace(s)
}

// evalJS runs a JavaScript expression in the page.
func evalJS[T any](tb *chromeTab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v\n%s", expr, err, tb.describe())
	}
	return v
}

// texts is the visible text of every element matching sel.
func (tb *chromeTab) texts(sel string) []string {
	tb.t.Helper()
	return evalJS[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.innerText.trim())`, sel))
}

// waitFor waits until the JavaScript condition holds, for pages that change
// without loading (htmx).
func (tb *chromeTab) waitFor(cond string) {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		tb.t.Fatalf("waiting for %s: %v\n%s", cond, err, tb.describe())
	}
}

// signIn signs in through the form and lands on the overview.
func (tb *chromeTab) signIn(email string) {
	tb.t.Helper()
	tb.open("/signin")
	tb.do(
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
	)
	tb.submit(`form[action="/signin"] button[type=submit]`)
	if path := evalJS[string](tb, `location.pathname`); path != "/" {
		tb.t.Fatalf("after signing in the browser is at %s, want /\n%s", path, tb.describe())
	}
}

// filterAnswers applies the answers feed's filter form as a person would.
func (tb *chromeTab) filterAnswers(survey, group string) {
	tb.t.Helper()
	tb.open("/answers")
	tb.do(
		chromedp.SetValue(chromedp.CSS(`form.filters select[name=survey]`), survey),
		chromedp.SetValue(chromedp.CSS(`form.filters select[name=group]`), group),
	)
	tb.submit(`form.filters button[type=submit]`)
	q := evalJS[string](tb, `location.search`)
	if !strings.Contains(q, "survey="+survey) || !strings.Contains(q, "group="+group) {
		tb.t.Fatalf("the filter form sent %q, want survey=%s and group=%s", q, survey, group)
	}
}

var btAll = otklik.Scope{Reach: otklik.ReachAll}

var btActor = otklik.Actor{Email: "browser-test", Role: otklik.RoleAdmin}

// btSurvey creates the NPS survey the scenarios answer.
func btSurvey(s *site) *otklik.Survey {
	s.t.Helper()
	sv := &otklik.Survey{Key: "nps", Kind: otklik.KindNPS,
		Title:         otklik.Text{RU: "Готовность рекомендовать", EN: "Likelihood to recommend"},
		ScoreQuestion: otklik.Text{RU: "Насколько вероятно, что вы порекомендуете нас друзьям?", EN: "How likely are you to recommend us to a friend?"},
		WhyQuestion:   otklik.Text{RU: "Что повлияло на вашу оценку?", EN: "What made you give this score?"},
		Drivers: []otklik.Driver{
			{Key: "manager_speed", Text: otklik.Text{RU: "Скорость ответа менеджера", EN: "How quickly your manager replied"}},
			{Key: "terms", Text: otklik.Text{RU: "Условия кредита", EN: "The loan terms"}},
		}}
	if err := s.app.DB.CreateSurvey(context.Background(), sv); err != nil {
		s.t.Fatalf("create survey: %v", err)
	}
	return sv
}

type btAnswer struct {
	customer, comment string
	score             int
}

// btAnswers records answers to survey, each from a customer of its own.
func btAnswers(s *site, survey string, as ...btAnswer) {
	s.t.Helper()
	for i, a := range as {
		score := a.score
		_, _, err := s.app.Intake.Record(context.Background(), btActor, intake.Answer{
			Survey: survey, Customer: a.customer, Score: &score, Comment: a.comment, Channel: otklik.ChannelEmail,
			AnsweredAt: t0.Add(-time.Duration(i+1) * time.Hour),
			NewCustomer: &otklik.Customer{ExternalID: a.customer, Name: "Клиент " + a.customer, Locale: "ru",
				Manager: "anna@otklik.local", Team: "Москва", Segment: "ипотека"}})
		if err != nil {
			s.t.Fatalf("record answer %+v: %v", a, err)
		}
	}
}

// btLink asks the API for a customer's personal survey link, as a CRM
// would, and returns it pointing at the test server.
func btLink(s *site, admin *otklik.User, survey, customer string) string {
	s.t.Helper()
	token, prefix, hash := auth.NewToken()
	if _, err := s.app.DB.CreateToken(context.Background(), admin.ID, "browser test", prefix, hash); err != nil {
		s.t.Fatalf("create token: %v", err)
	}
	req, _ := http.NewRequest("GET", s.srv.URL+"/api/v1/surveys/"+survey+"/link?customer="+url.QueryEscape(customer), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("survey link: %v", err)
	}
	defer resp.Body.Close()
	var link struct {
		URL string `json:"url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&link); err != nil || resp.StatusCode != http.StatusOK {
		s.t.Fatalf("survey link: %d %v", resp.StatusCode, err)
	}
	rest, ok := strings.CutPrefix(link.URL, "http://otklik.test/s/")
	if !ok {
		s.t.Fatalf("survey link %q is not under the base URL", link.URL)
	}
	return s.srv.URL + "/s/" + rest
}

// btCustomer creates a customer directly in the store.
func btCustomer(s *site, ext, name, locale string) {
	s.t.Helper()
	if _, _, err := s.app.DB.UpsertCustomer(context.Background(), btAll, ext, func(c *otklik.Customer) {
		c.Name, c.Locale, c.Manager, c.Team, c.Segment = name, locale, "anna@otklik.local", "Москва", "ипотека"
	}); err != nil {
		s.t.Fatalf("create customer: %v", err)
	}
}

func TestBrowser(t *testing.T) {
	chrome := startChromium(t)

	t.Run("SignInShowsOverview", func(t *testing.T) {
		s := newSite(t, "sqlite")
		s.user("admin@otklik.local", otklik.RoleAdmin, "", "ru")
		btSurvey(s)
		// 3 promoters, 1 passive, 1 detractor: NPS = (3 − 1) / 5 = 40.
		btAnswers(s, "nps", btAnswer{"c1", "", 10}, btAnswer{"c2", "", 9}, btAnswer{"c3", "", 9}, btAnswer{"c4", "", 8}, btAnswer{"c5", "Долго", 3})

		tb := openTab(t, chrome, s)
		tb.open("/")
		if path := evalJS[string](tb, `location.pathname`); path != "/signin" {
			t.Fatalf("a stranger on the overview is at %s, want /signin", path)
		}
		tb.signIn("admin@otklik.local")
		if got := tb.text(`.figure.nps h2`); got != "NPS" {
			t.Errorf("the first figure is %q, want NPS", got)
		}
		if got := tb.text(`.figure.nps .value`); got != "40,0" {
			t.Errorf("NPS shows %q, want 40,0", got)
		}
		if got := tb.text(`.figure.nps .margin`); !strings.Contains(got, "n = 5") {
			t.Errorf("the NPS figure says %q, want n = 5", got)
		}
		if got := tb.texts(`.figure.nps .groups li`); len(got) != 3 || !strings.HasSuffix(got[0], ": 3") || !strings.HasSuffix(got[2], ": 1") {
			t.Errorf("the NPS groups read %q, want 3 promoters … 1 detractor", got)
		}
		if got := tb.texts(`.feed .comment:not(.none)`); len(got) != 1 || got[0] != "Долго" {
			t.Errorf("the latest answers show comments %q, want [Долго]", got)
		}
		// The figure links to the answers behind it.
		tb.submit(`.figure.nps a.value`)
		if n := len(tb.texts(`#feed li.answer`)); n != 5 {
			t.Errorf("the NPS figure leads to %d answers, want 5", n)
		}
	})

	t.Run("CreateSurvey", func(t *testing.T) {
		s := newSite(t, "sqlite")
		s.user("admin@otklik.local", otklik.RoleAdmin, "", "ru")
		tb := openTab(t, chrome, s)
		tb.signIn("admin@otklik.local")
		tb.open("/surveys")
		tb.submit(`a[href="/surveys/new"]`)
		tb.do(
			chromedp.SendKeys(chromedp.CSS(`input[name=key]`), "after-call"),
			chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "csat"),
			chromedp.SendKeys(chromedp.CSS(`input[name=title_ru]`), "После звонка"),
			chromedp.SendKeys(chromedp.CSS(`input[name=title_en]`), "After the call"),
			chromedp.SendKeys(chromedp.CSS(`textarea[name=score_ru]`), "Насколько вы довольны разговором?"),
			chromedp.SendKeys(chromedp.CSS(`textarea[name=score_en]`), "How satisfied are you with the call?"),
			chromedp.SendKeys(chromedp.CSS(`input[name=why_ru]`), "Что можно улучшить?"),
			chromedp.SendKeys(chromedp.CSS(`input[name=why_en]`), "What could be better?"),
			// A line without its key: the form must say so and keep the rest.
			chromedp.SendKeys(chromedp.CSS(`textarea[name=drivers]`), "Скорость | Speed"),
		)
		// The live preview follows what the author types (htmx): the title,
		// the question and the 1–5 scale of a CSAT survey.
		tb.waitFor(`(document.querySelector("#preview h1") || {}).innerText === "После звонка"`)
		if got := tb.text(`#preview .question`); got != "Насколько вы довольны разговором?" {
			t.Errorf("the preview asks %q", got)
		}
		if got := tb.texts(`#preview .scale button`); fmt.Sprint(got) != "[1 2 3 4 5]" {
			t.Errorf("the preview's scale is %q, want 1–5", got)
		}
		save := `#survey-form button[type=submit]`
		tb.expectPage(http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(save)))
		if got := tb.texts(`.field-error`); len(got) != 1 || got[0] != "key: русский | English" {
			t.Errorf("a driver line without a key shows errors %q, want the expected format", got)
		}
		if got := evalJS[string](tb, `document.querySelector("input[name=title_ru]").value + " · " + document.querySelector("select[name=kind]").value`); got != "После звонка · csat" {
			t.Errorf("the refused form kept %q, want После звонка · csat", got)
		}
		tb.do(
			chromedp.Clear(chromedp.CSS(`textarea[name=drivers]`)),
			chromedp.SendKeys(chromedp.CSS(`textarea[name=drivers]`), "manager_speed: Скорость | Speed\npoliteness: Вежливость | Politeness"),
		)
		tb.submit(save)
		row := evalJS[[]string](tb, `Array.from(Array.from(document.querySelectorAll("table.list tr")).find(r => r.innerText.includes("after-call")).cells, c => c.innerText.trim())`)
		if len(row) < 3 || row[0] != "После звонка" || !strings.HasPrefix(row[2], "CSAT") {
			t.Errorf("the survey list shows %q, want После звонка · after-call · CSAT", row)
		}
		if got := tb.text(`header.top nav a[aria-current=page]`); got != "Опросы" {
			t.Errorf("after saving the page is %q in the nav, want the survey list", got)
		}
		sv, err := s.app.DB.Survey(context.Background(), "after-call")
		if err != nil {
			t.Fatal(err)
		}
		wantDrivers := []otklik.Driver{{Key: "manager_speed", Text: otklik.Text{RU: "Скорость", EN: "Speed"}}, {Key: "politeness", Text: otklik.Text{RU: "Вежливость", EN: "Politeness"}}}
		if sv.Kind != otklik.KindCSAT || fmt.Sprint(sv.Drivers) != fmt.Sprint(wantDrivers) || sv.WhyQuestion.EN != "What could be better?" {
			t.Errorf("stored survey: kind %s, drivers %v, why %q", sv.Kind, sv.Drivers, sv.WhyQuestion.EN)
		}
	})

	t.Run("AnswerWithoutJavaScript", func(t *testing.T) {
		s := newSite(t, "sqlite")
		admin := s.user("admin@otklik.local", otklik.RoleAdmin, "", "ru")
		btSurvey(s)
		btCustomer(s, "crm-77", "Ирина Петрова", "ru")
		link := btLink(s, admin, "nps", "crm-77")

		customer := openTab(t, chrome, s)
		if _, err := chromedp.Call(customer.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
		// JavaScript is off for real: the workspace's htmx does not even load.
		customer.open("/signin")
		if typ := evalJS[string](customer, `typeof window.htmx`); typ != "undefined" {
			t.Fatalf("with JavaScript disabled htmx is %s", typ)
		}
		customer.expectPage(http.StatusOK, chromedp.Navigate(link))
		if got := customer.text(`.scale .question`); got != "Насколько вероятно, что вы порекомендуете нас друзьям?" {
			t.Errorf("the survey asks %q", got)
		}
		if n := len(customer.texts(`.scale button[name=score]`)); n != 11 {
			t.Errorf("the scale has %d buttons, want 11 (0–10)", n)
		}
		customer.submit(`.scale button[name=score][value="9"]`)
		// The score counts from the first click.
		rs, err := s.app.DB.Responses(context.Background(), btAll, store.ResponseFilter{Customer: "crm-77"})
		if err != nil || len(rs) != 1 || rs[0].Score != 9 {
			t.Fatalf("after the click the store holds %v (%v), want one answer scored 9", rs, err)
		}
		if got := customer.text(`.why .chosen strong`); got != "9" {
			t.Errorf("the why step shows score %q, want 9", got)
		}
		comment := "Анна перезвонила через час и всё объяснила"
		customer.do(
			chromedp.SendKeys(chromedp.CSS(`textarea#comment`), comment),
			chromedp.Click(chromedp.CSS(`input[name=d_manager_speed][value="4"] + span`)),
		)
		customer.submit(`form.why button[type=submit]`)
		if got := customer.text(`.thanks`); got != "Спасибо!" {
			t.Errorf("after sending the page says %q, want Спасибо!", got)
		}
		rs, err = s.app.DB.Responses(context.Background(), btAll, store.ResponseFilter{Customer: "crm-77"})
		if err != nil || len(rs) != 1 {
			t.Fatalf("after sending the store holds %v (%v), want one answer", rs, err)
		}
		if r := rs[0]; r.Score != 9 || r.Comment != comment || r.Answers["manager_speed"] != 4 || len(r.Answers) != 1 || r.Channel != otklik.ChannelWeb {
			t.Errorf("stored answer: score %d, comment %q, drivers %v, channel %s", r.Score, r.Comment, r.Answers, r.Channel)
		}

		team := customer.sibling()
		team.signIn("admin@otklik.local")
		team.filterAnswers("nps", "promoter")
		if got := team.texts(`#feed .comment`); len(got) != 1 || got[0] != comment {
			t.Errorf("the promoters' feed shows %q, want the customer's comment", got)
		}
		if got := team.text(`#feed .meta a`); got != "crm-77" {
			t.Errorf("the answer names customer %q, want crm-77", got)
		}
	})

	t.Run("FilterAnswers", func(t *testing.T) {
		s := newSite(t, "sqlite")
		s.user("admin@otklik.local", otklik.RoleAdmin, "", "ru")
		btSurvey(s)
		btAnswers(s, "nps",
			btAnswer{"p1", "Анна всё сделала за день", 10},
			btAnswer{"d1", "Ждал одобрения три недели", 2},
			btAnswer{"n1", "Нормально, но комиссия высокая", 7},
			btAnswer{"d2", "Навязали страховку", 5},
			btAnswer{"p2", "Спасибо за помощь", 9},
		)
		tb := openTab(t, chrome, s)
		tb.signIn("admin@otklik.local")
		tb.open("/answers")
		if n := len(tb.texts(`#feed li.answer`)); n != 5 {
			t.Fatalf("the unfiltered feed lists %d answers, want 5", n)
		}
		tb.filterAnswers("nps", "detractor")
		got := tb.texts(`#feed .comment`)
		if fmt.Sprint(got) != fmt.Sprint([]string{"Ждал одобрения три недели", "Навязали страховку"}) {
			t.Errorf("detractors: the feed shows %q", got)
		}
		if n := evalJS[int](tb, `document.querySelectorAll("#feed li.answer:not(.detractor)").length`); n != 0 {
			t.Errorf("detractors: %d answers of other groups listed", n)
		}
		if got := evalJS[string](tb, `document.querySelector("select[name=group]").value`); got != "detractor" {
			t.Errorf("the form forgot the chosen group: %q", got)
		}
		tb.filterAnswers("nps", "promoter")
		if got := tb.texts(`#feed .comment`); fmt.Sprint(got) != fmt.Sprint([]string{"Анна всё сделала за день", "Спасибо за помощь"}) {
			t.Errorf("promoters: the feed shows %q", got)
		}
	})

	t.Run("SwitchLanguage", func(t *testing.T) {
		s := newSite(t, "sqlite")
		u := s.user("admin@otklik.local", otklik.RoleAdmin, "", "ru")
		tb := openTab(t, chrome, s)
		tb.signIn("admin@otklik.local")
		nav := `header.top nav a[href="/"]`
		if got := tb.text(nav); got != "Обзор" {
			t.Fatalf("the nav reads %q, want Обзор", got)
		}
		if got := tb.text(`header.top form.lang button`); got != "English" {
			t.Fatalf("the language button reads %q, want English", got)
		}
		tb.submit(`header.top form.lang button`)
		if got := tb.text(nav); got != "Overview" {
			t.Errorf("after switching the nav reads %q, want Overview", got)
		}
		if got := evalJS[string](tb, `document.documentElement.lang`); got != "en" {
			t.Errorf("<html lang=%q>, want en", got)
		}
		tb.expectPage(http.StatusOK, chromedp.Reload())
		if got := tb.text(nav); got != "Overview" {
			t.Errorf("after a reload the nav reads %q, want Overview", got)
		}
		if got := tb.text(`header.top form.lang button`); got != "Русский" {
			t.Errorf("the language button reads %q, want Русский", got)
		}
		stored, err := s.app.DB.UserByEmail(context.Background(), u.Email)
		if err != nil || stored.Locale != "en" {
			t.Errorf("the user's language is %q (%v), want en", stored.Locale, err)
		}
	})

	t.Run("HostileCommentsAreInert", func(t *testing.T) {
		s := newSite(t, "sqlite")
		s.user("admin@otklik.local", otklik.RoleAdmin, "", "ru")
		btSurvey(s)
		script := `<script>window.__pwned=1</script>`
		img := `"><img src=x onerror="window.__pwned=1">`
		btAnswers(s, "nps", btAnswer{"evil-1", script, 1}, btAnswer{"evil-1", img, 2})
		tb := openTab(t, chrome, s)
		tb.signIn("admin@otklik.local")
		for _, path := range []string{"/", "/answers", "/customers/evil-1"} {
			tb.open(path)
			got := tb.texts(`.feed .comment`)
			if fmt.Sprint(got) != fmt.Sprint([]string{script, img}) {
				t.Errorf("%s shows comments %q, want them as text", path, got)
			}
			if n := evalJS[int](tb, `document.querySelectorAll("main img, main script, main [onerror]").length`); n != 0 {
				t.Errorf("%s: a comment became %d elements", path, n)
			}
			if pwned := evalJS[string](tb, `typeof window.__pwned`); pwned != "undefined" {
				t.Errorf("%s: window.__pwned is %s", path, pwned)
			}
		}
	})

	t.Run("Screenshots", func(t *testing.T) {
		// OTKLIK_SCREENSHOTS=/tmp/shots keeps the pictures to look at;
		// otherwise they go to a temporary directory and only the layout
		// checks count.
		dir := os.Getenv("OTKLIK_SCREENSHOTS")
		if dir == "" {
			dir = t.TempDir()
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		s := newSite(t, "sqlite")
		admin := s.user("admin@otklik.local", otklik.RoleAdmin, "", "ru")
		if _, err := demo.Generate(context.Background(), s.app.DB, demo.Options{Seed: 1, Now: t0, Customers: 300, Months: 6}); err != nil {
			t.Fatalf("demo: %v", err)
		}
		// shoot saves what the screen shows, scrolled to the element at
		// from ("" for the top of the page).
		shoot := func(tb *chromeTab, name, from string) {
			t.Helper()
			scroll := `window.scrollTo(0, 0)`
			if from != "" {
				scroll = fmt.Sprintf(`document.querySelector(%q).scrollIntoView()`, from)
			}
			tb.do(chromedp.Evaluate[chromedp.Void](scroll))
			png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatalf("screenshot %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// fits checks what a phone user would trip over first: a page wider
		// than the screen.
		fits := func(tb *chromeTab, what string) {
			t.Helper()
			if over := evalJS[int](tb, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
				t.Errorf("%s is %d px wider than the phone", what, over)
			}
		}
		phone := chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)

		desk := openTab(t, chrome, s)
		desk.do(chromedp.EmulateViewport(1280, 900))
		desk.signIn(admin.Email)
		if got := desk.text(`.figure.nps .value`); got == "" || got == "0,0" {
			t.Errorf("the demo overview shows NPS %q", got)
		}
		shoot(desk, "overview-desktop", "")
		// The analytics page draws its trend with Chart.js from the page's
		// own data, and its tables hold the same figures.
		desk.open("/analytics?group_by=manager")
		desk.waitFor(`!!window.Chart && !!Chart.getChart(document.getElementById("trend"))`)
		if n := evalJS[int](desk, `Chart.getChart(document.getElementById("trend")).data.labels.length`); n < 6 {
			t.Errorf("the trend chart has %d months, want the demo's months", n)
		}
		if rows := len(desk.texts(`table.heat tbody tr`)); rows < 3 {
			t.Errorf("the cohort heat-map has %d rows", rows)
		}
		shoot(desk, "analytics-desktop", "")
		shoot(desk, "analytics-desktop-cohorts", "table.heat")
		desk.open("/surveys/" + demo.SurveyNPS + "/edit")
		shoot(desk, "survey-editor-desktop", "")
		btCustomer(s, "desk-1", "Пётр", "ru")
		desk.expectPage(http.StatusOK, chromedp.Navigate(btLink(s, admin, demo.SurveyNPS, "desk-1")))
		if rows := evalJS[int](desk, `new Set(Array.from(document.querySelectorAll(".scale button"), b => b.getBoundingClientRect().top)).size`); rows != 1 {
			t.Errorf("on a desktop the 0–10 scale takes %d rows, want 1", rows)
		}
		shoot(desk, "survey-desktop", "")

		mob := openTab(t, chrome, s)
		mob.do(phone)
		mob.signIn(admin.Email)
		fits(mob, "the overview")
		shoot(mob, "overview-phone", "")
		shoot(mob, "overview-phone-latest", ".feed")
		mob.open("/answers")
		fits(mob, "the answers feed")
		shoot(mob, "answers-phone", "")
		shoot(mob, "answers-phone-feed", "#feed")
		for _, page := range []struct{ name, path string }{
			{"customers", "/customers"}, {"customer", "/customers/demo-00177"}, {"surveys", "/surveys"},
			{"settings", "/settings"}, {"transfer", "/transfer"},
		} {
			mob.open(page.path)
			fits(mob, page.path)
			shoot(mob, page.name+"-phone", "")
		}

		cust := openTab(t, chrome, s)
		if _, err := chromedp.Call(cust.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		cust.do(phone)
		// A customer who has not answered yet sees the scale first.
		btCustomer(s, "phone-1", "Ольга", "ru")
		cust.expectPage(http.StatusOK, chromedp.Navigate(btLink(s, admin, demo.SurveyNPS, "phone-1")))
		fits(cust, "the survey's score step")
		for _, b := range evalJS[[][2]float64](cust, `Array.from(document.querySelectorAll(".scale button"), b => [b.getBoundingClientRect().width, b.getBoundingClientRect().height])`) {
			if b[0] < 40 || b[1] < 40 {
				t.Errorf("a score button is %.0f×%.0f px, too small to tap (want ≥ 40×40)", b[0], b[1])
				break
			}
		}
		if got := cust.text(`.business .logo`); got != "К" {
			t.Errorf("the logo shows %q, want the business's first letter К", got)
		}
		// Two rows on a phone, 0–5 over 6–10, with 10 at the right end
		// under «very likely».
		if d := evalJS[float64](cust, `(b => b[10].getBoundingClientRect().right - b[5].getBoundingClientRect().right)(document.querySelectorAll(".scale button"))`); d != 0 {
			t.Errorf("on a phone 10 is %.0f px off the right end of the scale", d)
		}
		shoot(cust, "survey-phone-score", "")
		cust.submit(`.scale button[name=score][value="8"]`)
		fits(cust, "the survey's why step")
		shoot(cust, "survey-phone-why", "")
		cust.do(chromedp.Click(chromedp.CSS(`input[name=d_manager_speed][value="5"] + span`)))
		shoot(cust, "survey-phone-why-drivers", ".driver")
		cust.submit(`form.why button[type=submit]`)
		fits(cust, "the thanks page")
		shoot(cust, "survey-phone-thanks", "")
	})
}
