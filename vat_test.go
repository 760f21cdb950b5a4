package comptoir_test

import (
	"math/rand/v2"
	"testing"

	"github.com/comptoir/comptoir"
)

func TestParseVATRate(t *testing.T) {
	accepted := []struct {
		in   string
		want comptoir.VATRate
	}{
		{"20", comptoir.VATNormal},
		{"10", comptoir.VATIntermediate},
		{"5.5", comptoir.VATReduced},
		{"5,5", comptoir.VATReduced},
		{"5,50", comptoir.VATReduced},
		{"2.1", comptoir.VATSpecial},
		{"2,1", comptoir.VATSpecial},
		{"2,10", comptoir.VATSpecial},
		{"20 %", comptoir.VATNormal},
		{"20%", comptoir.VATNormal},
		{" 5,5 % ", comptoir.VATReduced},
		{"20,00", comptoir.VATNormal},
	}
	for _, tt := range accepted {
		got, err := comptoir.ParseVATRate(tt.in)
		if err != nil {
			t.Errorf("ParseVATRate(%q): unexpected error %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseVATRate(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"19.6", "19,6", "7", "-20", "-5,5", "abc", "", "%", "0", "5,55", "2,11", "200", "20 %%", "0.2"} {
		t.Run(in, func(t *testing.T) {
			got, err := comptoir.ParseVATRate(in)
			checkErr(t, err, comptoir.ErrUnknownVATRate)
			if got != 0 {
				t.Errorf("ParseVATRate(%q) = %d with an error, want 0", in, got)
			}
			if in != "" {
				contains(t, "Message(fr)", comptoir.Message(err, fr), "« "+in+" »")
			}
		})
	}
}

func TestVATRateFormat(t *testing.T) {
	tests := []struct {
		r      comptoir.VATRate
		fr, en string
	}{
		{comptoir.VATNormal, "20 %", "20%"},
		{comptoir.VATIntermediate, "10 %", "10%"},
		{comptoir.VATReduced, "5,5 %", "5.5%"},
		{comptoir.VATSpecial, "2,1 %", "2.1%"},
		{1960, "19,6 %", "19.6%"},
		{5, "0,05 %", "0.05%"},
		{1905, "19,05 %", "19.05%"},
	}
	for _, tt := range tests {
		if got, want := tt.r.Format(fr), tt.fr; got != want {
			t.Errorf("VATRate(%d).Format(fr) = %q, want %q", tt.r, got, want)
		}
		if got, want := tt.r.Format(en), tt.en; got != want {
			t.Errorf("VATRate(%d).Format(en) = %q, want %q", tt.r, got, want)
		}
		if got, want := tt.r.String(), tt.fr; got != want {
			t.Errorf("VATRate(%d).String() = %q, want %q", tt.r, got, want)
		}
	}
	// What a rate prints as must read back as the same rate, in both languages.
	for _, r := range comptoir.VATRates {
		for _, l := range langs {
			got, err := comptoir.ParseVATRate(r.Format(l))
			if err != nil || got != r {
				t.Errorf("ParseVATRate(%q) = %d, %v, want %d", r.Format(l), got, err, r)
			}
		}
	}
}

func TestVATRateValid(t *testing.T) {
	for _, r := range []comptoir.VATRate{2000, 1000, 550, 210} {
		if !r.Valid() {
			t.Errorf("VATRate(%d).Valid() = false, want true", r)
		}
	}
	for _, r := range []comptoir.VATRate{0, 1960, 700, 55, -2000, 20} {
		if r.Valid() {
			t.Errorf("VATRate(%d).Valid() = true, want false", r)
		}
	}
	for i := 1; i < len(comptoir.VATRates); i++ {
		if comptoir.VATRates[i-1] <= comptoir.VATRates[i] {
			t.Errorf("VATRates = %v, want highest first", comptoir.VATRates)
		}
	}
	if got, want := len(comptoir.VATRates), 4; got != want {
		t.Errorf("len(VATRates) = %d, want %d", got, want)
	}
}

func TestVATFromTTC(t *testing.T) {
	tests := []struct {
		ttc       comptoir.Money
		rate      comptoir.VATRate
		base, vat comptoir.Money
	}{
		{1200, comptoir.VATNormal, 1000, 200},
		{100, comptoir.VATNormal, 83, 17},
		{-100, comptoir.VATNormal, -83, -17},
		{3, comptoir.VATNormal, 3, 0},   // 2,5 cents rounds half away from zero.
		{-3, comptoir.VATNormal, -3, 0}, // And so does -2,5.
		{9, comptoir.VATNormal, 8, 1},   // 7,5 rounds to 8.
		{1100, comptoir.VATIntermediate, 1000, 100},
		{1000, comptoir.VATIntermediate, 909, 91},
		{1055, comptoir.VATReduced, 1000, 55},
		{500, comptoir.VATReduced, 474, 26},
		{1021, comptoir.VATSpecial, 1000, 21},
		{50, comptoir.VATSpecial, 49, 1},
		{0, comptoir.VATNormal, 0, 0},
		{1, comptoir.VATNormal, 1, 0},
		{-1200, comptoir.VATNormal, -1000, -200},
	}
	for _, tt := range tests {
		got := comptoir.VATFromTTC(tt.ttc, tt.rate)
		want := comptoir.VATLine{Rate: tt.rate, Base: tt.base, VAT: tt.vat, TTC: tt.ttc}
		if got != want {
			t.Errorf("VATFromTTC(%d, %d) = %+v, want %+v", tt.ttc, tt.rate, got, want)
		}
	}

	// The largest ticket total the limits allow must not overflow the computation.
	biggest := comptoir.Money(comptoir.MaxLines * comptoir.MaxQty * int64(comptoir.MaxAmount))
	amounts := []comptoir.Money{biggest, -biggest}
	for c := comptoir.Money(-5000); c <= 5000; c++ {
		amounts = append(amounts, c)
	}
	for _, rate := range comptoir.VATRates {
		d := int64(10000 + rate)
		for _, ttc := range amounts {
			checkVATLine(t, comptoir.VATFromTTC(ttc, rate), ttc, rate, d)
			if got, want := comptoir.VATFromTTC(-ttc, rate).Base, -comptoir.VATFromTTC(ttc, rate).Base; got != want {
				t.Fatalf("VATFromTTC(%d, %d).Base = %d, want %d (symmetric)", -ttc, rate, got, want)
			}
		}
	}
}

func checkVATLine(t *testing.T, l comptoir.VATLine, ttc comptoir.Money, rate comptoir.VATRate, d int64) {
	t.Helper()
	if l.Rate != rate || l.TTC != ttc {
		t.Fatalf("VATFromTTC(%d, %d) = %+v: wrong rate or TTC", ttc, rate, l)
	}
	if got, want := l.Base+l.VAT, ttc; got != want {
		t.Fatalf("VATFromTTC(%d, %d): base + VAT = %d, want %d", ttc, rate, got, want)
	}
	// The base is ttc / (1 + rate) rounded to the nearest cent, half away from zero.
	diff := int64(l.Base)*d - int64(ttc)*10000
	if 2*abs(diff) > d {
		t.Fatalf("VATFromTTC(%d, %d).Base = %d, not the nearest cent (error %d/%d)", ttc, rate, l.Base, diff, d)
	}
	if 2*abs(diff) == d && (diff > 0) != (ttc > 0) {
		t.Fatalf("VATFromTTC(%d, %d).Base = %d, a half cent not rounded away from zero", ttc, rate, l.Base)
	}
	// The tax has the sign of the amount and never exceeds it.
	if ttc >= 0 && (l.VAT < 0 || l.VAT > ttc) || ttc < 0 && (l.VAT > 0 || l.VAT < ttc) {
		t.Fatalf("VATFromTTC(%d, %d).VAT = %d, out of range", ttc, rate, l.VAT)
	}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestVATBreakdown(t *testing.T) {
	lines := []comptoir.Line{
		comptoir.LineFor(pomme, 2),
		comptoir.LineFor(vin, 1),
		comptoir.LineFor(journal, 1),
		comptoir.LineFor(vin, 3),
	}
	want := []comptoir.VATLine{
		{Rate: comptoir.VATNormal, Base: 4000, VAT: 800, TTC: 4800},
		{Rate: comptoir.VATReduced, Base: 474, VAT: 26, TTC: 500},
		{Rate: comptoir.VATSpecial, Base: 206, VAT: 4, TTC: 210},
	}
	got := comptoir.VATBreakdown(lines)
	if len(got) != len(want) {
		t.Fatalf("VATBreakdown = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("VATBreakdown[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := comptoir.VATBreakdown(nil); len(got) != 0 {
		t.Errorf("VATBreakdown(nil) = %+v, want empty", got)
	}

	// Random tickets: the breakdown sums exactly to the total, one line per rate, highest first.
	r := rand.New(rand.NewPCG(2026, 3))
	for n := range 3000 {
		lines := randomLines(r, 1+r.IntN(30), n%5 == 0)
		var total comptoir.Money
		perRate := map[comptoir.VATRate]comptoir.Money{}
		for _, l := range lines {
			total += l.Total
			perRate[l.VAT] += l.Total
		}
		vat := comptoir.VATBreakdown(lines)
		if got, want := len(vat), len(perRate); got != want {
			t.Fatalf("ticket %d: %d VAT lines, want %d", n, got, want)
		}
		var sum, base, tax comptoir.Money
		for i, v := range vat {
			if i > 0 && vat[i-1].Rate <= v.Rate {
				t.Fatalf("ticket %d: VAT lines %+v not ordered highest rate first", n, vat)
			}
			if got, want := v, comptoir.VATFromTTC(perRate[v.Rate], v.Rate); got != want {
				t.Fatalf("ticket %d: VAT line %+v, want %+v", n, got, want)
			}
			sum += v.TTC
			base += v.Base
			tax += v.VAT
		}
		if sum != total || base+tax != total {
			t.Fatalf("ticket %d: VAT breakdown TTC %d, base %d + VAT %d, want total %d", n, sum, base, tax, total)
		}
	}
}

// randomLines makes n lines of random products, prices, quantities and rates; negative quantities
// when refund is set.
func randomLines(r *rand.Rand, n int, refund bool) []comptoir.Line {
	products := []comptoir.Product{pomme, vin, repas, journal}
	lines := make([]comptoir.Line, n)
	for i := range lines {
		p := products[r.IntN(len(products))]
		p.Price = comptoir.Money(1 + r.Int64N(20000))
		p.VAT = comptoir.VATRates[r.IntN(len(comptoir.VATRates))]
		qty := 1 + r.Int64N(12)
		if refund {
			qty = -qty
		}
		lines[i] = comptoir.LineFor(p, qty)
	}
	return lines
}

func TestVATRate_Letter(t *testing.T) {
	for _, tt := range []struct {
		rate comptoir.VATRate
		want string
	}{{comptoir.VATNormal, "A"}, {comptoir.VATIntermediate, "B"}, {comptoir.VATReduced, "C"}, {comptoir.VATSpecial, "D"}, {1960, ""}} {
		if got := tt.rate.Letter(); got != tt.want {
			t.Errorf("VATRate(%d).Letter() = %q, want %q", tt.rate, got, tt.want)
		}
	}
}
