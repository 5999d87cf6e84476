package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"otklik"
	"otklik/internal/locale"
	"otklik/internal/referral"
	"otklik/internal/referrals"
)

// The referral programme's page: its settings (administrators change them,
// everyone else reads them), the report of what promoters brought, and the
// two everyday actions — issuing a promoter their coupon and link, and
// redeeming a code a new customer brought. /r/{token} is the page a
// promoter's personal link opens.

// programForm is the programme as typed: numbers stay text, so a refused
// form shows exactly what was typed.
type programForm struct {
	Enabled                    bool
	Coupons, ValidDays         string
	Offer, Prefix              string
	Errors                     map[string]string // field → message, in the reader's language
	Other                      []string          // messages no field shows
	MaxCoupons, MaxOfferLength int
}

func programToForm(p referral.Program) programForm {
	return programForm{Enabled: p.Enabled, Coupons: strconv.Itoa(p.Coupons), ValidDays: strconv.Itoa(p.ValidDays),
		Offer: p.Offer, Prefix: p.Prefix, Errors: map[string]string{}}
}

// referralLine is a line of the report, in words.
type referralLine struct {
	Promoter, Name, Manager, Team string
	Promoters                     int // managers' lines
	Referred, Deals               int
	Revenue                       string
}

// KitView is a promoter's coupon and link as the page shows them.
type KitView struct {
	Promoter   string
	Coupon     *otklik.ReferralCode
	Link       *otklik.ReferralCode
	LinkURL    string
	UsesLeft   int
	CouponLive bool
	Expires    string // the coupon's last day in words; "" when it does not expire
}

type referralsData struct {
	Program   programForm
	CanManage bool // the programme's settings
	CanAct    bool // issuing and redeeming: the reader works with customers
	Period    period
	Promoters []referralLine
	Managers  []referralLine
	Total     referralLine
	Kit       *KitView
	Redeemed  *otklik.Referral
	// The issue and redeem forms as typed, and what went wrong.
	Promoter, Code, Customer string
	IssueError, RedeemError  string
}

// referralsEngine returns the engine, or an error page's reason when the
// application was started without one.
func (s *Server) referralsEngine() (*referrals.Engine, error) {
	if s.cfg.Referrals == nil {
		return nil, otklik.Errorf(otklik.EINTERNAL, "no referral engine")
	}
	return s.cfg.Referrals, nil
}

var referralDone = map[string]string{"program": "referrals.done.program", "issued": "referrals.done.issued",
	"reused": "referrals.done.reused", "redeemed": "referrals.done.redeemed"}

func (s *Server) referralsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := &referralsData{Promoter: q.Get("kit")}
	status := http.StatusOK
	if kit := q.Get("kit"); kit != "" {
		if e, err := s.referralsEngine(); err == nil {
			k, err := e.Kit(r.Context(), viewerOf(r).user.Actor(), kit)
			if err != nil {
				s.errorPage(w, r, err)
				return
			}
			d.Kit = s.kitOf(s.localizer(r), k)
		}
	}
	if c := q.Get("redeemed"); c != "" {
		if e, err := s.referralsEngine(); err == nil {
			if d.Redeemed, err = e.Referral(r.Context(), viewerOf(r).user.Actor(), c); err != nil && otklik.ErrorCode(err) != otklik.ENOTFOUND {
				s.errorPage(w, r, err)
				return
			}
		}
	}
	s.renderReferrals(w, r, status, referralDone[q.Get("done")], d)
}

