package web_test

// The public survey pages: what a customer sees at /s/{token} and
// /s/open/{key}, without a session.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"otklik"
	"otklik/internal/storetest"
	"otklik/internal/surveylink"
)

// answersOf returns the stored answers of a customer.
func (s *site) answersOf(customer string) []*otklik.Response {
	s.t.Helper()
	var out []*otklik.Response
	for _, r := range s.allAnswers() {
		if r.Customer == customer {
			out = append(out, r)
		}
	}
	return out
}

func TestPublicSurvey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		w.customer("c-ru", func(c *otklik.Customer) {
			c.Name, c.Locale, c.Manager, c.Team = "Пётр", "ru", emailAnna, "Север"
		})
		w.customer("c-en", func(c *otklik.Customer) { c.Name, c.Locale = "Peter", "en" })
		b := w.browser()

		// The 0–10 scale as plain buttons, in the customer's language
		// whatever the browser asks for.
		for _, c := range []struct{ customer, lang, question, low, high string }{
			{"c-ru", "ru", "Насколько вероятно, что вы порекомендуете нас другу?", "Точно нет", "Обязательно"},
			{"c-en", "en", "How likely are you to recommend us to a friend?", "Not at all likely", "Extremely likely"},
		} {
			token := signLink(w.site, "nps", c.customer, 30*24*time.Hour)
			resp, body := b.send("GET", "/s/"+token, "", nil, "Accept-Language", map[string]string{"ru": "en", "en": "ru"}[c.lang])
			want(t, c.customer+" survey page", resp.StatusCode, http.StatusOK, body)
			for _, s := range []string{`<html lang="` + c.lang + `">`, c.question, c.low, c.high, `action="/s/` + token + `"`} {
				if !has(body, s) {
					t.Errorf("%s's page lacks %q:\n%s", c.customer, s, body)
				}
			}
			for i := 0; i <= 10; i++ {
				if !has(body, fmt.Sprintf(`<button type="submit" name="score" value="%d" >%d</button>`, i, i)) {
					t.Errorf("%s's page has no button %d", c.customer, i)
				}
			}
			if has(body, `name="score" value="11"`) || has(body, "<script") {
				t.Errorf("%s's page has a button 11 or a script", c.customer)
			}
		}

		// The first click records the score at once.
		token := signLink(w.site, "nps", "c-ru", 30*24*time.Hour)
		before := len(w.allAnswers())
		status, loc, body := b.post("/s/"+token, url.Values{"score": {"9"}})
		want(t, "score 9", status, http.StatusSeeOther, body)
		if loc != "/s/"+token+"?step=why" {
			t.Errorf("after the score: %q", loc)
		}
		got := w.answersOf("c-ru")
		if len(got) != 1 || got[0].Score != 9 || got[0].Channel != otklik.ChannelWeb || got[0].Survey != "nps" ||
			got[0].Snapshot.Manager != emailAnna || got[0].Snapshot.Team != "Север" {
			t.Fatalf("after the first click: %+v", got)
		}
		id := got[0].ID
		status, body = b.get(loc)
		want(t, "why step", status, http.StatusOK, body)
		for _, s := range []string{"<strong>9</strong>", "Почему такая оценка?", `name="d_speed" value="5"`, `action="/s/` + token + `/why"`} {
			if !has(body, s) {
				t.Errorf("the why step lacks %q:\n%s", s, body)
			}
		}

		// A second click corrects the same answer.
		status, _, body = b.post("/s/"+token, url.Values{"score": {"3"}})
		want(t, "score 3", status, http.StatusSeeOther, body)
		if got := w.answersOf("c-ru"); len(got) != 1 || got[0].ID != id || got[0].Score != 3 {
			t.Fatalf("after the second click: %+v", got)
		}

		// Why, and a driver rating.
		status, loc, body = b.post("/s/"+token+"/why", url.Values{"comment": {"  Долго ждал ответа  "}, "d_speed": {"2"}, "d_price": {""}})
		want(t, "why", status, http.StatusSeeOther, body)
		if loc != "/s/"+token+"?step=thanks" {
			t.Errorf("after why: %q", loc)
		}
		got = w.answersOf("c-ru")
		if len(got) != 1 || got[0].ID != id || got[0].Score != 3 || got[0].Comment != "Долго ждал ответа" ||
			len(got[0].Answers) != 1 || got[0].Answers["speed"] != 2 {
			t.Fatalf("after why: %+v", got)
		}
		if _, body := b.get("/s/" + token + "?step=thanks"); !has(body, "Спасибо") {
			t.Errorf("no thanks:\n%s", body)
		}
		// Opening the link again shows the answer as given.
		_, body = b.get("/s/" + token)
		if !has(body, `value="3" class="chosen" aria-pressed="true"`) {
			t.Errorf("the page does not show the score given:\n%s", body)
		}
		_, body = b.get("/s/" + token + "?step=why")
		if !has(body, "Долго ждал ответа</textarea>") || !has(body, `name="d_speed" value="2" checked`) {
			t.Errorf("the why step forgets the comment or the rating:\n%s", body)
		}
		// A later score keeps the comment.
		b.post("/s/"+token, url.Values{"score": {"4"}})
		if got := w.answersOf("c-ru"); len(got) != 1 || got[0].Score != 4 || got[0].Comment != "Долго ждал ответа" {
			t.Errorf("a new score lost the comment: %+v", got)
		}

		// Bad driver ratings and unknown drivers are refused, nothing changes.
		for _, form := range []url.Values{{"comment": {"x"}, "d_speed": {"9"}}, {"comment": {"x"}, "d_speed": {"0"}}} {
			status, _, body := b.post("/s/"+token+"/why", form)
			want(t, "driver rating "+form.Get("d_speed"), status, http.StatusUnprocessableEntity, body)
		}
		if got := w.answersOf("c-ru"); got[0].Comment != "Долго ждал ответа" || got[0].Answers["speed"] != 2 {
			t.Errorf("a refused why changed the answer: %+v", got[0])
		}
		// Why before any score goes back to the scale.
		fresh := signLink(w.site, "nps", "c-en", 30*24*time.Hour)
		status, loc, _ = b.post("/s/"+fresh+"/why", url.Values{"comment": {"no score"}})
		if status != http.StatusSeeOther || loc != "/s/"+fresh {
			t.Errorf("why without a score: %d %q", status, loc)
		}
		if _, body := b.get("/s/" + fresh + "?step=why"); !has(body, `name="score" value="0"`) {
			t.Error("?step=why without a score does not show the scale")
		}
		if n := len(w.allAnswers()); n != before+1 {
			t.Errorf("%d answers, want %d", n, before+1)
		}
	})
}

