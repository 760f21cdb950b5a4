package ui

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// memberStep is where the members' rights task is: finding the member by card, showing them,
// or asking for an export's file or an erasure's confirmation.
type memberStep int

const (
	memberCard memberStep = iota
	memberShown
	memberExportPath
	memberConfirmErase
)

// memberState is the member the manager acts on. Personal data is masked unless revealed, and
// the revealed data is dropped as soon as the manager leaves the member.
type memberState struct {
	step     memberStep
	customer *comptoir.Customer
	revealed bool
}

type (
	managerMemberMsg struct {
		customer comptoir.Customer
		revealed bool
		done     string
	}
)

func (managerMemberMsg) forManager() {}

// openMembers starts the members' rights task: a card first.
func (m *ManagerModel) openMembers() {
	m.mode, m.member = mgrMembers, memberState{}
	m.result = result{resultInfo, text{"scannez ou tapez la carte du membre, puis Entrée", "scan or type the member's card, then Enter"}.in(m.common.Lang)}
}

func (m *ManagerModel) membersKey(msg tea.KeyMsg) tea.Cmd {
	k, l := m.common.KeyMap, m.common.Lang
	ms := &m.member
	switch ms.step {
	case memberCard:
		switch {
		case key.Matches(msg, k.Confirm):
			return m.submit(m.input.take())
		case key.Matches(msg, k.Leave):
			m.toMenu()
		}
	case memberExportPath:
		switch {
		case key.Matches(msg, k.Confirm):
			return m.submit(m.input.take())
		case key.Matches(msg, k.Cancel):
			m.input.take()
			ms.step, m.result = memberShown, result{}
		}
	case memberConfirmErase:
		switch {
		case key.Matches(msg, k.Confirm):
			id, by := ms.customer.ID, m.actor
			return m.run(func(ctx context.Context) tea.Msg {
				if err := m.svc.Customers.Erase(ctx, id, by); err != nil {
					return managerErrMsg{err}
				}
				return m.memberAfter(ctx, id, text{"membre %s effacé : ses données personnelles sont détruites", "member %s erased: their personal data is destroyed"}.f(l, id))
			})
		case key.Matches(msg, k.Cancel):
			ms.step, m.result = memberShown, result{resultInfo, text{"effacement annulé", "erasure cancelled"}.in(l)}
		}
	case memberShown:
		id, by := ms.customer.ID, m.actor
		switch {
		case key.Matches(msg, k.Leave):
			// The revealed data leaves the screen and the memory with the member.
			m.openMembers()
		case key.Matches(msg, k.MemberReveal):
			return m.run(func(ctx context.Context) tea.Msg {
				c, err := m.svc.Customers.Reveal(ctx, id, by)
				if err != nil {
					return managerErrMsg{err}
				}
				return managerMemberMsg{customer: c, revealed: true, done: text{"données révélées : la révélation est inscrite au journal d'audit", "data revealed: the reveal is written in the audit trail"}.in(l)}
			})
		case key.Matches(msg, k.MemberExport):
			ms.step = memberExportPath
			m.result = result{resultInfo, text{"chemin du fichier JSON à écrire (un nouveau fichier), puis Entrée", "path of the JSON file to write (a new file), then Enter"}.in(l)}
		case key.Matches(msg, k.MemberErase):
			ms.step = memberConfirmErase
			m.result = result{resultInfo, text{"effacer définitivement les données de %s ? Entrée confirme · Échap annule", "erase %s's data for good? Enter confirms · Esc cancels"}.f(l, id)}
		case key.Matches(msg, k.MemberStop):
			return m.run(func(ctx context.Context) tea.Msg {
				if err := m.svc.Customers.StopProcessing(ctx, id, by); err != nil {
					return managerErrMsg{err}
				}
				return m.memberAfter(ctx, id, text{"membre %s en arrêt de traitement : plus de points ni de consentement donné", "member %s in stop processing: no points and no consent given"}.f(l, id))
			})
		case key.Matches(msg, k.MemberResume):
			return m.run(func(ctx context.Context) tea.Msg {
				basis, err := m.svc.Customers.ResumeProcessing(ctx, id, by)
				if err != nil {
					return managerErrMsg{err}
				}
				return m.memberAfter(ctx, id, text{"membre %s : traitement repris, base légale %s", "member %s: processing resumed, lawful basis %s"}.f(l, id, basis.Format(l)))
			})
		}
	}
	return nil
}

