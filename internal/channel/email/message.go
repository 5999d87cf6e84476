package email

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"
	"golang.org/x/net/idna"
)

// ErrInvalidMessage is wrapped by every error about a Message that can never
// be sent as it is (bad address, no body, forbidden header). Such errors are
// permanent.
var ErrInvalidMessage = errors.New("invalid message")

// Message is one e-mail to one recipient.
type Message struct {
	// To is the recipient: "ivan@example.ru" or "Иван Петров <ivan@example.ru>".
	// Build it with (&mail.Address{Name: name, Address: addr}).String() when
	// the name comes from data: that quotes and encodes it safely.
	To      string
	Subject string
	// Text is the plain-text part, HTML the HTML part; with both the body is
	// multipart/alternative. At least one is required.
	Text string
	HTML string
	// Headers are extra header fields, e.g. List-Unsubscribe and
	// List-Unsubscribe-Post ("List-Unsubscribe=One-Click", RFC 8058).
	// Address, MIME and identity fields (From, To, Subject, Message-ID, Date,
	// Content-*, …) cannot be set here. List-* values must be ASCII.
	Headers map[string]string
	// MessageID is stable per invitation so that a retried send is
	// recognisable as the same message: "inv-42.1@example.ru" or, without
	// "@", "inv-42.1" (the sender's domain is appended). Angle brackets are
	// optional. Empty means a random one.
	MessageID string
	// ReplyTo is an optional Reply-To address.
	ReplyTo string
	// FromName optionally overrides the display name of the configured
	// sender, e.g. the business's name; the address stays the configured one.
	FromName string
}

// reservedHeaders are set by the Sender from the Message's fields or by the
// MIME writer; a caller's Headers entry must not override them.
var reservedHeaders = map[string]bool{
	"from": true, "sender": true, "to": true, "cc": true, "bcc": true, "reply-to": true,
	"subject": true, "message-id": true, "date": true, "return-path": true, "received": true,
	"mime-version": true, "content-type": true, "content-transfer-encoding": true,
	"content-disposition": true, "content-id": true,
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...))
}

// build turns m into a go-mail message, validating and sanitising every field.
func (s *Sender) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP),
		gomail.WithNoDefaultUserAgent())

	from := s.from
	if name := headerText(m.FromName); name != "" {
		from = &mail.Address{Name: name, Address: s.from.Address}
	}
	msg.FromMailAddress(from)

	if strings.TrimSpace(m.To) == "" {
		return nil, invalid("no recipient")
	}
	to, err := parseAddress(m.To)
	if err != nil {
		return nil, invalid("recipient %q: %v", m.To, err)
	}
	msg.ToMailAddress(to)

	if strings.TrimSpace(m.ReplyTo) != "" {
		rt, err := parseAddress(m.ReplyTo)
		if err != nil {
			return nil, invalid("reply-to %q: %v", m.ReplyTo, err)
		}
		msg.ReplyToMailAddress(rt)
	}

	msg.Subject(headerText(m.Subject))

	id, err := messageID(m.MessageID, s.domain)
	if err != nil {
		return nil, err
	}
	msg.SetMessageIDWithValue(id)
	msg.SetDate()

	for k, v := range m.Headers {
		if err := checkHeaderName(k); err != nil {
			return nil, err
		}
		v = headerText(v)
		if strings.HasPrefix(strings.ToLower(k), "list-") && !isASCII(v) {
			return nil, invalid("header %s must be ASCII (percent-encode URLs)", k)
		}
		for _, word := range strings.Fields(v) {
			if len(word) > 900 {
				return nil, invalid("header %s has a %d-byte word; lines longer than 998 bytes cannot be folded", k, len(word))
			}
		}
		msg.SetGenHeader(gomail.Header(k), v)
	}

	text, html := bodyText(m.Text), bodyText(m.HTML)
	switch {
	case strings.TrimSpace(m.Text) != "" && strings.TrimSpace(m.HTML) != "":
		msg.SetBodyString(gomail.TypeTextPlain, text, gomail.WithPartEncoding(bodyEncoding(text)))
		msg.AddAlternativeString(gomail.TypeTextHTML, html, gomail.WithPartEncoding(bodyEncoding(html)))
	case strings.TrimSpace(m.Text) != "":
		msg.SetBodyString(gomail.TypeTextPlain, text, gomail.WithPartEncoding(bodyEncoding(text)))
	case strings.TrimSpace(m.HTML) != "":
		msg.SetBodyString(gomail.TypeTextHTML, html, gomail.WithPartEncoding(bodyEncoding(html)))
	default:
		return nil, invalid("no body: Text and HTML are both empty")
	}
	return msg, nil
}

// parseAddress parses one RFC 5322 address and converts an internationalised
// domain (почта.рф) to its ASCII form so no SMTPUTF8 is needed for it.
func parseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("contains a line break")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return nil, err
	}
	at := strings.LastIndexByte(addr.Address, '@')
	if at <= 0 || at == len(addr.Address)-1 {
		return nil, errors.New("not a user@domain address")
	}
	local, domain := addr.Address[:at], addr.Address[at+1:]
	if !isASCII(domain) {
		ascii, err := idna.Lookup.ToASCII(domain)
		if err != nil {
			return nil, fmt.Errorf("domain %q: %v", domain, err)
		}
		domain = ascii
	}
	addr.Address = local + "@" + strings.ToLower(domain)
	addr.Name = headerText(addr.Name)
	return addr, nil
}

// headerText makes s safe for an unstructured header: valid UTF-8, every
// control character (CR and LF above all) and Unicode line or paragraph
// separator replaced by a space, runs of white space collapsed. What remains
// cannot start a new header line; go-mail then RFC 2047-encodes non-ASCII.
func headerText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// bodyText returns valid UTF-8 with CRLF line ends, the canonical form of text/*.
func bodyText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// bodyEncoding picks quoted-printable for mostly-ASCII bodies (HTML markup,
// English) and base64 where non-ASCII bytes dominate enough that
// quoted-printable's threefold expansion would make the part larger.
func bodyEncoding(s string) gomail.Encoding {
	nonASCII := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			nonASCII++
		}
	}
	if nonASCII*5 > len(s) {
		return gomail.EncodingB64
	}
	return gomail.EncodingQP
}

func checkHeaderName(k string) error {
	if k == "" {
		return invalid("empty header name")
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return invalid("header name %q: only printable ASCII without ':' is allowed", k)
		}
	}
	if reservedHeaders[strings.ToLower(k)] {
		return invalid("header %s is set by the sender and cannot be overridden", k)
	}
	return nil
}

// messageID validates a caller's Message-ID (RFC 5322 msg-id, dot-atom on
// both sides) or makes a random one, and returns it without angle brackets.
func messageID(id, domain string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:]) + "@" + domain, nil
	}
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	left, right, ok := strings.Cut(id, "@")
	if !ok {
		right = domain
	}
	if !isDotAtom(left) || !isDotAtom(right) {
		return "", invalid("message ID %q: want dot-atom@dot-atom (letters, digits, . - _ and the like)", id)
	}
	return left + "@" + right, nil
}

func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
