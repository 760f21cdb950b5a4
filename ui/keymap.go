package ui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	"github.com/comptoir/comptoir"
)

// KeyMap is every key the register answers, with its help in the screen's language. Actions sit
// on function keys, Ctrl chords and the editing and arrow keys, never on a printable character:
// a keyboard-mode scanner types codes on the screens where they arrive, and on an AZERTY keyboard
// a misconfigured one types `&é"'(-è_çà`, so any printable key could be the start of a scan.
type KeyMap struct {
	// Enter adds the typed code, or goes to payment when the input is empty. A line feed (Ctrl+J)
	// counts too: some scanners end their codes with one instead of a carriage return.
	Enter key.Binding
	Help  key.Binding
	// Quantity changes the quantity of the selected line.
	Quantity key.Binding
	// Remove takes the selected line off the ticket.
	Remove   key.Binding
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	// Erase deletes the last character typed.
	Erase key.Binding
	// Back leaves the payment for the ticket.
	Back key.Binding
	// Cancel gives up changing a quantity.
	Cancel key.Binding
	// Quit asks for confirmation; pressed again, it quits.
	Quit key.Binding
	// Cash pays in cash on the payment screen (the same key as Enter, with its own help).
	Cash        key.Binding
	Card        key.Binding
	Cheque      key.Binding
	MealVoucher key.Binding
	// Next starts the next sale once a ticket is paid and recorded.
	Next key.Binding
	// Validate validates a field of the login screen (the same key as Enter, with its own help).
	Validate key.Binding
	// NextField goes to the other field of the login screen.
	NextField key.Binding
	// Logout leaves the register for the login screen; an open ticket is kept for the next login.
	Logout key.Binding

	// Member opens the member panel of the attached member, or the enrolment form when none is.
	Member key.Binding
	// Detach takes the member off the ticket, on the ticket or the member panel.
	Detach key.Binding
	// Consent gives or withdraws the selected channel's consent, in one step, on the member panel.
	Consent key.Binding
	// Redeem spends the member's points on the payment screen.
	Redeem key.Binding
	// Print, SaveReceipt and NoReceipt answer the receipt question once the ticket is recorded;
	// none is the default (French anti-waste rule), so Enter also means no.
	Print       key.Binding
	SaveReceipt key.Binding
	NoReceipt   key.Binding
	// Submit saves the receipt under the name typed, or moves on in the enrolment form.
	Submit key.Binding

	// Manager opens the manager screen from the sale (after a manager's PIN when a cashier is
	// logged in). The manager screen's actions follow; F1 stays the help on every screen.
	Manager     key.Binding
	XReport     key.Binding
	ZClose      key.Binding
	PeriodClose key.Binding
	Verify      key.Binding
	Training    key.Binding
	Refund      key.Binding
	Import      key.Binding
	Users       key.Binding
	Settings    key.Binding
	// Confirm carries out what a manager's screen asks to confirm (a Z close, a refund).
	Confirm key.Binding
	// Leave returns from the manager screen to the sale, or from one of its tasks to its menu.
	Leave key.Binding
	// UserAdd, UserDisable and UserPIN act on the users list; RefundAll and RefundDo on a
	// refund.
	UserAdd     key.Binding
	UserDisable key.Binding
	UserPIN     key.Binding
	RefundAll   key.Binding
	RefundDo    key.Binding
	// Clear empties the selected setting.
	Clear key.Binding
	// Members opens the members' rights; the Member bindings act on the member shown.
	Members      key.Binding
	MemberReveal key.Binding
	MemberExport key.Binding
	MemberErase  key.Binding
	MemberStop   key.Binding
	MemberResume key.Binding
	// Count starts the cash count of a Z close.
	Count key.Binding

	// OpenPrice opens the entry of an item without a barcode (a department and a typed price) on
	// the sale screen; Department names the arrows that choose the department there.
	OpenPrice  key.Binding
	Department key.Binding
	// Block puts an email on the block list, Purge runs the retention purge (a dry run first),
	// AuditTrail shows the audit trail; PrintReport prints the report shown on the receipt
	// printer. The menu's function keys are all taken (F12 is the sync's), hence Ctrl chords.
	Block       key.Binding
	Purge       key.Binding
	AuditTrail  key.Binding
	PrintReport key.Binding
	// Abandon gives up the open ticket (the customer left): pressed twice, it empties the ticket
	// and the audit trail records it.
	Abandon key.Binding
	// SyncNow asks the background sync for a run at once, on the manager screen's menu.
	SyncNow key.Binding
	// TechEvents shows the technical event log and Archive exports a closed period's fiscal
	// archive, on the manager screen's menu.
	TechEvents key.Binding
	Archive    key.Binding
}

