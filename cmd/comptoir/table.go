package main

import (
	"io"
	"strings"
	"unicode/utf8"
)

// table prints rows with the first column aligned left and the others right, as amounts are read,
// or every column left when the values are text. text/tabwriter aligns every column the same
// way, which puts labels in a ragged right column.
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
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i == 0 || t.text {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		// An empty last cell must not leave spaces at the end of the line.
		trimmed := strings.TrimRight(b.String(), " ")
		b.Reset()
		b.WriteString(trimmed + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
