package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"otklik"
	"otklik/internal/surveylink"
)

// TestBrowserScoreLink: in a real browser, the one click on "8" in an
// invitation e-mail records the score (the page posts it by itself) and
// lands on the "why?" step.
func TestBrowserScoreLink(t *testing.T) {
	chrome := startChromium(t)
	s := newSite(t, "sqlite")
	ctx := context.Background()
	btSurvey(s)
	btCustomer(s, "C-7", "Пётр Иванов", "ru")
	token := surveylink.NewSigner(s.app.LinkKey).Sign(surveylink.Link{Survey: "nps", Customer: "C-7", Channel: "email",
		Invitation: 77, Expires: s.clock.Now().Add(time.Hour)})
	tb := openTab(t, chrome, s)
	tb.open(fmt.Sprintf("/s/%s/score/8", token))
	// The page posts itself and is redirected: poll across those
	// navigations (an evaluation cut short by one is simply retried).
	deadline := time.Now().Add(15 * time.Second)
	for {
		search, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`location.search`))
		if err == nil && search == "?step=why" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the score page did not post itself: %q, %v\n%s", search, err, tb.describe())
		}
		time.Sleep(50 * time.Millisecond)
	}
	r, err := s.app.DB.ResponseByKey(ctx, surveylink.InvitationKey(77))
	if err != nil || r.Score != 8 || r.Channel != otklik.ChannelEmail {
		t.Fatalf("answer after the click: %+v, %v", r, err)
	}
}
