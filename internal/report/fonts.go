package report

import (
	"embed"
	"fmt"
	"sync"

	"github.com/golang/freetype/truetype"
)

// The report is set in DejaVu Sans: it covers Cyrillic, Latin and the
// typographic signs Russian text uses («», –, —, ±, №, no-break space), and
// its licence (fonts/LICENSE, Bitstream Vera terms) allows embedding. The
// files are copied from Debian's fonts-dejavu-core 2.37.
//
//go:embed fonts/DejaVuSans.ttf fonts/DejaVuSans-Bold.ttf fonts/LICENSE
var fontFiles embed.FS

const (
	fontFamily      = "DejaVu"
	fontRegularFile = "fonts/DejaVuSans.ttf"
	fontBoldFile    = "fonts/DejaVuSans-Bold.ttf"
)

// fontSet holds the raw font files (for fpdf) and the parsed regular face
// (for the chart renderer and for checking which characters the font can
// draw). It is read-only once loaded, so one copy serves every Render.
type fontSet struct {
	regular, bold  []byte
	face, boldFace *truetype.Font
}

var loadFonts = sync.OnceValues(func() (*fontSet, error) {
	regular, err := fontFiles.ReadFile(fontRegularFile)
	if err != nil {
		return nil, fmt.Errorf("report: read font: %w", err)
	}
	bold, err := fontFiles.ReadFile(fontBoldFile)
	if err != nil {
		return nil, fmt.Errorf("report: read font: %w", err)
	}
	face, err := truetype.Parse(regular)
	if err != nil {
		return nil, fmt.Errorf("report: parse font: %w", err)
	}
	boldFace, err := truetype.Parse(bold)
	if err != nil {
		return nil, fmt.Errorf("report: parse bold font: %w", err)
	}
	return &fontSet{regular: regular, bold: bold, face: face, boldFace: boldFace}, nil
})

// has reports whether both faces have a glyph for r. fpdf refuses a whole
// document over one character outside its font (an emoji in a comment), and
// draws an empty box for one inside the range but without a glyph, so text
// from customers is filtered through this before it is set.
func (f *fontSet) has(r rune) bool {
	return f.face.Index(r) != 0 && f.boldFace.Index(r) != 0
}
