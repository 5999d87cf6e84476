package web

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"otklik"
	"otklik/internal/calendar"
	"otklik/internal/locale"
	"otklik/internal/loop"
)

func catalog(t testing.TB) *locale.Catalog {
	t.Helper()
	cat, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// msk is a wall-clock time in Moscow, where the default calendar works
// Monday to Friday, 09:00–18:00.
func msk(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, calendar.Moscow())
}

func ptr(t time.Time) *time.Time { return &t }

// TestSLATimerText checks the timer against deadlines worked out by hand on
// the default calendar. March 2026: Monday the 2nd; Monday the 9th is a
// public holiday (8 March falls on a Sunday).
func TestSLATimerText(t *testing.T) {
	cat := catalog(t)
	ru, en := cat.For("ru"), cat.For("en")
	cal := calendar.Default()
	// Opened Monday 12:00, first contact within 4 working hours: 16:00.
	open := &otklik.Case{Kind: otklik.CaseDetractor, Status: otklik.CaseOpen, OpenedAt: msk(2, 12, 0),
		FirstContactDue: ptr(msk(2, 16, 0)), ResolutionDue: ptr(msk(5, 18, 0))}
	contacted := *open
	contacted.Status, contacted.ContactedAt = otklik.CaseContacted, ptr(msk(2, 13, 0))
	thanks := *open
	thanks.Kind = otklik.CaseThanks
	// Opened Friday 17:00: one working hour that day, then Tuesday (Monday
	// the 9th is a holiday) 09:00–12:00.
	friday := &otklik.Case{Kind: otklik.CaseDetractor, Status: otklik.CaseOpen, OpenedAt: msk(6, 17, 0),
		FirstContactDue: ptr(msk(10, 12, 0))}
	dueFriday := &otklik.Case{Kind: otklik.CaseDetractor, Status: otklik.CaseOpen, FirstContactDue: ptr(msk(6, 18, 0))}
	resolvedLate := contacted
	resolvedLate.Status, resolvedLate.ResolvedAt = otklik.CaseResolved, ptr(msk(6, 10, 0))
	resolvedInTime := contacted
	resolvedInTime.Status, resolvedInTime.ResolvedAt = otklik.CaseResolved, ptr(msk(4, 10, 0))
	closedThanks := thanks
	closedThanks.Status = otklik.CaseClosed
	noDue := &otklik.Case{Kind: otklik.CaseDetractor, Status: otklik.CaseOpen}

	for _, tc := range []struct {
		name   string
		c      *otklik.Case
		now    time.Time
		ru, en string
		class  string
		paused bool
	}{
		{"2h15m left", open, msk(2, 13, 45), "2\u00a0ч 15\u00a0мин до первого контакта", "2\u00a0h 15\u00a0min to first contact", "running", false},
		{"whole hours", open, msk(2, 12, 0), "4\u00a0ч до первого контакта", "4\u00a0h to first contact", "running", false},
		{"under an hour", open, msk(2, 15, 30), "30\u00a0мин до первого контакта", "30\u00a0min to first contact", "soon", false},
		{"seconds round up", open, msk(2, 15, 59).Add(30 * time.Second), "1\u00a0мин до первого контакта", "1\u00a0min to first contact", "soon", false},
		{"overdue 1h10m", open, msk(2, 17, 10), "просрочено на 1\u00a0ч 10\u00a0мин — первый контакт", "overdue by 1\u00a0h 10\u00a0min — first contact", "over", false},
		// 16:00–18:00 counts; the evening does not.
		{"overdue in the evening", open, msk(2, 20, 0), "просрочено на 2\u00a0ч — первый контакт", "overdue by 2\u00a0h — first contact", "over", true},
		{"overdue only in the night", dueFriday, msk(7, 10, 0), "срок первого контакта истёк", "first contact deadline passed", "over", true},
		// Saturday: Tuesday 09:00–12:00 is all that is left.
		{"weekend and holiday", friday, msk(7, 12, 0), "3\u00a0ч до первого контакта", "3\u00a0h to first contact", "running", true},
		// Tuesday 10:00 → Thursday 18:00: 8 + 9 + 9 working hours.
		{"resolution", &contacted, msk(3, 10, 0), "26\u00a0ч до решения", "26\u00a0h to resolve", "running", false},
		{"thanks", &thanks, msk(2, 13, 45), "2\u00a0ч 15\u00a0мин, чтобы поблагодарить", "2\u00a0h 15\u00a0min to say thank you", "running", false},
		{"resolved late", &resolvedLate, msk(6, 11, 0), "решён с опозданием", "resolved late", "done", false},
		{"resolved in time", &resolvedInTime, msk(6, 11, 0), "решён в срок", "resolved in time", "done", false},
		{"thanked", &closedThanks, msk(6, 11, 0), "выполнено", "done", "done", false},
		{"no deadline", noDue, msk(2, 13, 0), "без срока", "no deadline", "running", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := slaOf(tc.c, cal, tc.now.UTC())
			if got := v.Text(ru); got != tc.ru {
				t.Errorf("ru: %q, want %q", got, tc.ru)
			}
			if got := v.Text(en); got != tc.en {
				t.Errorf("en: %q, want %q", got, tc.en)
			}
			if v.Class() != tc.class {
				t.Errorf("class %q, want %q", v.Class(), tc.class)
			}
			if v.Done == "" && v.Which != "" && v.Paused != tc.paused {
				t.Errorf("paused %v, want %v", v.Paused, tc.paused)
			}
		})
	}
}

