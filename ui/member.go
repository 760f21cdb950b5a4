package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// members is what the member panel, the enrolment form and the payment screen share: the
// services they call in commands, and the loyalty member attached to the ticket.
type members struct {
	ctx       context.Context
	customers comptoir.CustomerService
	points    comptoir.PointsService
	settings  comptoir.SettingsService
	rule      comptoir.PointsRule
	now       func() time.Time
	cashier   string

	// attached is the member on the ticket; nil for an anonymous sale.
	attached *member
	// offer is an unknown card just scanned, which F2 offers to enrol.
	offer string
}

// member is an attached loyalty member as the register shows them: personal data masked at once
// when read, so that nothing unmasked stays in the screen's state.
type member struct {
	customer comptoir.Customer
	card     string
	balance  int64
	consent  comptoir.ConsentState
}

// memberMsg is the answer to a card's look-up: a member, or why there is none.
type memberMsg struct {
	card     string
	customer comptoir.Customer
	balance  int64
	consent  comptoir.ConsentState
	err      error
}

// consentMsg is the answer to a change of consent: the member's consent as it is now.
type consentMsg struct {
	channel comptoir.Channel
	consent comptoir.ConsentState
	err     error
}

// id is the attached member's ID, empty for an anonymous sale.
func (s *members) id() comptoir.CustomerID {
	if s == nil || s.attached == nil {
		return ""
	}
	return s.attached.customer.ID
}

// keys are the sale screen's member keys: F2 when members can be read, F4 while one is attached.
func (s *members) keys(k *KeyMap) []key.Binding {
	switch {
	case s == nil || s.customers == nil:
		return nil
	case s.attached != nil:
		return []key.Binding{k.Member, k.Detach}
	}
	return []key.Binding{k.Member}
}

// detach takes the member off the ticket and forgets a card offered for enrolment.
func (s *members) detach() { s.attached, s.offer = nil, "" }

// lookup finds the member of a card in a command. The scan counts as the member's activity for
// the retention purge, so an active member's activity is noted with the look-up.
func (s *members) lookup(card string) tea.Cmd {
	if s.customers == nil {
		return nil
	}
	ctx, customers, points, now := s.ctx, s.customers, s.points, s.now
	return func() tea.Msg {
		c, err := customers.CustomerByCard(ctx, card)
		if err != nil {
			return memberMsg{card: card, err: err}
		}
		c.Personal = c.Personal.Mask()
		msg := memberMsg{card: card, customer: c}
		if c.Status != comptoir.StatusActive {
			return msg
		}
		if err := customers.NoteActivity(ctx, c.ID, now()); err != nil {
			return memberMsg{card: card, err: err}
		}
		if points != nil {
			if msg.balance, err = points.MemberBalance(ctx, c.ID); err != nil {
				return memberMsg{card: card, err: err}
			}
		}
		events, err := customers.ConsentHistory(ctx, c.ID)
		if err != nil {
			return memberMsg{card: card, err: err}
		}
		msg.consent = comptoir.DeriveConsent(events)
		if c.Remote {
			if err := remoteConsent(ctx, customers, c.ID, msg.consent); err != nil {
				return memberMsg{card: card, err: err}
			}
		}
		return msg
	}
}

// remoteMembers is what a store that keeps members of other shops answers besides
// comptoir.CustomerService: the central's view of one of them.
type remoteMembers interface {
	RemoteMember(ctx context.Context, id comptoir.CustomerID) (comptoir.RemoteMember, bool, error)
}

// remoteConsent fills in a member of another shop's consent from the central's view, for the
// channels no change made here says: their history is at the central, which sends only each
// channel's current answer. Such an answer has no date (At zero), and the panel says where it
// comes from.
func remoteConsent(ctx context.Context, customers comptoir.CustomerService, id comptoir.CustomerID, consent comptoir.ConsentState) error {
	rs, ok := customers.(remoteMembers)
	if !ok {
		return nil
	}
	rm, found, err := rs.RemoteMember(ctx, id)
	if err != nil || !found {
		return err
	}
	// A channel the central does not list was never given: it says no as well.
	for _, ch := range comptoir.Channels {
		if _, here := consent[ch]; !here {
			consent[ch] = comptoir.ConsentEvent{Channel: ch, Granted: rm.Consent[ch]}
		}
	}
	return nil
}

// Words of the member panel.
var (
	wordMember        = text{"MEMBRE", "MEMBER"}
	wordPts           = text{"pts", "pts"}
	wordYes           = text{"oui", "yes"}
	wordNo            = text{"non", "no"}
	wordAttached      = text{"membre %s attaché au ticket : %s %s", "member %s on the ticket: %s %s"}
	wordRestricted    = text{"membre en arrêt du traitement (limitation) : vente anonyme, sans points", "member in stop processing (restricted): anonymous sale, no points"}
	wordErased        = text{"carte d'un membre effacé à sa demande : vente anonyme", "card of a member erased at their request: anonymous sale"}
	wordUnknownOffer  = text{"carte %s inconnue : F2 inscrit ce client au programme", "unknown card %s: F2 enrols this customer"}
	wordDetached      = text{"membre retiré du ticket : vente anonyme", "member taken off the ticket: anonymous sale"}
	wordConsentChange = text{"%s : consentement %s", "%s: consent %s"}
	wordGiven         = text{"donné", "given"}
	wordWithdrawn     = text{"retiré", "withdrawn"}
	// wordRemoteMember names a member enrolled at another shop of the chain, whose personal data
	// is only at the central.
	wordRemoteMember   = text{"membre d'un autre magasin", "member from another shop"}
	wordRemoteAttached = text{"membre d'un autre magasin attaché au ticket : %s %s", "member from another shop on the ticket: %s %s"}
)

