package telegram_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
	"otklik/internal/channel/telegram"
	"otklik/internal/channel/telegram/telegramtest"
)

const chat = int64(5550001234) // more than 32 bits, as real ids can be

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The whole survey in Telegram: the bot sends the 0–10 scale, the customer
// presses 8, the bot reads the press, answers it and removes the keyboard.
func TestSurveyOverTelegram(t *testing.T) {
	fake := telegramtest.Start(t)
	c := fake.Client()
	ctx := ctxT(t)

	me, err := c.GetMe(ctx)
	if err != nil || !me.IsBot || me.Username != telegramtest.BotUsername {
		t.Fatalf("GetMe = %+v, %v", me, err)
	}
	kb := telegram.ScoreKeyboard("1042", 0, 10, key)
	sent, err := c.SendMessage(ctx, chat, "Насколько вероятно, что вы порекомендуете нас? 0–10", telegram.SendOptions{ReplyMarkup: &kb})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if sent.MessageID == 0 || sent.Chat.ID != chat || sent.Chat.Type != "private" || sent.ReplyMarkup == nil {
		t.Fatalf("sent = %+v", sent)
	}
	// What went over the wire: chat_id as an exact integer, the keyboard
	// as inline_keyboard rows of text + callback_data.
	call := fake.CallsTo("sendMessage")[0]
	if call.Int("chat_id") != chat || call.String("text") != sent.Text {
		t.Errorf("sendMessage params = %v", call.Params)
	}
	rows := call.Params["reply_markup"].(map[string]any)["inline_keyboard"].([]any)
	if len(rows) != 2 || len(rows[0].([]any)) != 6 || len(rows[1].([]any)) != 5 {
		t.Fatalf("inline_keyboard = %v", rows)
	}
	if b := rows[1].([]any)[2].(map[string]any); b["text"] != "8" || b["callback_data"] != kb.Rows[1][2].CallbackData {
		t.Errorf("button 8 = %v", b)
	}

	pressed, err := fake.PressLabel(chat, sent.MessageID, "8")
	if err != nil {
		t.Fatal(err)
	}
	ups, err := c.GetUpdates(ctx, 0, 0)
	if err != nil || len(ups) != 1 || ups[0].UpdateID != pressed.UpdateID {
		t.Fatalf("GetUpdates = %+v, %v", ups, err)
	}
	q := ups[0].CallbackQuery
	if q == nil || q.Message == nil || q.Message.MessageID != sent.MessageID || q.Message.Chat.ID != chat || q.From.ID != chat || q.From.LanguageCode != "ru" {
		t.Fatalf("callback query = %+v", q)
	}
	ref, score, err := telegram.ParseCallback(q.Data, key)
	if err != nil || ref != "1042" || score != 8 {
		t.Fatalf("ParseCallback = %q, %d, %v; want 1042, 8", ref, score, err)
	}
	if err := c.AnswerCallbackQuery(ctx, q.ID, "Спасибо! Ваша оценка: 8"); err != nil {
		t.Fatalf("AnswerCallbackQuery: %v", err)
	}
	if got := fake.CallsTo("answerCallbackQuery")[0]; got.String("callback_query_id") != q.ID || got.String("text") != "Спасибо! Ваша оценка: 8" {
		t.Errorf("answerCallbackQuery params = %v", got.Params)
	}
	edited, err := c.EditMessageReplyMarkup(ctx, chat, sent.MessageID, nil)
	if err != nil || edited.ReplyMarkup != nil || edited.Text != sent.Text {
		t.Fatalf("EditMessageReplyMarkup = %+v, %v", edited, err)
	}
	if m, _ := fake.Message(chat, sent.MessageID); m.ReplyMarkup != nil {
		t.Errorf("keyboard still shown: %+v", m.ReplyMarkup)
	}
	// The same edit again changes nothing: Telegram says 400, which is
	// permanent — nothing to retry.
	_, err = c.EditMessageReplyMarkup(ctx, chat, sent.MessageID, nil)
	var apiErr *telegram.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 400 || !strings.Contains(apiErr.Description, "message is not modified") || !telegram.IsPermanent(err) {
		t.Fatalf("second edit: %v", err)
	}
	thanks, err := c.EditMessageText(ctx, chat, sent.MessageID, "Спасибо за оценку 8! Что нам сделать лучше?", telegram.SendOptions{})
	if err != nil || thanks.Text != "Спасибо за оценку 8! Что нам сделать лучше?" {
		t.Fatalf("EditMessageText = %+v, %v", thanks, err)
	}
	// Confirming the press: it is not delivered again.
	if ups, err := c.GetUpdates(ctx, pressed.UpdateID+1, 0); err != nil || len(ups) != 0 || len(fake.Pending()) != 0 {
		t.Fatalf("after confirming: %+v, %v, pending %d", ups, err, len(fake.Pending()))
	}
}

