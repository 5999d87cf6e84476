package telegram

import "time"

// The Bot API objects Otklik reads, with only the fields it uses. Unknown
// fields are ignored when decoding, so new fields Telegram adds do not break
// anything.

// Update is one incoming event. At most one of Message and CallbackQuery is
// set; an update of a kind Otklik does not ask for (edited messages, chat
// member changes, …) has neither and should be ignored.
type Update struct {
	UpdateID      int64          `json:"update_id"`
	Message       *Message       `json:"message,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
}

// Message is a message in a chat: one the customer wrote, or one the bot
// sent (as returned by SendMessage and the edit methods).
type Message struct {
	MessageID int64 `json:"message_id"`
	// From is empty for messages sent on behalf of a channel.
	From *User `json:"from,omitempty"`
	Chat Chat  `json:"chat"`
	// Date is Unix seconds; 0 for a callback's message that is no longer
	// accessible to the bot.
	Date        int64           `json:"date"`
	Text        string          `json:"text,omitempty"`
	ReplyMarkup *InlineKeyboard `json:"reply_markup,omitempty"`
}

// Time returns Date as a time in UTC.
func (m Message) Time() time.Time { return time.Unix(m.Date, 0).UTC() }

// Chat identifies a conversation. Type is "private" for a one-to-one chat
// with a customer, else "group", "supergroup" or "channel".
type Chat struct {
	// ID may exceed 32 bits and is negative for groups.
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

// User is a Telegram user or bot. LanguageCode is the IETF tag of the user's
// interface language ("ru", "en-US"), when Telegram sends it: a first guess
// at the language to ask in.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// CallbackQuery is a press on an inline keyboard button. Message is the
// message that carried the keyboard (absent for inline-mode messages, which
// Otklik does not send). The client shows a progress indicator until the
// bot calls AnswerCallbackQuery with ID.
type CallbackQuery struct {
	ID              string   `json:"id"`
	From            User     `json:"from"`
	Message         *Message `json:"message,omitempty"`
	InlineMessageID string   `json:"inline_message_id,omitempty"`
	ChatInstance    string   `json:"chat_instance,omitempty"`
	Data            string   `json:"data,omitempty"`
}

// InlineKeyboard is an InlineKeyboardMarkup: rows of buttons shown under a
// message.
type InlineKeyboard struct {
	Rows [][]Button `json:"inline_keyboard"`
}

// Button is an InlineKeyboardButton. Exactly one of CallbackData (1–64
// bytes) and URL must be set.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// Parse modes for SendOptions.ParseMode.
const (
	ParseHTML       = "HTML"
	ParseMarkdownV2 = "MarkdownV2"
)

// SendOptions are the optional parts of a message. ReplyMarkup and
// ForceReply are mutually exclusive: a message carries either an inline
// keyboard or a request that the customer reply to it (for the "why?"
// question).
type SendOptions struct {
	ReplyMarkup *InlineKeyboard
	ParseMode   string
	ForceReply  bool
}
