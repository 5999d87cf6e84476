package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/calendar"
	"otklik/internal/locale"
	"otklik/internal/loop"
)

// The routing rules editor. The rules are one ordered list saved whole
// through casework.Engine.SetRules, which validates every rule and names
// each bad field by its path in the list (items[2].when.score_max); the
// form's fields carry the same paths without the list prefix, so an error
// lands next to the field that caused it.

// ruleKinds are the survey kinds a condition may name.
var ruleKinds = []otklik.Kind{otklik.KindNPS, otklik.KindCSAT, otklik.KindCES, otklik.KindCustom}

// condForm is a condition as typed: numbers and lists stay text, so a
// refused form shows exactly what was typed.
type condForm struct {
	Kinds      map[otklik.Kind]bool
	ScoreMin   string
	ScoreMax   string
	CESHard    bool
	Keywords   string // comma-separated
	Segments   string // comma-separated
	RevenueMin string
}

func (c condForm) empty() bool {
	for _, on := range c.Kinds {
		if on {
			return false
		}
	}
	return c.ScoreMin == "" && c.ScoreMax == "" && !c.CESHard && c.Keywords == "" && c.Segments == "" && c.RevenueMin == ""
}

// ruleForm is a rule as the editor shows it.
type ruleForm struct {
	ID              int64
	Name            string
	Enabled         bool
	Position        int // 1-based place in the list
	When            condForm
	Any             []condForm // "or one of these"; the last one is blank, to add one
	OwnerKind       string
	OwnerEmail      string
	WatchLead       bool
	WatchSpecialist bool
	WatchEmails     string // comma-separated
	FirstContact    string // working minutes
	ResolutionDays  string
	Case            string
	ResurveyDays    string
}

func intText(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func condToForm(c loop.Condition) condForm {
	f := condForm{Kinds: map[otklik.Kind]bool{}, ScoreMin: intText(c.ScoreMin), ScoreMax: intText(c.ScoreMax), CESHard: c.CESHard,
		Keywords: strings.Join(c.Keywords, ", "), Segments: strings.Join(c.Segments, ", ")}
	for _, k := range c.Kinds {
		f.Kinds[k] = true
	}
	if c.RevenueMin != nil {
		f.RevenueMin = c.RevenueMin.String()
	}
	return f
}

func ruleToForm(r loop.Rule, position int) ruleForm {
	f := ruleForm{ID: r.ID, Name: r.Name, Enabled: r.Enabled, Position: position, When: condToForm(r.When),
		OwnerKind: r.Owner.Kind, OwnerEmail: r.Owner.Email, FirstContact: strconv.FormatInt(int64(r.FirstContact/time.Minute), 10),
		ResolutionDays: strconv.Itoa(r.Resolution), Case: r.Case, ResurveyDays: strconv.Itoa(r.ResurveyDays)}
	for _, a := range r.When.Any {
		f.Any = append(f.Any, condToForm(a))
	}
	var emails []string
	for _, w := range r.Watchers {
		switch w.Kind {
		case loop.WatcherManagerLead:
			f.WatchLead = true
		case loop.WatcherChannelSpecialist:
			f.WatchSpecialist = true
		default:
			emails = append(emails, w.Email)
		}
	}
	f.WatchEmails = strings.Join(emails, ", ")
	return f
}

// blankRule is what the editor offers for a new rule: a detractor case for
// the account manager, the default rule's deadlines.
func blankRule() loop.Rule {
	d := loop.DefaultRule()
	return loop.Rule{Enabled: true, Owner: d.Owner, Watchers: d.Watchers, FirstContact: d.FirstContact,
		Resolution: d.Resolution, Case: otklik.CaseDetractor, ResurveyDays: d.ResurveyDays}
}

func readCond(r *http.Request, prefix string) condForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(prefix + "." + k)) }
	c := condForm{Kinds: map[otklik.Kind]bool{}, ScoreMin: v("score_min"), ScoreMax: v("score_max"), CESHard: v("ces_hard") == "1",
		Keywords: v("keywords"), Segments: v("segments"), RevenueMin: v("revenue_min")}
	for _, k := range r.PostForm[prefix+".kinds"] {
		if slices.Contains(ruleKinds, otklik.Kind(k)) {
			c.Kinds[otklik.Kind(k)] = true
		}
	}
	return c
}

