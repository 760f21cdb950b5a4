package devices

// ReportESCPOS renders a report (an X or Z report, a closing: lines of text as the manager's
// screen shows them) as the bytes an ESC/POS printer prints on paper of width columns: the
// printer's state cleared, the Windows-1252 code page, the first line (the title) in bold, and a
// cut at the end. A line that fits is printed as it is, so that its columns stay aligned; a longer
// one is broken between words rather than cut, so that no figure is lost off the edge. A width
// below 16 columns is taken as 32, the narrowest paper (58 mm).
func ReportESCPOS(lines []string, width int) []byte {
	if width < 16 {
		width = 32
	}
	b := make([]byte, 0, 64*len(lines)+16)
	b = append(b, escInit...)
	b = append(b, escCodePage1252...)
	for i, line := range lines {
		if i == 0 {
			b = append(b, esc, 'E', boldOn)
		}
		rows := []string{line}
		if runes(line) > width {
			rows = wrap(line, width)
		}
		for _, r := range rows {
			b = appendWindows1252(b, r)
			b = append(b, lf)
		}
		if i == 0 {
			b = append(b, esc, 'E', boldOff)
		}
	}
	// A blank line before the cut, so that the last line is not under the cutter.
	b = append(b, lf)
	b = append(b, escCut...)
	return b
}
