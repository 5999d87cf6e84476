package otklik

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Dimensions are the cuts of an answer, copied from the customer at the
// moment of answering so that later changes do not rewrite history.
type Dimensions struct {
	Manager      string   `json:"manager"`
	Team         string   `json:"team"`
	Segment      string   `json:"segment"`
	Services     []string `json:"services"`
	Revenue      *Amount  `json:"revenue"`
	Region       string   `json:"region"`
	TenureMonths *int     `json:"tenure_months"`
}

// Response is one customer's answer to a survey.
type Response struct {
	ID             int64          `json:"id"`
	Survey         string         `json:"survey"`
	Customer       string         `json:"customer"`
	Channel        Channel        `json:"channel"`
	Score          int            `json:"score"`
	Comment        string         `json:"comment"`
	Answers        map[string]int `json:"answers"`
	AnsweredAt     time.Time      `json:"answered_at"`
	Snapshot       Dimensions     `json:"snapshot"`
	IdempotencyKey string         `json:"idempotency_key,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`

	SurveyID   int64 `json:"-"`
	CustomerID int64 `json:"-"`
}

// MaxCommentLength bounds a comment in characters.
const MaxCommentLength = 10000

// Validate checks an answer against its survey. now bounds answered_at:
// an answer from the future is a client's clock error.
func (r *Response) Validate(s *Survey, now time.Time) error {
	var p Problems
	r.Comment = strings.TrimSpace(r.Comment)
	if !s.Scale.Contains(r.Score) {
		p.Add("score", "must be between %d and %d for survey %s", s.Scale.Min, s.Scale.Max, s.Key)
	}
	if !channelIn(r.Channel, ResponseChannels) {
		p.Add("channel", "must be one of email, telegram, web, widget, phone, chat, sms, import, api")
	}
	if utf8.RuneCountInString(r.Comment) > MaxCommentLength {
		p.Add("comment", "is longer than %d characters", MaxCommentLength)
	}
	if !utf8.ValidString(r.Comment) {
		p.Add("comment", "is not valid UTF-8")
	}
	for key, v := range r.Answers {
		if _, ok := s.Driver(key); !ok {
			p.Add("answers."+key, "is not a question of survey %s", s.Key)
		} else if !DriverScale.Contains(v) {
			p.Add("answers."+key, "must be between 1 and 5")
		}
	}
	if r.AnsweredAt.After(now.Add(5 * time.Minute)) {
		p.Add("answered_at", "is in the future")
	}
	if r.AnsweredAt.Year() < 2000 {
		p.Add("answered_at", "is before 2000")
	}
	if len(r.IdempotencyKey) > 200 {
		p.Add("id", "is longer than 200 characters")
	}
	return p.Err("the answer is not valid")
}
