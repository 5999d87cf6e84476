// Package telegram asks customers for their score in Telegram: a small Bot
// API client over net/http, webhook and long-polling intake, and the survey
// keyboard whose buttons carry signed callback data, so a score pressed in
// Telegram can be recorded against the invitation it was sent for without
// trusting anything the client sends.
//
// The bot token is a password: it is only ever put in the request path,
// never in an error string or a log line (errors show it as
// "<bot id>:REDACTED").
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"otklik"
)

// DefaultAPIURL is the public Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

const (
	// callTimeout bounds an ordinary call when ctx has no earlier deadline.
	callTimeout = 30 * time.Second
	// pollSlack is how much longer than the long-poll timeout a getUpdates
	// request may take before the client gives up on it: the server answers
	// at the timeout, and the answer needs time to arrive.
	pollSlack = 10 * time.Second
	// maxResponse bounds a response body: 100 updates of the largest kind
	// are far below it.
	maxResponse = 16 << 20
)

// allowedUpdates returns the update kinds Otklik handles; asking for only
// these keeps other traffic (edits, member changes) off the wire.
func allowedUpdates() []string { return []string{"message", "callback_query"} }

// Client calls the Bot API as one bot. It is safe for concurrent use.
type Client struct {
	base     string // apiURL + "/bot" + escaped token + "/"
	hc       *http.Client
	redactor *strings.Replacer
	botID    string
}

// New returns a Client for the bot with token. apiURL defaults to
// DefaultAPIURL (tests pass a telegramtest server's URL; a self-hosted Bot
// API server works too). hc defaults to a client without an overall
// timeout: every call gets its own deadline instead (30 s, or the long-poll
// timeout plus 10 s for GetUpdates). If hc has a Timeout, GetUpdates polls
// for at most three quarters of it so the server answers first.
func New(token, apiURL string, hc *http.Client) *Client {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if hc == nil {
		hc = &http.Client{}
	}
	escaped := url.PathEscape(token)
	botID, _, _ := strings.Cut(token, ":")
	if _, err := strconv.ParseInt(botID, 10, 64); err != nil {
		botID = ""
	}
	hidden := "REDACTED"
	if botID != "" {
		hidden = botID + ":REDACTED"
	}
	var pairs []string
	if token != "" {
		pairs = append(pairs, token, hidden)
		if escaped != token {
			pairs = append(pairs, escaped, hidden)
		}
	}
	return &Client{
		base:     strings.TrimRight(apiURL, "/") + "/bot" + escaped + "/",
		hc:       hc,
		redactor: strings.NewReplacer(pairs...),
		botID:    botID,
	}
}

// String names the bot by its numeric id only, so a Client printed in a log
// does not leak the token.
func (c *Client) String() string { return "telegram.Client(bot " + c.botID + ")" }

// GoString is String, for %#v.
func (c *Client) GoString() string { return c.String() }

// GetMe returns the bot's own user, including its Username for deep links.
// It is the cheapest way to check the token.
func (c *Client) GetMe(ctx context.Context) (User, error) {
	var u User
	err := c.call(ctx, "getMe", struct{}{}, &u)
	return u, err
}

// SendMessage sends text to chatID and returns the sent message (its
// MessageID is needed to edit the keyboard later).
func (c *Client) SendMessage(ctx context.Context, chatID int64, text string, opts SendOptions) (Message, error) {
	var p otklik.Problems
	if chatID == 0 {
		p.Add("chat_id", "is required")
	}
	if text == "" {
		p.Add("text", "is required")
	}
	if opts.ReplyMarkup != nil && opts.ForceReply {
		p.Add("reply_markup", "cannot be both an inline keyboard and a forced reply")
	}
	if err := p.Err("telegram: invalid message"); err != nil {
		return Message{}, err
	}
	req := struct {
		ChatID      int64  `json:"chat_id"`
		Text        string `json:"text"`
		ParseMode   string `json:"parse_mode,omitempty"`
		ReplyMarkup any    `json:"reply_markup,omitempty"`
	}{ChatID: chatID, Text: text, ParseMode: opts.ParseMode}
	switch {
	case opts.ReplyMarkup != nil:
		req.ReplyMarkup = opts.ReplyMarkup
	case opts.ForceReply:
		req.ReplyMarkup = forceReply{ForceReply: true}
	}
	var m Message
	err := c.call(ctx, "sendMessage", req, &m)
	return m, err
}

