package ui_test

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// BenchmarkSale_KeyPress100Lines measures one key press on a 100-line ticket, through Update and
// View, as Bubble Tea runs them for every key. The goal is under a millisecond.
func BenchmarkSale_KeyPress100Lines(b *testing.B) {
	h := newHarness(b, comptoir.LangFR, 80, 24)
	lines := make([]comptoir.Line, 100)
	for i := range lines {
		p := comptoir.Product{GTIN: nutella, Name: fmt.Sprintf("Article de démonstration n° %d", i), Price: comptoir.Money(100 + i), VAT: comptoir.VATReduced}
		lines[i] = comptoir.LineFor(p, int64(1+i%3))
	}
	h.m.Sale().SetLines(lines)
	keys := []tea.KeyMsg{key(tea.KeyUp), key(tea.KeyDown)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.m.Update(keys[i%2])
		_ = h.m.View()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/key")
}
