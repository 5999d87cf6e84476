package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
)

// MaxUpdateBytes bounds one webhook body. A text message is at most 4096
// characters plus entities — a few tens of kilobytes of JSON at worst — so
// this leaves room for fields Otklik ignores while refusing junk.
const MaxUpdateBytes = 256 << 10

// SecretHeader carries the webhook's secret_token in every request
// Telegram makes to it.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// ParseUpdate decodes one webhook body. It refuses bodies over
// MaxUpdateBytes, anything but a JSON object, and an update without a
// positive update_id; fields Otklik does not use are ignored.
func ParseUpdate(body []byte) (Update, error) {
	if len(body) > MaxUpdateBytes {
		return Update{}, fmt.Errorf("telegram: update larger than %d bytes", MaxUpdateBytes)
	}
	var u Update
	if err := json.Unmarshal(body, &u); err != nil {
		return Update{}, fmt.Errorf("telegram: malformed update: %w", err)
	}
	if u.UpdateID <= 0 {
		return Update{}, errors.New("telegram: update without update_id")
	}
	return u, nil
}

// CheckSecret reports whether r carries the webhook secret in
// SecretHeader. The comparison takes the same time whatever the header
// holds (both sides are hashed first, so not even the length leaks). An
// empty secret matches nothing: a webhook without one cannot tell Telegram
// from anyone else.
func CheckSecret(r *http.Request, secret string) bool {
	if secret == "" {
		return false
	}
	got := sha256.Sum256([]byte(r.Header.Get(SecretHeader)))
	want := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// WebhookHandler receives updates from Telegram: a POST with the secret
// header and one update as JSON, passed to handle. It answers 200 once
// handle returns nil; 500 when handle fails, so Telegram delivers the update
// again later; 403 without the secret; 400 or 413 for a body that is not an
// update. log may be nil.
func WebhookHandler(secret string, handle func(context.Context, Update) error, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if !CheckSecret(r, secret) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxUpdateBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read update", http.StatusBadRequest)
			return
		}
		u, err := ParseUpdate(body)
		if err != nil {
			log.Warn("telegram webhook: bad update", "err", err)
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if err := handle(r.Context(), u); err != nil {
			log.Error("telegram webhook: handling update failed", "update_id", u.UpdateID, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
