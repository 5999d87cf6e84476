package dispatch

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"otklik"
	"otklik/internal/channel/email"
	"otklik/internal/channel/telegram"
	"otklik/internal/channel/webhook"
	"otklik/internal/locale"
	"otklik/internal/surveylink"
)

// SendArgs sends one invitation (Reminder 0) or its n-th reminder.
type SendArgs struct {
	InvitationID int64 `json:"invitation_id"`
	Reminder     int   `json:"reminder,omitempty"`
}

// Kind names the job for River.
func (SendArgs) Kind() string { return "invitation_send" }

// InsertOpts: one send job per invitation and reminder while its row
// exists; River retries a temporary failure with its backoff.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	e *Engine
}

// Work sends the invitation once. The status moves queued → sending before
// anything leaves, and only the caller that moved it sends: however many
// replicas work the queue, and whatever River retries, one send at most
// reaches the customer. A temporary failure moves it back to queued for
// River's next attempt; a send interrupted after the claim (a crash) stays
// "sending" and is not repeated.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	e := w.e
	a := job.Args
	from, to := otklik.InvitationQueued, otklik.InvitationSending
	if a.Reminder > 0 {
		from, to = otklik.InvitationSent, otklik.InvitationSending
	}
	inv, err := e.cfg.DB.Invitation(ctx, a.InvitationID)
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if a.Reminder > 0 && inv.Reminders >= a.Reminder {
		return nil // this reminder went already
	}
	claimed, err := e.cfg.DB.ClaimInvitation(ctx, inv.ID, from, to)
	if err != nil || !claimed {
		return err
	}
	sendErr := e.send(ctx, inv, a.Reminder)
	switch {
	case sendErr == nil:
		return e.cfg.DB.InvitationSent(ctx, inv.ID, inv.Channel, a.Reminder > 0, func(tx *sql.Tx) error {
			if a.Reminder > 0 {
				return nil
			}
			return e.Emit(ctx, tx, webhook.EventInvitationSent, invitationPayload(inv, e.now()))
		})
	case permanent(sendErr) || job.Attempt >= job.MaxAttempts:
		e.cfg.Log.Warn("outreach: invitation not sent", "invitation", inv.ID, "channel", inv.Channel, "err", sendErr)
		params := map[string]string{"error": trim(sendErr.Error(), 300)}
		if a.Reminder > 0 { // the invitation itself went; only its reminder failed
			return e.cfg.DB.ReminderFailed(ctx, inv.ID, inv.Channel, "failed.channel", params)
		}
		return e.cfg.DB.InvitationFailed(ctx, inv.ID, inv.Channel, "failed.channel", params)
	default:
		if _, err := e.cfg.DB.ClaimInvitation(ctx, inv.ID, to, from); err != nil {
			return errors.Join(sendErr, err)
		}
		return sendErr // River tries again later
	}
}

// NextRetry asks River to wait the engine's retry delay.
func (w *sendWorker) NextRetry(job *river.Job[SendArgs]) time.Time {
	return time.Now().Add(w.e.cfg.RetryDelay(job.Attempt))
}

// invitationPayload is what invitation.sent tells a subscriber.
func invitationPayload(inv *otklik.Invitation, sentAt time.Time) map[string]any {
	return map[string]any{"id": inv.ID, "customer": inv.Customer, "survey": inv.Survey, "source": inv.Source,
		"ref": inv.Ref, "label": inv.Label, "channel": inv.Channel, "sent_at": sentAt}
}

// permanent tells a refusal that retrying cannot fix from a passing fault.
func permanent(err error) bool {
	var noChannel *noChannelError
	return email.IsPermanent(err) || telegram.IsPermanent(err) || errors.As(err, &noChannel)
}

type noChannelError struct {
	ch     otklik.Channel
	reason string // why: "not configured" unless said
}

func (e *noChannelError) Error() string {
	if e.reason != "" {
		return fmt.Sprintf("%s: %s", e.ch, e.reason)
	}
	return fmt.Sprintf("the %s channel is not configured", e.ch)
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// send delivers the invitation on its channel.
func (e *Engine) send(ctx context.Context, inv *otklik.Invitation, reminder int) error {
	c, err := e.cfg.DB.CustomerByID(ctx, inv.CustomerID)
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		return &noChannelError{ch: inv.Channel, reason: "the customer's data was erased"}
	}
	if err != nil {
		return err
	}
	// Consent is checked again at the moment of sending: an unsubscribe
	// after the decision (or between an invitation and its reminder) wins.
	if !c.Consent[inv.Channel].Granted {
		return &noChannelError{ch: inv.Channel, reason: "the customer withdrew consent"}
	}
	sv, err := e.cfg.Intake.Survey(ctx, inv.Survey)
	if err != nil {
		return err
	}
	switch inv.Channel {
	case otklik.ChannelEmail:
		if e.cfg.Mail == nil {
			return &noChannelError{ch: inv.Channel}
		}
		msg, err := e.invitationMail(inv, c, sv, reminder)
		if err != nil {
			return err
		}
		return e.cfg.Mail.Send(ctx, msg)
	case otklik.ChannelTelegram:
		if e.cfg.Telegram == nil {
			return &noChannelError{ch: inv.Channel}
		}
		return e.sendTelegram(ctx, inv, c, sv, reminder)
	}
	return &noChannelError{ch: inv.Channel}
}

