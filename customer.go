package comptoir

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// CustomerID is a loyalty member's pseudonymous identifier. Tickets, points and consent refer to
// it, never to a name or an email, so that erasing the person leaves the accounts intact.
type CustomerID string

// Valid reports whether id is one a register draws: "M" and 16 lowercase hexadecimal digits.
// The central checks it before a member ID becomes a key of its projections.
func (id CustomerID) Valid() bool {
	if len(id) != 17 || id[0] != 'M' {
		return false
	}
	for _, c := range id[1:] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Customer is a loyalty member as the register knows them.
type Customer struct {
	ID    CustomerID `json:"id"`
	Cards []string   `json:"cards"`
	// Basis is the lawful ground of the processing, always one of the real bases: a restriction
	// or an erasure is the member's Status, beside it, so that lifting a restriction finds the
	// basis unchanged.
	Basis LawfulBasis `json:"basis"`
	// Status says whether the member's data may be processed: active, restricted or erased.
	Status Status `json:"status"`
	// Personal is empty when the member was erased, and masked unless a manager revealed it.
	Personal     Personal  `json:"personal"`
	EnrolledAt   time.Time `json:"enrolled_at"`
	LastActivity time.Time `json:"last_activity"`
	// Remote is true for a member enrolled at another shop of the chain, whom this register knows
	// from the central's change feed: it holds no personal data of theirs, so the UI names them
	// "membre d'un autre magasin" instead of a masked name.
	Remote bool `json:"remote,omitempty"`
}

// CardNumber builds the loyalty card number with a sequence: a GTIN-13 in the GS1 prefix 04,
// reserved for use inside a company, so that a card can never be mistaken for a product.
func CardNumber(seq uint64) string {
	body := fmt.Sprintf("04%010d", seq%10_000_000_000)
	return body + string(rune('0'+GTINCheckDigit(body)))
}

// ValidateCard checks a loyalty card number: a valid GTIN-13 in the prefix 04.
func ValidateCard(code string) error {
	if err := ValidateGTIN(code); err != nil {
		return err
	}
	if !IsRestrictedCirculation(code) {
		return E(CodeNotACard, code)
	}
	return nil
}

// LawfulBasis is the ground on which a member's data is processed, from the shop's CRM list.
type LawfulBasis string

// The lawful bases, in the order of the CRM list.
const (
	BasisNotApplicable       LawfulBasis = "not-applicable"
	BasisLegitimateInterests LawfulBasis = "legitimate-interests"
	BasisContract            LawfulBasis = "contract"
	BasisLegalObligation     LawfulBasis = "legal-obligation"
	BasisVitalInterests      LawfulBasis = "vital-interests"
	BasisPublicInterests     LawfulBasis = "public-interests"
	BasisConsentPending      LawfulBasis = "consent-pending"
	BasisConsentAwaiting     LawfulBasis = "consent-awaiting"
	BasisConsentObtained     LawfulBasis = "consent-obtained"
	BasisConsentNotResponded LawfulBasis = "consent-not-responded"
	// BasisStopProcessing is the CRM's name for a restriction: Comptoir reads it (an import from
	// the CRM gets a clear refusal) but a member never holds it as a basis; it is StatusRestricted.
	BasisStopProcessing  LawfulBasis = "stop-processing"
	BasisConsentDeclined LawfulBasis = "consent-declined"
	// BasisDelete is the CRM's name for an erasure: never a member's basis; it is StatusErased.
	BasisDelete LawfulBasis = "delete"
)

var lawfulBases = []struct {
	basis  LawfulBasis
	fr, en string
}{
	{BasisNotApplicable, "Non applicable", "Not Applicable"},
	{BasisLegitimateInterests, "Intérêts légitimes", "Legitimate Interests"},
	{BasisContract, "Contrat", "Contract"},
	{BasisLegalObligation, "Obligation légale", "Legal Obligation"},
	{BasisVitalInterests, "Intérêts vitaux", "Vital Interests"},
	{BasisPublicInterests, "Intérêt public", "Public Interests"},
	{BasisConsentPending, "Consentement en attente", "Consent-Pending"},
	{BasisConsentAwaiting, "Consentement attendu", "Consent-Awaiting"},
	{BasisConsentObtained, "Consentement obtenu", "Consent-Obtained"},
	{BasisConsentNotResponded, "Consentement sans réponse", "Consent-Not Responded"},
	{BasisStopProcessing, "Arrêt du traitement", "Stop Processing"},
	{BasisConsentDeclined, "Consentement refusé", "Consent-Declined"},
	{BasisDelete, "Suppression", "Delete"},
}

// LawfulBases lists the bases in the CRM's order.
func LawfulBases() []LawfulBasis {
	out := make([]LawfulBasis, len(lawfulBases))
	for i, b := range lawfulBases {
		out[i] = b.basis
	}
	return out
}

// ParseLawfulBasis reads a basis by its code ("consent-obtained") or its English CRM label
// ("Consent-Obtained", "Legitimate Interests"), case and spacing aside.
func ParseLawfulBasis(s string) (LawfulBasis, error) {
	// Spaces, hyphens and underscores, however many in a row, all separate words the same way,
	// so that "Consent - Pending" and "Legitimate  Interests" read as the CRM's labels.
	norm := func(x string) string {
		return strings.Join(strings.FieldsFunc(strings.ToLower(x), func(r rune) bool {
			return unicode.IsSpace(r) || r == '-' || r == '_'
		}), "-")
	}
	n := norm(s)
	for _, b := range lawfulBases {
		if n == string(b.basis) || n == norm(b.en) || n == norm(b.fr) {
			return b.basis, nil
		}
	}
	return "", E(CodeUnknownLawfulBasis, s)
}

// Format names the basis in a language.
func (b LawfulBasis) Format(l Lang) string {
	for _, x := range lawfulBases {
		if x.basis == b {
			if l == LangEN {
				return x.en
			}
			return x.fr
		}
	}
	return string(b)
}

// Channel is a way of contacting a member, each with its own consent.
type Channel string

// The consent channels.
const (
	ChannelEmail    Channel = "email"
	ChannelSMS      Channel = "sms"
	ChannelPhone    Channel = "phone"
	ChannelPost     Channel = "post"
	ChannelPartners Channel = "partners"
)

// Channels lists every channel; enrolment needs an explicit answer for each.
var Channels = []Channel{ChannelEmail, ChannelSMS, ChannelPhone, ChannelPost, ChannelPartners}

// ParseChannel reads a channel name in English or French.
func ParseChannel(s string) (Channel, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "email", "e-mail", "mail", "courriel":
		return ChannelEmail, nil
	case "sms":
		return ChannelSMS, nil
	case "phone", "telephone", "téléphone", "tel":
		return ChannelPhone, nil
	case "post", "courrier", "postal":
		return ChannelPost, nil
	case "partners", "partenaires":
		return ChannelPartners, nil
	}
	return "", E(CodeUnknownChannel, s)
}

