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
