package outreach

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"otklik"
)

// Event types of the default triggers, as the CRM integrations and the API
// report them.
const (
	EventDelivered            = "delivered"
	EventWorkHandedOver       = "work_handed_over"
	EventComplaintResolved    = "complaint_resolved"
	EventSupportContactClosed = "support_contact_closed"
	EventDealWon              = "deal_won"
	EventDealLost             = "deal_lost"
)

// Trigger asks a customer for feedback after an event of EventType: at the
// soonest DelayMin after the event, ideally by DelayMax, and not after
// Validity (counted from the event too), when the question has gone stale.
//
// Segments and Services filter the customers asked (empty: any); Channels
// are tried in order of preference. Survey is the key of the survey sent;
// Name is the label managers read in the outreach log («NPS после
// доставки»).
//
// In JSON the delays are ISO 8601 durations: {"delay_min": "PT12H",
// "delay_max": "PT72H", "validity": "P6D"}. An absent validity is
// DefaultValidity(delay_max); an absent enabled is true.
type Trigger struct {
	ID        int64
	Name      string
	EventType string
	Segments  []string
	Services  []string
	Survey    string
	Channels  []otklik.Channel
	DelayMin  Duration
	DelayMax  Duration
	Validity  Duration
	Enabled   bool
}

// minGrace is the least time an invitation stays valid after its delay
// window closes.
const minGrace = 3 * day

// DefaultValidity is how long an invitation stays valid when the trigger
// does not say: the end of the delay window plus a grace as long as the
// window itself, and never less than three days. An invitation that became
// due on a Friday evening has to survive the quiet night and the weekend to
// go out on Monday morning (2½ days); a longer window means a slower
// process, where a few more days do not make the question stale. The long
// New Year and May holidays are deliberately not covered: a question about
// a chat two weeks ago is no longer worth asking, and the skip says why.
func DefaultValidity(delayMax Duration) Duration {
	return delayMax + Duration(max(delayMax.Std(), minGrace))
}

// DefaultTriggers returns the triggers a business starts with (see
// PRODUCT.md, "When to ask"): NPS 12–72 hours after a delivery, 3–7 days
// after a large piece of work is handed over and within a day of a deal
// won or lost (why they chose us, why they left); CSAT 1–2 days after a
// complaint is resolved and within 30 minutes of a support call or chat.
// Names are in Russian, the workspace's default language; a business
// renames them.
func DefaultTriggers() []Trigger {
	t := func(name, event, survey string, lo, hi Duration) Trigger {
		return Trigger{Name: name, EventType: event, Survey: survey,
			Channels: []otklik.Channel{otklik.ChannelEmail, otklik.ChannelTelegram},
			DelayMin: lo, DelayMax: hi, Validity: DefaultValidity(hi), Enabled: true}
	}
	return []Trigger{
		t("NPS после доставки", EventDelivered, "nps", Hours(12), Hours(72)),
		t("NPS после сдачи работ", EventWorkHandedOver, "nps", Days(3), Days(7)),
		t("CSAT после решения жалобы", EventComplaintResolved, "csat", Days(1), Days(2)),
		t("CSAT после обращения в поддержку", EventSupportContactClosed, "csat", 0, Minutes(30)),
		t("NPS после сделки", EventDealWon, "nps", 0, Hours(24)),
		t("NPS после проигранной сделки", EventDealLost, "nps", 0, Hours(24)),
	}
}

// Validate reports every problem with t, naming the JSON fields.
func (t Trigger) Validate() error {
	var p otklik.Problems
	validateName(&p, t.Name)
	if !eventPattern.MatchString(t.EventType) {
		p.Add("event_type", "must be an event type: a lowercase letter, then lowercase letters, digits and _ . -, up to 64")
	}
	validateFilter(&p, "segments", t.Segments)
	validateFilter(&p, "services", t.Services)
	validateSurvey(&p, t.Survey)
	validateChannels(&p, t.Channels)
	validateDelay(&p, "delay_min", t.DelayMin)
	validateDelay(&p, "delay_max", t.DelayMax)
	if t.DelayMax < t.DelayMin {
		p.Add("delay_max", "is %s, shorter than delay_min %s", t.DelayMax, t.DelayMin)
	}
	validateDelay(&p, "validity", t.Validity)
	switch {
	case t.Validity <= 0:
		p.Add("validity", "must be longer than zero")
	case t.Validity < t.DelayMax:
		p.Add("validity", "is %s, shorter than delay_max %s: the invitation would expire before it is due (suggested: %s)",
			t.Validity, t.DelayMax, DefaultValidity(t.DelayMax))
	}
	return p.Err("the trigger is not valid")
}

