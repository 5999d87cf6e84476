package telegram_test

import (
	"testing"

	"otklik/internal/channel/telegram"
)

// Every button press and every webhook delivery goes through these; they
// should cost microseconds, not a database round trip.

func BenchmarkParseCallback(b *testing.B) {
	data := telegram.ScoreKeyboard("18446744073709551615", 0, 10, key).Rows[1][2].CallbackData
	for b.Loop() {
		if _, _, err := telegram.ParseCallback(data, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScoreKeyboard(b *testing.B) {
	for b.Loop() {
		telegram.ScoreKeyboard("18446744073709551615", 0, 10, key)
	}
}

func BenchmarkParseUpdate(b *testing.B) {
	body := []byte(pressUpdate)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := telegram.ParseUpdate(body); err != nil {
			b.Fatal(err)
		}
	}
}
