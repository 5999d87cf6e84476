package telegram

import (
	"errors"
	"fmt"
	"time"

	"otklik"
)

// APIError is a request the Bot API answered with an error: a reply with
// "ok": false, or an HTTP error status from whatever stands in front of it
// (a proxy's 502 page). Code is Telegram's error_code, or the HTTP status
// when the body was not the API's JSON.
type APIError struct {
	Method      string
	Code        int
	Description string
	// RetryAfter is how long to wait before repeating the request after
	// flood control (429), from parameters.retry_after or a Retry-After
	// header; 0 when the server did not say.
	RetryAfter time.Duration
	// MigrateToChatID is set when a group became a supergroup with a new
	// id: the request must be repeated with that id.
	MigrateToChatID int64
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("telegram: %s: %d %s", e.Method, e.Code, e.Description)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %v)", e.RetryAfter)
	}
	return s
}

// IsPermanent reports whether repeating the same request cannot succeed, so
// a job queue should give up on this message: a 403 (the customer blocked
// the bot, or the bot was removed from the group), a 400 (chat not found,
// a malformed message, a message not modified) or an input the client
// refused before sending. Everything else is temporary: 429 flood control
// (wait RetryAfter), 5xx and proxy errors, network errors and time-outs,
// 409 (another poller or a webhook is active) and 401/404 (a wrong token —
// Otklik's configuration, not this message; retrying after the operator
// fixes it will work). IsPermanent(nil) is false.
func IsPermanent(err error) bool {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code == 400 || e.Code == 403
	}
	return otklik.ErrorCode(err) == otklik.EINVALID
}

// IsTemporary reports whether err is worth retrying later: the opposite of
// IsPermanent for non-nil errors.
func IsTemporary(err error) bool { return err != nil && !IsPermanent(err) }

// RetryAfter returns the wait the server asked for, or 0.
func RetryAfter(err error) time.Duration {
	var e *APIError
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
