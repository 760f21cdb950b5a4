package comptoir

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultRetentionYears is how long a member may stay without activity before the retention purge
// erases them: the CNIL's benchmark for a loyalty file, three years. The record of processing
// activities states it, and the purge offers it.
const DefaultRetentionYears = 3

// AuditAction names what someone did that an auditor may ask about: to a member's data, or to
// the users of the register and their logins.
type AuditAction string

// The audited actions.
const (
	AuditEnrol          AuditAction = "enrol"
	AuditUpdate         AuditAction = "update"
	AuditReveal         AuditAction = "reveal"
	AuditExport         AuditAction = "export"
	AuditErase          AuditAction = "erase"
	AuditBlock          AuditAction = "block"
	AuditStopProcessing AuditAction = "stop-processing"
	AuditConsent        AuditAction = "consent"
	// AuditResumeProcessing is a manager lifting a restriction (stop processing).
	AuditResumeProcessing AuditAction = "resume-processing"
)

// The audited actions of users: who logged in and out, which PINs were refused, and
// every change to an account. Their entries name no member; the detail is the user acted on, or
// why a login was refused.
const (
	AuditLogin        AuditAction = "login"
	AuditLogout       AuditAction = "logout"
	AuditPINRefused   AuditAction = "pin-refused"
	AuditUserAdded    AuditAction = "user-added"
	AuditUserDisabled AuditAction = "user-disabled"
	AuditPINChanged   AuditAction = "pin-changed"
)

// auditActionNames names each audited action for an auditor.
var auditActionNames = map[AuditAction]Text{
	AuditEnrol:            {"inscription", "enrolment"},
	AuditUpdate:           {"rectification", "rectification"},
	AuditReveal:           {"affichage en clair", "data revealed"},
	AuditExport:           {"export des données", "data export"},
	AuditErase:            {"effacement", "erasure"},
	AuditBlock:            {"blocage d'adresse", "address blocked"},
	AuditStopProcessing:   {"arrêt du traitement", "processing stopped"},
	AuditConsent:          {"consentement", "consent changed"},
	AuditResumeProcessing: {"reprise du traitement", "processing resumed"},
	AuditLogin:            {"connexion", "logged in"},
	AuditLogout:           {"déconnexion", "logged out"},
	AuditPINRefused:       {"code PIN refusé", "PIN refused"},
	AuditUserAdded:        {"utilisateur ajouté", "user added"},
	AuditUserDisabled:     {"utilisateur désactivé", "user disabled"},
	AuditPINChanged:       {"code PIN changé", "PIN changed"},
	AuditLineVoided:       {"ligne annulée", "line voided"},
	AuditTicketAbandoned:  {"ticket abandonné", "ticket abandoned"},
}

// Format names the action in a language. An action this version does not know (written by a newer
// one) shows as its stored name rather than not at all.
func (a AuditAction) Format(l Lang) string {
	if n, ok := auditActionNames[a]; ok {
		return n.In(l)
	}
	return string(a)
}

// personalFields names the fields of a member's personal data, as a rectification's audit entry
// lists them.
var personalFields = map[string]Text{
	"first_name": {"prénom", "first name"},
	"last_name":  {"nom", "last name"},
	"email":      {"e-mail", "email"},
	"phone":      {"téléphone", "phone"},
}

// IsPersonalField reports whether name is the stored name of a field of a member's personal data
// (first_name, last_name, email, phone): the names, never the values, are what an audit entry of a
// rectification holds.
func IsPersonalField(name string) bool {
	_, ok := personalFields[name]
	return ok
}

// DetailIn says an audit entry's detail in a language: a consent change's channel, the reason a
// PIN was refused and the fields a rectification changed have names in each language; any other
// detail is shown as stored.
func (a AuditEntry) DetailIn(l Lang) string {
	switch a.Action {
	case AuditConsent:
		return Channel(a.Detail).Format(l)
	case AuditPINRefused:
		return RefusalReason(a.Detail).Format(l)
	case AuditLineVoided, AuditTicketAbandoned:
		return tillDetailIn(a, l)
	case AuditUpdate:
		names := strings.Split(a.Detail, ",")
		for i, f := range names {
			if t, ok := personalFields[f]; ok {
				names[i] = t.In(l)
			}
		}
		return strings.Join(names, ", ")
	}
	return a.Detail
}

// AuditActionWidth is the width, in characters, of the longest action name in a language, so that
// a listing of the audit trail can align its columns before it has read the trail.
func AuditActionWidth(l Lang) int {
	w := 0
	for a := range auditActionNames {
		w = max(w, utf8.RuneCountInString(a.Format(l)))
	}
	return w
}

// AuditEntry is one line of the audit trail: who did what, when, to which member.
type AuditEntry struct {
	Seq      uint64      `json:"seq"`
	At       time.Time   `json:"at"`
	Who      string      `json:"who"`
	Action   AuditAction `json:"action"`
	Customer CustomerID  `json:"customer,omitempty"`
	// Detail says more without personal data: the channel of a consent change, the fields of a
	// rectification.
	Detail string `json:"detail,omitempty"`
}

// TicketSummary is a ticket as a member's export shows it: when, where, how much.
type TicketSummary struct {
	Register       string    `json:"register"`
	Number         uint64    `json:"number"`
	At             time.Time `json:"at"`
	Total          Money     `json:"total"`
	PointsEarned   int64     `json:"points_earned"`
	PointsRedeemed int64     `json:"points_redeemed"`
}

// MemberExport is everything held on a person, as the right of access and portability asks:
// identity, cards, consent history, points ledger and tickets.
type MemberExport struct {
	ExportedAt time.Time       `json:"exported_at"`
	Customer   Customer        `json:"customer"`
	Consent    []ConsentEvent  `json:"consent_history"`
	Points     []PointsEntry   `json:"points_ledger"`
	Balance    int64           `json:"points_balance"`
	Tickets    []TicketSummary `json:"tickets"`
}

// GDPRService keeps the shop's obligations about members' data that concern no single member's
// request: the block list, the audit trail and the retention purge. (The record of processing
// activities is written from the settings by ProcessingRegister.)
type GDPRService interface {
	// Block puts an email on the block list: it can then be neither enrolled nor written onto
	// any member. It refuses an invalid address (CodeInvalidEmail) and the key errors; a new
	// database gets its key here.
	Block(ctx context.Context, email, who string) error
	// Audit lists the audit trail, oldest first, all in memory; a listing goes through
	// EachAudit instead.
	Audit(ctx context.Context) ([]AuditEntry, error)
	// EachAudit calls fn with every entry of the audit trail, oldest first, as it reads them in
	// one read transaction. It stops at the first error fn returns, which it returns, and with
	// the context's error when the context is cancelled.
	EachAudit(ctx context.Context, fn func(AuditEntry) error) error
	// PurgeInactive erases every member with no activity since before, as the retention period
	// asks, and returns their IDs in order; with dryRun it only lists them. All erasures commit
	// together; it refuses with CodeCompactFailed when the file could not be compacted after.
	PurgeInactive(ctx context.Context, before time.Time, dryRun bool, who string) ([]CustomerID, error)
}