// TestFieldMessagesTranslated: every message the forms can get back from
// the domain's validation reads in Russian, none falls through in English.
func TestFieldMessagesTranslated(t *testing.T) {
	ru := catalog(t).For("ru")
	six, eleven, minus := 6, 11, otklik.Amount(-1)
	var fields []otklik.FieldError
	add := func(err error) {
		if err == nil {
			t.Fatal("an invalid input passed validation")
		}
		fields = append(fields, otklik.ErrorFields(err)...)
	}
	add(loop.Rule{Position: -1, When: loop.Condition{}, Owner: loop.OwnerSpec{Kind: "boss"}, FirstContact: -time.Minute,
		Resolution: 0, Case: "sale", ResurveyDays: 400}.Validate())
	add(loop.Rule{Name: strings.Repeat("я", 201), When: loop.Condition{Kinds: []otklik.Kind{"poll", otklik.KindNPS}, ScoreMax: &eleven,
		ScoreMin: &six, CESHard: true, Keywords: []string{"!!"}, Segments: []string{" "}, RevenueMin: &minus,
		Any: []loop.Condition{{}, {Any: []loop.Condition{{CESHard: true}}}}},
		Owner:        loop.OwnerSpec{Kind: loop.OwnerUser, Email: "not an address"},
		Watchers:     []loop.WatcherSpec{{Kind: loop.WatcherUser, Email: "a@b.ru"}, {Kind: loop.WatcherUser, Email: "a@b.ru"}, {Kind: loop.WatcherManagerLead, Email: "x@y.ru"}, {Kind: "boss"}},
		FirstContact: 90 * time.Second, Resolution: 1}.Validate())
	add(loop.Rule{Name: "r", When: loop.Condition{ScoreMax: &six}, Owner: loop.OwnerSpec{Kind: loop.OwnerTeamLead, Email: "a@b.ru"},
		FirstContact: 31 * 24 * time.Hour, Resolution: 1}.Validate())
	add(loop.Rule{Name: "r", When: loop.Condition{Keywords: []string{strings.Repeat("слово", 30)}}, Owner: loop.OwnerSpec{Kind: loop.OwnerAccountManager},
		FirstContact: time.Hour, Resolution: 1}.Validate())
	add((&otklik.CaseContact{Outcome: "maybe", Note: strings.Repeat("x", otklik.MaxNoteLength+1)}).Validate(time.Now()))
	add((&otklik.CaseContact{Outcome: "reached", At: time.Now().Add(time.Hour)}).Validate(time.Now()))
	add((&otklik.Resolution{RootCause: "fate", Action: strings.Repeat("x", otklik.MaxCaseTextLength+1)}).Validate())
	_, err := otklik.ValidateNote("  ")
	add(err)
	_, err = otklik.ValidateNote("\xff")
	add(err)
	fields = append(fields, otklik.FieldError{Field: "at", Message: "is not a date and time"},
		otklik.FieldError{Field: "x", Message: "is not a whole number"}, otklik.FieldError{Field: "x", Message: "is not an amount"},
		otklik.FieldError{Field: "rules", Message: "at most 100 rules"})
	if len(fields) < 30 {
		t.Fatalf("only %d messages collected: the fixture is broken", len(fields))
	}
	for _, f := range fields {
		got := fieldMessage(ru, f.Message)
		if got == f.Message || strings.Contains(got, "loop.err") || strings.Contains(got, "no value") {
			t.Errorf("%s: %q reads %q", f.Field, f.Message, got)
		}
	}
	if got := fieldMessage(ru, "is longer than 5000 characters"); got != "Слишком длинно: не больше 5000 символов." {
		t.Errorf("the limit is lost: %q", got)
	}
	if got := fieldMessage(ru, "must be between 0 and 10"); got != "Допустимо от 0 до 10." {
		t.Errorf("the range is lost: %q", got)
	}
	if got := fieldMessage(ru, "something new"); got != "something new" {
		t.Errorf("an unknown message is changed to %q", got)
	}
}

