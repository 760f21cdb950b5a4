package comptoir

import (
	"context"
	"time"
)

// What the central hands a register at set-up and sends back in its change feed. The register
// applies changes made elsewhere (other registers, the web, the back office) without waiting for
// anyone: these types are the whole contract between the two ends, whatever stores them.

// Setup is what a register receives from the central the first time it connects, and again on
// every later set-up, unchanged: the same keys and the same block of card numbers.
type Setup struct {
	Register string `json:"register"`
	// CentralKey is the central's X25519 public key (32 bytes), which the register pins: a
	// member's data key is wrapped to it, so that only the central can open personal data sent
	// in events. A register that pinned another key refuses to go on (CodeCentralKeyChanged).
	CentralKey []byte `json:"central_key"`
	// LookupKey is the chain-wide HMAC key (32 bytes) under which every register hashes the
	// identifiers it blocks, so that the same address gives the same hash at every register.
	LookupKey []byte `json:"lookup_key"`
	// Cards is the block of loyalty card numbers (sequence part, inclusive) this register draws
	// from, so that two registers never issue the same card.
	CardsFirst uint64 `json:"cards_first"`
	CardsLast  uint64 `json:"cards_last"`
	// Now is the central's clock when it answered, for the register's clock-skew warning.
	Now time.Time `json:"now"`
}

// SetupRequest is what a register says of itself at set-up.
type SetupRequest struct {
	// Demo is true for a database that demo-data filled: the central marks the register as a
	// demo in its summary and metrics.
	Demo bool `json:"demo"`
	// Software names the register's program and version.
	Software string `json:"software,omitempty"`
}

// ClockSkewLimit is how far a register's clock may be from the central's before the register
// warns: consent changes are decided by their time, and tickets are dated by it.
const ClockSkewLimit = time.Minute

// The kinds of change in the feed.
const (
	// ChangeCatalog carries a price list to apply whole (products added or replaced).
	ChangeCatalog = "catalog"
	// ChangeMember carries a member's current state at the central: cards, balance, consent
	// per channel, status. It is how a register learns of members enrolled elsewhere, of
	// points earned elsewhere, of a stop or resume of processing.
	ChangeMember = "member"
	// ChangeConsent carries one consent event made elsewhere, for the member's history.
	ChangeConsent = "consent"
	// ChangeErased says a member was erased: the register destroys its copy of their data.
	ChangeErased = "erased"
	// ChangeBlocked carries an identifier's keyed hash (under the setup's LookupKey) that no
	// register may enrol again.
	ChangeBlocked = "blocked"
)

// Change is one entry of the change feed. Exactly one of its parts is set, by Kind.
type Change struct {
	Kind    string         `json:"kind"`
	Catalog []Product      `json:"catalog,omitempty"`
	Member  *RemoteMember  `json:"member,omitempty"`
	Consent *RemoteConsent `json:"consent,omitempty"`
	// Erased names the erased member.
	Erased CustomerID `json:"erased,omitempty"`
	// Blocked is the blocked identifier's hash, in hexadecimal.
	Blocked string `json:"blocked,omitempty"`
}

// RemoteMember is a member as the central knows them, without personal data: what a register
// needs to recognise their card and to show their balance.
type RemoteMember struct {
	ID    CustomerID `json:"id"`
	Cards []string   `json:"cards"`
	// Balance is the sum of every register's ledger for this member, including the receiving
	// register's own entries up to ticket AsOfTicket. The register shows Balance plus its own
	// entries after that ticket, so that nothing is counted twice.
	Balance    int64  `json:"balance"`
	AsOfTicket uint64 `json:"as_of_ticket"`
	// Consent is the current consent per channel, as the central decided it.
	Consent map[Channel]bool `json:"consent"`
	Status  Status           `json:"status"`
	// Flags name what the central noticed: FlagOverspent, FlagCardConflict.
	Flags []string `json:"flags,omitempty"`
	// LastActivity is the member's latest activity anywhere in the chain, so that a shop's
	// retention purge never judges a member inactive who buys at another shop.
	LastActivity time.Time `json:"last_activity,omitzero"`
}

// Flags the central puts on a member.
const (
	// FlagOverspent marks a member whose balance went below zero, offline redemptions at two
	// registers having spent the same points.
	FlagOverspent = "overspent"
	// FlagCardConflict marks a member one of whose cards another member's enrolment also used.
	FlagCardConflict = "card-conflict"
)

// RemoteConsent is one consent event made elsewhere for a member.
type RemoteConsent struct {
	ID    CustomerID   `json:"id"`
	Event ConsentEvent `json:"event"`
}

