package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"otklik"
)

// outreachTooWide lists the innermost elements that reach past the screen's edge.
const outreachTooWide = `Array.from(document.querySelectorAll("main *")).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 &&
	!Array.from(e.children).some(c => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1)).slice(0, 5).map(e => e.tagName + "." + e.className + ": " + (e.textContent || "").trim().slice(0, 40))`

// TestBrowserOutreach works the outreach settings in a real browser: a cap
// added with the form's own button and saved, pressing Enter in a field
// saves rather than removing a row, and every page fits a phone.
// OTKLIK_SCREENSHOTS=/dir keeps the pictures.
func TestBrowserOutreach(t *testing.T) {
	chrome := startChromium(t)
	w := seedWorkspace(t, "sqlite")
	ctx := t.Context()
	hook, err := w.app.Outreach.CreateWebhook(ctx, "https://crm.example.com/hooks/otklik?token=very-long-subscriber-token-0123456789", []string{"case.opened", "response.created"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*otklik.WebhookDelivery{
		{WebhookID: hook.ID, EventID: "evt_KJ4Y2M7QPZ3X5N6R8T1V9W0A2B", Type: "case.opened", Attempt: 1, DurationMS: 10000, Error: "Post \"https://crm.example.com/hooks/otklik\": dial tcp 203.0.113.7:443: i/o timeout"},
		{WebhookID: hook.ID, EventID: "evt_KJ4Y2M7QPZ3X5N6R8T1V9W0A2B", Type: "case.opened", Attempt: 2, Status: 200, DurationMS: 84},
	} {
		if err := w.app.DB.RecordDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	shots := os.Getenv("OTKLIK_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	shoot := func(tb *chromeTab, name string) {
		t.Helper()
		png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pages := map[string]string{
		"policy": "/outreach", "triggers": "/outreach/triggers", "trigger": "/outreach/triggers/new",
		"schedules": "/outreach/schedules", "schedule": "/outreach/schedules/new", "integrations": "/outreach/integrations",
		"webhooks": "/outreach/webhooks", "deliveries": fmt.Sprintf("/outreach/webhooks/%d", hook.ID),
	}

	desk := openTab(t, chrome, w.site)
	desk.do(chromedp.EmulateViewport(1280, 900))
	desk.signIn(emailAdmin)
	desk.open("/outreach")
	if got := desk.text(`header.top nav a[aria-current=page]`); got != "Опросы клиентов" {
		t.Errorf("the policy is %q in the menu", got)
	}
	// Add a cap with the form's button: the page comes back with a blank
	// row, unsaved; fill it in and save.
	desk.submit(`button[value=add_cap]`)
	if n := len(desk.texts(`table.caps tbody tr`)); n != 3 {
		t.Fatalf("%d cap rows after adding one, want 3", n)
	}
	desk.do(
		chromedp.SendKeys(chromedp.CSS(`input[name="caps[2].name"]`), "VIP"),
		chromedp.SendKeys(chromedp.CSS(`input[name="caps[2].segments"]`), "VIP"),
		chromedp.SendKeys(chromedp.CSS(`input[name="caps[2].max"]`), "1"),
		chromedp.SendKeys(chromedp.CSS(`input[name="caps[2].period_days"]`), "90"),
	)
	// Enter in a field submits with the form's first button: save.
	desk.expectPage(200, chromedp.SendKeys(chromedp.CSS(`input[name="caps[2].period_days"]`), "\r"))
	if q := evalJS[string](desk, `location.pathname + location.search`); q != "/outreach?done=saved" {
		t.Fatalf("Enter led to %s, want the saved policy", q)
	}
	p, err := w.app.Outreach.Policy(ctx)
	if err != nil || len(p.Caps) != 3 || p.Caps[2].Name != "VIP" || p.Caps[2].PeriodDays != 90 {
		t.Fatalf("the policy saved has caps %+v (%v)", p.Caps, err)
	}
	for name, path := range pages {
		desk.open(path)
		shoot(desk, "outreach-"+name+"-desktop")
	}

	phone := openTab(t, chrome, w.site)
	phone.do(chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	phone.signIn(emailAdmin)
	for name, path := range pages {
		phone.open(path)
		// clientWidth, not innerWidth: a phone zooms out to show a page
		// wider than itself, and innerWidth grows with it.
		if over := evalJS[int](phone, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
			t.Errorf("%s is %d px wider than the phone: %v", path, over, evalJS[[]string](phone, outreachTooWide))
		}
		shoot(phone, "outreach-"+name+"-phone")
	}
}
