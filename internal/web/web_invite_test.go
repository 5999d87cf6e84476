package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"otklik"
	"otklik/internal/crm"
	"otklik/internal/store"
	"otklik/internal/storetest"
	"otklik/internal/surveylink"
)

// TestInvitationPages: an e-mail's score link opens a page that posts the
// score (a GET alone records nothing), recorded on the e-mail channel (a
// second click corrects it: one answer per invitation); the unsubscribe link asks first, then withdraws the e-mail
// consent, also by the mail client's one-click POST; the customer card
// shows the invitation's timeline explained, to those who may see it.
func TestInvitationPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		s := newSite(t, dialect)
		ctx := context.Background()
		s.user("admin@x.ru", otklik.RoleAdmin, "", "ru")
		s.user("anna@x.ru", otklik.RoleManager, "", "en")
		s.user("oleg@x.ru", otklik.RoleManager, "", "ru")
		sv := &otklik.Survey{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Оценка", EN: "Rating"},
			ScoreQuestion: otklik.Text{RU: "Порекомендуете?", EN: "Recommend?"}}
		sv.Normalize()
		if err := s.app.DB.CreateSurvey(ctx, sv); err != nil {
			t.Fatal(err)
		}
		_, _, err := s.app.DB.UpsertCustomer(ctx, otklik.Scope{Reach: otklik.ReachAll}, "C-1", func(c *otklik.Customer) {
			c.Name, c.Email, c.Manager = "Иван <b>Петров</b>", "ivan@example.ru", "anna@x.ru"
			c.Consent = map[otklik.Channel]otklik.Consent{otklik.ChannelEmail: {Granted: true, At: s.clock.Now(), Source: "test"}}
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, planned, err := s.app.Outreach.RecordEvent(ctx, crm.Event{ID: "ord-1", Type: "delivered", Customer: "C-1",
			OccurredAt: s.clock.Now()}, "test"); err != nil || planned != 1 {
			t.Fatalf("event: %d, %v", planned, err)
		}
		invs, err := s.app.DB.Invitations(ctx, otklik.Scope{Reach: otklik.ReachAll}, storeInvitations("C-1"))
		if err != nil || len(invs) != 1 {
			t.Fatalf("invitations: %v %v", invs, err)
		}

		// Opening a score link from the e-mail records nothing (a mail
		// scanner opens them all); the page's form posts it — once, then
		// a second click corrects it.
		signer := surveylink.NewSigner(s.app.LinkKey)
		token := signer.Sign(surveylink.Link{Survey: "nps", Customer: "C-1", Channel: "email", Invitation: invs[0].ID,
			Expires: s.clock.Now().Add(time.Hour)})
		b := s.browser()
		for score := 0; score <= 10; score++ {
			status, body := b.get(fmt.Sprintf("/s/%s/score/%d", token, score))
			if status != http.StatusOK || !has(body, fmt.Sprintf(`name="score" value="%d"`, score)) || !has(body, "confirm.js") {
				t.Fatalf("score link %d: %d %s", score, status, body)
			}
		}
		if rs, _ := s.app.DB.Responses(ctx, otklik.Scope{Reach: otklik.ReachAll}, storeAnswers()); len(rs) != 0 {
			t.Fatalf("opening the links recorded %d answers", len(rs))
		}
		for _, score := range []string{"3", "8"} {
			status, loc, body := b.post("/s/"+token, url.Values{"score": {score}})
			if status != http.StatusSeeOther || !has(loc, "?step=why") {
				t.Fatalf("posting %s: %d %q %s", score, status, loc, body)
			}
		}
		rs, err := s.app.DB.Responses(ctx, otklik.Scope{Reach: otklik.ReachAll}, storeAnswers())
		if err != nil || len(rs) != 1 || rs[0].Score != 8 || rs[0].Channel != otklik.ChannelEmail {
			t.Fatalf("answers after two clicks: %+v %v", rs, err)
		}
		if status, _ := b.get(fmt.Sprintf("/s/%s/score/11", token)); status != http.StatusSeeOther {
			t.Errorf("a score off the scale: %d", status)
		}
		if status, body := b.get(fmt.Sprintf("/s/%s/score/8", token[:len(token)-3]+"abc")); status != http.StatusNotFound || has(body, "Петров") {
			t.Errorf("a forged link: %d", status)
		}

		// Unsubscribe: GET asks, POST does.
		u := signer.SignUnsubscribe("C-1", "email")
		status, body := b.get("/u/" + u)
		if status != 200 || !has(body, "Больше не присылать") || !has(body, `action="/u/`+u+`"`) {
			t.Fatalf("unsubscribe page: %d %s", status, body)
		}
		if got, _ := s.app.DB.Customer(ctx, otklik.Scope{Reach: otklik.ReachAll}, "C-1"); !got.Consent[otklik.ChannelEmail].Granted {
			t.Fatal("opening the page withdrew the consent")
		}
		status, _, body = b.post("/u/"+u, url.Values{"List-Unsubscribe": {"One-Click"}})
		if status != 200 || !has(body, "писем с вопросами больше не будет") {
			t.Fatalf("unsubscribe: %d %s", status, body)
		}
		got, _ := s.app.DB.Customer(ctx, otklik.Scope{Reach: otklik.ReachAll}, "C-1")
		if k := got.Consent[otklik.ChannelEmail]; k.Granted || k.Source != "unsubscribe_link" {
			t.Errorf("consent after unsubscribing: %+v", k)
		}
		if status, _, _ := b.post("/u/"+u+"x", nil); status != http.StatusNotFound {
			t.Errorf("a forged unsubscribe: %d", status)
		}

		// The card: the manager sees the timeline in English, the name
		// escaped; another manager does not see the customer at all.
		anna := s.browser()
		anna.signIn("anna@x.ru")
		status, body = anna.get("/customers/C-1")
		if status != 200 || !has(body, "Survey invitations") || !has(body, "planned: NPS после доставки") ||
			!has(body, "Иван &lt;b&gt;Петров&lt;/b&gt;") {
			t.Errorf("card: %d %s", status, body)
		}
		oleg := s.browser()
		oleg.signIn("oleg@x.ru")
		if status, _ := oleg.get("/customers/C-1"); status != http.StatusNotFound {
			t.Errorf("another manager's view of the card: %d", status)
		}

	})
}

func storeInvitations(customer string) store.InvitationFilter {
	return store.InvitationFilter{Customer: customer, Limit: 10}
}

func storeAnswers() store.ResponseFilter { return store.ResponseFilter{Limit: 10} }
