package ui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/comptoir/comptoir"
)

// Config is what the register's screens need from the program that starts them.
type Config struct {
	// Context bounds the service calls the screens make.
	Context context.Context
	Lang    comptoir.Lang
	// Color is false when the user asked for no colour (see ColorAllowed).
	Color bool
	// Renderer draws the styles; nil is the standard output's. An SSH session passes its own.
	Renderer *lipgloss.Renderer
	Session  Session
	// Sync is the state of the sync when the register starts; SyncStateMsg updates it.
	Sync SyncState
	// SyncNow asks the background sync for a run at once (F12 on the manager screen); nil when
	// no central is configured, and the key then says so.
	SyncNow func()
	Catalog comptoir.CatalogService
	Sales   comptoir.SaleService
	// Scans delivers the codes a serial scanner reads; nil when there is none.
	Scans <-chan string
	// Users checks who logs in. With it the register opens on the login screen; without it (a
	// test of the sale alone) on the sale, in Session.Cashier's name.
	Users comptoir.UserService
	// FirstPIN is the PIN UserService.EnsureFirstManager just generated: the login screen says how
	// to log in with it until the first manager has chosen their own.
	FirstPIN string
	// Outbox counts the events waiting to sync, for the status bar; nil keeps Sync.Pending.
	Outbox comptoir.OutboxService
	// Drafts keeps the open ticket at logout and gives it back at the next login; nil keeps none.
	Drafts comptoir.DraftService

	// Customers finds, enrols and updates loyalty members; nil leaves cards unread.
	Customers comptoir.CustomerService
	// Points reads members' balances.
	Points comptoir.PointsService
	// Settings gives the information notice's contact and version at enrolment.
	Settings comptoir.SettingsService
	// PointsRule is the rule the store opened with (settings change it from the next opening):
	// it decides how many points F9 offers to spend. Zero is comptoir.DefaultPointsRule.
	PointsRule comptoir.PointsRule
	// PrintLog counts the prints of each ticket: the first is the receipt, later ones duplicates.
	PrintLog comptoir.PrintLog
	// Printer prints receipts and opens the cash drawer; nil when the register has no printer.
	Printer ReceiptPrinter
	// Now is the clock of consent changes and of members' activity; nil is time.Now.
	Now func() time.Time

	// The manager screen's services besides those above. Users nil means a register without
	// users: the manager screen then opens without a PIN, as the register runs without logins.
	Closing comptoir.ClosingService
	Journal comptoir.JournalVerifier
	// Location is the shop's time zone (nil is time.Local): with Now it says which business day
	// the X report and the Z close are of.
	Location *time.Location

	// Till records voided lines and abandoned tickets in the audit trail; nil records nothing.
	Till comptoir.TillAudit
	// GDPR serves the manager screen's block list, retention purge and audit trail.
	GDPR comptoir.GDPRService

	// TechLog records the technical events the screens see (a logout, training mode switched,
	// a line voided, a ticket abandoned, an error that stopped a sale) and lists the log on the
	// manager screen; nil records and lists nothing.
	TechLog comptoir.TechLog
	// Keys names the signing key on the closed reports and in the journal's check.
	Keys comptoir.KeyService
	// Archives exports the fiscal archive of a closed period from the manager screen; nil says
	// the export is unavailable.
	Archives comptoir.ArchiveService
	// ArchiveDir is the folder the manager screen writes archives into, made (0700) at the first
	// export; empty is "archives" in the working directory.
	ArchiveDir string
}

