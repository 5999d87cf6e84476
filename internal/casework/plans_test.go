package casework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/app"
	"otklik/internal/apptest"
	"otklik/internal/channel/email/smtptest"
	"otklik/internal/storetest"
)

// TestPlanReminders: an action due within two days is mailed to its
// owner once, in their language, however often the reminder runs; an
// action due later, a done one and an unowned one are not.
func TestPlanReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		sink := smtptest.Start(t)
		site := apptest.Start(t, dialect, func(c *app.Config) { c.SMTPURL, c.MailFrom = sink.URL(), "otklik@otklik.test" })
		ctx := context.Background()
		sv := &otklik.Survey{Key: "nps", Kind: otklik.KindNPS, Title: otklik.Text{RU: "Оценка", EN: "Rating"},
			ScoreQuestion: otklik.Text{RU: "Порекомендуете?", EN: "Recommend?"}}
		sv.Normalize()
		if err := site.App.DB.CreateSurvey(ctx, sv); err != nil {
			t.Fatal(err)
		}
		if err := site.App.DB.CreateUser(ctx, &otklik.User{Email: "lead@x.ru", Role: otklik.RoleLead, Team: "Север", Locale: "en"}); err != nil {
			t.Fatal(err)
		}
		day := func(s string) otklik.Date { d, _ := otklik.ParseDate(s); return d }
		p := &otklik.Plan{Survey: "nps", Team: "Север", From: day("2026-02-01"), To: day("2026-02-28"), Title: "Февральская волна",
			Status: otklik.PlanActive, Author: "lead@x.ru"}
		if err := site.App.DB.CreatePlan(ctx, p); err != nil {
			t.Fatal(err)
		}
		all := otklik.Scope{Reach: otklik.ReachAll}
		// Today is Monday 2 March 2026 in Moscow.
		for _, it := range []otklik.PlanItem{
			{What: "Перезвонить всем недовольным", Owner: "lead@x.ru", Due: day("2026-03-04")},
			{What: "Обновить скрипт звонка", Owner: "anna@x.ru", Due: day("2026-02-27")},
			{What: "Новый тариф", Owner: "lead@x.ru", Due: day("2026-03-20")},
		} {
			if err := site.App.DB.AddPlanItem(ctx, all, p.ID, &it); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			if _, err := site.App.Cases.RemindPlans(ctx); err != nil {
				t.Fatal(err)
			}
		}
		mails := sink.WaitFor(2, 5*time.Second)
		time.Sleep(200 * time.Millisecond)
		if sink.Count() != 2 {
			t.Fatalf("%d reminders, want 2", sink.Count())
		}
		byTo := map[string]string{}
		for _, m := range mails {
			byTo[m.To[0]] = m.Subject + "\n" + m.Text
		}
		if s := byTo["lead@x.ru"]; !strings.Contains(s, "Reminder for the plan “Февральская волна”") || !strings.Contains(s, "Mar 4, 2026") {
			t.Errorf("the lead's reminder: %s", s)
		}
		if s := byTo["anna@x.ru"]; !strings.Contains(s, "прошёл 27 февраля 2026") || !strings.Contains(s, "/plans/") {
			t.Errorf("the overdue reminder: %s", s)
		}
	})
}