// Format names the channel in a language.
func (c Channel) Format(l Lang) string {
	if n, ok := channelNames[c]; ok {
		return n.In(l)
	}
	return string(c)
}

// channelNames names each channel as a customer would.
var channelNames = map[Channel]Text{ChannelEmail: {"e-mail", "email"}, ChannelSMS: {"SMS", "SMS"},
	ChannelPhone: {"téléphone", "phone"}, ChannelPost: {"courrier", "post"}, ChannelPartners: {"partenaires", "partners"}}

// ConsentVia says through which channel a consent was given or withdrawn.
type ConsentVia string

// Where consent is collected.
const (
	ViaRegister ConsentVia = "register"
	ViaWeb      ConsentVia = "web"
	ViaEmail    ConsentVia = "email"
	// ViaCentral marks a register's record of the central's decision, when the consent the
	// central settled on differs from what the register's own history gave. It is never typed in.
	ViaCentral ConsentVia = "central"
)

// ParseConsentVia reads where a consent was collected: register, web or email.
func ParseConsentVia(s string) (ConsentVia, error) {
	switch v := ConsentVia(strings.ToLower(strings.TrimSpace(s))); v {
	case ViaRegister, ViaWeb, ViaEmail:
		return v, nil
	}
	return "", E(CodeUnknownVia, s)
}

// Format names where a consent was collected, in a language.
func (v ConsentVia) Format(l Lang) string {
	if n, ok := viaNames[v]; ok {
		return n.In(l)
	}
	return string(v)
}

