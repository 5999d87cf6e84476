package crm

import (
	"bytes"
	"net/url"
	"strings"
	"unicode/utf8"

	"otklik"
)

// pair is one key=value of a form body, both unescaped.
type pair struct{ key, value string }

// parseForm splits an application/x-www-form-urlencoded body into its pairs,
// in order. It does not use url.ParseQuery: that one loses the order, caps
// the number of pairs behind a GODEBUG setting and treats ';' as an error,
// and both CRMs put PHP-style bracketed keys and free text into bodies.
// A pair without '=' is a key with an empty value, as browsers send it.
func parseForm(who string, body []byte) ([]pair, error) {
	if t := bytes.TrimSpace(body); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return nil, otklik.Errorf(otklik.EMALFORMED, "%s: the body is JSON, not form data (application/x-www-form-urlencoded)", who)
	}
	var pairs []pair
	for part := range strings.SplitSeq(string(body), "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err == nil {
			v, err = url.QueryUnescape(v)
		}
		if err != nil {
			return nil, otklik.Errorf(otklik.EMALFORMED, "%s: the body is not form data: a %% escape is broken near %q", who, clip(k, 40))
		}
		if !utf8.ValidString(key) || !utf8.ValidString(v) {
			return nil, otklik.Errorf(otklik.EMALFORMED, "%s: the body is not UTF-8 form data (near %q)", who, clip(strings.ToValidUTF8(key, "?"), 40))
		}
		pairs = append(pairs, pair{key, v})
	}
	return pairs, nil
}

// splitKey splits a PHP-style key such as "leads[status][0][id]" into its
// root ("leads") and bracketed segments ("status", "0", "id"). A key whose
// brackets do not close, or with text between them ("a[b]c[d]"), is not
// well formed: ok is false and the caller skips it, because real captures
// hold such stray keys (a body cut mid-key: "leads[status][0][").
func splitKey(key string) (root string, segs []string, ok bool) {
	i := strings.IndexByte(key, '[')
	if i < 0 {
		return key, nil, true
	}
	root, rest := key[:i], key[i:]
	for rest != "" {
		if rest[0] != '[' {
			return "", nil, false
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return "", nil, false
		}
		segs = append(segs, rest[1:end])
		rest = rest[end+1:]
	}
	return root, segs, true
}

// clip shortens s to at most n bytes (at a rune boundary) for messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
