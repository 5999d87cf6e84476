package dispatch_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/app"
	"otklik/internal/apptest"
	"otklik/internal/channel/telegram"
	"otklik/internal/channel/telegram/telegramtest"
	"otklik/internal/crm"
	"otklik/internal/intake"
	"otklik/internal/storetest"
)

// waitFor polls cond until it holds or fails the test after within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lastSent returns the bot's last message to chat.
func lastSent(bot *telegramtest.Server, chat int64) (telegram.Message, bool) {
	sent := bot.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].Chat.ID == chat {
			return sent[i], true
		}
	}
	return telegram.Message{}, false
}

// TestTelegramFlow: the customer opens the deep link their manager sent —
// the chat is linked and the consent recorded —; a won deal asks through
// the bot (the customer has no e-mail consent), a press on 8 records the
// answer on the telegram channel and asks "why?", the reply becomes the
// comment, and the invitation is answered.
func TestTelegramFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		bot := telegramtest.Start(t)
		site := apptest.Start(t, dialect, func(c *app.Config) {
			c.TelegramToken, c.TelegramAPIURL, c.TelegramBot = telegramtest.Token, bot.URL, "otklik_test_bot"
		})
		sv := &otklik.Survey{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Оценка", EN: "Rating"},
			ScoreQuestion: otklik.Text{RU: "Порекомендуете ли вы нас?", EN: "Would you recommend us?"},
			WhyQuestion:   otklik.Text{RU: "Почему?", EN: "Why?"}}
		sv.Normalize()
		ctx := context.Background()
		if err := site.App.DB.CreateSurvey(ctx, sv); err != nil {
			t.Fatal(err)
		}
		c := customer(t, site, "T-1", func(c *otklik.Customer) { c.Email, c.Consent = "", nil })
		site.Background(t)

		link := site.App.Outreach.StartLink(c)
		token, ok := strings.CutPrefix(link, "https://t.me/otklik_test_bot?start=")
		if !ok {
			t.Fatalf("deep link %q", link)
		}
		const chat = 5550001
		bot.SendText(chat, "/start "+token)
		waitFor(t, 30*time.Second, "chat linked", func() bool {
			got, err := site.App.DB.Customer(ctx, otklik.Scope{Reach: otklik.ReachAll}, "T-1")
			return err == nil && got.TelegramChat == strconv.Itoa(chat) && got.Consent[otklik.ChannelTelegram].Granted
		})
		// A forged start links nothing.
		bot.SendText(chat+1, "/start "+token[:len(token)-2]+"xx")
		waitFor(t, 10*time.Second, "reply to the forged start", func() bool {
			m, ok := lastSent(bot, chat+1)
			return ok && strings.Contains(m.Text, "откройте ссылку")
		})

		if _, _, planned, err := site.App.Outreach.RecordEvent(ctx, crm.Event{ID: "deal-1", Type: "deal_won", Customer: "T-1",
			OccurredAt: site.Clock.Now()}, "test"); err != nil || planned != 1 {
			t.Fatalf("event: %d planned, %v", planned, err)
		}
		var question telegram.Message
		waitFor(t, 10*time.Second, "the survey in the chat", func() bool {
			m, ok := lastSent(bot, chat)
			question = m
			return ok && m.ReplyMarkup != nil && strings.Contains(m.Text, "Порекомендуете")
		})
		if _, err := bot.PressLabel(chat, question.MessageID, "8"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 10*time.Second, "the why question", func() bool {
			m, ok := lastSent(bot, chat)
			return ok && m.Text == "Почему?"
		})
		bot.SendText(chat, "Быстро оформили кредит")
		var answer *otklik.Response
		waitFor(t, 10*time.Second, "the comment saved", func() bool {
			rs, err := site.App.DB.Responses(ctx, otklik.Scope{Reach: otklik.ReachAll}, storeResponses())
			if err != nil || len(rs) != 1 {
				return false
			}
			answer = rs[0]
			return answer.Comment == "Быстро оформили кредит"
		})
		if answer.Score != 8 || answer.Channel != otklik.ChannelTelegram || answer.Customer != "T-1" {
			t.Errorf("answer = %+v", answer)
		}
		waitFor(t, 10*time.Second, "invitation answered", func() bool {
			invs, err := site.App.DB.Invitations(ctx, otklik.Scope{Reach: otklik.ReachAll}, storeAll())
			return err == nil && len(invs) == 1 && invs[0].Status == otklik.InvitationAnswered &&
				invs[0].Channel == otklik.ChannelTelegram
		})
		// A forged press records nothing.
		bot.PressButton(chat, question.MessageID, "x"+strings.Repeat("A", 40))
		time.Sleep(300 * time.Millisecond)
		rs, _ := site.App.DB.Responses(ctx, otklik.Scope{Reach: otklik.ReachAll}, storeResponses())
		if len(rs) != 1 || rs[0].Score != 8 {
			t.Errorf("after a forged press: %+v", rs)
		}
	})
}

// TestStaffNotifiedInTelegram: a manager links their chat through the
// bot's staff link; a detractor's case for one of their customers then
// reaches that chat, as well as their e-mail when there is one.
func TestStaffNotifiedInTelegram(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		bot := telegramtest.Start(t)
		site := apptest.Start(t, dialect, func(c *app.Config) {
			c.TelegramToken, c.TelegramAPIURL, c.TelegramBot = telegramtest.Token, bot.URL, "otklik_test_bot"
		})
		ctx := context.Background()
		sv := &otklik.Survey{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Оценка", EN: "Rating"},
			ScoreQuestion: otklik.Text{RU: "Порекомендуете?", EN: "Recommend?"}}
		sv.Normalize()
		if err := site.App.DB.CreateSurvey(ctx, sv); err != nil {
			t.Fatal(err)
		}
		u := &otklik.User{Email: "anna@x.ru", Role: otklik.RoleManager, Name: "Анна"}
		if err := site.App.DB.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		customer(t, site, "S-1", func(c *otklik.Customer) { c.Manager = "anna@x.ru" })
		site.Background(t)

		token, ok := strings.CutPrefix(site.App.Outreach.StaffLink(u), "https://t.me/otklik_test_bot?start=")
		if !ok {
			t.Fatal("no staff link")
		}
		const chat = 7770001
		bot.SendText(chat, "/start "+token)
		waitFor(t, 30*time.Second, "the manager's chat linked", func() bool {
			got, err := site.App.DB.UserByEmail(ctx, "anna@x.ru")
			return err == nil && got.TelegramChat == strconv.Itoa(chat)
		})
		three := 3
		if _, _, err := site.App.Intake.Record(ctx, otklik.Actor{Email: "t", Role: otklik.RoleAdmin}, intake.Answer{Survey: "nps",
			Customer: "S-1", Score: &three, Channel: otklik.ChannelAPI}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 15*time.Second, "the case in the manager's chat", func() bool {
			m, ok := lastSent(bot, chat)
			return ok && strings.Contains(m.Text, "Недовольный клиент") && strings.Contains(m.Text, "/cases/")
		})
	})
}
