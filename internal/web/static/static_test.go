package static

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
	"testing"
)

// versionsEntry is one line of vendor/VERSIONS, as scripts/vendor.sh writes it:
// file, package, version, integrity, sha256, license, separated by tabs.
type versionsEntry struct {
	line                                           int
	file, pkg, version, integrity, sha256, license string
}

func parseVersions(t *testing.T) []versionsEntry {
	t.Helper()
	data, err := fs.ReadFile(FS, "vendor/VERSIONS")
	if err != nil {
		t.Fatalf("read VERSIONS: %v", err)
	}
	var entries []versionsEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			t.Fatalf("VERSIONS:%d: want 6 tab-separated fields, got %d: %q", n, len(f), line)
		}
		e := versionsEntry{line: n, file: f[0], pkg: f[1], version: f[2], integrity: f[3], sha256: f[4], license: f[5]}
		for i, v := range f {
			if v == "" {
				t.Errorf("VERSIONS:%d: field %d is empty", n, i+1)
			}
		}
		if e.file != path.Base(e.file) {
			t.Errorf("VERSIONS:%d: file %q must be a bare name", n, e.file)
		}
		if !strings.HasPrefix(e.integrity, "sha512-") {
			t.Errorf("VERSIONS:%d: integrity %q is not sha512-…", n, e.integrity)
		}
		if b, err := hex.DecodeString(e.sha256); err != nil || len(b) != sha256.Size {
			t.Errorf("VERSIONS:%d: sha256 %q is not 64 hex digits", n, e.sha256)
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("scan VERSIONS: %v", err)
	}
	if len(entries) == 0 {
		t.Fatal("VERSIONS lists no files")
	}
	return entries
}

// TestVendorMatchesVersions fails when an embedded vendor file differs from
// the sha256 that scripts/vendor.sh recorded, e.g. after a hand edit.
func TestVendorMatchesVersions(t *testing.T) {
	listed := map[string]bool{}
	for _, e := range parseVersions(t) {
		if listed[e.file] {
			t.Errorf("VERSIONS:%d: %s listed twice", e.line, e.file)
			continue
		}
		listed[e.file] = true
		data, err := fs.ReadFile(FS, "vendor/"+e.file)
		if err != nil {
			t.Errorf("VERSIONS:%d: %s (%s@%s) is not embedded: %v", e.line, e.file, e.pkg, e.version, err)
			continue
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != strings.ToLower(e.sha256) {
			t.Errorf("vendor/%s: sha256 %s, VERSIONS says %s (%s@%s); re-run scripts/vendor.sh instead of editing vendor files",
				e.file, got, e.sha256, e.pkg, e.version)
		}
	}

	// Every embedded library must be accounted for in VERSIONS.
	js, err := fs.Glob(FS, "vendor/*.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range js {
		if !listed[path.Base(p)] {
			t.Errorf("%s is embedded but not listed in VERSIONS", p)
		}
	}

	// The UI loads these two by name.
	for _, want := range []string{"htmx.min.js", "chart.umd.min.js"} {
		if !listed[want] {
			t.Errorf("VERSIONS does not list %s", want)
		}
	}
}
