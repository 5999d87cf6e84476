package web_test

import (
	"strings"
	"testing"

	"otklik"
	"otklik/internal/storetest"
)

// TestAnalyticsPage: the page, its export and the PDF show the viewer's
// reach only, and every figure links to the answers behind it.
func TestAnalyticsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		s := newSite(t, dialect)
		s.user("boss@example.com", otklik.RoleAdmin, "", "ru")
		s.user("anna@example.com", otklik.RoleManager, "Север", "en")
		s.survey(npsSurvey("nps"))
		s.customer("a1", func(c *otklik.Customer) { c.Manager, c.Team, c.Segment = "anna@example.com", "Север", "VIP" })
		s.customer("b1", func(c *otklik.Customer) { c.Manager, c.Team, c.Segment = "boris@example.com", "Юг", "SMB" })
		// anna: 10, 9, 3 → NPS (2−1)/3 = 33.3; boris: 0 → −100; together (2−2)/4 = 0.
		for _, a := range []struct {
			customer string
			score    int
		}{{"a1", 10}, {"a1", 9}, {"a1", 3}, {"b1", 0}} {
			s.answer("nps", a.customer, a.score, "")
		}
		boss := s.browser()
		boss.signIn("boss@example.com")
		status, body := boss.get("/analytics?survey=nps&group_by=manager&from=2026-01-01&to=2026-03-31")
		if status != 200 || !has(body, "boris@example.com") || !has(body, "anna@example.com") || !has(body, "33,3") || !has(body, "-100,0") {
			t.Fatalf("admin's analytics (%d): %.400s", status, body)
		}
		if !has(body, "/answers?from=2026-01-01&amp;manager=anna%40example.com&amp;survey=nps&amp;to=2026-03-31") {
			t.Error("the manager's row does not link to the answers behind it")
		}
		anna := s.browser()
		anna.signIn("anna@example.com")
		_, body = anna.get("/analytics?survey=nps&group_by=manager&from=2026-01-01&to=2026-03-31")
		if has(body, "boris@example.com") || !has(body, "33.3") {
			t.Fatalf("a manager's analytics show another's figures: %.300s", body)
		}
		_, csv := anna.get("/analytics/export?survey=nps&group_by=manager&from=2026-01-01&to=2026-03-31&format=csv")
		if lines := strings.Count(strings.TrimSpace(csv), "\n"); lines != 1 || !has(csv, "anna@example.com,3,33.33") {
			t.Fatalf("a manager's export: %q", csv)
		}
		status, pdf := boss.get("/analytics/report.pdf?month=2026-03")
		if status != 200 || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("monthly report: %d %.20q", status, pdf)
		}
	})
}
