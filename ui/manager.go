package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// maxManagerInput bounds what the manager screen's input holds: a file path, a setting's value.
const maxManagerInput = 512

// ManagerServices are the services the manager screen calls, each only in a command.
type ManagerServices struct {
	Catalog  comptoir.CatalogService
	Sales    comptoir.SaleService
	Closing  comptoir.ClosingService
	Journal  comptoir.JournalVerifier
	Settings comptoir.SettingsService
	Users    comptoir.UserService
	// Customers serves the members' rights.
	Customers comptoir.CustomerService
	// GDPR serves the block list, the retention purge and the audit trail.
	GDPR comptoir.GDPRService
	// Printer prints the X and Z reports; nil when the register has no printer.
	Printer ReceiptPrinter
	// Till counts the day's voided lines and abandoned tickets for the reports.
	Till comptoir.TillAudit
	// SyncNow asks the background sync for a run at once; nil when no central is configured.
	SyncNow func()
	// Keys names the signing key on closed reports and in the journal's check; nil shows none.
	Keys comptoir.KeyService
	// TechLog lists the technical event log and records the training mode's switches; nil
	// leaves the log's view out.
	TechLog comptoir.TechLog
	// Archives exports a closed period's fiscal archive into ArchiveDir; nil leaves the export
	// out, in words.
	Archives   comptoir.ArchiveService
	ArchiveDir string
}

// managerMode is what the manager screen shows: the PIN prompt, the menu, or one task.
type managerMode int

const (
	mgrPIN managerMode = iota
	mgrMenu
	// mgrText shows lines to read and scroll: a report, a closing, the journal's verification.
	mgrText
	mgrConfirmZ
	mgrPeriod
	mgrImport
	mgrSettings
	mgrUsers
	mgrRefund
	mgrMembers
	// mgrBlock asks for the email to block; mgrPurge shows the purge's dry run to confirm.
	mgrBlock
	mgrPurge
	// mgrArchive asks for the closed period whose fiscal archive to export.
	mgrArchive
)

// userStep is where the users list is in adding a user, disabling one or setting a PIN.
type userStep int

const (
	userList userStep = iota
	userAddID
	userAddRole
	userAddPIN
	userNewPIN
	userConfirmDisable
)

// ManagerModel is the manager screen: the day's reports and closings, the journal's check,
// training mode, refunds, the catalogue import, the users and the shop's settings. When a
// cashier is logged in it first asks for a manager's ID and PIN, and that manager is who acts.
type ManagerModel struct {
	// ticketOpen is set by the root model when the sale screen holds lines: the Z close waits
	// for that ticket to be paid or emptied.
	ticketOpen bool
	common     Common
	ctx        context.Context
	session    Session
	svc        ManagerServices
	now        func() time.Time
	loc        *time.Location
	sync       SyncState

	mode managerMode
	// actor is the manager who acts; prompted is set when they gave their PIN at the prompt,
	// so that leaving the screen logs them out and the next visit asks again.
	actor    string
	prompted bool
	input    field
	// pinID is the ID typed at the prompt while the PIN is asked. A manager whose PIN someone
	// else chose must choose their own first: changing is then set, oldPIN holds the PIN just
	// typed (a new one must differ) and newPIN the new one until it is typed again.
	pinID    string
	changing bool
	oldPIN   string
	newPIN   string
	result   result
	// busy is set while a command runs, so that a key pressed twice does not close twice.
	busy bool
	// check counts the visits of the screen: leaving it, or opening it again, starts a new one.
	// A command's answer carries the visit it was started in (managerAnswer): the answer of a PIN
	// check made in an earlier visit is abandoned, a login it recorded getting its logout at
	// once, since nobody is left to act as that manager; and no earlier answer (a report, a PIN
	// changed) may show anything to whoever now stands at the PIN prompt.
	check int

	// title and lines are the text shown in mgrText, offset its first row on screen.
	title  string
	lines  []string
	offset int
	// z is the Z close waiting for confirmation.
	z zState

	settings comptoir.ShopSettings
	keys     []string
	selected int

	users   []comptoir.User
	step    userStep
	newUser comptoir.NewUser

	refund refundState
	member memberState

	// printable is set while the text shown is a report or a closing, which F2 prints.
	printable  bool
	purgeState purgeState
	// tech records the logouts of the managers who gave their PIN at the prompt.
	tech techLog
}

// refundState is a refund being prepared: the ticket, what may still be refunded of each line
// and what the manager chose to refund.
type refundState struct {
	sale      *comptoir.Sale
	remaining []int64
	chosen    []int64
	// quote is the refund ticket as it would be recorded, once F3 asked for it.
	quote *comptoir.Sale
}

// managerMsg marks the messages of the manager screen's commands: the root model hands them to
// the manager screen whichever screen is in front, so that an answer arriving after Esc never
// lands on the sale.
type managerMsg interface{ forManager() }

type (
	// managerAuthMsg is the answer of a PIN check: the user, or why not.
	managerAuthMsg struct {
		user comptoir.User
		err  error
	}
	// managerAnswer is the answer of a command started in the visit check of the screen.
	managerAnswer struct {
		msg   managerMsg
		check int
	}
	managerErrMsg    struct{ err error }
	managerLoggedOut struct{ err error }
	managerReportMsg struct {
		rep comptoir.PeriodReport
		// close asks to confirm the Z close of the day the report shows.
		close bool
		// till is the day's voided lines and abandoned tickets; nil when unknown.
		till *comptoir.TillCounts
		// key is the signing key a closed period's report names; zero when unknown.
		key comptoir.KeyInfo
	}
	managerClosedMsg struct {
		closing comptoir.Closing
		till    *comptoir.TillCounts
		key     comptoir.KeyInfo
	}
	managerVerifyMsg struct {
		rep comptoir.VerifyReport
		key comptoir.KeyInfo
	}
	managerImportMsg   struct{ n int }
	managerSettingsMsg struct {
		settings comptoir.ShopSettings
		changed  string
	}
	managerUsersMsg struct {
		users []comptoir.User
		done  string
		// pinOf is the user whose PIN was just set, if any.
		pinOf string
	}
	managerRefundMsg struct {
		sale    comptoir.Sale
		earlier []comptoir.Sale
	}
	managerQuoteMsg struct{ quote comptoir.Sale }
	// managerPINChangedMsg says the manager at the prompt, id, chose their own PIN.
	managerPINChangedMsg struct{ id string }
	managerRefundedMsg   struct{ sale comptoir.Sale }
)