// invitationMail writes the e-mail: the question with the scale as links
// (one click records the score and opens the "why?" page), a plain-text
// part with the same links, the business's name as the sender, and a
// one-click List-Unsubscribe (RFC 8058).
func (e *Engine) invitationMail(inv *otklik.Invitation, c *otklik.Customer, sv *otklik.Survey, reminder int) (email.Message, error) {
	lang := c.Locale
	if lang != locale.English {
		lang = locale.Russian
	}
	l := e.cfg.Catalog.For(lang)
	token := e.cfg.Links.Sign(surveylink.Link{Survey: sv.Key, Customer: c.ExternalID, Channel: string(otklik.ChannelEmail),
		Invitation: inv.ID, Expires: inv.LatestAt.Add(e.cfg.LinkTTL)})
	unsubscribe := e.cfg.BaseURL + "/u/" + e.cfg.Links.SignUnsubscribe(c.ExternalID, string(otklik.ChannelEmail))
	d := mailData{
		Business: e.cfg.Business, Question: sv.ScoreQuestion.In(lang), Name: c.Name,
		Greeting: l.T("invite.mail.greeting", map[string]any{"Name": c.Name}),
		Low:      l.T("invite.mail.low"), High: l.T("invite.mail.high"),
		Footer:      l.T("invite.mail.footer", map[string]any{"Business": e.cfg.Business}),
		Unsubscribe: unsubscribe, UnsubscribeText: l.T("invite.mail.unsubscribe"),
	}
	if c.Name == "" {
		d.Greeting = l.T("invite.mail.greeting_anonymous")
	}
	for s := sv.Scale.Min; s <= sv.Scale.Max; s++ {
		d.Scores = append(d.Scores, mailScore{Score: s, URL: fmt.Sprintf("%s/s/%s/score/%d", e.cfg.BaseURL, token, s)})
	}
	var html bytes.Buffer
	if err := mailHTML.Execute(&html, d); err != nil {
		return email.Message{}, err
	}
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n%s\n(%d — %s, %d — %s)\n\n", d.Greeting, d.Question, sv.Scale.Min, d.Low, sv.Scale.Max, d.High)
	for _, s := range d.Scores {
		fmt.Fprintf(&text, "%2d: %s\n", s.Score, s.URL)
	}
	fmt.Fprintf(&text, "\n%s\n\n%s: %s\n", d.Footer, d.UnsubscribeText, unsubscribe)
	subject := sv.Title.In(lang)
	if reminder > 0 {
		subject = l.T("invite.mail.reminder_subject", map[string]any{"Title": subject})
	}
	return email.Message{
		To:       (&mail.Address{Name: c.Name, Address: c.Email}).String(),
		Subject:  subject,
		Text:     text.String(),
		HTML:     html.String(),
		FromName: e.cfg.Business,
		Headers: map[string]string{
			"List-Unsubscribe":      "<" + unsubscribe + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
		MessageID: "inv-" + strconv.FormatInt(inv.ID, 10) + "." + strconv.Itoa(reminder),
	}, nil
}

type mailScore struct {
	Score int
	URL   string
}

type mailData struct {
	Business, Question, Name, Greeting, Low, High, Footer, Unsubscribe, UnsubscribeText string
	Scores                                                                              []mailScore
}

// mailHTML is the invitation's HTML part: tables and inline styles, which
// is what mail clients render. html/template escapes every value.
var mailHTML = template.Must(template.New("mail").Parse(`<!doctype html>
<html><body style="margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2933">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:620px;margin:0 auto;background:#fff;border-radius:8px">
<tr><td style="padding:24px 24px 8px;font-size:14px;color:#52606d">{{.Business}}</td></tr>
<tr><td style="padding:8px 24px;font-size:16px">{{.Greeting}}</td></tr>
<tr><td style="padding:8px 24px 16px;font-size:20px;font-weight:bold">{{.Question}}</td></tr>
<tr><td style="padding:0 24px"><table role="presentation" cellpadding="0" cellspacing="4"><tr>
{{range .Scores}}<td><a href="{{.URL}}" style="display:inline-block;min-width:34px;padding:10px 0;text-align:center;border:1px solid #cbd2d9;border-radius:6px;color:#1f2933;text-decoration:none;font-size:16px">{{.Score}}</a></td>
{{end}}</tr></table></td></tr>
<tr><td style="padding:4px 24px 16px;font-size:12px;color:#7b8794">{{.Low}} … {{.High}}</td></tr>
<tr><td style="padding:8px 24px 24px;font-size:12px;color:#7b8794">{{.Footer}}<br><a href="{{.Unsubscribe}}" style="color:#7b8794">{{.UnsubscribeText}}</a></td></tr>
</table></body></html>`))

// sendTelegram sends the survey as a message with the signed inline scale.
func (e *Engine) sendTelegram(ctx context.Context, inv *otklik.Invitation, c *otklik.Customer, sv *otklik.Survey, reminder int) error {
	chat, err := strconv.ParseInt(c.TelegramChat, 10, 64)
	if err != nil {
		return &noChannelError{ch: otklik.ChannelTelegram}
	}
	lang := c.Locale
	if lang != locale.English {
		lang = locale.Russian
	}
	l := e.cfg.Catalog.For(lang)
	text := sv.ScoreQuestion.In(lang)
	if reminder > 0 {
		text = l.T("invite.telegram.reminder") + "\n" + text
	}
	if err := telegram.CheckScale(sv.Scale.Min, sv.Scale.Max); err != nil {
		return &noChannelError{ch: otklik.ChannelTelegram}
	}
	kb := telegram.ScoreKeyboard(strconv.FormatInt(inv.ID, 10), sv.Scale.Min, sv.Scale.Max, e.cfg.TelegramKey)
	_, err = e.cfg.Telegram.SendMessage(ctx, chat, text, telegram.SendOptions{ReplyMarkup: &kb})
	return err
}