// viaNames names where a consent can be collected.
var viaNames = map[ConsentVia]Text{ViaRegister: {"en caisse", "at the register"}, ViaWeb: {"sur le web", "on the web"},
	ViaEmail: {"par e-mail", "by email"}, ViaCentral: {"décision de la centrale", "decided by the central"}}

// IsStatus reports whether a value of the CRM's basis list is in fact a member's status (stop
// processing, delete) rather than a lawful ground of processing.
func (b LawfulBasis) IsStatus() bool { return b == BasisStopProcessing || b == BasisDelete }

// ForEnrolment refuses the bases that describe the end of a membership rather than a start:
// a member enrolled "in stop processing" or "to delete" would not be either.
func (b LawfulBasis) ForEnrolment() error {
	if b.IsStatus() {
		return E(CodeBasisNotForEnrolment, b)
	}
	return nil
}

// Status says whether a member's data may be processed. It stands beside the lawful basis, which
// it never replaces.
type Status string

// The statuses of a member.
const (
	// StatusActive is a member whose data is processed normally.
	StatusActive Status = "active"
	// StatusRestricted is a member who asked to stop processing (RGPD art. 18): their record is
	// kept but frozen; points, consent grants and marketing are refused, while access, export,
	// rectification, the withdrawal of consent and erasure stay possible. A manager can lift it.
	StatusRestricted Status = "restricted"
	// StatusErased is the tombstone left after the person's data was destroyed (art. 17).
	StatusErased Status = "erased"
)

// statusNames holds each status's name in French and in English.
var statusNames = map[Status]Text{
	StatusActive:     {"actif", "active"},
	StatusRestricted: {"arrêt du traitement (limitation)", "stop processing (restricted)"},
	StatusErased:     {"effacé", "erased"},
}

// Format names the status in a language.
func (s Status) Format(l Lang) string {
	if n, ok := statusNames[s]; ok {
		return n.In(l)
	}
	return string(s)
}

// ConsentEvent is one change of a member's consent on one channel. Events are only ever
// appended; the current consent is derived from them.
type ConsentEvent struct {
	Channel Channel    `json:"channel"`
	Granted bool       `json:"granted"`
	At      time.Time  `json:"at"`
	Via     ConsentVia `json:"via"`
	// By is who recorded it: a cashier's name, "web", a manager.
	By string `json:"by"`
	// NoticeVersion is the version of the information notice the member was shown.
	NoticeVersion string `json:"notice_version"`
	Remarks       string `json:"remarks,omitempty"`
}

// ConsentState is the current consent per channel: the latest event of each.
type ConsentState map[Channel]ConsentEvent

// DeriveConsent keeps, per channel, the event that wins by LatestConsent: the latest, a
// withdrawal winning a tie, and of two equal answers at the same instant the one given last. The
// central and every register decide the same way, whatever order the events arrived in. A
// channel with no event has no consent.
func DeriveConsent(events []ConsentEvent) ConsentState {
	state := ConsentState{}
	for _, e := range events {
		if cur, ok := state[e.Channel]; ok && LatestConsent(cur, e) {
			continue
		}
		state[e.Channel] = e
	}
	return state
}

// Granted reports whether the member currently consents on a channel.
func (s ConsentState) Granted(c Channel) bool { return s[c].Granted }

// ParseConsentSpec reads the answers given at enrolment, "email=yes,sms=no,phone=no,post=no,
// partners=no". Every channel needs an explicit yes or no: there is no default yes, and no
// default no that could be mistaken for an answer.
func ParseConsentSpec(spec string) (map[Channel]bool, error) {
	out := map[Channel]bool{}
	for _, part := range strings.Split(spec, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, E(CodeInvalidConsentAnswer, strings.TrimSpace(part))
		}
		c, err := ParseChannel(name)
		if err != nil {
			return nil, err
		}
		var granted bool
		switch strings.ToLower(strings.TrimSpace(value)) {
		case "yes", "y", "oui", "o", "true", "1":
			granted = true
		case "no", "n", "non", "false", "0":
		default:
			return nil, E(CodeInvalidConsentAnswer, strings.TrimSpace(part))
		}
		if _, dup := out[c]; dup {
			return nil, E(CodeInvalidConsentAnswer, strings.TrimSpace(part))
		}
		out[c] = granted
	}
	for _, c := range Channels {
		if _, ok := out[c]; !ok {
			return nil, E(CodeConsentMissing, c)
		}
	}
	return out, nil
}

