package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"otklik"
	"otklik/internal/store"
	"otklik/internal/text"
)

// Recurring themes of the comments (internal/text.Themes over a period
// against the one before), the quarterly review of the board, and the page
// that turns one answer into a board item.

// themeRow is a recurring theme as the pages show it.
type themeRow struct {
	text.Theme
	Examples []*otklik.Response // its most recent comments, within the reader's reach
	Link     string             // the answers whose comment holds the phrase
	OnBoard  int64              // the board item made from it; 0 when none
	New      bool               // absent from the previous period, which had comments
}

// themeCounts are the sizes behind the themes: answers and comments per
// period.
type themeCounts struct {
	Answers, PrevAnswers   int
	Comments, PrevComments int
	Truncated              bool // a period had more comments than were read
}

// themesLimit is how many themes a page lists.
const themesLimit = 30

// themesOf finds the recurring themes of the comments in scope given in
// [from, to), compared with [prevFrom, from). Every answer of a period is
// one document, with or without a comment, so that a theme's share — and
// so its rise — is of all answers (text.Themes asks for this).
func (s *Server) themesOf(r *http.Request, scope otklik.Scope, surveys []*otklik.Survey, prevFrom, from, to time.Time,
	limit int, answersLink func(phrase string) string) ([]themeRow, themeCounts, error) {
	ctx := r.Context()
	var counts themeCounts
	ids := make([]int64, len(surveys))
	for i, sv := range surveys {
		ids[i] = sv.ID
	}
	var docs []text.Doc
	for period, b := range [][2]time.Time{{prevFrom, from}, {from, to}} {
		hist, err := s.db.ScoreCounts(ctx, scope, ids, b[0], b[1])
		if err != nil {
			return nil, counts, err
		}
		answers := 0
		for _, n := range hist {
			answers += n
		}
		comments, err := s.db.Comments(ctx, scope, store.CommentFilter{SurveyIDs: ids, From: b[0], To: b[1]})
		if err != nil {
			return nil, counts, err
		}
		counts.Truncated = counts.Truncated || len(comments) == store.DefaultCommentLimit
		// The answers without a comment go first: Themes takes later
		// documents as more recent, and they never become examples.
		for range max(answers-len(comments), 0) {
			docs = append(docs, text.Doc{Period: period})
		}
		for _, c := range comments {
			docs = append(docs, text.Doc{ID: c.ID, Text: c.Text, Period: period})
		}
		if period == 0 {
			counts.PrevAnswers, counts.PrevComments = answers, len(comments)
		} else {
			counts.Answers, counts.Comments = answers, len(comments)
		}
	}
	if counts.Comments == 0 {
		return nil, counts, nil // nothing said in the period: no theme is current
	}
	themes := text.Themes(docs, text.Options{Limit: limit})
	var exampleIDs []int64
	for _, th := range themes {
		exampleIDs = append(exampleIDs, th.Examples...)
	}
	examples, err := s.db.ResponsesByID(ctx, scope, exampleIDs)
	if err != nil {
		return nil, counts, err
	}
	byID := make(map[int64]*otklik.Response, len(examples))
	for _, e := range examples {
		byID[e.ID] = e
	}
	board, err := s.db.Insights(ctx, store.InsightFilter{Sort: store.SortNewest, Limit: 1000})
	if err != nil {
		return nil, counts, err
	}
	made := map[string]int64{}
	for _, in := range board {
		if in.Theme != "" {
			made[in.Theme] = in.ID
		}
	}
	rows := make([]themeRow, 0, len(themes))
	for _, th := range themes {
		row := themeRow{Theme: th, Link: answersLink(th.Phrase), OnBoard: made[th.Key],
			New: th.PrevCount == 0 && counts.PrevAnswers > 0}
		for _, id := range th.Examples {
			if e := byID[id]; e != nil {
				row.Examples = append(row.Examples, e)
			}
		}
		rows = append(rows, row)
	}
	return rows, counts, nil
}

type themesData struct {
	Period   period
	Prev     period    // the period compared with
	PrevLast time.Time // its last day
	Surveys  []*otklik.Survey
	Survey   string
	Themes   []themeRow
	Counts   themeCounts
	Kinds    map[string]otklik.Kind
	CanWrite bool
	Back     string
}