// TestRuntimeMessageIDs checks the ids the pages build from domain values
// (statuses, root causes, outcomes, timer states, timeline events), which a
// scan of the templates cannot see.
func TestRuntimeMessageIDs(t *testing.T) {
	cat := catalog(t)
	var ids []string
	for _, s := range append([]string{"active", "all"}, otklik.CaseStatuses...) {
		ids = append(ids, "loop.status."+s)
	}
	for _, c := range append([]string{"none"}, otklik.RootCauses...) {
		ids = append(ids, "loop.cause."+c)
	}
	for _, o := range otklik.ContactOutcomes {
		ids = append(ids, "loop.outcome."+o)
	}
	for _, k := range []string{otklik.CaseDetractor, otklik.CaseThanks} {
		ids = append(ids, "loop.kind."+k)
		for _, w := range []string{"first_contact", "resolution"} {
			for _, s := range []string{"left", "over", "expired"} {
				ids = append(ids, "loop.sla."+k+"."+w+"."+s)
			}
		}
	}
	for _, d := range []string{"resolved_in_time", "resolved_late", "closed", "thanked"} {
		ids = append(ids, "loop.sla.done."+d)
	}
	for _, e := range []string{"opened", "note", "contact", "resolved", "closed", "breach", "notified", "resurvey", "won_back",
		"about_opened", "about_first_contact", "about_resolution", "about_resolved", "breach_first_contact", "breach_resolution",
		"won_back_passive", "won_back_promoter", "won_back_none"} {
		ids = append(ids, "loop.event."+e)
	}
	for _, k := range ruleKinds {
		ids = append(ids, "loop.kindname."+string(k))
	}
	for _, o := range []string{loop.OwnerAccountManager, loop.OwnerTeamLead, loop.OwnerUser} {
		ids = append(ids, "loop.owner."+o)
	}
	for _, w := range []string{loop.WatcherManagerLead, loop.WatcherChannelSpecialist} {
		ids = append(ids, "loop.watcher."+w)
	}
	for _, c := range loopCuts {
		ids = append(ids, "loop.dash.by_"+c, "loop.dash.col_"+c)
	}
	for _, s := range []string{"contacted_in_sla", "resolved_in_sla", "won_passive", "won_promoter", "won_answered"} {
		ids = append(ids, "loop.cases.drill_"+s)
	}
	for i := 1; i <= 7; i++ {
		ids = append(ids, "loop.weekday."+string(rune('0'+i)))
	}
	for _, m := range fieldMessages {
		ids = append(ids, m.id)
	}
	for _, id := range caseDone {
		ids = append(ids, id)
	}
	for _, id := range ruleDone {
		ids = append(ids, id)
	}
	// And every whole id the loop's Go files name.
	files, _ := filepath.Glob("*.go")
	literal := regexp.MustCompile(`"(loop\.[a-z0-9_.]*[a-z0-9])"`)
	found := 0
	for _, f := range files {
		if !strings.HasPrefix(f, "cases") && !strings.HasPrefix(f, "loop") && !strings.HasPrefix(f, "feedback") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			ids = append(ids, m[1])
			found++
		}
	}
	if found < 40 {
		t.Fatalf("found only %d ids in the Go files: the scan is broken", found)
	}
	for _, lang := range []string{"ru", "en"} {
		if missing := cat.MissingIn(lang, ids); len(missing) > 0 {
			t.Errorf("%s lacks %v", lang, missing)
		}
	}
	// «other» is reserved in the catalogue format: make sure the root cause
	// of that name reads as a word, not as its id.
	if got := cat.For("ru").T("loop.cause.other"); got != "Другое" {
		t.Errorf("loop.cause.other reads %q", got)
	}
}

