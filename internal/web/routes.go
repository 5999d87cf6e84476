package web

import "net/http"

// routes lists every page and action of the web UI.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /static/{version}/", s.serveStatic)

	mux.HandleFunc("GET /signin", s.signinForm)
	mux.HandleFunc("POST /signin", s.signin)
	mux.Handle("POST /signout", s.signedIn(s.signout))
	mux.HandleFunc("POST /lang", s.switchLanguage)
	mux.Handle("GET /password", s.signedIn(s.passwordForm))
	mux.Handle("POST /password", s.signedIn(s.changePassword))

	mux.Handle("GET /{$}", s.signedIn(s.overview))
	mux.Handle("GET /answers", s.signedIn(s.answers))
	mux.Handle("GET /analytics", s.signedIn(s.analyticsPage))
	mux.Handle("GET /analytics/export", s.signedIn(s.analyticsExport))
	mux.Handle("GET /analytics/report.pdf", s.signedIn(s.monthlyReport))
	mux.Handle("GET /customers", s.signedIn(s.customers))
	mux.Handle("GET /customers/{external_id}", s.signedIn(s.customerCard))
	mux.Handle("GET /workload", s.signedIn(s.workload))

	mux.Handle("GET /surveys", s.signedIn(s.surveys))
	mux.Handle("GET /surveys/new", s.signedIn(s.surveyForm))
	mux.Handle("GET /surveys/{key}/edit", s.signedIn(s.surveyForm))
	mux.Handle("POST /surveys", s.signedIn(s.saveSurvey))
	mux.Handle("POST /surveys/preview", s.signedIn(s.previewSurvey))

	mux.Handle("GET /settings", s.signedIn(s.settings))
	mux.Handle("POST /settings/users", s.signedIn(s.createUser))
	mux.Handle("POST /settings/users/{id}", s.signedIn(s.updateUser))
	mux.Handle("POST /settings/tokens", s.signedIn(s.createToken))
	mux.Handle("POST /settings/tokens/{id}/revoke", s.signedIn(s.revokeToken))

	mux.Handle("GET /transfer", s.signedIn(s.transferPage))
	mux.Handle("POST /transfer/import", s.signedIn(s.importFile))
	mux.Handle("GET /transfer/export", s.signedIn(s.exportFile))

	// The closed loop: cases, their figures, the routing rules, and the
	// feedback each manager gets.
	mux.Handle("GET /cases", s.signedIn(s.casesBoard))
	mux.Handle("GET /cases/{id}", s.signedIn(s.casePage))
	mux.Handle("POST /cases/{id}/notes", s.signedIn(s.caseNote))
	mux.Handle("POST /cases/{id}/contact", s.signedIn(s.caseContact))
	mux.Handle("POST /cases/{id}/resolve", s.signedIn(s.caseResolve))
	mux.Handle("POST /cases/{id}/close", s.signedIn(s.caseClose))
	mux.Handle("GET /loop", s.signedIn(s.loopDashboard))
	mux.Handle("GET /loop/rules", s.signedIn(s.loopRules))
	mux.Handle("GET /loop/rules/new", s.signedIn(s.loopRuleForm))
	mux.Handle("GET /loop/rules/{id}", s.signedIn(s.loopRuleForm))
	mux.Handle("POST /loop/rules", s.signedIn(s.saveLoopRule))
	mux.Handle("POST /loop/rules/{id}/toggle", s.signedIn(s.toggleLoopRule))
	mux.Handle("POST /loop/rules/{id}/move", s.signedIn(s.moveLoopRule))
	mux.Handle("POST /loop/rules/{id}/delete", s.signedIn(s.deleteLoopRule))
	mux.Handle("GET /feedback", s.signedIn(s.feedbackPage))

	// Promoters' referrals: the programme, the report, issuing codes to a
	// promoter and redeeming one for a new customer; /r/{token} is the
	// public page a promoter's personal link opens (no session).
	mux.Handle("GET /referrals", s.signedIn(s.referralsPage))
	mux.Handle("POST /referrals/program", s.signedIn(s.saveReferralProgram))
	mux.Handle("POST /referrals/issue", s.signedIn(s.issueReferral))
	mux.Handle("POST /referrals/redeem", s.signedIn(s.redeemReferral))
	mux.Handle("GET /r/{token}", s.limited(s.referralLanding))

	// Action plans per survey wave, and the insights board: items, votes,
	// answers linked to them, recurring themes, the quarterly review.
	mux.Handle("GET /plans", s.signedIn(s.plansList))
	mux.Handle("GET /plans/new", s.signedIn(s.newPlanForm))
	mux.Handle("POST /plans", s.signedIn(s.createPlan))
	mux.Handle("GET /plans/{id}", s.signedIn(s.planPage))
	mux.Handle("POST /plans/{id}", s.signedIn(s.updatePlan))
	mux.Handle("POST /plans/{id}/items", s.signedIn(s.addPlanItem))
	mux.Handle("POST /plans/{id}/items/{item}", s.signedIn(s.editPlanItem))
	mux.Handle("POST /plans/{id}/items/{item}/done", s.signedIn(s.completePlanItem))
	mux.Handle("GET /insights", s.signedIn(s.insightsBoard))
	mux.Handle("POST /insights", s.signedIn(s.createInsight))
	mux.Handle("GET /insights/themes", s.signedIn(s.insightThemes))
	mux.Handle("GET /insights/review", s.signedIn(s.insightReview))
	mux.Handle("GET /insights/answer/{id}", s.signedIn(s.answerInsights))
	mux.Handle("GET /insights/{id}", s.signedIn(s.insightPage))
	mux.Handle("POST /insights/{id}", s.signedIn(s.editInsight))
	mux.Handle("POST /insights/{id}/vote", s.signedIn(s.voteInsight))
	mux.Handle("POST /insights/{id}/status", s.signedIn(s.insightStatus))
	mux.Handle("POST /insights/{id}/answers", s.signedIn(s.linkInsightAnswer))

	// Outreach settings (administrators): the contact policy, event
	// triggers, lifetime schedules, CRM integrations and outgoing webhooks
	// with their delivery log.
	mux.Handle("GET /outreach", s.signedIn(s.outreachPolicy))
	mux.Handle("POST /outreach/policy", s.signedIn(s.saveOutreachPolicy))
	mux.Handle("GET /outreach/triggers", s.signedIn(s.outreachTriggers))
	mux.Handle("GET /outreach/triggers/new", s.signedIn(s.outreachTriggerForm))
	mux.Handle("GET /outreach/triggers/{id}", s.signedIn(s.outreachTriggerForm))
	mux.Handle("POST /outreach/triggers", s.signedIn(s.saveOutreachTrigger))
	mux.Handle("POST /outreach/triggers/{id}/toggle", s.signedIn(s.toggleOutreachTrigger))
	mux.Handle("POST /outreach/triggers/{id}/delete", s.signedIn(s.deleteOutreachTrigger))
	mux.Handle("GET /outreach/schedules", s.signedIn(s.outreachSchedules))
	mux.Handle("GET /outreach/schedules/new", s.signedIn(s.outreachScheduleForm))
	mux.Handle("GET /outreach/schedules/{id}", s.signedIn(s.outreachScheduleForm))
	mux.Handle("POST /outreach/schedules", s.signedIn(s.saveOutreachSchedule))
	mux.Handle("POST /outreach/schedules/{id}/toggle", s.signedIn(s.toggleOutreachSchedule))
	mux.Handle("POST /outreach/schedules/{id}/delete", s.signedIn(s.deleteOutreachSchedule))
	mux.Handle("GET /outreach/integrations", s.signedIn(s.outreachIntegrations))
	mux.Handle("POST /outreach/integrations", s.signedIn(s.saveOutreachIntegrations))
	mux.Handle("GET /outreach/webhooks", s.signedIn(s.outreachWebhooks))
	mux.Handle("POST /outreach/webhooks", s.signedIn(s.createOutreachWebhook))
	mux.Handle("GET /outreach/webhooks/{id}", s.signedIn(s.outreachDeliveries))
	mux.Handle("POST /outreach/webhooks/{id}/toggle", s.signedIn(s.toggleOutreachWebhook))
	mux.Handle("POST /outreach/webhooks/{id}/delete", s.signedIn(s.deleteOutreachWebhook))

	// Public pages: what a customer sees. No session; rate-limited.
	mux.Handle("GET /s/{token}", s.limited(s.surveyPage))
	mux.Handle("POST /s/{token}", s.limited(s.submitScore))
	mux.Handle("POST /s/{token}/why", s.limited(s.submitWhy))
	mux.Handle("GET /s/open/{key}", s.limited(s.openSurvey))
	mux.Handle("POST /s/open/{key}/score", s.limited(s.submitOpenScore))
	// Invitations: an e-mail's one-click scale and its unsubscribe link.
	mux.Handle("GET /s/{token}/score/{score}", s.limited(s.scoreLink))
	mux.Handle("GET /u/{token}", s.limited(s.unsubscribePage))
	mux.Handle("POST /u/{token}", s.limited(s.unsubscribe))

	mux.HandleFunc("/", s.notFound)
}
