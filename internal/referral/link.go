package referral

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// MaxRefLength bounds the promoter reference a link token carries.
const MaxRefLength = 200

// macSize is the signature kept in a token: HMAC-SHA256 truncated to 128
// bits, enough against forgery and short enough for a link sent in a chat.
const macSize = 16

// b64 is unpadded URL-safe base64 that refuses non-zero trailing bits, so
// each token has exactly one spelling.
func b64() *base64.Encoding { return base64.RawURLEncoding.Strict() }

// LinkToken returns the URL-safe token of a promoter's personal referral
// link: base64url(promoterRef) "." base64url(HMAC-SHA256(key, …)[:16]).
// The reference is readable by anyone holding the link (it is signed, not
// encrypted), so pass an opaque id, never a name or a phone number. It
// should be 1–MaxRefLength bytes of UTF-8; other references give a token
// ParseLinkToken refuses. The link does not expire: it is shared once and
// lives in chats for months; a promoter is switched off at redemption time.
// key should hold at least 32 random bytes of the installation.
func LinkToken(promoterRef string, key []byte) string {
	return b64().EncodeToString([]byte(promoterRef)) + "." + b64().EncodeToString(linkMAC(promoterRef, key))
}

// ParseLinkToken returns the promoter reference of a token made by
// LinkToken with key, and false for anything forged, damaged or unknown.
func ParseLinkToken(tok string, key []byte) (string, bool) {
	// Go's base64 decoder skips \r and \n; refusing every byte outside the
	// URL-safe alphabet keeps one spelling per token.
	if len(tok) > 2*MaxRefLength || strings.ContainsFunc(tok, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) {
		return "", false
	}
	refPart, sigPart, ok := strings.Cut(tok, ".")
	if !ok {
		return "", false
	}
	sig, err := b64().DecodeString(sigPart)
	if err != nil || len(sig) != macSize {
		return "", false
	}
	ref, err := b64().DecodeString(refPart)
	if err != nil || len(ref) == 0 || len(ref) > MaxRefLength || !utf8.Valid(ref) {
		return "", false
	}
	if !hmac.Equal(sig, linkMAC(string(ref), key)) {
		return "", false
	}
	return string(ref), true
}

func linkMAC(ref string, key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("otklik-referral-link-v1:")) // keeps these MACs apart from other uses of the key
	m.Write([]byte(ref))
	return m.Sum(nil)[:macSize]
}