func TestPublicSurveyOutOfScale(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		b := w.browser()
		before := w.state()
		nps := signLink(w.site, "nps", "c-anna", 24*time.Hour)
		csat := signLink(w.site, "csat", "c-anna", 24*time.Hour)
		for _, c := range []struct{ token, score string }{
			{nps, "11"}, {nps, "-1"}, {nps, "x"}, {nps, ""}, {nps, "9.5"}, {nps, "99999999999999999999"},
			{csat, "0"}, {csat, "6"},
		} {
			status, _, body := b.post("/s/"+c.token, url.Values{"score": {c.score}})
			want(t, "score "+c.score, status, http.StatusUnprocessableEntity, body)
			if !has(body, `name="score"`) {
				t.Errorf("score %q: the scale is not shown again", c.score)
			}
		}
		for _, score := range []string{"11", "-1", "x"} {
			status, _, _ := b.post("/s/open/nps/score", url.Values{"score": {score}})
			want(t, "open survey score "+score, status, http.StatusUnprocessableEntity, "")
		}
		if after := w.state(); after != before {
			t.Fatalf("out-of-scale scores changed the database:\n%s", after)
		}
	})
}

// TestPublicSurveyDeadLinks: forged, expired and erased links get a friendly
// page, never an error.
func TestPublicSurveyDeadLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		b := w.browser()
		good := signLink(w.site, "nps", "c-anna", 30*24*time.Hour)
		other := surveylink.NewSigner([]byte("another installation's key, 32b+")).Sign(
			surveylink.Link{Survey: "nps", Customer: "c-anna", Expires: t0.Add(time.Hour)})
		payload, sig, _ := strings.Cut(good, ".")
		borisPayload, _, _ := strings.Cut(signLink(w.site, "nps", "c-boris", time.Hour), ".")
		dead := map[string]string{
			"another key":                other,
			"another customer's payload": borisPayload + "." + sig,
			"a damaged signature":        payload + "." + strings.ToUpper(sig),
			"garbage":                    "hello",
			"no survey":                  signLink(w.site, "gone", "c-anna", time.Hour),
			"no customer":                signLink(w.site, "nps", "c-nobody", time.Hour),
			"long":                       strings.Repeat("a", 3000) + "." + sig,
		}
		before := w.state()
		friendly := func(what string, resp *http.Response, body, lang string) {
			t.Helper()
			text := map[string]string{"ru": "Ссылка больше не действует", "en": "This link no longer works"}[lang]
			if resp.StatusCode != http.StatusNotFound || !has(body, text) || has(body, "goroutine") || has(body, "panic") {
				t.Errorf("%s: %d, want a friendly 404 in %s:\n%s", what, resp.StatusCode, lang, body)
			}
		}
		for name, token := range dead {
			for _, lang := range []string{"ru", "en"} {
				resp, body := b.send("GET", "/s/"+token, "", nil, "Accept-Language", lang)
				friendly("GET "+name, resp, body, lang)
			}
			resp, body := b.postResp("/s/"+token, url.Values{"score": {"10"}})
			friendly("POST "+name, resp, body, "ru")
			resp, body = b.postResp("/s/"+token+"/why", url.Values{"comment": {"x"}})
			friendly("POST why "+name, resp, body, "ru")
		}
		resp, body := b.send("GET", "/s/open/nothing", "", nil, "Accept-Language", "en")
		friendly("an open survey that does not exist", resp, body, "en")
		if after := w.state(); after != before {
			t.Fatalf("dead links changed the database:\n%s", after)
		}

		// An erased customer's link is dead, and its answer keeps no text.
		erased := signLink(w.site, "nps", "c-boris", 30*24*time.Hour)
		if status, _ := b.get("/s/" + erased); status != http.StatusOK {
			t.Fatalf("a live link: %d", status)
		}
		b.post("/s/"+erased, url.Values{"score": {"6"}})
		if err := w.app.DB.EraseCustomer(t.Context(), adminActor, "c-boris"); err != nil {
			t.Fatal(err)
		}
		resp, body = b.send("GET", "/s/"+erased, "", nil)
		friendly("an erased customer's link", resp, body, "ru")
		n := len(w.allAnswers())
		resp, body = b.postResp("/s/"+erased, url.Values{"score": {"10"}})
		friendly("a score on an erased customer's link", resp, body, "ru")
		resp, body = b.postResp("/s/"+erased+"/why", url.Values{"comment": {"Меня зовут Борис, +7 900 000-00-00"}})
		friendly("a comment on an erased customer's link", resp, body, "ru")
		if len(w.allAnswers()) != n {
			t.Error("an erased customer's link recorded an answer")
		}
		for _, r := range w.allAnswers() {
			if has(r.Comment, "Борис") || has(r.Comment, "marker-boris") {
				t.Errorf("an erased customer's comment survived: %+v", r)
			}
		}

		// An expired link: the clock moves past the link's 30 days.
		if status, _ := b.get("/s/" + good); status != http.StatusOK {
			t.Fatalf("a live link: %d", status)
		}
		w.clock.Add(30*24*time.Hour + time.Second)
		resp, body = b.send("GET", "/s/"+good, "", nil)
		friendly("an expired link", resp, body, "ru")
		resp, body = b.postResp("/s/"+good, url.Values{"score": {"10"}})
		friendly("a score on an expired link", resp, body, "ru")
	})
}

