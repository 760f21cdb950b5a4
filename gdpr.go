package comptoir

import "time"

// AuditAction names what a manager did to a member's data that an auditor may ask about.
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