// readRuleForm reads the editor's fields. Blank "or" rows are dropped
// before anything else, so the rows' numbers in the engine's errors match
// the rows shown again.
func readRuleForm(r *http.Request) ruleForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := ruleForm{Name: v("name"), Enabled: v("enabled") == "1", When: readCond(r, "when"),
		OwnerKind: v("owner.kind"), OwnerEmail: strings.ToLower(v("owner.email")),
		WatchLead: v("watchers.manager_lead") == "1", WatchSpecialist: v("watchers.channel_specialist") == "1",
		WatchEmails: v("watchers.emails"), FirstContact: v("first_contact_minutes"), ResolutionDays: v("resolution_days"),
		Case: v("case"), ResurveyDays: v("resurvey_days")}
	f.ID, _ = strconv.ParseInt(v("id"), 10, 64)
	f.Position, _ = strconv.Atoi(v("position"))
	n, _ := strconv.Atoi(v("any_count"))
	for i := range min(n, 20) {
		if c := readCond(r, fmt.Sprintf("when.any[%d]", i)); !c.empty() {
			f.Any = append(f.Any, c)
		}
	}
	if f.OwnerKind != loop.OwnerUser {
		f.OwnerEmail = "" // only a named owner has one
	}
	return f
}

// splitList reads a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// cond turns the typed condition into the loop's; what cannot be read as a
// number is reported under the field's path.
func (c condForm) cond(prefix string, p *otklik.Problems) loop.Condition {
	out := loop.Condition{CESHard: c.CESHard, Keywords: splitList(c.Keywords), Segments: splitList(c.Segments)}
	for _, k := range ruleKinds {
		if c.Kinds[k] {
			out.Kinds = append(out.Kinds, k)
		}
	}
	out.ScoreMin = optionalInt(c.ScoreMin, prefix+".score_min", p)
	out.ScoreMax = optionalInt(c.ScoreMax, prefix+".score_max", p)
	if c.RevenueMin != "" {
		if a, err := otklik.ParseAmount(c.RevenueMin); err != nil {
			p.Add(prefix+".revenue_min", "is not an amount")
		} else {
			out.RevenueMin = &a
		}
	}
	return out
}

func optionalInt(s, field string, p *otklik.Problems) *int {
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		p.Add(field, "is not a whole number")
		return nil
	}
	return &n
}

func requiredInt(s, field string, p *otklik.Problems) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		p.Add(field, "is not a whole number")
	}
	return n
}

// rule builds the loop's rule from the form, with the problems of reading
// it (numbers that are not numbers); the engine validates the rest.
func (f ruleForm) rule() (loop.Rule, otklik.Problems) {
	var p otklik.Problems
	r := loop.Rule{ID: f.ID, Name: f.Name, Enabled: f.Enabled, When: f.When.cond("when", &p),
		Owner: loop.OwnerSpec{Kind: f.OwnerKind, Email: f.OwnerEmail}, Case: f.Case, Watchers: []loop.WatcherSpec{}}
	for i, a := range f.Any {
		r.When.Any = append(r.When.Any, a.cond(fmt.Sprintf("when.any[%d]", i), &p))
	}
	if f.WatchLead {
		r.Watchers = append(r.Watchers, loop.WatcherSpec{Kind: loop.WatcherManagerLead})
	}
	if f.WatchSpecialist {
		r.Watchers = append(r.Watchers, loop.WatcherSpec{Kind: loop.WatcherChannelSpecialist})
	}
	for _, m := range splitList(f.WatchEmails) {
		r.Watchers = append(r.Watchers, loop.WatcherSpec{Kind: loop.WatcherUser, Email: strings.ToLower(m)})
	}
	// A number of minutes too large for a duration would wrap around: it is
	// kept just past the limit, so the engine says what the limit is.
	minutes := requiredInt(f.FirstContact, "first_contact_minutes", &p)
	r.FirstContact = min(time.Duration(max(minutes, -1)), loop.MaxFirstContact/time.Minute+1) * time.Minute
	r.Resolution = requiredInt(f.ResolutionDays, "resolution_days", &p)
	if f.ResurveyDays != "" {
		r.ResurveyDays = requiredInt(f.ResurveyDays, "resurvey_days", &p)
	}
	return r, p
}