func (managerAuthMsg) forManager()       {}
func (managerAnswer) forManager()        {}
func (managerErrMsg) forManager()        {}
func (managerLoggedOut) forManager()     {}
func (managerReportMsg) forManager()     {}
func (managerClosedMsg) forManager()     {}
func (managerVerifyMsg) forManager()     {}
func (managerImportMsg) forManager()     {}
func (managerSettingsMsg) forManager()   {}
func (managerUsersMsg) forManager()      {}
func (managerRefundMsg) forManager()     {}
func (managerQuoteMsg) forManager()      {}
func (managerPINChangedMsg) forManager() {}
func (managerRefundedMsg) forManager()   {}

// LeaveManagerMsg returns from the manager screen to the sale.
type LeaveManagerMsg struct{}

// TrainingMsg asks the root model to turn training mode on or off. The root refuses while a
// ticket is open, since its lines would change mode half-way, and then hands the manager screen
// an ErrorMsg.
type TrainingMsg struct{ On bool }

// NewManagerModel builds the manager screen. A nil now is time.Now, a nil loc time.Local.
func NewManagerModel(ctx context.Context, c Common, s Session, svc ManagerServices, now func() time.Time, loc *time.Location) *ManagerModel {
	if now == nil {
		now = time.Now
	}
	if loc == nil {
		loc = time.Local
	}
	m := &ManagerModel{common: c, ctx: ctx, session: s, svc: svc, now: now, loc: loc, tech: techLog{ctx: ctx, log: svc.TechLog}}
	// File paths and settings (an address, the legal mentions) are longer than codes.
	m.input.limit = maxManagerInput
	return m
}

// Open shows the screen from the sale: the menu at once for a logged-in manager (or a register
// without users), the manager PIN prompt for a cashier.
func (m *ManagerModel) Open(s Session, sync SyncState) {
	m.session, m.sync = s, sync
	// busy is cleared below although a command may still run: a PIN check's answer is then
	// abandoned (check), and any other answer is shown wherever the screen is, as after Esc.
	m.check++
	m.input.take()
	m.result, m.busy, m.prompted = result{}, false, false
	if s.Role == comptoir.RoleManager || m.svc.Users == nil {
		m.actor = s.UserID
		if m.actor == "" {
			m.actor = s.Cashier
		}
		m.mode = mgrMenu
		return
	}
	m.actor, m.pinID, m.changing, m.oldPIN, m.newPIN = "", "", false, "", ""
	m.mode = mgrPIN
	m.result = result{resultInfo, wordManagerOnly.in(m.common.Lang)}
}

// SetTraining records the training mode the root model switched to.
func (m *ManagerModel) SetTraining(on bool) {
	m.session.Training = on
	m.result = result{resultOK, wordTrainingState.f(m.common.Lang, onOff(on, m.common.Lang))}
}

// SetSize is the room the screen has, without the help and status bars the root draws.
func (m *ManagerModel) SetSize(width, height int) {
	m.common.Width, m.common.Height = width, height
	m.offset = max(0, min(m.offset, len(m.lines)-m.bodyRows()))
}

// Init starts nothing.
func (m *ManagerModel) Init() tea.Cmd { return nil }

// ShortHelp lists the keys of the help bar for what the screen shows.
func (m *ManagerModel) ShortHelp() []key.Binding {
	k := m.common.KeyMap
	switch m.mode {
	case mgrMenu:
		return []key.Binding{k.XReport, k.ZClose, k.Leave, k.Help}
	case mgrPIN, mgrPeriod, mgrImport, mgrArchive:
		return []key.Binding{k.Confirm, k.Leave, k.Help}
	case mgrConfirmZ:
		if m.z.counting {
			return []key.Binding{k.Confirm, k.Cancel}
		}
		return []key.Binding{k.Confirm, k.Count, k.Cancel}
	case mgrText:
		if m.printable {
			// ↑ gives way to F2 so that Esc stays in sight at 80 columns; the full help has it.
			return []key.Binding{k.PrintReport, k.Down, k.PageDown, k.Leave}
		}
		return []key.Binding{k.Up, k.Down, k.PageDown, k.Leave}
	case mgrBlock:
		return []key.Binding{k.Confirm, k.Leave, k.Help}
	case mgrPurge:
		return []key.Binding{k.Confirm, k.Down, k.PageDown, k.Cancel}
	case mgrSettings:
		return []key.Binding{k.Confirm, k.Clear, k.Leave}
	case mgrUsers:
		if m.step != userList {
			return []key.Binding{k.Confirm, k.Cancel}
		}
		return []key.Binding{k.UserAdd, k.UserDisable, k.UserPIN, k.Leave}
	case mgrMembers:
		switch m.member.step {
		case memberShown:
			return []key.Binding{k.MemberReveal, k.MemberExport, k.MemberErase, k.MemberStop, k.MemberResume, k.Leave}
		case memberCard:
			return []key.Binding{k.Confirm, k.Leave}
		}
		return []key.Binding{k.Confirm, k.Cancel}
	case mgrRefund:
		if m.refund.quote != nil {
			return []key.Binding{k.Confirm, k.Cancel}
		}
		if m.refund.sale != nil {
			return []key.Binding{k.RefundAll, k.RefundDo, k.Leave}
		}
		return []key.Binding{k.Confirm, k.Leave}
	}
	return []key.Binding{k.Leave, k.Help}
}

// FullHelp lists every key of the screen, shown after F1.
func (m *ManagerModel) FullHelp() [][]key.Binding {
	k := m.common.KeyMap
	if m.mode == mgrMenu {
		return [][]key.Binding{{k.XReport, k.ZClose, k.PeriodClose, k.Verify, k.Training}, {k.Refund, k.Import, k.Users, k.Settings, k.Members, k.Leave}, {k.Block, k.Purge, k.AuditTrail, k.TechEvents, k.Archive, k.SyncNow}}
	}
	if m.mode == mgrText || m.mode == mgrPurge {
		return [][]key.Binding{m.ShortHelp(), {k.Up, k.PageUp}, {k.Help, k.Quit}}
	}
	return [][]key.Binding{m.ShortHelp(), {k.Erase, k.Help, k.Quit}}
}

