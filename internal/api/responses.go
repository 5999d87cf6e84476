package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/intake"
	"otklik/internal/store"
)

// responseInput is one answer as the API takes it.
type responseInput struct {
	ID         string         `json:"id"`
	Survey     string         `json:"survey"`
	Customer   customerRef    `json:"customer"`
	Score      *int           `json:"score"`
	Comment    string         `json:"comment"`
	Channel    otklik.Channel `json:"channel"`
	AnsweredAt string         `json:"answered_at"`
	Answers    map[string]int `json:"answers"`
}

// customerRef is a customer's external id, or an object with the customer's
// fields from which an unknown customer is created.
type customerRef struct {
	ExternalID string
	Fields     *customerInput
}

func (c *customerRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var in customerInput
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return fmt.Errorf("customer: %w", err)
		}
		c.ExternalID, c.Fields = in.ExternalID, &in
		return nil
	}
	return json.Unmarshal(b, &c.ExternalID)
}

// answer turns the input into an intake answer; key is the idempotency key
// from the header when the body has no id.
func (in *responseInput) answer(key string, now time.Time) (intake.Answer, error) {
	a := intake.Answer{Survey: strings.TrimSpace(in.Survey), Customer: strings.TrimSpace(in.Customer.ExternalID),
		Score: in.Score, Comment: in.Comment, Channel: in.Channel, Answers: in.Answers, Key: in.ID}
	if a.Key == "" {
		a.Key = key
	}
	if in.Customer.Fields != nil {
		a.NewCustomer = in.Customer.Fields.customer(now)
	}
	if in.AnsweredAt != "" {
		t, err := time.Parse(time.RFC3339Nano, in.AnsweredAt)
		if err != nil {
			return a, &otklik.Error{Code: otklik.EINVALID, Message: "the answer is not valid",
				Fields: []otklik.FieldError{{Field: "answered_at", Message: "must be an RFC 3339 instant such as 2026-03-02T09:00:00Z"}}}
		}
		a.AnsweredAt = t
	}
	return a, nil
}

func (s *Server) createResponse(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.WriteResponses); err != nil {
		s.writeError(w, r, err)
		return
	}
	var in responseInput
	if err := decode(w, r, maxBody, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := in.answer(r.Header.Get("Idempotency-Key"), s.now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, created, err := s.intake.Record(r.Context(), actorOf(r), a)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/api/v1/responses/"+strconv.FormatInt(resp.ID, 10))
	writeJSON(w, status, resp)
}

// maxBatch is the most answers one batch call takes.
const maxBatch = 1000

// batchResult is the outcome of one item of a batch, in the item's place.
type batchResult struct {
	Status   int              `json:"status"`
	Response *otklik.Response `json:"response,omitempty"`
	Error    *Problem         `json:"error,omitempty"`
}

type batchOutput struct {
	Items      []batchResult `json:"items"`
	Created    int           `json:"created"`
	Duplicates int           `json:"duplicates"`
	Failed     int           `json:"failed"`
}

func (s *Server) createResponses(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.WriteResponses); err != nil {
		s.writeError(w, r, err)
		return
	}
	var raw []json.RawMessage
	if err := decode(w, r, maxBatchBody, &raw); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(raw) == 0 || len(raw) > maxBatch {
		s.writeError(w, r, &otklik.Error{Code: otklik.EINVALID, Message: "the batch has the wrong size",
			Fields: []otklik.FieldError{{Field: "body", Message: fmt.Sprintf("holds %d answers; a batch holds from 1 to %d", len(raw), maxBatch)}}})
		return
	}
	headerKey := r.Header.Get("Idempotency-Key")
	now := s.now()
	out := batchOutput{Items: make([]batchResult, len(raw))}
	var answers []intake.Answer
	var at []int
	for i, item := range raw {
		var in responseInput
		dec := json.NewDecoder(bytes.NewReader(item))
		dec.DisallowUnknownFields()
		err := dec.Decode(&in)
		if err != nil {
			err = decodeError(err, maxBatchBody)
		}
		var a intake.Answer
		if err == nil {
			key := ""
			if headerKey != "" {
				key = headerKey + "#" + strconv.Itoa(i)
			}
			a, err = in.answer(key, now)
		}
		if err != nil {
			p := problemOf(err)
			out.Items[i] = batchResult{Status: p.Status, Error: &p}
			continue
		}
		answers, at = append(answers, a), append(at, i)
	}
	for j, res := range s.intake.RecordBatch(r.Context(), actorOf(r), answers) {
		i := at[j]
		switch {
		case res.Err != nil:
			p := problemOf(res.Err)
			if p.Status >= 500 {
				s.log.Error("api: batch item failed", "index", i, "err", res.Err)
			}
			out.Items[i] = batchResult{Status: p.Status, Error: &p}
		case res.Created:
			out.Items[i] = batchResult{Status: http.StatusCreated, Response: res.Response}
		default:
			out.Items[i] = batchResult{Status: http.StatusOK, Response: res.Response}
		}
	}
	for _, it := range out.Items {
		switch it.Status {
		case http.StatusCreated:
			out.Created++
		case http.StatusOK:
			out.Duplicates++
		default:
			out.Failed++
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getResponse(w http.ResponseWriter, r *http.Request) {
	scope, err := actorOf(r).Scope(otklik.ReadResponses)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, otklik.Errorf(otklik.ENOTFOUND, "no such answer"))
		return
	}
	resp, err := s.db.Response(r.Context(), scope, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) listResponses(w http.ResponseWriter, r *http.Request) {
	scope, err := actorOf(r).Scope(otklik.ReadResponses)
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
	from, to, err := s.period(q.Get("from"), q.Get("to"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := store.ResponseFilter{Survey: q.Get("survey"), From: from, To: to, Limit: limit}
	if c := q.Get("cursor"); c != "" {
		if f.AfterTime, f.AfterID, err = parseResponseCursor(c); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	items, err := s.db.Responses(r.Context(), scope, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[*otklik.Response]{Items: items}
	if len(items) == limit {
		last := items[len(items)-1]
		out.NextCursor = base64.RawURLEncoding.EncodeToString(
			[]byte(strconv.FormatInt(last.AnsweredAt.UnixNano(), 10) + ":" + strconv.FormatInt(last.ID, 10)))
	}
	writeJSON(w, http.StatusOK, out)
}

func parseResponseCursor(c string) (time.Time, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		ns, id, ok := strings.Cut(string(b), ":")
		n, err1 := strconv.ParseInt(ns, 10, 64)
		i, err2 := strconv.ParseInt(id, 10, 64)
		if ok && err1 == nil && err2 == nil && i > 0 {
			return time.Unix(0, n).UTC(), i, nil
		}
	}
	return time.Time{}, 0, badParam("cursor", "is not a cursor this API gave")
}

// period reads ?from=&to= as otklik.ParsePeriod does, in the business's zone.
func (s *Server) period(fromS, toS string) (from, to time.Time, err error) {
	return otklik.ParsePeriod(fromS, toS, s.loc)
}