func TestForgedPressIsRejected(t *testing.T) {
	fake := telegramtest.Start(t)
	c := fake.Client()
	ctx := ctxT(t)
	kb := telegram.ScoreKeyboard("1042", 0, 10, key)
	sent, err := c.SendMessage(ctx, chat, "0–10?", telegram.SendOptions{ReplyMarkup: &kb})
	if err != nil {
		t.Fatal(err)
	}
	// A modified client sends data of its own: another invitation's ref
	// with a made-up tag, and a genuine button of another installation.
	forged := []string{
		telegram.ScoreKeyboard("1043", 0, 10, otherKey).Rows[1][4].CallbackData,
		kb.Rows[1][2].CallbackData[:20] + "AAAA" + kb.Rows[1][2].CallbackData[24:],
		"nps:10",
	}
	for _, data := range forged {
		fake.PressButton(chat, sent.MessageID, data)
	}
	ups, err := c.GetUpdates(ctx, 0, 0)
	if err != nil || len(ups) != len(forged) {
		t.Fatalf("GetUpdates = %d updates, %v", len(ups), err)
	}
	for _, u := range ups {
		if ref, score, err := telegram.ParseCallback(u.CallbackQuery.Data, key); !errors.Is(err, telegram.ErrBadCallback) {
			t.Errorf("%q accepted as (%q, %d)", u.CallbackQuery.Data, ref, score)
		}
		// The press must still be answered, or the button spins.
		if err := c.AnswerCallbackQuery(ctx, u.CallbackQuery.ID, ""); err != nil {
			t.Errorf("answering a forged press: %v", err)
		}
	}
}

func TestStartDeepLink(t *testing.T) {
	fake := telegramtest.Start(t)
	c := fake.Client()
	ctx := ctxT(t)
	me, err := c.GetMe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	link := telegram.StartLink(me.Username, telegram.SignStart("crm-1042", key))
	u, _ := url.Parse(link)
	if !strings.HasPrefix(link, "https://t.me/otklik_test_bot?start=") {
		t.Fatalf("link = %q", link)
	}
	// Pressing Start in Telegram sends "/start <parameter>".
	fake.SendText(chat, "/start "+u.Query().Get("start"))
	fake.SendText(chat, "/start")
	ups, err := c.GetUpdates(ctx, 0, 0)
	if err != nil || len(ups) != 2 {
		t.Fatalf("GetUpdates = %+v, %v", ups, err)
	}
	m := ups[0].Message
	if m == nil || m.Chat.ID != chat || m.From == nil || m.From.FirstName != "Анна" || m.Time().IsZero() {
		t.Fatalf("message = %+v", m)
	}
	if ref, ok := telegram.ParseStart(m.Text, key); !ok || ref != "crm-1042" {
		t.Errorf("ParseStart(%q) = %q, %v", m.Text, ref, ok)
	}
	if ref, ok := telegram.ParseStart(ups[1].Message.Text, key); ok {
		t.Errorf("bare /start named %q", ref)
	}
}

