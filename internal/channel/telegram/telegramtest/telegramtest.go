// Package telegramtest is a fake Telegram Bot API server for tests: an
// httptest.Server that answers like api.telegram.org for the methods
// Otklik uses, records every call, plays the customer's side (writing text,
// pressing buttons), long-polls honestly and can be told to fail.
//
// Behaviour it copies from the real API: responses {"ok":true,"result":…}
// or {"ok":false,"error_code":…,"description":…,"parameters":{…}} with the
// same HTTP status; 401 for a wrong token and 404 for an unknown method;
// getUpdates keeps an update until a call with a higher offset confirms it,
// waits up to timeout seconds for the first one and answers as soon as one
// arrives, and is refused with 409 while a webhook is set; 403 "bot was
// blocked by the user" for a chat that blocked the bot; 400 for a missing
// chat, an empty text, an edit of an unknown message or one that changes
// nothing, and an unknown callback query id.
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"otklik/internal/channel/telegram"
)

// Token is the bot token Start's server accepts.
const Token = "123456789:AAH-fake_token-for-tests-0123456789"

// BotUsername is the fake bot's username.
const BotUsername = "otklik_test_bot"

// Call is one request the server received.
type Call struct {
	Method string
	// Params is the JSON body decoded with numbers kept exact
	// (json.Number); nil for an empty body.
	Params map[string]any
	At     time.Time
	// Status is the HTTP status the server answered with.
	Status int
}

// Int returns a numeric parameter, 0 when absent or not a number.
func (c Call) Int(name string) int64 {
	n, _ := c.Params[name].(json.Number)
	v, _ := n.Int64()
	return v
}

// String returns a string parameter, "" when absent.
func (c Call) String(name string) string {
	s, _ := c.Params[name].(string)
	return s
}

// Failure is an error the server answers with instead of handling a call.
type Failure struct {
	// Code is the HTTP status and the error_code.
	Code        int
	Description string
	RetryAfter  time.Duration // sent as parameters.retry_after, whole seconds
	// Raw, when set, is sent as the whole body with Code as the status and
	// text/html, as a proxy in front of the API would (a 502 page).
	Raw string
}

// Server is the fake Bot API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the apiURL to give telegram.New.
	URL string

	srv  *httptest.Server
	done chan struct{}

	mu         sync.Mutex
	calls      []Call
	pending    []telegram.Update // queued for getUpdates, oldest first
	nextUpdate int64
	nextMsg    int64
	nextQuery  int64
	arrived    chan struct{} // closed and replaced when an update is queued
	failures   []Failure     // consumed one per call
	messages   []telegram.Message
	queries    map[string]bool // callback query ids pressed, not yet answered
	blocked    map[int64]bool
	webhookURL string
	webhookKey string
	polling    int // getUpdates requests waiting for an update
}

// Start starts a server that stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		done:       make(chan struct{}),
		arrived:    make(chan struct{}),
		nextUpdate: 700000001,
		nextMsg:    1,
		queries:    map[string]bool{},
		blocked:    map[int64]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/{bot}/{method}", s.serve)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, ending any long poll at once.
func (s *Server) Close() {
	select {
	case <-s.done:
		return
	default:
	}
	close(s.done)
	s.srv.Close()
}

// Client returns a telegram.Client for this server's bot.
func (s *Server) Client() *telegram.Client {
	return telegram.New(Token, s.URL, s.srv.Client())
}

// Calls returns every call so far, in order of arrival.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsTo returns the calls of one method.
func (s *Server) CallsTo(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitCalls waits until at least n calls of method have been answered and
// returns them; it fails the test after timeout.
func (s *Server) WaitCalls(t testing.TB, method string, n int, timeout time.Duration) []Call {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		calls := s.CallsTo(method)
		if len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			t.Fatalf("telegramtest: %d %s calls after %v, want %d", len(calls), method, timeout, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Sent returns the messages the bot sent, as they are now (after edits).
func (s *Server) Sent() []telegram.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// FailNext makes the next n calls, of any method, fail with f.
func (s *Server) FailNext(n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, f)
	}
}

// Block makes chatID a customer who blocked the bot: sending to it fails
// with 403.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// Pending returns the updates queued and not yet confirmed by getUpdates.
func (s *Server) Pending() []telegram.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pending)
}

