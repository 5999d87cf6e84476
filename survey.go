package otklik

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind is what a survey measures; it fixes the score scale.
type Kind string

const (
	KindNPS    Kind = "nps"    // 0–10, likelihood to recommend
	KindCSAT   Kind = "csat"   // 1–5, satisfaction
	KindCES    Kind = "ces"    // 1–7, ease
	KindCustom Kind = "custom" // a scale of the survey's own
)

// Scale is the inclusive range of a score question.
type Scale struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Contains reports whether score lies on the scale.
func (s Scale) Contains(score int) bool { return score >= s.Min && score <= s.Max }

// DefaultScale returns the scale a kind implies.
func (k Kind) DefaultScale() Scale {
	switch k {
	case KindNPS:
		return Scale{0, 10}
	case KindCSAT:
		return Scale{1, 5}
	case KindCES:
		return Scale{1, 7}
	}
	return Scale{1, 5}
}

// Text is a user-facing text in Russian and English.
type Text struct {
	RU string `json:"ru"`
	EN string `json:"en"`
}

// In returns the text in locale, falling back to the other language.
func (t Text) In(locale string) string {
	if locale == "en" && t.EN != "" || t.RU == "" {
		return t.EN
	}
	return t.RU
}

// Driver is an optional 1–5 rating that explains the score
// (manager_speed, manager_quality, deliverables, …).
type Driver struct {
	Key  string `json:"key"`
	Text Text   `json:"text"`
}

// Score positions for phone interviews: the answer depends on it.
const (
	PositionFirst = "first"
	PositionLast  = "last"
)

// DriverScale is the scale of every driver question.
var DriverScale = Scale{1, 5}

// Survey is a short questionnaire: the score, "why?", optional drivers.
type Survey struct {
	ID            int64     `json:"-"`
	Key           string    `json:"key"`
	Kind          Kind      `json:"kind"`
	Title         Text      `json:"title"`
	ScoreQuestion Text      `json:"score_question"`
	Scale         Scale     `json:"scale"`
	WhyQuestion   Text      `json:"why_question"`
	Drivers       []Driver  `json:"drivers"`
	ScorePosition string    `json:"score_position"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Normalize fills the defaults a survey definition may leave out.
func (s *Survey) Normalize() {
	s.Key = strings.TrimSpace(s.Key)
	s.Kind = Kind(strings.ToLower(strings.TrimSpace(string(s.Kind))))
	if s.Scale == (Scale{}) {
		s.Scale = s.Kind.DefaultScale()
	}
	if s.ScorePosition == "" {
		s.ScorePosition = PositionFirst
	}
	if s.Drivers == nil {
		s.Drivers = []Driver{}
	}
	for i := range s.Drivers {
		s.Drivers[i].Key = strings.TrimSpace(s.Drivers[i].Key)
	}
}

// Validate checks a normalized survey definition and names every bad field.
func (s *Survey) Validate() error {
	var p Problems
	if !slugPattern.MatchString(s.Key) {
		p.Add("key", "is required: up to 64 lowercase letters, digits, _ and -")
	}
	switch s.Kind {
	case KindNPS, KindCSAT, KindCES:
		if s.Scale != s.Kind.DefaultScale() {
			d := s.Kind.DefaultScale()
			p.Add("scale", "an %s survey is scored %d–%d", s.Kind, d.Min, d.Max)
		}
	case KindCustom:
		if s.Scale.Min < 0 || s.Scale.Max > 100 || s.Scale.Min >= s.Scale.Max {
			p.Add("scale", "must have 0 ≤ min < max ≤ 100")
		}
	default:
		p.Add("kind", "must be nps, csat, ces or custom")
	}
	checkText(&p, "title", s.Title, 200)
	checkText(&p, "score_question", s.ScoreQuestion, 500)
	if len(s.WhyQuestion.RU) > 500 || len(s.WhyQuestion.EN) > 500 {
		p.Add("why_question", "is longer than 500 characters")
	}
	if s.ScorePosition != PositionFirst && s.ScorePosition != PositionLast {
		p.Add("score_position", "must be first or last")
	}
	if len(s.Drivers) > 20 {
		p.Add("drivers", "has more than 20 questions")
	}
	seen := map[string]bool{}
	for i, d := range s.Drivers {
		field := "drivers[" + strconv.Itoa(i) + "]"
		if !slugPattern.MatchString(d.Key) {
			p.Add(field+".key", "must be a slug such as manager_speed")
		} else if seen[d.Key] {
			p.Add(field+".key", "repeats %q", d.Key)
		}
		seen[d.Key] = true
		checkText(&p, field+".text", d.Text, 500)
	}
	return p.Err("the survey is not valid")
}

// Driver returns the driver question with key, if the survey has one.
func (s *Survey) Driver(key string) (Driver, bool) {
	for _, d := range s.Drivers {
		if d.Key == key {
			return d, true
		}
	}
	return Driver{}, false
}

func checkText(p *Problems, field string, t Text, limit int) {
	if strings.TrimSpace(t.RU) == "" || strings.TrimSpace(t.EN) == "" {
		p.Add(field, "needs both ru and en")
	}
	if len(t.RU) > limit || len(t.EN) > limit {
		p.Add(field, "is longer than %d characters", limit)
	}
}