// renderReferrals fills in what every state of the page shows — the
// programme (unless a refused form is being shown again) and the report —
// and renders it.
func (s *Server) renderReferrals(w http.ResponseWriter, r *http.Request, status int, notice string, d *referralsData) {
	actor := viewerOf(r).user.Actor()
	if _, err := actor.Scope(otklik.ReadReferrals); err != nil {
		s.errorPage(w, r, err)
		return
	}
	e, err := s.referralsEngine()
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	ctx := r.Context()
	d.CanManage, d.CanAct = actor.Can(otklik.ManageReferrals), actor.Can(otklik.WriteCustomers)
	if d.Program.Errors == nil {
		p, err := e.Program(ctx)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		d.Program = programToForm(p)
	}
	d.Program.MaxCoupons, d.Program.MaxOfferLength = referral.MaxCoupons, referral.MaxOfferLength
	d.Period = s.readPeriodDefault(r.URL.Query(), 90)
	if d.Period.Invalid {
		status, notice = http.StatusUnprocessableEntity, "error.invalid_form"
	} else {
		rep, err := e.Report(ctx, actor, d.Period.FromT, d.Period.ToT)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		l := s.localizer(r)
		for _, p := range rep.Promoters {
			d.Promoters = append(d.Promoters, referralLine{Promoter: p.Promoter, Name: p.Name, Manager: p.Manager, Team: p.Team,
				Referred: p.Referred, Deals: p.Deals, Revenue: money(l, p.Revenue)})
		}
		for _, m := range rep.Managers {
			d.Managers = append(d.Managers, referralLine{Manager: m.Manager, Promoters: m.Promoters, Referred: m.Referred,
				Deals: m.Deals, Revenue: money(l, m.Revenue)})
		}
		d.Total = referralLine{Referred: rep.Total.Referred, Deals: rep.Total.Deals, Revenue: money(l, rep.Total.Revenue)}
	}
	s.render(w, r, status, "referrals", page{Title: "referrals.title", Nav: "referrals", Notice: notice, Data: d})
}

// money writes a sum in the reader's language, with kopecks only when
// there are any.
func money(l *locale.Localizer, a otklik.Amount) string {
	decimals := 0
	if a%100 != 0 {
		decimals = 2
	}
	return l.Number(a.Float(), decimals)
}

func (s *Server) kitOf(l *locale.Localizer, k *otklik.ReferralKit) *KitView {
	v := &KitView{Promoter: k.Promoter, Coupon: k.Coupon, Link: k.Link, LinkURL: k.LinkURL}
	if c := k.Coupon; c != nil {
		v.UsesLeft, v.CouponLive = c.UsesLeft(), c.Live(s.cfg.Now())
		if loc := s.cfg.Location; c.ExpiresAt != nil && loc != nil {
			v.Expires = l.Date(c.ExpiresAt.In(loc))
		} else if c.ExpiresAt != nil {
			v.Expires = l.Date(*c.ExpiresAt)
		}
	}
	return v
}

func (s *Server) saveReferralProgram(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	if _, err := actor.Scope(otklik.ManageReferrals); err != nil {
		s.errorPage(w, r, err)
		return
	}
	e, err := s.referralsEngine()
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := programForm{Enabled: v("enabled") == "1", Coupons: v("coupons"), ValidDays: v("valid_days"),
		Offer: v("offer"), Prefix: strings.ToUpper(v("prefix")), Errors: map[string]string{}}
	var probs otklik.Problems
	p := referral.Program{Enabled: f.Enabled, Offer: f.Offer, Prefix: f.Prefix,
		Coupons: requiredInt(f.Coupons, "coupons", &probs), ValidDays: requiredInt(f.ValidDays, "valid_days", &probs)}
	if len(probs) == 0 {
		_, err = e.SetProgram(r.Context(), actor, p)
		if err == nil {
			http.Redirect(w, r, "/referrals?done=program", http.StatusSeeOther)
			return
		}
		if otklik.ErrorCode(err) != otklik.EINVALID {
			s.errorPage(w, r, err)
			return
		}
		probs = otklik.ErrorFields(err)
	}
	l := s.localizer(r)
	for _, fe := range probs {
		switch fe.Field {
		case "coupons", "valid_days", "offer", "prefix":
			if f.Errors[fe.Field] == "" {
				f.Errors[fe.Field] = programFieldMessage(l, fe)
			}
		default:
			f.Other = append(f.Other, fe.Field+": "+fe.Message)
		}
	}
	s.renderReferrals(w, r, http.StatusUnprocessableEntity, "", &referralsData{Program: f})
}

// programFieldMessage words a programme field's problem: each field has
// one rule (an offer two: present while the programme is on, and short).
func programFieldMessage(l *locale.Localizer, fe otklik.FieldError) string {
	if strings.HasPrefix(fe.Message, "is not a whole number") {
		return l.T("referrals.program.error.number")
	}
	switch fe.Field {
	case "coupons":
		return l.T("referrals.program.error.coupons", map[string]any{"Min": referral.MinCoupons, "Max": referral.MaxCoupons})
	case "valid_days":
		return l.T("referrals.program.error.valid_days", map[string]any{"Max": referral.MaxValidDays})
	case "prefix":
		return l.T("referrals.program.error.prefix", map[string]any{"Max": referral.MaxPrefix})
	case "offer":
		if strings.Contains(fe.Message, "required") {
			return l.T("referrals.program.error.offer_required")
		}
		return l.T("referrals.program.error.offer", map[string]any{"Max": referral.MaxOfferLength})
	}
	return fe.Message
}

