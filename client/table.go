package main

import (
	"io"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// table lays rows of cells out in columns, two spaces apart. Unlike
// text/tabwriter, which counts runes, it pads by the width a terminal
// gives each character, so a label in Chinese or Japanese (two columns a
// character) or one with combining accents (none) keeps its column
// aligned. The last cell of a left-aligned row is written as it is.
type table struct {
	right bool // align every cell to the right (figures)
	rows  [][]string
}

// add appends a row.
func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write writes the rows to w.
func (t *table) write(w io.Writer) error {
	return t.writeWidths(w, t.widths(nil))
}

// widths returns the width of each column: the widest of its cells, and
// at least the width least gives it, for the columns least has.
func (t *table) widths(least []int) []int {
	widths := append([]int(nil), least...)
	for _, row := range t.rows {
		for j, c := range row {
			if j == len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], displayWidth(c))
		}
	}
	return widths
}

// writeWidths writes the rows to w with columns of the given widths; a
// wider cell pushes the rest of its row to the right.
func (t *table) writeWidths(w io.Writer, widths []int) error {
	var b strings.Builder
	for _, row := range t.rows {
		for j, c := range row {
			pad := ""
			if j < len(widths) {
				pad = strings.Repeat(" ", max(0, widths[j]-displayWidth(c)))
			}
			switch {
			case t.right:
				b.WriteString("  " + pad + c)
			case j == len(row)-1:
				b.WriteString(c)
			default:
				b.WriteString(c + pad + "  ")
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth is how many terminal columns s takes: two for a wide or
// full-width character, none for a combining mark or a format character
// (a zero-width joiner), one for the rest.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
			continue
		}
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