// memberSubmit handles a line ended by Enter: the card, or the export's file path.
func (m *ManagerModel) memberSubmit(line string) tea.Cmd {
	l := m.common.Lang
	line = strings.TrimSpace(line)
	if line == "" {
		return nil
	}
	switch m.member.step {
	case memberCard:
		card := line
		if s, ok := comptoir.UnmangleAZERTY(card); ok {
			card = s
		}
		return m.run(func(ctx context.Context) tea.Msg {
			c, err := m.svc.Customers.CustomerByCard(ctx, card)
			if err != nil {
				return managerErrMsg{err}
			}
			c.Personal = c.Personal.Mask()
			return managerMemberMsg{customer: c}
		})
	case memberExportPath:
		id, by := m.member.customer.ID, m.actor
		return m.run(func(ctx context.Context) tea.Msg {
			x, err := m.svc.Customers.Export(ctx, id, by)
			if err != nil {
				return managerErrMsg{err}
			}
			if err := writeExport(line, x); err != nil {
				return managerErrMsg{err}
			}
			return m.memberAfter(ctx, id, text{"données de %s exportées dans %s (export inscrit au journal d'audit)", "%s's data exported to %s (the export is written in the audit trail)"}.f(l, id, line))
		})
	}
	return nil
}

// memberAfter reads the member again, masked, after a change, with the sentence that says it
// was done.
func (m *ManagerModel) memberAfter(ctx context.Context, id comptoir.CustomerID, done string) tea.Msg {
	c, err := m.svc.Customers.Customer(ctx, id)
	if err != nil {
		return managerErrMsg{err}
	}
	c.Personal = c.Personal.Mask()
	return managerMemberMsg{customer: c, done: done}
}

// writeExport writes a member's export as the CLI's customer export prints it, into a new file
// only readable by its owner: it holds personal data, and an existing file is never replaced.
func writeExport(path string, x comptoir.MemberExport) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return comptoir.E(comptoir.CodeExportExists, path)
	}
	if err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(x); err != nil {
		f.Close()
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	if err := f.Close(); err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	return nil
}

// membersBody shows the member, masked unless revealed, or how to find one.
func (m *ManagerModel) membersBody() []string {
	l := m.common.Lang
	c := m.member.customer
	if c == nil {
		return []string{"", "  " + text{"Droits des membres : accès (révéler, exporter), effacement, arrêt et reprise du traitement.", "Members' rights: access (reveal, export), erasure, stop and resume processing."}.in(l)}
	}
	p := c.Personal
	dash := func(s string) string {
		if s == "" {
			return "—"
		}
		return clean(s)
	}
	state := text{"masquées", "masked"}.in(l)
	if m.member.revealed {
		state = text{"RÉVÉLÉES (consultation inscrite au journal d'audit)", "REVEALED (the reveal is in the audit trail)"}.in(l)
	}
	rows := [][]string{
		{text{"Membre", "Member"}.in(l), string(c.ID)},
		{text{"Cartes", "Cards"}.in(l), strings.Join(c.Cards, ", ")},
		{text{"Nom", "Name"}.in(l), dash(strings.TrimSpace(p.FirstName + " " + p.LastName))},
		{"E-mail", dash(p.Email)},
		{text{"Téléphone", "Phone"}.in(l), dash(p.Phone)},
		{text{"Base légale", "Lawful basis"}.in(l), c.Basis.Format(l)},
		{text{"Statut", "Status"}.in(l), c.Status.Format(l)},
		{text{"Données", "Data"}.in(l), state},
	}
	out := []string{""}
	for _, r := range rows {
		out = append(out, "  "+fit(r[0], 14)+r[1])
	}
	return out
}
