package calendar

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

func equalCalendars(t *testing.T, got, want Calendar) {
	t.Helper()
	if got.Location.String() != want.Location.String() {
		t.Errorf("Location = %s, want %s", got.Location, want.Location)
	}
	for wd := range want.Days {
		if got.Days[wd].String() != want.Days[wd].String() {
			t.Errorf("Days[%s] = %s, want %s", time.Weekday(wd), got.Days[wd], want.Days[wd])
		}
	}
	if !maps.Equal(got.Holidays, want.Holidays) {
		t.Errorf("Holidays = %v, want %v", got.Holidays, want.Holidays)
	}
	if !maps.EqualFunc(got.ExtraWorkdays, want.ExtraWorkdays, func(a, b DayHours) bool { return slices.Equal(a, b) }) {
		t.Errorf("ExtraWorkdays = %v, want %v", got.ExtraWorkdays, want.ExtraWorkdays)
	}
}

func TestCalendarJSONRoundTrip(t *testing.T) {
	lunch := weekdays(nyc, "09:00-13:00,14:00-18:00")
	lunch.Days[time.Saturday] = MustDayHours("10:00-14:00")
	lunch.Holidays = map[string]bool{"2026-07-03": true}
	lunch.ExtraWorkdays = map[string]DayHours{"2026-07-05": MustDayHours("00:00-24:00")}
	for name, c := range map[string]Calendar{"default": Default(), "lunch": lunch} {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back Calendar
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, b)
		}
		equalCalendars(t, back, c)
		b2, _ := json.Marshal(back)
		if string(b2) != string(b) {
			t.Errorf("%s: second encoding differs:\n%s\n%s", name, b, b2)
		}
	}

	// The API form: ISO weekdays as keys, every day present, "HH:MM" times.
	b, _ := json.Marshal(lunch)
	want := `{"time_zone":"America/New_York","days":{"1":[{"open":"09:00","close":"13:00"},{"open":"14:00","close":"18:00"}],` +
		`"2":[{"open":"09:00","close":"13:00"},{"open":"14:00","close":"18:00"}],"3":[{"open":"09:00","close":"13:00"},{"open":"14:00","close":"18:00"}],` +
		`"4":[{"open":"09:00","close":"13:00"},{"open":"14:00","close":"18:00"}],"5":[{"open":"09:00","close":"13:00"},{"open":"14:00","close":"18:00"}],` +
		`"6":[{"open":"10:00","close":"14:00"}],"7":[]},"holidays":["2026-07-03"],"extra_workdays":{"2026-07-05":[{"open":"00:00","close":"24:00"}]}}`
	if string(b) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", b, want)
	}

	// A minimal document: missing weekdays are closed.
	var c Calendar
	in := `{"time_zone":"Europe/Moscow","days":{"1":[{"open":"09:00","close":"18:00"}],"6":null}}`
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	if c.Days[time.Monday].String() != "09:00-18:00" || len(c.Days[time.Tuesday]) != 0 || len(c.Days[time.Saturday]) != 0 {
		t.Errorf("Days = %v", c.Days)
	}
}

func TestQuietJSONRoundTrip(t *testing.T) {
	q := Quiet{From: "21:00", To: "09:00", Days: []int{1, 2, 3, 4, 5}, Location: msk}
	b, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"from":"21:00","to":"09:00","days":[1,2,3,4,5],"time_zone":"Europe/Moscow"}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	var back Quiet
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.From != q.From || back.To != q.To || !slices.Equal(back.Days, q.Days) || back.Location.String() != "Europe/Moscow" {
		t.Errorf("round trip = %+v", back)
	}
}

// fields returns the field names of a *ValidationError.
func fields(t *testing.T, err error) []string {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	var out []string
	for _, p := range ve.Problems {
		if p.Message == "" {
			t.Errorf("field %s has no message", p.Field)
		}
		out = append(out, p.Field)
	}
	slices.Sort(out)
	return out
}

