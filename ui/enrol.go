package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/comptoir/comptoir"
)

// EnrolModel enrols a customer at the counter with a huh form: the information notice first,
// then the name, email and phone, then one explicit yes or no per channel with no answer chosen
// beforehand. huh forms cannot be reset, so a new form is built for each customer; after a
// refusal by the store a new form is built over the same answers, so that nothing typed is lost.
type EnrolModel struct {
	common  Common
	session Session
	members *members

	form *huh.Form
	// answers is what the customer said; the form writes into it through pointers.
	answers *enrolAnswers
	card    string
	shop    comptoir.ShopSettings
	// loading is true while the card and the settings are read, saving while the store enrols.
	loading, saving bool
	result          result
}

// enrolAnswers holds the form's values. Consent answers are consentUnanswered until the customer
// chooses: there is no default, neither yes nor no.
type enrolAnswers struct {
	first, last, email, phone string
	consent                   []int
}

// The answers of a consent question.
const (
	consentUnanswered = iota
	consentYes
	consentNo
)

// enrolReadyMsg brings what the form needs: the card to give and the shop's notice settings.
type enrolReadyMsg struct {
	card string
	shop comptoir.ShopSettings
	err  error
}

// enrolledMsg is the store's answer to the enrolment.
type enrolledMsg struct {
	customer comptoir.Customer
	consent  comptoir.ConsentState
	err      error
}

// newEnrolModel builds the enrolment screen over the members shared with the other screens.
func newEnrolModel(c Common, s Session, ms *members) *EnrolModel {
	return &EnrolModel{common: c, session: s, members: ms}
}

// start opens the form for a new customer, with the card just scanned, or the next free card
// when card is empty. The card and the settings are read in a command.
func (m *EnrolModel) start(card string) tea.Cmd {
	m.form, m.card, m.result, m.saving = nil, card, result{}, false
	m.answers = &enrolAnswers{consent: make([]int, len(comptoir.Channels))}
	m.loading = true
	ms := m.members
	ctx, customers, settings := ms.ctx, ms.customers, ms.settings
	return func() tea.Msg {
		shop := comptoir.DefaultShopSettings()
		if settings != nil {
			s, err := settings.Settings(ctx)
			if err != nil {
				return enrolReadyMsg{err: err}
			}
			shop = s
		}
		if card == "" {
			c, err := customers.NextCard(ctx)
			if err != nil {
				return enrolReadyMsg{err: err}
			}
			card = c
		}
		return enrolReadyMsg{card: card, shop: shop}
	}
}

// SetSize is the room the screen has, without the help and status bars the root draws.
func (m *EnrolModel) SetSize(width, height int) {
	m.common.Width, m.common.Height = width, height
	if m.form != nil {
		m.form = m.form.WithWidth(m.formWidth()).WithHeight(m.formHeight())
	}
}

func (m *EnrolModel) formWidth() int { return max(20, m.common.Width-4) }

// formHeight leaves room for the title, its rule, and the two result rows under the form.
func (m *EnrolModel) formHeight() int {
	return max(5, m.common.Height-len(header(m.common, m.session, "", ""))-4)
}

// Init starts nothing: start does.
func (m *EnrolModel) Init() tea.Cmd { return nil }

// ShortHelp lists the keys of the help bar.
func (m *EnrolModel) ShortHelp() []key.Binding {
	k := m.common.KeyMap
	return []key.Binding{k.Submit, enrolPrev(m.common.Lang), enrolChoose(m.common.Lang), k.Cancel}
}

// FullHelp lists every key of the screen, shown after F1.
func (m *EnrolModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func enrolPrev(l comptoir.Lang) key.Binding {
	return key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp(text{"Maj+Tab", "Shift+Tab"}.in(l), text{"question précédente", "previous question"}.in(l)))
}

func enrolChoose(l comptoir.Lang) key.Binding {
	return key.NewBinding(key.WithKeys("right", "left"), key.WithHelp("→ ←", text{"oui / non", "yes / no"}.in(l)))
}

// Update forwards keys and the form's own messages to the form, and enrols the customer once
// the form is completed.
func (m *EnrolModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	l := m.common.Lang
	switch msg := msg.(type) {
	case enrolReadyMsg:
		m.loading = false
		if msg.err != nil {
			m.result = result{resultRefused, comptoir.Message(msg.err, l)}
			return m, nil
		}
		m.card, m.shop = msg.card, msg.shop
		m.form = m.build(true)
		return m, m.form.Init()
	case enrolledMsg:
		m.saving = false
		if msg.err != nil {
			// Nothing typed is lost: a new form over the same answers, the notice already read.
			m.result = result{resultRefused, comptoir.Message(msg.err, l)}
			m.form = m.build(false)
			return m, m.form.Init()
		}
		return m, cmd(MemberEnrolledMsg{Customer: msg.customer, Card: m.card, Consent: msg.consent})
	case tea.KeyMsg:
		if key.Matches(msg, m.common.KeyMap.Cancel) && !m.saving {
			m.form = nil
			return m, cmd(BackToTicketMsg{})
		}
	}
	if m.form == nil || m.saving {
		return m, nil
	}
	f, c := m.form.Update(msg)
	if form, ok := f.(*huh.Form); ok {
		m.form = form
	}
	if m.form.State == huh.StateCompleted {
		return m, tea.Batch(c, m.enrol())
	}
	return m, c
}

