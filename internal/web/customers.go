package web

import (
	"net/http"
	"net/url"
	"strconv"

	"otklik"
	"otklik/internal/dispatch"
	"otklik/internal/outreach"
	"otklik/internal/store"
)

type customersData struct {
	Q      url.Values
	Items  []*otklik.Customer
	Silent bool
	Next   string
}

func (s *Server) customers(w http.ResponseWriter, r *http.Request) {
	scope, err := viewerOf(r).user.Actor().Scope(otklik.ReadCustomers)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	q := r.URL.Query()
	d := customersData{Q: q, Silent: q.Get("silent") == "1"}
	f := store.CustomerFilter{Segment: q.Get("segment"), Manager: q.Get("manager"), Text: q.Get("q"), Limit: 50}
	if d.Silent {
		f.Silent = s.cfg.Now().AddDate(0, 0, -60)
	}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	if d.Items, err = s.db.Customers(r.Context(), scope, f); err != nil {
		s.errorPage(w, r, err)
		return
	}
	if len(d.Items) == f.Limit {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("after", strconv.FormatInt(d.Items[len(d.Items)-1].ID, 10))
		d.Next = next.Encode()
	}
	s.render(w, r, http.StatusOK, "customers", page{Title: "nav.customers", Nav: "customers", Data: d})
}

type customerCardData struct {
	C        *otklik.Customer
	Answers  []*otklik.Response
	Kinds    map[string]otklik.Kind
	CanRead  bool // the viewer may see the answers
	Channels []otklik.Channel
	// Invitations are the customer's invitations, newest first, each with
	// every decision about it explained; CanOutreach says the viewer may
	// see them. StartLink links a Telegram chat to the customer.
	Invitations []*otklik.Invitation
	CanOutreach bool
	StartLink   string
}

func (s *Server) customerCard(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	scope, err := actor.Scope(otklik.ReadCustomers)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	c, err := s.db.Customer(r.Context(), scope, r.PathValue("external_id"))
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := customerCardData{C: c, Kinds: map[string]otklik.Kind{}, Channels: otklik.ConsentChannels}
	// The answers shown are those the viewer may read, as everywhere.
	if answers, err := actor.Scope(otklik.ReadResponses); err == nil {
		d.CanRead = true
		if d.Answers, err = s.db.Responses(r.Context(), answers,
			store.ResponseFilter{Customer: c.ExternalID, Limit: 500, Descending: true}); err != nil {
			s.errorPage(w, r, err)
			return
		}
		surveys, err := s.db.Surveys(r.Context())
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		for _, sv := range surveys {
			d.Kinds[sv.Key] = sv.Kind
		}
	}
	if err := s.customerOutreach(r, actor, &d); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "customer", page{Title: "customer.card_title", Nav: "customers", Data: d})
}

// customerOutreach fills the card's invitation timeline, explained in the
// viewer's language and the business's time zone.
func (s *Server) customerOutreach(r *http.Request, actor otklik.Actor, d *customerCardData) error {
	scope, err := actor.Scope(otklik.ReadOutreach)
	if err != nil {
		return nil // the role does not see outreach: no timeline
	}
	d.CanOutreach = true
	if d.Invitations, err = s.db.Invitations(r.Context(), scope, store.InvitationFilter{Customer: d.C.ExternalID, Limit: 50, WithLog: true}); err != nil {
		return err
	}
	l := s.localizer(r)
	for _, inv := range d.Invitations {
		if inv.Reason != "" {
			inv.Explanation = outreach.Explain(l, outreach.Reason{Code: inv.Reason, Params: inv.ReasonParams}, s.cfg.Location)
		}
		for i := range inv.Log {
			inv.Log[i].Explanation = dispatch.ExplainLog(l, inv.Log[i], inv, s.cfg.Location)
		}
	}
	if s.cfg.Outreach != nil && actor.Can(otklik.WriteCustomers) {
		d.StartLink = s.cfg.Outreach.StartLink(d.C)
	}
	return nil
}

func (s *Server) workload(w http.ResponseWriter, r *http.Request) {
	scope, err := viewerOf(r).user.Actor().Scope(otklik.ReadCustomers)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	items, err := s.db.Workloads(r.Context(), scope)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "workload", page{Title: "customer.workload", Nav: "customers", Data: items})
}
