package telegram

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"otklik"
)

// Signed tokens. A score button's callback_data and a deep link's start
// parameter both come back from the customer's Telegram client, which can
// send anything, so both carry an HMAC-SHA256 tag under the installation's
// key. Both are binary and base64url-encoded (no padding), because Telegram
// allows 64 bytes of callback data and 64 characters of A-Z a-z 0-9 _ - in a
// start parameter, and a readable "ref:score:hex-mac" would not fit a
// 128-bit tag:
//
//	callback: version(1) | score(1) | ref(1–20) | tag(16)  → at most 51 chars
//	start:    version(1) | ref(1–31)            | tag(16)  → at most 64 chars
//
// The tag covers a purpose label as well, so a start token is never
// accepted as callback data, nor the other way round, even under one key.
const (
	// MaxCallbackRef is the longest invitation reference a score button
	// can carry, in bytes.
	MaxCallbackRef = 20
	// MaxStartRef is the longest customer reference a deep link can carry,
	// in bytes.
	MaxStartRef = 31
	// MinKeyLen is the shortest signing key accepted.
	MinKeyLen = 16

	tagLen       = 16
	tokenVersion = 1
	// maxData is Telegram's limit for callback data (bytes) and start
	// parameters (characters).
	maxData = 64

	callbackLabel = "otklik/telegram/callback/v1\x00"
	startLabel    = "otklik/telegram/start/v1\x00"
)

// ErrBadCallback means callback data was not made by ScoreKeyboard with this
// key: forged, altered, truncated or from another bot.
var ErrBadCallback = errors.New("telegram: invalid callback data")

// b64 is strict so that every accepted token has exactly one spelling.
var b64 = base64.RawURLEncoding.Strict()

// CheckScale reports whether ScoreKeyboard can draw the scale min..max: at
// most 11 buttons (two rows of buttons wide enough for a thumb; a wider
// scale is no longer a one-tap question) with 0 ≤ min < max ≤ 100.
func CheckScale(min, max int) error {
	if min < 0 || max > 100 || min >= max || max-min+1 > 11 {
		var p otklik.Problems
		p.Add("scale", "must be at most 11 scores within 0–100 for a Telegram keyboard, not %d–%d", min, max)
		return p.Err("telegram: scale does not fit a keyboard")
	}
	return nil
}

// ScoreKeyboard returns the inline keyboard for a score question: one button
// per score from min to max, each carrying ref and its score signed with
// key. Up to seven scores (1–5, 1–7) make one row; a longer scale is split
// into two rows, the first one longer (0–10 → 0–5 and 6–10), so each button
// stays wide enough to hit on a phone.
//
// ScoreKeyboard panics if the scale fails CheckScale, ref is empty, longer
// than MaxCallbackRef bytes or not UTF-8, or key is shorter than MinKeyLen:
// these come from Otklik's own validated data, not from customers.
func ScoreKeyboard(ref string, min, max int, key []byte) InlineKeyboard {
	if err := CheckScale(min, max); err != nil {
		panic(err)
	}
	checkRef(ref, MaxCallbackRef)
	checkKey(key)
	n := max - min + 1
	perRow := n
	if n > 7 {
		perRow = (n + 1) / 2
	}
	var kb InlineKeyboard
	for start := min; start <= max; start += perRow {
		var row []Button
		for s := start; s <= max && s < start+perRow; s++ {
			row = append(row, Button{Text: strconv.Itoa(s), CallbackData: signCallback(ref, s, key)})
		}
		kb.Rows = append(kb.Rows, row)
	}
	return kb
}

func signCallback(ref string, score int, key []byte) string {
	raw := make([]byte, 0, 2+len(ref)+tagLen)
	raw = append(raw, tokenVersion, byte(score))
	raw = append(raw, ref...)
	raw = append(raw, tag(callbackLabel, raw, key)...)
	return b64.EncodeToString(raw)
}