// enrol sends the answers to the store in a command.
func (m *EnrolModel) enrol() tea.Cmd {
	a := m.answers
	e := comptoir.Enrolment{
		Card:          m.card,
		Personal:      comptoir.Personal{FirstName: a.first, LastName: a.last, Email: strings.TrimSpace(a.email), Phone: strings.TrimSpace(a.phone)},
		Consent:       map[comptoir.Channel]bool{},
		NoticeVersion: m.shop.NoticeVersion,
		Via:           comptoir.ViaRegister,
		By:            m.session.Cashier,
	}
	for i, ch := range comptoir.Channels {
		switch a.consent[i] {
		case consentYes:
			e.Consent[ch] = true
		case consentNo:
			e.Consent[ch] = false
		}
	}
	m.saving = true
	ms := m.members
	ctx, customers := ms.ctx, ms.customers
	return func() tea.Msg {
		c, err := customers.Enroll(ctx, e)
		if err != nil {
			return enrolledMsg{err: err}
		}
		c.Personal = c.Personal.Mask()
		events, err := customers.ConsentHistory(ctx, c.ID)
		if err != nil {
			return enrolledMsg{err: err}
		}
		return enrolledMsg{customer: c, consent: comptoir.DeriveConsent(events)}
	}
}

// MemberEnrolledMsg says a customer was enrolled at the counter: they are attached to the ticket.
type MemberEnrolledMsg struct {
	Customer comptoir.Customer
	Card     string
	Consent  comptoir.ConsentState
}

// Words of the enrolment form.
var (
	wordEnrol       = text{"Inscription au programme de fidélité · carte %s", "Loyalty programme enrolment · card %s"}
	wordEnrolWait   = text{"Préparation du formulaire…", "Preparing the form…"}
	wordEnrolSaving = text{"Inscription en cours…", "Enrolling…"}
	wordNoticeTitle = text{"Notice d'information (version %s) : lisez-la au client", "Information notice (version %s): read it to the customer"}
	wordNotice      = text{
		"Responsable : %s.\n" +
			"Finalités : tenir vos points et remises ; vous écrire seulement par les canaux que vous acceptez ensuite.\n" +
			"Base légale : le contrat du programme ; votre consentement pour chaque canal.\n" +
			"Conservation : %d ans après votre dernier passage en caisse, puis effacement.\n" +
			"Vos droits : accès, rectification, effacement, limitation, opposition, portabilité ; retrait du consentement à tout moment, en caisse, en une fois.\n" +
			"Contact : %s. Réclamation possible auprès de la CNIL.",
		"Controller: %s.\n" +
			"Purposes: keep your points and discounts; write to you only through the channels you accept next.\n" +
			"Lawful basis: the programme's contract; your consent for each channel.\n" +
			"Retention: %d years after your last visit to the till, then erasure.\n" +
			"Your rights: access, rectification, erasure, restriction, objection, portability; consent withdrawn at any time, at the till, in one step.\n" +
			"Contact: %s. You may complain to the CNIL (French data protection authority).",
	}
	wordNoticeNext = text{"Lu au client", "Read to the customer"}
	wordFirstName  = text{"Prénom", "First name"}
	wordLastName   = text{"Nom", "Last name"}
	wordEmailOpt   = text{"E-mail (facultatif)", "Email (optional)"}
	wordPhoneOpt   = text{"Téléphone (facultatif)", "Phone (optional)"}
	// consentQuestions asks for each channel's consent as a customer understands it.
	consentQuestions = map[comptoir.Channel]text{
		comptoir.ChannelEmail:    {"Accepte de recevoir nos offres par e-mail ?", "Agrees to receive our offers by email?"},
		comptoir.ChannelSMS:      {"Accepte de recevoir nos offres par SMS ?", "Agrees to receive our offers by SMS?"},
		comptoir.ChannelPhone:    {"Accepte d'être appelé au téléphone ?", "Agrees to be called on the phone?"},
		comptoir.ChannelPost:     {"Accepte de recevoir nos offres par courrier ?", "Agrees to receive our offers by post?"},
		comptoir.ChannelPartners: {"Accepte que ses coordonnées soient confiées à nos partenaires ?", "Agrees to have their details passed to our partners?"},
	}
	wordChoose      = text{"— à choisir avec le client —", "— ask the customer —"}
	wordConsentHint = text{"Aucune réponse n'est choisie d'avance : → oui, ← non, puis Entrée.", "No answer is chosen beforehand: → yes, ← no, then Enter."}
	wordAtTheTill   = text{"le magasin, à la caisse", "the shop, at the till"}
)