// Enrolment is what a member signs up with at the counter. Consent events it records carry the
// remark "enrolment"; remarks are for such system notes, never for personal data.
type Enrolment struct {
	// ID is the member's pseudonymous ID when it is already known (members imported, demo data
	// drawn from a seed); empty, the store draws a random one.
	ID       CustomerID
	Card     string
	Personal Personal
	// Consent holds an explicit answer for every channel.
	Consent map[Channel]bool
	// Basis defaults to contract: the loyalty programme is a contract; marketing rests on the
	// per-channel consent.
	Basis         LawfulBasis
	NoticeVersion string
	Via           ConsentVia
	By            string
}

// NormalizeEnrolment checks an enrolment and fills its defaults (the contract basis, the register
// as the channel), as the store does before recording it, so that a form can say what is wrong
// before anything is written. It refuses a card that is not a loyalty card, invalid personal
// data, a channel without an explicit answer, an unknown basis or one that ends a membership
// rather than starts it, and an unknown consent channel of record. Whether the card, the email or
// the phone is already taken or blocked only the store knows.
func NormalizeEnrolment(e Enrolment) (Enrolment, error) {
	if err := ValidateCard(e.Card); err != nil {
		return Enrolment{}, err
	}
	p, err := NormalizePersonal(e.Personal)
	if err != nil {
		return Enrolment{}, err
	}
	e.Personal = p
	for _, c := range Channels {
		if _, ok := e.Consent[c]; !ok {
			return Enrolment{}, E(CodeConsentMissing, c)
		}
	}
	if e.Basis == "" {
		e.Basis = BasisContract
	}
	if _, err := ParseLawfulBasis(string(e.Basis)); err != nil {
		return Enrolment{}, err
	}
	if err := e.Basis.ForEnrolment(); err != nil {
		return Enrolment{}, err
	}
	if e.Via == "" {
		e.Via = ViaRegister
	}
	if _, err := ParseConsentVia(string(e.Via)); err != nil {
		return Enrolment{}, err
	}
	return e, nil
}

// PersonalUpdate rectifies a member's personal data: the fields given replace the old ones.
type PersonalUpdate struct {
	FirstName, LastName, Email, Phone *string
}

// Apply rectifies personal data with the fields given and returns the result, normalized, with
// the names of the fields given ("first_name", "last_name", "email", "phone"), which the audit
// trail records instead of the values. An update that gives no field is refused with
// CodeNothingToUpdate, and a result that is not valid personal data with its own error.
func (u PersonalUpdate) Apply(old Personal) (Personal, []string, error) {
	p := old
	var fields []string
	for _, f := range []struct {
		name string
		from *string
		to   *string
	}{{"first_name", u.FirstName, &p.FirstName}, {"last_name", u.LastName, &p.LastName}, {"email", u.Email, &p.Email}, {"phone", u.Phone, &p.Phone}} {
		if f.from != nil {
			*f.to = *f.from
			fields = append(fields, f.name)
		}
	}
	if len(fields) == 0 {
		return Personal{}, nil, E(CodeNothingToUpdate)
	}
	p, err := NormalizePersonal(p)
	if err != nil {
		return Personal{}, nil, err
	}
	return p, fields, nil
}

