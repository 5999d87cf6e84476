// Package api serves Otklik's REST API v1: JSON over HTTP, bearer tokens,
// errors as RFC 9457 problem details, and the OpenAPI document that
// describes it. Every route is listed in routes().
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"otklik"
	"otklik/internal/auth"
	"otklik/internal/casework"
	"otklik/internal/cube"
	"otklik/internal/dispatch"
	"otklik/internal/intake"
	"otklik/internal/locale"
	"otklik/internal/referrals"
	"otklik/internal/store"
	"otklik/internal/surveylink"
)

// Config is what the API needs from the application.
type Config struct {
	DB       *store.DB
	Intake   *intake.Service
	Now      func() time.Time
	Location *time.Location // the business's time zone, for date-only periods
	Logger   *slog.Logger
	Registry *prometheus.Registry // where request metrics are registered
	Links    *surveylink.Signer   // signs survey links
	BaseURL  string               // where links that leave the system point
	LinkTTL  time.Duration        // how long a survey link works
	// Analytics is the live in-memory index the metrics are read from.
	Analytics Analytics
	// Industry is the benchmark the business compares itself with.
	Industry string
	// Cases is the closed loop's engine (rules, calendar, resolution).
	Cases *casework.Engine
	// Outreach is the invitations' engine (events, triggers, policy).
	Outreach *dispatch.Engine
	// Catalog writes explanations in the reader's language.
	Catalog *locale.Catalog
	// Referrals is the promoters' referral programme.
	Referrals *referrals.Engine
}

// Analytics is the live analytics index: Fresh catches up with this
// process's own writes before a read.
type Analytics interface {
	Fresh(ctx context.Context) error
	Cube() *cube.Cube
}

// Server handles the API's requests.
type Server struct {
	db        *store.DB
	intake    *intake.Service
	now       func() time.Time
	loc       *time.Location
	log       *slog.Logger
	tokens    *tokenCache
	failures  *auth.Limiter // failed token checks per client address
	metrics   *httpMetrics
	links     *surveylink.Signer
	baseURL   string
	linkTTL   time.Duration
	analytics Analytics
	industry  string
	cases     *casework.Engine
	outreach  *dispatch.Engine
	catalog   *locale.Catalog
	webhooks  *auth.Limiter // CRM webhook requests per client address
	referrals *referrals.Engine
}

// New returns an API server.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &Server{
		db: cfg.DB, intake: cfg.Intake, now: cfg.Now, loc: cfg.Location, log: cfg.Logger,
		tokens:   newTokenCache(cfg.DB, 5*time.Second),
		failures: auth.NewLimiter(30, 30, nil),
		metrics:  newHTTPMetrics(cfg.Registry),
		links:    cfg.Links, baseURL: strings.TrimRight(cfg.BaseURL, "/"), linkTTL: cfg.LinkTTL,
		analytics: cfg.Analytics, industry: cfg.Industry, cases: cfg.Cases, outreach: cfg.Outreach, catalog: cfg.Catalog,
		referrals: cfg.Referrals,
		webhooks:  auth.NewLimiter(600, 120, nil),
	}
}

// ForgetTokens makes the API check every token against the database again:
// the web UI calls it when a token is revoked or a user disabled.
func (s *Server) ForgetTokens() { s.tokens.forget() }

// Handler returns the API's routes under /api/v1/, wrapped in the common
// middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	return s.metrics.wrap(recoverPanics(s.log, mux))
}