// listField is an engine error's field in the list of rules: the list's
// name (the API calls it items) and the rule's index, then the rule's own
// field.
var listField = regexp.MustCompile(`^[a-z_]+\[(\d+)\]\.(.+)$`)

// ruleErrorField splits an engine error's field into the rule's index and
// its field within the rule.
func ruleErrorField(field string) (int, string, bool) {
	m := listField.FindStringSubmatch(field)
	if m == nil {
		return 0, "", false
	}
	i, err := strconv.Atoi(m[1])
	return i, m[2], err == nil
}

// ruleFieldKey is the form field an engine error names: an element of a
// list is shown at its list, every watcher problem at the watchers.
func ruleFieldKey(field string) string {
	if strings.HasPrefix(field, "watchers") {
		return "watchers"
	}
	if i := strings.LastIndex(field, "["); i > 0 && strings.HasSuffix(field, "]") && !strings.HasSuffix(field[:i], "any") {
		return field[:i]
	}
	return field
}

// condFields are the fields a condition's row shows errors at.
var condFields = []string{"kinds", "score_min", "score_max", "ces_hard", "keywords", "segments", "revenue_min"}

// ruleErrors places field errors next to the form's fields; an error no
// field shows goes to Other, so none is lost.
type ruleErrors struct {
	At    map[string]string
	Other []string
}

func (f ruleForm) placeErrors(l *locale.Localizer, fields []otklik.FieldError) ruleErrors {
	known := map[string]bool{"name": true, "position": true, "when": true, "owner.kind": true, "owner.email": true,
		"watchers": true, "first_contact_minutes": true, "resolution_days": true, "case": true, "resurvey_days": true}
	prefixes := []string{"when"}
	for i := range f.Any {
		prefixes = append(prefixes, fmt.Sprintf("when.any[%d]", i))
		known[fmt.Sprintf("when.any[%d]", i)] = true
	}
	for _, p := range prefixes {
		for _, c := range condFields {
			known[p+"."+c] = true
		}
	}
	e := ruleErrors{At: map[string]string{}}
	for _, fe := range fields {
		key := ruleFieldKey(fe.Field)
		msg := fieldMessage(l, fe.Message)
		switch {
		case !known[key]:
			e.Other = append(e.Other, fe.Field+": "+msg)
		case e.At[key] == "":
			e.At[key] = msg
		case !strings.Contains(e.At[key], msg):
			e.At[key] += "; " + msg
		}
	}
	return e
}

// ruleName is a rule's name for the reader: the shipped rules are stored
// under English names and read in the reader's language until renamed.
func ruleName(l *locale.Localizer, name string) string {
	switch name {
	case loop.DefaultRule().Name:
		return l.T("loop.rule.default_detractors")
	case loop.ThanksRule().Name:
		return l.T("loop.rule.default_thanks")
	}
	return name
}

// ruleRow is a rule in the list, in words.
type ruleRow struct {
	R            loop.Rule
	Name         string
	When         string
	Owner        string
	Watchers     string
	FirstContact string
	Resolution   string
	Resurvey     string
}

// calendarView is the business calendar, read-only.
type calendarView struct {
	Zone     string
	Days     []calendarDay
	Upcoming []time.Time // the next holidays
}

type calendarDay struct {
	Name, Hours string
}

type rulesData struct {
	Rows       []ruleRow
	AnyEnabled bool
	Calendar   calendarView
	Error      string
}

type ruleFormData struct {
	F        ruleForm
	New      bool
	Count    int // places in the list the rule may take
	Errors   ruleErrors
	Kinds    []otklik.Kind
	Users    []*otklik.User
	Prefixes []string // the "or" rows' field prefixes, in order
	// OwnerKinds and CaseKinds are the choices of the owner and case kind.
	OwnerKinds []string
	CaseKinds  []string
}

