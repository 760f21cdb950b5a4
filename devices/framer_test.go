package devices_test

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/devices"
)

// frame is the expected result of a frame, in short.
type frame struct{ code, sym, aim string }

// feed writes chunks to a framer and collects every frame delivered.
func feed(f *devices.Framer, chunks ...string) []frame {
	var got []frame
	for _, c := range chunks {
		for _, fr := range f.Write([]byte(c)) {
			got = append(got, frame{fr.Code, fr.Symbology, fr.AIM})
		}
	}
	return got
}

func codes(cs ...string) []frame {
	out := make([]frame, len(cs))
	for i, c := range cs {
		out[i] = frame{code: c}
	}
	return out
}

func TestFramerTerminators(t *testing.T) {
	tests := []struct {
		name, in string
		want     []frame
	}{
		{"CR", "3017620422003\r", codes("3017620422003")},
		{"LF", "3017620422003\n", codes("3017620422003")},
		{"CRLF is one terminator", "3017620422003\r\n", codes("3017620422003")},
		{"LFCR is one terminator too", "3017620422003\n\r", codes("3017620422003")},
		{"TAB", "3017620422003\t", codes("3017620422003")},
		{"ETX", "3017620422003\x03", codes("3017620422003")},
		{"STX and ETX", "\x023017620422003\x03", codes("3017620422003")},
		{"every terminator in a row", "A\rB\nC\r\nD\tE\x03F\r", codes("A", "B", "C", "D", "E", "F")},
		{"stray terminators", "\r\n\r\n\t\x03\n12345670\r\r\r\n\n", codes("12345670")},
		{"no terminator yet", "12345670", nil},
		{"only terminators", "\r\n\t\x03\r\n", nil},
		{"spaces are printable", "AB C\r", codes("AB C")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := devices.NewFramer(0)
			got := feed(f, tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("frames = %q, want %q", got, tt.want)
			}
			if f.Noise() != 0 || f.TooLong() != 0 {
				t.Errorf("noise %d, too long %d, want none", f.Noise(), f.TooLong())
			}
		})
	}
}