// Update handles a key or the answer of a command.
func (m *ManagerModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	l := m.common.Lang
	if a, ok := msg.(managerAnswer); ok {
		if a.check != m.check {
			if auth, ok := a.msg.(managerAuthMsg); ok {
				// The prompt was left while its check ran: the answer changes nothing on the
				// screen (it ends none of the commands run since), but a login must not stay
				// without its logout.
				if auth.err == nil {
					return m, m.logout(auth.user.ID, whyPromptLeft)
				}
				return m, nil
			}
			if m.mode == mgrPIN {
				// A cashier stands at a new prompt: what a manager asked for before is not theirs
				// to see, and must not open the menu for them.
				return m, nil
			}
		}
		msg = a.msg
	}
	if _, ok := msg.(managerMsg); ok {
		// A logout runs beside the screen's own commands, so its answer ends none of them.
		if _, logout := msg.(managerLoggedOut); !logout {
			m.busy = false
		}
	}
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m, m.key(msg)
	case ErrorMsg:
		m.refuse(msg.Err)
	case managerErrMsg:
		m.refuse(msg.err)
		switch {
		case m.mode == mgrPIN && m.changing:
			m.newPIN = ""
		case m.mode == mgrPIN:
			m.pinID, m.oldPIN = "", ""
		}
	case managerLoggedOut:
		if msg.err != nil {
			m.refuse(msg.err)
		}
	case managerAuthMsg:
		if msg.err != nil {
			m.pinID, m.oldPIN = "", ""
			m.refuse(msg.err)
			return m, nil
		}
		if !msg.user.IsManager() {
			m.pinID, m.oldPIN = "", ""
			m.refuse(comptoir.E(comptoir.CodeManagerOnly, wordManagerScreen.in(l), msg.user.ID))
			// Another cashier's PIN was right: the check recorded their login, so their logout
			// is recorded at once, as they act as nobody here. (The cashier at the register is
			// refused before any check, as the ID is typed.)
			return m, m.logout(msg.user.ID, whyNotManager)
		}
		// The manager is logged in from here: leaving the screen logs them out.
		m.actor, m.prompted = msg.user.ID, true
		if msg.user.MustChangePIN {
			m.changing = true
			m.result = result{resultInfo, text{"%s : choisissez votre propre code PIN (4 à 8 chiffres), puis Entrée", "%s: choose your own PIN (4 to 8 digits), then Enter"}.f(l, msg.user.ID)}
			return m, nil
		}
		m.oldPIN, m.mode = "", mgrMenu
		m.result = result{resultOK, text{"%s agit comme gérant", "%s acts as manager"}.f(l, msg.user.ID)}
	case managerPINChangedMsg:
		m.changing, m.oldPIN, m.newPIN, m.mode = false, "", "", mgrMenu
		m.result = result{resultOK, text{"code PIN de %s changé ; %s agit comme gérant", "%s's PIN changed; %s acts as manager"}.f(l, m.actor, m.actor)}
	case managerReportMsg:
		m.showText(text{"Rapport du jour", "Today's report"}.in(l), append(reportLines(msg.rep, m.session.Register, msg.key, m.loc, l), tillLines(msg.till, l)...))
		m.printable = true
		m.result = result{}
		if msg.close && !msg.rep.Closed {
			// The manager sees what the Z seals before sealing it.
			m.startZ(msg.rep, msg.key)
		}
	case managerClosedMsg:
		m.showText(text{"Clôture", "Closing"}.in(l), append(closingLines(msg.closing, msg.key, m.loc, l), tillLines(msg.till, l)...))
		m.printable = true
		m.result = result{resultOK, text{"%s : clôture n° %d enregistrée dans le journal", "%s closed: closing no. %d recorded in the journal"}.f(l, periodName(msg.closing.Period, l), msg.closing.Number)}
	case managerVerifyMsg:
		m.showVerify(msg.rep, msg.key)
		// Every verification run is a technical event, with its result (NF525).
		return m, m.tech.cmd(comptoir.TechVerify, m.actor, msg.rep.Outcome())
	case managerTechMsg:
		m.showTech(msg)
	case managerArchiveAskMsg:
		m.askArchive(msg.period)
	case managerArchivedMsg:
		m.showArchived(msg)
	case managerImportMsg:
		m.mode = mgrMenu
		m.result = result{resultOK, text{"%d article(s) importé(s) dans le catalogue", "%d product(s) imported into the catalogue"}.f(l, msg.n)}
	case managerSettingsMsg:
		m.settings, m.keys, m.mode = msg.settings, comptoir.SettingKeys(), mgrSettings
		m.selected = min(m.selected, len(m.keys)-1)
		m.result = result{resultInfo, text{"choisissez un réglage (↑↓), tapez sa nouvelle valeur, puis Entrée", "pick a setting (↑↓), type its new value, then Enter"}.in(l)}
		switch v := clean(msg.settings.Get(msg.changed)); {
		case msg.changed == "":
		case v == "":
			m.result = result{resultOK, text{"%s : effacé, plus rien n'est réglé", "%s: cleared, nothing set"}.f(l, comptoir.SettingLabel(msg.changed, l))}
		default:
			m.result = result{resultOK, text{"%s : « %s »", "%s: %q"}.f(l, comptoir.SettingLabel(msg.changed, l), v)}
		}
	case managerUsersMsg:
		m.users, m.mode, m.step = msg.users, mgrUsers, userList
		m.selected = max(0, min(m.selected, len(m.users)-1))
		m.result = result{}
		if msg.done != "" {
			m.result = result{resultOK, msg.done}
		}
	case managerRefundMsg:
		m.startRefund(msg.sale, msg.earlier)
	case managerMemberMsg:
		c := msg.customer
		m.member = memberState{step: memberShown, customer: &c, revealed: msg.revealed}
		m.result = result{resultInfo, text{"données masquées ; F2 les révèle, et la révélation est inscrite au journal d'audit", "data masked; F2 reveals it, and the reveal is written in the audit trail"}.in(l)}
		if msg.done != "" {
			m.result = result{resultOK, msg.done}
		}
	case managerQuoteMsg:
		m.refund.quote = &msg.quote
		m.result = result{resultInfo, text{"rembourser %s en espèces ? Entrée confirme · Échap annule", "pay back %s in cash? Enter confirms · Esc cancels"}.f(l, (-msg.quote.Total).Format(l))}
	case managerBlockedMsg, managerPurgeMsg, managerAuditMsg, managerPrintedMsg:
		m.gdprAnswer(msg)
	case managerRefundedMsg:
		m.refund = refundState{}
		m.mode = mgrMenu
		m.result = result{resultOK, text{"remboursement enregistré : ticket n° %d, %s rendus en espèces", "refund recorded: ticket no. %d, %s paid back in cash"}.f(l, msg.sale.Number, (-msg.sale.Total).Format(l))}
	}
	return m, nil
}

