package casework

import (
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"strings"

	"github.com/riverqueue/river"

	"otklik"
	"otklik/internal/channel/email"
	"otklik/internal/locale"
	"otklik/internal/store"
)

// PlanReminderDays is how many days before an action's due date its owner
// is reminded.
const PlanReminderDays = 2

// PlanRemindArgs is the leader's hourly job that reminds owners of the
// actions of team plans falling due.
type PlanRemindArgs struct{}

// Kind names the job for River.
func (PlanRemindArgs) Kind() string { return "plan_remind" }

type planRemindWorker struct {
	river.WorkerDefaults[PlanRemindArgs]
	e *Engine
}

func (w *planRemindWorker) Work(ctx context.Context, _ *river.Job[PlanRemindArgs]) error {
	n, err := w.e.RemindPlans(ctx)
	if n > 0 {
		w.e.cfg.Log.Info("casework: plan actions reminded", "actions", n)
	}
	return err
}

// RemindPlans mails each open action of a draft or active plan due within
// PlanReminderDays (or overdue) to its owner, once per action and due
// date, however many replicas run it; it returns how many it mailed.
func (e *Engine) RemindPlans(ctx context.Context) (int, error) {
	if e.cfg.Mail == nil {
		return 0, nil
	}
	cal, err := e.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	today := otklik.Today(e.cfg.Now(), cal.Location)
	items, err := e.cfg.DB.DuePlanItems(ctx, otklik.Scope{Reach: otklik.ReachAll},
		store.DueFilter{Through: otklik.Date{Time: today.AddDate(0, 0, PlanReminderDays)}, Limit: 1000})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, it := range items {
		if it.Owner == "" {
			continue
		}
		var first bool
		key := fmt.Sprintf("plan-remind:%d:%s", it.ID, it.Due)
		if err := e.cfg.DB.InTx(ctx, func(tx *sql.Tx) error {
			first, err = e.cfg.DB.MarkOnce(ctx, tx, key)
			return err
		}); err != nil {
			return sent, err
		}
		if !first {
			continue
		}
		if err := e.cfg.Mail.Send(ctx, e.planReminder(ctx, it, today)); err != nil {
			// Mailed once at most: a reminder lost to a refusing server is
			// not worth a second one that might arrive twice.
			e.cfg.Log.Warn("casework: plan reminder not sent", "item", it.ID, "to", it.Owner, "err", err)
			continue
		}
		sent++
	}
	return sent, nil
}

// planReminder writes an action's reminder in its owner's language.
func (e *Engine) planReminder(ctx context.Context, it store.DueItem, today otklik.Date) email.Message {
	lang, name := locale.Russian, ""
	if u, err := e.cfg.DB.UserByEmail(ctx, it.Owner); err == nil {
		lang, name = u.Locale, u.Name
	}
	l := e.cfg.Catalog.For(lang)
	state := "soon"
	if it.Due.Before(today.Time) {
		state = "overdue"
	}
	data := map[string]any{"What": it.What, "Due": l.Date(it.Due.Time), "Plan": it.Plan, "Team": it.Team}
	var b strings.Builder
	b.WriteString(l.T("loop.plan_mail.intro."+state, data) + "\n\n")
	fmt.Fprintf(&b, "%s\n%s/plans/%d\n", l.T("loop.plan_mail.open"), e.cfg.BaseURL, it.PlanID)
	return email.Message{
		To:        (&mail.Address{Name: name, Address: it.Owner}).String(),
		Subject:   l.T("loop.plan_mail.subject", data),
		Text:      b.String(),
		MessageID: fmt.Sprintf("plan-item-%d.%s", it.ID, strings.ReplaceAll(it.Due.String(), "-", "")),
	}
}
