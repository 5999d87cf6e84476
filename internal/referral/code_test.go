package referral

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"otklik"
)

var canonical = regexp.MustCompile(`^([A-Z]{1,8}-)?[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$`)

func TestAlphabet(t *testing.T) {
	if len(Alphabet) != 31 {
		t.Fatalf("%d symbols", len(Alphabet))
	}
	if strings.ContainsAny(Alphabet, "01OIL") {
		t.Fatal("the alphabet holds an ambiguous symbol")
	}
	seen := map[rune]bool{}
	for _, r := range Alphabet {
		if seen[r] || !(r >= '2' && r <= '9' || r >= 'A' && r <= 'Z') {
			t.Fatalf("symbol %q repeated or out of range", r)
		}
		seen[r] = true
	}
	bits := RandomSymbols * math.Log2(31)
	if bits < 40 || EntropyBits > bits || bits-EntropyBits > 0.1 {
		t.Fatalf("entropy %.2f bits, constant says %.2f", bits, EntropyBits)
	}
}

func TestNewCodeHandComputed(t *testing.T) {
	// Bytes 0…8 are symbols 0…8 ("23456789A"); Σ i·(i−1), i = 1…9, is 240
	// ≡ 23 (mod 31), so the check value c solves 23 + 10c ≡ 0: c = 7 ("9").
	seq := make([]byte, 16)
	for i := range seq {
		seq[i] = byte(i)
	}
	// Bytes 248…255 are dropped; 30 is "Z"; Σ i·30 = 1350 ≡ 17, c = 20 ("P").
	rejected := append([]byte{248, 249, 250, 251, 252, 253, 254, 255}, bytes.Repeat([]byte{30}, 24)...)
	// 247 = 7·31 + 30 is "Z" too: the mapping is b mod 31 below 248.
	high := bytes.Repeat([]byte{247}, 16)
	tests := []struct {
		random []byte
		prefix string
		want   string
	}{
		{seq, "OTK", "OTK-23456-789A9"},
		{seq, "otk", "OTK-23456-789A9"},
		{seq, "", "23456-789A9"},
		{rejected, "", "ZZZZZ-ZZZZP"},
		{high, "PROMO", "PROMO-ZZZZZ-ZZZZP"},
	}
	for _, tt := range tests {
		got, err := newCode(bytes.NewReader(tt.random), tt.prefix)
		if err != nil || got != tt.want {
			t.Errorf("newCode(%v, %q) = %q, %v; want %q", tt.random[:4], tt.prefix, got, err, tt.want)
		}
	}
	// Nothing but rejected bytes: the reader runs dry, no biased symbol.
	if _, err := newCode(bytes.NewReader(bytes.Repeat([]byte{250}, 1000)), ""); !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		t.Fatalf("err = %v", err)
	}
}

func TestNewCodeBadPrefix(t *testing.T) {
	for _, prefix := range []string{"OTK-", "ОТК", "O1", "ABCDEFGHI", "a b"} {
		_, err := NewCode(prefix)
		if f := otklik.ErrorFields(err); otklik.ErrorCode(err) != otklik.EINVALID || len(f) != 1 || f[0].Field != "prefix" {
			t.Errorf("prefix %q: %v", prefix, err)
		}
	}
}

// TestNewCodeIsUniform draws 20,000 codes from crypto/rand: every symbol
// must be about equally frequent (chi-square with 30 degrees of freedom;
// the bound 100 is passed by chance less than once in 10⁹ runs), and no
// code repeats (with 44.6 bits, a repeat among 20,000 has p ≈ 8·10⁻⁶).
func TestNewCodeIsUniform(t *testing.T) {
	const n = 20000
	counts := map[byte]int{}
	seen := make(map[string]bool, n)
	for range n {
		code, err := NewCode("OTK")
		if err != nil {
			t.Fatal(err)
		}
		if !canonical.MatchString(code) || seen[code] {
			t.Fatalf("code %q malformed or repeated", code)
		}
		seen[code] = true
		body := strings.ReplaceAll(Body(code), "-", "")
		for i := 0; i < RandomSymbols; i++ {
			counts[body[i]]++
		}
	}
	expected := float64(n*RandomSymbols) / 31
	chi2 := 0.0
	for i := 0; i < len(Alphabet); i++ {
		d := float64(counts[Alphabet[i]]) - expected
		chi2 += d * d / expected
	}
	if len(counts) != 31 || chi2 > 100 {
		t.Fatalf("chi-square %.1f over %d symbols: %v", chi2, len(counts), counts)
	}
}

