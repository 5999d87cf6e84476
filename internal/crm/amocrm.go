package crm

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"otklik"
)

// amoCRM's system statuses, the same in every pipeline.
const (
	amoStatusWon  = "142" // «Успешно реализовано»
	amoStatusLost = "143" // «Закрыто и не реализовано»
)

// amoActionRank orders the lead actions whose hooks may report a closed
// deal, and is -1 for the others. "status" is the status-change hook; "add"
// carries a lead created straight into a closed status; "update" repeats the
// status of an edited lead, which the event ID folds into the event already
// seen. Deleted or restored leads ask nobody.
func amoActionRank(action string) int {
	switch action {
	case "status":
		return 0
	case "add":
		return 1
	case "update":
		return 2
	}
	return -1
}

// amoSubdomain is the shape of account[subdomain]: it goes into event IDs.
var amoSubdomain = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// AmoMapping says how an amoCRM lead names its customer.
type AmoMapping struct {
	// CustomerField is the lead custom field that holds the customer's
	// external id, given by its numeric id ("1119321") or its name
	// ("Номер клиента"), the name compared case-insensitively.
	CustomerField string
}

// amoLead is one leads[action][n] of a hook, as read.
type amoLead struct {
	action string
	index  int
	fields map[string]string
	custom map[int]*amoField
}

// amoField is one leads[…][n][custom_fields][m] of a lead.
type amoField struct {
	id, name string
	values   map[int]string
}

// ParseAmoCRM reads an amoCRM/Kommo lead webhook (the form-encoded hook
// configured under Settings → Integrations → Web hooks) and returns one
// event per lead that reached a closed status: 142 → deal_won,
// 143 → deal_lost. A lead in any other status gives no event, and so does a
// body without leads, such as a contact hook: that is not an error.
//
// Leads are read from leads[status][n], leads[add][n] and leads[update][n];
// keys come in any order and stray or truncated keys are skipped. The event:
//
//   - ID "amocrm:<subdomain>:<lead id>:<status id>": every retry of the hook,
//     and the update hooks that repeat a closed lead's status, give the same
//     ID, so the caller's idempotent store keeps one event. (A lead reopened
//     and won again therefore does not ask twice.)
//   - Customer: the first non-empty value of the lead's custom field named by
//     m.CustomerField, when it can be a customer's external id. Lead hooks
//     carry no contact: neither the captured hooks nor today's (whose lead
//     has only the API lead model's fields and custom fields) name the
//     lead's contacts, so there is no contact id to fall back on without an
//     API call. Without a usable field value the customer is
//     "amo-lead-<lead id>" and the attribute customer_from says "lead"
//     rather than "field": the caller matches such a customer or explains
//     the skip, instead of the CRM retrying a refused hook for ever.
//   - OccurredAt: updated_at, else last_modified, else date_modify (Unix
//     seconds, not more than MaxFutureSkew after now), else now.
//   - Attributes: source "amocrm", account, lead_id, status_id,
//     old_status_id, pipeline_id, responsible_user_id, amount (the price as
//     "1000.00"), customer_from.
//
// Errors are coded for the API: a body over MaxBody (ETOOLARGE); a body that
// is not form data (EMALFORMED); a body with neither account nor leads, more
// than MaxLeads leads, closed leads without account[subdomain], a lead's id,
// status_id, old_status_id, pipeline_id or responsible_user_id that is not
// a number (EINVALID, naming the form keys).
func ParseAmoCRM(body []byte, m AmoMapping, now time.Time) ([]Event, error) {
	if len(body) > MaxBody {
		return nil, tooLarge("amocrm", len(body), MaxBody)
	}
	pairs, err := parseForm("amocrm", body)
	if err != nil {
		return nil, err
	}
	account, leads, sawAccount, err := readAmoPairs(pairs)
	if err != nil {
		return nil, err
	}
	if !sawAccount && len(leads) == 0 {
		return nil, otklik.Errorf(otklik.EINVALID, "amocrm: the body has neither account[…] nor leads[…] keys: not an amoCRM webhook")
	}
	leads = slices.DeleteFunc(leads, func(l *amoLead) bool { return amoActionRank(l.action) < 0 })
	slices.SortFunc(leads, func(a, b *amoLead) int {
		return cmp.Or(cmp.Compare(amoActionRank(a.action), amoActionRank(b.action)), cmp.Compare(a.index, b.index))
	})
	subdomain := strings.ToLower(strings.TrimSpace(account["subdomain"]))
	var p otklik.Problems
	var events []Event
	seen := map[string]bool{}
	for _, l := range leads {
		ev, ok := l.event(subdomain, m, now, &p)
		if ok && !seen[ev.ID] {
			seen[ev.ID] = true
			events = append(events, ev)
		}
	}
	if len(events) > 0 && !amoSubdomain.MatchString(subdomain) {
		// The subdomain tells accounts apart in event IDs: without it two
		// accounts' lead 1 would be one event.
		p.Add("account[subdomain]", "is required with closed leads: the account's subdomain, letters, digits and '-'")
	}
	if err := p.Err("amocrm: the webhook is not valid"); err != nil {
		return nil, err
	}
	return events, nil
}