func TestCaseQueryMatches(t *testing.T) {
	loc := calendar.Moscow()
	due := msk(2, 16, 0)
	in, late := msk(2, 15, 0), msk(2, 17, 0)
	base := otklik.Case{ID: 10, Kind: otklik.CaseDetractor, Status: otklik.CaseContacted, Owner: "anna@x.ru", Team: "Север",
		FirstContactDue: &due, ContactedAt: &in}
	lateCase := base
	lateCase.ContactedAt, lateCase.FirstContactBreach = &late, &due
	noOwner := base
	noOwner.Owner = ""
	resolved := base
	resolved.Status, resolved.ResolvedAt, resolved.ResolutionDue, resolved.RootCause, resolved.WonBack = otklik.CaseResolved, &in, &due, "price", "promoter"
	thanks := base
	thanks.Kind = otklik.CaseThanks
	q := func(s string) caseQuery {
		v, err := url.ParseQuery(s)
		if err != nil {
			t.Fatal(err)
		}
		return readCaseQuery(v, loc)
	}
	for _, tc := range []struct {
		query string
		c     otklik.Case
		want  bool
	}{
		{"", base, true},
		{"", resolved, false}, // the board starts with the cases in progress
		{"status=all", resolved, true},
		{"status=resolved", base, false},
		{"status=bogus", base, true}, // unknown values are dropped
		{"kind=thanks", base, false},
		{"kind=thanks", thanks, true},
		{"owner=ANNA@x.ru", base, true},
		{"owner=boris@x.ru", base, false},
		{"from=2026-03-01&to=2026-03-31&owner=-", noOwner, true},
		{"from=2026-03-01&to=2026-03-31&owner=-", base, false},
		{"team=Юг", base, false},
		{"overdue=1", base, false},
		{"overdue=1", lateCase, true},
		{"from=2026-03-01&to=2026-03-31&sla=contacted_in_sla", base, true},
		{"from=2026-03-01&to=2026-03-31&sla=contacted_in_sla", lateCase, false},
		{"from=2026-03-01&to=2026-03-31&sla=resolved_in_sla", base, false},
		{"from=2026-03-01&to=2026-03-31&sla=resolved_in_sla", resolved, true},
		{"from=2026-03-01&to=2026-03-31&won_back=promoter", resolved, true},
		{"from=2026-03-01&to=2026-03-31&won_back=passive", resolved, false},
		{"from=2026-03-01&to=2026-03-31&won_back=answered", base, false},
		{"from=2026-03-01&to=2026-03-31&root_cause=price", resolved, true},
		{"from=2026-03-01&to=2026-03-31&root_cause=-", resolved, false},
		{"from=2026-03-01&to=2026-03-31&root_cause=-", base, true},
		{"after=10", base, false},
		{"after=11", base, true},
	} {
		if got := q(tc.query).matches(&tc.c); got != tc.want {
			t.Errorf("%q on case %+v: %v, want %v", tc.query, tc.c.Status, got, tc.want)
		}
	}
	if c := q("from=2026-03-01&to=2026-03-31"); !c.Period || c.Status != "all" {
		t.Errorf("a period's drill-down starts with status %q (period %v), want all", c.Status, c.Period)
	}
	if c := q("from=yesterday"); c.Period || !c.Invalid {
		t.Errorf("a bad period is taken: %+v", c)
	}
	// The next page's link keeps the filter.
	if got := q("status=open&owner=anna@x.ru&overdue=1").encode(42); got != "after=42&overdue=1&owner=anna%40x.ru&status=open" {
		t.Errorf("next page %q", got)
	}
}

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"Коротко", 20, "Коротко"},
		{"  много   пробелов\nи строк ", 40, "много пробелов и строк"},
		{"Ждал одобрения три недели, никто не перезвонил", 20, "Ждал одобрения три…"},
		{"Оченьдлинноесловобезпробелов", 10, "Оченьдлинн…"},
	} {
		if got := excerpt(tc.in, tc.n); got != tc.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// FuzzReadCaseQuery: any query string gives a query whose values are ones
// the board knows, and encoding it and reading it back changes nothing.
func FuzzReadCaseQuery(f *testing.F) {
	for _, s := range []string{"", "status=open&kind=thanks&owner=a@b.ru&overdue=1&after=5",
		"from=2026-03-01&to=2026-03-31&sla=contacted_in_sla&won_back=passive&root_cause=-", "from=2026-13-01", "after=-1&status=%00"} {
		f.Add(s)
	}
	loc := calendar.Moscow()
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q := readCaseQuery(v, loc)
		if q.Status != "active" && q.Status != "all" && !contains(otklik.CaseStatuses, q.Status) {
			t.Fatalf("status %q", q.Status)
		}
		if q.Kind != "" && q.Kind != otklik.CaseDetractor && q.Kind != otklik.CaseThanks || q.After < 0 {
			t.Fatalf("kind %q after %d", q.Kind, q.After)
		}
		if q.Period && (q.FromT.IsZero() || !q.ToT.After(q.FromT)) {
			t.Fatalf("period %v–%v", q.FromT, q.ToT)
		}
		again, _ := url.ParseQuery(q.encode(q.After))
		if r := readCaseQuery(again, loc); r.encode(r.After) != q.encode(q.After) {
			t.Fatalf("round trip: %q → %q", q.encode(q.After), r.encode(r.After))
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestTimelineEvents: each kind of event reads as a sentence in the
// reader's language, with what its data says; a kind the page does not know
// shows as it is, never as an id.
func TestTimelineEvents(t *testing.T) {
	ru := catalog(t).For("ru")
	s := &Server{cfg: Config{Location: calendar.Moscow()}}
	at := msk(2, 14, 5).UTC()
	names := map[string]string{"anna@x.ru": "Анна Петрова"}
	for _, tc := range []struct {
		e     otklik.CaseEvent
		title string
		lines []string
		body  string
	}{
		{otklik.CaseEvent{Kind: "opened", Body: loop.DefaultRule().Name}, "Случай открыт", []string{"по правилу «Недовольные клиенты»"}, ""},
		{otklik.CaseEvent{Kind: "note", Author: "anna@x.ru", Body: "Перезвонить завтра"}, "Заметка", nil, "Перезвонить завтра"},
		{otklik.CaseEvent{Kind: "contact", Body: "Не взял трубку", Data: []byte(`{"outcome":"no_answer","at":"` + at.Format(time.RFC3339) + `"}`)},
			"Звонок: Не ответил", []string{"время звонка: 2 марта 2026, 14:05"}, "Не взял трубку"},
		{otklik.CaseEvent{Kind: "breach", Body: "resolution"}, "Просрочено решение", nil, ""},
		{otklik.CaseEvent{Kind: "notified", Body: "breach_first_contact:anna@x.ru", Data: []byte(`{"channel":"email","to":"anna@x.ru"}`)},
			"Отправлено уведомление", []string{"Анна Петрова — о просроченном первом контакте"}, ""},
		{otklik.CaseEvent{Kind: "resolved", Body: "Вернули комиссию", Data: []byte(`{"root_cause":"other","decision":"Вернули комиссию","action":"Обучить","customer_told":true}`)},
			"Решено", []string{"Причина: Другое", "Что сделаем: Обучить", "Клиенту сообщили о решении"}, "Вернули комиссию"},
		{otklik.CaseEvent{Kind: "won_back", Body: "passive"}, "Клиент вернулся: теперь нейтрал (7–8)", nil, ""},
		{otklik.CaseEvent{Kind: "closed", Author: "anna@x.ru"}, "Случай закрыт", nil, ""},
		{otklik.CaseEvent{Kind: "escalated", Body: "to the director"}, "escalated", nil, "to the director"},
		{otklik.CaseEvent{Kind: "contact", Data: []byte(`not json`)}, "Звонок", nil, ""},
	} {
		v := s.eventOf(ru, tc.e, names)
		if v.Title != tc.title || fmt.Sprint(v.Lines) != fmt.Sprint(tc.lines) || v.Body != tc.body {
			t.Errorf("%s: %q %q %q, want %q %q %q", tc.e.Kind, v.Title, v.Lines, v.Body, tc.title, tc.lines, tc.body)
		}
	}
	if v := s.eventOf(ru, otklik.CaseEvent{Kind: "note", Author: "anna@x.ru"}, names); v.Author != "Анна Петрова" {
		t.Errorf("the author is %q, want the user's name", v.Author)
	}
}

// BenchmarkBoardTimers is the timer work of one page of the board: 50
// cases, each counting working time to its deadline on the calendar, some
// of them days away.
func BenchmarkBoardTimers(b *testing.B) {
	l := catalog(b).For("ru")
	cal := calendar.Default()
	now := msk(6, 17, 0).UTC()
	var cases []*otklik.Case
	for i := range casesPageSize {
		due := msk(2, 9, 0).Add(time.Duration(i) * 3 * time.Hour)
		cases = append(cases, &otklik.Case{Kind: otklik.CaseDetractor, Status: otklik.CaseOpen, FirstContactDue: &due})
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cases {
			_ = slaOf(c, cal, now).Text(l)
		}
	}
}