// ChangesPage is one page of the change feed: the changes after the cursor the register gave,
// the cursor to give next time, and whether more changes wait.
type ChangesPage struct {
	Changes []Change `json:"changes"`
	// Next is opaque to the register, which stores it in the transaction that applies the page.
	Next string `json:"next"`
	More bool   `json:"more"`
	// Now is the central's clock when it answered.
	Now time.Time `json:"now"`
}

// MaxChangesPage is the most changes one page holds, and the default page.
const MaxChangesPage = 1000

// LatestConsent reports whether consent event a wins over b on the same channel: the later At
// wins, and a withdrawal wins a tie. Every register and the central decide with it, so that they
// all reach the same state whatever order the events arrive in.
func LatestConsent(a, b ConsentEvent) bool {
	if !a.At.Equal(b.At) {
		return a.At.After(b.At)
	}
	return !a.Granted && b.Granted
}

// SealedPersonal is a member's personal data as it travels to the central: sealed under the
// member's own data key, and that key wrapped to the central's public key. Neither part is ever
// in clear on a register's disk, in its outbox or in a log; destroying the wrapped key (at the
// central) and the data key (at the register) makes every copy unreadable.
type SealedPersonal struct {
	// Key is the member's data key wrapped to the central key: an ephemeral X25519 public key,
	// then the data key sealed with AES-256-GCM under a key derived with HKDF-SHA256.
	Key []byte `json:"key"`
	// Data is the personal data (JSON of Personal) sealed with AES-256-GCM under the data key,
	// the member's ID as additional data.
	Data []byte `json:"data"`
}

// CentralMember is a member as the back office sees them at the central.
type CentralMember struct {
	RemoteMember
	// Personal is masked unless revealed; empty after an erasure.
	Personal   Personal  `json:"personal"`
	Revealed   bool      `json:"revealed"`
	EnrolledAt time.Time `json:"enrolled_at,omitzero"`
	// Registers lists the registers that recorded something for this member.
	Registers []string `json:"registers,omitempty"`
}

// CentralConsent is a consent change made centrally: on the web, through an email link, by the
// back office. At defaults to the central's clock, and a date after it counts at the central's
// clock.
type CentralConsent struct {
	Channel       Channel    `json:"channel"`
	Granted       bool       `json:"granted"`
	Via           ConsentVia `json:"via"`
	NoticeVersion string     `json:"notice_version,omitempty"`
	By            string     `json:"by,omitempty"`
	At            time.Time  `json:"at,omitzero"`
}

// CentralFeed is the central's side of the pull: set-up and the change feed. Both speak for one
// register, named by its token.
type CentralFeed interface {
	// Setup records what the register says of itself and returns its keys and card block,
	// the same on every call.
	Setup(ctx context.Context, register string, req SetupRequest) (Setup, error)
	// Changes lists up to limit changes after cursor ("" for the beginning) that the register
	// has to apply: changes that came from other registers and from the central itself.
	Changes(ctx context.Context, register, cursor string, limit int) (ChangesPage, error)
}

// CentralMembers is the back office's side: members across the chain, and the changes made
// centrally that every register applies on its next pull.
type CentralMembers interface {
	// Member finds a member by card (CodeUnknownCard otherwise). With reveal, the personal
	// data is opened and the reveal is recorded in the central's audit under who.
	Member(ctx context.Context, card string, reveal bool, who string) (CentralMember, error)
	// MemberByEmail finds a member by exact email address (CodeUnknownCustomer otherwise).
	MemberByEmail(ctx context.Context, email string, reveal bool, who string) (CentralMember, error)
	// Consent records a consent change made centrally and returns the member's new state.
	Consent(ctx context.Context, card string, c CentralConsent) (CentralMember, error)
	// Erase destroys the member's wrapped key and personal data at the central and queues
	// the erasure for every register.
	Erase(ctx context.Context, card, who string) error
	// PutCatalog stores a price list that every register applies on its next pull and says
	// how many products it holds. Every product is checked first: one bad product refuses all.
	PutCatalog(ctx context.Context, products []Product) (int, error)
}

// CentralService is everything the central's HTTP layer needs from its storage.
type CentralService interface {
	CentralStore
	CentralFeed
	CentralMembers
}

// FeedService is the register's side of the pull.
type FeedService interface {
	// ApplySetup pins the central's key, stores the lookup key and the card block. A central
	// key other than the one pinned is refused with CodeCentralKeyChanged.
	ApplySetup(ctx context.Context, s Setup) error
	// SyncSetup returns what ApplySetup stored; ok is false before the first set-up.
	SyncSetup(ctx context.Context) (s Setup, ok bool, err error)
	// ApplyChanges applies a page of changes and stores its next cursor in one transaction.
	ApplyChanges(ctx context.Context, page ChangesPage) error
	// Cursor is the cursor stored by the last ApplyChanges, "" before the first.
	Cursor(ctx context.Context) (string, error)
}