func TestFramerAIM(t *testing.T) {
	tests := []struct {
		in   string
		want frame
	}{
		{"]E03017620422003\r", frame{"3017620422003", devices.SymEAN13, "]E0"}},
		{"]E0036000291452\r", frame{"036000291452", devices.SymEAN13, "]E0"}}, // UPC-A
		{"]E496385074\r", frame{"96385074", devices.SymEAN8, "]E4"}},
		{"]E3978020137962052495\r", frame{"978020137962052495", devices.SymEANWithAddOn, "]E3"}},
		{"]E112\r", frame{"12", devices.SymEANAddOn, "]E1"}},
		{"]E252495\r", frame{"52495", devices.SymEANAddOn, "]E2"}},
		{"]C0ABC-123\r", frame{"ABC-123", devices.SymCode128, "]C0"}},
		{"]C10103017620422003\r", frame{"0103017620422003", devices.SymGS1128, "]C1"}},
		{"]A0CODE39\r", frame{"CODE39", devices.SymCode39, "]A0"}},
		{"]G0CODE93\r", frame{"CODE93", devices.SymCode93, "]G0"}},
		{"]F0A123B\r", frame{"A123B", devices.SymCodabar, "]F0"}},
		{"]I110012345678902\r", frame{"10012345678902", devices.SymITF, "]I1"}},
		{"]e00103017620422003\r", frame{"0103017620422003", devices.SymGS1DataBar, "]e0"}},
		{"]L2pdf\r", frame{"pdf", devices.SymPDF417, "]L2"}},
		{"]d10123\r", frame{"0123", devices.SymDataMatrix, "]d1"}},
		{"]d20103017620422003\r", frame{"0103017620422003", devices.SymGS1DataMatrix, "]d2"}},
		{"]Q1https://example.org\r", frame{"https://example.org", devices.SymQR, "]Q1"}},
		{"]z0aztec\r", frame{"aztec", devices.SymAztec, "]z0"}},
		{"]X0other\r", frame{"other", devices.SymUnknown, "]X0"}},
		{"]E93017620422003\r", frame{"3017620422003", devices.SymUnknown, "]E9"}},
		{"]EA3017620422003\r", frame{"3017620422003", devices.SymUnknown, "]EA"}},
		// Not identifiers: the code is kept whole.
		{"]1234\r", frame{"]1234", devices.SymNone, ""}},
		{"]E\r", frame{"]E", devices.SymNone, ""}},
		{"]E-12\r", frame{"]E-12", devices.SymNone, ""}},
		{"x]E0123\r", frame{"x]E0123", devices.SymNone, ""}},
	}
	for _, tt := range tests {
		f := devices.NewFramer(0)
		got := feed(f, tt.in)
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("%q: frames = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFramerEANShape checks that a frame sent under an EAN/UPC identifier carries that
// symbology's digits: random bytes that happen to start with "]E" are noise, not codes. The old
// code delivered them.
func TestFramerEANShape(t *testing.T) {
	f := devices.NewFramer(0)
	got := feed(f,
		"]E0ABC\r", "]E0123\r", "]E4+-*/ 123\r", "]E496385074A\r", "]E1x2\r", "]E2123456\r", "]E33017620422003\r",
		"]E03017620422003\r", "]E0036000291452\r", "]E496385074\r", "]E112\r", "]E252495\r", "]E3978020137962052495\r",
		"]E9anything\r",
	)
	want := []frame{
		{"3017620422003", devices.SymEAN13, "]E0"}, {"036000291452", devices.SymEAN13, "]E0"}, {"96385074", devices.SymEAN8, "]E4"},
		{"12", devices.SymEANAddOn, "]E1"}, {"52495", devices.SymEANAddOn, "]E2"}, {"978020137962052495", devices.SymEANWithAddOn, "]E3"},
		{"anything", devices.SymUnknown, "]E9"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("frames = %q, want %q", got, want)
	}
	if got, want := f.Noise(), uint64(7); got != want {
		t.Errorf("noise = %d, want %d", got, want)
	}
}

// TestFramerRandomBytes feeds a megabyte of random bytes: whatever comes out is a code as the
// package defines one, 1 to DefaultMaxLen printable characters, EAN-shaped under an EAN identifier,
// and a GTIN-shaped one is a product or a card only when its check digit holds.
func TestFramerRandomBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	f := devices.NewFramer(0)
	frames := f.Write(data)
	for _, fr := range frames {
		if len(fr.Code) < 1 || len(fr.Code) > devices.DefaultMaxLen {
			t.Fatalf("code %q of length %d", fr.Code, len(fr.Code))
		}
		kind, err := comptoir.ClassifyCode(fr.Code)
		if err != nil && kind != comptoir.ScanInvalid {
			t.Fatalf("ClassifyCode(%q) = %s, %v: the framer delivered something that is no code", fr.Code, kind, err)
		}
		if (kind == comptoir.ScanProduct || kind == comptoir.ScanCard) && comptoir.ValidateGTIN(fr.Code) != nil {
			t.Fatalf("ClassifyCode(%q) = %s for an invalid GTIN", fr.Code, kind)
		}
		if fr.AIM == "]E0" && len(fr.Code) < 12 {
			t.Fatalf("EAN-13 frame %q", fr.Code)
		}
	}
	if f.Noise() == 0 {
		t.Error("a megabyte of random bytes gave no noise")
	}
}

// TestFramerIdentifierOnly checks that an identifier with no data is not a code.
func TestFramerIdentifierOnly(t *testing.T) {
	f := devices.NewFramer(0)
	if got := feed(f, "]E0\r", "]E03017620422003\r"); !reflect.DeepEqual(got, []frame{{"3017620422003", devices.SymEAN13, "]E0"}}) {
		t.Errorf("frames = %q", got)
	}
	if f.Noise() != 1 {
		t.Errorf("noise = %d, want 1", f.Noise())
	}
}

func TestFramerNoise(t *testing.T) {
	tests := []string{
		"30176\x0020422003\r",                 // NUL
		"3017620422003\x7f\r",                 // DEL
		"\xff\xfe\r",                          // a baud rate mismatch reads as high bytes
		"3017620\xe9\r",                       // Latin-1
		"\x1b[31mRED\r",                       // an escape sequence
		"]C1010301762042200310ABC\x1d21XYZ\r", // GS1 with a GS separator
		"]E0\x01\r",
	}
	for _, in := range tests {
		f := devices.NewFramer(0)
		got := feed(f, in, "12345670\r")
		if !reflect.DeepEqual(got, codes("12345670")) {
			t.Errorf("%q: frames = %q, want only the good code after it", in, got)
		}
		if f.Noise() != 1 || f.TooLong() != 0 {
			t.Errorf("%q: noise %d, too long %d, want 1 and 0", in, f.Noise(), f.TooLong())
		}
	}
}

func TestFramerTooLong(t *testing.T) {
	f := devices.NewFramer(8)
	got := feed(f,
		"12345678\r",    // exactly the maximum
		"]E412345678\r", // the maximum after the identifier
		"123456789\r",   // one too many
		"]E0123456789\r",
		// A long run overflows the buffer: the rest up to the terminator is skipped, never
		// delivered as a code, and counts once.
		strings.Repeat("9", 40)+"\rOK\r",
		strings.Repeat("7", 100), strings.Repeat("7", 100), "\r", "OK2\n",
	)
	want := []frame{{"12345678", "", ""}, {"12345678", devices.SymEAN8, "]E4"}, {"OK", "", ""}, {"OK2", "", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("frames = %q, want %q", got, want)
	}
	if f.TooLong() != 4 || f.Noise() != 0 {
		t.Errorf("too long %d, noise %d, want 4 and 0", f.TooLong(), f.Noise())
	}
	if f.MaxLen() != 8 {
		t.Errorf("MaxLen = %d", f.MaxLen())
	}
	if def := devices.NewFramer(-1).MaxLen(); def != devices.DefaultMaxLen {
		t.Errorf("default MaxLen = %d", def)
	}
	f = devices.NewFramer(0)
	if got := feed(f, strings.Repeat("1", 48)+"\r"+strings.Repeat("1", 49)+"\r"); len(got) != 1 || f.TooLong() != 1 {
		t.Errorf("default maximum: %d frames, %d too long", len(got), f.TooLong())
	}
}

func TestFramerSTX(t *testing.T) {
	f := devices.NewFramer(8)
	// What came before an STX is a partial frame: noise. An overflowed frame ended by STX counts
	// once, as too long.
	got := feed(f, "JUNK\x02ABC\x03", "\x02DEF\x03", strings.Repeat("x", 20)+"\x02GHI\x03")
	if !reflect.DeepEqual(got, codes("ABC", "DEF", "GHI")) {
		t.Errorf("frames = %q", got)
	}
	if f.Noise() != 1 || f.TooLong() != 1 {
		t.Errorf("noise %d, too long %d, want 1 and 1", f.Noise(), f.TooLong())
	}
}

func TestFramerResetAndPending(t *testing.T) {
	f := devices.NewFramer(0)
	feed(f, "3017")
	if !f.Pending() {
		t.Fatal("a started frame is not pending")
	}
	f.Reset()
	if f.Pending() || f.Noise() != 1 {
		t.Errorf("after Reset: pending %v, noise %d", f.Pending(), f.Noise())
	}
	if got := feed(f, "620422003\r"); !reflect.DeepEqual(got, codes("620422003")) {
		t.Errorf("frames = %q", got)
	}
	f.Reset() // nothing pending: nothing counted
	if f.Noise() != 1 {
		t.Errorf("noise = %d", f.Noise())
	}
}

// TestFramerSplitAnywhere feeds a stream with every kind of frame, cut at every position and byte
// by byte: the frames and counters must be those of the whole stream.
func TestFramerSplitAnywhere(t *testing.T) {
	in := "\x02]E03017620422003\x03\r\nA\tB\n]E4963\x00850\r" + strings.Repeat("5", 80) +
		"\r]Q1QR CODE\r\n]X9x\rJUNK\x02]C1(01)0\x03\r\r"
	whole := devices.NewFramer(16)
	want := feed(whole, in)
	if len(want) != 6 {
		t.Fatalf("whole stream: %q", want)
	}
	for i := 0; i <= len(in); i++ {
		f := devices.NewFramer(16)
		got := feed(f, in[:i], in[i:])
		if !reflect.DeepEqual(got, want) || f.Noise() != whole.Noise() || f.TooLong() != whole.TooLong() {
			t.Fatalf("split at %d: %q (noise %d, too long %d), want %q (noise %d, too long %d)",
				i, got, f.Noise(), f.TooLong(), want, whole.Noise(), whole.TooLong())
		}
	}
	f := devices.NewFramer(16)
	var got []frame
	for i := range len(in) {
		got = append(got, feed(f, in[i:i+1])...)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("byte by byte: %q, want %q", got, want)
	}
}

// TestFramerAllocations checks that cutting a code costs one allocation, its string.
func TestFramerAllocations(t *testing.T) {
	f := devices.NewFramer(0)
	in := []byte("]E03017620422003\r\n")
	f.Write(in)
	if n := testing.AllocsPerRun(100, func() { f.Write(in) }); n > 1 {
		t.Errorf("%.1f allocations per code, want 1", n)
	}
	noise := []byte("\xff\xfe\x00garbage\r" + strings.Repeat("9", 200) + "\r")
	if n := testing.AllocsPerRun(100, func() { f.Write(noise) }); n != 0 {
		t.Errorf("%.1f allocations for noise, want 0", n)
	}
}

// FuzzFramer checks the framer on any input: it never panics, every code it delivers is 1 to
// MaxLen printable ASCII characters, and cutting the input anywhere changes nothing. The seeds run
// in the normal test suite.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("]E03017620422003\r\n"), uint16(5), uint8(0))
	f.Add([]byte("A\rB\nC\r\nD\tE\x03"), uint16(3), uint8(4))
	f.Add([]byte("\x02JUNK\x02ABC\x03]X0\r]E0\r"), uint16(8), uint8(2))
	f.Add([]byte(strings.Repeat("9", 100)+"\r1\r"), uint16(70), uint8(10))
	f.Add([]byte("\xff\x00\x1b[31m\r]d20103017620422003\x1d10AB\r"), uint16(1), uint8(64))
	f.Add([]byte("]E\r]\r]]E0\r"), uint16(2), uint8(1))
	// Random-looking bytes and garbage under EAN identifiers, which must not come out as codes.
	f.Add([]byte("]E0ABC\r]E4+-*/\r]E2123456\r]E03017620422003\r"), uint16(9), uint8(0))
	f.Add([]byte("\x8f\x1c]\xe2E0\r\x7f\x80 \r"+strings.Repeat("\xaa", 40)+"\n"), uint16(4), uint8(0))
	f.Add([]byte(strings.Repeat("Z", 48)+"\r"+strings.Repeat("Z", 49)+"\r"), uint16(48), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, split uint16, max uint8) {
		whole := devices.NewFramer(int(max))
		want := append([]devices.Frame(nil), whole.Write(data)...)
		limit := whole.MaxLen()
		for _, fr := range want {
			if len(fr.Code) < 1 || len(fr.Code) > limit {
				t.Fatalf("code %q: length %d outside 1..%d", fr.Code, len(fr.Code), limit)
			}
			for i := 0; i < len(fr.Code); i++ {
				if c := fr.Code[i]; c < 0x20 || c > 0x7e {
					t.Fatalf("code %q holds byte %#x", fr.Code, c)
				}
			}
			if (fr.AIM == "") != (fr.Symbology == devices.SymNone) || fr.AIM != "" && (len(fr.AIM) != 3 || fr.AIM[0] != ']') {
				t.Fatalf("frame %+v: identifier and symbology disagree", fr)
			}
			if !bytes.Contains(data, []byte(fr.AIM+fr.Code)) {
				t.Fatalf("frame %+v is not in the input", fr)
			}
			if strings.HasPrefix(fr.AIM, "]E") && strings.ContainsAny(fr.AIM[2:], "01234") && strings.Trim(fr.Code, "0123456789") != "" {
				t.Fatalf("frame %+v under an EAN identifier holds more than digits", fr)
			}
		}
		terminators := bytes.Count(data, []byte{'\r'}) + bytes.Count(data, []byte{'\n'}) +
			bytes.Count(data, []byte{'\t'}) + bytes.Count(data, []byte{0x03})
		if len(want) > terminators {
			t.Fatalf("%d frames from %d terminators", len(want), terminators)
		}

		k := int(split) % (len(data) + 1)
		parts := devices.NewFramer(int(max))
		got := append([]devices.Frame(nil), parts.Write(data[:k])...)
		got = append(got, parts.Write(data[k:])...)
		if len(got) == 0 && len(want) == 0 {
			got, want = nil, nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("split at %d: %q, whole: %q", k, got, want)
		}
		if parts.Noise() != whole.Noise() || parts.TooLong() != whole.TooLong() || parts.Pending() != whole.Pending() {
			t.Fatalf("split at %d: noise %d, too long %d, pending %v; whole: %d, %d, %v", k,
				parts.Noise(), parts.TooLong(), parts.Pending(), whole.Noise(), whole.TooLong(), whole.Pending())
		}
	})
}

// BenchmarkFramer measures cutting one EAN-13 with its identifier and CRLF.
func BenchmarkFramer(b *testing.B) {
	f := devices.NewFramer(0)
	in := []byte("]E03017620422003\r\n")
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		f.Write(in)
	}
}
