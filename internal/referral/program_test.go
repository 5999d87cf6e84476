package referral

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"otklik"
)

func TestDefaultProgramIsValid(t *testing.T) {
	p := DefaultProgram()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Enabled || p.Coupons != 3 || p.Prefix != "OTK" || p.ValidDays != 90 {
		t.Fatalf("%+v", p)
	}
	code, err := NewCode(p.Prefix)
	if err != nil || !strings.HasPrefix(code, "OTK-") {
		t.Fatalf("%q %v", code, err)
	}
}

func TestProgramValidate(t *testing.T) {
	on := func(change func(*Program)) Program {
		p := DefaultProgram()
		p.Enabled, p.Offer = true, "−10 % на первую сделку"
		change(&p)
		return p
	}
	tests := []struct {
		name string
		p    Program
		want []string // "field: message fragment"
	}{
		{"on with an offer", on(func(*Program) {}), nil},
		{"one coupon, no prefix, no expiry", on(func(p *Program) { p.Coupons, p.Prefix, p.ValidDays = 1, "", 0 }), nil},
		{"ten coupons, 500-character offer", on(func(p *Program) { p.Coupons, p.Offer = 10, strings.Repeat("ж", 500) }), nil},
		{"off without an offer", DefaultProgram(), nil},
		{"on without an offer", on(func(p *Program) { p.Offer = "  \n " }), []string{"offer: is required"}},
		{"zero coupons", on(func(p *Program) { p.Coupons = 0 }), []string{"coupons: must be from 1 to 10"}},
		{"eleven coupons", on(func(p *Program) { p.Coupons = 11 }), []string{"coupons: must be from 1 to 10"}},
		{"501-character offer", on(func(p *Program) { p.Offer = strings.Repeat("ж", 501) }), []string{"offer: is longer than 500"}},
		{"control character", on(func(p *Program) { p.Offer = "скидка\x00" }), []string{"offer: contains control"}},
		{"invalid UTF-8", on(func(p *Program) { p.Offer = "\xff" }), []string{"offer: is not valid UTF-8"}},
		{"lower-case prefix", on(func(p *Program) { p.Prefix = "otk" }), []string{"prefix: must be up to 8"}},
		{"Cyrillic prefix", on(func(p *Program) { p.Prefix = "ОТК" }), []string{"prefix: must be up to 8"}},
		{"nine-letter prefix", on(func(p *Program) { p.Prefix = "ABCDEFGHI" }), []string{"prefix: must be up to 8"}},
		{"negative days", on(func(p *Program) { p.ValidDays = -1 }), []string{"valid_days: must be from 0"}},
		{"everything wrong", Program{Enabled: true, Coupons: 99, Prefix: "a-b", ValidDays: 4000},
			[]string{"coupons: must be", "offer: is required", "prefix: must be", "valid_days: must be"}},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		var got []string
		for i, f := range otklik.ErrorFields(err) {
			if i < len(tt.want) && strings.HasPrefix(f.Field+": "+f.Message, tt.want[i]) {
				got = append(got, tt.want[i])
			} else {
				got = append(got, f.Field+": "+f.Message)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" || (err != nil) != (tt.want != nil) {
			t.Errorf("%s (-want +got):\n%s%v", tt.name, diff, err)
		}
		if err != nil && otklik.ErrorCode(err) != otklik.EINVALID {
			t.Errorf("%s: code %s", tt.name, otklik.ErrorCode(err))
		}
	}
}

func TestRedeemable(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	issued := time.Date(2026, 3, 2, 18, 30, 0, 0, msk)
	p := Program{Enabled: true, Coupons: 3, Offer: "x", ValidDays: 90}
	if exp, ok := p.ExpiresAt(issued); !ok || !exp.Equal(time.Date(2026, 5, 31, 18, 30, 0, 0, msk)) {
		t.Fatalf("expires %v %v", exp, ok)
	}
	off := p
	off.Enabled = false
	forever := p
	forever.ValidDays = 0
	tests := []struct {
		name string
		p    Program
		used int
		now  time.Time
		want string // "" = redeemable
	}{
		{"fresh", p, 0, issued.Add(time.Hour), ""},
		{"third coupon", p, 2, issued.Add(time.Hour), ""},
		{"all used", p, 3, issued.Add(time.Hour), "all 3 coupons"},
		{"last minute", p, 0, time.Date(2026, 5, 31, 18, 29, 0, 0, msk), ""},
		{"expired", p, 0, time.Date(2026, 5, 31, 18, 30, 0, 0, msk), "expired on 2026-05-31"},
		{"never expires", forever, 0, issued.AddDate(5, 0, 0), ""},
		{"programme off", off, 0, issued.Add(time.Hour), "switched off"},
	}
	for _, tt := range tests {
		err := tt.p.Redeemable(tt.used, issued, tt.now)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if otklik.ErrorCode(err) != otklik.ECONFLICT || !strings.Contains(otklik.ErrorMessage(err), tt.want) {
			t.Errorf("%s: %v, want conflict …%s…", tt.name, err, tt.want)
		}
	}
}
