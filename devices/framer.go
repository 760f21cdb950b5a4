package devices

import (
	"slices"

	"github.com/comptoir/comptoir"
)

// DefaultMaxLen is the longest code a Framer delivers when it is given no other limit:
// comptoir.MaxCodeLen, 48 characters after the AIM identifier. A GS1-128 symbol holds at most 48
// data characters, and every code the register reads (GTINs, cards, shelf labels) is far shorter,
// so a longer frame is almost certainly two codes glued together by a lost terminator, or garbage.
const DefaultMaxLen = comptoir.MaxCodeLen

// Control bytes a serial scanner frames its codes with.
const (
	stx = 0x02 // start of text: some scanners send it before each code
	etx = 0x03 // end of text: the terminator of those same scanners
)

// aimLen is the length of an AIM symbology identifier: "]", a letter naming the symbology and a
// modifier character, as in "]E0".
const aimLen = 3

// The symbology names a Framer reports, from the AIM identifier the scanner sends before a code.
// EAN-13 covers UPC-A too, which scanners transmit as 13 digits with a leading zero under "]E0".
const (
	SymNone          = ""        // the scanner sent no AIM identifier
	SymUnknown       = "unknown" // an identifier this package does not name; Frame.AIM keeps it
	SymEAN13         = "EAN-13"
	SymEAN8          = "EAN-8"
	SymEANAddOn      = "EAN add-on"     // a 2- or 5-digit add-on read on its own ("]E1", "]E2")
	SymEANWithAddOn  = "EAN + add-on"   // an EAN/UPC followed by its add-on digits ("]E3")
	SymCode39        = "Code 39"        // "]A"
	SymCode128       = "Code 128"       // "]C0"
	SymGS1128        = "GS1-128"        // "]C1": Code 128 with FNC1 first, GS1 element strings
	SymCode93        = "Code 93"        // "]G"
	SymCodabar       = "Codabar"        // "]F"
	SymITF           = "ITF"            // "]I": interleaved 2 of 5, ITF-14 on cartons
	SymGS1DataBar    = "GS1 DataBar"    // "]e"
	SymPDF417        = "PDF417"         // "]L"
	SymQR            = "QR"             // "]Q"
	SymDataMatrix    = "DataMatrix"     // "]d0", "]d1"
	SymGS1DataMatrix = "GS1 DataMatrix" // "]d2"
	SymAztec         = "Aztec"          // "]z"
)

// Frame is one code read by the scanner, as the Framer cut it from the byte stream.
type Frame struct {
	// Code is the data of the code: 1 to the Framer's maximum printable ASCII characters, without
	// AIM identifier or terminator.
	Code string
	// Symbology is a readable name such as "EAN-13" (one of the Sym constants), SymNone when the
	// scanner sent no AIM identifier, and SymUnknown for an identifier without a name here.
	Symbology string
	// AIM is the raw identifier as sent ("]E0"), or "" when there was none.
	AIM string
}

// Framer cuts the bytes a serial scanner sends into codes. It is fed bytes as they arrive, in
// pieces of any size, and cuts the same frames whatever the pieces: its whole state is carried
// from one Write to the next. It never blocks and does not allocate except for the string of each
// code it delivers. It is not safe for concurrent use; the scanner's reader owns one.
//
// A frame ends at CR, LF, TAB or ETX. CRLF gives one code, not two, because the empty frame between
// CR and LF is ignored, as is any stray terminator. STX starts a new frame: whatever was pending
// before it is a partial frame and is dropped as noise.
//
// A frame that starts with an AIM identifier ("]" + letter + letter or digit) has it stripped and
// reported as the symbology. A code that genuinely starts with such three characters cannot be
// told from one that carries an identifier; the identifier reading wins, because scanners send
// identifiers and shelf codes do not start with "]".
//
// A frame holding a byte outside printable ASCII (0x20-0x7E) after the identifier is line noise
// (a baud rate mismatch, a glitch on a pulled cable): it is dropped and counted in Noise. So is a
// frame whose identifier names an EAN/UPC symbology ("]E0" EAN-13 or UPC-A, "]E4" EAN-8, "]E1"
// and "]E2" add-ons, "]E3" with add-on) but whose data is not that symbology's digits: a scanner
// never sends letters or a wrong length under those identifiers, random bytes may. That also
// drops GS1 codes whose variable-length fields are separated by the GS control character (0x1D);
// a scanner sending those must be set to replace GS by a printable character. A frame longer than
// the maximum is dropped and counted in TooLong; the Framer then skips to the next terminator,
// so the tail of a long frame is never taken for a code.
type Framer struct {
	max int
	// buf holds the frame being received. Its capacity is fixed at max plus an identifier, so a
	// noisy line can never make it grow.
	buf []byte
	// skipping is set once the frame being received has overflowed: bytes are ignored up to the
	// next terminator.
	skipping bool
	noise    uint64
	tooLong  uint64
	// out is reused from one Write to the next, so that cutting frames allocates only their codes.
	out []Frame
}

// NewFramer returns a Framer that delivers codes of at most max characters; max <= 0 means
// DefaultMaxLen.
func NewFramer(max int) *Framer {
	if max <= 0 {
		max = DefaultMaxLen
	}
	return &Framer{max: max, buf: make([]byte, 0, max+aimLen)}
}