func TestValidate(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default: %v", err)
	}
	if err := weekdays(nyc, "09:00-13:00,14:00-18:00").Validate(); err != nil {
		t.Fatalf("lunch: %v", err)
	}
	ok := func() Calendar { return weekdays(msk, "09:00-18:00") }
	tests := []struct {
		name   string
		mutate func(*Calendar)
		want   []string
	}{
		{"no zone", func(c *Calendar) { c.Location = nil }, []string{"time_zone"}},
		{"local zone", func(c *Calendar) { c.Location = time.Local }, []string{"time_zone"}},
		{"all closed", func(c *Calendar) { c.Days = [7]DayHours{} }, []string{"days"}},
		{"closes before opening", func(c *Calendar) { c.Days[time.Monday] = DayHours{{18 * 60, 9 * 60}} }, []string{"days.1[0].close"}},
		{"overlap", func(c *Calendar) { c.Days[time.Tuesday] = MustDayHours("09:00-13:00,12:00-18:00") }, []string{"days.2[1].open"}},
		{"out of order", func(c *Calendar) { c.Days[time.Wednesday] = MustDayHours("14:00-18:00,09:00-13:00") }, []string{"days.3[1].open"}},
		{"negative", func(c *Calendar) { c.Days[time.Sunday] = DayHours{{-5, 60}} }, []string{"days.7[0].open"}},
		{"past midnight", func(c *Calendar) { c.Days[time.Thursday] = DayHours{{600, 1500}} }, []string{"days.4[0].close"}},
		{"bad holiday", func(c *Calendar) { c.Holidays = map[string]bool{"2026-1-1": true} }, []string{"holidays"}},
		{"bad extra date", func(c *Calendar) { c.ExtraWorkdays = map[string]DayHours{"2026-02-30": MustDayHours("09:00-18:00")} },
			[]string{"extra_workdays.2026-02-30"}},
		{"holiday and workday", func(c *Calendar) {
			c.Holidays = map[string]bool{"2026-11-04": true}
			c.ExtraWorkdays = map[string]DayHours{"2026-11-04": MustDayHours("09:00-18:00")}
		}, []string{"extra_workdays.2026-11-04"}},
		{"extra without hours", func(c *Calendar) { c.ExtraWorkdays = map[string]DayHours{"2026-11-07": nil} }, []string{"extra_workdays.2026-11-07"}},
		{"bad extra hours", func(c *Calendar) { c.ExtraWorkdays = map[string]DayHours{"2026-11-07": {{600, 500}}} },
			[]string{"extra_workdays.2026-11-07[0].close"}},
		{"several", func(c *Calendar) { c.Location = nil; c.Days[time.Friday] = DayHours{{600, 600}} },
			[]string{"days.5[0].close", "time_zone"}},
	}
	for _, tt := range tests {
		c := ok()
		tt.mutate(&c)
		err := c.Validate()
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if got := fields(t, err); !slices.Equal(got, tt.want) {
			t.Errorf("%s: fields %v, want %v (%v)", tt.name, got, tt.want, err)
		}
	}
}

func TestUnmarshalReportsFields(t *testing.T) {
	before := Default()
	c := before
	in := `{"time_zone":"Mars/Olympus","days":{"8":[],"1":[{"open":"9:00","close":"18:00"}],` +
		`"2":[{"open":"18:00","close":"09:00"}],"3":[{"open":"09:00","close":"24:30"}]},"holidays":["2026-11-04","2026-13-01"],` +
		`"extra_workdays":{"1 May":[]}}`
	err := json.Unmarshal([]byte(in), &c)
	want := []string{"days.1[0].open", "days.2[0].close", "days.3[0].close", "days.8", "extra_workdays.1 May", "holidays[1]", "time_zone"}
	if got := fields(t, err); !slices.Equal(got, want) {
		t.Errorf("fields %v, want %v\n%v", got, want, err)
	}
	if !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Errorf("message does not name the bad zone: %v", err)
	}
	equalCalendars(t, c, before) // left unchanged

	var q Quiet
	err = json.Unmarshal([]byte(`{"from":"21:00","to":"","days":[0,3,3],"time_zone":""}`), &q)
	if got, want := fields(t, err), []string{"days[0]", "days[2]", "time_zone", "to"}; !slices.Equal(got, want) {
		t.Errorf("quiet fields %v, want %v", got, want)
	}
	if err := (Quiet{From: "24:00", To: "09:00", Location: msk}).Validate(); err == nil || fields(t, err)[0] != "from" {
		t.Errorf("from 24:00: %v", err)
	}
	if err := (Quiet{Location: msk}).Validate(); err != nil {
		t.Errorf("no quiet hours: %v", err)
	}
}

func TestParseDayHours(t *testing.T) {
	h, err := ParseDayHours("09:00–13:00, 14:00-18:00")
	if err != nil || h.String() != "09:00-13:00,14:00-18:00" || h[1] != (Interval{840, 1080}) {
		t.Errorf("ParseDayHours = %v, %v", h, err)
	}
	for _, bad := range []string{"9-18", "09:00", "09:00-25:00", "ab:cd-18:00", "24:01-24:00"} {
		if _, err := ParseDayHours(bad); err == nil {
			t.Errorf("ParseDayHours(%q) accepted", bad)
		}
	}
	if h, err := ParseDayHours("closed"); err != nil || h != nil {
		t.Errorf("closed = %v, %v", h, err)
	}
}
