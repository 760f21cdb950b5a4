package ui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// zState is a Z close waiting for confirmation: the day's figures, and the cash count when the
// manager makes one (F2), one payment method after the other.
type zState struct {
	day    string
	report []string
	totals comptoir.Totals
	// counting is set while the amounts are typed; method is the index in PaymentMethods of the
	// one asked for.
	counting bool
	method   int
	counted  map[comptoir.PaymentMethod]comptoir.Money
}

// startZ shows the day's figures and asks to confirm its Z close.
func (m *ManagerModel) startZ(rep comptoir.PeriodReport, key comptoir.KeyInfo) {
	l := m.common.Lang
	m.z = zState{day: rep.Period, report: reportLines(rep, m.session.Register, key, m.loc, l), totals: rep.Totals}
	m.mode, m.title, m.lines, m.offset = mgrConfirmZ, text{"Clôture Z", "Z close"}.in(l), m.z.report, 0
	m.result = result{resultInfo, text{"clôturer la journée du %s ? Entrée confirme · F2 compter la caisse d'abord · Échap annule", "close the day %s? Enter confirms · F2 count the till first · Esc cancels"}.f(l, rep.Period)}
}

func (m *ManagerModel) zKey(msg tea.KeyMsg) tea.Cmd {
	k, l := m.common.KeyMap, m.common.Lang
	z := &m.z
	if z.counting {
		switch {
		case key.Matches(msg, k.Confirm):
			return m.countSubmit(m.input.take())
		case key.Matches(msg, k.Cancel):
			m.input.take()
			z.counting, z.counted = false, nil
			m.lines = z.report
			m.result = result{resultInfo, text{"comptage abandonné ; Entrée clôture sans comptage · Échap annule", "count given up; Enter closes without a count · Esc cancels"}.in(l)}
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Confirm):
		day, counted := z.day, z.counted
		return m.run(func(ctx context.Context) tea.Msg {
			var c comptoir.Closing
			var err error
			if len(counted) > 0 {
				c, err = m.svc.Closing.CloseDayCounted(ctx, day, counted)
			} else {
				c, err = m.svc.Closing.ClosePeriod(ctx, day)
			}
			if err != nil {
				return managerErrMsg{err}
			}
			return managerClosedMsg{closing: c, till: m.tillCounts(ctx, c), key: m.signingKey(ctx)}
		})
	case key.Matches(msg, k.Count):
		z.counting, z.method, z.counted = true, 0, map[comptoir.PaymentMethod]comptoir.Money{}
		m.askCount()
	case key.Matches(msg, k.Up):
		m.scrollBy(-1)
	case key.Matches(msg, k.Down):
		m.scrollBy(1)
	case key.Matches(msg, k.PageUp):
		m.scrollBy(-m.bodyRows())
	case key.Matches(msg, k.PageDown):
		m.scrollBy(m.bodyRows())
	case key.Matches(msg, k.Cancel):
		m.z = zState{}
		m.mode, m.result = mgrMenu, result{resultInfo, text{"clôture annulée", "close cancelled"}.in(l)}
	}
	return nil
}

// askCount asks for the amount counted of the method in turn, with what the tickets say.
func (m *ManagerModel) askCount() {
	l := m.common.Lang
	method := comptoir.PaymentMethods[m.z.method]
	m.result = result{resultInfo, text{"%s : montant compté, puis Entrée (Entrée seule : pas compté)", "%s: amount counted, then Enter (Enter alone: not counted)"}.f(l, method.Format(l))}
}

// countSubmit records the amount counted of the method in turn and asks for the next; after the
// last one it shows the count beside the figures and asks to confirm the close with it.
func (m *ManagerModel) countSubmit(line string) tea.Cmd {
	l := m.common.Lang
	z := &m.z
	method := comptoir.PaymentMethods[z.method]
	if line = strings.TrimSpace(line); line != "" {
		amount, err := comptoir.ParseMoney(line)
		if err == nil && amount < 0 {
			err = comptoir.E(comptoir.CodeInvalidAmount, line)
		}
		if err != nil {
			m.refuse(err)
			return nil
		}
		z.counted[method] = amount
	}
	if z.method++; z.method < len(comptoir.PaymentMethods) {
		m.askCount()
		return nil
	}
	z.counting = false
	count, err := comptoir.CountCash(z.totals, z.counted)
	if err != nil {
		m.refuse(err)
		return nil
	}
	if len(count) == 0 {
		m.result = result{resultInfo, text{"rien de compté ; Entrée clôture sans comptage · Échap annule", "nothing counted; Enter closes without a count · Esc cancels"}.in(l)}
		return nil
	}
	m.lines = append(append(countLines(count, l), ""), z.report...)
	m.offset = 0
	m.result = result{resultInfo, text{"clôturer la journée du %s avec ce comptage ? Entrée confirme · Échap annule", "close the day %s with this count? Enter confirms · Esc cancels"}.f(l, z.day)}
	return nil
}

// countPrompt is the input's prompt while the till is counted.
func (m *ManagerModel) countPrompt() text {
	method := comptoir.PaymentMethods[m.z.method]
	return text{method.Format(comptoir.LangFR) + " compté : ", method.Format(comptoir.LangEN) + " counted: "}
}
