package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"otklik"
	"otklik/internal/store"
)

// The insights board: ideas and problems the whole team shares, votes on
// and reviews each quarter. Any answer can become an item or add weight to
// one; recurring themes of the comments (insights_themes.go) can too.

// insightForm is what was typed into an item's form.
type insightForm struct {
	Kind, Title, Body, Tags, Theme string
	Responses                      []string // answer ids to link, as posted
}

type boardData struct {
	Items     []*otklik.Insight
	Tags      []string
	Kinds     []string
	Statuses  []string
	Sorts     []string
	Kind      string
	Status    string
	Tag       string
	Sort      string
	CanWrite  bool
	Form      insightForm
	Errors    map[string]string
	Back      string // this page, to come back to after a vote
	Filtering bool
}

func (s *Server) insightsBoard(w http.ResponseWriter, r *http.Request) {
	s.renderBoard(w, r, http.StatusOK, insightForm{Kind: otklik.InsightProblem}, nil, insightDone[r.URL.Query().Get("done")])
}

var insightDone = map[string]string{
	"created": "insights.done.created", "linked": "insights.done.linked", "vote": "insights.done.vote",
	"status": "insights.done.status", "edit": "insights.done.edit",
}

func (s *Server) renderBoard(w http.ResponseWriter, r *http.Request, status int, form insightForm, errs map[string]string, notice string) {
	actor := viewerOf(r).user.Actor()
	if _, err := actor.Scope(otklik.ReadInsights); err != nil {
		s.errorPage(w, r, err)
		return
	}
	q := r.URL.Query()
	d := boardData{Kinds: otklik.InsightKinds, Statuses: otklik.InsightStatuses,
		Sorts: []string{store.SortVotes, store.SortAnswers, store.SortNewest},
		Kind:  pick(q.Get("kind"), otklik.InsightKinds), Status: pick(q.Get("status"), otklik.InsightStatuses),
		Tag: strings.TrimSpace(q.Get("tag")), Sort: pick(q.Get("sort"), []string{store.SortAnswers, store.SortNewest}),
		CanWrite: actor.Can(otklik.WriteInsights), Form: form, Errors: errs, Back: "/insights"}
	if d.Sort == "" {
		d.Sort = store.SortVotes
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	d.Filtering = d.Kind != "" || d.Status != "" || d.Tag != ""
	if r.Method == http.MethodGet && r.URL.RawQuery != "" {
		d.Back = "/insights?" + r.URL.RawQuery
	}
	var err error
	if d.Items, err = s.db.Insights(r.Context(), store.InsightFilter{Kind: d.Kind, Status: d.Status, Tag: d.Tag, Sort: d.Sort,
		Viewer: actor.UserID, Limit: 500}); err != nil {
		s.errorPage(w, r, err)
		return
	}
	if d.Tags, err = s.db.InsightTags(r.Context()); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, status, "insights", page{Title: "insights.title", Nav: "insights", Notice: notice, Data: d})
}

// pick returns v when it is one of allowed, else "".
func pick(v string, allowed []string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	return ""
}

// maxLinkAtOnce bounds the answers one request may link: a theme posts its
// few examples, a person one answer; each is checked in the write
// transaction, which must stay short.
const maxLinkAtOnce = 50

// responseIDs reads answer ids posted as response_id (several may be). A
// malformed one names no answer.
func responseIDs(posted []string) ([]int64, error) {
	if len(posted) > maxLinkAtOnce {
		var bad otklik.Problems
		bad.Add("response_id", "must be at most %d", maxLinkAtOnce)
		return nil, bad.Err("too many answers to link")
	}
	var ids []int64
	for _, v := range posted {
		if v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "№")); v == "" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, otklik.Errorf(otklik.ENOTFOUND, "no such answer")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// createInsight puts an item on the board, linking the answers posted with
// it: from the board's form, an answer ("make it a problem") or a theme
// ("add to the board", with its example answers).
func (s *Server) createInsight(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.WriteInsights)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	r.ParseForm()
	f := insightForm{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Tags: r.PostFormValue("tags"), Theme: r.PostFormValue("theme"), Responses: r.PostForm["response_id"]}
	ids, err := responseIDs(f.Responses)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	in := &otklik.Insight{Kind: f.Kind, Title: f.Title, Body: f.Body, Tags: otklik.ParseTags(f.Tags),
		Theme: strings.TrimSpace(f.Theme), Author: actor.Email}
	in.Normalize()
	err = in.Validate()
	if err == nil {
		err = s.db.CreateInsight(r.Context(), scope, in, ids)
	}
	switch otklik.ErrorCode(err) {
	case "":
		http.Redirect(w, r, insightURL(in.ID, "created"), http.StatusSeeOther)
	case otklik.EINVALID:
		s.renderBoard(w, r, http.StatusUnprocessableEntity, f, s.fieldErrors(r, "", err), "error.invalid_form")
	default:
		s.errorPage(w, r, err)
	}
}

func insightURL(id int64, done string) string {
	u := "/insights/" + strconv.FormatInt(id, 10)
	if done != "" {
		u += "?done=" + done
	}
	return u
}

type insightPageData struct {
	In        *otklik.Insight
	Answers   []*otklik.Response
	Beyond    int // linked answers beyond the reader's reach or the page
	Kinds     map[string]otklik.Kind
	Statuses  []string
	KindList  []string
	CanWrite  bool
	CanManage bool // change the status
	CanEdit   bool // the author, or whoever may change the status
	Form      insightForm
	Errors    map[string]string
	Back      string
}

