package telegram_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"otklik/internal/channel/telegram"
	"otklik/internal/channel/telegram/telegramtest"
)

// Update shapes as Telegram sends them (field names and nesting as in the
// Bot API docs and its webhook guide; values are ours).
const (
	// A customer opening the bot from a deep link: entities and
	// last_name/username are fields Otklik ignores.
	startUpdate = `{"update_id":31337001,"message":{"message_id":77,"date":1767225600,
		"chat":{"id":2020202,"type":"private","first_name":"Ivan","last_name":"Petrov","username":"ipetrov"},
		"from":{"id":2020202,"is_bot":false,"first_name":"Ivan","last_name":"Petrov","username":"ipetrov","language_code":"ru"},
		"text":"/start AQ","entities":[{"offset":0,"length":6,"type":"bot_command"}]}}`
	// A press on a button of a message the bot sent, as today's API sends
	// it: with message and chat_instance.
	pressUpdate = `{"update_id":31337002,"callback_query":{"id":"8641975310864197531",
		"from":{"id":2020202,"is_bot":false,"first_name":"Ivan","language_code":"en-GB"},
		"message":{"message_id":78,"date":1767225660,"chat":{"id":2020202,"type":"private"},
		"from":{"id":123456789,"is_bot":true,"first_name":"Otklik","username":"otklik_test_bot"},
		"text":"0-10?","reply_markup":{"inline_keyboard":[[{"text":"9","callback_data":"x9"}]]}},
		"chat_instance":"-5566778899001122334","data":"x9"}}`
	// The older shape from Telegram's webhook guide: a press on an inline
	// -mode message, with inline_message_id and no message.
	inlinePressUpdate = `{"update_id":31337003,"callback_query":{"id":"ab12cd34",
		"from":{"id":2020203,"first_name":"Olga","type":"private"},
		"data":"from inline","inline_message_id":"AAAAAQ-inline"}}`
	// An update kind Otklik does not handle.
	editedUpdate = `{"update_id":31337004,"edited_message":{"message_id":77,"date":1767225600,"edit_date":1767225700,
		"chat":{"id":2020202,"type":"private"},"text":"/start"}}`
)

