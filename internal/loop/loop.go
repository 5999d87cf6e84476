// Package loop is the pure core of the closed loop: the routing rules that
// turn an unhappy answer into a case (condition → owner, watchers, SLA),
// the SLA due times on the business calendar, and the "won back" verdict
// on a detractor's next answer.
//
// The package is pure: no I/O, no clock, no database. Resolving an owner
// kind ("account_manager", "team_lead", …) to a person is the caller's job.
package loop

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"otklik"
	"otklik/internal/calendar"
)

// Owner kinds: who owns a case.
const (
	OwnerAccountManager = "account_manager" // the manager in the answer's snapshot
	OwnerUser           = "user"            // a named user (Email)
	OwnerTeamLead       = "team_lead"       // the lead of the team in the answer's snapshot
)

// Watcher kinds: who is notified of a case besides its owner.
const (
	WatcherManagerLead       = "manager_lead"       // the lead of the account manager's group
	WatcherUser              = "user"               // a named user (Email)
	WatcherChannelSpecialist = "channel_specialist" // the specialist of the answer's channel
)

// Won-back verdicts of WonBack.
const (
	WonBackPromoter = "promoter"
	WonBackPassive  = "passive"
)

// Limits on a rule.
const (
	MaxNameLength     = 200
	MaxKeywordLength  = 100
	MaxFirstContact   = 30 * 24 * time.Hour // working time
	MaxResolutionDays = 365
)

// OwnerSpec says who owns the cases a rule opens. Email is set only for
// Kind "user".
type OwnerSpec struct {
	Kind  string `json:"kind"`
	Email string `json:"email,omitempty"`
}

// WatcherSpec says who watches the cases a rule opens. Email is set only
// for Kind "user".
type WatcherSpec struct {
	Kind  string `json:"kind"`
	Email string `json:"email,omitempty"`
}

// Condition is what an answer must satisfy for a rule to apply. Every set
// criterion must hold (AND); within a list any element may match (OR):
//
//   - Kinds: the survey's kind is one of these (empty: any kind).
//   - ScoreMax: the score is at most this (NPS 0–6 → 6, CSAT < 4 → 3).
//   - ScoreMin: the score is at least this (promoters: NPS 9–10 → 9).
//   - CESHard: the survey is CES and the score is 1–3 ("hard").
//   - Keywords: the comment contains one of these words or phrases,
//     case-insensitively, matched on word stems (see MatchKeyword).
//   - Segments: the snapshot's segment is one of these (case-insensitive).
//   - RevenueMin: the snapshot's revenue is known and at least this.
//   - Any: at least one of these sub-conditions holds — how one rule says
//     "NPS 0–6 or CSAT below 4". A sub-condition may not have its own Any.
type Condition struct {
	Kinds      []otklik.Kind  `json:"kinds,omitempty"`
	ScoreMax   *int           `json:"score_max,omitempty"`
	ScoreMin   *int           `json:"score_min,omitempty"`
	CESHard    bool           `json:"ces_hard,omitempty"`
	Keywords   []string       `json:"keywords,omitempty"`
	Segments   []string       `json:"segments,omitempty"`
	RevenueMin *otklik.Amount `json:"revenue_min,omitempty"`
	Any        []Condition    `json:"any,omitempty"`
}

// Rule is one routing rule: ordered by Position (ties keep their order),
// the first enabled rule whose condition holds opens the case.
//
// FirstContact is working time (4h: "first contact within 4 working
// hours"), in JSON whole minutes as first_contact_minutes; Resolution is
// working days ("resolution within 3 working days").
type Rule struct {
	ID           int64         `json:"id"`
	Name         string        `json:"name"`
	Enabled      bool          `json:"enabled"`
	Position     int           `json:"position"`
	When         Condition     `json:"when"`
	Owner        OwnerSpec     `json:"owner"`
	Watchers     []WatcherSpec `json:"watchers"`
	FirstContact time.Duration `json:"-"`
	Resolution   int           `json:"resolution_days"`
	// Case is the kind of case opened: otklik.CaseDetractor (default) or
	// otklik.CaseThanks.
	Case string `json:"case"`
	// ResurveyDays: ask the customer again this many days after the case is
	// resolved; 0 means no re-survey.
	ResurveyDays int `json:"resurvey_days"`
}

