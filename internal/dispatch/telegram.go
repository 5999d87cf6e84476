package dispatch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/channel/telegram"
	"otklik/internal/intake"
	"otklik/internal/locale"
	"otklik/internal/store"
	"otklik/internal/surveylink"
)

// botActor records answers that arrive through the bot: the signed button
// names the invitation, so the bot may answer for any customer.
var botActor = otklik.Actor{Email: "telegram-bot", Role: otklik.RoleAdmin}

// StartLink is the deep link that links a customer's Telegram chat to
// them: t.me/<bot>?start=<signed customer id>. Empty without a bot.
func (e *Engine) StartLink(c *otklik.Customer) string {
	if e.cfg.Telegram == nil || e.cfg.BotName == "" {
		return ""
	}
	return telegram.StartLink(e.cfg.BotName, telegram.SignStart(strconv.FormatInt(c.ID, 10), e.cfg.TelegramKey))
}

// StaffLink is the deep link a user of Otklik opens to get case
// notifications in Telegram: the same bot, a signed "u<id>" reference.
// Empty without a bot.
func (e *Engine) StaffLink(u *otklik.User) string {
	if e.cfg.Telegram == nil || e.cfg.BotName == "" {
		return ""
	}
	return telegram.StartLink(e.cfg.BotName, telegram.SignStart("u"+strconv.FormatInt(u.ID, 10), e.cfg.TelegramKey))
}

// HandleUpdate handles one update from the bot: /start with a signed link
// links the chat to the customer; a press on the scale records the score
// and asks "why?"; a text in a linked chat after a score is its comment.
// An update it cannot use is ignored (nil), so it never blocks the ones
// after it.
func (e *Engine) HandleUpdate(ctx context.Context, u telegram.Update) error {
	switch {
	case u.CallbackQuery != nil:
		return e.onPress(ctx, u.CallbackQuery)
	case u.Message != nil && u.Message.Chat.Type == "private":
		if strings.HasPrefix(u.Message.Text, "/start") {
			return e.onStart(ctx, u.Message)
		}
		return e.onText(ctx, u.Message)
	}
	return nil
}

func (e *Engine) localizer(lang string) *locale.Localizer {
	if lang != locale.English {
		lang = locale.Russian
	}
	return e.cfg.Catalog.For(lang)
}

func (e *Engine) onStart(ctx context.Context, m *telegram.Message) error {
	chat := m.Chat.ID
	ref, ok := telegram.ParseStart(m.Text, e.cfg.TelegramKey)
	if staff, isStaff := strings.CutPrefix(ref, "u"); ok && isStaff {
		return e.linkStaff(ctx, chat, staff)
	}
	var c *otklik.Customer
	if ok {
		if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
			c, _ = e.cfg.DB.CustomerByID(ctx, id)
		}
	}
	if c == nil {
		lang := ""
		if m.From != nil {
			lang = m.From.LanguageCode
		}
		_, err := e.cfg.Telegram.SendMessage(ctx, chat, e.localizer(lang).T("invite.telegram.unknown"), telegram.SendOptions{})
		return ignorePermanent(err)
	}
	if err := e.cfg.DB.SetTelegramChat(ctx, c, strconv.FormatInt(chat, 10)); err != nil {
		return err
	}
	l := e.localizer(c.Locale)
	_, err := e.cfg.Telegram.SendMessage(ctx, chat, l.T("invite.telegram.linked", map[string]any{"Business": e.cfg.Business}),
		telegram.SendOptions{})
	return ignorePermanent(err)
}

// linkStaff links the chat to the user the signed reference names.
func (e *Engine) linkStaff(ctx context.Context, chat int64, ref string) error {
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		return nil
	}
	u, err := e.cfg.DB.UserByID(ctx, id)
	if otklik.ErrorCode(err) == otklik.ENOTFOUND || err == nil && u.Disabled {
		return nil
	}
	if err != nil {
		return err
	}
	if err := e.cfg.DB.SetUserTelegramChat(ctx, id, strconv.FormatInt(chat, 10)); err != nil {
		return err
	}
	_, err = e.cfg.Telegram.SendMessage(ctx, chat, e.localizer(u.Locale).T("invite.telegram.staff_linked"), telegram.SendOptions{})
	return ignorePermanent(err)
}