type forceReply struct {
	ForceReply bool `json:"force_reply"`
}

// EditMessageText replaces the text of a message the bot sent, and its
// keyboard: opts.ReplyMarkup nil removes it (ForceReply is not allowed in
// an edit). Telegram refuses an edit that changes nothing with a 400
// "message is not modified".
func (c *Client) EditMessageText(ctx context.Context, chatID, messageID int64, text string, opts SendOptions) (Message, error) {
	var p otklik.Problems
	if chatID == 0 {
		p.Add("chat_id", "is required")
	}
	if messageID == 0 {
		p.Add("message_id", "is required")
	}
	if text == "" {
		p.Add("text", "is required")
	}
	if opts.ForceReply {
		p.Add("reply_markup", "a forced reply cannot be added by an edit")
	}
	if err := p.Err("telegram: invalid edit"); err != nil {
		return Message{}, err
	}
	req := struct {
		ChatID      int64           `json:"chat_id"`
		MessageID   int64           `json:"message_id"`
		Text        string          `json:"text"`
		ParseMode   string          `json:"parse_mode,omitempty"`
		ReplyMarkup *InlineKeyboard `json:"reply_markup,omitempty"`
	}{chatID, messageID, text, opts.ParseMode, opts.ReplyMarkup}
	return c.edit(ctx, "editMessageText", req)
}

// EditMessageReplyMarkup replaces the inline keyboard of a message the bot
// sent; kb nil removes it (after the customer answered, so the scale cannot
// be pressed twice).
func (c *Client) EditMessageReplyMarkup(ctx context.Context, chatID, messageID int64, kb *InlineKeyboard) (Message, error) {
	var p otklik.Problems
	if chatID == 0 {
		p.Add("chat_id", "is required")
	}
	if messageID == 0 {
		p.Add("message_id", "is required")
	}
	if err := p.Err("telegram: invalid edit"); err != nil {
		return Message{}, err
	}
	req := struct {
		ChatID      int64           `json:"chat_id"`
		MessageID   int64           `json:"message_id"`
		ReplyMarkup *InlineKeyboard `json:"reply_markup,omitempty"`
	}{chatID, messageID, kb}
	return c.edit(ctx, "editMessageReplyMarkup", req)
}

// edit calls an edit method, whose result is the edited Message, or true
// for messages sent in inline mode.
func (c *Client) edit(ctx context.Context, method string, req any) (Message, error) {
	var raw json.RawMessage
	if err := c.call(ctx, method, req, &raw); err != nil {
		return Message{}, err
	}
	var m Message
	if string(raw) == "true" {
		return m, nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return Message{}, fmt.Errorf("telegram: %s: malformed result: %w", method, err)
	}
	return m, nil
}

// AnswerCallbackQuery stops the button's progress indicator and shows text
// (0–200 characters; "" shows nothing) as a notification. Every callback
// query must be answered, even a forged one.
func (c *Client) AnswerCallbackQuery(ctx context.Context, id, text string) error {
	if id == "" {
		return otklik.Errorf(otklik.EINVALID, "telegram: callback query id is required")
	}
	req := struct {
		ID   string `json:"callback_query_id"`
		Text string `json:"text,omitempty"`
	}{id, text}
	return c.call(ctx, "answerCallbackQuery", req, nil)
}

// GetUpdates long-polls for updates with UpdateID ≥ offset, waiting up to
// timeout (whole seconds; 0 answers at once) for the first one. Calling it
// with a higher offset confirms the updates below it: Telegram forgets them.
// It fails with a 409 while a webhook is set.
func (c *Client) GetUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]Update, error) {
	if c.hc.Timeout > 0 {
		timeout = min(timeout, c.hc.Timeout*3/4)
	}
	secs := max(int64(timeout/time.Second), 0)
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+pollSlack)
	defer cancel()
	req := struct {
		Offset         int64    `json:"offset,omitempty"`
		Timeout        int64    `json:"timeout"`
		AllowedUpdates []string `json:"allowed_updates"`
	}{offset, secs, allowedUpdates()}
	var ups []Update
	err := c.call(ctx, "getUpdates", req, &ups)
	return ups, err
}

