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

	// Public pages: what a customer sees. No session; rate-limited.
	mux.Handle("GET /s/{token}", s.limited(s.surveyPage))
	mux.Handle("POST /s/{token}", s.limited(s.submitScore))
	mux.Handle("POST /s/{token}/why", s.limited(s.submitWhy))
	mux.Handle("GET /s/open/{key}", s.limited(s.openSurvey))
	mux.Handle("POST /s/open/{key}/score", s.limited(s.submitOpenScore))

	mux.HandleFunc("/", s.notFound)
}
