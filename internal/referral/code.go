// Package referral is the pure core of the referral programme: a promoter
// gets a personal link (LinkToken) and a coupon code (NewCode) good for a
// few redemptions — "three identical coupons" to hand to friends; a new
// customer types the code (NormalizeCode) or follows the link, and is
// attributed to the promoter if the rules allow it (Attributable).
//
// Nothing here does I/O or reads a clock: storing codes, counting
// redemptions and linking customers is the caller's job.
package referral

import (
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"unicode"

	"otklik"
)

// Alphabet holds the symbols of a code body: digits and capital Latin
// letters without 0/O, 1/I/L, which people misread from a screen and
// mistype from a phone call. 31 symbols.
const Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// Shape of a code: an optional prefix (the business's, up to MaxPrefix
// capital Latin letters), then a body of BodyLength symbols shown in two
// groups of five — RandomSymbols random ones and one check symbol — e.g.
// "OTK-7NH87-P5U6S".
const (
	BodyLength    = 10
	RandomSymbols = BodyLength - 1
	MaxPrefix     = 8
	group         = 5
	maxCodeInput  = 64 // bytes NormalizeCode reads; a real code is at most 20
)

// EntropyBits is the randomness of a code, RandomSymbols × log2(31) ≈ 44.6
// bits (rounded down). Guessing one of a million live codes at 10 guesses
// a second takes about a month on average, and redemption is rate-limited
// far below that.
const EntropyBits = 44.5

// NewCode returns a fresh code with prefix (case-insensitive; may be
// empty), from crypto/rand. Codes are random, not unique by construction:
// the caller stores them under a unique constraint and draws again on the
// rare collision.
func NewCode(prefix string) (string, error) {
	return newCode(rand.Reader, prefix)
}

func newCode(random io.Reader, prefix string) (string, error) {
	prefix = strings.ToUpper(prefix)
	if !validPrefix(prefix) {
		var p otklik.Problems
		p.Add("prefix", "must be up to %d Latin letters", MaxPrefix)
		return "", p.Err("the code prefix is not valid")
	}
	body := make([]byte, 0, BodyLength)
	buf := make([]byte, 16)
	for len(body) < RandomSymbols {
		if _, err := io.ReadFull(random, buf); err != nil {
			return "", fmt.Errorf("referral: random: %w", err)
		}
		for _, b := range buf {
			// 248 = 8 × 31: bytes above it are dropped so that every symbol
			// is exactly equally likely.
			if b < 248 && len(body) < RandomSymbols {
				body = append(body, Alphabet[b%31])
			}
		}
	}
	body = append(body, checkSymbol(body))
	return format(prefix, string(body)), nil
}

// NormalizeCode turns what a customer typed into the code's canonical form,
// "PREFIX-XXXXX-XXXXX" (or "XXXXX-XXXXX" without a prefix). It forgives
// what people do: any case, spaces and dashes anywhere or nowhere, the
// Cyrillic letters that look like Latin ones (А В Е К М Н О Р С Т Х, typed
// on a Russian keyboard layout) and a zero for the letter O in the prefix.
// Anything else is an EINVALID error on field "code" saying what is wrong;
// a mistyped symbol or two swapped neighbours are caught by the check
// symbol ("has a typo") before any database lookup.
func NormalizeCode(s string) (string, error) {
	var p otklik.Problems
	fail := func(format string, args ...any) (string, error) {
		p.Add("code", format, args...)
		return "", p.Err("the referral code is not valid")
	}
	if len(s) > maxCodeInput {
		return fail("is too long")
	}
	syms := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || r == '−':
			continue // separators are optional
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		default:
			latin, ok := cyrillicLookalike(r)
			if !ok {
				return fail("contains %q, which is never part of a code", r)
			}
			r = latin
		}
		syms = append(syms, byte(r))
	}
	if len(syms) < BodyLength {
		if len(syms) == 0 {
			return fail("is required")
		}
		return fail("is too short: a code ends with %d letters and digits", BodyLength)
	}
	prefix, body := syms[:len(syms)-BodyLength], syms[len(syms)-BodyLength:]
	if len(prefix) > MaxPrefix {
		return fail("is too long")
	}
	for i, c := range prefix {
		switch {
		case c == '0':
			prefix[i] = 'O' // the prefix has letters only, so 0 can only be O
		case c >= '0' && c <= '9':
			return fail("has a digit %q in its prefix, which has letters only", c)
		}
	}
	for _, c := range body {
		if strings.IndexByte(Alphabet, c) < 0 {
			return fail("contains %q: codes never use 0, O, 1, I or L", c)
		}
	}
	if checksum(body) != 0 {
		return fail("has a typo: check it symbol by symbol")
	}
	return format(string(prefix), string(body)), nil
}

// Body returns the body of a canonical code ("7NH87-P5U6S" of
// "OTK-7NH87-P5U6S"). It alone is random, so codes are stored unique by
// body and looked up by it: a customer who leaves out the prefix, or an old
// code printed before the business changed its prefix, still matches.
func Body(code string) string {
	return code[max(0, len(code)-BodyLength-1):]
}

// cyrillicLookalike maps the Cyrillic letters a Russian user may type for
// the Latin ones they look like; nothing else.
func cyrillicLookalike(r rune) (rune, bool) {
	switch unicode.ToUpper(r) {
	case 'А':
		return 'A', true
	case 'В':
		return 'B', true
	case 'Е':
		return 'E', true
	case 'К':
		return 'K', true
	case 'М':
		return 'M', true
	case 'Н':
		return 'H', true
	case 'О':
		return 'O', true
	case 'Р':
		return 'P', true
	case 'С':
		return 'C', true
	case 'Т':
		return 'T', true
	case 'Х':
		return 'X', true
	}
	return 0, false
}

// The check symbol makes Σ (i × value of symbol i), i = 1…10, divisible by
// 31. Because 31 is prime and the weights 1…10 are distinct and non-zero
// modulo 31, every single wrong symbol and every swap of two different
// neighbours changes the sum: both are always detected.
func checkSymbol(random []byte) byte {
	s := checksum(random)
	// 10 × c ≡ −s (mod 31); 28 is the inverse of 10 modulo 31 (280 = 9×31 + 1).
	return Alphabet[(31-s)%31*28%31]
}

func checksum(symbols []byte) int {
	s := 0
	for i, c := range symbols {
		s += (i + 1) * strings.IndexByte(Alphabet, c)
	}
	return s % 31
}

func format(prefix, body string) string {
	code := body[:group] + "-" + body[group:]
	if prefix == "" {
		return code
	}
	return prefix + "-" + code
}

func validPrefix(s string) bool {
	if len(s) > MaxPrefix {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