type ruleAlias Rule

type ruleJSON struct {
	ruleAlias
	FirstContactMinutes int64 `json:"first_contact_minutes"`
}

// MarshalJSON writes FirstContact as first_contact_minutes.
func (r Rule) MarshalJSON() ([]byte, error) {
	return json.Marshal(ruleJSON{ruleAlias: ruleAlias(r), FirstContactMinutes: int64(r.FirstContact / time.Minute)})
}

// UnmarshalJSON reads FirstContact from first_contact_minutes.
func (r *Rule) UnmarshalJSON(b []byte) error {
	var w ruleJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a misspelt field must not be dropped silently
	if err := dec.Decode(&w); err != nil {
		return err
	}
	*r = Rule(w.ruleAlias)
	r.FirstContact = time.Duration(w.FirstContactMinutes) * time.Minute
	return nil
}

func intp(v int) *int { return &v }

// DefaultRule is the rule that ships enabled so the loop works before
// anyone configures it: NPS 0–6 or CSAT below 4 opens a case owned by the
// account manager from the answer's snapshot, watched by the manager's
// lead; first contact within 4 working hours, resolution within 3 working
// days.
func DefaultRule() Rule {
	return Rule{
		Name:    "Detractors and unhappy customers",
		Enabled: true,
		When: Condition{Any: []Condition{
			{Kinds: []otklik.Kind{otklik.KindNPS}, ScoreMax: intp(6)},
			{Kinds: []otklik.Kind{otklik.KindCSAT}, ScoreMax: intp(3)},
		}},
		Owner:        OwnerSpec{Kind: OwnerAccountManager},
		Watchers:     []WatcherSpec{{Kind: WatcherManagerLead}},
		FirstContact: 4 * time.Hour,
		Resolution:   3,
		Case:         otklik.CaseDetractor,
		ResurveyDays: DefaultResurveyDays,
	}
}

// DefaultResurveyDays is how long after a resolution the default rule asks
// the customer again: long enough for the fix to be felt.
const DefaultResurveyDays = 14

// ThanksRule ships enabled after DefaultRule: a promoter's answer (NPS
// 9–10) opens a "thank and ask" task for the account manager, to be done
// within a working day.
func ThanksRule() Rule {
	return Rule{
		Name:         "Promoters: thank and ask for a referral",
		Enabled:      true,
		Position:     1,
		When:         Condition{Kinds: []otklik.Kind{otklik.KindNPS}, ScoreMin: intp(9)},
		Owner:        OwnerSpec{Kind: OwnerAccountManager},
		Watchers:     []WatcherSpec{},
		FirstContact: 8 * time.Hour,
		Resolution:   5,
		Case:         otklik.CaseThanks,
	}
}

// DefaultRules are the rules an installation starts with.
func DefaultRules() []Rule {
	d, t := DefaultRule(), ThanksRule()
	d.ID, t.ID = 1, 2
	return []Rule{d, t}
}

// Route returns the rule that handles answer r to a survey of kind: the
// first enabled rule, by Position (ties in slice order), whose condition
// holds. False when none does or r is nil.
func Route(rules []Rule, r *otklik.Response, kind otklik.Kind) (Rule, bool) {
	if r == nil {
		return Rule{}, false
	}
	order := make([]int, len(rules))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rules[a].Position - rules[b].Position })
	for _, i := range order {
		if rules[i].Enabled && rules[i].When.Matches(r, kind) {
			return rules[i], true
		}
	}
	return Rule{}, false
}

