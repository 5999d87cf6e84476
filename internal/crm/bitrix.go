package crm

import (
	"crypto/subtle"
	"regexp"
	"strings"
	"time"

	"otklik"
)

// BitrixNotice is a Bitrix24 event notice: what an outgoing webhook or an
// application's event handler receives (form-encoded, e.g.
// event=ONCRMDEALUPDATE&data[FIELDS][ID]=662&ts=…&auth[domain]=…&auth[application_token]=…).
// It names the changed item only by id; Bitrix.Deal fetches the deal.
//
// The notice's auth[client_endpoint] and auth[access_token] are not kept:
// Otklik calls the portal at its configured webhook URL only, never at an
// address a request named.
type BitrixNotice struct {
	Event            string    // upper case: ONCRMDEALUPDATE, ONCRMDEALADD, …
	ID               string    // data[FIELDS][ID]: the deal's id for ONCRMDEAL* events
	Domain           string    // auth[domain], lower case: the portal, e.g. company.bitrix24.ru
	MemberID         string    // auth[member_id]: the portal's stable id, when sent
	ApplicationToken string    // auth[application_token]: the handler's shared secret
	At               time.Time // ts, in UTC
}

// DealEvent reports whether the notice is about a deal being added or
// changed, the two events that can move a deal to a closed stage.
func (n BitrixNotice) DealEvent() bool {
	return n.Event == "ONCRMDEALUPDATE" || n.Event == "ONCRMDEALADD"
}

// Authentic reports whether the notice carries token, the application
// token Bitrix24 showed when the outgoing webhook or handler was created.
// The comparison takes the same time whatever the tokens share. An empty
// token matches nothing: a portal without a configured token must skip the
// check explicitly rather than have every notice pass it.
func (n BitrixNotice) Authentic(token string) bool {
	if token == "" || n.ApplicationToken == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(n.ApplicationToken), []byte(token)) == 1
}

var (
	bitrixEventName = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,99}$`)
	bitrixDomain    = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?$`)
)

// ParseBitrixEvent reads a Bitrix24 event notice. Any event name is
// returned (DealEvent tells the deal ones); the notice must carry the event
// name, a numeric data[FIELDS][ID], auth[domain] and a numeric ts, or the
// error (EINVALID) names the missing form keys. A body that is not form
// data is EMALFORMED, one over MaxBody ETOOLARGE. Check Authentic before
// acting on the notice.
func ParseBitrixEvent(body []byte) (BitrixNotice, error) {
	if len(body) > MaxBody {
		return BitrixNotice{}, tooLarge("bitrix24", len(body), MaxBody)
	}
	pairs, err := parseForm("bitrix24", body)
	if err != nil {
		return BitrixNotice{}, err
	}
	var n BitrixNotice
	var ts string
	for _, kv := range pairs {
		v := strings.TrimSpace(kv.value)
		switch kv.key {
		case "event":
			n.Event = strings.ToUpper(v)
		case "data[FIELDS][ID]":
			n.ID = v
		case "ts":
			ts = v
		case "auth[domain]":
			n.Domain = strings.ToLower(v)
		case "auth[member_id]":
			n.MemberID = v
		case "auth[application_token]":
			n.ApplicationToken = v
		}
	}
	var p otklik.Problems
	if !bitrixEventName.MatchString(n.Event) {
		p.Add("event", "is required: an event name such as ONCRMDEALUPDATE")
	}
	if !numericID(n.ID) {
		p.Add("data[FIELDS][ID]", "is required: the item's numeric id")
	}
	if !bitrixDomain.MatchString(n.Domain) {
		p.Add("auth[domain]", "is required: the portal's host name")
	}
	at, ok := unixTime(ts)
	if !ok {
		p.Add("ts", "is required: the Unix time of the event")
	}
	n.At = at
	if err := p.Err("bitrix24: the event notice is not valid"); err != nil {
		return BitrixNotice{}, err
	}
	return n, nil
}

// BitrixDeal is a deal as crm.deal.get returns it. Fields holds every
// field of the answer whose value is a string or a number (the first item
// of a multiple field), by its name: the typed fields are read from it.
type BitrixDeal struct {
	ID          string
	StageID     string // NEW, WON, C1:LOSE, …
	CategoryID  string // the funnel: 0 is the general one
	Opportunity string // the amount, "1000.00"
	CurrencyID  string
	ContactID   string
	CompanyID   string
	AssignedBy  string    // ASSIGNED_BY_ID
	Modified    time.Time // DATE_MODIFY, UTC; zero when absent
	Moved       time.Time // MOVED_TIME, the last stage change, UTC; zero when absent
	Fields      map[string]string
}

