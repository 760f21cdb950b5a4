package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// The technical event log (journal des événements techniques): the screens record what NF525
// asks a register to keep besides its tickets — a logout, training mode switched, a line voided,
// a ticket given up, an error that stopped a sale. Logins, refused PINs and key changes are the
// store's to record, where they happen; start and stop are the program's. Every write runs in a
// command, never in Update, and a failure is said on the sale's result line as the audit trail's
// are: a log that could not be written must not pass unnoticed.

// techLog records technical events through a TechLog, which may be nil: a register started
// without one (a test of the sale alone) records nothing.
type techLog struct {
	ctx context.Context
	log comptoir.TechLog
}

// record writes one event now, for a command that already runs. The detail is in English, the
// log's fixed language, and names no customer.
func (t techLog) record(code comptoir.TechCode, user, detail string) error {
	if t.log == nil {
		return nil
	}
	return t.log.LogEvent(t.ctx, code, user, detail)
}

// cmd is a command that writes one event; nil without a log.
func (t techLog) cmd(code comptoir.TechCode, user, detail string) tea.Cmd {
	if t.log == nil {
		return nil
	}
	return func() tea.Msg {
		if err := t.record(code, user, detail); err != nil {
			return tillErrMsg{err}
		}
		return nil
	}
}

// logout records a user's logout, then its technical event with why the session ended. The
// event is written only once the logout is, so that the log never says more than happened.
func (t techLog) logout(users comptoir.UserService, id, why string) error {
	if err := users.Logout(t.ctx, id); err != nil {
		return err
	}
	return t.record(comptoir.TechLogout, id, why)
}

// Why a session ended, as the log's detail says it.
const (
	whyLogoutKey    = "logged out at the register"
	whyManagerLeft  = "left the manager screen"
	whyNotManager   = "not a manager: PIN accepted at the manager prompt, nothing allowed"
	whyPromptLeft   = "manager prompt left while the PIN was checked"
	whyPINNotChosen = "gave up choosing their own PIN"
)

// trainingMark starts the detail of what happened in training mode, whose lines count nowhere.
const trainingMark = "training: "

// voidedDetail says which line was taken off a ticket: its label, the quantity and the amount
// taken off. The label is a product's, never a customer's.
func voidedDetail(l comptoir.Line, training bool) string {
	d := fmt.Sprintf("%s, quantity %d, amount %s", comptoir.CleanText(l.Name), l.Qty, l.Total.Format(comptoir.LangEN))
	if training {
		d = trainingMark + d
	}
	return d
}

// abandonedDetail says how many lines a ticket given up held and its total.
func abandonedDetail(lines []comptoir.Line, total comptoir.Money, training bool) string {
	d := fmt.Sprintf("%d line(s), total %s", len(lines), total.Format(comptoir.LangEN))
	if training {
		d = trainingMark + d
	}
	return d
}

// saleErrorDetail says what stopped a sale, in English, and what the cashier was doing.
func saleErrorDetail(doing string, err error) string {
	return doing + ": " + comptoir.Message(err, comptoir.LangEN)
}

// systemFailure reports whether an error is the system's (a disk, a database that could not be
// read) rather than a refusal of what was typed or scanned: an unknown code is the cashier's to
// correct, a catalogue that cannot be read stops the sale, and the log keeps it. A refusal is a
// comptoir.Error without a cause; anything else came from below.
func systemFailure(err error) bool {
	var e *comptoir.Error
	return !errors.As(err, &e) || e.Err != nil
}

// maxTechRows is how many of the latest events the manager screen lists.
const maxTechRows = 200

// managerTechMsg carries the latest technical events, oldest first as the log lists them.
type managerTechMsg struct {
	events []comptoir.TechEvent
	key    comptoir.KeyInfo
}

func (managerTechMsg) forManager() {}

// loadTech reads the latest events of the technical log.
func (m *ManagerModel) loadTech() tea.Cmd {
	log := m.svc.TechLog
	return m.run(func(ctx context.Context) tea.Msg {
		events, err := log.TechEvents(ctx, time.Time{}, maxTechRows)
		if err != nil {
			return managerErrMsg{err}
		}
		return managerTechMsg{events: events, key: m.signingKey(ctx)}
	})
}

// showTech lists the events newest first, each on a row (its date and time, what happened, who)
// with its detail on the rows below, indented. The signing key in effect heads the list, since it
// signs every event shown.
func (m *ManagerModel) showTech(msg managerTechMsg) {
	l := m.common.Lang
	w := max(40, m.common.Width-2)
	var lines []string
	if k := msg.key; k.Number != 0 {
		lines = append(lines, text{"Clé de signature n° %d  %s", "Signing key no. %d  %s"}.f(l, k.Number, k.Fingerprint), "")
	}
	if len(msg.events) == 0 {
		lines = append(lines, text{"Aucun événement technique enregistré.", "No technical event recorded."}.in(l))
	}
	labelW := 0
	for _, e := range msg.events {
		labelW = max(labelW, len([]rune(e.Code.Label(l))))
	}
	for i := len(msg.events) - 1; i >= 0; i-- {
		e := msg.events[i]
		row := e.At.In(m.loc).Format("2006-01-02 15:04:05") + "  " + fit(e.Code.Label(l), labelW)
		if e.User != "" {
			row += "  " + clean(e.User)
		}
		lines = append(lines, strings.TrimRight(row, " "))
		if detail := clean(e.Detail); detail != "" {
			for _, d := range wrapWords(detail, w-6, 4) {
				lines = append(lines, "      "+d)
			}
		}
	}
	title := text{"Journal technique", "Technical event log"}.in(l)
	if n := len(msg.events); n > 0 {
		title += " · " + text{"%d derniers, du plus récent", "latest %d, newest first"}.f(l, n)
	}
	m.showText(title, lines)
	m.result = result{}
}