func TestSendOptions(t *testing.T) {
	fake := telegramtest.Start(t)
	c := fake.Client()
	ctx := ctxT(t)
	if _, err := c.SendMessage(ctx, chat, "Почему <b>8</b>?", telegram.SendOptions{ParseMode: telegram.ParseHTML, ForceReply: true}); err != nil {
		t.Fatal(err)
	}
	got := fake.CallsTo("sendMessage")[0].Params
	want := map[string]any{"chat_id": json.Number("5550001234"), "text": "Почему <b>8</b>?", "parse_mode": "HTML", "reply_markup": map[string]any{"force_reply": true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	// Plain text: no parse_mode, no reply_markup keys at all.
	if _, err := c.SendMessage(ctx, -100123, "hi", telegram.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := fake.CallsTo("sendMessage")[1].Params; len(got) != 2 {
		t.Errorf("plain params = %v", got)
	}

	kb := telegram.ScoreKeyboard("1", 1, 5, key)
	for name, tt := range map[string]struct {
		send  func() error
		field string
	}{
		"both markups": {func() error {
			_, err := c.SendMessage(ctx, chat, "x", telegram.SendOptions{ReplyMarkup: &kb, ForceReply: true})
			return err
		}, "reply_markup"},
		"no chat": {func() error { _, err := c.SendMessage(ctx, 0, "x", telegram.SendOptions{}); return err }, "chat_id"},
		"no text": {func() error { _, err := c.SendMessage(ctx, chat, "", telegram.SendOptions{}); return err }, "text"},
		"edit with force reply": {func() error {
			_, err := c.EditMessageText(ctx, chat, 1, "x", telegram.SendOptions{ForceReply: true})
			return err
		}, "reply_markup"},
		"edit without message": {func() error { _, err := c.EditMessageReplyMarkup(ctx, chat, 0, nil); return err }, "message_id"},
		"webhook secret":       {func() error { return c.SetWebhook(ctx, "https://otklik.example/tg", "not a secret!") }, "secret_token"},
	} {
		err := tt.send()
		fields := otklik.ErrorFields(err)
		if otklik.ErrorCode(err) != otklik.EINVALID || len(fields) != 1 || fields[0].Field != tt.field || !telegram.IsPermanent(err) {
			t.Errorf("%s: err = %v, want EINVALID on %s", name, err, tt.field)
		}
	}
	if n := len(fake.CallsTo("sendMessage")); n != 2 {
		t.Errorf("%d sendMessage calls: invalid input reached the server", n)
	}
}

// Which failures a job queue should give up on, over real HTTP.
func TestErrorsClassified(t *testing.T) {
	fake := telegramtest.Start(t)
	c := fake.Client()
	ctx := ctxT(t)
	fake.Block(chat)
	tests := []struct {
		name       string
		fail       *telegramtest.Failure
		client     *telegram.Client
		wantCode   int
		wantRetry  time.Duration
		permanent  bool
		wantInDesc string
	}{
		{name: "blocked by the user", wantCode: 403, permanent: true, wantInDesc: "bot was blocked by the user"},
		{name: "chat not found", fail: &telegramtest.Failure{Code: 400, Description: "Bad Request: chat not found"}, wantCode: 400, permanent: true},
		{name: "flood control", fail: &telegramtest.Failure{Code: 429, Description: "Too Many Requests: retry after 5", RetryAfter: 5 * time.Second}, wantCode: 429, wantRetry: 5 * time.Second},
		{name: "api down", fail: &telegramtest.Failure{Code: 500, Description: "Internal Server Error"}, wantCode: 500},
		{name: "proxy page", fail: &telegramtest.Failure{Code: 502, Raw: "<html><body><h1>502 Bad Gateway</h1></body></html>"}, wantCode: 502, wantInDesc: "Bad Gateway"},
		{name: "wrong token", client: telegram.New("1:wrong", fake.URL, nil), wantCode: 401},
	}
	for _, tt := range tests {
		cl := c
		if tt.client != nil {
			cl = tt.client
		}
		to := chat
		if tt.fail != nil {
			fake.FailNext(1, *tt.fail)
			to = 42
		}
		_, err := cl.SendMessage(ctx, to, "0–10?", telegram.SendOptions{})
		var e *telegram.APIError
		if !errors.As(err, &e) {
			t.Errorf("%s: err = %v, want *APIError", tt.name, err)
			continue
		}
		if e.Method != "sendMessage" || e.Code != tt.wantCode || e.RetryAfter != tt.wantRetry || !strings.Contains(e.Description, tt.wantInDesc) {
			t.Errorf("%s: %+v", tt.name, e)
		}
		if telegram.IsPermanent(err) != tt.permanent || telegram.IsTemporary(err) == tt.permanent || telegram.RetryAfter(err) != tt.wantRetry {
			t.Errorf("%s: permanent = %v, want %v", tt.name, telegram.IsPermanent(err), tt.permanent)
		}
	}
	if telegram.IsPermanent(nil) || telegram.IsTemporary(nil) {
		t.Error("nil classified as an error")
	}
}

// The token is a password: no error, log line or %v of a Client shows it.
func TestTokenNeverShown(t *testing.T) {
	const token = "987654321:AAF-very_secret-part"
	ctx := ctxT(t)
	// A server that closes every connection, and one that does not answer
	// in time: both put the request URL into net/http's error.
	hang := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer close(hang)
	for name, c := range map[string]*telegram.Client{
		"refused":  telegram.New(token, "http://127.0.0.1:1", nil),
		"time-out": telegram.New(token, srv, &http.Client{Timeout: 100 * time.Millisecond}),
	} {
		_, err := c.SendMessage(ctx, chat, "x", telegram.SendOptions{})
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		msg := err.Error()
		if strings.Contains(msg, "very_secret") || !strings.Contains(msg, "987654321:REDACTED") {
			t.Errorf("%s: %q", name, msg)
		}
		if telegram.IsPermanent(err) {
			t.Errorf("%s: a network failure is permanent", name)
		}
		shown := fmt.Sprintf("%v %+v %#v %s", c, c, c, c)
		if strings.Contains(shown, "very_secret") {
			t.Errorf("client prints as %q", shown)
		}
	}
	var ne interface{ Timeout() bool }
	_, err := telegram.New(token, srv, &http.Client{Timeout: 100 * time.Millisecond}).GetMe(ctx)
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("time-out not recognisable: %v", err)
	}
}

func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestGetUpdatesLongPoll(t *testing.T) {
	t.Parallel()
	fake := telegramtest.Start(t)
	c := fake.Client()
	ctx := ctxT(t)

	// Nothing queued: the server holds the request for the whole timeout.
	start := time.Now()
	ups, err := c.GetUpdates(ctx, 0, time.Second)
	if err != nil || len(ups) != 0 {
		t.Fatalf("GetUpdates = %v, %v", ups, err)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("returned after %v, want the 1 s timeout", waited)
	}
	if got := fake.CallsTo("getUpdates")[0]; got.Int("timeout") != 1 || got.Params["allowed_updates"] == nil {
		t.Errorf("params = %v", got.Params)
	}

	// An update arriving during the poll ends it at once.
	timer := time.AfterFunc(50*time.Millisecond, func() { fake.SendText(chat, "привет") })
	defer timer.Stop()
	start = time.Now()
	ups, err = c.GetUpdates(ctx, 0, 20*time.Second)
	if err != nil || len(ups) != 1 || ups[0].Message.Text != "привет" {
		t.Fatalf("GetUpdates = %+v, %v", ups, err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("returned after %v, not when the update arrived", waited)
	}

}

// An http.Client with a 2 s Timeout: a 30 s poll is shortened to 1 s so the
// server answers before the client gives up.
func TestGetUpdatesFitsClientTimeout(t *testing.T) {
	t.Parallel()
	fake := telegramtest.Start(t)
	short := telegram.New(telegramtest.Token, fake.URL, &http.Client{Timeout: 2 * time.Second})
	if _, err := short.GetUpdates(ctxT(t), 0, 30*time.Second); err != nil {
		t.Fatalf("short client: %v", err)
	}
	if got := fake.CallsTo("getUpdates")[0].Int("timeout"); got != 1 {
		t.Errorf("poll timeout sent = %d s, want 1", got)
	}
}

func TestWebhookSetAndDeleted(t *testing.T) {
	fake := telegramtest.Start(t)
	c := fake.Client()
	ctx := ctxT(t)
	if err := c.SetWebhook(ctx, "https://otklik.example/telegram/hook", "s3cr3t_Token-1"); err != nil {
		t.Fatal(err)
	}
	if u, s := fake.Webhook(); u != "https://otklik.example/telegram/hook" || s != "s3cr3t_Token-1" {
		t.Fatalf("webhook = %q %q", u, s)
	}
	// While a webhook is set, getUpdates is a 409 — temporary.
	_, err := c.GetUpdates(ctx, 0, 0)
	var e *telegram.APIError
	if !errors.As(err, &e) || e.Code != 409 || telegram.IsPermanent(err) {
		t.Fatalf("GetUpdates with a webhook: %v", err)
	}
	if err := c.DeleteWebhook(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUpdates(ctx, 0, 0); err != nil {
		t.Fatalf("after DeleteWebhook: %v", err)
	}
}
