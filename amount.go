package otklik

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is a sum of money in hundredths (kopecks, cents), exact and
// comparable. JSON carries it as a decimal number: 150000.5.
type Amount int64

// ParseAmount reads a decimal such as "150000", "150 000,50" or "1500.5".
// Spaces (including no-break spaces) group thousands, and a comma may be the
// decimal separator, as Russian spreadsheets write it.
func ParseAmount(s string) (Amount, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\'':
			return -1
		case ',':
			return '.'
		}
		return r
	}, strings.TrimSpace(s))
	if clean == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := strings.HasPrefix(clean, "-")
	clean = strings.TrimPrefix(clean, "-")
	whole, frac, _ := strings.Cut(clean, ".")
	if whole == "" && frac == "" || len(frac) > 2 || strings.ContainsAny(whole+frac, "+-.eE") {
		return 0, fmt.Errorf("%q is not an amount with at most two decimals", s)
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > math.MaxInt64/100-1 {
		return 0, fmt.Errorf("%q is not an amount with at most two decimals", s)
	}
	var f int64
	if frac != "" {
		for len(frac) < 2 {
			frac += "0"
		}
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, fmt.Errorf("%q is not an amount with at most two decimals", s)
		}
	}
	a := Amount(w*100 + f)
	if neg {
		a = -a
	}
	return a, nil
}

// String formats a as a plain decimal: "1500.5", "-3", "0.07".
func (a Amount) String() string {
	sign := ""
	v := int64(a)
	if v < 0 {
		sign, v = "-", -v
	}
	whole, frac := v/100, v%100
	switch {
	case frac == 0:
		return fmt.Sprintf("%s%d", sign, whole)
	case frac%10 == 0:
		return fmt.Sprintf("%s%d.%d", sign, whole, frac/10)
	}
	return fmt.Sprintf("%s%d.%02d", sign, whole, frac)
}

// Float returns a as a float for weighting; never use it for sums of money.
func (a Amount) Float() float64 { return float64(a) / 100 }

// MarshalJSON writes a as a JSON number.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON accepts a JSON number or a string holding one.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	v, err := ParseAmount(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
