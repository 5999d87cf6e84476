package telegram_test

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"otklik"
	"otklik/internal/channel/telegram"
)

var (
	key      = []byte("0123456789abcdef0123456789abcdef")
	otherKey = []byte("fedcba9876543210fedcba9876543210")
)

// labels returns the button texts of a keyboard, row by row.
func labels(kb telegram.InlineKeyboard) [][]string {
	var out [][]string
	for _, row := range kb.Rows {
		var r []string
		for _, b := range row {
			r = append(r, b.Text)
		}
		out = append(out, r)
	}
	return out
}

func TestScoreKeyboardLayout(t *testing.T) {
	tests := []struct {
		min, max int
		want     string // rows separated by "|"
	}{
		{0, 10, "0 1 2 3 4 5|6 7 8 9 10"}, // NPS
		{1, 5, "1 2 3 4 5"},               // CSAT
		{1, 7, "1 2 3 4 5 6 7"},           // CES
		{0, 1, "0 1"},
		{1, 10, "1 2 3 4 5|6 7 8 9 10"},
		{1, 8, "1 2 3 4|5 6 7 8"},
		{90, 100, "90 91 92 93 94 95|96 97 98 99 100"},
	}
	for _, tt := range tests {
		kb := telegram.ScoreKeyboard("inv-1", tt.min, tt.max, key)
		var rows []string
		for _, r := range labels(kb) {
			rows = append(rows, strings.Join(r, " "))
		}
		if got := strings.Join(rows, "|"); got != tt.want {
			t.Errorf("%d–%d: rows %q, want %q", tt.min, tt.max, got, tt.want)
		}
		for _, row := range kb.Rows {
			for _, b := range row {
				ref, score, err := telegram.ParseCallback(b.CallbackData, key)
				if err != nil || ref != "inv-1" || strconv.Itoa(score) != b.Text || b.URL != "" {
					t.Errorf("%d–%d: button %q carries (%q, %d, %v)", tt.min, tt.max, b.Text, ref, score, err)
				}
			}
		}
	}
}

func TestCheckScale(t *testing.T) {
	for _, ok := range [][2]int{{0, 10}, {1, 5}, {1, 7}, {0, 1}, {90, 100}} {
		if err := telegram.CheckScale(ok[0], ok[1]); err != nil {
			t.Errorf("%v refused: %v", ok, err)
		}
	}
	for _, bad := range [][2]int{{0, 11}, {-1, 5}, {5, 5}, {5, 1}, {95, 101}, {0, 100}} {
		err := telegram.CheckScale(bad[0], bad[1])
		if otklik.ErrorCode(err) != otklik.EINVALID || len(otklik.ErrorFields(err)) != 1 || otklik.ErrorFields(err)[0].Field != "scale" {
			t.Errorf("%v: err = %v, want EINVALID on field scale", bad, err)
		}
	}
}

// Telegram refuses a button whose callback_data exceeds 64 bytes, so the
// longest reference must fit with every score.
func TestCallbackDataFitsTelegram(t *testing.T) {
	refs := []struct {
		ref     string
		wantLen int // base64url of version+score+ref+16-byte tag, hand-computed
	}{
		{"7", 26},                     // 19 bytes → ⌈19·4/3⌉ = 26
		{"18446744073709551615", 51},  // 20 ASCII bytes: 38 bytes → 51
		{"ЖЖЖЖЖЖЖЖЖЖ", 51},            // 10 Cyrillic letters = 20 bytes
		{"inv:2026-03/№1", 46},        // 16 bytes (№ is 3): 34 bytes → 46
		{strings.Repeat("z", 20), 51}, // the limit
	}
	for _, r := range refs {
		if len(r.ref) > telegram.MaxCallbackRef {
			t.Fatalf("test ref %q is %d bytes", r.ref, len(r.ref))
		}
		// Eleven-score scales starting at 0, 10, …, 90 cover every score 0–100.
		seen := 0
		for lo := 0; lo <= 90; lo += 10 {
			kb := telegram.ScoreKeyboard(r.ref, lo, lo+10, key)
			for _, row := range kb.Rows {
				for _, b := range row {
					seen++
					if len(b.CallbackData) > 64 || len(b.CallbackData) != r.wantLen {
						t.Fatalf("ref %q score %s: %d bytes of callback data, want %d", r.ref, b.Text, len(b.CallbackData), r.wantLen)
					}
				}
			}
		}
		if seen != 110 {
			t.Fatalf("checked %d buttons, want 110", seen)
		}
	}
}

