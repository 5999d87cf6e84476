// Package static holds the browser-side files the web UI serves.
//
// vendor/ holds third-party libraries (htmx, Chart.js) copied verbatim from
// their npm tarballs by scripts/vendor.sh, which also writes vendor/VERSIONS
// (package, version, tarball integrity, sha256, licence for each file). Do
// not edit them by hand: re-run the script. The tests check every embedded
// vendor file against VERSIONS.
package static

import "embed"

// FS holds app.css and app.js (ours), vendor/*.js and vendor/VERSIONS, with paths such as
// "vendor/htmx.min.js".
//
//go:embed app.css app.js confirm.js vendor/*.js vendor/VERSIONS
var FS embed.FS