func (m *ManagerModel) key(msg tea.KeyMsg) tea.Cmd {
	k := m.common.KeyMap
	if m.busy {
		// Only Esc answers while a command runs; its answer is then shown wherever the screen is.
		if key.Matches(msg, k.Leave) {
			return m.leave()
		}
		return nil
	}
	typing := msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace
	if typing && m.takesInput() {
		var cmds []tea.Cmd
		for _, line := range m.input.typed(msg) {
			cmds = append(cmds, m.submit(line))
		}
		return tea.Batch(cmds...)
	}
	if key.Matches(msg, k.Erase) {
		m.input.erase()
		return nil
	}
	switch m.mode {
	case mgrPIN:
		if key.Matches(msg, k.Leave) {
			return m.leave()
		}
		if key.Matches(msg, k.Confirm) {
			return m.submit(m.input.take())
		}
	case mgrMenu:
		return m.menuKey(msg)
	case mgrConfirmZ:
		return m.zKey(msg)
	case mgrPurge:
		return m.purgeKey(msg)
	case mgrText:
		switch {
		case m.printable && key.Matches(msg, k.PrintReport):
			return m.printReport()
		case key.Matches(msg, k.Up):
			m.scrollBy(-1)
		case key.Matches(msg, k.Down):
			m.scrollBy(1)
		case key.Matches(msg, k.PageUp):
			m.scrollBy(-m.bodyRows())
		case key.Matches(msg, k.PageDown):
			m.scrollBy(m.bodyRows())
		case key.Matches(msg, k.Leave):
			m.mode = mgrMenu
		}
	case mgrPeriod, mgrImport, mgrBlock, mgrArchive:
		switch {
		case key.Matches(msg, k.Confirm):
			return m.submit(m.input.take())
		case key.Matches(msg, k.Leave):
			m.toMenu()
		}
	case mgrSettings:
		switch {
		case key.Matches(msg, k.Up):
			m.selected = max(0, m.selected-1)
		case key.Matches(msg, k.Down):
			m.selected = min(len(m.keys)-1, m.selected+1)
		case key.Matches(msg, k.Clear) && len(m.keys) > 0:
			return m.setSetting("")
		case key.Matches(msg, k.Confirm):
			return m.submit(m.input.take())
		case key.Matches(msg, k.Leave):
			m.toMenu()
		}
	case mgrUsers:
		return m.usersKey(msg)
	case mgrRefund:
		return m.refundKey(msg)
	case mgrMembers:
		return m.membersKey(msg)
	}
	return nil
}

// takesInput reports whether typed characters go to the input on what the screen shows.
func (m *ManagerModel) takesInput() bool {
	switch m.mode {
	case mgrPIN, mgrPeriod, mgrImport, mgrSettings, mgrBlock, mgrArchive:
		return true
	case mgrUsers:
		return m.step != userList && m.step != userConfirmDisable
	case mgrRefund:
		return m.refund.quote == nil
	case mgrMembers:
		return m.member.step == memberCard || m.member.step == memberExportPath
	case mgrConfirmZ:
		return m.z.counting
	}
	return false
}

func (m *ManagerModel) menuKey(msg tea.KeyMsg) tea.Cmd {
	k, l := m.common.KeyMap, m.common.Lang
	// A program that starts the register without a service leaves its actions out, in words.
	missing := map[*key.Binding]bool{
		&k.XReport: m.svc.Closing == nil, &k.ZClose: m.svc.Closing == nil, &k.PeriodClose: m.svc.Closing == nil,
		&k.Verify: m.svc.Journal == nil, &k.Refund: m.svc.Sales == nil, &k.Import: m.svc.Catalog == nil,
		&k.Users: m.svc.Users == nil, &k.Settings: m.svc.Settings == nil, &k.Members: m.svc.Customers == nil,
		&k.Block: m.svc.GDPR == nil, &k.Purge: m.svc.GDPR == nil, &k.AuditTrail: m.svc.GDPR == nil,
		&k.TechEvents: m.svc.TechLog == nil, &k.Archive: m.svc.Archives == nil,
	}
	for b, gone := range missing {
		if gone && key.Matches(msg, *b) {
			m.refuse(comptoir.E(comptoir.CodeActionUnavailable, b.Help().Desc))
			return nil
		}
	}
	switch {
	case key.Matches(msg, k.Leave):
		return m.leave()
	case key.Matches(msg, k.XReport):
		return m.report(false)
	case key.Matches(msg, k.ZClose):
		if m.ticketOpen {
			// Once the day is sealed the open ticket could never be paid: the store refuses
			// tickets in a closed day.
			m.refuse(comptoir.E(comptoir.CodeZCloseTicketOpen))
			return nil
		}
		// The day's report comes first; a day already closed shows its Z report.
		return m.report(true)
	case key.Matches(msg, k.PeriodClose):
		m.mode = mgrPeriod
		m.result = result{resultInfo, text{"tapez le mois (AAAA-MM) ou l'année (AAAA) à clôturer, puis Entrée", "type the month (YYYY-MM) or the year (YYYY) to close, then Enter"}.in(l)}
	case key.Matches(msg, k.Verify):
		return m.run(func(ctx context.Context) tea.Msg {
			rep, err := m.svc.Journal.Verify(ctx)
			if err != nil {
				return managerErrMsg{err}
			}
			return managerVerifyMsg{rep: rep, key: m.signingKey(ctx)}
		})
	case key.Matches(msg, k.Training):
		return cmd(TrainingMsg{On: !m.session.Training})
	case key.Matches(msg, k.Refund):
		m.mode, m.refund = mgrRefund, refundState{}
		m.result = result{resultInfo, text{"tapez le numéro du ticket à rembourser, puis Entrée", "type the number of the ticket to refund, then Enter"}.in(l)}
	case key.Matches(msg, k.Import):
		m.mode = mgrImport
		m.result = result{resultInfo, text{"tapez le chemin du fichier CSV (code;libellé;prix;tva), puis Entrée", "type the path of the CSV file (code;label;price;vat), then Enter"}.in(l)}
	case key.Matches(msg, k.Users):
		m.selected = 0
		return m.loadUsers("")
	case key.Matches(msg, k.Settings):
		m.selected = 0
		return m.loadSettings("")
	case key.Matches(msg, k.Members):
		m.openMembers()
	case key.Matches(msg, k.Block):
		m.startBlock()
	case key.Matches(msg, k.Purge):
		// The dry run comes first: the manager reads who would be erased before confirming.
		return m.purge(m.purgeCutoff(), true)
	case key.Matches(msg, k.AuditTrail):
		return m.loadAudit()
	case key.Matches(msg, k.TechEvents):
		return m.loadTech()
	case key.Matches(msg, k.Archive):
		return m.startArchive()
	case key.Matches(msg, k.SyncNow):
		if m.svc.SyncNow == nil {
			m.refuse(comptoir.E(comptoir.CodeNoCentral))
			return nil
		}
		// The run goes on in the background loop; its state comes back as a SyncStateMsg.
		m.svc.SyncNow()
		m.sync.Running = true
		m.result = result{resultInfo, text{"synchronisation demandée", "sync asked for"}.in(l)}
	}
	return nil
}

