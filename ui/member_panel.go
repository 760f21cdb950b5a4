package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// MemberModel is the member panel, opened with F2 while a member is on the ticket: the member
// masked, their balance, and each channel's consent, which Enter gives or withdraws in one step.
// F4 takes the member off the ticket; Esc goes back to it.
type MemberModel struct {
	common  Common
	session Session
	members *members

	selected int
	busy     bool
	result   result
}

// newMemberModel builds the member panel over the members shared with the other screens.
func newMemberModel(c Common, s Session, ms *members) *MemberModel {
	return &MemberModel{common: c, session: s, members: ms}
}

// open shows the panel afresh.
func (m *MemberModel) open() { m.selected, m.busy, m.result = 0, false, result{} }

// SetSize is the room the screen has, without the help and status bars the root draws.
func (m *MemberModel) SetSize(width, height int) { m.common.Width, m.common.Height = width, height }

// Init starts nothing.
func (m *MemberModel) Init() tea.Cmd { return nil }

// ShortHelp lists the keys of the help bar.
func (m *MemberModel) ShortHelp() []key.Binding {
	k := m.common.KeyMap
	return []key.Binding{k.Consent, k.Detach, k.Back, k.Help}
}

// FullHelp lists every key of the screen, shown after F1.
func (m *MemberModel) FullHelp() [][]key.Binding {
	k := m.common.KeyMap
	return [][]key.Binding{{k.Consent, k.Up, k.Down}, {k.Detach, k.Back, k.Help, k.Quit}}
}

// Update handles a key or the answer to a change of consent.
func (m *MemberModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	l := m.common.Lang
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m, m.key(msg)
	case consentMsg:
		m.busy = false
		if msg.err != nil {
			m.result = result{resultRefused, comptoir.Message(msg.err, l)}
			return m, nil
		}
		if a := m.members.attached; a != nil {
			a.consent = msg.consent
			word := wordWithdrawn
			if msg.consent.Granted(msg.channel) {
				word = wordGiven
			}
			m.result = result{resultOK, wordConsentChange.f(l, msg.channel.Format(l), word.in(l))}
		}
	}
	return m, nil
}

func (m *MemberModel) key(msg tea.KeyMsg) tea.Cmd {
	k := m.common.KeyMap
	a := m.members.attached
	switch {
	case key.Matches(msg, k.Back):
		return cmd(BackToTicketMsg{})
	case a == nil:
		return nil
	case key.Matches(msg, k.Detach):
		return cmd(MemberDetachedMsg{})
	case key.Matches(msg, k.Up):
		m.selected = max(0, m.selected-1)
	case key.Matches(msg, k.Down):
		m.selected = min(len(comptoir.Channels)-1, m.selected+1)
	case key.Matches(msg, k.Consent):
		if m.busy {
			return nil
		}
		ch := comptoir.Channels[m.selected]
		m.busy = true
		return m.members.changeConsent(ch, !a.consent.Granted(ch))
	}
	return nil
}

// MemberDetachedMsg takes the member off the ticket: the sale goes on anonymously.
type MemberDetachedMsg struct{}

// Words of the member panel.
var (
	wordPanel      = text{"Membre · carte %s", "Member · card %s"}
	wordBalance    = text{"Solde", "Balance"}
	wordName       = text{"Nom", "Name"}
	wordEmail      = text{"E-mail", "Email"}
	wordPhone      = text{"Téléphone", "Phone"}
	wordMasked     = text{"données masquées ; le gérant seul peut les afficher", "data masked; only a manager may reveal it"}
	wordConsentFor = text{"Consentement par canal (Entrée : oui ↔ non, en une seule fois)", "Consent per channel (Enter: yes ↔ no, in one step)"}
	wordSince      = text{"depuis le %s, %s, notice %s", "since %s, %s, notice %s"}
	wordNoAnswer   = text{"jamais demandé", "never asked"}
	wordRemoteData = text{"données personnelles au siège seulement ; solde de toute la chaîne",
		"personal data at the head office only; the whole chain's balance"}
	wordFromCentral = text{"d'après la centrale", "as the central says"}
)