// Model is the root of the register's interface. It owns the status and help bars, the quit
// confirmation and the scanner, and routes everything else to the screen in front.
type Model struct {
	common  Common
	scans   <-chan string
	sync    SyncState
	session Session
	help    help.Model

	sale    *SaleModel
	payment *PaymentModel
	members *members
	member  *MemberModel
	enrol   *EnrolModel
	manager *ManagerModel
	active  Component
	// confirmQuit is set by a first Ctrl+C: a second one quits, any other key cancels.
	confirmQuit bool
	// afterCR is set by a carriage return, so that a line feed right after it is not an Enter.
	afterCR bool
	// held keeps the codes scanned while a ticket was being recorded, for the next ticket.
	held []string

	ctx    context.Context
	login  *LoginModel
	users  comptoir.UserService
	outbox comptoir.OutboxService
	drafts comptoir.DraftService
	till   comptoir.TillAudit
	// confirmAbandon is set by a first Ctrl+X on an open ticket: a second one abandons it.
	confirmAbandon bool
	// tech records the technical events the screens see.
	tech techLog
}

// New builds the root model with the sale screen in front, or the login screen when users log in
// (Config.Users).
func New(cfg Config) *Model {
	ctx := cfg.Context
	if ctx == nil {
		ctx = context.Background()
	}
	c := NewCommon(cfg.Lang, NewStyles(cfg.Renderer, cfg.Color))
	h := help.New()
	h.ShortSeparator, h.FullSeparator = " · ", "   "
	h.Styles = help.Styles{
		ShortKey: c.Styles.HelpKey, ShortDesc: c.Styles.HelpDesc, ShortSeparator: c.Styles.HelpDesc,
		FullKey: c.Styles.HelpKey, FullDesc: c.Styles.HelpDesc, FullSeparator: c.Styles.HelpDesc,
		Ellipsis: c.Styles.HelpDesc,
	}
	m := &Model{
		common:  c,
		scans:   cfg.Scans,
		sync:    cfg.Sync,
		session: cfg.Session,
		help:    h,
		sale:    NewSaleModel(ctx, c, cfg.Session, cfg.Catalog),
		payment: NewPaymentModel(ctx, c, cfg.Session, cfg.Sales),
		manager: NewManagerModel(ctx, c, cfg.Session, ManagerServices{
			Catalog: cfg.Catalog, Sales: cfg.Sales, Closing: cfg.Closing, Journal: cfg.Journal,
			Settings: cfg.Settings, Users: cfg.Users, Customers: cfg.Customers,
			GDPR: cfg.GDPR, Printer: cfg.Printer, Till: cfg.Till, SyncNow: cfg.SyncNow,
			Keys: cfg.Keys, TechLog: cfg.TechLog, Archives: cfg.Archives, ArchiveDir: cfg.ArchiveDir,
		}, cfg.Now, cfg.Location),
	}
	rule := cfg.PointsRule
	if rule == (comptoir.PointsRule{}) {
		rule = comptoir.DefaultPointsRule
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	m.members = &members{ctx: ctx, customers: cfg.Customers, points: cfg.Points, settings: cfg.Settings,
		rule: rule, now: now, cashier: cfg.Session.Cashier}
	m.sale.members, m.payment.members = m.members, m.members
	m.sale.settings = cfg.Settings
	m.payment.receipt = receiptQuestion{printer: cfg.Printer, log: cfg.PrintLog}
	m.member = newMemberModel(c, cfg.Session, m.members)
	m.enrol = newEnrolModel(c, cfg.Session, m.members)
	m.active = m.sale
	m.ctx, m.users, m.outbox, m.drafts = ctx, cfg.Users, cfg.Outbox, cfg.Drafts
	m.till = cfg.Till
	m.tech = techLog{ctx: ctx, log: cfg.TechLog}
	m.payment.tech, m.sale.tech = m.tech, m.tech
	if cfg.Users != nil {
		s := cfg.Session
		s.Cashier, s.Role = "", ""
		m.setSession(s)
		m.login = NewLoginModel(ctx, c, s, cfg.Users, cfg.FirstPIN)
		m.login.tech = m.tech
		m.active = m.login
	}
	return m
}

// Sale is the sale screen, for the program that keeps the open ticket as a draft on quitting.
func (m *Model) Sale() *SaleModel { return m.sale }

// Init starts listening to the serial scanner.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(WaitForScan(m.scans), m.refreshPending(), m.pendingTick())
}