// Matches reports whether answer r to a survey of kind satisfies c. An
// empty condition matches every answer (Validate rejects one in a rule).
func (c Condition) Matches(r *otklik.Response, kind otklik.Kind) bool {
	if r == nil {
		return false
	}
	if len(c.Kinds) > 0 && !slices.Contains(c.Kinds, kind) {
		return false
	}
	if c.ScoreMax != nil && r.Score > *c.ScoreMax {
		return false
	}
	if c.ScoreMin != nil && r.Score < *c.ScoreMin {
		return false
	}
	if c.CESHard && (kind != otklik.KindCES || r.Score < 1 || r.Score > 3) {
		return false
	}
	if len(c.Keywords) > 0 && !slices.ContainsFunc(c.Keywords, func(k string) bool { return MatchKeyword(r.Comment, k) }) {
		return false
	}
	if len(c.Segments) > 0 && !slices.ContainsFunc(c.Segments, func(s string) bool {
		return strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(r.Snapshot.Segment))
	}) {
		return false
	}
	if c.RevenueMin != nil && (r.Snapshot.Revenue == nil || *r.Snapshot.Revenue < *c.RevenueMin) {
		return false
	}
	if len(c.Any) > 0 && !slices.ContainsFunc(c.Any, func(s Condition) bool { return s.Matches(r, kind) }) {
		return false
	}
	return true
}

func (c Condition) empty() bool {
	return len(c.Kinds) == 0 && c.ScoreMax == nil && c.ScoreMin == nil && !c.CESHard && len(c.Keywords) == 0 &&
		len(c.Segments) == 0 && c.RevenueMin == nil && len(c.Any) == 0
}

