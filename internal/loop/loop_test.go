package loop

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"otklik"
	"otklik/internal/calendar"
)

func amount(v otklik.Amount) *otklik.Amount { return &v }

func resp(score int, comment string) *otklik.Response {
	return &otklik.Response{Score: score, Comment: comment}
}

func TestDefaultRuleMatches(t *testing.T) {
	def := DefaultRule()
	if err := def.Validate(); err != nil {
		t.Fatalf("default rule invalid: %v", err)
	}
	if !def.Enabled || def.Owner.Kind != OwnerAccountManager ||
		!slices.Equal(def.Watchers, []WatcherSpec{{Kind: WatcherManagerLead}}) ||
		def.FirstContact != 4*time.Hour || def.Resolution != 3 {
		t.Fatalf("default rule = %+v", def)
	}
	tests := []struct {
		kind  otklik.Kind
		score int
		want  bool
	}{
		{otklik.KindNPS, 0, true},
		{otklik.KindNPS, 3, true},
		{otklik.KindNPS, 6, true},
		{otklik.KindNPS, 7, false},
		{otklik.KindNPS, 10, false},
		{otklik.KindCSAT, 1, true},
		{otklik.KindCSAT, 2, true},
		{otklik.KindCSAT, 3, true},
		{otklik.KindCSAT, 4, false},
		{otklik.KindCES, 6, false},
		{otklik.KindCES, 2, false}, // CES is not in the default rule
		{otklik.KindCustom, 1, false},
	}
	for _, tt := range tests {
		_, got := Route([]Rule{def}, resp(tt.score, ""), tt.kind)
		if got != tt.want {
			t.Errorf("%s %d: matched = %v, want %v", tt.kind, tt.score, got, tt.want)
		}
	}
	if _, ok := Route([]Rule{def}, nil, otklik.KindNPS); ok {
		t.Error("nil response matched")
	}
}

func TestCESHard(t *testing.T) {
	r := Rule{Enabled: true, When: Condition{CESHard: true}}
	for score, want := range map[int]bool{1: true, 3: true, 4: false, 7: false} {
		if _, got := Route([]Rule{r}, resp(score, ""), otklik.KindCES); got != want {
			t.Errorf("CES %d: %v, want %v", score, got, want)
		}
	}
	if _, got := Route([]Rule{r}, resp(2, ""), otklik.KindCSAT); got {
		t.Error("CSAT 2 matched ces_hard")
	}
}

func TestKeywords(t *testing.T) {
	tests := []struct {
		comment, keyword string
		want             bool
	}{
		{"Задержки с выплатой", "задержка", true},
		{"ЗАДЕРЖКА", "задержка", true},
		{"были задержки", "Задержки", true},
		{"Всё отлично", "задержка", false},
		{"Оплату списали дважды", "оплата", true},
		{"Ещё ждём ответа", "еще", true}, // ё is е
		{"Delayed payouts again!", "delay", true},
		{"two delays this month", "delays", true},
		{"refunds are slow", "refund", true},
		{"Долго не отвечала поддержка", "поддержка", true},
		{"служба поддержки не ответила", "служба поддержки", true},
		{"поддержки служба", "служба поддержки", false}, // a phrase keeps its order
		{"хорошая поддержка", "", false},
		{"", "задержка", false},
	}
	for _, tt := range tests {
		if got := MatchKeyword(tt.comment, tt.keyword); got != tt.want {
			t.Errorf("MatchKeyword(%q, %q) = %v, want %v", tt.comment, tt.keyword, got, tt.want)
		}
	}
	r := Rule{Enabled: true, When: Condition{Keywords: []string{"возврат", "задержка"}}}
	if _, ok := Route([]Rule{r}, resp(9, "Задержки с выплатой"), otklik.KindNPS); !ok {
		t.Error("rule with keyword задержка did not match «Задержки с выплатой»")
	}
	if _, ok := Route([]Rule{r}, resp(9, "Спасибо"), otklik.KindNPS); ok {
		t.Error("rule with keywords matched «Спасибо»")
	}
}