// insightThemes shows the recurring themes of a period's comments, ranked
// by frequency and rise against the period of equal length before it,
// with example answers and a button to put a theme on the board.
func (s *Server) insightThemes(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadInsights)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	q := r.URL.Query()
	d := themesData{Period: s.readPeriodDefault(q, 30), Survey: q.Get("survey"), Kinds: map[string]otklik.Kind{},
		CanWrite: actor.Can(otklik.WriteInsights), Back: r.URL.RequestURI()}
	if d.Surveys, err = s.db.Surveys(r.Context()); err != nil {
		s.errorPage(w, r, err)
		return
	}
	if d.Period.Invalid || d.Period.FromT.IsZero() || d.Period.ToT.IsZero() {
		s.render(w, r, http.StatusUnprocessableEntity, "insights_themes", page{Title: "insights.themes.title", Nav: "insights",
			Notice: "error.invalid_form", Data: d})
		return
	}
	chosen := d.Surveys
	for _, sv := range d.Surveys {
		d.Kinds[sv.Key] = sv.Kind
		if sv.Key == d.Survey {
			chosen = []*otklik.Survey{sv}
		}
	}
	if len(chosen) != 1 {
		d.Survey = ""
	}
	// The period before, of as many calendar days.
	days := int(math.Round(d.Period.ToT.Sub(d.Period.FromT).Hours() / 24))
	prevFrom := d.Period.FromT.In(s.cfg.Location).AddDate(0, 0, -days)
	d.PrevLast = d.Period.FromT.In(s.cfg.Location).AddDate(0, 0, -1)
	d.Prev = period{From: prevFrom.Format(time.DateOnly), To: d.PrevLast.Format(time.DateOnly), FromT: prevFrom, ToT: d.Period.FromT}
	link := func(phrase string) string {
		v := url.Values{"q": {phrase}, "from": {d.Period.From}, "to": {d.Period.To}}
		if d.Survey != "" {
			v.Set("survey", d.Survey)
		}
		return "/answers?" + v.Encode()
	}
	if len(chosen) > 0 {
		if d.Themes, d.Counts, err = s.themesOf(r, scope, chosen, prevFrom, d.Period.FromT, d.Period.ToT, themesLimit, link); err != nil {
			s.errorPage(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "insights_themes", page{Title: "insights.themes.title", Nav: "insights", Data: d})
}

type reviewData struct {
	Quarter      string
	Prev, Next   string // "" when the next quarter has not begun
	From, To     time.Time
	Problems     []store.ReviewItem
	Ideas        []store.ReviewItem
	Themes       []themeRow
	Counts       themeCounts
	Kinds        map[string]otklik.Kind
	CanWrite     bool
	ThemesLink   string
	LastDay      time.Time
	Back         string
	ProblemsLink string
	IdeasLink    string
}

// reviewTop is how many problems, ideas and themes the review lists.
const reviewTop = 10

// insightReview is the quarterly review: the quarter's top problems and
// ideas by votes and linked answers, and its top themes against the
// quarter before.
func (s *Server) insightReview(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadInsights)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	ctx := r.Context()
	loc := s.cfg.Location
	now := s.cfg.Now()
	qr := otklik.QuarterOf(now, loc)
	if v := r.URL.Query().Get("quarter"); v != "" {
		if qr, err = otklik.ParseQuarter(v); err != nil {
			s.errorPage(w, r, err)
			return
		}
	}
	from, to := qr.Bounds(loc)
	d := reviewData{Quarter: qr.String(), Prev: qr.Prev().String(), From: from, To: to, LastDay: to.AddDate(0, 0, -1),
		Kinds: map[string]otklik.Kind{}, CanWrite: actor.Can(otklik.WriteInsights), Back: r.URL.RequestURI()}
	if next, _ := qr.Next().Bounds(loc); !next.After(now) {
		d.Next = qr.Next().String()
	}
	d.ThemesLink = "/insights/themes?" + url.Values{"from": {from.Format(time.DateOnly)}, "to": {d.LastDay.Format(time.DateOnly)}}.Encode()
	d.ProblemsLink = "/insights?kind=" + otklik.InsightProblem
	d.IdeasLink = "/insights?kind=" + otklik.InsightIdea
	if d.Problems, err = s.db.ReviewInsights(ctx, otklik.InsightProblem, from, to, actor.UserID, reviewTop); err != nil {
		s.errorPage(w, r, err)
		return
	}
	if d.Ideas, err = s.db.ReviewInsights(ctx, otklik.InsightIdea, from, to, actor.UserID, reviewTop); err != nil {
		s.errorPage(w, r, err)
		return
	}
	surveys, err := s.db.Surveys(ctx)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	for _, sv := range surveys {
		d.Kinds[sv.Key] = sv.Kind
	}
	prevFrom, _ := qr.Prev().Bounds(loc)
	link := func(phrase string) string {
		return "/answers?" + url.Values{"q": {phrase}, "from": {from.Format(time.DateOnly)}, "to": {d.LastDay.Format(time.DateOnly)}}.Encode()
	}
	if len(surveys) > 0 {
		if d.Themes, d.Counts, err = s.themesOf(r, scope, surveys, prevFrom, from, to, reviewTop, link); err != nil {
			s.errorPage(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "insights_review", page{Title: "insights.review.title", Nav: "insights", Data: d})
}

type answerPageData struct {
	R        *otklik.Response
	Kind     otklik.Kind
	Survey   string // the survey's title
	Linked   []*otklik.Insight
	Board    []*otklik.Insight // items it may be linked to
	CanWrite bool
	Back     string
}

// answerInsights shows one answer with the board items it is linked to and
// the two ways to put it on the board: as a new idea or problem, or as one
// more voice for an existing item. An answer beyond the reader's reach does
// not exist.
func (s *Server) answerInsights(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadInsights)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.errorPage(w, r, otklik.Errorf(otklik.ENOTFOUND, "no such answer"))
		return
	}
	resp, err := s.db.Response(ctx, scope, id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := answerPageData{R: resp, CanWrite: actor.Can(otklik.WriteInsights), Back: r.URL.Path}
	if sv, err := s.db.Survey(ctx, resp.Survey); err == nil {
		d.Kind, d.Survey = sv.Kind, sv.Title.In(s.localizer(r).Lang())
	}
	if d.Linked, err = s.db.InsightsOfAnswer(ctx, id, actor.UserID); err != nil {
		s.errorPage(w, r, err)
		return
	}
	linked := map[int64]bool{}
	for _, in := range d.Linked {
		linked[in.ID] = true
	}
	board, err := s.db.Insights(ctx, store.InsightFilter{Sort: store.SortNewest, Viewer: actor.UserID, Limit: 300})
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	for _, in := range board {
		if !linked[in.ID] && (in.Status == otklik.InsightNew || in.Status == otklik.InsightPlanned) {
			d.Board = append(d.Board, in)
		}
	}
	s.render(w, r, http.StatusOK, "insights_answer", page{Title: "insights.answer.title", Nav: "insights", Data: d})
}