// insightAnswersShown is how many linked answers the item's page lists.
const insightAnswersShown = 100

func (s *Server) insightPage(w http.ResponseWriter, r *http.Request) {
	id, err := insightIDParam(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.renderInsight(w, r, http.StatusOK, id, insightForm{}, nil, insightDone[r.URL.Query().Get("done")])
}

func insightIDParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, otklik.Errorf(otklik.ENOTFOUND, "no such item")
	}
	return id, nil
}

func (s *Server) renderInsight(w http.ResponseWriter, r *http.Request, status int, id int64, form insightForm, errs map[string]string, notice string) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadInsights)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	ctx := r.Context()
	in, err := s.db.Insight(ctx, id, actor.UserID)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := insightPageData{In: in, Statuses: otklik.InsightStatuses, KindList: otklik.InsightKinds, Kinds: map[string]otklik.Kind{},
		CanWrite: actor.Can(otklik.WriteInsights), CanManage: actor.Can(otklik.ManagePlans), Form: form, Errors: errs,
		Back: insightURL(id, "")}
	d.CanEdit = d.CanManage || d.CanWrite && in.Author == actor.Email
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	if form.Kind == "" { // the edit form was not the one posted
		d.Form = insightForm{Kind: in.Kind, Title: in.Title, Body: in.Body, Tags: strings.Join(in.Tags, ", ")}
	}
	if d.Answers, err = s.db.InsightAnswers(ctx, scope, id, insightAnswersShown); err != nil {
		s.errorPage(w, r, err)
		return
	}
	d.Beyond = max(in.Answers-len(d.Answers), 0)
	surveys, err := s.db.Surveys(ctx)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	for _, sv := range surveys {
		d.Kinds[sv.Key] = sv.Kind
	}
	s.render(w, r, status, "insights_item", page{Title: "insights.item.title_" + in.Kind, Nav: "insights", Notice: notice, Data: d})
}

// backTo is where a form asks to return: a local path, else the item.
func backTo(r *http.Request, id int64, done string) string {
	back := r.PostFormValue("back")
	if back == "" || safeNext(back) != back {
		return insightURL(id, done)
	}
	return back
}

// voteInsight gives the reader's vote to an item (on=1) or takes it back.
func (s *Server) voteInsight(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	if _, err := actor.Scope(otklik.WriteInsights); err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, err := insightIDParam(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	if err := s.db.Vote(r.Context(), id, actor.UserID, r.PostFormValue("on") == "1"); err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, backTo(r, id, "vote"), http.StatusSeeOther)
}

// insightStatus moves an item along: those who write plans decide what is
// planned, done or rejected.
func (s *Server) insightStatus(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	if _, err := actor.Scope(otklik.ManagePlans); err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, err := insightIDParam(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	status := r.PostFormValue("status")
	if !slices.Contains(otklik.InsightStatuses, status) {
		var bad otklik.Problems
		bad.Add("status", "must be one of %s", strings.Join(otklik.InsightStatuses, ", "))
		s.renderInsight(w, r, http.StatusUnprocessableEntity, id, insightForm{}, s.fieldErrors(r, "status.", bad.Err("bad status")), "error.invalid_form")
		return
	}
	if err := s.db.SetInsightStatus(r.Context(), id, status, actor.Email); err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, insightURL(id, "status"), http.StatusSeeOther)
}

// linkInsightAnswer links answers to an existing item: "this answer says
// it too".
func (s *Server) linkInsightAnswer(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.WriteInsights)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, err := insightIDParam(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	r.ParseForm()
	ids, err := responseIDs(r.PostForm["response_id"])
	if err == nil && len(ids) == 0 {
		var bad otklik.Problems
		bad.Add("response_id", "is required")
		s.renderInsight(w, r, http.StatusUnprocessableEntity, id, insightForm{}, s.fieldErrors(r, "link.", bad.Err("nothing to link")), "error.invalid_form")
		return
	}
	if err == nil {
		_, err = s.db.LinkAnswers(r.Context(), scope, id, ids, actor.Email)
	}
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, backTo(r, id, "linked"), http.StatusSeeOther)
}

// editInsight changes an item's kind, title, text and tags: its author may,
// and so may whoever moves items along.
func (s *Server) editInsight(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	if _, err := actor.Scope(otklik.WriteInsights); err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, err := insightIDParam(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	cur, err := s.db.Insight(r.Context(), id, actor.UserID)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	if cur.Author != actor.Email && !actor.Can(otklik.ManagePlans) {
		s.errorPage(w, r, otklik.Errorf(otklik.EFORBIDDEN, "only the author or a lead may edit the item"))
		return
	}
	f := insightForm{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Body: r.PostFormValue("body"), Tags: r.PostFormValue("tags")}
	cur.Kind, cur.Title, cur.Body, cur.Tags = f.Kind, f.Title, f.Body, otklik.ParseTags(f.Tags)
	cur.Normalize()
	err = cur.Validate()
	if err == nil {
		err = s.db.UpdateInsight(r.Context(), cur)
	}
	switch otklik.ErrorCode(err) {
	case "":
		http.Redirect(w, r, insightURL(id, "edit"), http.StatusSeeOther)
	case otklik.EINVALID:
		s.renderInsight(w, r, http.StatusUnprocessableEntity, id, f, s.fieldErrors(r, "", err), "error.invalid_form")
	default:
		s.errorPage(w, r, err)
	}
}