func validateDelay(p *otklik.Problems, field string, d Duration) {
	switch {
	case d < 0:
		p.Add(field, "must not be negative")
	case d > MaxDelay:
		p.Add(field, "is longer than %s", MaxDelay)
	}
}

// Matches reports whether t, enabled, fires for an event of eventType about
// customer c: the event type is t's, c's segment is one of t.Segments and c
// has one of t.Services (each when the list is not empty; compared without
// regard to case).
func (t Trigger) Matches(eventType string, c Person) bool {
	if !t.Enabled || eventType != t.EventType {
		return false
	}
	if len(t.Segments) > 0 && !slices.ContainsFunc(t.Segments, func(s string) bool { return strings.EqualFold(s, c.Segment) }) {
		return false
	}
	if len(t.Services) > 0 && !slices.ContainsFunc(t.Services, c.hasService) {
		return false
	}
	return true
}

// Request is the invitation t makes for the event eventID that occurred at
// occurred: due from occurred + DelayMin, valid until occurred + Validity.
func (t Trigger) Request(eventID string, occurred time.Time) Request {
	return Request{
		Source:   SourceEvent,
		Ref:      "event:" + eventID + ":" + strconv.FormatInt(t.ID, 10),
		Survey:   t.Survey,
		Label:    t.Name,
		Channels: slices.Clone(t.Channels),
		Earliest: occurred.Add(t.DelayMin.Std()),
		Latest:   occurred.Add(t.Validity.Std()),
	}
}

type triggerJSON struct {
	ID        int64            `json:"id"`
	Name      string           `json:"name"`
	EventType string           `json:"event_type"`
	Segments  []string         `json:"segments"`
	Services  []string         `json:"services"`
	Survey    string           `json:"survey"`
	Channels  []otklik.Channel `json:"channels"`
	DelayMin  *string          `json:"delay_min"`
	DelayMax  *string          `json:"delay_max"`
	Validity  *string          `json:"validity"`
	Enabled   *bool            `json:"enabled"`
}

// MarshalJSON writes t with snake_case fields, ISO 8601 delays and [] for
// an empty filter.
func (t Trigger) MarshalJSON() ([]byte, error) {
	lo, hi, v := t.DelayMin.String(), t.DelayMax.String(), t.Validity.String()
	return json.Marshal(triggerJSON{ID: t.ID, Name: t.Name, EventType: t.EventType,
		Segments: orEmpty(t.Segments), Services: orEmpty(t.Services), Survey: t.Survey,
		Channels: orEmpty(t.Channels), DelayMin: &lo, DelayMax: &hi, Validity: &v, Enabled: &t.Enabled})
}

// UnmarshalJSON reads the form MarshalJSON writes. A delay that does not
// parse is an EINVALID error naming its field; the rest is left to
// Validate. Absent delays are zero, an absent validity is
// DefaultValidity(delay_max), an absent enabled is true.
func (t *Trigger) UnmarshalJSON(b []byte) error {
	var w triggerJSON
	if err := strictUnmarshal(b, &w); err != nil {
		return err
	}
	var p otklik.Problems
	out := Trigger{ID: w.ID, Name: w.Name, EventType: w.EventType, Segments: emptyNil(w.Segments),
		Services: emptyNil(w.Services), Survey: w.Survey, Channels: emptyNil(w.Channels), Enabled: true,
		DelayMin: durationField(&p, "delay_min", w.DelayMin, 0),
		DelayMax: durationField(&p, "delay_max", w.DelayMax, 0)}
	out.Validity = durationField(&p, "validity", w.Validity, DefaultValidity(out.DelayMax))
	if w.Enabled != nil {
		out.Enabled = *w.Enabled
	}
	if err := p.Err("the trigger is not valid"); err != nil {
		return err
	}
	*t = out
	return nil
}

// durationField parses an optional duration field, recording a problem
// under field when it does not parse; absent (nil) gives def.
func durationField(p *otklik.Problems, field string, s *string, def Duration) Duration {
	if s == nil {
		return def
	}
	d, msg := parseDuration(*s)
	if msg != "" {
		p.Add(field, "%q is not a duration: %s", truncate(*s, 40), msg)
	}
	return d
}