// Enqueue queues u for getUpdates, giving it the next update_id when it has
// none, and wakes a waiting long poll. It returns u as queued.
func (s *Server) Enqueue(u telegram.Update) telegram.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueueLocked(u)
}

func (s *Server) enqueueLocked(u telegram.Update) telegram.Update {
	if u.UpdateID == 0 {
		u.UpdateID = s.nextUpdate
	}
	s.nextUpdate = max(s.nextUpdate, u.UpdateID) + 1
	s.pending = append(s.pending, u)
	close(s.arrived)
	s.arrived = make(chan struct{})
	return u
}

// customer is the private-chat user behind chatID.
func customer(chatID int64) telegram.User {
	return telegram.User{ID: chatID, FirstName: "Анна", Username: "anna_" + strconv.FormatInt(chatID, 10), LanguageCode: "ru"}
}

// SendText queues the customer in private chat chatID writing text.
func (s *Server) SendText(chatID int64, text string) telegram.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := customer(chatID)
	m := &telegram.Message{
		MessageID: s.nextMsg,
		From:      &from,
		Chat:      telegram.Chat{ID: chatID, Type: chatType(chatID)},
		Date:      time.Now().Unix(),
		Text:      text,
	}
	s.nextMsg++
	return s.enqueueLocked(telegram.Update{Message: m})
}

// PressButton queues the customer pressing a button with data under
// message messageID in chat chatID. The query carries the message as the
// bot sent it when the server knows it. data need not belong to a real
// button: a forged press is what a modified client could send.
func (s *Server) PressButton(chatID, messageID int64, data string) telegram.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := telegram.Message{MessageID: messageID, Chat: telegram.Chat{ID: chatID, Type: chatType(chatID)}, Date: time.Now().Unix()}
	if i := s.findLocked(chatID, messageID); i >= 0 {
		msg = s.messages[i]
	}
	s.nextQuery++
	id := strconv.FormatInt(4382000000000000000+s.nextQuery, 10)
	s.queries[id] = true
	return s.enqueueLocked(telegram.Update{CallbackQuery: &telegram.CallbackQuery{
		ID:           id,
		From:         customer(chatID),
		Message:      &msg,
		ChatInstance: strconv.FormatInt(-chatID*7919, 10),
		Data:         data,
	}})
}

// PressLabel presses the button labelled label on a message the bot sent.
func (s *Server) PressLabel(chatID, messageID int64, label string) (telegram.Update, error) {
	s.mu.Lock()
	i := s.findLocked(chatID, messageID)
	var data string
	if i >= 0 && s.messages[i].ReplyMarkup != nil {
		for _, row := range s.messages[i].ReplyMarkup.Rows {
			for _, b := range row {
				if b.Text == label && data == "" {
					data = b.CallbackData
				}
			}
		}
	}
	s.mu.Unlock()
	if i < 0 {
		return telegram.Update{}, fmt.Errorf("telegramtest: no message %d in chat %d", messageID, chatID)
	}
	if data == "" {
		return telegram.Update{}, fmt.Errorf("telegramtest: message %d has no button %q", messageID, label)
	}
	return s.PressButton(chatID, messageID, data), nil
}

// Webhook returns the URL and secret of the webhook set by setWebhook, ""
// when none is set.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL, s.webhookKey
}