// readAmoPairs gathers the account's fields and the leads of every action.
func readAmoPairs(pairs []pair) (account map[string]string, leads []*amoLead, sawAccount bool, err error) {
	account = map[string]string{}
	byKey := map[string]*amoLead{}
	for _, kv := range pairs {
		root, segs, ok := splitKey(kv.key)
		if !ok {
			continue
		}
		switch {
		case root == "account" && len(segs) == 1:
			sawAccount = true
			account[segs[0]] = kv.value
		case root == "leads" && len(segs) >= 3:
			idx, ok := smallIndex(segs[1])
			if !ok || segs[0] == "" || segs[2] == "" {
				continue
			}
			lk := segs[0] + "\x00" + strconv.Itoa(idx)
			l := byKey[lk]
			if l == nil {
				if len(byKey) == MaxLeads {
					return nil, nil, false, otklik.Errorf(otklik.EINVALID, "amocrm: the webhook carries more than %d leads", MaxLeads)
				}
				l = &amoLead{action: segs[0], index: idx, fields: map[string]string{}, custom: map[int]*amoField{}}
				byKey[lk] = l
				leads = append(leads, l)
			}
			l.set(segs[2:], kv.value)
		}
	}
	return account, leads, sawAccount, nil
}

// set records one key of a lead: a plain field ("status_id") or a part of
// a custom field ("custom_fields", "0", "values", "0", "value").
func (l *amoLead) set(segs []string, value string) {
	if len(segs) == 1 {
		l.fields[segs[0]] = value
		return
	}
	if segs[0] != "custom_fields" || len(segs) < 3 {
		return
	}
	n, ok := smallIndex(segs[1])
	if !ok {
		return
	}
	f := l.custom[n]
	if f == nil {
		f = &amoField{values: map[int]string{}}
		l.custom[n] = f
	}
	switch {
	case len(segs) == 3 && segs[2] == "id":
		f.id = value
	case len(segs) == 3 && segs[2] == "name":
		f.name = value
	case len(segs) == 5 && segs[2] == "values" && segs[4] == "value":
		if j, ok := smallIndex(segs[3]); ok {
			f.values[j] = value
		}
	}
}

// event builds the lead's event; ok is false when the lead is not closed or
// is not valid (the problems then say why).
func (l *amoLead) event(subdomain string, m AmoMapping, now time.Time, p *otklik.Problems) (Event, bool) {
	key := func(field string) string { return fmt.Sprintf("leads[%s][%d][%s]", l.action, l.index, field) }
	id := strings.TrimSpace(l.fields["id"])
	status := strings.TrimSpace(l.fields["status_id"])
	bad := false
	if !numericID(id) {
		p.Add(key("id"), "must be the lead's numeric id")
		bad = true
	}
	for _, f := range []string{"status_id", "old_status_id", "pipeline_id", "responsible_user_id"} {
		if v := strings.TrimSpace(l.fields[f]); v != "" && !numericID(v) {
			p.Add(key(f), "must be a number")
			bad = true
		}
	}
	var typ string
	switch status {
	case amoStatusWon:
		typ = TypeDealWon
	case amoStatusLost:
		typ = TypeDealLost
	}
	if bad || typ == "" {
		return Event{}, false
	}

	attrs := map[string]string{"source": "amocrm", "account": subdomain, "lead_id": id, "status_id": status}
	for _, f := range []string{"old_status_id", "pipeline_id", "responsible_user_id"} {
		if v := strings.TrimSpace(l.fields[f]); v != "" {
			attrs[f] = v
		}
	}
	if a, ok := formatAmount(l.fields["price"]); ok {
		attrs["amount"] = a
	}
	customer, from := "amo-lead-"+id, "lead"
	if v := l.customValue(m.CustomerField); validCustomer(v) {
		customer, from = v, "field"
	}
	attrs["customer_from"] = from
	at := now.UTC()
	for _, f := range []string{"updated_at", "last_modified", "date_modify"} {
		// A time ahead of now is a broken clock: asking "later" could mean never.
		if t, ok := unixTime(strings.TrimSpace(l.fields[f])); ok && !t.After(now.Add(MaxFutureSkew)) {
			at = t
			break
		}
	}
	return Event{
		ID:         "amocrm:" + subdomain + ":" + id + ":" + status,
		Type:       typ,
		Customer:   customer,
		OccurredAt: at,
		Attributes: attrs,
	}, true
}

// customValue returns the first non-empty value of the custom field named
// (by id or, case-insensitively, by name), or "".
func (l *amoLead) customValue(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	for _, n := range slices.Sorted(maps.Keys(l.custom)) {
		f := l.custom[n]
		if strings.TrimSpace(f.id) != name && !strings.EqualFold(strings.TrimSpace(f.name), name) {
			continue
		}
		for _, j := range slices.Sorted(maps.Keys(f.values)) {
			if v := strings.TrimSpace(f.values[j]); v != "" {
				return v
			}
		}
	}
	return ""
}

// smallIndex reads a list index such as the 0 of leads[status][0]: at most
// six digits, since no real hook holds a million of anything.
func smallIndex(s string) (int, bool) {
	if !isDigits(s) || len(s) > 6 {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, true
}
