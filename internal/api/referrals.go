package api

import (
	"net/http"

	"otklik"
	"otklik/internal/referral"
)

// redeemReferral answers POST /referrals/redeem {code, customer}: a new
// customer brought a promoter's coupon (or link); 201 with the referral,
// 200 when the same code was already redeemed for the same customer.
func (s *Server) redeemReferral(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.WriteCustomers); err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		Code     string `json:"code"`
		Customer string `json:"customer"`
	}
	if err := decode(w, r, 4<<10, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	ref, err := s.referrals.Redeem(r.Context(), actorOf(r), in.Code, in.Customer)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if ref.Replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, ref)
}

// issueReferralCodes answers POST /customers/{external_id}/referral-codes:
// the promoter's coupon and personal link (the same ones again while the
// coupon works).
func (s *Server) issueReferralCodes(w http.ResponseWriter, r *http.Request) {
	kit, err := s.referrals.Issue(r.Context(), actorOf(r), r.PathValue("external_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, kit)
}

// referralReport answers GET /referrals/report?from=&to=: referred
// customers and their sales, per promoter and per manager.
func (s *Server) referralReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, err := s.period(q.Get("from"), q.Get("to"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.referrals.Report(r.Context(), actorOf(r), from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep.From, rep.To = rep.From.UTC(), rep.To.UTC()
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getReferralProgram(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ReadReferrals); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.referrals.Program(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) putReferralProgram(w http.ResponseWriter, r *http.Request) {
	if _, err := actorOf(r).Scope(otklik.ManageReferrals); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := referral.DefaultProgram()
	if err := decode(w, r, 16<<10, &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.referrals.SetProgram(r.Context(), actorOf(r), p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
