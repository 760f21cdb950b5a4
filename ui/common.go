// Package ui is the register's terminal interface: a root model that routes keys and messages to
// one screen model at a time (the sale, the payment), in the manner of soft-serve's UI.
//
// It talks to the register through the root package's service interfaces only, never to the
// store or to the devices: scans arrive on a channel, and every call to a service runs in a
// tea.Cmd whose result comes back as a message, so that Update and View never wait on a disk.
package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// Common is what every screen shares: the language, the styles, the key map and the size the
// screen may draw in. The root model owns it and hands each screen a copy.
type Common struct {
	Lang   comptoir.Lang
	Styles *Styles
	KeyMap *KeyMap
	Width  int
	Height int
}

// NewCommon builds the shared state for a language, with its key map's help in that language.
func NewCommon(lang comptoir.Lang, styles *Styles) Common {
	return Common{Lang: lang, Styles: styles, KeyMap: NewKeyMap(lang)}
}

// Component is a screen: a Bubble Tea model that says which keys it answers (for the help bar)
// and can be told the size it has.
type Component interface {
	tea.Model
	help.KeyMap
	SetSize(width, height int)
}

// Session says who works at which register, and the marks every screen must show.
type Session struct {
	Register string
	Cashier  string
	// Training is on while the register rings up tickets to learn the till.
	Training bool
	// Demo marks a database filled by demo-data.
	Demo bool
	// UserID and Role are who logged in (Cashier is the name the screens show, with the role
	// beside it). A cashier must have a manager type their PIN to enter the manager screen; a
	// manager enters directly.
	UserID string
	Role   comptoir.Role
}

// SyncState is what the status bar and the manager screen say about the sync with the central
// loyalty API. A register without a central is offline and counts the events waiting in its
// outbox.
type SyncState struct {
	Online   bool
	Pending  int
	LastSync time.Time
	// Running is true while a sync goes on.
	Running bool
	// Err is how the last sync ended, nil when it went through; the manager screen says it in
	// words.
	Err error
	// ClockSkew is the central's clock minus the register's: beyond comptoir.ClockSkewLimit
	// either way, the status bar warns.
	ClockSkew time.Duration
}

// skewed reports whether the register's clock is too far from the central's.
func (s SyncState) skewed() bool {
	return s.ClockSkew > comptoir.ClockSkewLimit || s.ClockSkew < -comptoir.ClockSkewLimit
}

// SyncStateMsg updates the status bar; the sync sends it (with tea.Program.Send) when its state
// changes, so that View never has to ask.
type SyncStateMsg struct{ State SyncState }

// ErrorMsg is how every failure of a command reaches a screen: the screen shows
// comptoir.Message(Err, lang) on its result line, under the input.
type ErrorMsg struct{ Err error }

// Error returns the English explanation, so that an ErrorMsg can travel as an error.
func (e ErrorMsg) Error() string { return comptoir.Message(e.Err, comptoir.LangEN) }

// ScanMsg is a code read by the serial scanner. It adds a line like a code typed and Enter.
type ScanMsg struct{ Code string }

// scannerClosedMsg says the scans channel was closed: the register stops listening to it.
type scannerClosedMsg struct{}

// WaitForScan waits for one code on the scans channel and delivers it as a ScanMsg. The root
// model issues it again after each code (glow's pattern), so exactly one read is pending at any
// time and codes arrive in order. A nil channel means no serial scanner: nothing to wait for.
func WaitForScan(scans <-chan string) tea.Cmd {
	if scans == nil {
		return nil
	}
	return func() tea.Msg {
		code, ok := <-scans
		if !ok {
			return scannerClosedMsg{}
		}
		return ScanMsg{Code: code}
	}
}

// PayMsg asks to go from the ticket to the payment screen: Enter on an empty input.
type PayMsg struct{}

// BackToTicketMsg returns from the payment to the ticket: Esc, or a product code typed where an
// amount was expected, which Code then carries to be added to the ticket.
type BackToTicketMsg struct{ Code string }

// SaleRecordedMsg says the ticket was recorded in the journal.
type SaleRecordedMsg struct{ Sale comptoir.Sale }

// NextSaleMsg starts a new ticket once the last one is recorded and paid.
type NextSaleMsg struct{}

// CardScannedMsg says a loyalty card (GS1 prefix 04) was scanned on the ticket: the root model
// looks its member up and attaches them (see member.go).
type CardScannedMsg struct{ Card string }

// LineVoidedMsg says a line, or part of its quantity, was taken off the ticket: Line holds what
// was taken off. Voided lines are counted in the audit trail, never silently dropped; the root
// model passes the message on to whoever records it.
type LineVoidedMsg struct{ Line comptoir.Line }

// cmd wraps a message in a command, for messages that need no work to produce.
func cmd(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }
