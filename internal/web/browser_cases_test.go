package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"otklik"
)

// TestBrowserCases works a case in a real browser: a manager opens it from
// the board, records a call-back and resolves it. Then it looks at the
// loop's pages on a desktop and on a phone; OTKLIK_SCREENSHOTS=/dir keeps
// the pictures.
func TestBrowserCases(t *testing.T) {
	chrome := startChromium(t)
	w := seedCases(t, "sqlite")
	// A fuller board: more of Анна's customers, some of them unhappy.
	for i, a := range []struct {
		name, comment string
		score         int
	}{
		{"ООО «Север-Строй»", "Одобрение заняло три недели, хотя обещали пять дней. Никто не перезванивал, пришлось самому узнавать статус заявки.", 2},
		{"Мария Лебедева", "Навязали страховку", 4},
		{"ИП Кузнецов", "", 6},
		{"Ольга Смирнова", "Всё понравилось, спасибо Анне!", 9},
		{"Денис Орлов", "Комиссия выше, чем говорили по телефону", 5},
	} {
		ext := fmt.Sprintf("c-more-%d", i)
		w.customer(ext, func(c *otklik.Customer) {
			c.Name, c.Manager, c.Team, c.Segment = a.name, emailAnna, "Север", "ипотека"
		})
		w.answer("nps", ext, a.score, a.comment)
	}
	if _, err := w.app.Cases.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(4*time.Hour + 50*time.Minute) // 16:50 in Moscow: the first contacts are 50 minutes overdue

	tb := openTab(t, chrome, w.site)
	tb.do(chromedp.EmulateViewport(1280, 900))
	tb.signIn(emailAnna)
	tb.open("/cases")
	if got := tb.text(`header.top nav a[aria-current=page]`); got != "Случаи" {
		t.Errorf("the board is %q in the menu", got)
	}
	if n := len(tb.texts(`table.cases tr.breached`)); n != 5 {
		t.Errorf("%d overdue rows stand out, want Анна's 5 detractors", n)
	}
	shots := os.Getenv("OTKLIK_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	shoot := func(tb *chromeTab, name string) {
		t.Helper()
		png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shoot(tb, "cases-desktop")

	tb.submit(fmt.Sprintf(`td.id a[href="/cases/%d"]`, w.annaCase))
	if got := tb.text(`#timer`); got != "просрочено на 50\u00a0мин — первый контакт" {
		t.Errorf("the case's timer reads %q", got)
	}
	if got := tb.text(`.said .comment`); got != hostile {
		t.Errorf("the comment reads %q, want it as typed", got)
	}
	shoot(tb, "case-desktop")

	// The call-back: reached, now, with a note.
	tb.do(chromedp.SendKeys(chromedp.CSS(`form.contact-form textarea[name=note]`), "Клиент ждал одобрения три недели; обещал ускорить"))
	tb.submit(`form.contact-form button[type=submit]`)
	if got := tb.text(`main .notice`); got != "Звонок записан." {
		t.Errorf("after the call-back the notice reads %q", got)
	}
	if got := tb.text(`.case-head .status`); got != "Связались" {
		t.Errorf("after the call-back the status is %q", got)
	}
	// The resolution.
	tb.do(
		chromedp.SetValue(chromedp.CSS(`form.resolve-form select[name=root_cause]`), "speed"),
		chromedp.SendKeys(chromedp.CSS(`form.resolve-form textarea[name=decision]`), "Заявку одобрили за день, извинились"),
		chromedp.SendKeys(chromedp.CSS(`form.resolve-form textarea[name=action]`), "Менеджер звонит в день подачи заявки"),
		chromedp.Click(chromedp.CSS(`form.resolve-form input[name=customer_told]`)),
	)
	tb.submit(`form.resolve-form button[type=submit]`)
	if got := tb.text(`.case-head .status`); got != "Решён" {
		t.Errorf("after resolving the status is %q", got)
	}
	if got := tb.text(`#timer`); got != "решён в срок" {
		t.Errorf("after resolving the timer reads %q", got)
	}
	if got := tb.text(`.resolution`); !strings.Contains(got, "Сроки и скорость") || !strings.Contains(got, "Заявку одобрили за день, извинились") {
		t.Errorf("the resolution reads %q", got)
	}
	if got := tb.texts(`.timeline .what`); len(got) < 3 || got[len(got)-2] != "Звонок: Дозвонились" || got[len(got)-1] != "Решено" {
		t.Errorf("the timeline reads %q", got)
	}
	if n := evalJS[int](tb, `document.querySelectorAll("form.resolve-form").length`); n != 0 {
		t.Error("a resolved case still offers to resolve it")
	}
	c := w.caseByID(w.annaCase)
	if c.Status != otklik.CaseResolved || c.RootCause != "speed" || !c.CustomerTold || c.ContactedAt == nil || c.ResurveyAt == nil {
		t.Errorf("stored: %s %q told=%v contacted %v resurvey %v", c.Status, c.RootCause, c.CustomerTold, c.ContactedAt, c.ResurveyAt)
	}
	shoot(tb, "case-resolved-desktop")
	tb.open("/loop")
	shoot(tb, "loop-desktop")
	tb.open("/feedback")
	shoot(tb, "feedback-desktop")

	// On a phone nothing is wider than the screen.
	phone := openTab(t, chrome, w.site)
	phone.do(chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	phone.signIn(emailAnna)
	for _, p := range []struct{ name, path string }{
		{"cases-phone", "/cases"}, {"case-phone", fmt.Sprintf("/cases/%d", w.caseOf("c-more-0", otklik.CaseDetractor).ID)},
		{"loop-phone", "/loop"}, {"feedback-phone", "/feedback"},
	} {
		phone.open(p.path)
		if over := evalJS[int](phone, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
			t.Errorf("%s is %d px wider than the phone", p.path, over)
		}
		shoot(phone, p.name)
	}
	// On a phone the forms come before the long timeline.
	phone.open(fmt.Sprintf("/cases/%d", w.caseOf("c-more-0", otklik.CaseDetractor).ID))
	if above := evalJS[bool](phone, `document.querySelector(".case-side").getBoundingClientRect().top < document.querySelector("#timeline").getBoundingClientRect().top`); !above {
		t.Error("on a phone the case's forms are below its timeline")
	}
	phone.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("#contact").scrollIntoView()`))
	shoot(phone, "case-phone-forms")
	admin := openTab(t, chrome, w.site)
	admin.do(chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	admin.signIn(emailAdmin)
	for _, p := range []struct{ name, path string }{{"rules-phone", "/loop/rules"}, {"rule-phone", "/loop/rules/1"}} {
		admin.open(p.path)
		if over := evalJS[int](admin, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
			t.Errorf("%s is %d px wider than the phone", p.path, over)
		}
		shoot(admin, p.name)
	}
	admin.do(chromedp.EmulateViewport(1280, 900))
	admin.open("/loop/rules/1")
	shoot(admin, "rule-desktop")
}
