package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/store"
)

// customerInput is the body of POST /customers: each field present changes
// the stored customer, each absent one leaves it as it is.
type customerInput struct {
	ExternalID    string                          `json:"external_id"`
	Name          optional[string]                `json:"name"`
	Company       optional[string]                `json:"company"`
	Email         optional[string]                `json:"email"`
	Phone         optional[string]                `json:"phone"`
	TelegramChat  optional[string]                `json:"telegram_chat_id"`
	Locale        optional[string]                `json:"locale"`
	Segment       optional[string]                `json:"segment"`
	Services      optional[[]string]              `json:"services"`
	Revenue       optional[otklik.Amount]         `json:"revenue"`
	StartedAt     optional[otklik.Date]           `json:"started_at"`
	Manager       optional[string]                `json:"manager"`
	Team          optional[string]                `json:"team"`
	Region        optional[string]                `json:"region"`
	Attributes    optional[json.RawMessage]       `json:"attributes"`
	Consent       map[otklik.Channel]consentInput `json:"consent"`
	ContactPeriod optional[int]                   `json:"contact_period_days"`
}

type consentInput struct {
	Granted bool       `json:"granted"`
	At      *time.Time `json:"at"`
	Source  string     `json:"source"`
}

// applyTo changes c by what the input carries.
func (in *customerInput) applyTo(c *otklik.Customer, now time.Time) {
	in.Name.apply(&c.Name)
	in.Company.apply(&c.Company)
	in.Email.apply(&c.Email)
	in.Phone.apply(&c.Phone)
	in.TelegramChat.apply(&c.TelegramChat)
	in.Locale.apply(&c.Locale)
	in.Segment.apply(&c.Segment)
	in.Services.apply(&c.Services)
	in.Revenue.applyPtr(&c.Revenue)
	in.StartedAt.applyPtr(&c.StartedAt)
	in.Manager.apply(&c.Manager)
	in.Team.apply(&c.Team)
	in.Region.apply(&c.Region)
	in.Attributes.apply(&c.Attributes)
	in.ContactPeriod.applyPtr(&c.ContactPeriod)
	if c.Consent == nil {
		c.Consent = map[otklik.Channel]otklik.Consent{}
	}
	for ch, k := range in.Consent {
		at := now.UTC().Truncate(time.Microsecond) // what the databases keep
		if k.At != nil {
			at = k.At.UTC().Truncate(time.Microsecond)
		}
		source := strings.TrimSpace(k.Source)
		if source == "" {
			source = "api"
		}
		c.Consent[ch] = otklik.Consent{Granted: k.Granted, At: at, Source: source}
	}
}

// customer builds a new customer from the input alone.
func (in *customerInput) customer(now time.Time) *otklik.Customer {
	c := &otklik.Customer{ExternalID: in.ExternalID}
	in.applyTo(c, now)
	return c
}

func (s *Server) upsertCustomer(w http.ResponseWriter, r *http.Request) {
	scope, err := actorOf(r).Scope(otklik.WriteCustomers)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in customerInput
	if err := decode(w, r, maxBody, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if strings.TrimSpace(in.ExternalID) == "" {
		s.writeError(w, r, &otklik.Error{Code: otklik.EINVALID, Message: "the customer is not valid",
			Fields: []otklik.FieldError{{Field: "external_id", Message: "is required"}}})
		return
	}
	now := s.now()
	c, created, err := s.db.UpsertCustomer(r.Context(), scope, in.ExternalID, func(c *otklik.Customer) { in.applyTo(c, now) })
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, c)
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) {
	scope, err := actorOf(r).Scope(otklik.ReadCustomers)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.db.Customer(r.Context(), scope, r.PathValue("external_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// list is the shape of every list the API returns.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) {
	scope, err := actorOf(r).Scope(otklik.ReadCustomers)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := store.CustomerFilter{Segment: q.Get("segment"), Manager: q.Get("manager"), Limit: limit}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		id, err2 := strconv.ParseInt(strings.TrimPrefix(string(b), "c:"), 10, 64)
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "c:") {
			s.writeError(w, r, badParam("cursor", "is not a cursor this API gave"))
			return
		}
		f.After = id
	}
	items, err := s.db.Customers(r.Context(), scope, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[*otklik.Customer]{Items: items}
	if len(items) == limit {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte("c:" + strconv.FormatInt(items[len(items)-1].ID, 10)))
	}
	if out.Items == nil {
		out.Items = []*otklik.Customer{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) eraseCustomer(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	if _, err := actor.Scope(otklik.ErasePersonal); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.db.EraseCustomer(r.Context(), actor, r.PathValue("external_id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) exportCustomer(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	if _, err := actor.Scope(otklik.ErasePersonal); err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := s.db.ExportCustomer(r.Context(), actor, r.PathValue("external_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="customer-export.json"`)
	writeJSON(w, http.StatusOK, data)
}

func parseLimit(s string) (int, error) {
	if s == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		return 0, badParam("limit", "must be a whole number from 1 to 1000")
	}
	return n, nil
}

func badParam(name, message string) error {
	return &otklik.Error{Code: otklik.EINVALID, Message: "a query parameter is not valid",
		Fields: []otklik.FieldError{{Field: name, Message: message}}}
}