// words splits text into lower-cased words of letters and digits, with ё
// read as е.
func words(text string) []string {
	text = strings.ReplaceAll(strings.ToLower(text), "ё", "е")
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// endings are the inflection endings Stem strips, longest first: Russian
// noun and adjective endings, then English ones.
var endings = []string{
	"ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими",
	"ой", "ей", "ий", "ый", "ая", "яя", "ое", "ее", "ые", "ие", "ом", "ем", "ам", "ям", "ах", "ях", "ов", "ев",
	"а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й",
	"ing", "ed", "es", "s", "e", "y",
}

// Stem returns a crude stem of a lower-cased word: one inflection ending
// stripped when at least three letters remain («задержка» → «задержк»,
// "delays" → "delay", "delay" → "dela").
func Stem(w string) string {
	for _, e := range endings {
		if rest, ok := strings.CutSuffix(w, e); ok && utf8.RuneCountInString(rest) >= 3 {
			return rest
		}
	}
	return w
}

// MatchKeyword reports whether comment contains keyword: each word of the
// keyword, stemmed, is a prefix of consecutive words of the comment,
// case-insensitively («задержка» matches «Задержки с выплатой», "delay"
// matches "Delayed payouts"). Being a prefix match it errs towards a case
// too many («кот» also matches «который»). An empty keyword matches nothing.
func MatchKeyword(comment, keyword string) bool {
	kw := words(keyword)
	if len(kw) == 0 {
		return false
	}
	for i := range kw {
		kw[i] = Stem(kw[i])
	}
	cw := words(comment)
	for i := 0; i+len(kw) <= len(cw); i++ {
		ok := true
		for j, k := range kw {
			if !strings.HasPrefix(cw[i+j], k) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// Due returns the SLA due times of a case opened at opened under rule:
// first contact after rule.FirstContact of working time, resolution at the
// close of the rule.Resolution-th working day after the opening day.
func Due(cal calendar.Calendar, opened time.Time, rule Rule) (firstContact, resolution time.Time) {
	return cal.AddWorking(opened, rule.FirstContact), cal.AddWorkingDays(opened, rule.Resolution)
}

// WonBack is the verdict on a detractor's next answer (NPS): "promoter"
// when a 0–6 is followed by a 9–10, "passive" when by a 7–8, "" otherwise
// (not a detractor before, or still one).
func WonBack(before, after int) string {
	if before < 0 || before > 6 {
		return ""
	}
	switch {
	case after >= 9 && after <= 10:
		return WonBackPromoter
	case after >= 7 && after <= 8:
		return WonBackPassive
	}
	return ""
}

// Validate checks a rule; the error is an *otklik.Error with code
// EINVALID whose Fields name every bad field (when.kinds[0],
// owner.email, watchers[1].kind, first_contact_minutes, …).
func (r Rule) Validate() error {
	var p otklik.Problems
	name := strings.TrimSpace(r.Name)
	switch {
	case name == "":
		p.Add("name", "is required")
	case utf8.RuneCountInString(name) > MaxNameLength:
		p.Add("name", "is longer than %d characters", MaxNameLength)
	}
	if r.Position < 0 {
		p.Add("position", "must not be negative")
	}
	if r.When.empty() {
		p.Add("when", "needs at least one criterion")
	}
	validateCondition(&p, "when", r.When, true)

	switch r.Owner.Kind {
	case OwnerUser:
		checkEmail(&p, "owner.email", r.Owner.Email)
	case OwnerAccountManager, OwnerTeamLead:
		if r.Owner.Email != "" {
			p.Add("owner.email", "is only for owner kind user")
		}
	default:
		p.Add("owner.kind", "must be one of account_manager, user, team_lead")
	}

	seen := map[WatcherSpec]bool{}
	for i, w := range r.Watchers {
		f := "watchers[" + itoa(i) + "]"
		switch w.Kind {
		case WatcherUser:
			checkEmail(&p, f+".email", w.Email)
		case WatcherManagerLead, WatcherChannelSpecialist:
			if w.Email != "" {
				p.Add(f+".email", "is only for watcher kind user")
			}
		default:
			p.Add(f+".kind", "must be one of manager_lead, user, channel_specialist")
		}
		key := WatcherSpec{Kind: w.Kind, Email: strings.ToLower(strings.TrimSpace(w.Email))}
		if seen[key] {
			p.Add(f, "is listed twice")
		}
		seen[key] = true
	}

	switch {
	case r.FirstContact <= 0:
		p.Add("first_contact_minutes", "must be positive")
	case r.FirstContact%time.Minute != 0:
		p.Add("first_contact_minutes", "must be whole minutes")
	case r.FirstContact > MaxFirstContact:
		p.Add("first_contact_minutes", "must be at most %d", int64(MaxFirstContact/time.Minute))
	}
	if r.Resolution < 1 || r.Resolution > MaxResolutionDays {
		p.Add("resolution_days", "must be between 1 and %d", MaxResolutionDays)
	}
	if r.Case != "" && r.Case != otklik.CaseDetractor && r.Case != otklik.CaseThanks {
		p.Add("case", "must be detractor or thanks")
	}
	if r.ResurveyDays < 0 || r.ResurveyDays > 365 {
		p.Add("resurvey_days", "must be between 0 and 365")
	}
	return p.Err("the routing rule is not valid")
}

func validateCondition(p *otklik.Problems, f string, c Condition, top bool) {
	for i, k := range c.Kinds {
		switch k {
		case otklik.KindNPS, otklik.KindCSAT, otklik.KindCES, otklik.KindCustom:
		default:
			p.Add(f+".kinds["+itoa(i)+"]", "must be one of nps, csat, ces, custom")
		}
	}
	if c.ScoreMax != nil && (*c.ScoreMax < 0 || *c.ScoreMax > 10) {
		p.Add(f+".score_max", "must be between 0 and 10")
	}
	if c.ScoreMin != nil && (*c.ScoreMin < 0 || *c.ScoreMin > 10) {
		p.Add(f+".score_min", "must be between 0 and 10")
	}
	if c.CESHard && len(c.Kinds) > 0 && !slices.Contains(c.Kinds, otklik.KindCES) {
		p.Add(f+".ces_hard", "needs kind ces among kinds")
	}
	for i, k := range c.Keywords {
		switch {
		case len(words(k)) == 0:
			p.Add(f+".keywords["+itoa(i)+"]", "has no letters or digits")
		case utf8.RuneCountInString(k) > MaxKeywordLength:
			p.Add(f+".keywords["+itoa(i)+"]", "is longer than %d characters", MaxKeywordLength)
		}
	}
	for i, s := range c.Segments {
		if strings.TrimSpace(s) == "" {
			p.Add(f+".segments["+itoa(i)+"]", "is empty")
		}
	}
	if c.RevenueMin != nil && *c.RevenueMin < 0 {
		p.Add(f+".revenue_min", "must not be negative")
	}
	if len(c.Any) > 0 && !top {
		p.Add(f+".any", "may not be nested")
		return
	}
	for i, s := range c.Any {
		sf := f + ".any[" + itoa(i) + "]"
		if s.empty() {
			p.Add(sf, "needs at least one criterion")
		}
		validateCondition(p, sf, s, false)
	}
}

func checkEmail(p *otklik.Problems, field, email string) {
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		p.Add(field, "is not an e-mail address")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
