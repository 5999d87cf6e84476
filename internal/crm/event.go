package crm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"otklik"
)

// Limits on a generic event.
const (
	MaxIDLength       = 128             // characters of Event.ID
	MaxAttributes     = 50              // keys of Event.Attributes
	MaxAttributeKey   = 64              // characters of an attribute's name
	MaxAttributeValue = 1000            // characters of an attribute's value
	MaxFutureSkew     = 5 * time.Minute // how far ahead of now occurred_at may be (clock skew)
)

// eventFields are the members of an event object; any other is refused so
// that a misspelt "occured_at" is an error, not a silently ignored time.
var eventFields = []string{"id", "type", "customer", "occurred_at", "attributes"}

// ParseEvent reads one event of POST /api/v1/events:
//
//	{"id": "order-5512-delivered", "type": "delivered", "customer": "C-1",
//	 "occurred_at": "2026-11-20T10:00:00Z", "attributes": {"order": "5512", "amount": 1000.5}}
//
// id (1–128 characters, the sender's idempotency key), type (ValidType)
// and customer (a customer's external id) are required; occurred_at is an
// RFC 3339 instant not more than five minutes after now and defaults to
// now; attributes map names to strings, numbers and booleans (kept as text,
// numbers as written), at most 50 of them, each value at most 1,000
// characters. Unknown members are refused. Bad input is an EINVALID error
// whose Fields name every bad member ("attributes.amount"); a body that is
// not JSON is EMALFORMED, one over MaxBody ETOOLARGE.
func ParseEvent(body []byte, now time.Time) (Event, error) {
	if len(body) > MaxBody {
		return Event{}, tooLarge("events", len(body), MaxBody)
	}
	obj, err := decodeObject(body)
	if err != nil {
		return Event{}, err
	}
	return eventOf(obj, now)
}

// EventResult is the outcome of one item of a batch, in the item's place:
// an Event, or the error that item alone has.
type EventResult struct {
	Event Event
	Err   error
}

// ParseEvents reads a batch: a JSON array of 1 to MaxBatch events, each read
// as ParseEvent reads one. The error is for the batch as a whole (not JSON,
// not an array, too many items, over MaxBatchBody); otherwise there is one
// result per item, in order, and a bad item does not spoil its neighbours.
func ParseEvents(body []byte, now time.Time) ([]EventResult, error) {
	if len(body) > MaxBatchBody {
		return nil, tooLarge("events", len(body), MaxBatchBody)
	}
	var items []json.RawMessage
	if err := decodeJSON(body, &items); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return nil, invalidBody("must be a JSON array of events")
		}
		return nil, err
	}
	if len(items) == 0 || len(items) > MaxBatch {
		return nil, &otklik.Error{Code: otklik.EINVALID, Message: "events: the batch has the wrong size",
			Fields: []otklik.FieldError{{Field: "body", Message: fmt.Sprintf("holds %d events; a batch holds from 1 to %d", len(items), MaxBatch)}}}
	}
	out := make([]EventResult, len(items))
	for i, raw := range items {
		obj, err := decodeObject(raw)
		if err == nil {
			out[i].Event, err = eventOf(obj, now)
		}
		out[i].Err = err
	}
	return out, nil
}