func TestParseCallbackRejectsForgeries(t *testing.T) {
	kb := telegram.ScoreKeyboard("1042", 0, 10, key)
	eight := kb.Rows[1][2].CallbackData
	if kb.Rows[1][2].Text != "8" {
		t.Fatalf("button = %q", kb.Rows[1][2].Text)
	}
	ref, score, err := telegram.ParseCallback(eight, key)
	if err != nil || ref != "1042" || score != 8 {
		t.Fatalf("ParseCallback = %q %d %v", ref, score, err)
	}
	bad := map[string]string{
		"other key":        telegram.ScoreKeyboard("1042", 0, 10, otherKey).Rows[1][2].CallbackData,
		"start token":      telegram.SignStart("1042", key),
		"other bot's data": "nps:9",
		"empty":            "",
		"truncated":        eight[:len(eight)-1],
		"extended":         eight + "A",
		"newline inside":   eight[:10] + "\n" + eight[10:],
		"padded":           eight + "=",
		"too long":         strings.Repeat("A", 65),
		"tag only":         eight[len(eight)-22:],
		"standard base64":  strings.NewReplacer("-", "+", "_", "/").Replace(eight) + "+/",
	}
	// Every single-character change, including ones that only touch the
	// unused low bits of the last character (the decoder is strict).
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(eight) {
		for _, c := range []byte{'A', 'B', 'g', '_'} {
			if eight[i] == c {
				continue
			}
			bad["byte "+strconv.Itoa(i)+"→"+string(c)] = eight[:i] + string(c) + eight[i+1:]
		}
	}
	last := strings.IndexByte(alphabet, eight[len(eight)-1])
	bad["non-canonical tail"] = eight[:len(eight)-1] + string(alphabet[last^1])
	for name, data := range bad {
		if ref, score, err := telegram.ParseCallback(data, key); !errors.Is(err, telegram.ErrBadCallback) {
			t.Errorf("%s: %q accepted as (%q, %d, %v)", name, data, ref, score, err)
		}
	}
	if _, _, err := telegram.ParseCallback(eight, nil); !errors.Is(err, telegram.ErrBadCallback) {
		t.Error("accepted with an empty key")
	}
}

func TestStartToken(t *testing.T) {
	longest := strings.Repeat("c", telegram.MaxStartRef)
	tests := []struct {
		ref     string
		wantLen int // base64url of version+ref+16-byte tag
	}{
		{"1", 24},         // 18 bytes → 24
		{"crm-1042", 34},  // 25 bytes → ⌈100/3⌉ = 34
		{"клиент/77", 43}, // 6 Cyrillic letters (12 bytes) + 3 = 15 bytes: 32 → 43
		{longest, 64},     // 31 bytes: 48 → exactly Telegram's 64 characters
	}
	for _, tt := range tests {
		tok := telegram.SignStart(tt.ref, key)
		if len(tok) != tt.wantLen || len(tok) > 64 {
			t.Errorf("%q: token of %d characters, want %d", tt.ref, len(tok), tt.wantLen)
		}
		for i := range len(tok) {
			c := tok[i]
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
				t.Fatalf("%q: token %q has %q, outside Telegram's start alphabet", tt.ref, tok, c)
			}
		}
		link := telegram.StartLink("@otklik_test_bot", tok)
		u, err := url.Parse(link)
		if err != nil || u.Scheme != "https" || u.Host != "t.me" || u.Path != "/otklik_test_bot" || u.Query().Get("start") != tok {
			t.Errorf("link %q", link)
		}
		for _, text := range []string{"/start " + tok, "  /start " + tok + " \n", "/start@otklik_test_bot " + tok} {
			if ref, ok := telegram.ParseStart(text, key); !ok || ref != tt.ref {
				t.Errorf("ParseStart(%q) = %q, %v; want %q", text, ref, ok, tt.ref)
			}
		}
	}
	tok := telegram.SignStart("crm-1042", key)
	for name, text := range map[string]string{
		"bare /start":       "/start",
		"no space":          "/start" + tok,
		"other command":     "/help " + tok,
		"other key":         "/start " + telegram.SignStart("crm-1042", otherKey),
		"callback data":     "/start " + telegram.ScoreKeyboard("crm-1042", 1, 5, key).Rows[0][0].CallbackData,
		"changed character": "/start " + tok[:5] + string(tok[5]^1) + tok[6:],
		"plain payload":     "/start survey_42-abc",
		"two tokens":        "/start " + tok + " " + tok,
		"too long":          "/start " + strings.Repeat("A", 65),
	} {
		if ref, ok := telegram.ParseStart(text, key); ok {
			t.Errorf("%s: %q accepted as %q", name, text, ref)
		}
	}
	if _, ok := telegram.ParseStart("/start "+tok, key[:8]); ok {
		t.Error("accepted with a short key")
	}
}