func TestOpenSurvey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		b := w.browser()
		resp, body := b.send("GET", "/s/open/nps", "", nil, "Accept-Language", "en-US,en;q=0.8")
		want(t, "open survey", resp.StatusCode, http.StatusOK, body)
		if !has(body, "How likely are you to recommend us to a friend?") || !has(body, `action="/s/open/nps/score"`) || !has(body, `name="score" value="10"`) {
			t.Errorf("the open survey page:\n%s", body)
		}
		before := w.allAnswers()
		resp, body = b.send("POST", "/s/open/nps/score", "application/x-www-form-urlencoded", strings.NewReader("score=8"), "Accept-Language", "en")
		want(t, "an anonymous score", resp.StatusCode, http.StatusSeeOther, body)
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, "/s/") || !strings.HasSuffix(loc, "?step=why") {
			t.Fatalf("after an anonymous score: %q", loc)
		}
		after := w.allAnswers()
		if len(after) != len(before)+1 {
			t.Fatalf("%d answers after an anonymous score, want %d", len(after), len(before)+1)
		}
		r := after[len(after)-1]
		if r.Score != 8 || r.Channel != otklik.ChannelWeb || !strings.HasPrefix(r.Customer, "anon-") || r.Snapshot.Segment != "anonymous" {
			t.Errorf("the anonymous answer: %+v", r)
		}
		c, err := w.app.DB.Customer(t.Context(), otklik.Scope{Reach: otklik.ReachAll}, r.Customer)
		if err != nil || c.Locale != "en" || c.Manager != "" || c.Name != "" {
			t.Errorf("the anonymous customer: %+v %v", c, err)
		}
		// The visitor goes on with their own link.
		token := strings.TrimSuffix(strings.TrimPrefix(loc, "/s/"), "?step=why")
		if _, body := b.get(loc); !has(body, "<strong>8</strong>") {
			t.Errorf("the why step of an anonymous answer:\n%s", body)
		}
		status, _, body := b.post("/s/"+token+"/why", url.Values{"comment": {"Нашёл вас на сайте"}})
		want(t, "an anonymous why", status, http.StatusSeeOther, body)
		if got := w.answersOf(r.Customer); len(got) != 1 || got[0].Comment != "Нашёл вас на сайте" {
			t.Errorf("the anonymous answer after why: %+v", got)
		}
		// Another visitor is another answer.
		b.post("/s/open/nps/score", url.Values{"score": {"10"}})
		if n := len(w.allAnswers()); n != len(before)+2 {
			t.Errorf("%d answers after a second visitor, want %d", n, len(before)+2)
		}
	})
}

func TestPublicPagesRateLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		b := w.browser()
		token := signLink(w.site, "nps", "c-anna", time.Hour)
		limited := -1
		for i := 0; i < 300 && limited < 0; i++ {
			path := "/s/open/nps"
			if i%2 == 1 {
				path = "/s/" + token
			}
			resp, body := b.send("GET", path, "", nil)
			switch resp.StatusCode {
			case http.StatusOK:
			case http.StatusTooManyRequests:
				limited = i
				if resp.Header.Get("Retry-After") == "" || !has(body, "<html") {
					t.Errorf("the 429: Retry-After %q\n%s", resp.Header.Get("Retry-After"), body)
				}
				// Regression test for a fixed bug: public.go:24-25 (limited) shows a customer "Something went
				// wrong" and "Too many sign-in attempts" — they never signed in.
				// Fix: add messages such as public.rate_limited_title / public.rate_limited
				// ("Too many requests from your network. Please try again in a
				// minute.") to both catalogues and use them here.
				if has(body, "попыток входа") || has(body, "Что-то пошло не так") {
					t.Errorf("a customer who clicked too often is told about sign-in attempts or an error:\n%s", body)
				}
			default:
				t.Fatalf("request %d: %d", i, resp.StatusCode)
			}
		}
		if limited < 0 {
			t.Fatal("300 requests from one address were never limited")
		}
		n := len(w.allAnswers())
		if status, _, _ := b.post("/s/open/nps/score", url.Values{"score": {"10"}}); status != http.StatusTooManyRequests {
			t.Errorf("an anonymous answer past the limit: %d", status)
		}
		if len(w.allAnswers()) != n {
			t.Error("a limited request recorded an answer")
		}
		// The workspace is not limited by the public pages.
		if status, _, _ := w.browser().signInWith(emailAdmin, testPassword, "/"); status != http.StatusSeeOther {
			t.Errorf("signing in after the public limit: %d", status)
		}
	})
}

// TestPublicPageBusinessInitial: the logo letter is the first letter of the
// business's name, also when it is Cyrillic.
func TestPublicPageBusinessInitial(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		w := seedWorkspace(t, dialect)
		_, body := w.browser().get("/s/" + signLink(w.site, "nps", "c-anna", time.Hour))
		// "Кредитный брокер «Ромашка»": a byte slice would cut "К" in half.
		if !utf8.ValidString(body) {
			t.Error("the public page is not valid UTF-8")
		}
		if !has(body, `<span class="logo" aria-hidden="true">К</span>`) {
			i := strings.Index(body, `class="logo"`)
			t.Errorf("the logo letter is not «К»: %q", body[i:min(len(body), i+50)])
		}
	})
}