// SetSync updates the sync's state the menu shows.
func (m *ManagerModel) SetSync(s SyncState) { m.sync = s }

// submit handles a line ended by Enter in what the screen shows.
func (m *ManagerModel) submit(line string) tea.Cmd {
	l := m.common.Lang
	switch m.mode {
	case mgrPIN:
		if m.pinID == "" {
			id, err := comptoir.ParseUserID(line)
			if err != nil {
				m.refuse(err)
				return nil
			}
			if self := m.sessionUser(); self != "" && id == self {
				// The cashier at the register is no manager, and is logged in already: checking
				// their PIN would record a login and a logout while they go on selling.
				m.refuse(comptoir.E(comptoir.CodeManagerOnly, wordManagerScreen.in(l), id))
				return nil
			}
			m.pinID = id
			m.result = result{resultInfo, text{"code PIN de %s, puis Entrée", "%s's PIN, then Enter"}.f(l, id)}
			return nil
		}
		if m.changing {
			return m.choosePIN(line)
		}
		id := m.pinID
		m.oldPIN = line
		return m.run(func(ctx context.Context) tea.Msg {
			u, err := m.svc.Users.Authenticate(ctx, id, line)
			return managerAuthMsg{user: u, err: err}
		})
	case mgrPeriod:
		period := strings.TrimSpace(line)
		if kind, err := comptoir.ParsePeriod(period); err != nil || kind == comptoir.DayClosing {
			m.refuse(comptoir.E(comptoir.CodeInvalidPeriod, period))
			return nil
		}
		return m.closePeriod(period)
	case mgrImport:
		path := strings.TrimSpace(line)
		if path == "" {
			return nil
		}
		return m.run(func(ctx context.Context) tea.Msg {
			n, err := importCatalog(ctx, m.svc.Catalog, path)
			if err != nil {
				return managerErrMsg{err}
			}
			return managerImportMsg{n}
		})
	case mgrSettings:
		if len(m.keys) == 0 {
			return nil
		}
		if strings.TrimSpace(line) == "" {
			// An Enter pressed by mistake must not clear a setting: Del does that, on purpose.
			m.result = result{resultInfo, text{"tapez la nouvelle valeur, puis Entrée (Suppr efface le réglage)", "type the new value, then Enter (Del clears the setting)"}.in(l)}
			return nil
		}
		return m.setSetting(line)
	case mgrUsers:
		return m.userSubmit(line)
	case mgrRefund:
		return m.refundSubmit(line)
	case mgrMembers:
		return m.memberSubmit(line)
	case mgrBlock:
		return m.blockSubmit(line)
	case mgrArchive:
		return m.archiveSubmit(line)
	}
	return nil
}

// setSetting changes the selected setting; an empty value clears it.
func (m *ManagerModel) setSetting(value string) tea.Cmd {
	name := m.keys[m.selected]
	return m.run(func(ctx context.Context) tea.Msg {
		if err := m.svc.Settings.SetSetting(ctx, name, value); err != nil {
			return managerErrMsg{err}
		}
		s, err := m.svc.Settings.Settings(ctx)
		if err != nil {
			return managerErrMsg{err}
		}
		return managerSettingsMsg{settings: s, changed: name}
	})
}

// choosePIN takes the new PIN of a manager who must choose their own, then the same again.
func (m *ManagerModel) choosePIN(line string) tea.Cmd {
	l := m.common.Lang
	if m.newPIN == "" {
		if err := comptoir.ValidatePIN(line); err != nil {
			m.refuse(err)
			return nil
		}
		if line == m.oldPIN {
			m.refuse(comptoir.E(comptoir.CodePINUnchanged))
			return nil
		}
		m.newPIN = line
		m.result = result{resultInfo, text{"tapez le nouveau code PIN une seconde fois, puis Entrée", "type the new PIN a second time, then Enter"}.in(l)}
		return nil
	}
	if line != m.newPIN {
		m.newPIN = ""
		m.refuse(comptoir.E(comptoir.CodePINMismatch))
		return nil
	}
	id, pin := m.actor, m.newPIN
	return m.run(func(ctx context.Context) tea.Msg {
		if err := m.svc.Users.ChangePIN(ctx, id, pin, id); err != nil {
			return managerErrMsg{err}
		}
		return managerPINChangedMsg{id: id}
	})
}

// importCatalog reads a CSV file and imports its products. The whole file is parsed and checked
// first, as the CLI does: a bad row names its line and imports nothing.
func importCatalog(ctx context.Context, catalog comptoir.CatalogService, path string) (int, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, comptoir.E(comptoir.CodeFileNotFound, path)
	}
	if err != nil {
		return 0, comptoir.Wrap(comptoir.CodeCannotRead, err)
	}
	defer f.Close()
	products, err := comptoir.ParseCatalogCSV(f)
	if err != nil {
		return 0, err
	}
	return catalog.ImportProducts(ctx, products)
}