// SetSize gives the screen in front all the room but the help and status bars.
func (m *Model) SetSize(width, height int) {
	m.common.Width, m.common.Height = width, height
	m.help.Width = max(0, width-2)
	h := max(1, height-m.barsHeight())
	m.sale.SetSize(width, h)
	m.payment.SetSize(width, h)
	if m.login != nil {
		m.login.SetSize(width, h)
	}
	m.member.SetSize(width, h)
	m.enrol.SetSize(width, h)
	m.manager.SetSize(width, h)
}

// show puts a screen in front, sized for the help bar it brings.
func (m *Model) show(c Component) {
	m.active = c
	m.SetSize(m.common.Width, m.common.Height)
}

// barsHeight is the room taken below the screen: a rule, the help and the status bar.
func (m *Model) barsHeight() int {
	return 2 + lipgloss.Height(m.help.View(m.helpKeys()))
}

// Update routes a message: the window size, the sync state, scans and the quit confirmation are
// the root's; the rest goes to the screen in front.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
		return m, nil
	case SyncStateMsg:
		m.sync = msg.State
		m.manager.SetSync(msg.State)
		return m, nil
	case scannerClosedMsg:
		return m, nil
	case LoggedInMsg:
		return m, m.loggedIn(msg.User)
	case LoggedOutMsg:
		m.loggedOut()
		return m, nil
	case draftMsg:
		return m, m.restoreDraft(msg.lines)
	case pendingMsg:
		m.sync.Pending = msg.n
		m.manager.SetSync(m.sync)
		return m, nil
	case pendingTickMsg:
		return m, tea.Batch(m.refreshPending(), m.pendingTick())
	case SaleRecordedMsg:
		_, c := m.payment.Update(msg)
		return m, tea.Batch(c, m.refreshPending())
	case ScanMsg:
		if m.login != nil && m.active == m.login {
			// Nobody is logged in: a scan sells nothing. The next read is still issued.
			return m, WaitForScan(m.scans)
		}
		if m.active == m.manager {
			// On the manager's screen a scan is typed into it, as a keyboard-mode scanner's code
			// would be (a member's card for their rights): it sells nothing and leaves nobody.
			_, typed := m.manager.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(msg.Code)})
			_, entered := m.manager.Update(tea.KeyMsg{Type: tea.KeyEnter})
			return m, tea.Batch(typed, entered, WaitForScan(m.scans))
		}
		if m.active == m.enrol {
			// The ticket takes the item while the form stays open: a customer is being enrolled.
			return m, tea.Batch(m.sale.Scan(msg.Code), WaitForScan(m.scans))
		}
		// A scan always lands on the ticket, even on the payment screen: whoever scans wants the
		// item sold. The next read is issued after this one, so codes keep their order.
		if m.active == m.payment && !m.payment.Leave() {
			if m.payment.Recorded() == nil {
				// The ticket is being recorded: the code waits for the next ticket.
				m.held = append(m.held, msg.Code)
				return m, WaitForScan(m.scans)
			}
			// A scan after the ticket is paid starts the next one.
			held := m.nextSale()
			return m, tea.Batch(held, m.sale.Scan(msg.Code), WaitForScan(m.scans))
		}
		m.show(m.sale)
		return m, tea.Batch(m.sale.Scan(msg.Code), WaitForScan(m.scans))
	case tea.KeyMsg:
		afterCR := m.afterCR
		m.afterCR = msg.Type == tea.KeyEnter
		if msg.Type == tea.KeyCtrlJ && afterCR {
			// The line feed of a scanner that ends its codes with CR LF: the CR was the Enter.
			// Taken for a second Enter on the emptied input, it would open the payment after
			// every scan, or pay the rest in cash on the payment screen.
			return m, nil
		}
		if c, done := m.abandonKey(msg); done {
			return m, c
		}
		if key.Matches(msg, m.common.KeyMap.Quit) {
			if m.confirmQuit {
				return m, tea.Quit
			}
			m.confirmQuit = true
			return m, nil
		}
		m.confirmQuit = false
		if key.Matches(msg, m.common.KeyMap.Help) && !(m.active == m.payment && m.payment.asksReceipt()) {
			m.help.ShowAll = !m.help.ShowAll
			m.SetSize(m.common.Width, m.common.Height)
			return m, nil
		}
		if key.Matches(msg, m.common.KeyMap.Logout) && m.login != nil && m.active == m.sale {
			return m, m.logout()
		}
		if m.active == m.sale && key.Matches(msg, m.common.KeyMap.Member) {
			return m, m.openMember()
		}
		if m.active == m.sale && m.members.attached != nil && key.Matches(msg, m.common.KeyMap.Detach) {
			return m, cmd(MemberDetachedMsg{})
		}
		if m.active == m.sale && key.Matches(msg, m.common.KeyMap.Manager) {
			m.manager.ticketOpen = len(m.sale.Lines()) > 0
			m.manager.Open(m.session, m.sync)
			m.show(m.manager)
			return m, nil
		}
		if msg.Type == tea.KeyRunes && m.active == m.payment && m.payment.Recorded() != nil && !m.payment.naming() {
			// Typing after the ticket is paid (a keyboard-mode scan, most often) starts the next
			// ticket with it, as a serial scan does; "n" alone answers no to the receipt.
			held := m.nextSale()
			if declines(msg) {
				return m, held
			}
			_, c := m.sale.Update(msg)
			return m, tea.Batch(held, c)
		}
	case PayMsg:
		m.payment.Start(m.sale.Lines())
		m.show(m.payment)
		return m, nil
	case BackToTicketMsg:
		m.show(m.sale)
		if msg.Code != "" {
			return m, m.sale.Enter(msg.Code)
		}
		return m, nil
	case NextSaleMsg:
		if m.active != m.payment || m.payment.Recorded() == nil {
			// The next ticket already began (a code typed right after Enter, before this message
			// came back): emptying it now would lose what was just scanned.
			return m, nil
		}
		return m, m.nextSale()
	case ReceiptDoneMsg:
		c := m.nextSale()
		m.sale.result = result{resultOK, msg.Result}
		return m, c
	case LineVoidedMsg:
		return m, tea.Batch(m.recordVoid(msg.Line), m.tech.cmd(comptoir.TechLineVoided, m.who(), voidedDetail(msg.Line, m.session.Training)))
	case tillErrMsg:
		m.sale.refuse(msg.err)
		return m, nil
	case CardScannedMsg:
		return m, m.members.lookup(msg.Card)
	case memberMsg:
		m.sale.result = m.members.found(msg, m.common.Lang)
		m.SetSize(m.common.Width, m.common.Height)
		return m, nil
	case MemberDetachedMsg:
		m.members.detach()
		m.show(m.sale)
		m.sale.result = result{resultOK, wordDetached.in(m.common.Lang)}
		return m, nil
	case MemberEnrolledMsg:
		m.members.attached = &member{customer: msg.Customer, card: msg.Card, consent: msg.Consent}
		m.members.offer = ""
		m.show(m.sale)
		m.sale.result = result{resultOK, wordEnrolled.f(m.common.Lang, m.members.attached.name(m.common.Lang), msg.Card)}
		return m, nil
	case enrolReadyMsg, enrolledMsg:
		_, c := m.enrol.Update(msg)
		return m, c
	case consentMsg:
		_, c := m.member.Update(msg)
		return m, c
	case LeaveManagerMsg:
		m.show(m.sale)
		return m, nil
	case TrainingMsg:
		return m, m.setTraining(msg.On)
	case managerMsg:
		if pinChangedOf(msg) == comptoir.FirstManagerID && m.login != nil {
			// The generated PIN no longer opens anything once the first manager's PIN changed,
			// whoever changed it: the login screen stops showing it.
			m.login.firstPIN = ""
		}
		// The manager screen's answers are its own, even when it is no longer in front.
		_, c := m.manager.Update(msg)
		return m, c
	case drawerMsg, receiptMsg:
		// The printer answers for a ticket: the payment screen's if its question is still in
		// front, else the ticket is behind and a failure goes on the sale's result line, where
		// it is seen whatever the screen (it would be lost on a screen no longer shown).
		if m.active == m.payment && m.payment.answers(msg) {
			_, c := m.payment.Update(msg)
			return m, c
		}
		if r := lateAnswer(msg, m.common.Lang); r.kind != resultNone {
			m.sale.result = r
		}
		return m, nil
	case productMsg:
		// Look-ups belong to the sale screen whichever screen is in front.
		_, c := m.sale.Update(msg)
		return m, c
	}
	_, c := m.active.Update(msg)
	return m, c
}

