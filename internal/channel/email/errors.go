package email

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"

	gomail "github.com/wneessen/go-mail"
)

// Error is what Send returns when a message was not accepted.
type Error struct {
	// Op is the step that failed: "message" (validation), "connect"
	// (dial, greeting, EHLO, STARTTLS, AUTH), "mail", "rcpt", "data",
	// "reset".
	Op string
	// Code is the SMTP reply code (550, 451, …), 0 when there was no reply
	// (network error, time-out, invalid message).
	Code int
	// EnhancedCode is the RFC 3463 status ("5.1.1") when the server sent one.
	EnhancedCode string
	// Permanent reports that sending the same message again cannot succeed.
	Permanent bool
	Err       error
}

func (e *Error) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("email: %s (%s): %v", e.Op, kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// IsPermanent reports whether err means the message will never be accepted
// as it is, so a job queue should give up rather than retry: a 5xx reply to
// the message's own transaction (MAIL FROM, RCPT TO — a bad recipient —,
// DATA) or an invalid Message. Everything else is temporary and worth a
// retry with backoff: 4xx replies, network errors and time-outs, a
// cancelled context, and failures while connecting (greeting, STARTTLS,
// AUTH, including 5xx there), which point at the server or at Otklik's
// configuration rather than at this message. IsPermanent(nil) is false.
func IsPermanent(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Permanent
	}
	return errors.Is(err, ErrInvalidMessage)
}

// IsTemporary reports whether err is an error worth retrying: the opposite
// of IsPermanent for non-nil errors.
func IsTemporary(err error) bool { return err != nil && !IsPermanent(err) }

// Code returns the SMTP reply code carried by err, or 0.
func Code(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// classify wraps an error from connecting (op "connect") or from go-mail's
// send (op "send", refined from the SendError's reason).
func classify(op string, err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	e := &Error{Op: op, Err: err}
	var se *gomail.SendError
	if errors.As(err, &se) {
		e.Code = se.ErrorCode()
		e.EnhancedCode = se.EnhancedStatusCode()
		switch se.Reason {
		case gomail.ErrSMTPMailFrom:
			e.Op = "mail"
		case gomail.ErrSMTPRcptTo:
			e.Op = "rcpt"
		case gomail.ErrSMTPData, gomail.ErrWriteContent, gomail.ErrSMTPDataClose:
			e.Op = "data"
		case gomail.ErrSMTPReset:
			e.Op = "reset"
		case gomail.ErrConnCheck:
			e.Op = "connect"
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			e.Op = "message"
			e.Permanent = true
			return e
		}
	}
	var tp *textproto.Error
	if e.Code == 0 && errors.As(err, &tp) {
		e.Code = tp.Code
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return e
	}
	switch e.Op {
	case "mail", "rcpt", "data":
		// 530 and 534/535/538 mean "authenticate (better)": Otklik's
		// configuration is wrong, not the message.
		e.Permanent = e.Code >= 500 && e.Code < 600 &&
			e.Code != 530 && e.Code != 534 && e.Code != 535 && e.Code != 538
	}
	return e
}
