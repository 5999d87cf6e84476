package casework

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/riverqueue/river"

	"otklik"
	"otklik/internal/channel/email"
	"otklik/internal/locale"
)

// NotifyArgs is the job that tells the people on a case what happened:
// opened (owner and watchers), breach_first_contact / breach_resolution
// (owner, watchers and the team's lead) or resolved (watchers).
type NotifyArgs struct {
	CaseID int64  `json:"case_id"`
	Event  string `json:"event"`
}

// Kind names the job for River.
func (NotifyArgs) Kind() string { return "case_notify" }

// InsertOpts makes a notification unique per case and event while its job
// row exists, so a re-read answer or a retried transaction cannot send twice.
func (NotifyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type notifyWorker struct {
	river.WorkerDefaults[NotifyArgs]
	e *Engine
}

// Work sends the notification to each recipient not yet notified of this
// event (recorded on the timeline), so a retry after a failed send reaches
// only the ones the failure left out.
func (w *notifyWorker) Work(ctx context.Context, job *river.Job[NotifyArgs]) error {
	return w.e.notify(ctx, job.Args)
}

func (e *Engine) notify(ctx context.Context, a NotifyArgs) error {
	c, err := e.cfg.DB.Case(ctx, otklik.Scope{Reach: otklik.ReachAll}, a.CaseID)
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		return nil // gone: nothing to tell
	}
	if err != nil {
		return err
	}
	// Done is what the timeline says went already: "event:to" by e-mail,
	// "event:telegram:to" by Telegram.
	done := map[string]bool{}
	for _, ev := range c.Events {
		if ev.Kind == "notified" && strings.HasPrefix(ev.Body, a.Event+":") {
			done[strings.TrimPrefix(ev.Body, a.Event+":")] = true
		}
	}
	for _, to := range e.recipients(ctx, c, a.Event) {
		msg, err := e.message(ctx, c, a.Event, to)
		if err != nil {
			return err
		}
		if !done[to] {
			if err := e.mail(ctx, c, a.Event, to, msg); err != nil {
				return err
			}
		}
		if !done["telegram:"+to] {
			if err := e.telegram(ctx, c, a.Event, to, msg); err != nil {
				return err
			}
		}
	}
	return nil
}

// mail sends a notification by e-mail and records it; a permanent refusal
// is logged and not retried.
func (e *Engine) mail(ctx context.Context, c *otklik.Case, event, to string, msg email.Message) error {
	if e.cfg.Mail == nil {
		e.cfg.Log.Info("casework: no e-mail configured; notification not sent", "case", c.ID, "to", to)
		return nil
	}
	if err := e.cfg.Mail.Send(ctx, msg); err != nil {
		if email.IsPermanent(err) {
			e.cfg.Log.Warn("casework: notification refused", "case", c.ID, "to", to, "err", err)
			return nil
		}
		return err // River retries; those already notified are skipped
	}
	return e.noted(ctx, c, event, "email", to, event+":"+to)
}

// telegram sends the notification to the recipient's linked chat, when
// they are a user who linked one.
func (e *Engine) telegram(ctx context.Context, c *otklik.Case, event, to string, msg email.Message) error {
	if e.cfg.Telegram == nil {
		return nil
	}
	u, err := e.cfg.DB.UserByEmail(ctx, to)
	if err != nil || u.TelegramChat == "" {
		return nil
	}
	chat, err := strconv.ParseInt(u.TelegramChat, 10, 64)
	if err != nil {
		return nil
	}
	if err := e.cfg.Telegram.Send(ctx, chat, msg.Subject+"\n\n"+msg.Text); err != nil {
		if e.cfg.TelegramPermanent != nil && e.cfg.TelegramPermanent(err) {
			e.cfg.Log.Warn("casework: Telegram notification refused", "case", c.ID, "to", to, "err", err)
			return nil
		}
		return err
	}
	return e.noted(ctx, c, event, "telegram", to, event+":telegram:"+to)
}