// ParseCallback checks callback data made by ScoreKeyboard and returns the
// invitation reference and the score it carries. Anything else — another
// key, a changed byte, other buttons' data, garbage — is ErrBadCallback.
// The score is what the button said; whether it is still within the
// survey's scale is the caller's check.
func ParseCallback(data string, key []byte) (ref string, score int, err error) {
	raw, ok := decodeToken(data)
	if !ok || len(key) < MinKeyLen || len(raw) < 2+1+tagLen || len(raw) > 2+MaxCallbackRef+tagLen || raw[0] != tokenVersion {
		return "", 0, ErrBadCallback
	}
	body, mac := raw[:len(raw)-tagLen], raw[len(raw)-tagLen:]
	if !hmac.Equal(mac, tag(callbackLabel, body, key)) {
		return "", 0, ErrBadCallback
	}
	// Signed by us, so these hold; checked anyway in case a key leaked to
	// an older, looser signer.
	ref = string(body[2:])
	if body[1] > 100 || !utf8.ValidString(ref) {
		return "", 0, ErrBadCallback
	}
	return ref, int(body[1]), nil
}

// SignStart returns a start parameter naming the customer ref, for
// StartLink. It panics if ref is empty, longer than MaxStartRef bytes or not
// UTF-8, or key is shorter than MinKeyLen. The token does not expire: it
// only says which customer a chat belongs to, like the survey link the
// customer was sent.
func SignStart(ref string, key []byte) string {
	checkRef(ref, MaxStartRef)
	checkKey(key)
	raw := make([]byte, 0, 1+len(ref)+tagLen)
	raw = append(raw, tokenVersion)
	raw = append(raw, ref...)
	raw = append(raw, tag(startLabel, raw, key)...)
	return b64.EncodeToString(raw)
}

// StartLink returns the link that opens a chat with the bot and sends it
// "/start <token>" when the customer presses Start.
func StartLink(botUsername, token string) string {
	return "https://t.me/" + strings.TrimPrefix(botUsername, "@") + "?start=" + token
}

// ParseStart reads the text of a "/start <token>" message (also
// "/start@bot_name <token>", as groups send it) and returns the customer
// reference of a token made by SignStart with key. A bare "/start", another
// text or a bad token gives ok false: the customer opened the bot without
// (a valid) link.
func ParseStart(text string, key []byte) (ref string, ok bool) {
	cmd, token, found := strings.Cut(strings.TrimSpace(text), " ")
	if !found || len(key) < MinKeyLen {
		return "", false
	}
	if cmd != "/start" && !strings.HasPrefix(cmd, "/start@") {
		return "", false
	}
	raw, ok := decodeToken(strings.TrimSpace(token))
	if !ok || len(raw) < 1+1+tagLen || len(raw) > 1+MaxStartRef+tagLen || raw[0] != tokenVersion {
		return "", false
	}
	body, mac := raw[:len(raw)-tagLen], raw[len(raw)-tagLen:]
	if !hmac.Equal(mac, tag(startLabel, body, key)) {
		return "", false
	}
	ref = string(body[1:])
	if !utf8.ValidString(ref) {
		return "", false
	}
	return ref, true
}

// decodeToken decodes base64url of at most maxData characters. The
// alphabet is checked first because the decoder skips '\r' and '\n'.
func decodeToken(s string) ([]byte, bool) {
	if len(s) == 0 || len(s) > maxData {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return nil, false
		}
	}
	raw, err := b64.DecodeString(s)
	return raw, err == nil
}

func tag(label string, body, key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	m.Write(body)
	return m.Sum(nil)[:tagLen]
}

func checkRef(ref string, limit int) {
	if ref == "" || len(ref) > limit || !utf8.ValidString(ref) {
		panic("telegram: reference must be 1–" + strconv.Itoa(limit) + " bytes of UTF-8, got " + strconv.Quote(ref))
	}
}

func checkKey(key []byte) {
	if len(key) < MinKeyLen {
		panic("telegram: signing key shorter than " + strconv.Itoa(MinKeyLen) + " bytes")
	}
}