// found applies a look-up's answer and says the outcome in words: the member attached, or why
// the sale stays anonymous.
func (s *members) found(msg memberMsg, l comptoir.Lang) result {
	switch {
	case errors.Is(msg.err, comptoir.E(comptoir.CodeUnknownCard)):
		// Another card is another customer: whoever was attached is not the one to enrol.
		s.attached, s.offer = nil, msg.card
		return result{resultRefused, wordUnknownOffer.f(l, msg.card)}
	case msg.err != nil:
		return result{resultRefused, comptoir.Message(msg.err, l)}
	case msg.customer.Status == comptoir.StatusErased:
		s.attached = nil
		return result{resultRefused, wordErased.in(l)}
	case msg.customer.Status == comptoir.StatusRestricted:
		s.attached = nil
		return result{resultInfo, wordRestricted.in(l)}
	}
	s.offer = ""
	s.attached = &member{customer: msg.customer, card: msg.card, balance: msg.balance, consent: msg.consent}
	if msg.customer.Remote {
		return result{resultOK, wordRemoteAttached.f(l, points(msg.balance, l), pointWord(msg.balance, l))}
	}
	return result{resultOK, wordAttached.f(l, s.attached.name(l), points(msg.balance, l), pointWord(msg.balance, l))}
}

// name is the member's masked name.
func (m *member) name(l comptoir.Lang) string {
	if m.customer.Remote {
		// No personal data of theirs is here: they are named by what they are.
		return wordRemoteMember.in(l)
	}
	return strings.TrimSpace(clean(m.customer.Personal.FirstName) + " " + clean(m.customer.Personal.LastName))
}

// consentRow says each channel's consent in words: "e-mail oui · SMS non · …".
func consentRow(c comptoir.ConsentState, l comptoir.Lang) string {
	parts := make([]string, len(comptoir.Channels))
	for i, ch := range comptoir.Channels {
		parts[i] = ch.Format(l) + " " + yesNo(c.Granted(ch), l)
	}
	return strings.Join(parts, " · ")
}

func yesNo(b bool, l comptoir.Lang) string {
	if b {
		return wordYes.in(l)
	}
	return wordNo.in(l)
}

// pointWord is "point" or "points" as the count asks: "+1 point", "0 point" in French, "0 points"
// in English.
func pointWord(n int64, l comptoir.Lang) string {
	return plural(n, text{"point", "point"}, text{"points", "points"}, l)
}

// points writes a number of points with its thousands apart: "1 240" in French, "1,240" in
// English.
func points(n int64, l comptoir.Lang) string {
	sep := " "
	if l == comptoir.LangEN {
		sep = ","
	}
	s := strconv.FormatInt(max(n, -n), 10)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// header is a screen's header with the attached member on the right, as SCREENS.md draws it:
// the masked name and the balance beside the title, each channel's consent in words on the row
// below. Without a member it is the plain header.
func (s *members) header(c Common, sess Session, left string) []string {
	if s == nil || s.attached == nil {
		return header(c, sess, left, "")
	}
	a, l := s.attached, c.Lang
	rows := header(c, sess, left, c.Styles.Mark.Render(" "+wordMember.in(l)+" ")+"  "+a.name(l)+"  ·  "+points(a.balance, l)+" "+wordPts.in(l))
	consent := c.Styles.Info.Render(spread("", consentRow(a.consent, l)+" ", c.Width))
	return append([]string{rows[0], consent}, rows[1:]...)
}

// changeConsent gives or withdraws one channel's consent in one step, then reads the consent
// back, so that the panel shows what the store holds.
func (s *members) changeConsent(ch comptoir.Channel, granted bool) tea.Cmd {
	if s.attached == nil || s.customers == nil {
		return nil
	}
	ctx, customers, settings, id, by, at := s.ctx, s.customers, s.settings, s.attached.customer.ID, s.cashier, s.now()
	return func() tea.Msg {
		notice := comptoir.DefaultShopSettings().NoticeVersion
		if settings != nil {
			if set, err := settings.Settings(ctx); err == nil {
				notice = set.NoticeVersion
			}
		}
		ev := comptoir.ConsentEvent{Channel: ch, Granted: granted, At: at, Via: comptoir.ViaRegister, By: by, NoticeVersion: notice}
		if err := customers.ChangeConsent(ctx, id, ev); err != nil {
			return consentMsg{channel: ch, err: err}
		}
		events, err := customers.ConsentHistory(ctx, id)
		if err != nil {
			return consentMsg{channel: ch, err: err}
		}
		return consentMsg{channel: ch, consent: comptoir.DeriveConsent(events)}
	}
}