func TestParseUpdateShapes(t *testing.T) {
	ivan := &telegram.User{ID: 2020202, FirstName: "Ivan", Username: "ipetrov", LanguageCode: "ru"}
	tests := []struct {
		name string
		body string
		want telegram.Update
	}{
		{"start", startUpdate, telegram.Update{UpdateID: 31337001, Message: &telegram.Message{
			MessageID: 77, Date: 1767225600, Chat: telegram.Chat{ID: 2020202, Type: "private"}, From: ivan, Text: "/start AQ",
		}}},
		{"press", pressUpdate, telegram.Update{UpdateID: 31337002, CallbackQuery: &telegram.CallbackQuery{
			ID:   "8641975310864197531",
			From: telegram.User{ID: 2020202, FirstName: "Ivan", LanguageCode: "en-GB"},
			Message: &telegram.Message{
				MessageID: 78, Date: 1767225660, Chat: telegram.Chat{ID: 2020202, Type: "private"},
				From: &telegram.User{ID: 123456789, IsBot: true, FirstName: "Otklik", Username: "otklik_test_bot"},
				Text: "0-10?", ReplyMarkup: &telegram.InlineKeyboard{Rows: [][]telegram.Button{{{Text: "9", CallbackData: "x9"}}}},
			},
			ChatInstance: "-5566778899001122334", Data: "x9",
		}}},
		{"inline press", inlinePressUpdate, telegram.Update{UpdateID: 31337003, CallbackQuery: &telegram.CallbackQuery{
			ID: "ab12cd34", From: telegram.User{ID: 2020203, FirstName: "Olga"}, Data: "from inline", InlineMessageID: "AAAAAQ-inline",
		}}},
		{"edited message", editedUpdate, telegram.Update{UpdateID: 31337004}},
	}
	for _, tt := range tests {
		got, err := telegram.ParseUpdate([]byte(tt.body))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if got, _ := telegram.ParseUpdate([]byte(startUpdate)); got.Message.Time().Format("2006-01-02T15:04:05Z07:00") != "2026-01-01T00:00:00Z" {
		t.Errorf("date = %v", got.Message.Time())
	}
}

func TestParseUpdateRefuses(t *testing.T) {
	huge := `{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"` +
		strings.Repeat("a", telegram.MaxUpdateBytes) + `"}}`
	for name, body := range map[string]string{
		"too large":        huge,
		"empty":            "",
		"null":             "null",
		"array":            "[" + startUpdate + "]",
		"no update_id":     `{"message":{"message_id":1}}`,
		"zero update_id":   `{"update_id":0}`,
		"negative id":      `{"update_id":-5}`,
		"string id":        `{"update_id":"1"}`,
		"fractional id":    `{"update_id":1.5}`,
		"truncated":        startUpdate[:100],
		"wrong chat shape": `{"update_id":1,"message":{"message_id":1,"chat":"2020202"}}`,
		"trailing garbage": startUpdate + "}",
	} {
		if u, err := telegram.ParseUpdate([]byte(body)); err == nil {
			t.Errorf("%s: accepted as %+v", name, u)
		}
	}
}

func TestCheckSecret(t *testing.T) {
	const secret = "s3cr3t_Token-1"
	tests := []struct {
		name   string
		header []string // nil: no header
		secret string
		want   bool
	}{
		{"right", []string{secret}, secret, true},
		{"wrong", []string{"s3cr3t_Token-2"}, secret, false},
		{"prefix", []string{"s3cr3t"}, secret, false},
		{"longer", []string{secret + "x"}, secret, false},
		{"other case", []string{strings.ToUpper(secret)}, secret, false},
		{"missing", nil, secret, false},
		{"empty header", []string{""}, secret, false},
		{"no secret configured", []string{""}, "", false},
		{"no secret, header sent", []string{"anything"}, "", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/telegram/hook", nil)
		for _, v := range tt.header {
			r.Header.Set(telegram.SecretHeader, v)
		}
		if got := telegram.CheckSecret(r, tt.secret); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Webhook mode end to end: the bot registers the hook with Telegram, which
// then POSTs updates to it with the secret.
func TestWebhookHandler(t *testing.T) {
	fake := telegramtest.Start(t)
	c := fake.Client()
	ctx := ctxT(t)
	var mu sync.Mutex
	var got []telegram.Update
	failNext := false
	h := telegram.WebhookHandler("hook_Secret-42", func(_ context.Context, u telegram.Update) error {
		mu.Lock()
		defer mu.Unlock()
		if failNext {
			failNext = false
			return errors.New("database is down")
		}
		got = append(got, u)
		return nil
	}, nil)
	hook := httptest.NewServer(h)
	defer hook.Close()
	if err := c.SetWebhook(ctx, hook.URL+"/telegram/hook", "hook_Secret-42"); err != nil {
		t.Fatal(err)
	}
	url, secret := fake.Webhook()

	kb := telegram.ScoreKeyboard("1042", 0, 10, key)
	press := telegram.Update{CallbackQuery: &telegram.CallbackQuery{ID: "q1", From: telegram.User{ID: chat}, Data: kb.Rows[0][5].CallbackData}}
	if status, err := fake.PostUpdate(ctx, url, secret, press); err != nil || status != http.StatusOK {
		t.Fatalf("delivery: %d %v", status, err)
	}
	// Anyone else who finds the URL: no secret, or a wrong one.
	for _, s := range []string{"", "hook_Secret-43"} {
		if status, err := fake.PostUpdate(ctx, url, s, press); err != nil || status != http.StatusForbidden {
			t.Errorf("secret %q: %d %v", s, status, err)
		}
	}
	// A failing handler makes Telegram deliver again.
	mu.Lock()
	failNext = true
	mu.Unlock()
	if status, _ := fake.PostUpdate(ctx, url, secret, press); status != http.StatusInternalServerError {
		t.Errorf("failing handler: %d", status)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("handled %d updates, want 1", len(got))
	}
	if ref, score, err := telegram.ParseCallback(got[0].CallbackQuery.Data, key); err != nil || ref != "1042" || score != 5 {
		t.Errorf("handled press = (%q, %d, %v)", ref, score, err)
	}

	for name, tt := range map[string]struct {
		method, body string
		want         int
	}{
		"GET":       {http.MethodGet, "", http.StatusMethodNotAllowed},
		"not JSON":  {http.MethodPost, "update_id=1", http.StatusBadRequest},
		"too large": {http.MethodPost, `{"update_id":1,"x":"` + strings.Repeat("a", telegram.MaxUpdateBytes) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		r := httptest.NewRequest(tt.method, "/telegram/hook", strings.NewReader(tt.body))
		r.Header.Set(telegram.SecretHeader, "hook_Secret-42")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.want {
			t.Errorf("%s: %d, want %d", name, w.Code, tt.want)
		}
	}
}

func FuzzParseUpdate(f *testing.F) {
	for _, s := range []string{startUpdate, pressUpdate, inlinePressUpdate, editedUpdate, `{"update_id":1}`, "null", `{"update_id":1e3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := telegram.ParseUpdate(body)
		if err != nil {
			return
		}
		if u.UpdateID <= 0 || len(body) > telegram.MaxUpdateBytes {
			t.Fatalf("accepted update %d from %d bytes", u.UpdateID, len(body))
		}
		// What was understood survives a round trip unchanged.
		again, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		u2, err := telegram.ParseUpdate(again)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", again, err)
		}
		if diff := cmp.Diff(u, u2); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}