// SetWebhook makes Telegram POST updates to url, each with secretToken in
// the X-Telegram-Bot-Api-Secret-Token header (see CheckSecret). Telegram
// requires HTTPS on port 443, 80, 88 or 8443. The secret is 1–256
// characters of A-Z a-z 0-9 _ -.
func (c *Client) SetWebhook(ctx context.Context, url, secretToken string) error {
	var p otklik.Problems
	if url == "" {
		p.Add("url", "is required")
	}
	if !validSecret(secretToken) {
		p.Add("secret_token", "must be 1–256 characters of A-Z, a-z, 0-9, _ and -")
	}
	if err := p.Err("telegram: invalid webhook"); err != nil {
		return err
	}
	req := struct {
		URL            string   `json:"url"`
		SecretToken    string   `json:"secret_token"`
		AllowedUpdates []string `json:"allowed_updates"`
	}{url, secretToken, allowedUpdates()}
	return c.call(ctx, "setWebhook", req, nil)
}

// DeleteWebhook switches the bot back to getUpdates. Updates that arrived
// meanwhile are kept.
func (c *Client) DeleteWebhook(ctx context.Context) error {
	return c.call(ctx, "deleteWebhook", struct{}{}, nil)
}

func validSecret(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// isTokenChar reports whether b is in the alphabet Telegram allows in start
// parameters and webhook secrets — base64url's.
func isTokenChar(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '_' || b == '-'
}

// envelope is every Bot API response.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter      int64 `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// call POSTs params as JSON to method and decodes the result into result
// (when not nil).
func (c *Client) call(ctx context.Context, method string, params, result any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, callTimeout)
		defer cancel()
	}
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, c.redact(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, c.redact(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return fmt.Errorf("telegram: %s: reading response: %w", method, c.redact(err))
	}
	if len(data) > maxResponse {
		return fmt.Errorf("telegram: %s: response larger than %d bytes", method, maxResponse)
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		if resp.StatusCode != http.StatusOK {
			// Not the API talking: a proxy or load balancer in front of it.
			return &APIError{
				Method:      method,
				Code:        resp.StatusCode,
				Description: http.StatusText(resp.StatusCode),
				RetryAfter:  retryAfterHeader(resp.Header.Get("Retry-After")),
			}
		}
		return fmt.Errorf("telegram: %s: malformed response: %w", method, err)
	}
	if !env.OK {
		e := &APIError{Method: method, Code: env.ErrorCode, Description: env.Description}
		if e.Code == 0 {
			e.Code = resp.StatusCode
		}
		if env.Parameters != nil {
			e.RetryAfter = time.Duration(max(env.Parameters.RetryAfter, 0)) * time.Second
			e.MigrateToChatID = env.Parameters.MigrateToChatID
		}
		if e.RetryAfter == 0 {
			e.RetryAfter = retryAfterHeader(resp.Header.Get("Retry-After"))
		}
		return e
	}
	if result == nil {
		return nil
	}
	if err := json.Unmarshal(env.Result, result); err != nil {
		return fmt.Errorf("telegram: %s: malformed result: %w", method, err)
	}
	return nil
}

// redact removes the token from an error: net/http's errors quote the
// request URL, whose path holds it.
func (c *Client) redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: c.redactor.Replace(ue.URL), Err: redactedErr{ue.Err, c.redactor}}
	}
	return redactedErr{err, c.redactor}
}

// redactedErr hides the token in a wrapped error's text while keeping it
// reachable for errors.Is (context.DeadlineExceeded, net.Error, …).
type redactedErr struct {
	err error
	r   *strings.Replacer
}

func (e redactedErr) Error() string { return e.r.Replace(e.err.Error()) }
func (e redactedErr) Unwrap() error { return e.err }

// Timeout keeps net.Error's Timeout visible through the wrapper.
func (e redactedErr) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.err, &t) && t.Timeout()
}

func retryAfterHeader(v string) time.Duration {
	secs, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || secs <= 0 {
		return 0
	}
	return time.Duration(secs) * time.Second
}
