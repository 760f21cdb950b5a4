package devices

// The ESC/POS commands a receipt uses. ESC/POS is Epson's command language, which almost every
// thermal receipt printer speaks; these few commands are in every implementation of it.
const (
	esc = 0x1B
	gs  = 0x1D
	lf  = 0x0A
)

var (
	// escInit (ESC @) clears the printer's state, so that a previous job's bold or size never
	// leaks into this receipt.
	escInit = []byte{esc, '@'}
	// escCodePage1252 (ESC t 16) selects the WPC1252 character table, which holds every letter
	// French needs (é, è, à, ç, œ, Œ...) and the euro sign. The printer's default table (PC437)
	// has neither œ nor €.
	escCodePage1252 = []byte{esc, 't', 16}
	// escDrawerKick (ESC p 0 25 250) pulses the drawer connector's pin 2 for 50 ms on and
	// 500 ms off, which is what cash drawers wired to a receipt printer expect.
	escDrawerKick = []byte{esc, 'p', 0, 25, 250}
	// escCut (GS V 66 0) feeds the paper up to the cutter, so the last line is not cut through,
	// and cuts it.
	escCut = []byte{gs, 'V', 66, 0}
)

// Character sizes for GS !: the high nibble is the width multiplier minus one, the low nibble the
// height multiplier minus one.
const (
	sizeNormal     = 0x00
	sizeDoubleHigh = 0x01
	sizeDoubleWide = 0x11
)

// The arguments of ESC a (justification) and ESC E (emphasis).
const (
	alignLeft       = 0
	alignCentre     = 1
	boldOff, boldOn = 0, 1
)

// DrawerKick returns the bytes that open the cash drawer through the receipt printer, without
// printing anything. Receipts are printed only on request, but the drawer opens for every cash
// payment, so the command needs the kick on its own as well as inside a receipt (OpenDrawer).
func DrawerKick() []byte {
	return append([]byte(nil), escDrawerKick...)
}

// ESCPOS renders the receipt as the bytes an ESC/POS printer prints: the rows of Text, in the
// Windows-1252 code page, with the shop's name and the total in bold and large, the header
// centred by the printer, the drawer kick when OpenDrawer is set, and a cut at the end.
//
// A large row is printed double width and double height when it fits on one line in half the
// columns (a double-width character takes two), and double height only otherwise, so that a
// long shop name or a large total is never broken in the middle.
func (r Receipt) ESCPOS() ([]byte, error) {
	rows, err := r.rows()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 2048)
	b = append(b, escInit...)
	b = append(b, escCodePage1252...)
	// The kick goes first: the drawer opens while the receipt prints, and the cashier can give
	// the change without waiting for the cut.
	if r.OpenDrawer {
		b = append(b, escDrawerKick...)
	}
	align, bold, size := byte(alignLeft), byte(boldOff), byte(sizeNormal)
	set := func(cur *byte, v byte, cmd ...byte) {
		if *cur != v {
			b = append(b, cmd...)
			b = append(b, v)
			*cur = v
		}
	}
	for _, row := range rows {
		lines, sz := row.layout(r.Width), byte(sizeNormal)
		if row.big {
			if half := row.layout(r.Width / 2); len(half) == 1 {
				lines, sz = half, sizeDoubleWide
			} else {
				sz = sizeDoubleHigh
			}
		}
		a, w := byte(alignLeft), byte(boldOff)
		if row.center {
			a = alignCentre
		}
		if row.bold {
			w = boldOn
		}
		set(&align, a, esc, 'a')
		set(&bold, w, esc, 'E')
		set(&size, sz, gs, '!')
		for _, l := range lines {
			b = appendWindows1252(b, l)
			b = append(b, lf)
		}
	}
	// Back to the default state before the cut, for a printer that is also used by something
	// that does not start its jobs with ESC @.
	set(&align, alignLeft, esc, 'a')
	set(&bold, boldOff, esc, 'E')
	set(&size, sizeNormal, gs, '!')
	b = append(b, escCut...)
	return b, nil
}

// windows1252 maps the runes that Windows-1252 puts in 0x80-0x9F, where Latin-1 has control
// characters, to their bytes. Among them are the euro sign, the typographic apostrophe, œ and Œ,
// which French text uses every day.
var windows1252 = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'ˆ': 0x88, '‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E,
	'‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
	'˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// appendWindows1252 appends s encoded in Windows-1252. A rune the code page lacks becomes '?',
// one byte, so that the line keeps its width and alignment; so does every control character,
// so that no text can ever smuggle a printer command (an ESC) into the bytes.
func appendWindows1252(b []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7F, r >= 0xA0 && r <= 0xFF:
			b = append(b, byte(r))
		default:
			c, ok := windows1252[r]
			if !ok {
				c = '?'
			}
			b = append(b, c)
		}
	}
	return b
}