func TestSegmentAndRevenue(t *testing.T) {
	rule := Rule{Enabled: true, When: Condition{
		ScoreMax:   intp(6),
		Segments:   []string{"enterprise", "Key"},
		RevenueMin: amount(1_000_000_00), // 1 000 000.00
	}}
	with := func(seg string, rev *otklik.Amount, score int) *otklik.Response {
		r := resp(score, "")
		r.Snapshot = otklik.Dimensions{Segment: seg, Revenue: rev}
		return r
	}
	tests := []struct {
		name string
		r    *otklik.Response
		want bool
	}{
		{"at threshold", with("Enterprise", amount(1_000_000_00), 5), true},
		{"above, other listed segment", with("key", amount(5_000_000_00), 0), true},
		{"one kopeck below", with("enterprise", amount(999_999_99), 5), false},
		{"revenue unknown", with("enterprise", nil, 5), false},
		{"segment not listed", with("smb", amount(5_000_000_00), 5), false},
		{"no segment", with("", amount(5_000_000_00), 5), false},
		{"score too high", with("enterprise", amount(5_000_000_00), 7), false},
	}
	for _, tt := range tests {
		if _, got := Route([]Rule{rule}, tt.r, otklik.KindNPS); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRouteOrder(t *testing.T) {
	vip := Rule{ID: 1, Name: "vip", Enabled: true, Position: 0,
		When: Condition{Segments: []string{"vip"}, ScoreMax: intp(6)}}
	def := DefaultRule()
	def.ID, def.Position = 2, 1
	keyword := Rule{ID: 3, Name: "keyword", Enabled: true, Position: 2,
		When: Condition{Keywords: []string{"задержка"}}}

	vipAnswer := resp(3, "Задержки")
	vipAnswer.Snapshot.Segment = "VIP"

	// Given out of order: Position decides.
	rules := []Rule{keyword, def, vip}
	if got, ok := Route(rules, vipAnswer, otklik.KindNPS); !ok || got.ID != 1 {
		t.Errorf("vip answer routed to %d (%v), want 1", got.ID, ok)
	}
	if got, ok := Route(rules, resp(3, "Задержки"), otklik.KindNPS); !ok || got.ID != 2 {
		t.Errorf("plain detractor routed to %d (%v), want 2", got.ID, ok)
	}
	if got, ok := Route(rules, resp(9, "Задержки"), otklik.KindNPS); !ok || got.ID != 3 {
		t.Errorf("promoter with keyword routed to %d (%v), want 3", got.ID, ok)
	}
	if _, ok := Route(rules, resp(9, "Спасибо"), otklik.KindNPS); ok {
		t.Error("a happy promoter opened a case")
	}

	// Equal positions keep slice order.
	a := Rule{ID: 10, Enabled: true, When: Condition{ScoreMax: intp(6)}}
	b := Rule{ID: 11, Enabled: true, When: Condition{ScoreMax: intp(6)}}
	if got, _ := Route([]Rule{b, a}, resp(1, ""), otklik.KindNPS); got.ID != 11 {
		t.Errorf("tie routed to %d, want 11", got.ID)
	}

	// A disabled rule is skipped.
	vip.Enabled = false
	if got, ok := Route([]Rule{keyword, def, vip}, vipAnswer, otklik.KindNPS); !ok || got.ID != 2 {
		t.Errorf("with vip disabled routed to %d (%v), want 2", got.ID, ok)
	}
	def.Enabled = false
	if _, ok := Route([]Rule{def}, resp(0, ""), otklik.KindNPS); ok {
		t.Error("disabled default rule matched")
	}
	if _, ok := Route(nil, resp(0, ""), otklik.KindNPS); ok {
		t.Error("no rules matched")
	}
}

func fieldsOf(err error) []string {
	var out []string
	for _, f := range otklik.ErrorFields(err) {
		out = append(out, f.Field)
	}
	return out
}

func TestValidate(t *testing.T) {
	bad := Rule{
		Name:     "  ",
		Position: -1,
		When: Condition{
			Kinds:      []otklik.Kind{"nps", "bogus"},
			ScoreMax:   intp(11),
			CESHard:    true,
			Keywords:   []string{"ok", "!!!"},
			Segments:   []string{" "},
			RevenueMin: amount(-1),
			Any:        []Condition{{}, {Any: []Condition{{CESHard: true}}}},
		},
		Owner: OwnerSpec{Kind: "user", Email: "not-an-email"},
		Watchers: []WatcherSpec{
			{Kind: "manager_lead"},
			{Kind: "boss"},
			{Kind: "manager_lead"},
			{Kind: "channel_specialist", Email: "a@b.ru"},
		},
		FirstContact: 90 * time.Second,
		Resolution:   0,
	}
	err := bad.Validate()
	var e *otklik.Error
	if !errors.As(err, &e) || e.Code != otklik.EINVALID {
		t.Fatalf("Validate() = %v, want an EINVALID *otklik.Error", err)
	}
	want := []string{
		"name", "position",
		"when.kinds[1]", "when.score_max", "when.ces_hard", "when.keywords[1]",
		"when.segments[0]", "when.revenue_min",
		"when.any[0]", "when.any[1].any",
		"owner.email",
		"watchers[1].kind", "watchers[2]", "watchers[3].email",
		"first_contact_minutes", "resolution_days",
	}
	if got := fieldsOf(err); !slices.Equal(got, want) {
		t.Errorf("fields\n got %q\nwant %q", got, want)
	}

	tests := []struct {
		name   string
		mutate func(*Rule)
		field  string
	}{
		{"empty condition", func(r *Rule) { r.When = Condition{} }, "when"},
		{"unknown owner", func(r *Rule) { r.Owner = OwnerSpec{Kind: "ceo"} }, "owner.kind"},
		{"user without email", func(r *Rule) { r.Owner = OwnerSpec{Kind: "user"} }, "owner.email"},
		{"email on account manager", func(r *Rule) { r.Owner.Email = "x@y.ru" }, "owner.email"},
		{"no first contact", func(r *Rule) { r.FirstContact = 0 }, "first_contact_minutes"},
		{"first contact too long", func(r *Rule) { r.FirstContact = 31 * 24 * time.Hour }, "first_contact_minutes"},
		{"resolution too long", func(r *Rule) { r.Resolution = 366 }, "resolution_days"},
		{"long name", func(r *Rule) { r.Name = string(make([]rune, 201)) }, "name"},
	}
	for _, tt := range tests {
		r := DefaultRule()
		tt.mutate(&r)
		if got := fieldsOf(r.Validate()); !slices.Equal(got, []string{tt.field}) {
			t.Errorf("%s: fields %q, want [%q]", tt.name, got, tt.field)
		}
	}

	good := Rule{
		Name: "Крупные клиенты", Enabled: true, Position: 3,
		When:         Condition{Kinds: []otklik.Kind{otklik.KindCES}, CESHard: true, Segments: []string{"enterprise"}},
		Owner:        OwnerSpec{Kind: OwnerUser, Email: "lead@example.ru"},
		Watchers:     []WatcherSpec{{Kind: WatcherChannelSpecialist}, {Kind: WatcherUser, Email: "ceo@example.ru"}},
		FirstContact: 90 * time.Minute,
		Resolution:   1,
	}
	if err := good.Validate(); err != nil {
		t.Errorf("good rule: %v", err)
	}
}

func TestRuleJSON(t *testing.T) {
	def := DefaultRule()
	def.ID = 7
	b, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["first_contact_minutes"] != 240.0 || m["resolution_days"] != 3.0 || m["id"] != 7.0 {
		t.Errorf("JSON = %s", b)
	}
	var back Rule
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) || back.FirstContact != 4*time.Hour {
		t.Errorf("round trip\n got %s\nwant %s", b2, b)
	}
}

func TestDue(t *testing.T) {
	cal := calendar.Default()
	msk := calendar.Moscow()
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, msk) }
	rule := DefaultRule() // 4 working hours, 3 working days
	tests := []struct {
		name       string
		opened     time.Time
		first, res time.Time
	}{
		// Mon 09:00–18:00. Tue 16:00: 2h Tue, Wed 4 Nov is a holiday, 2h Thu → Thu 11:00.
		// Days: Thu 5 (1), Fri 6 (2), weekend, Mon 9 (3) → Mon 18:00.
		{"Tuesday before the 4 November holiday", at(time.November, 3, 16, 0), at(time.November, 5, 11, 0), at(time.November, 9, 18, 0)},
		// Fri 30 Oct 16:00: 2h Fri, weekend, 2h Mon → Mon 2 Nov 11:00.
		// Days: Mon 2 (1), Tue 3 (2), Wed 4 holiday, Thu 5 (3) → Thu 18:00.
		{"Friday before the weekend and the holiday", at(time.October, 30, 16, 0), at(time.November, 2, 11, 0), at(time.November, 5, 18, 0)},
		// On the holiday itself: the clock starts Thu 09:00 → Thu 13:00; days Thu, Fri, Mon.
		{"on the holiday", at(time.November, 4, 10, 0), at(time.November, 5, 13, 0), at(time.November, 9, 18, 0)},
		// Saturday night: Mon 09:00 + 4h; days Mon, Tue, Thu (Wed is the holiday).
		{"Saturday", at(time.October, 31, 23, 30), at(time.November, 2, 13, 0), at(time.November, 5, 18, 0)},
		// An ordinary Monday morning: same day; Tue, Wed, Thu.
		{"ordinary Monday", at(time.October, 19, 9, 30), at(time.October, 19, 13, 30), at(time.October, 22, 18, 0)},
	}
	for _, tt := range tests {
		first, res := Due(cal, tt.opened, rule)
		if !first.Equal(tt.first) || !res.Equal(tt.res) {
			t.Errorf("%s: Due = %s, %s; want %s, %s", tt.name,
				first.In(msk).Format(time.DateTime), res.In(msk).Format(time.DateTime),
				tt.first.Format(time.DateTime), tt.res.Format(time.DateTime))
		}
	}
	// The same instant given in UTC gives the same due instants.
	first, res := Due(cal, at(time.November, 3, 16, 0).UTC(), rule)
	if !first.Equal(at(time.November, 5, 11, 0)) || !res.Equal(at(time.November, 9, 18, 0)) {
		t.Errorf("UTC input: %s, %s", first, res)
	}
	if cal.Breached(first, first) || !cal.Breached(first, first.Add(time.Second)) {
		t.Error("Breached at the due instant is wrong")
	}
}

