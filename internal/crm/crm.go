// Package crm turns what business systems tell Otklik into Events: the
// moments after which a customer is asked for feedback (a deal won or lost,
// an order delivered, a complaint resolved, …).
//
// Three doors lead in:
//
//   - ParseAmoCRM reads amoCRM/Kommo's form-encoded lead webhooks;
//   - ParseBitrixEvent reads a Bitrix24 event notice, which names a deal
//     only by id, Bitrix.Deal fetches that deal over the portal's REST API
//     and BitrixDealEvent decides whether it is an event;
//   - ParseEvent and ParseEvents read the generic JSON of POST /api/v1/events.
//
// Every Event carries an ID that is the same for every retry of the same
// notification, so the caller stores events idempotently and a webhook
// delivered twice asks the customer once.
//
// The package does no storage and keeps no state; only Bitrix does network
// I/O.
package crm

import (
	"fmt"
	"regexp"
	"time"

	"otklik"
)

// Event is one business event about a customer.
type Event struct {
	// ID is the idempotency id: retries of the same webhook give the same ID.
	ID string `json:"id"`
	// Type is one of KnownTypes or a custom name (see ValidType).
	Type string `json:"type"`
	// Customer is the customer's external id, as the source's mapping
	// resolved it.
	Customer string `json:"customer"`
	// OccurredAt is when the event happened, in UTC.
	OccurredAt time.Time `json:"occurred_at"`
	// Attributes describe the event: lead_id, pipeline_id, status_id,
	// amount ("1000.00"), source ("amocrm"), …
	Attributes map[string]string `json:"attributes"`
}

// Event types Otklik knows how to ask about (see PRODUCT.md, "When to ask").
const (
	TypeDealWon              = "deal_won"
	TypeDealLost             = "deal_lost"
	TypeDelivered            = "delivered"
	TypeWorkHandedOver       = "work_handed_over"
	TypeComplaintResolved    = "complaint_resolved"
	TypeSupportContactClosed = "support_contact_closed"
)

// KnownTypes lists the built-in event types, for pickers and docs. It is a
// read-only table: ValidType does not consult it.
var KnownTypes = []string{
	TypeDealWon, TypeDealLost, TypeDelivered, TypeWorkHandedOver,
	TypeComplaintResolved, TypeSupportContactClosed,
}

// typePattern is the shape of every event type, built-in or custom. The
// built-in names fit it too, so one check covers both.
var typePattern = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// ValidType reports whether t is a known type or a well-formed custom name:
// a lower-case letter, then up to 63 lower-case letters, digits, '_', '.'
// or '-'.
func ValidType(t string) bool { return typePattern.MatchString(t) }

// customerPattern is the rule for a customer's external id (see
// otklik.Customer.Validate), repeated here so that an event never names a
// customer that could not exist.
var customerPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._:@/#-]{0,127}$`)

// validCustomer reports whether s can be a customer's external id.
func validCustomer(s string) bool { return customerPattern.MatchString(s) }

// Limits on what one webhook may carry.
const (
	// MaxBody is the largest webhook or event body read.
	MaxBody = 1 << 20
	// MaxBatchBody is the largest body ParseEvents reads.
	MaxBatchBody = 16 << 20
	// MaxLeads is the most leads one amoCRM webhook may carry, and
	// MaxBatch the most events one ParseEvents call takes.
	MaxLeads = 500
	MaxBatch = 500
)

// tooLarge is the error for a body over limit bytes.
func tooLarge(what string, n, limit int) error {
	return otklik.Errorf(otklik.ETOOLARGE, "%s: the body has %d bytes; at most %d are read", what, n, limit)
}

// formatAmount writes a sum of money with two decimals ("1000.00"), the
// way both CRMs show it, so that amounts from every source compare as text.
func formatAmount(s string) (string, bool) {
	a, err := otklik.ParseAmount(s)
	if err != nil {
		return "", false
	}
	v, sign := int64(a), ""
	if v < 0 {
		v, sign = -v, "-"
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100), true
}

// unixTime reads a Unix time in seconds. Zero, negative and absurd values
// (after the year 9999) are refused: CRMs send 0 for "never".
func unixTime(s string) (time.Time, bool) {
	if !isDigits(s) || len(s) > 12 {
		return time.Time{}, false
	}
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	if n <= 0 || n > 253402300799 {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

// numericID reports whether s is a numeric id as both CRMs write them: up
// to 18 digits, so that it fits an int64 and the ids built from it stay short.
func numericID(s string) bool { return isDigits(s) && len(s) <= 18 }

// isDigits reports whether s is a non-empty run of ASCII digits: the shape
// of every numeric id the CRMs send.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