// report reads today's report, to show it or, with close, to confirm the Z close after it.
func (m *ManagerModel) report(close bool) tea.Cmd {
	day := m.today()
	return m.run(func(ctx context.Context) tea.Msg {
		rep, err := comptoir.ReadReport(ctx, m.svc.Closing, day)
		if err != nil {
			return managerErrMsg{err}
		}
		return managerReportMsg{rep: rep, close: close, till: m.tillCounts(ctx, comptoir.Closing{Kind: comptoir.DayClosing, Period: day}),
			key: m.signingKey(ctx)}
	})
}

func (m *ManagerModel) closePeriod(period string) tea.Cmd {
	return m.run(func(ctx context.Context) tea.Msg {
		c, err := m.svc.Closing.ClosePeriod(ctx, period)
		if err != nil {
			return managerErrMsg{err}
		}
		return managerClosedMsg{closing: c, key: m.signingKey(ctx)}
	})
}

// signingKey is the register's signing key in effect, for the reports and the journal's check to
// name; zero when the register has no key service or the key cannot be read. A report is still
// worth showing without it: its hash and signature extract stand on their own.
func (m *ManagerModel) signingKey(ctx context.Context) comptoir.KeyInfo {
	if m.svc.Keys == nil {
		return comptoir.KeyInfo{}
	}
	k, err := m.svc.Keys.SigningKey(ctx)
	if err != nil {
		return comptoir.KeyInfo{}
	}
	return k
}

func (m *ManagerModel) loadSettings(changed string) tea.Cmd {
	return m.run(func(ctx context.Context) tea.Msg {
		s, err := m.svc.Settings.Settings(ctx)
		if err != nil {
			return managerErrMsg{err}
		}
		return managerSettingsMsg{settings: s, changed: changed}
	})
}

func (m *ManagerModel) loadUsers(done string) tea.Cmd {
	return m.run(func(ctx context.Context) tea.Msg {
		us, err := m.svc.Users.Users(ctx)
		if err != nil {
			return managerErrMsg{err}
		}
		return managerUsersMsg{users: us, done: done}
	})
}