func TestWonBack(t *testing.T) {
	tests := []struct {
		before, after int
		want          string
	}{
		{0, 10, WonBackPromoter},
		{6, 9, WonBackPromoter},
		{3, 7, WonBackPassive},
		{6, 8, WonBackPassive},
		{6, 6, ""},
		{2, 0, ""},
		{7, 10, ""}, // a passive was never lost
		{8, 9, ""},
		{9, 10, ""},
		{-1, 10, ""},
		{5, 11, ""},
	}
	for _, tt := range tests {
		if got := WonBack(tt.before, tt.after); got != tt.want {
			t.Errorf("WonBack(%d, %d) = %q, want %q", tt.before, tt.after, got, tt.want)
		}
	}
}

func TestStem(t *testing.T) {
	for in, want := range map[string]string{
		"задержка": "задержк", "задержки": "задержк", "выплатой": "выплат",
		"delay": "dela", "delays": "delay", "refund": "refund", "был": "был", "ой": "ой",
	} {
		if got := Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDefaultRulesRouteDetractorsAndPromoters(t *testing.T) {
	rules := DefaultRules()
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
	}
	tests := []struct {
		kind  otklik.Kind
		score int
		want  string // case kind, "" for none
	}{
		{otklik.KindNPS, 3, otklik.CaseDetractor},
		{otklik.KindNPS, 7, ""},
		{otklik.KindNPS, 8, ""},
		{otklik.KindNPS, 9, otklik.CaseThanks},
		{otklik.KindNPS, 10, otklik.CaseThanks},
		{otklik.KindCSAT, 5, ""}, // ScoreMin applies to NPS only
		{otklik.KindCSAT, 2, otklik.CaseDetractor},
	}
	for _, tt := range tests {
		got := ""
		if r, ok := Route(rules, resp(tt.score, ""), tt.kind); ok {
			got = r.Case
		}
		if got != tt.want {
			t.Errorf("%s %d → %q, want %q", tt.kind, tt.score, got, tt.want)
		}
	}
	bad := ThanksRule()
	bad.When.ScoreMin = intp(11)
	bad.Case = "party"
	bad.ResurveyDays = -1
	err := bad.Validate()
	got := map[string]bool{}
	for _, f := range otklik.ErrorFields(err) {
		got[f.Field] = true
	}
	for _, f := range []string{"when.score_min", "case", "resurvey_days"} {
		if !got[f] {
			t.Errorf("no problem for %s in %v", f, err)
		}
	}
}