// onPress records the score of a press on the scale. The button is signed
// with the invitation's id, so a forged or stale press records nothing.
func (e *Engine) onPress(ctx context.Context, q *telegram.CallbackQuery) error {
	ref, score, err := telegram.ParseCallback(q.Data, e.cfg.TelegramKey)
	if err != nil {
		return ignorePermanent(e.cfg.Telegram.AnswerCallbackQuery(ctx, q.ID, ""))
	}
	id, _ := strconv.ParseInt(ref, 10, 64)
	inv, err := e.cfg.DB.Invitation(ctx, id)
	if otklik.ErrorCode(err) == otklik.ENOTFOUND {
		return ignorePermanent(e.cfg.Telegram.AnswerCallbackQuery(ctx, q.ID, ""))
	}
	if err != nil {
		return err
	}
	c, err := e.cfg.DB.CustomerByID(ctx, inv.CustomerID)
	if err != nil {
		return ignorePermanent(e.cfg.Telegram.AnswerCallbackQuery(ctx, q.ID, ""))
	}
	if err := e.recordScore(ctx, inv, c, score); err != nil {
		return err
	}
	l := e.localizer(c.Locale)
	if err := ignorePermanent(e.cfg.Telegram.AnswerCallbackQuery(ctx, q.ID, l.T("invite.telegram.thanks"))); err != nil {
		return err
	}
	if q.Message != nil {
		text := q.Message.Text + "\n\n" + l.T("invite.telegram.chosen", map[string]any{"Score": score})
		if _, err := e.cfg.Telegram.EditMessageText(ctx, q.Message.Chat.ID, q.Message.MessageID, text, telegram.SendOptions{}); ignorePermanent(err) != nil {
			return err
		}
		sv, err := e.cfg.Intake.Survey(ctx, inv.Survey)
		if err != nil {
			return err
		}
		why := sv.WhyQuestion.In(l.Lang())
		if why == "" {
			why = l.T("invite.telegram.why")
		}
		_, err = e.cfg.Telegram.SendMessage(ctx, q.Message.Chat.ID, why, telegram.SendOptions{ForceReply: true})
		return ignorePermanent(err)
	}
	return nil
}

// answerKey is the idempotency key of an invitation's answer: every link,
// button and reminder of one invitation records, and revises, one answer.
func answerKey(invitationID int64) string { return surveylink.InvitationKey(invitationID) }

func (e *Engine) recordScore(ctx context.Context, inv *otklik.Invitation, c *otklik.Customer, score int) error {
	resp, created, err := e.cfg.Intake.Record(ctx, botActor, intake.Answer{Survey: inv.Survey, Customer: c.ExternalID,
		Score: &score, Channel: otklik.ChannelTelegram, Key: answerKey(inv.ID)})
	if err != nil {
		if otklik.ErrorCode(err) == otklik.EINVALID {
			return nil // a score off the survey's scale: nothing to record
		}
		return err
	}
	if created || resp.Score == score {
		return nil
	}
	resp.Score = score
	return e.cfg.DB.ReviseResponse(ctx, resp)
}

// onText takes a text in a linked chat as the comment on the customer's
// latest answer through the bot, within a day of it.
func (e *Engine) onText(ctx context.Context, m *telegram.Message) error {
	text := strings.TrimSpace(m.Text)
	if text == "" {
		return nil
	}
	c, err := e.cfg.DB.CustomerByTelegramChat(ctx, strconv.FormatInt(m.Chat.ID, 10))
	if err != nil {
		return nil // not a customer's chat
	}
	invs, err := e.cfg.DB.Invitations(ctx, otklik.Scope{Reach: otklik.ReachAll},
		store.InvitationFilter{Customer: c.ExternalID, Limit: 5})
	if err != nil {
		return err
	}
	l := e.localizer(c.Locale)
	for _, inv := range invs { // newest first: the last one asked in this chat
		if inv.Channel != otklik.ChannelTelegram || inv.SentAt == nil {
			continue
		}
		resp, err := e.cfg.DB.ResponseByKey(ctx, answerKey(inv.ID))
		if err != nil || e.now().Sub(resp.AnsweredAt) > 24*time.Hour {
			break
		}
		if len([]rune(text)) > otklik.MaxCommentLength {
			text = string([]rune(text)[:otklik.MaxCommentLength])
		}
		switch {
		case resp.Comment == text || strings.HasSuffix(resp.Comment, "\n"+text):
			// The same update again (its confirmation failed): saved already.
			text = resp.Comment
		case resp.Comment != "":
			text = resp.Comment + "\n" + text
		}
		resp.Comment = text
		if err := e.cfg.DB.ReviseResponse(ctx, resp); err != nil {
			return err
		}
		_, err = e.cfg.Telegram.SendMessage(ctx, m.Chat.ID, l.T("invite.telegram.comment_saved"), telegram.SendOptions{})
		return ignorePermanent(err)
	}
	return nil
}

// ignorePermanent drops errors the bot cannot do anything about (a chat
// that blocked the bot, a message gone): retrying the update would not help.
func ignorePermanent(err error) error {
	if telegram.IsPermanent(err) {
		return nil
	}
	return err
}

// RunTelegram long-polls the bot while this replica holds the polling
// lease (Telegram allows one getUpdates consumer per bot), until ctx ends.
// Another replica takes over within a minute when the holder stops.
func (e *Engine) RunTelegram(ctx context.Context) {
	if e.cfg.Telegram == nil {
		return
	}
	holder := randomHolder()
	const ttl = 45 * time.Second
	for ctx.Err() == nil {
		held, err := e.cfg.DB.AcquireLease(ctx, "telegram.poll", holder, ttl)
		if err != nil || !held {
			sleep(ctx, 15*time.Second)
			continue
		}
		pollCtx, cancel := context.WithCancel(ctx)
		go func() { // renew the lease; stop polling when it is lost
			defer cancel()
			for {
				sleep(pollCtx, 15*time.Second)
				if pollCtx.Err() != nil {
					return
				}
				if ok, err := e.cfg.DB.AcquireLease(pollCtx, "telegram.poll", holder, ttl); err != nil || !ok {
					return
				}
			}
		}()
		telegram.Poller{Timeout: 25 * time.Second}.Run(pollCtx, e.cfg.Telegram, e.HandleUpdate, e.cfg.Log)
		cancel()
	}
}

func randomHolder() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