func TestSignersRefuseBadInput(t *testing.T) {
	for name, f := range map[string]func(){
		"ref too long":       func() { telegram.ScoreKeyboard(strings.Repeat("1", 21), 0, 10, key) },
		"empty ref":          func() { telegram.ScoreKeyboard("", 0, 10, key) },
		"bad scale":          func() { telegram.ScoreKeyboard("1", 0, 100, key) },
		"short key":          func() { telegram.ScoreKeyboard("1", 0, 10, key[:15]) },
		"start ref too long": func() { telegram.SignStart(strings.Repeat("1", 32), key) },
		"start not utf-8":    func() { telegram.SignStart("\xff", key) },
		"start short key":    func() { telegram.SignStart("1", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func FuzzParseCallback(f *testing.F) {
	kb := telegram.ScoreKeyboard("1042", 0, 10, key)
	f.Add(kb.Rows[1][2].CallbackData)
	f.Add(telegram.ScoreKeyboard("ЖЖЖЖЖЖЖЖЖЖ", 1, 5, key).Rows[0][4].CallbackData)
	f.Add(telegram.SignStart("1042", key))
	f.Add("nps:9")
	f.Add("")
	f.Fuzz(func(t *testing.T, data string) {
		ref, score, err := telegram.ParseCallback(data, key)
		if err != nil {
			if !errors.Is(err, telegram.ErrBadCallback) || ref != "" || score != 0 {
				t.Fatalf("failure returned (%q, %d, %v)", ref, score, err)
			}
			return
		}
		// Accepted data has exactly one spelling: the one we sign.
		if ref == "" || len(ref) > telegram.MaxCallbackRef || score < 0 || score > 100 {
			t.Fatalf("accepted (%q, %d)", ref, score)
		}
		lo := min(score, 90)
		kb := telegram.ScoreKeyboard(ref, lo, lo+10, key)
		found := false
		for _, row := range kb.Rows {
			for _, b := range row {
				found = found || b.CallbackData == data
			}
		}
		if !found {
			t.Fatalf("%q accepted as (%q, %d) but is not what ScoreKeyboard signs", data, ref, score)
		}
	})
}

func FuzzParseStart(f *testing.F) {
	tok := telegram.SignStart("crm-1042", key)
	f.Add("/start " + tok)
	f.Add("/start@otklik_test_bot " + tok)
	f.Add("/start")
	f.Add("/start survey_42-abc")
	f.Add("/start " + telegram.ScoreKeyboard("1", 0, 10, key).Rows[0][0].CallbackData)
	f.Fuzz(func(t *testing.T, text string) {
		ref, ok := telegram.ParseStart(text, key)
		if !ok {
			if ref != "" {
				t.Fatalf("refused text returned %q", ref)
			}
			return
		}
		if ref == "" || len(ref) > telegram.MaxStartRef {
			t.Fatalf("accepted %q", ref)
		}
		if !strings.Contains(text, telegram.SignStart(ref, key)) {
			t.Fatalf("%q accepted as %q without the token SignStart makes", text, ref)
		}
	})
}