// BitrixMapping says which deal stages are closed and which deal field
// names the customer. The zero value means DefaultBitrixMapping.
type BitrixMapping struct {
	// WonStages and LostStages are stage ids. One without a funnel prefix
	// ("WON") matches that stage in every funnel ("WON", "C3:WON"); one with
	// it ("C3:WON") matches in that funnel only. A nil list takes the
	// default; custom failure stages a portal added must be listed.
	WonStages, LostStages []string
	// CustomerField is the deal field holding the customer's external id:
	// CONTACT_ID (the default) or a custom field such as UF_CRM_1721244482250.
	CustomerField string
}

// DefaultBitrixMapping is the mapping of a portal with Bitrix24's system
// stages: WON is won; LOSE and APOLOGY («Анализ причины провала») are lost;
// the customer is the deal's contact.
func DefaultBitrixMapping() BitrixMapping {
	return BitrixMapping{WonStages: []string{"WON"}, LostStages: []string{"LOSE", "APOLOGY"}, CustomerField: "CONTACT_ID"}
}

// BitrixDealEvent returns the event of a deal in a won or lost stage, and
// false for a deal in any other stage. domain is the portal's host name
// (BitrixNotice.Domain); it tells portals apart in event IDs. The event:
//
//   - ID "bitrix24:<domain>:<deal id>:<stage>", the same for every notice
//     about the deal while it stays in the stage;
//   - Customer: the mapping's field (CONTACT_ID by default) when it holds a
//     valid customer id other than "0"; else "b24-deal-<deal id>", with the
//     attribute customer_from "deal" instead of "field";
//   - OccurredAt: MOVED_TIME (when the deal entered the stage), else
//     DATE_MODIFY; a deal with neither gives no event;
//   - Attributes: source "bitrix24", portal, deal_id, stage_id, category_id,
//     amount ("1000.00"), currency, contact_id, company_id, assigned_by_id,
//     customer_from.
func BitrixDealEvent(d BitrixDeal, m BitrixMapping, domain string) (Event, bool) {
	def := DefaultBitrixMapping()
	if m.WonStages == nil {
		m.WonStages = def.WonStages
	}
	if m.LostStages == nil {
		m.LostStages = def.LostStages
	}
	if strings.TrimSpace(m.CustomerField) == "" {
		m.CustomerField = def.CustomerField
	}
	domain = strings.ToLower(strings.TrimSpace(domain))
	stage := strings.TrimSpace(d.StageID)
	var typ string
	switch {
	case stageIn(stage, m.WonStages):
		typ = TypeDealWon
	case stageIn(stage, m.LostStages):
		typ = TypeDealLost
	}
	at := d.Moved
	if at.IsZero() {
		at = d.Modified
	}
	if typ == "" || !numericID(d.ID) || !bitrixDomain.MatchString(domain) || at.IsZero() {
		return Event{}, false
	}
	attrs := map[string]string{"source": "bitrix24", "portal": domain, "deal_id": d.ID, "stage_id": stage}
	if v := strings.TrimSpace(d.CategoryID); v != "" {
		attrs["category_id"] = v // "0" is the general funnel
	}
	if v := strings.TrimSpace(d.CurrencyID); v != "" {
		attrs["currency"] = v
	}
	// For linked items Bitrix24 writes "0" for "none".
	for k, v := range map[string]string{"contact_id": d.ContactID, "company_id": d.CompanyID, "assigned_by_id": d.AssignedBy} {
		if v = strings.TrimSpace(v); v != "" && v != "0" {
			attrs[k] = v
		}
	}
	if a, ok := formatAmount(d.Opportunity); ok {
		attrs["amount"] = a
	}
	customer, from := "b24-deal-"+d.ID, "deal"
	if v := strings.TrimSpace(d.field(strings.TrimSpace(m.CustomerField))); v != "0" && validCustomer(v) {
		customer, from = v, "field"
	}
	attrs["customer_from"] = from
	return Event{
		ID:         "bitrix24:" + domain + ":" + d.ID + ":" + stage,
		Type:       typ,
		Customer:   customer,
		OccurredAt: at.UTC(),
		Attributes: attrs,
	}, true
}

// field returns the deal's field by its REST name, from Fields or, for a
// deal built without them, from the typed fields.
func (d BitrixDeal) field(name string) string {
	if v, ok := d.Fields[name]; ok {
		return v
	}
	switch name {
	case "CONTACT_ID":
		return d.ContactID
	case "COMPANY_ID":
		return d.CompanyID
	case "ASSIGNED_BY_ID":
		return d.AssignedBy
	}
	return ""
}

// stageIn reports whether stage is one of stages, a bare stage id matching
// in every funnel ("WON" matches "C12:WON").
func stageIn(stage string, stages []string) bool {
	if stage == "" {
		return false
	}
	_, bare, inFunnel := strings.Cut(stage, ":")
	for _, s := range stages {
		s = strings.TrimSpace(s)
		if s == stage || inFunnel && !strings.Contains(s, ":") && s == bare {
			return true
		}
	}
	return false
}