func (m *ManagerModel) usersKey(msg tea.KeyMsg) tea.Cmd {
	k, l := m.common.KeyMap, m.common.Lang
	if m.step != userList {
		switch {
		case key.Matches(msg, k.Cancel):
			m.step, m.result = userList, result{}
			m.input.take()
		case key.Matches(msg, k.Confirm):
			if m.step == userConfirmDisable {
				id, by := m.users[m.selected].ID, m.actor
				return m.run(func(ctx context.Context) tea.Msg {
					if err := m.svc.Users.DisableUser(ctx, id, by); err != nil {
						return managerErrMsg{err}
					}
					return m.usersAfter(ctx, text{"%s désactivé", "%s disabled"}.f(l, id))
				})
			}
			return m.submit(m.input.take())
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		m.selected = max(0, m.selected-1)
	case key.Matches(msg, k.Down):
		m.selected = min(len(m.users)-1, m.selected+1)
	case key.Matches(msg, k.Leave):
		m.toMenu()
	case key.Matches(msg, k.UserAdd):
		m.step, m.newUser = userAddID, comptoir.NewUser{}
		m.result = result{resultInfo, text{"identifiant du nouvel utilisateur, puis Entrée", "the new user's ID, then Enter"}.in(l)}
	case len(m.users) == 0:
	case key.Matches(msg, k.UserDisable):
		m.step = userConfirmDisable
		m.result = result{resultInfo, text{"désactiver %s ? Entrée confirme · Échap annule", "disable %s? Enter confirms · Esc cancels"}.f(l, m.users[m.selected].ID)}
	case key.Matches(msg, k.UserPIN):
		m.step = userNewPIN
		m.result = result{resultInfo, text{"nouveau code PIN de %s (il devra le changer), puis Entrée", "%s's new PIN (they must change it), then Enter"}.f(l, m.users[m.selected].ID)}
	}
	return nil
}

// usersAfter reads the users again after a change, with the sentence that says it was done.
func (m *ManagerModel) usersAfter(ctx context.Context, done string) tea.Msg {
	us, err := m.svc.Users.Users(ctx)
	if err != nil {
		return managerErrMsg{err}
	}
	return managerUsersMsg{users: us, done: done}
}

func (m *ManagerModel) userSubmit(line string) tea.Cmd {
	l := m.common.Lang
	switch m.step {
	case userAddID:
		id, err := comptoir.ParseUserID(line)
		if err != nil {
			m.refuse(err)
			return nil
		}
		m.newUser.ID, m.step = id, userAddRole
		m.result = result{resultInfo, text{"rôle de %s : caissier ou gérant, puis Entrée", "%s's role: cashier or manager, then Enter"}.f(l, id)}
	case userAddRole:
		role, err := comptoir.ParseRole(line)
		if err != nil {
			m.refuse(err)
			return nil
		}
		m.newUser.Role, m.step = role, userAddPIN
		m.result = result{resultInfo, text{"premier code PIN de %s (il devra le changer), puis Entrée", "%s's first PIN (they must change it), then Enter"}.f(l, m.newUser.ID)}
	case userAddPIN:
		if err := comptoir.ValidatePIN(line); err != nil {
			m.refuse(err)
			return nil
		}
		u, by := m.newUser, m.actor
		u.PIN = line
		return m.run(func(ctx context.Context) tea.Msg {
			added, err := m.svc.Users.AddUser(ctx, u, by)
			if err != nil {
				return managerErrMsg{err}
			}
			return m.usersAfter(ctx, text{"%s ajouté (%s)", "%s added (%s)"}.f(l, added.ID, added.Role.Format(l)))
		})
	case userNewPIN:
		if err := comptoir.ValidatePIN(line); err != nil {
			m.refuse(err)
			return nil
		}
		id, by := m.users[m.selected].ID, m.actor
		return m.run(func(ctx context.Context) tea.Msg {
			if err := m.svc.Users.ChangePIN(ctx, id, line, by); err != nil {
				return managerErrMsg{err}
			}
			msg := m.usersAfter(ctx, text{"nouveau code PIN de %s enregistré", "%s's new PIN recorded"}.f(l, id))
			if u, ok := msg.(managerUsersMsg); ok {
				u.pinOf = id
				return u
			}
			return msg
		})
	}
	return nil
}

func (m *ManagerModel) refundKey(msg tea.KeyMsg) tea.Cmd {
	k, l := m.common.KeyMap, m.common.Lang
	r := &m.refund
	if r.quote != nil {
		switch {
		case key.Matches(msg, k.Confirm):
			d := m.refundDraft()
			d.Payments = []comptoir.Payment{{Method: comptoir.Cash, Amount: r.quote.Total}}
			tech, who := m.tech, m.actor
			return m.run(func(ctx context.Context) tea.Msg {
				s, err := m.svc.Sales.RecordSale(ctx, d)
				if err != nil {
					_ = tech.record(comptoir.TechSaleError, who, saleErrorDetail(fmt.Sprintf("recording a refund of ticket %d", d.RefundOf), err))
					return managerErrMsg{err}
				}
				return managerRefundedMsg{s}
			})
		case key.Matches(msg, k.Cancel):
			r.quote, m.result = nil, result{}
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Leave):
		m.toMenu()
	case key.Matches(msg, k.Confirm):
		return m.submit(m.input.take())
	case r.sale == nil:
	case key.Matches(msg, k.Up):
		m.selected = max(0, m.selected-1)
	case key.Matches(msg, k.Down):
		m.selected = min(len(r.sale.Lines)-1, m.selected+1)
	case key.Matches(msg, k.RefundAll):
		copy(r.chosen, r.remaining)
		m.result = result{resultOK, text{"toutes les lignes restantes à rembourser", "every remaining line to refund"}.in(l)}
	case key.Matches(msg, k.RefundDo):
		d := m.refundDraft()
		if len(d.Lines) == 0 {
			m.refuse(comptoir.E(comptoir.CodeRefundNothingChosen))
			return nil
		}
		return m.run(func(ctx context.Context) tea.Msg {
			q, err := m.svc.Sales.QuoteSale(ctx, d)
			if err != nil {
				return managerErrMsg{err}
			}
			return managerQuoteMsg{q}
		})
	}
	return nil
}

func (m *ManagerModel) refundSubmit(line string) tea.Cmd {
	l := m.common.Lang
	line = strings.TrimSpace(line)
	r := &m.refund
	if r.sale == nil {
		n, err := strconv.ParseUint(line, 10, 64)
		if err != nil || n == 0 {
			m.refuse(comptoir.E(comptoir.CodeInvalidTicketNumber, line))
			return nil
		}
		return m.run(func(ctx context.Context) tea.Msg {
			s, err := m.svc.Sales.Sale(ctx, n)
			if err != nil {
				return managerErrMsg{err}
			}
			earlier, err := m.svc.Sales.Refunds(ctx, n)
			if err != nil {
				return managerErrMsg{err}
			}
			return managerRefundMsg{sale: s, earlier: earlier}
		})
	}
	if line == "" {
		return nil
	}
	q, err := strconv.ParseInt(line, 10, 64)
	if err != nil || q < 0 || q > r.remaining[m.selected] {
		m.refuse(comptoir.E(comptoir.CodeRefundExceeds, r.remaining[m.selected], r.sale.Lines[m.selected].GTIN, r.sale.Number))
		return nil
	}
	r.chosen[m.selected] = q
	m.result = result{resultOK, text{"%s : %d à rembourser", "%s: %d to refund"}.f(l, clean(r.sale.Lines[m.selected].Name), q)}
	return nil
}

// startRefund shows a ticket's lines with what remains to refund of each after the refunds
// already made, as CheckRefund counts it.
func (m *ManagerModel) startRefund(s comptoir.Sale, earlier []comptoir.Sale) {
	l := m.common.Lang
	if s.IsRefund() {
		m.refuse(comptoir.E(comptoir.CodeRefundOfRefund, s.Number))
		return
	}
	r := refundState{sale: &s, remaining: make([]int64, len(s.Lines)), chosen: make([]int64, len(s.Lines))}
	for i, line := range s.Lines {
		r.remaining[i] = line.Qty
	}
	// Earlier refunds are taken from the first lines of the same item, price and rate.
	for _, e := range earlier {
		for _, el := range e.Lines {
			left := -el.Qty
			for i, line := range s.Lines {
				if left == 0 {
					break
				}
				if comptoir.GTINKey(line.GTIN) == comptoir.GTINKey(el.GTIN) && line.UnitPrice == el.UnitPrice && line.VAT == el.VAT {
					took := min(left, r.remaining[i])
					r.remaining[i] -= took
					left -= took
				}
			}
		}
	}
	m.refund, m.selected = r, 0
	m.result = result{resultInfo, text{"↑↓ choisir la ligne · quantité puis Entrée · F2 tout · F3 rembourser", "↑↓ pick the line · quantity then Enter · F2 all · F3 refund"}.in(l)}
}

// refundDraft is the refund ticket of the lines chosen, in the register's mode, by the manager
// who acts.
func (m *ManagerModel) refundDraft() comptoir.SaleDraft {
	r := m.refund
	d := comptoir.SaleDraft{Cashier: m.actor, RefundOf: r.sale.Number, Training: m.session.Training, CustomerID: r.sale.CustomerID}
	for i, line := range r.sale.Lines {
		if r.chosen[i] > 0 {
			d.Lines = append(d.Lines, comptoir.LineFor(comptoir.Product{GTIN: line.GTIN, Name: line.Name, Price: line.UnitPrice, VAT: line.VAT}, -r.chosen[i]))
		}
	}
	return d
}

// run marks the screen busy and runs a service call in a command.
func (m *ManagerModel) run(f func(ctx context.Context) tea.Msg) tea.Cmd {
	m.busy = true
	// What the manager does is recorded in their name, in the technical event log too.
	ctx, check := comptoir.WithActor(m.ctx, m.actor), m.check
	return func() tea.Msg {
		msg := f(ctx)
		if a, ok := msg.(managerMsg); ok {
			return managerAnswer{msg: a, check: check}
		}
		return msg
	}
}

// leave returns to the sale; a manager who gave their PIN at the prompt is logged out.
func (m *ManagerModel) leave() tea.Cmd {
	// A PIN check still running is abandoned: its answer will only record the logout it needs.
	m.check++
	m.input.take()
	m.pinID, m.changing, m.oldPIN, m.newPIN = "", false, "", ""
	m.result = result{}
	m.mode = mgrMenu
	if m.prompted {
		id := m.actor
		m.prompted, m.actor = false, ""
		return tea.Batch(cmd(LeaveManagerMsg{}), m.logout(id, whyManagerLeft))
	}
	return cmd(LeaveManagerMsg{})
}

// pinChangedOf is the user whose PIN an answer of the manager screen says was changed, or "".
func pinChangedOf(msg managerMsg) string {
	if a, ok := msg.(managerAnswer); ok {
		msg = a.msg
	}
	switch msg := msg.(type) {
	case managerUsersMsg:
		return msg.pinOf
	case managerPINChangedMsg:
		return msg.id
	}
	return ""
}

// sessionUser is who is logged in at the register, as the prompt compares an ID typed to it.
func (m *ManagerModel) sessionUser() string {
	if m.session.UserID != "" {
		return m.session.UserID
	}
	return m.session.Cashier
}

// promptedManager is the manager who gave their PIN at the prompt and has not left the screen
// yet, or "": they are logged in, and quitting the register must record their logout too.
func (m *ManagerModel) promptedManager() string {
	if m.prompted {
		return m.actor
	}
	return ""
}

// logout records the logout of a manager who gave their PIN at the prompt, and why it ended.
func (m *ManagerModel) logout(id, why string) tea.Cmd {
	users, tech := m.svc.Users, m.tech
	return func() tea.Msg { return managerLoggedOut{tech.logout(users, id, why)} }
}

func (m *ManagerModel) toMenu() {
	m.input.take()
	m.mode, m.result = mgrMenu, result{}
}

func (m *ManagerModel) showText(title string, lines []string) {
	m.mode, m.title, m.lines, m.offset = mgrText, title, lines, 0
	m.printable = false
}

// showVerify says in words what walking the journal found: the first record at fault and its
// chain, or what the journal holds, where each chain stands, the declared breaks and the signing
// key in effect, whose fingerprint a manager compares with the one on the Z reports.
func (m *ManagerModel) showVerify(rep comptoir.VerifyReport, key comptoir.KeyInfo) {
	l := m.common.Lang
	title := text{"Vérification du journal", "Journal verification"}.in(l)
	if rep.Broken != nil {
		lines := []string{text{"JOURNAL ALTÉRÉ", "JOURNAL ALTERED"}.in(l), "", rep.Broken.Message(l)}
		if rep.At != nil {
			lines = append(lines, text{"premier enregistrement en cause : %s", "first record at fault: %s"}.f(l, rep.At.Format(l)))
		}
		if rep.Chain != "" {
			lines = append(lines, text{"dans la %s", "in the %s"}.f(l, rep.Chain.Label(l)))
		}
		lines = append(lines, "", text{"Ne clôturez plus et appelez votre revendeur : le journal ne prouve plus rien après cet enregistrement.",
			"Close nothing more and call your reseller: the journal proves nothing after this record."}.in(l))
		lines = append(lines, keyLines(key, l)...)
		m.showText(title, lines)
		m.result = result{resultRefused, text{"journal altéré : %s", "journal altered: %s"}.f(l, rep.Broken.Message(l))}
		return
	}
	lines := []string{
		text{"Journal intact : aucun enregistrement modifié, retiré ni ajouté.", "Journal intact: no record changed, removed or inserted."}.in(l),
		"",
		text{"Tickets               %d", "Tickets               %d"}.f(l, rep.Tickets),
		text{"Clôtures              %d", "Closings              %d"}.f(l, rep.Closings),
	}
	if rep.Keys > 0 {
		// The other chains are counted by a walk that read the key chain: a journal without a
		// key (or a verifier that walks the hash chain only) has nothing to say of them.
		lines = append(lines,
			text{"Duplicatas            %d", "Reprints              %d"}.f(l, rep.Reprints),
			text{"Événements techniques %d", "Technical events      %d"}.f(l, rep.Events),
			text{"Clés de signature     %d", "Signing keys          %d"}.f(l, rep.Keys),
			text{"Signatures vérifiées  %d", "Signatures verified   %d"}.f(l, rep.Signed))
	}
	lines = append(lines, text{"Grand total perpétuel %s", "Perpetual grand total %s"}.f(l, rep.GrandTotal.Format(l)))
	lines = append(lines, keyLines(key, l)...)
	if len(rep.Heads) > 0 {
		lines = append(lines, "", text{"Têtes de chaîne (n°, extrait de signature)", "Chain heads (no., signature extract)"}.in(l))
		rows := make([][]string, 0, len(rep.Heads))
		for _, h := range rep.Heads {
			rows = append(rows, []string{"  " + h.Chain.Label(l), fmt.Sprint(h.Number), comptoir.SignatureExtract(h.Signature)})
		}
		lines = append(lines, columns(rows)...)
	}
	for _, b := range rep.Breaks {
		lines = append(lines, "", text{"Rupture déclarée : clé n° %d remplacée (perdue) le %s", "Declared break: key no. %d replaced (lost) on %s"}.f(l, b.Number, b.At.In(m.loc).Format("2006-01-02 15:04")),
			"  "+b.Fingerprint)
	}
	m.showText(title, lines)
	m.result = result{resultOK, rep.Summary(l)}
}

// keyLines name the signing key in effect in the journal's check; none when it is unknown.
func keyLines(key comptoir.KeyInfo, l comptoir.Lang) []string {
	if key.Number == 0 {
		return nil
	}
	return []string{"", text{"Clé de signature n° %d  %s", "Signing key no. %d  %s"}.f(l, key.Number, key.Fingerprint)}
}

func (m *ManagerModel) scrollBy(d int) {
	m.offset = max(0, min(m.offset+d, len(m.lines)-m.bodyRows()))
}

// today is the business day now, in the shop's time zone.
func (m *ManagerModel) today() string { return comptoir.DayOf(m.now(), m.loc) }

// refuse shows why the last action changed nothing.
func (m *ManagerModel) refuse(err error) {
	m.result = result{resultRefused, comptoir.Message(err, m.common.Lang)}
}

var _ Component = (*ManagerModel)(nil)