func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/openapi.yaml", serveOpenAPI)

	mux.Handle("POST /api/v1/customers", s.authed(s.upsertCustomer))
	mux.Handle("GET /api/v1/customers", s.authed(s.listCustomers))
	mux.Handle("GET /api/v1/customers/{external_id}", s.authed(s.getCustomer))
	mux.Handle("DELETE /api/v1/customers/{external_id}", s.authed(s.eraseCustomer))
	mux.Handle("GET /api/v1/customers/{external_id}/export", s.authed(s.exportCustomer))

	mux.Handle("POST /api/v1/surveys", s.authed(s.createSurvey))
	mux.Handle("GET /api/v1/surveys", s.authed(s.listSurveys))
	mux.Handle("GET /api/v1/surveys/{key}", s.authed(s.getSurvey))
	mux.Handle("GET /api/v1/surveys/{key}/link", s.authed(s.surveyLink))

	mux.Handle("POST /api/v1/responses", s.authed(s.createResponse))
	mux.Handle("POST /api/v1/responses/batch", s.authed(s.createResponses))
	mux.Handle("GET /api/v1/responses", s.authed(s.listResponses))
	mux.Handle("GET /api/v1/responses/{id}", s.authed(s.getResponse))

	mux.Handle("GET /api/v1/metrics/nps", s.authed(s.npsMetric))
	mux.Handle("GET /api/v1/metrics/csat", s.authed(s.meanMetric(otklik.KindCSAT)))
	mux.Handle("GET /api/v1/metrics/ces", s.authed(s.meanMetric(otklik.KindCES)))
	mux.Handle("GET /api/v1/metrics/cohorts", s.authed(s.cohorts))
	mux.Handle("GET /api/v1/metrics/drivers", s.authed(s.drivers))
	mux.Handle("GET /api/v1/metrics/benchmark", s.authed(s.benchmark))

	mux.Handle("GET /api/v1/cases", s.authed(s.listCases))
	mux.Handle("GET /api/v1/cases/{id}", s.authed(s.getCase))
	mux.Handle("POST /api/v1/cases/{id}/notes", s.authed(s.addCaseNote))
	mux.Handle("POST /api/v1/cases/{id}/contact", s.authed(s.contactCase))
	mux.Handle("POST /api/v1/cases/{id}/resolve", s.authed(s.resolveCase))
	mux.Handle("POST /api/v1/cases/{id}/close", s.authed(s.closeCase))
	mux.Handle("GET /api/v1/metrics/loop", s.authed(s.loopMetric))
	mux.Handle("GET /api/v1/loop/rules", s.authed(s.getLoopRules))
	mux.Handle("PUT /api/v1/loop/rules", s.authed(s.putLoopRules))
	mux.Handle("GET /api/v1/loop/calendar", s.authed(s.getLoopCalendar))
	mux.Handle("PUT /api/v1/loop/calendar", s.authed(s.putLoopCalendar))

	mux.Handle("POST /api/v1/events", s.authed(s.createEvents))
	mux.HandleFunc("POST /api/v1/integrations/amocrm/{secret}", s.integrationWebhook(amoWebhook))
	mux.HandleFunc("POST /api/v1/integrations/bitrix24/{secret}", s.integrationWebhook(bitrixWebhook))
	mux.Handle("GET /api/v1/integrations", s.authed(s.getIntegrations))
	mux.Handle("PUT /api/v1/integrations", s.authed(s.putIntegrations))
	mux.Handle("GET /api/v1/outreach/policy", s.authed(s.getPolicy))
	mux.Handle("PUT /api/v1/outreach/policy", s.authed(s.putPolicy))
	mux.Handle("GET /api/v1/outreach/triggers", s.authed(s.listTriggers))
	mux.Handle("POST /api/v1/outreach/triggers", s.authed(s.saveTrigger))
	mux.Handle("PUT /api/v1/outreach/triggers/{id}", s.authed(s.saveTrigger))
	mux.Handle("DELETE /api/v1/outreach/triggers/{id}", s.authed(s.deleteTrigger))
	mux.Handle("GET /api/v1/outreach/schedules", s.authed(s.listSchedules))
	mux.Handle("POST /api/v1/outreach/schedules", s.authed(s.saveSchedule))
	mux.Handle("PUT /api/v1/outreach/schedules/{id}", s.authed(s.saveSchedule))
	mux.Handle("DELETE /api/v1/outreach/schedules/{id}", s.authed(s.deleteSchedule))
	mux.Handle("GET /api/v1/invitations", s.authed(s.listInvitations))
	mux.Handle("POST /api/v1/referrals/redeem", s.authed(s.redeemReferral))
	mux.Handle("GET /api/v1/referrals/report", s.authed(s.referralReport))
	mux.Handle("GET /api/v1/referrals/program", s.authed(s.getReferralProgram))
	mux.Handle("PUT /api/v1/referrals/program", s.authed(s.putReferralProgram))
	mux.Handle("POST /api/v1/customers/{external_id}/referral-codes", s.authed(s.issueReferralCodes))
	mux.Handle("GET /api/v1/webhooks", s.authed(s.listWebhooks))
	mux.Handle("POST /api/v1/webhooks", s.authed(s.createWebhook))
	mux.Handle("PUT /api/v1/webhooks/{id}", s.authed(s.updateWebhook))
	mux.Handle("DELETE /api/v1/webhooks/{id}", s.authed(s.deleteWebhook))
	mux.Handle("GET /api/v1/webhooks/{id}/deliveries", s.authed(s.webhookDeliveries))
	mux.Handle("GET /api/v1/customers/{external_id}/outreach", s.authed(s.listInvitations))

	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, http.StatusNotFound, "not_found", "no such endpoint", nil)
	})
}