func (s *Server) issueReferral(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	e, err := s.referralsEngine()
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	promoter := strings.TrimSpace(r.PostFormValue("promoter"))
	kit, err := e.Issue(r.Context(), actor, promoter)
	if err != nil {
		if otklik.ErrorCode(err) == otklik.EFORBIDDEN || !isRefusal(err) {
			s.errorPage(w, r, err)
			return
		}
		s.renderReferrals(w, r, http.StatusUnprocessableEntity, "", &referralsData{Promoter: promoter,
			IssueError: refusalText(s.localizer(r), err)})
		return
	}
	// The case page's "thank and ask" button comes back to the case.
	if next := r.PostFormValue("next"); next != "" {
		http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
		return
	}
	done := "issued"
	if kit.Reused {
		done = "reused" // nothing new: the page says the promoter keeps their codes
	}
	http.Redirect(w, r, "/referrals?done="+done+"&kit="+url.QueryEscape(kit.Promoter)+"#kit", http.StatusSeeOther)
}

func (s *Server) redeemReferral(w http.ResponseWriter, r *http.Request) {
	actor := viewerOf(r).user.Actor()
	e, err := s.referralsEngine()
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	code, customer := strings.TrimSpace(r.PostFormValue("code")), strings.TrimSpace(r.PostFormValue("customer"))
	ref, err := e.Redeem(r.Context(), actor, code, customer)
	if err != nil {
		if otklik.ErrorCode(err) == otklik.EFORBIDDEN || !isRefusal(err) && otklik.ErrorCode(err) != otklik.ECONFLICT {
			s.errorPage(w, r, err)
			return
		}
		s.renderReferrals(w, r, http.StatusUnprocessableEntity, "", &referralsData{Code: code, Customer: customer,
			RedeemError: refusalText(s.localizer(r), err)})
		return
	}
	http.Redirect(w, r, "/referrals?done=redeemed&redeemed="+url.QueryEscape(ref.Customer)+"#redeem", http.StatusSeeOther)
}

func isRefusal(err error) bool {
	var r *referrals.Refusal
	return errors.As(err, &r)
}

// refusalText words why a code was not issued or redeemed. A conflict
// that is not a refusal (two requests racing for the last coupon) shows
// the engine's own message.
func refusalText(l *locale.Localizer, err error) string {
	var r *referrals.Refusal
	if !errors.As(err, &r) {
		return otklik.ErrorMessage(err)
	}
	data := map[string]any{}
	for k, v := range r.Params {
		data[k] = v
	}
	if d, ok := r.Params["Date"].(string); ok {
		if t, err := time.Parse(time.DateOnly, d); err == nil {
			data["Date"] = l.Date(t)
		}
	}
	return l.T("referrals.refused."+r.Reason, data)
}

// landingData is what a personal link's page shows: the offer and the code
// to quote, never who the promoter is.
type landingData struct {
	Offer string
	Code  string
}

func (s *Server) referralLanding(w http.ResponseWriter, r *http.Request) {
	e, err := s.referralsEngine()
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	c, err := e.Landing(r.Context(), r.PathValue("token"))
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "referrals_landing", page{Title: "referrals.landing.title", Data: landingData{Offer: c.Offer, Code: c.Code}})
}

// PromoterKit is the referral block of a customer's card: the customer's
// coupon and personal link as a promoter, or nil when the reader may not
// see referrals, the customer holds no codes, or the programme is not set
// up. Failures are logged, not shown: the card works without the block.
func (s *Server) PromoterKit(r *http.Request, customer string) *KitView {
	v := viewerOf(r)
	if s.cfg.Referrals == nil || v == nil || !v.user.Actor().Can(otklik.ReadReferrals) {
		return nil
	}
	k, err := s.cfg.Referrals.Kit(r.Context(), v.user.Actor(), customer)
	if err != nil {
		if otklik.ErrorCode(err) != otklik.ENOTFOUND {
			s.log.Error("web: promoter kit", "customer", customer, "err", err)
		}
		return nil
	}
	if k.Coupon == nil && k.Link == nil {
		return nil
	}
	return s.kitOf(s.localizer(r), k)
}