// build makes a new form over the answers; withNotice puts the information notice first.
func (m *EnrolModel) build(withNotice bool) *huh.Form {
	l, a, shop := m.common.Lang, m.answers, m.shop
	var groups []*huh.Group
	if withNotice {
		controller := shop.Controller
		if controller == "" {
			controller = shop.Name
		}
		contact := shop.Contact
		if contact == "" {
			contact = wordAtTheTill.in(l)
		}
		// The notice is the group's description, which huh shows as it is, rather than a note's,
		// which it reads as markdown.
		notice := wordNotice.f(l, clean(controller), comptoir.DefaultRetentionYears, clean(contact))
		groups = append(groups, huh.NewGroup(huh.NewNote().Next(true).NextLabel(wordNoticeNext.in(l))).
			Title(wordNoticeTitle.f(l, clean(shop.NoticeVersion))).
			Description(notice+"\n"))
	}
	name := func(s string) error {
		_, err := comptoir.NormalizePersonal(comptoir.Personal{FirstName: s, LastName: s})
		return shown(err, l)
	}
	groups = append(groups, huh.NewGroup(
		huh.NewInput().Title(wordFirstName.in(l)).Value(&a.first).CharLimit(60).Validate(name),
		huh.NewInput().Title(wordLastName.in(l)).Value(&a.last).CharLimit(60).Validate(name),
		huh.NewInput().Title(wordEmailOpt.in(l)).Value(&a.email).CharLimit(254).Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return nil
			}
			_, err := comptoir.NormalizeEmail(s)
			return shown(err, l)
		}),
		huh.NewInput().Title(wordPhoneOpt.in(l)).Value(&a.phone).CharLimit(32).Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return nil
			}
			_, err := comptoir.NormalizePhone(s)
			return shown(err, l)
		}),
	))
	var questions []huh.Field
	for i, ch := range comptoir.Channels {
		questions = append(questions, huh.NewSelect[int]().
			Title(consentQuestions[ch].in(l)).
			Options(huh.NewOption(wordChoose.in(l), consentUnanswered), huh.NewOption(wordYes.in(l), consentYes), huh.NewOption(wordNo.in(l), consentNo)).
			Inline(true).
			Value(&a.consent[i]).
			Validate(func(v int) error {
				if v == consentUnanswered {
					return shown(comptoir.E(comptoir.CodeConsentMissing, ch), l)
				}
				return nil
			}))
	}
	groups = append(groups, huh.NewGroup(questions...).Description(wordConsentHint.in(l)))

	km := huh.NewDefaultKeyMap()
	// The root model owns Ctrl+C (quit, after a confirmation) and Esc (cancel the enrolment).
	km.Quit.SetEnabled(false)
	km.Select.Filter.SetEnabled(false)
	// Only ← and → change an answer: ↑ ↓ and the g/G jumps would choose one for a cashier who
	// meant to move, and the select goes round, so that from no answer → is yes and ← is no.
	for _, b := range []*key.Binding{&km.Select.Up, &km.Select.Down, &km.Select.HalfPageUp, &km.Select.HalfPageDown,
		&km.Select.GotoTop, &km.Select.GotoBottom} {
		b.SetEnabled(false)
	}
	theme := huh.ThemeBase()
	theme.FieldSeparator = theme.FieldSeparator.SetString("\n")
	return huh.NewForm(groups...).
		WithTheme(theme).
		WithKeyMap(km).
		WithShowHelp(false).
		WithShowErrors(false).
		WithWidth(m.formWidth()).
		WithHeight(m.formHeight())
}

// localized is a refusal shown by the form, which prints errors with Error(): it says the
// refusal in the screen's language.
type localized struct {
	err error
	l   comptoir.Lang
}

func (e localized) Error() string { return comptoir.Message(e.err, e.l) }
func (e localized) Unwrap() error { return e.err }

func shown(err error, l comptoir.Lang) error {
	if err == nil {
		return nil
	}
	return localized{err, l}
}

// View draws the title with the card, the form, and the last result under it.
func (m *EnrolModel) View() string {
	c, w, l := m.common, m.common.Width, m.common.Lang
	out := header(c, m.session, wordEnrol.f(l, clean(m.card)), "")
	out = append(out, rule(c.Styles, w, ""))
	switch {
	case m.saving:
		out = append(out, "", fit("  "+wordEnrolSaving.in(l), w))
	case m.loading:
		out = append(out, "", fit("  "+wordEnrolWait.in(l), w))
	case m.form != nil:
		for _, row := range strings.Split(m.form.View(), "\n") {
			out = append(out, fit("  "+row, w))
		}
	}
	res := m.result
	if m.form != nil && !m.saving {
		// The form's refusals are said under it, in words, as on every screen.
		if errs := m.form.Errors(); len(errs) > 0 {
			res = result{resultRefused, errs[0].Error()}
		}
	}
	// The result has two rows: a refusal's reason is read in full.
	rows := res.rows(c.Styles, w, 2)
	for len(rows) < 2 {
		rows = append(rows, strings.Repeat(" ", w))
	}
	return strings.Join(append(pad(out, w, c.Height-2), rows...), "\n")
}

var _ Component = (*EnrolModel)(nil)