// View draws the member, masked, and the consent list.
func (m *MemberModel) View() string {
	c, w, l := m.common, m.common.Width, m.common.Lang
	a := m.members.attached
	if a == nil {
		out := header(c, m.session, text{"Membre", "Member"}.in(l), "")
		return strings.Join(pad(append(out, rule(c.Styles, w, ""), m.result.render(c.Styles, w)), w, c.Height), "\n")
	}
	out := header(c, m.session, wordPanel.f(l, clean(a.card)), c.Styles.Total.Render(wordBalance.in(l)+"  "+points(a.balance, l)+" "+wordPts.in(l)))
	out = append(out, rule(c.Styles, w, ""))
	if a.customer.Remote {
		// A member of another shop: no personal data here, masked or not, only what they are.
		out = append(out, "", fit("  "+wordRemoteMember.in(l), w),
			c.Styles.Faint.Render(fit("  ("+wordRemoteData.in(l)+")", w)), "")
	} else {
		p := a.customer.Personal
		out = append(out, "", fit("  "+wordName.in(l)+sep(l)+a.name(l), w))
		contact := ""
		if p.Email != "" {
			contact += wordEmail.in(l) + sep(l) + clean(p.Email) + "    "
		}
		if p.Phone != "" {
			contact += wordPhone.in(l) + sep(l) + clean(p.Phone)
		}
		if contact != "" {
			out = append(out, fit("  "+contact, w))
		}
		out = append(out, c.Styles.Faint.Render(fit("  ("+wordMasked.in(l)+")", w)), "")
	}
	out = append(out, c.Styles.Header.Render(fit("  "+wordConsentFor.in(l), w)))
	for i, ch := range comptoir.Channels {
		marker := "  "
		if i == m.selected {
			marker = "▸ "
		}
		ev, ok := a.consent[ch]
		detail := wordNoAnswer.in(l)
		switch {
		case ok && ev.At.IsZero():
			// The central's current answer for a member of another shop: it sends no date.
			detail = wordFromCentral.in(l)
		case ok:
			detail = wordSince.f(l, ev.At.Local().Format("2006-01-02"), ev.Via.Format(l), clean(ev.NoticeVersion))
		}
		row := fit("  "+marker+fit(ch.Format(l), 14)+fit(yesNo(a.consent.Granted(ch), l), 6)+c.Styles.Faint.Render(detail), w)
		if i == m.selected {
			row = c.Styles.Selected.Render(row)
		}
		out = append(out, row)
	}
	out = append(out, "", m.result.render(c.Styles, w))
	return strings.Join(pad(out, w, c.Height), "\n")
}

// sep is what follows a label: a space and a colon in French, a colon in English.
func sep(l comptoir.Lang) string {
	if l == comptoir.LangEN {
		return ": "
	}
	return " : "
}

var _ Component = (*MemberModel)(nil)

// wordEnrolled says a customer was enrolled and attached.
var wordEnrolled = text{"membre %s inscrit, carte %s, attaché au ticket", "member %s enrolled, card %s, on the ticket"}

// openMember answers F2 on the ticket: the member panel when a member is attached, otherwise
// the enrolment form, with the unknown card just scanned or the next free card.
func (m *Model) openMember() tea.Cmd {
	if m.members.customers == nil {
		return nil
	}
	if m.members.attached != nil {
		m.member.open()
		m.show(m.member)
		return nil
	}
	c := m.enrol.start(m.members.offer)
	m.show(m.enrol)
	return c
}

// memberSession tells the member screens who works at the register now, for the consent events
// and enrolments they record: whoever changes the session after a login calls it.
func (m *Model) memberSession(s Session) {
	m.members.cashier = s.Cashier
	m.member.session, m.enrol.session = s, s
}
