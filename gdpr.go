package comptoir

import (
	"time"
	"unicode/utf8"
)

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

// The audited actions of users (issue 8): who logged in and out, which PINs were refused, and
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

// auditActionNames names each audited action for an auditor, in French and English. The value
// "resume-processing" is the lifting of a restriction (RGPD art. 18); its label is here before its
// constant so that the audit trail never shows a raw action name.
var auditActionNames = map[AuditAction]struct{ fr, en string }{
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
}

// Format names the action in a language. An action this version does not know (written by a newer
// one) shows as its stored name rather than not at all.
func (a AuditAction) Format(l Lang) string {
	n, ok := auditActionNames[a]
	switch {
	case !ok:
		return string(a)
	case l == LangEN:
		return n.en
	}
	return n.fr
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