// PostUpdate delivers u to a webhook as Telegram does: a POST of the JSON
// update with secret in the X-Telegram-Bot-Api-Secret-Token header (left
// out when secret is ""). It returns the webhook's HTTP status. An update
// without an id gets the next one.
func (s *Server) PostUpdate(ctx context.Context, url, secret string, u telegram.Update) (int, error) {
	if u.UpdateID == 0 {
		s.mu.Lock()
		u.UpdateID = s.nextUpdate
		s.nextUpdate++
		s.mu.Unlock()
	}
	body, err := json.Marshal(u)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(telegram.SecretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func chatType(chatID int64) string {
	if chatID < 0 {
		return "supergroup"
	}
	return "private"
}

func (s *Server) findLocked(chatID, messageID int64) int {
	for i, m := range s.messages {
		if m.Chat.ID == chatID && m.MessageID == messageID {
			return i
		}
	}
	return -1
}

// apiError is an error reply.
type apiError struct {
	code       int
	desc       string
	retryAfter int64
}

func errorf(code int, format string, args ...any) *apiError {
	return &apiError{code: code, desc: fmt.Sprintf(format, args...)}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	call := Call{Method: method, At: time.Now()}
	var raw bytes.Buffer
	_, _ = raw.ReadFrom(r.Body)
	if raw.Len() > 0 {
		dec := json.NewDecoder(&raw)
		dec.UseNumber()
		if err := dec.Decode(&call.Params); err != nil {
			s.reply(w, call, nil, errorf(400, "Bad Request: can't parse JSON object"))
			return
		}
	}
	if r.PathValue("bot") != "bot"+Token {
		s.reply(w, call, nil, errorf(401, "Unauthorized"))
		return
	}
	s.mu.Lock()
	var fail *Failure
	if len(s.failures) > 0 {
		fail = &s.failures[0]
		s.failures = s.failures[1:]
	}
	s.mu.Unlock()
	if fail != nil {
		s.fail(w, call, *fail)
		return
	}
	var result any
	var err *apiError
	switch method {
	case "getMe":
		result = telegram.User{ID: 123456789, IsBot: true, FirstName: "Otklik", Username: BotUsername}
	case "sendMessage":
		result, err = s.sendMessage(call)
	case "editMessageText", "editMessageReplyMarkup":
		result, err = s.editMessage(call)
	case "answerCallbackQuery":
		result, err = s.answerCallback(call)
	case "getUpdates":
		result, err = s.getUpdates(r.Context(), call)
	case "setWebhook":
		result, err = s.setWebhook(call)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhookURL, s.webhookKey = "", ""
		s.mu.Unlock()
		result = true
	default:
		err = errorf(404, "Not Found")
	}
	s.reply(w, call, result, err)
}

func (s *Server) reply(w http.ResponseWriter, call Call, result any, e *apiError) {
	var body map[string]any
	status := http.StatusOK
	if e != nil {
		status = e.code
		body = map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
		if e.retryAfter > 0 {
			body["parameters"] = map[string]any{"retry_after": e.retryAfter}
		}
	} else {
		body = map[string]any{"ok": true, "result": result}
	}
	s.record(call, status)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) fail(w http.ResponseWriter, call Call, f Failure) {
	if f.Raw != "" {
		s.record(call, f.Code)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Code)
		_, _ = w.Write([]byte(f.Raw))
		return
	}
	s.reply(w, call, nil, &apiError{code: f.Code, desc: f.Description, retryAfter: int64(f.RetryAfter / time.Second)})
}

func (s *Server) record(call Call, status int) {
	call.Status = status
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
}

func (s *Server) sendMessage(call Call) (any, *apiError) {
	chatID := call.Int("chat_id")
	text := call.String("text")
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case chatID == 0:
		return nil, errorf(400, "Bad Request: chat not found")
	case s.blocked[chatID]:
		return nil, errorf(403, "Forbidden: bot was blocked by the user")
	case strings.TrimSpace(text) == "":
		return nil, errorf(400, "Bad Request: message text is empty")
	}
	kb, err := inlineKeyboard(call.Params["reply_markup"])
	if err != nil {
		return nil, err
	}
	bot := telegram.User{ID: 123456789, IsBot: true, FirstName: "Otklik", Username: BotUsername}
	m := telegram.Message{
		MessageID:   s.nextMsg,
		From:        &bot,
		Chat:        telegram.Chat{ID: chatID, Type: chatType(chatID)},
		Date:        time.Now().Unix(),
		Text:        text,
		ReplyMarkup: kb,
	}
	s.nextMsg++
	s.messages = append(s.messages, m)
	return m, nil
}

