package main

import (
	"bufio"
	"bytes"
	"io"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

// table prints rows with the first column aligned left and the others right, as amounts are read,
// or every column left when the values are text. text/tabwriter aligns every column the same
// way, which puts labels in a ragged right column.
//
// A table holds its rows until it is written, to measure its columns: it is for the few lines of
// a report. A listing whose length depends on the data goes through a listing instead.
type table struct {
	rows [][]string
	text bool
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	cols := make([]column, len(widths))
	for i, w := range widths {
		cols[i] = column{width: w, right: i > 0 && !t.text}
	}
	l := newListing(w, cols...)
	for _, r := range t.rows {
		if err := l.row(r...); err != nil {
			return err
		}
	}
	return l.flush()
}

// column is one column of a listing.
type column struct {
	// width is the column's width in characters; a longer value pushes the rest of its row to
	// the right rather than being cut.
	width int
	// right aligns the values to the right, as amounts are read.
	right bool
}

// listing writes rows as they come, each cell padded to its column's width, fixed in advance: a
// listing of a million rows costs a million times one row, and its first line is out at once.
type listing struct {
	w    *bufio.Writer
	cols []column
	line []byte
}

func newListing(w io.Writer, cols ...column) *listing {
	return &listing{w: bufio.NewWriter(w), cols: cols}
}

// row writes one row. Cells beyond the declared columns are written unpadded.
func (l *listing) row(cells ...string) error {
	b := l.line[:0]
	for i, c := range cells {
		if i > 0 {
			b = append(b, "  "...)
		}
		var col column
		if i < len(l.cols) {
			col = l.cols[i]
		}
		pad := col.width - utf8.RuneCountInString(c)
		if col.right {
			b = appendSpaces(b, pad)
			b = append(b, c...)
		} else {
			b = append(b, c...)
			b = appendSpaces(b, pad)
		}
	}
	// An empty last cell must not leave spaces at the end of the line.
	b = append(bytes.TrimRight(b, " "), '\n')
	l.line = b
	if _, err := l.w.Write(b); err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	return nil
}

// flush writes what the buffer still holds; a listing is not complete without it.
func (l *listing) flush() error {
	if err := l.w.Flush(); err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	return nil
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}