func TestNormalizeCode(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"OTK-23456-789A9", "OTK-23456-789A9"},
		{"otk-23456-789a9", "OTK-23456-789A9"},
		{"otk23456789a9", "OTK-23456-789A9"},
		{"  OTK 2345 6789 A9 ", "OTK-23456-789A9"},
		{"OTK–23456—789A9", "OTK-23456-789A9"},           // en and em dashes
		{"OTK\u00a023456\u2212789A9", "OTK-23456-789A9"}, // no-break space, minus sign
		{"ОТК-23456-789А9", "OTK-23456-789A9"},           // Cyrillic О, Т, К and А
		{"отк-23456-789а9", "OTK-23456-789A9"},           // the same, lower case
		{"0TK-23456-789A9", "OTK-23456-789A9"},           // zero for O in the prefix
		{"23456-789A9", "23456-789A9"},
		{"otk 7nh87 p5u6s", "OTK-7NH87-P5U6S"}, // drawn by NewCode, the example in the docs
		{"ZZZZZZZZZP", "ZZZZZ-ZZZZP"},
		{"ВЕСНА-ZZZZZ-ZZZZP", "BECHA-ZZZZZ-ZZZZP"}, // every look-alike maps to its Latin twin
		{"МРСХ-ZZZZZ-ZZZZP", "MPCX-ZZZZZ-ZZZZP"},
	}
	for _, tt := range tests {
		got, err := NormalizeCode(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeCodeErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "is required"},
		{" - ", "is required"},
		{"OTK-23456", "too short"},
		{"OTK-23456-789A8", "has a typo"},
		{"OTK-23456-798A9", "has a typo"}, // neighbours swapped
		{"OTK-23456-78OA9", `contains 'O'`},
		{"OTK-23456-7I9A9", `contains 'I'`},
		{"OTK-23456-7L9A9", `contains 'L'`},
		{"OTK-23456-709A9", `contains '0'`},
		{"OTK-23456-719A9", `contains '1'`},
		{"OTK-23456-789A9Ж", `contains 'Ж'`},
		{"OTK_23456_789A9", `contains '_'`},
		{"OTK.23456.789A9", `contains '.'`},
		{"ОТК-23456-789А9у", `contains 'у'`}, // у looks like y but is not mapped
		{"1TK-23456-789A9", "digit '1' in its prefix"},
		{"ABCDEFGHI-23456-789A9", "too long"},
		{strings.Repeat("2", 65), "too long"},
	}
	for _, tt := range tests {
		got, err := NormalizeCode(tt.in)
		f := otklik.ErrorFields(err)
		if got != "" || otklik.ErrorCode(err) != otklik.EINVALID || len(f) != 1 || f[0].Field != "code" || !strings.Contains(f[0].Message, tt.want) {
			t.Errorf("NormalizeCode(%q) = %q, %v (%+v); want code: …%s…", tt.in, got, err, f, tt.want)
		}
	}
}

// Every single wrong symbol and every swap of two different neighbours in
// the body is caught by the check symbol.
func TestCheckSymbolCatchesTypos(t *testing.T) {
	r := rand.NewChaCha8([32]byte{7})
	for range 100 {
		code, err := newCode(r, "")
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(strings.ReplaceAll(code, "-", ""))
		for i := range body {
			for j := 0; j < len(Alphabet); j++ {
				typo := bytes.Clone(body)
				if typo[i] = Alphabet[j]; typo[i] == body[i] {
					continue
				}
				if _, err := NormalizeCode(string(typo)); err == nil {
					t.Fatalf("%s → %s accepted", body, typo)
				}
			}
			if i+1 < len(body) && body[i] != body[i+1] {
				swapped := bytes.Clone(body)
				swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
				if _, err := NormalizeCode(string(swapped)); err == nil {
					t.Fatalf("%s → %s accepted", body, swapped)
				}
			}
		}
	}
}

func TestBody(t *testing.T) {
	for in, want := range map[string]string{
		"OTK-23456-789A9": "23456-789A9",
		"23456-789A9":     "23456-789A9",
		"short":           "short",
	} {
		if got := Body(in); got != want {
			t.Errorf("Body(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzNormalizeCode: whatever is accepted is canonical, carries a valid
// check symbol, and normalizes to itself.
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"OTK-23456-789A9", "отк 23456 789а9", "0TK23456789A9", "ZZZZZ-ZZZZP", "Ж", "OTK-23456-789A8", "-\u2212 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once, err := NormalizeCode(s)
		if err != nil {
			if otklik.ErrorCode(err) != otklik.EINVALID || len(otklik.ErrorFields(err)) != 1 {
				t.Fatalf("%q: error without a field: %v", s, err)
			}
			return
		}
		if !canonical.MatchString(once) {
			t.Fatalf("%q → %q is not canonical", s, once)
		}
		twice, err := NormalizeCode(once)
		if err != nil || twice != once {
			t.Fatalf("%q → %q → %q, %v", s, once, twice, err)
		}
	})
}

// FuzzGeneratedCode: a generated code normalizes to itself, and so does the
// way a customer might type it — lower case, Cyrillic look-alikes, spaces
// instead of dashes or none at all.
func FuzzGeneratedCode(f *testing.F) {
	f.Add([]byte("seed"), "OTK")
	f.Add([]byte{}, "")
	f.Add([]byte{1, 2, 3}, "верх")
	f.Fuzz(func(t *testing.T, seed []byte, prefix string) {
		code, err := newCode(rand.NewChaCha8(sha256.Sum256(seed)), prefix)
		if err != nil {
			if validPrefix(strings.ToUpper(prefix)) {
				t.Fatalf("prefix %q refused: %v", prefix, err)
			}
			return
		}
		cyr := strings.NewReplacer("A", "а", "B", "В", "E", "е", "K", "к", "M", "М", "H", "н", "O", "О", "P", "р", "C", "С", "T", "т", "X", "Х")
		for _, typed := range []string{
			code,
			strings.ToLower(code),
			strings.ReplaceAll(code, "-", ""),
			strings.ReplaceAll(code, "-", " "),
			cyr.Replace(code),
		} {
			if got, err := NormalizeCode(typed); err != nil || got != code {
				t.Fatalf("%q typed as %q → %q, %v", code, typed, got, err)
			}
		}
	})
}

func BenchmarkNormalizeCode(b *testing.B) {
	for b.Loop() {
		if _, err := NormalizeCode("отк 23456 789а9"); err != nil {
			b.Fatal(err)
		}
	}
}