// NewKeyMap builds the key map with its help written in a language.
func NewKeyMap(l comptoir.Lang) *KeyMap {
	t := func(fr, en string) string { return text{fr, en}.in(l) }
	enter, esc, del, backspace := t("Entrée", "Enter"), t("Échap", "Esc"), t("Suppr", "Del"), t("Retour arr.", "Backspace")
	return &KeyMap{
		Enter:       key.NewBinding(key.WithKeys("enter", "ctrl+j"), key.WithHelp(enter, t("ajouter/payer", "add/pay"))),
		Help:        key.NewBinding(key.WithKeys("f1"), key.WithHelp("F1", t("aide", "help"))),
		Quantity:    key.NewBinding(key.WithKeys("f3"), key.WithHelp("F3", t("quantité", "quantity"))),
		Remove:      key.NewBinding(key.WithKeys("delete"), key.WithHelp(del, t("retirer", "remove"))),
		Up:          key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", t("ligne précédente", "previous line"))),
		Down:        key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", t("ligne suivante", "next line"))),
		PageUp:      key.NewBinding(key.WithKeys("pgup"), key.WithHelp(t("Pg préc.", "PgUp"), t("page précédente", "previous page"))),
		PageDown:    key.NewBinding(key.WithKeys("pgdown"), key.WithHelp(t("Pg suiv.", "PgDn"), t("page suivante", "next page"))),
		Erase:       key.NewBinding(key.WithKeys("backspace"), key.WithHelp(backspace, t("effacer", "erase"))),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp(esc, t("retour", "back"))),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp(esc, t("annuler", "cancel"))),
		Quit:        key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("Ctrl+C", t("quitter", "quit"))),
		Cash:        key.NewBinding(key.WithKeys("enter", "ctrl+j"), key.WithHelp(enter, t("espèces", "cash"))),
		Card:        key.NewBinding(key.WithKeys("f6"), key.WithHelp("F6", t("carte", "card"))),
		Cheque:      key.NewBinding(key.WithKeys("f7"), key.WithHelp("F7", t("chèque", "cheque"))),
		MealVoucher: key.NewBinding(key.WithKeys("f8"), key.WithHelp("F8", t("titre-restaurant", "meal voucher"))),
		Next:        key.NewBinding(key.WithKeys("enter"), key.WithHelp(enter, t("vente suivante", "next sale"))),
		Validate:    key.NewBinding(key.WithKeys("enter", "ctrl+j"), key.WithHelp(enter, t("valider", "validate"))),
		NextField:   key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("Tab", t("champ suivant", "next field"))),
		Logout:      key.NewBinding(key.WithKeys("f12"), key.WithHelp("F12", t("déconnexion", "log out"))),
		Member:      key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", t("client", "customer"))),
		Detach:      key.NewBinding(key.WithKeys("f4"), key.WithHelp("F4", t("retirer le membre", "member off"))),
		Consent:     key.NewBinding(key.WithKeys("enter", "ctrl+j"), key.WithHelp(enter, t("oui ↔ non", "yes ↔ no"))),
		Redeem:      key.NewBinding(key.WithKeys("f9"), key.WithHelp("F9", t("points", "points"))),
		Print:       key.NewBinding(key.WithKeys("f1"), key.WithHelp("F1", t("imprimer", "print"))),
		SaveReceipt: key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", t("enregistrer", "save"))),
		NoReceipt:   key.NewBinding(key.WithKeys("esc", "enter", "ctrl+j"), key.WithHelp(esc+"/n", t("non", "no"))),
		Submit:      key.NewBinding(key.WithKeys("enter", "ctrl+j"), key.WithHelp(enter, t("valider", "confirm"))),

		Manager:     key.NewBinding(key.WithKeys("f5"), key.WithHelp("F5", t("gérant", "manager"))),
		XReport:     key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", t("rapport X du jour", "today's X report"))),
		ZClose:      key.NewBinding(key.WithKeys("f3"), key.WithHelp("F3", t("clôture Z du jour", "today's Z close"))),
		PeriodClose: key.NewBinding(key.WithKeys("f4"), key.WithHelp("F4", t("clôture mois / année", "month / year close"))),
		Verify:      key.NewBinding(key.WithKeys("f5"), key.WithHelp("F5", t("vérifier le journal", "verify the journal"))),
		Training:    key.NewBinding(key.WithKeys("f6"), key.WithHelp("F6", t("mode formation", "training mode"))),
		Refund:      key.NewBinding(key.WithKeys("f7"), key.WithHelp("F7", t("remboursement", "refund"))),
		Import:      key.NewBinding(key.WithKeys("f8"), key.WithHelp("F8", t("importer le catalogue", "import the catalogue"))),
		Users:       key.NewBinding(key.WithKeys("f9"), key.WithHelp("F9", t("utilisateurs", "users"))),
		Settings:    key.NewBinding(key.WithKeys("f10"), key.WithHelp("F10", t("réglages", "settings"))),
		Confirm:     key.NewBinding(key.WithKeys("enter", "ctrl+j"), key.WithHelp(enter, t("confirmer", "confirm"))),
		Leave:       key.NewBinding(key.WithKeys("esc"), key.WithHelp(esc, t("retour", "back"))),
		UserAdd:     key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", t("ajouter", "add"))),
		UserDisable: key.NewBinding(key.WithKeys("f3"), key.WithHelp("F3", t("désactiver", "disable"))),
		UserPIN:     key.NewBinding(key.WithKeys("f4"), key.WithHelp("F4", t("nouveau PIN", "new PIN"))),
		RefundAll:   key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", t("tout rembourser", "refund all"))),
		RefundDo:    key.NewBinding(key.WithKeys("f3"), key.WithHelp("F3", t("rembourser", "refund"))),
		Clear:       key.NewBinding(key.WithKeys("delete"), key.WithHelp(del, t("effacer le réglage", "clear the setting"))),

		Members:      key.NewBinding(key.WithKeys("f11"), key.WithHelp("F11", t("membres : droits", "members: rights"))),
		MemberReveal: key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", t("révéler", "reveal"))),
		MemberExport: key.NewBinding(key.WithKeys("f3"), key.WithHelp("F3", t("exporter", "export"))),
		MemberErase:  key.NewBinding(key.WithKeys("f4"), key.WithHelp("F4", t("effacer", "erase"))),
		MemberStop:   key.NewBinding(key.WithKeys("f6"), key.WithHelp("F6", t("arrêt", "stop"))),
		MemberResume: key.NewBinding(key.WithKeys("f7"), key.WithHelp("F7", t("reprise", "resume"))),
		Count:        key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", t("compter la caisse", "count the till"))),

		OpenPrice:   key.NewBinding(key.WithKeys("f10"), key.WithHelp("F10", t("article sans code", "item without barcode"))),
		Department:  key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑ ↓", t("rayon", "department"))),
		Block:       key.NewBinding(key.WithKeys("ctrl+b"), key.WithHelp("Ctrl+B", t("bloquer une adresse", "block an address"))),
		Purge:       key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("Ctrl+R", t("purge de rétention", "retention purge"))),
		AuditTrail:  key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("Ctrl+T", t("journal d'audit", "audit trail"))),
		PrintReport: key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", t("imprimer", "print"))),
		Abandon:     key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("Ctrl+X", t("abandonner", "abandon"))),
		SyncNow:     key.NewBinding(key.WithKeys("f12"), key.WithHelp("F12", t("synchroniser", "sync now"))),
		TechEvents:  key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("Ctrl+E", t("journal technique", "technical log"))),
		Archive:     key.NewBinding(key.WithKeys("ctrl+a"), key.WithHelp("Ctrl+A", t("exporter l'archive", "export the archive"))),
	}
}

// text is a sentence in both languages the register speaks.
type text struct{ fr, en string }

// in picks the sentence of a language; French is the default.
func (t text) in(l comptoir.Lang) string {
	if l == comptoir.LangEN {
		return t.en
	}
	return t.fr
}

// f formats the sentence of a language with values.
func (t text) f(l comptoir.Lang, args ...any) string { return fmt.Sprintf(t.in(l), args...) }