// sortedRules returns the rules in their order of evaluation.
func (s *Server) sortedRules(ctx context.Context) ([]loop.Rule, error) {
	if s.cfg.Cases == nil {
		return nil, otklik.Errorf(otklik.EINTERNAL, "no closed-loop engine")
	}
	rules, err := s.cfg.Cases.Rules(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rules, func(a, b loop.Rule) int { return a.Position - b.Position })
	return rules, nil
}

func manageLoop(r *http.Request) error {
	_, err := viewerOf(r).user.Actor().Scope(otklik.ManageLoop)
	return err
}

var ruleDone = map[string]string{"saved": "loop.rules.saved", "deleted": "loop.rules.deleted", "changed": "loop.rules.changed"}

func (s *Server) loopRules(w http.ResponseWriter, r *http.Request) {
	if err := manageLoop(r); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.renderRules(w, r, http.StatusOK, ruleDone[r.URL.Query().Get("done")], "")
}

func (s *Server) renderRules(w http.ResponseWriter, r *http.Request, status int, notice, problem string) {
	ctx := r.Context()
	rules, err := s.sortedRules(ctx)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	l := s.localizer(r)
	d := rulesData{Calendar: s.calendarView(l, cal), Error: problem}
	for _, rule := range rules {
		d.Rows = append(d.Rows, ruleRowOf(l, rule))
		d.AnyEnabled = d.AnyEnabled || rule.Enabled
	}
	s.render(w, r, status, "loop_rules", page{Title: "loop.rules.title", Nav: "loop", Notice: notice, Data: d})
}

func (s *Server) loopRuleForm(w http.ResponseWriter, r *http.Request) {
	if err := manageLoop(r); err != nil {
		s.errorPage(w, r, err)
		return
	}
	rules, err := s.sortedRules(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := ruleFormData{New: true, F: ruleToForm(blankRule(), len(rules)+1), Count: len(rules) + 1}
	if idText := r.PathValue("id"); idText != "" {
		id, _ := strconv.ParseInt(idText, 10, 64)
		i := slices.IndexFunc(rules, func(x loop.Rule) bool { return x.ID == id })
		if i < 0 || id <= 0 {
			s.errorPage(w, r, otklik.Errorf(otklik.ENOTFOUND, "no rule %s", idText))
			return
		}
		d.New, d.F, d.Count = false, ruleToForm(rules[i], i+1), len(rules)
		d.F.Name = ruleName(s.localizer(r), d.F.Name)
	}
	s.renderRuleForm(w, r, http.StatusOK, d)
}

func (s *Server) renderRuleForm(w http.ResponseWriter, r *http.Request, status int, d ruleFormData) {
	users, err := s.db.Users(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	for _, u := range users {
		if !u.Disabled {
			d.Users = append(d.Users, u)
		}
	}
	d.F.Any = append(d.F.Any, condForm{Kinds: map[otklik.Kind]bool{}}) // a blank row to add an alternative
	for i := range d.F.Any {
		d.Prefixes = append(d.Prefixes, fmt.Sprintf("when.any[%d]", i))
	}
	if d.Errors.At == nil {
		d.Errors.At = map[string]string{}
	}
	d.Kinds = ruleKinds
	d.OwnerKinds = []string{loop.OwnerAccountManager, loop.OwnerTeamLead, loop.OwnerUser}
	d.CaseKinds = []string{otklik.CaseDetractor, otklik.CaseThanks}
	title := "loop.rules.edit"
	if d.New {
		title = "loop.rules.new"
	}
	s.render(w, r, status, "loop_rule", page{Title: title, Nav: "loop", Data: d})
}

func (s *Server) saveLoopRule(w http.ResponseWriter, r *http.Request) {
	if err := manageLoop(r); err != nil {
		s.errorPage(w, r, err)
		return
	}
	rules, err := s.sortedRules(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	f := readRuleForm(r)
	d := ruleFormData{F: f, New: f.ID == 0, Count: len(rules) + 1}
	if f.ID != 0 {
		i := slices.IndexFunc(rules, func(x loop.Rule) bool { return x.ID == f.ID })
		if i < 0 {
			s.errorPage(w, r, otklik.Errorf(otklik.ENOTFOUND, "no rule %d", f.ID))
			return
		}
		rules = slices.Delete(rules, i, i+1)
		d.Count = len(rules) + 1
	}
	rule, problems := f.rule()
	if f.Position <= 0 {
		f.Position = len(rules) + 1 // a new rule goes last unless placed
	}
	at := min(f.Position, len(rules)+1) - 1
	d.F.Position = at + 1
	l := s.localizer(r)
	if len(problems) > 0 {
		// Report what the engine would say about the other fields too, so
		// one round trip shows every problem.
		fields := append([]otklik.FieldError(nil), problems...)
		for _, fe := range otklik.ErrorFields(rule.Validate()) {
			if !slices.ContainsFunc(problems, func(p otklik.FieldError) bool { return p.Field == fe.Field }) {
				fields = append(fields, fe)
			}
		}
		d.Errors = f.placeErrors(l, fields)
		s.renderRuleForm(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	rules = slices.Insert(rules, at, rule)
	if _, err := s.cfg.Cases.SetRules(r.Context(), rules); err != nil {
		if otklik.ErrorCode(err) != otklik.EINVALID {
			s.errorPage(w, r, err)
			return
		}
		var mine []otklik.FieldError
		var others []string
		for _, fe := range otklik.ErrorFields(err) {
			if i, rest, ok := ruleErrorField(fe.Field); ok && i == at {
				mine = append(mine, otklik.FieldError{Field: rest, Message: fe.Message})
			} else {
				others = append(others, fe.Field+": "+fieldMessage(l, fe.Message))
			}
		}
		d.Errors = f.placeErrors(l, mine)
		d.Errors.Other = append(d.Errors.Other, others...)
		s.renderRuleForm(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	http.Redirect(w, r, "/loop/rules?done=saved", http.StatusSeeOther)
}

// changeRule applies change to the rule {id} in the ordered list and saves
// the list.
func (s *Server) changeRule(w http.ResponseWriter, r *http.Request, done string, change func(rules []loop.Rule, i int) []loop.Rule) {
	if err := manageLoop(r); err != nil {
		s.errorPage(w, r, err)
		return
	}
	rules, err := s.sortedRules(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	i := slices.IndexFunc(rules, func(x loop.Rule) bool { return x.ID == id })
	if i < 0 || id <= 0 {
		s.errorPage(w, r, otklik.Errorf(otklik.ENOTFOUND, "no rule %d", id))
		return
	}
	if _, err := s.cfg.Cases.SetRules(r.Context(), change(rules, i)); err != nil {
		if otklik.ErrorCode(err) != otklik.EINVALID {
			s.errorPage(w, r, err)
			return
		}
		// A stored rule the engine no longer accepts: say which.
		l := s.localizer(r)
		var msgs []string
		for _, fe := range otklik.ErrorFields(err) {
			msgs = append(msgs, fe.Field+": "+fieldMessage(l, fe.Message))
		}
		s.renderRules(w, r, http.StatusUnprocessableEntity, "", strings.Join(msgs, "; "))
		return
	}
	http.Redirect(w, r, "/loop/rules?done="+done, http.StatusSeeOther)
}

func (s *Server) toggleLoopRule(w http.ResponseWriter, r *http.Request) {
	s.changeRule(w, r, "changed", func(rules []loop.Rule, i int) []loop.Rule {
		rules[i].Enabled = !rules[i].Enabled
		return rules
	})
}

func (s *Server) moveLoopRule(w http.ResponseWriter, r *http.Request) {
	up := r.PostFormValue("dir") == "up"
	s.changeRule(w, r, "changed", func(rules []loop.Rule, i int) []loop.Rule {
		j := i + 1
		if up {
			j = i - 1
		}
		if j >= 0 && j < len(rules) {
			rules[i], rules[j] = rules[j], rules[i]
		}
		return rules
	})
}

func (s *Server) deleteLoopRule(w http.ResponseWriter, r *http.Request) {
	s.changeRule(w, r, "deleted", func(rules []loop.Rule, i int) []loop.Rule {
		return slices.Delete(rules, i, i+1)
	})
}

// ruleRowOf writes a rule in words.
func ruleRowOf(l *locale.Localizer, r loop.Rule) ruleRow {
	row := ruleRow{R: r, Name: ruleName(l, r.Name), When: conditionText(l, r.When),
		FirstContact: workingText(l, r.FirstContact),
		Resolution:   l.N("loop.count.working_days", r.Resolution)}
	switch r.Owner.Kind {
	case loop.OwnerUser:
		row.Owner = r.Owner.Email
	default:
		row.Owner = l.T("loop.owner." + r.Owner.Kind)
	}
	var ws []string
	for _, w := range r.Watchers {
		if w.Kind == loop.WatcherUser {
			ws = append(ws, w.Email)
		} else {
			ws = append(ws, l.T("loop.watcher."+w.Kind))
		}
	}
	row.Watchers = strings.Join(ws, ", ")
	if r.ResurveyDays > 0 && r.Case != otklik.CaseThanks {
		row.Resurvey = l.N("loop.count.days_after", r.ResurveyDays)
	}
	return row
}

// conditionText writes a condition as a sentence: «NPS, оценка не выше 6
// или CSAT, оценка не выше 3».
func conditionText(l *locale.Localizer, c loop.Condition) string {
	var parts []string
	if len(c.Kinds) > 0 {
		var ks []string
		for _, k := range c.Kinds {
			ks = append(ks, l.T("loop.kindname."+string(k)))
		}
		parts = append(parts, strings.Join(ks, l.T("loop.rule.or")))
	}
	switch {
	case c.ScoreMin != nil && c.ScoreMax != nil:
		parts = append(parts, l.T("loop.rule.score_between", map[string]any{"Min": *c.ScoreMin, "Max": *c.ScoreMax}))
	case c.ScoreMax != nil:
		parts = append(parts, l.T("loop.rule.score_max", map[string]any{"Max": *c.ScoreMax}))
	case c.ScoreMin != nil:
		parts = append(parts, l.T("loop.rule.score_min", map[string]any{"Min": *c.ScoreMin}))
	}
	if c.CESHard {
		parts = append(parts, l.T("loop.rule.ces_hard"))
	}
	if len(c.Keywords) > 0 {
		parts = append(parts, l.T("loop.rule.keywords", map[string]any{"Words": "«" + strings.Join(c.Keywords, "», «") + "»"}))
	}
	if len(c.Segments) > 0 {
		parts = append(parts, l.T("loop.rule.segments", map[string]any{"Segments": strings.Join(c.Segments, ", ")}))
	}
	if c.RevenueMin != nil {
		parts = append(parts, l.T("loop.rule.revenue_min", map[string]any{"Amount": l.Number(c.RevenueMin.Float(), 0)}))
	}
	text := strings.Join(parts, ", ")
	if len(c.Any) > 0 {
		var alts []string
		for _, a := range c.Any {
			alts = append(alts, conditionText(l, a))
		}
		oneOf := strings.Join(alts, l.T("loop.rule.or"))
		if text == "" {
			return oneOf
		}
		return text + "; " + l.T("loop.rule.and_one_of", map[string]any{"Any": oneOf})
	}
	return text
}

// calendarView describes the business calendar: hours per weekday from
// Monday, the time zone, and the next holidays.
func (s *Server) calendarView(l *locale.Localizer, c calendar.Calendar) calendarView {
	v := calendarView{Zone: "UTC"}
	if c.Location != nil {
		v.Zone = c.Location.String()
	}
	for iso := 1; iso <= 7; iso++ {
		wd, _ := calendar.WeekdayFromISO(iso)
		hours := l.T("loop.calendar.closed")
		if h := c.Days[wd]; len(h) > 0 {
			hours = strings.ReplaceAll(strings.ReplaceAll(h.String(), "-", "–"), ",", ", ")
		}
		v.Days = append(v.Days, calendarDay{Name: l.T(fmt.Sprintf("loop.weekday.%d", iso)), Hours: hours})
	}
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	today := s.cfg.Now().In(loc).Format(calendar.DateLayout)
	var dates []string
	for d, closed := range c.Holidays {
		if closed && d >= today {
			dates = append(dates, d)
		}
	}
	slices.Sort(dates)
	for _, d := range dates[:min(len(dates), 6)] {
		if t, err := time.ParseInLocation(calendar.DateLayout, d, loc); err == nil {
			v.Upcoming = append(v.Upcoming, t)
		}
	}
	return v
}