// setTraining switches training mode on every screen, unless a ticket is open: its lines would
// be recorded in a mode they were not rung up in.
func (m *Model) setTraining(on bool) tea.Cmd {
	if len(m.sale.Lines()) > 0 {
		_, c := m.manager.Update(ErrorMsg{Err: comptoir.E(comptoir.CodeTrainingTicketOpen)})
		return c
	}
	s := m.session
	s.Training = on
	m.setSession(s)
	m.manager.SetTraining(on)
	m.SetSize(m.common.Width, m.common.Height)
	code := comptoir.TechTrainingOff
	if on {
		code = comptoir.TechTrainingOn
	}
	// The manager who switched it is who acts on the manager screen, not the cashier selling.
	who := m.manager.actor
	if who == "" {
		who = m.who()
	}
	return m.tech.cmd(code, who, "")
}

// nextSale empties the ticket, shows it, and adds the codes scanned while the last one was being
// recorded.
func (m *Model) nextSale() tea.Cmd {
	m.members.detach()
	m.sale.Reset()
	m.show(m.sale)
	var cmds []tea.Cmd
	for _, code := range m.held {
		cmds = append(cmds, m.sale.Scan(code))
	}
	m.held = nil
	return tea.Batch(cmds...)
}

// Words of the bars.
var (
	wordOnline   = text{"● en ligne", "● online"}
	wordOffline  = text{"○ hors ligne", "○ offline"}
	wordPending  = text{"%d en attente", "%d waiting"}
	wordLastSync = text{"synchro %s", "synced %s"}
	// wordSkewBar warns of a clock too far from the central's; the manager screen says by how
	// much and what to do.
	wordSkewBar = text{"⚠ horloge décalée", "⚠ clock off"}
	wordQuit    = text{"Ctrl+C encore une fois pour quitter (ticket gardé) · autre touche : continuer",
		"Ctrl+C again to quit (the ticket is kept) · any other key: go on"}
)

// View draws the screen in front, then the help bar and the status bar.
func (m *Model) View() string {
	w, l, st := m.common.Width, m.common.Lang, m.common.Styles
	var b strings.Builder
	b.WriteString(m.active.View())
	b.WriteString("\n" + rule(st, w, "") + "\n")
	for _, row := range strings.Split(m.help.View(m.helpKeys()), "\n") {
		b.WriteString(fit(" "+row, w) + "\n")
	}
	if m.confirmQuit {
		b.WriteString(st.Warning.Render(fit(" ⚠ "+wordQuit.in(l), w)))
		return b.String()
	}
	state := wordOffline.in(l)
	if m.sync.Online {
		state = wordOnline.in(l)
	}
	state += " · " + wordPending.f(l, m.sync.Pending)
	if !m.sync.LastSync.IsZero() {
		state += " · " + wordLastSync.f(l, m.sync.LastSync.Local().Format("15:04"))
	}
	if m.sync.skewed() {
		state += " · " + wordSkewBar.in(l)
	}
	if m.session.Training {
		state += " · " + text{"FORMATION", "TRAINING"}.in(l)
	}
	b.WriteString(st.Status.Render(spread(" "+state, clean(m.session.Cashier)+" ", w)))
	return b.String()
}