func (s *Server) editMessage(call Call) (any, *apiError) {
	kb, err := inlineKeyboard(call.Params["reply_markup"])
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findLocked(call.Int("chat_id"), call.Int("message_id"))
	if i < 0 {
		return nil, errorf(400, "Bad Request: message to edit not found")
	}
	m := s.messages[i]
	if call.Method == "editMessageText" {
		if strings.TrimSpace(call.String("text")) == "" {
			return nil, errorf(400, "Bad Request: message text is empty")
		}
		m.Text = call.String("text")
	}
	m.ReplyMarkup = kb
	if sameMessage(m, s.messages[i]) {
		return nil, errorf(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	s.messages[i] = m
	return m, nil
}

func sameMessage(a, b telegram.Message) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// inlineKeyboard reads a reply_markup parameter: an inline keyboard, a
// force_reply (which a sent message does not show), or nothing.
func inlineKeyboard(v any) (*telegram.InlineKeyboard, *apiError) {
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(400, "Bad Request: can't parse reply keyboard markup JSON object")
	}
	if _, ok := obj["inline_keyboard"]; !ok {
		if obj["force_reply"] == true {
			return nil, nil
		}
		return nil, errorf(400, "Bad Request: can't parse reply keyboard markup JSON object")
	}
	b, _ := json.Marshal(obj)
	var kb telegram.InlineKeyboard
	if err := json.Unmarshal(b, &kb); err != nil {
		return nil, errorf(400, "Bad Request: can't parse inline keyboard button: %v", err)
	}
	for _, row := range kb.Rows {
		for _, btn := range row {
			if btn.Text == "" {
				return nil, errorf(400, "Bad Request: text buttons are unallowed in the inline keyboard")
			}
			if n := len(btn.CallbackData); btn.URL == "" && (n < 1 || n > 64) {
				return nil, errorf(400, "Bad Request: BUTTON_DATA_INVALID")
			}
		}
	}
	return &kb, nil
}

func (s *Server) answerCallback(call Call) (any, *apiError) {
	id := call.String("callback_query_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.queries[id] {
		return nil, errorf(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
	}
	delete(s.queries, id)
	return true, nil
}

func (s *Server) setWebhook(call Call) (any, *apiError) {
	url := call.String("url")
	if url == "" {
		return nil, errorf(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL, s.webhookKey = url, call.String("secret_token")
	return true, nil
}

// getUpdates confirms the updates below offset, then returns the rest, up
// to limit; with none queued it waits up to timeout seconds for one.
func (s *Server) getUpdates(ctx context.Context, call Call) (any, *apiError) {
	offset, limit := call.Int("offset"), call.Int("limit")
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	wait := time.Duration(call.Int("timeout")) * time.Second
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if s.webhookURL != "" {
			s.mu.Unlock()
			return nil, errorf(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
		}
		if offset > 0 {
			s.pending = slices.DeleteFunc(s.pending, func(u telegram.Update) bool { return u.UpdateID < offset })
		}
		if len(s.pending) > 0 || wait <= 0 {
			out := slices.Clone(s.pending[:min(int64(len(s.pending)), limit)])
			s.mu.Unlock()
			if out == nil {
				out = []telegram.Update{}
			}
			return out, nil
		}
		arrived := s.arrived
		s.polling++
		s.mu.Unlock()
		var gone *apiError
		select {
		case <-arrived:
		case <-deadline.C:
			wait = 0
		case <-ctx.Done():
			gone = errorf(499, "client went away")
		case <-s.done:
			gone = errorf(503, "Service Unavailable: server closed")
		}
		s.mu.Lock()
		s.polling--
		s.mu.Unlock()
		if gone != nil {
			return nil, gone
		}
	}
}

// Polling returns how many getUpdates requests are waiting in a long poll
// right now.
func (s *Server) Polling() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polling
}

// ErrNoMessage is returned by Message for an unknown message.
var ErrNoMessage = errors.New("telegramtest: no such message")

// Message returns the current state of a message the bot sent.
func (s *Server) Message(chatID, messageID int64) (telegram.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.findLocked(chatID, messageID); i >= 0 {
		return s.messages[i], nil
	}
	return telegram.Message{}, ErrNoMessage
}