// eventOf validates a decoded event object, naming every bad member.
func eventOf(obj map[string]json.RawMessage, now time.Time) (Event, error) {
	var p otklik.Problems
	for _, k := range sortedKeys(obj) {
		if !slices.Contains(eventFields, k) {
			p.Add(k, "is not a known field (id, type, customer, occurred_at, attributes)")
		}
	}
	ev := Event{OccurredAt: now.UTC(), Attributes: map[string]string{}}

	id, ok := stringMember(obj, "id", &p)
	ev.ID = strings.TrimSpace(id)
	if ok {
		if n := utf8.RuneCountInString(ev.ID); n == 0 || n > MaxIDLength || strings.IndexFunc(ev.ID, unicode.IsControl) >= 0 {
			p.Add("id", "is required: 1 to %d characters, no control characters", MaxIDLength)
		}
	}
	typ, ok := stringMember(obj, "type", &p)
	ev.Type = strings.TrimSpace(typ)
	if ok && !ValidType(ev.Type) {
		p.Add("type", "is required: %s, or a custom name of lower-case letters, digits, _ . - (up to 64, starting with a letter)",
			strings.Join(KnownTypes, ", "))
	}
	customer, ok := stringMember(obj, "customer", &p)
	ev.Customer = strings.TrimSpace(customer)
	if ok && !validCustomer(ev.Customer) {
		p.Add("customer", "is required: the customer's external id, up to 128 letters, digits and . _ : @ / # -")
	}
	if at, ok := stringMember(obj, "occurred_at", &p); ok && at != "" {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(at))
		switch {
		case err != nil:
			p.Add("occurred_at", "must be an RFC 3339 instant such as 2026-11-20T10:00:00Z")
		case t.Unix() <= 0:
			p.Add("occurred_at", "must be after 1970")
		case t.After(now.Add(MaxFutureSkew)):
			p.Add("occurred_at", "is in the future: more than %v after the server's time", MaxFutureSkew)
		default:
			ev.OccurredAt = t.UTC()
		}
	}
	readAttributes(obj["attributes"], ev.Attributes, &p)
	if err := p.Err("events: the event is not valid"); err != nil {
		return Event{}, err
	}
	return ev, nil
}

// stringMember reads the string member k. Absent or null gives "", true;
// any other JSON type adds a problem and gives false.
func stringMember(obj map[string]json.RawMessage, k string, p *otklik.Problems) (string, bool) {
	raw, present := obj[k]
	if !present || string(raw) == "null" {
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		p.Add(k, "must be a string")
		return "", false
	}
	return s, true
}

// readAttributes fills into from the attributes member: an object of
// strings, numbers and booleans, or null.
func readAttributes(raw json.RawMessage, into map[string]string, p *otklik.Problems) {
	if len(raw) == 0 || string(raw) == "null" {
		return
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		p.Add("attributes", "must be an object of names to strings, numbers or true/false")
		return
	}
	if len(obj) > MaxAttributes {
		p.Add("attributes", "has %d names; at most %d", len(obj), MaxAttributes)
		return
	}
	for _, k := range sortedKeys(obj) {
		field := "attributes." + k
		if n := utf8.RuneCountInString(k); n == 0 || n > MaxAttributeKey || strings.IndexFunc(k, unicode.IsControl) >= 0 {
			p.Add("attributes", "has a name %q that is not 1 to %d characters without control characters", clip(k, 80), MaxAttributeKey)
			continue
		}
		v, ok := scalarText(bytes.TrimSpace(obj[k]))
		switch string(obj[k]) {
		case "true", "false":
			v, ok = string(obj[k]), true
		}
		switch {
		case !ok:
			p.Add(field, "must be a string, a number or true/false")
		case utf8.RuneCountInString(v) > MaxAttributeValue:
			p.Add(field, "is longer than %d characters", MaxAttributeValue)
		default:
			into[k] = v
		}
	}
}

// decodeObject reads body as one JSON object, its members left raw.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := decodeJSON(body, &obj); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return nil, invalidBody("must be a JSON object (an event)")
		}
		return nil, err
	}
	if obj == nil {
		return nil, invalidBody("must be a JSON object (an event), not null")
	}
	return obj, nil
}

// decodeJSON reads exactly one JSON value into v. Syntax problems are
// EMALFORMED; a value of the wrong type is returned as the decoder's
// *json.UnmarshalTypeError for the caller to word.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	err := dec.Decode(v)
	var syntax *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return otklik.Errorf(otklik.EMALFORMED, "events: the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return otklik.Errorf(otklik.EMALFORMED, "events: the body ends in the middle of a JSON value")
	case errors.As(err, &syntax):
		return otklik.Errorf(otklik.EMALFORMED, "events: the body is not valid JSON (at byte %d)", syntax.Offset)
	case err != nil:
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return err
		}
		return otklik.Errorf(otklik.EMALFORMED, "events: the body is not valid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return otklik.Errorf(otklik.EMALFORMED, "events: the body holds more than one JSON value")
	}
	return nil
}

func invalidBody(msg string) error {
	return &otklik.Error{Code: otklik.EINVALID, Message: "events: the body has the wrong shape",
		Fields: []otklik.FieldError{{Field: "body", Message: msg}}}
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