// Write takes the next bytes received and returns the frames they complete, in order. The slice
// returned is reused by the next Write: the caller must be done with it before writing again (the
// Frames themselves, plain strings, can be kept). Write is not an io.Writer on purpose: it cannot
// fail, and what matters is what it returns.
func (f *Framer) Write(p []byte) []Frame {
	clear(f.out)
	f.out = f.out[:0]
	for _, c := range p {
		switch c {
		case '\r', '\n', '\t', etx:
			f.end()
		case stx:
			// A frame cut short by STX is a partial read (the previous code lost its terminator, or
			// noise before the start). An overflowed frame was already counted as too long.
			if len(f.buf) > 0 && !f.skipping {
				f.noise++
			}
			f.buf = f.buf[:0]
			f.skipping = false
		default:
			if f.skipping {
				continue
			}
			if len(f.buf) == cap(f.buf) {
				f.tooLong++
				f.buf = f.buf[:0]
				f.skipping = true
				continue
			}
			f.buf = append(f.buf, c)
		}
	}
	return f.out
}

// end closes the frame being received at a terminator: it is delivered, dropped or ignored.
func (f *Framer) end() {
	frame := f.buf
	f.buf = f.buf[:0]
	if f.skipping {
		f.skipping = false
		return
	}
	if len(frame) == 0 {
		return
	}
	n := 0
	if hasAIM(frame) {
		n = aimLen
	}
	code := frame[n:]
	switch {
	case len(code) == 0:
		// An identifier with no data after it is not a code; count it, it says the line is odd.
		f.noise++
		return
	case len(code) > f.max:
		f.tooLong++
		return
	}
	for _, c := range code {
		if c < 0x20 || c > 0x7e {
			f.noise++
			return
		}
	}
	if n > 0 && frame[1] == 'E' && !eanShaped(frame[2], code) {
		f.noise++
		return
	}
	// One allocation holds the identifier and the code; both fields are slices of it.
	s := string(frame)
	fr := Frame{Code: s[n:], AIM: s[:n]}
	if n > 0 {
		fr.Symbology = symbology(frame[1], frame[2])
	}
	f.out = append(f.out, fr)
}

// Reset drops the frame being received, as when the port was closed in the middle of a code. A
// partial frame dropped that way counts as noise.
func (f *Framer) Reset() {
	if len(f.buf) > 0 && !f.skipping {
		f.noise++
	}
	f.buf = f.buf[:0]
	f.skipping = false
}

// Pending reports whether a frame has started and not yet ended, so that the reader can drop a
// partial frame left alone too long.
func (f *Framer) Pending() bool { return len(f.buf) > 0 || f.skipping }

// Noise is the number of frames dropped because they held a non-printable byte, held an AIM
// identifier and nothing else, or were cut short (by STX or Reset).
func (f *Framer) Noise() uint64 { return f.noise }

// TooLong is the number of frames dropped because they were longer than the maximum.
func (f *Framer) TooLong() uint64 { return f.tooLong }

// MaxLen is the longest code the Framer delivers.
func (f *Framer) MaxLen() int { return f.max }

// hasAIM reports whether a frame starts with an AIM symbology identifier.
func hasAIM(b []byte) bool {
	return len(b) >= aimLen && b[0] == ']' && isLetter(b[1]) && (isLetter(b[2]) || isDigit(b[2]))
}

// eanShaped reports whether the data of a frame sent under the EAN/UPC identifier "]E" with
// modifier mod has the digits that symbology carries: 12 or 13 for EAN-13 (some scanners send
// UPC-A without its leading zero), 8 for EAN-8, 2 or 5 for an add-on, and an EAN-13 or UPC-A with
// its add-on. An identifier modifier this package does not know is let through.
func eanShaped(mod byte, code []byte) bool {
	var lengths []int
	switch mod {
	case '0':
		lengths = []int{12, 13}
	case '1':
		lengths = []int{2}
	case '2':
		lengths = []int{5}
	case '3':
		lengths = []int{14, 15, 17, 18}
	case '4':
		lengths = []int{8}
	default:
		return true
	}
	for _, c := range code {
		if !isDigit(c) {
			return false
		}
	}
	return slices.Contains(lengths, len(code))
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// symbology names the symbology of an AIM identifier from its code character and modifier.
func symbology(id, mod byte) string {
	switch id {
	case 'A':
		return SymCode39
	case 'C':
		if mod == '1' {
			return SymGS1128
		}
		return SymCode128
	case 'E':
		switch mod {
		case '0':
			return SymEAN13
		case '1', '2':
			return SymEANAddOn
		case '3':
			return SymEANWithAddOn
		case '4':
			return SymEAN8
		}
	case 'F':
		return SymCodabar
	case 'G':
		return SymCode93
	case 'I':
		return SymITF
	case 'L':
		return SymPDF417
	case 'Q':
		return SymQR
	case 'd':
		if mod == '2' {
			return SymGS1DataMatrix
		}
		return SymDataMatrix
	case 'e':
		return SymGS1DataBar
	case 'z':
		return SymAztec
	}
	return SymUnknown
}