// CustomerService enrols loyalty members, finds them, and answers what the person asks of their
// data (RGPD art. 15 to 18 and 21): access, rectification, consent, restriction, erasure.
//
// Every method that names a member refuses an unknown one with CodeUnknownCustomer (CodeUnknownCard
// when found by card). The methods that read or write personal data need the master key and refuse a missing,
// unreadable or wrong key file (CodeKeyMissing, CodeKeyInvalid, CodeKeyPermissions,
// CodeKeyMismatch); the others work without it, so that a manager can still restrict or erase a
// member when the key is lost. who names the person acting, for the audit trail.
type CustomerService interface {
	// Enroll records a new member with their card, sealed personal data and an explicit consent
	// answer for every channel. It refuses what NormalizeEnrolment refuses, a card already
	// given (CodeCardTaken), an ID already used or not drawn by the store
	// (CodeInvalidCustomerID), a blocked email (CodeBlockedEmail), and an email or phone of
	// another member (CodeEmailTaken, CodePhoneTaken). A new database gets its key here.
	Enroll(ctx context.Context, e Enrolment) (Customer, error)
	// NextCard is the next free loyalty card number, for a new card. It needs no key.
	NextCard(ctx context.Context) (string, error)
	// CardOwner finds the ID of the member a card belongs to, without the key. It refuses a code
	// that is not a loyalty card with its GTIN error or CodeNotACard, and an unknown card with
	// CodeUnknownCard.
	CardOwner(ctx context.Context, card string) (CustomerID, error)
	// CustomerByCard finds a member by card, with personal data for the caller to mask. It
	// refuses a code that is not a loyalty card, and an unknown card with CodeUnknownCard.
	CustomerByCard(ctx context.Context, card string) (Customer, error)
	// CustomerByEmail finds a member by the exact email, through its keyed hash; an invalid
	// address is refused with CodeInvalidEmail, an unknown one with CodeUnknownCustomer.
	CustomerByEmail(ctx context.Context, email string) (Customer, error)
	// CustomerByPhone finds a member by the exact phone number, through its keyed hash; an
	// invalid number is refused with its error, an unknown one with CodeUnknownCustomer.
	CustomerByPhone(ctx context.Context, phone string) (Customer, error)
	// Customer reads a member by ID, with personal data for the caller to mask; an erased
	// member has none.
	Customer(ctx context.Context, id CustomerID) (Customer, error)
	// Reveal returns a member with their personal data and records in the audit trail that who
	// saw it unmasked.
	Reveal(ctx context.Context, id CustomerID, who string) (Customer, error)
	// ChangeConsent appends a consent event: giving and withdrawing take the same one step. It
	// refuses an unknown channel or channel of record, a consent given by a member in stop
	// processing (CodeStopProcessing), and any change for an erased member
	// (CodeCustomerErased). A withdrawal is always possible otherwise (RGPD art. 7(3)). It
	// needs no key.
	ChangeConsent(ctx context.Context, id CustomerID, ev ConsentEvent) error
	// ConsentHistory lists a member's consent events in the order they were recorded; the
	// current state is DeriveConsent of it. It needs no key.
	ConsentHistory(ctx context.Context, id CustomerID) ([]ConsentEvent, error)
	// UpdatePersonal rectifies a member's personal data and records which fields changed, never
	// their values. It refuses what PersonalUpdate.Apply refuses, an erased member
	// (CodeCustomerErased), a blocked email, and an email or phone of another member. A member
	// in stop processing can be rectified (RGPD art. 16 and 18).
	UpdatePersonal(ctx context.Context, id CustomerID, u PersonalUpdate, who string) (Customer, error)
	// StopProcessing restricts a member (RGPD art. 18): no points, no consent given, no
	// marketing; a sale with their card completes anonymously. Asking twice changes nothing.
	// It refuses an erased member (CodeCustomerErased) and needs no key.
	StopProcessing(ctx context.Context, id CustomerID, who string) error
	// ResumeProcessing lifts a restriction and returns the lawful basis the member has again.
	// It refuses a member who is not restricted (CodeNotRestricted) or is erased
	// (CodeCustomerErased), and needs no key.
	ResumeProcessing(ctx context.Context, id CustomerID, who string) (LawfulBasis, error)
	// Erase destroys a member's personal data (their data key) at their request and leaves a
	// tombstone that tickets and points still refer to; erasing twice changes nothing. It needs
	// no key, and refuses with CodeCompactFailed when the file could not be compacted
	// afterwards (the compaction is then retried at the next opening).
	Erase(ctx context.Context, id CustomerID, who string) error
	// Export gathers everything held on a member (right of access and portability) and records
	// the export in the audit trail.
	Export(ctx context.Context, id CustomerID, who string) (MemberExport, error)
	// NoteActivity records that a member showed up (their card was scanned), which keeps them
	// from the retention purge. It writes nothing for an erased or restricted member or for an
	// instant not after their last activity, and needs no key.
	NoteActivity(ctx context.Context, id CustomerID, at time.Time) error
}