func (e *Engine) noted(ctx context.Context, c *otklik.Case, event, channel, to, body string) error {
	data, _ := json.Marshal(map[string]string{"channel": channel, "to": to})
	return e.cfg.DB.AddCaseEvent(ctx, c.ID, otklik.CaseEvent{At: e.cfg.Now().UTC(), Kind: "notified", Body: body, Data: data})
}

// recipients lists who hears of event, without duplicates.
func (e *Engine) recipients(ctx context.Context, c *otklik.Case, event string) []string {
	var out []string
	add := func(emails ...string) {
		for _, m := range emails {
			if m != "" && !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	switch {
	case event == "opened":
		add(c.Owner)
		add(c.Watchers...)
	case strings.HasPrefix(event, "breach_"):
		add(c.Owner)
		add(c.Watchers...)
		leads, _ := e.cfg.DB.TeamLeads(ctx, c.Team)
		for _, l := range leads {
			add(l.Email)
		}
	case event == "resolved":
		add(c.Watchers...)
	}
	return out
}

// message writes the notification in the recipient's language (a user's
// own, else Russian), plain text only: the comment is the customer's
// words and is shown as text.
func (e *Engine) message(ctx context.Context, c *otklik.Case, event, to string) (email.Message, error) {
	lang, name := locale.Russian, ""
	if u, err := e.cfg.DB.UserByEmail(ctx, to); err == nil {
		lang, name = u.Locale, u.Name
	}
	l := e.cfg.Catalog.For(lang)
	cal, _ := e.Calendar(ctx)
	who := c.CustomerName
	if who == "" {
		who = c.Customer
	}
	data := map[string]any{"ID": c.ID, "Customer": who, "Score": c.Score, "Survey": c.Survey}
	subject := l.T("loop.mail.subject."+subjectKey(c, event), data)
	var b strings.Builder
	b.WriteString(l.T("loop.mail.intro."+subjectKey(c, event), data) + "\n\n")
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\n", l.T(label), value)
		}
	}
	line("loop.mail.customer", who+" ("+c.Customer+")")
	line("loop.mail.score", strconv.Itoa(c.Score)+" — "+c.Survey)
	line("loop.mail.comment", c.Comment)
	line("loop.mail.owner", c.Owner)
	if c.FirstContactDue != nil && c.Status == otklik.CaseOpen {
		line("loop.mail.first_contact_due", l.DateTime(*c.FirstContactDue, cal.Location))
	}
	if c.ResolutionDue != nil && event != "resolved" {
		line("loop.mail.resolution_due", l.DateTime(*c.ResolutionDue, cal.Location))
	}
	if event == "resolved" {
		line("loop.mail.decision", c.Decision)
	}
	fmt.Fprintf(&b, "\n%s\n%s/cases/%d\n", l.T("loop.mail.open_case"), e.cfg.BaseURL, c.ID)
	return email.Message{
		To:        (&mail.Address{Name: name, Address: to}).String(),
		Subject:   subject,
		Text:      b.String(),
		MessageID: fmt.Sprintf("case-%d.%s.%x", c.ID, strings.ReplaceAll(event, "_", "-"), sha256.Sum256([]byte(to))),
	}, nil
}

func subjectKey(c *otklik.Case, event string) string {
	switch {
	case event == "opened" && c.Kind == otklik.CaseThanks:
		return "thanks"
	case event == "opened":
		return "opened"
	case strings.HasPrefix(event, "breach_"):
		return "breach"
	}
	return "resolved"
}

// EscalateArgs is the periodic job that marks SLA breaches.
type EscalateArgs struct{}

// Kind names the job for River.
func (EscalateArgs) Kind() string { return "case_escalate" }

type escalateWorker struct {
	river.WorkerDefaults[EscalateArgs]
	e *Engine
}

func (w *escalateWorker) Work(ctx context.Context, _ *river.Job[EscalateArgs]) error {
	n, err := w.e.Escalate(ctx)
	if n > 0 {
		w.e.cfg.Log.Info("casework: SLA breaches escalated", "cases", n)
	}
	return err
}
