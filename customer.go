package otklik

import (
	"encoding/json"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Channel is a way a customer is asked or answers.
type Channel string

const (
	ChannelEmail    Channel = "email"
	ChannelTelegram Channel = "telegram"
	ChannelWeb      Channel = "web"
	ChannelWidget   Channel = "widget"
	ChannelPhone    Channel = "phone"
	ChannelChat     Channel = "chat"
	ChannelSMS      Channel = "sms"
	ChannelImport   Channel = "import"
	ChannelAPI      Channel = "api"
)

// ResponseChannels are the channels an answer may arrive on.
var ResponseChannels = []Channel{ChannelEmail, ChannelTelegram, ChannelWeb, ChannelWidget,
	ChannelPhone, ChannelChat, ChannelSMS, ChannelImport, ChannelAPI}

// ConsentChannels are the channels a customer consents to be contacted on.
var ConsentChannels = []Channel{ChannelEmail, ChannelTelegram, ChannelSMS, ChannelPhone}

func channelIn(c Channel, list []Channel) bool {
	for _, k := range list {
		if c == k {
			return true
		}
	}
	return false
}

// Consent records whether a customer agreed to be contacted on a channel,
// when and how we learned it.
type Consent struct {
	Granted bool      `json:"granted"`
	At      time.Time `json:"at"`
	Source  string    `json:"source"`
}

// Date is a calendar day without a time zone, written YYYY-MM-DD.
type Date struct{ time.Time }

// ParseDate reads YYYY-MM-DD (and, for spreadsheets, DD.MM.YYYY).
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "02.01.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Date{t}, nil
		}
	}
	return Date{}, Errorf(EINVALID, "%q is not a date (YYYY-MM-DD)", s)
}

func (d Date) String() string { return d.Format(time.DateOnly) }

// MarshalJSON writes d as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MonthsSince returns the whole months from d to the calendar day of at,
// never negative: the customer's tenure when at is an answer's day.
func (d Date) MonthsSince(at time.Time) int {
	y1, m1, d1 := d.Date()
	y2, m2, d2 := at.Date()
	months := (y2-y1)*12 + int(m2) - int(m1)
	if d2 < d1 {
		months--
	}
	return max(months, 0)
}

// Customer is a person or a company the business serves.
type Customer struct {
	ID            int64               `json:"-"`
	ExternalID    string              `json:"external_id"`
	Name          string              `json:"name"`
	Company       string              `json:"company"`
	Email         string              `json:"email"`
	Phone         string              `json:"phone"`
	TelegramChat  string              `json:"telegram_chat_id"`
	Locale        string              `json:"locale"`
	Segment       string              `json:"segment"`
	Services      []string            `json:"services"`
	Revenue       *Amount             `json:"revenue"`
	StartedAt     *Date               `json:"started_at"`
	Manager       string              `json:"manager"`
	Team          string              `json:"team"`
	Region        string              `json:"region"`
	Attributes    json.RawMessage     `json:"attributes"`
	Consent       map[Channel]Consent `json:"consent"`
	ContactPeriod *int                `json:"contact_period_days"`
	CreatedAt     time.Time           `json:"created_at"`
	UpdatedAt     time.Time           `json:"updated_at"`
	ErasedAt      *time.Time          `json:"erased_at,omitempty"`
}

var externalIDPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._:@/#-]{0,127}$`)

// Normalize trims and lower-cases what has one spelling, and fills defaults.
func (c *Customer) Normalize() {
	c.ExternalID = strings.TrimSpace(c.ExternalID)
	c.Name = strings.TrimSpace(c.Name)
	c.Company = strings.TrimSpace(c.Company)
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	c.Phone = strings.TrimSpace(c.Phone)
	c.TelegramChat = strings.TrimSpace(c.TelegramChat)
	c.Locale = strings.ToLower(strings.TrimSpace(c.Locale))
	if c.Locale == "" {
		c.Locale = "ru"
	}
	c.Segment = strings.TrimSpace(c.Segment)
	c.Manager = strings.ToLower(strings.TrimSpace(c.Manager))
	c.Team = strings.TrimSpace(c.Team)
	c.Region = strings.TrimSpace(c.Region)
	services := []string{}
	for _, s := range c.Services {
		if s = strings.TrimSpace(s); s != "" {
			services = append(services, s)
		}
	}
	c.Services = services
	if len(c.Attributes) == 0 || string(c.Attributes) == "null" {
		c.Attributes = json.RawMessage("{}")
	}
	if c.Consent == nil {
		c.Consent = map[Channel]Consent{}
	}
}

// Validate checks a normalized customer and names every bad field.
func (c *Customer) Validate() error {
	var p Problems
	if !externalIDPattern.MatchString(c.ExternalID) {
		p.Add("external_id", "is required: up to 128 letters, digits and . _ : @ / # -")
	}
	if len(c.Name) > 300 {
		p.Add("name", "is longer than 300 characters")
	}
	if len(c.Company) > 300 {
		p.Add("company", "is longer than 300 characters")
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			p.Add("email", "is not an e-mail address")
		}
	}
	if len(c.Phone) > 40 {
		p.Add("phone", "is longer than 40 characters")
	}
	if c.Locale != "ru" && c.Locale != "en" {
		p.Add("locale", "must be ru or en")
	}
	if c.Manager != "" {
		if _, err := mail.ParseAddress(c.Manager); err != nil {
			p.Add("manager", "must be the manager's e-mail")
		}
	}
	if c.Revenue != nil && *c.Revenue < 0 {
		p.Add("revenue", "must not be negative")
	}
	if len(c.Services) > 50 {
		p.Add("services", "has more than 50 entries")
	}
	if len(c.Attributes) > 0 {
		var obj map[string]any
		if err := json.Unmarshal(c.Attributes, &obj); err != nil || obj == nil {
			p.Add("attributes", "must be a JSON object")
		} else if len(c.Attributes) > 16<<10 {
			p.Add("attributes", "is larger than 16 KiB")
		}
	}
	for ch := range c.Consent {
		if !channelIn(ch, ConsentChannels) {
			p.Add("consent."+string(ch), "is not a consent channel (email, telegram, sms, phone)")
		}
	}
	if c.ContactPeriod != nil && (*c.ContactPeriod < 1 || *c.ContactPeriod > 3650) {
		p.Add("contact_period_days", "must be between 1 and 3650")
	}
	return p.Err("the customer is not valid")
}

// Dimensions returns the customer's dimensions as they are at instant at:
// the snapshot an answer keeps so history does not move with the customer.
func (c *Customer) Dimensions(at time.Time) Dimensions {
	d := Dimensions{Manager: c.Manager, Team: c.Team, Segment: c.Segment,
		Services: append([]string{}, c.Services...), Revenue: c.Revenue, Region: c.Region}
	if c.StartedAt != nil {
		m := c.StartedAt.MonthsSince(at)
		d.TenureMonths = &m
	}
	return d
}
