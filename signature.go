package comptoir

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Chain names one signature chain. The journal's records are signed per type, as the certified
// register software we studied keeps them: each signature covers the previous signature of its
// own chain, so that a record deleted or moved within a chain breaks the next one's signature.
type Chain string

// The signature chains. Tickets and closings share one hash chain in the journal (their
// prev_hash links them in the order they were recorded) but are signed in two chains.
const (
	// ChainTickets signs sales and refunds, training tickets included.
	ChainTickets Chain = "tickets"
	// ChainClosings signs the day, month and year closings.
	ChainClosings Chain = "closings"
	// ChainReprints signs every duplicate printed of a ticket.
	ChainReprints Chain = "reprints"
	// ChainEvents signs the technical event log.
	ChainEvents Chain = "events"
	// ChainKeys signs the declarations of the register's signing keys.
	ChainKeys Chain = "keys"
)

// Chains lists the signature chains in the order verify reports them.
var Chains = []Chain{ChainTickets, ChainClosings, ChainReprints, ChainEvents, ChainKeys}

// The record kinds besides tickets and closings: each lives in a chain of its own, in a journal
// bucket of its own, hashed and linked like tickets and closings are.
const (
	ReprintRecord RecordKind = "reprint"
	EventRecord   RecordKind = "event"
	KeyRecord     RecordKind = "key"
)

// ChainOf is the signature chain a record kind belongs to.
func ChainOf(k RecordKind) Chain {
	switch k {
	case TicketRecord:
		return ChainTickets
	case ClosingRecord:
		return ChainClosings
	case ReprintRecord:
		return ChainReprints
	case EventRecord:
		return ChainEvents
	case KeyRecord:
		return ChainKeys
	}
	return ""
}

// KindOfChain is the record kind a chain holds; a failure of the ticket chain names a ticket.
func KindOfChain(c Chain) RecordKind {
	for _, k := range []RecordKind{TicketRecord, ClosingRecord, ReprintRecord, EventRecord, KeyRecord} {
		if ChainOf(k) == c {
			return k
		}
	}
	return ""
}

// Label names a chain in a language, as verify reports it.
func (c Chain) Label(l Lang) string {
	t, ok := map[Chain]Text{
		ChainTickets:  {FR: "chaîne des tickets", EN: "ticket chain"},
		ChainClosings: {FR: "chaîne des clôtures", EN: "closing chain"},
		ChainReprints: {FR: "chaîne des duplicatas", EN: "reprint chain"},
		ChainEvents:   {FR: "journal des événements techniques", EN: "technical event log"},
		ChainKeys:     {FR: "chaîne des clés de signature", EN: "signing key chain"},
	}[c]
	if !ok {
		return string(c)
	}
	return t.In(l)
}

// Format names the chain in a language, so that a refusal naming a chain reads in the user's
// language.
func (c Chain) Format(l Lang) string { return c.Label(l) }

// Signature is a record's signature as it is kept beside the record (never inside it, so that a
// record's bytes and hash stay what the central and older versions already hold).
type Signature struct {
	Chain Chain `json:"chain"`
	// Key is the number of the key record whose key made the signature.
	Key uint64 `json:"key"`
	// First marks the first signed record of its chain: it has no previous signature, and the
	// records of the chain before it (made before the register had a key) are verified by their
	// hash chain only.
	First bool `json:"first,omitempty"`
	// Prev is the previous signature of the chain, as Value writes it; empty on the first.
	Prev string `json:"prev,omitempty"`
	// Value is the Ed25519 signature over SignedFields.Canonical, base64url without padding.
	Value string `json:"sig"`
}

// SignedFields are the business values a record's signature covers, built by SignedFieldsOf from
// the record's bytes. They name no database id, so a restored backup verifies.
type SignedFields struct {
	Chain Chain
	// Type is the record's type: "sale", "refund", "training", "closing-day", "closing-month",
	// "closing-year", "reprint", a technical event's code, or a key record's reason.
	Type     string
	Register string
	Number   uint64
	At       time.Time
	// VAT is the totals per VAT rate; Total the total tax included.
	VAT   []VATLine
	Total Money
	// GrandTotal and GrandTotalAbs are the perpetual grand totals a closing carries (a ticket
	// carries GrandTotal only).
	GrandTotal    Money
	GrandTotalAbs Money
	First         bool
	// Prev is the previous signature of the chain (Signature.Value), empty on the first record.
	Prev string
	// Hash is the SHA-256 of the record's bytes, hex-encoded: through it the signature covers
	// every line and payment too.
	Hash string
}

// signingVersion starts every canonical string, so that a later format cannot be confused with
// this one.
const signingVersion = "comptoir-sig-1"

// Canonical is the string that is signed: the fields in a fixed order, separated by '|', amounts
// in cents, the date-time in UTC to the nanosecond (RFC 3339), the VAT lines sorted by rate as
// rate:base:vat:ttc joined by ','. It is what an auditor recomputes from an archive.
func (f SignedFields) Canonical() []byte {
	vat := slices.Clone(f.VAT)
	slices.SortFunc(vat, func(a, b VATLine) int { return int(a.Rate) - int(b.Rate) })
	var b strings.Builder
	b.Grow(256)
	field := func(s string) { b.WriteString(s); b.WriteByte('|') }
	num := func(n int64) { field(strconv.FormatInt(n, 10)) }
	field(signingVersion)
	field(string(f.Chain))
	field(f.Type)
	field(f.Register)
	field(strconv.FormatUint(f.Number, 10))
	field(f.At.UTC().Format(time.RFC3339Nano))
	for i, v := range vat {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(v.Rate), 10) + ":" + strconv.FormatInt(int64(v.Base), 10) + ":" +
			strconv.FormatInt(int64(v.VAT), 10) + ":" + strconv.FormatInt(int64(v.TTC), 10))
	}
	b.WriteByte('|')
	num(int64(f.Total))
	num(int64(f.GrandTotal))
	num(int64(f.GrandTotalAbs))
	if f.First {
		field("1")
	} else {
		field("0")
	}
	field(f.Prev)
	b.WriteString(f.Hash)
	return []byte(b.String())
}

// SignRecord signs a record's fields with a private key and returns the signature's value.
func SignRecord(key ed25519.PrivateKey, f SignedFields) string {
	return base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, f.Canonical()))
}

// VerifyRecord reports whether value is a valid signature of the fields by the public key.
func VerifyRecord(pub ed25519.PublicKey, f SignedFields, value string) bool {
	sig, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(sig) != ed25519.SignatureSize || len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(pub, f.Canonical(), sig)
}

// KeyFingerprint is a public key's fingerprint as Z reports and `verify --archive
// --key-fingerprint` write it: the first 10 bytes of its SHA-256 in hexadecimal, in five groups
// of four ("1a2b-3c4d-5e6f-7a8b-9c0d"), short enough to read aloud and compare on paper.
func KeyFingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	h := hex.EncodeToString(sum[:10])
	return h[0:4] + "-" + h[4:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20]
}

// SignatureExtract is the four characters of a signature a receipt prints: its 3rd, 7th, 13th and
// 19th, as the certified products print them. Empty when the signature is shorter (an unsigned
// ticket made before the register had a key).
func SignatureExtract(value string) string {
	if len(value) < 19 {
		return ""
	}
	return string([]byte{value[2], value[6], value[12], value[18]})
}

// KeyReason says why a signing key was recorded.
type KeyReason string

// The reasons for a key record.
const (
	// KeyCreated is the register's first key, made at set-up or by the migration of a journal
	// that had none. The records before it are verified by their hash chain only.
	KeyCreated KeyReason = "created"
	// KeyRotated is a new key whose record the previous key signed: the chain goes on unbroken.
	KeyRotated KeyReason = "rotated"
	// KeyReplaced is a new key made because the previous one was lost: its record is signed by
	// itself only, a declared break that verify reports as such.
	KeyReplaced KeyReason = "replaced"
)

// SigningKeyRecord declares a signing key in the key chain. Its public key verifies every record
// of every chain after the positions From names, until the next key record.
type SigningKeyRecord struct {
	Register string    `json:"register"`
	Number   uint64    `json:"number"`
	At       time.Time `json:"at"`
	Reason   KeyReason `json:"reason"`
	// PublicKey is the Ed25519 public key, base64 (standard, padded).
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"`
	// From holds, per chain, the number of the last record made before this key: the key signs
	// the records after it. A chain that had no record yet is absent (zero).
	From map[Chain]uint64 `json:"from"`
	// By is the user who recorded the key, empty for the one made at set-up.
	By       string `json:"by,omitempty"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"-"`
}

// Public decodes the record's public key.
func (k SigningKeyRecord) Public() (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, E(CodeSigningKeyInvalid, Text{FR: "clé publique de l'enregistrement de clé", EN: "key record's public key"})
	}
	return ed25519.PublicKey(b), nil
}

// Reprint records a duplicate printed of a ticket, in the reprint chain.
type Reprint struct {
	Register string `json:"register"`
	// Number is the reprint's number in the reprint chain.
	Number uint64 `json:"number"`
	// Ticket is the ticket reprinted; Copy the print's number (2 for the first duplicate, as
	// ReceiptPlan.Copy), so that the duplicate says "DUPLICATA n° Copy-1".
	Ticket uint64    `json:"ticket"`
	Copy   int       `json:"copy"`
	At     time.Time `json:"at"`
	// Day is the business day of the reprint, which decides the archive it falls in.
	Day string `json:"day"`
	By  string `json:"by,omitempty"`
	// VAT and Total are the reprinted ticket's, which the reprint's signature covers.
	VAT        []VATLine `json:"vat"`
	Total      Money     `json:"total"`
	TicketHash string    `json:"ticket_hash"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"-"`
	Signature  string    `json:"-"`
}

// TechCode is the kind of a technical event.
type TechCode string

// The technical events the register records (journal des événements techniques).
const (
	TechStart           TechCode = "start"
	TechStop            TechCode = "stop"
	TechLogin           TechCode = "login"
	TechLogout          TechCode = "logout"
	TechPINRefused      TechCode = "pin-refused"
	TechTrainingOn      TechCode = "training-on"
	TechTrainingOff     TechCode = "training-off"
	TechLineVoided      TechCode = "line-voided"
	TechTicketAbandoned TechCode = "ticket-abandoned"
	TechCatalogImport   TechCode = "catalog-import"
	TechSettingsChanged TechCode = "settings-changed"
	TechArchiveExport   TechCode = "archive-export"
	TechVerify          TechCode = "verify"
	TechSyncAnomaly     TechCode = "sync-anomaly"
	TechSaleError       TechCode = "sale-error"
	TechKeyCreated      TechCode = "key-created"
	TechKeyRotated      TechCode = "key-rotated"
	TechKeyReplaced     TechCode = "key-replaced"
)

// TechCodes lists every technical event code, in the order a listing explains them.
var TechCodes = []TechCode{TechStart, TechStop, TechLogin, TechLogout, TechPINRefused, TechTrainingOn,
	TechTrainingOff, TechLineVoided, TechTicketAbandoned, TechCatalogImport, TechSettingsChanged,
	TechArchiveExport, TechVerify, TechSyncAnomaly, TechSaleError, TechKeyCreated, TechKeyRotated,
	TechKeyReplaced}

var techLabels = map[TechCode]Text{
	TechStart:           {FR: "démarrage", EN: "start"},
	TechStop:            {FR: "arrêt", EN: "stop"},
	TechLogin:           {FR: "connexion", EN: "login"},
	TechLogout:          {FR: "déconnexion", EN: "logout"},
	TechPINRefused:      {FR: "code PIN refusé", EN: "PIN refused"},
	TechTrainingOn:      {FR: "mode formation activé", EN: "training mode on"},
	TechTrainingOff:     {FR: "mode formation désactivé", EN: "training mode off"},
	TechLineVoided:      {FR: "ligne annulée", EN: "line voided"},
	TechTicketAbandoned: {FR: "ticket abandonné", EN: "ticket abandoned"},
	TechCatalogImport:   {FR: "import du catalogue", EN: "catalogue import"},
	TechSettingsChanged: {FR: "réglage modifié", EN: "setting changed"},
	TechArchiveExport:   {FR: "archive exportée", EN: "archive exported"},
	TechVerify:          {FR: "vérification du journal", EN: "journal verification"},
	TechSyncAnomaly:     {FR: "anomalie de synchronisation", EN: "sync anomaly"},
	TechSaleError:       {FR: "vente interrompue par une erreur", EN: "sale stopped by an error"},
	TechKeyCreated:      {FR: "clé de signature créée", EN: "signing key created"},
	TechKeyRotated:      {FR: "clé de signature renouvelée", EN: "signing key rotated"},
	TechKeyReplaced:     {FR: "clé de signature remplacée (perdue)", EN: "signing key replaced (lost)"},
}

// Label names the event in a language.
func (c TechCode) Label(l Lang) string {
	if t, ok := techLabels[c]; ok {
		return t.In(l)
	}
	return string(c)
}

// Known reports whether the code is one this version records.
func (c TechCode) Known() bool { _, ok := techLabels[c]; return ok }

// TechEvent is one entry of the technical event log. It names the user (a login, never a
// customer) and says what happened in Detail, which holds no personal data.
type TechEvent struct {
	Register string    `json:"register"`
	Number   uint64    `json:"number"`
	At       time.Time `json:"at"`
	Day      string    `json:"day"`
	Code     TechCode  `json:"code"`
	User     string    `json:"user,omitempty"`
	// Detail says what the event concerns: the ticket, the line, the setting, the file, the
	// verification's result, the error's sentence (in English, the log's fixed language).
	Detail    string `json:"detail,omitempty"`
	PrevHash  string `json:"prev_hash"`
	Hash      string `json:"-"`
	Signature string `json:"-"`
}

// actorKey is the context key of who acts.
type actorKey struct{}

// WithActor says who acts in a context: the user a change made through it is recorded for, in
// the technical event log, when the call itself names nobody (a catalogue import, a setting).
func WithActor(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, actorKey{}, user)
}

// ActorFrom is who acts in a context, empty when no one was said.
func ActorFrom(ctx context.Context) string {
	user, _ := ctx.Value(actorKey{}).(string)
	return user
}

// MaxTechDetail bounds a technical event's detail, in bytes: the log is not a place for files.
const MaxTechDetail = 512

// TechLog records and lists the technical event log.
type TechLog interface {
	// LogEvent appends an event to the log, chained and signed, in a transaction of its own.
	// It refuses an unknown code (CodeUnknownTechEvent); a detail longer than MaxTechDetail is
	// cut, never refused, because the event matters more than its words.
	LogEvent(ctx context.Context, code TechCode, user, detail string) error
	// TechEvents lists the events from since on (all when since is zero), oldest first, at most
	// limit of the latest when limit > 0.
	TechEvents(ctx context.Context, since time.Time, limit int) ([]TechEvent, error)
}

// KeyInfo describes the register's signing key in effect.
type KeyInfo struct {
	Number      uint64
	Reason      KeyReason
	Fingerprint string
	PublicKey   string
	At          time.Time
}

// KeyService reads and changes the register's signing key.
type KeyService interface {
	// SigningKey is the key in effect; its Number is zero while the journal has none yet (a
	// register gets its key with its first record).
	SigningKey(ctx context.Context) (KeyInfo, error)
	// RotateKey makes a new key, records it signed by the current one, and writes its file in
	// place of the old once the record is durable (it waits as <file>.new until then; a crash in
	// between is finished by the next use of the key).
	RotateKey(ctx context.Context, by string) (KeyInfo, error)
	// ReplaceKey makes a new key when the current one is lost: its record is a declared break.
	// It refuses when the current key file is present and valid (CodeSigningKeyPresent): a key
	// that is not lost is rotated; and a key file refused for its permissions or unreadable
	// (that refusal): it is still the key. A file that is not the journal's key is set aside.
	ReplaceKey(ctx context.Context, by string) (KeyInfo, error)
}

// ArchiveSummary is what an archive export wrote.
type ArchiveSummary struct {
	Period      string
	Tickets     int
	Closings    int
	Reprints    int
	Events      int
	Keys        int
	Fingerprint string
	Bytes       int64
}

// ArchiveService exports the fiscal archive of a closed period.
type ArchiveService interface {
	// ExportArchive writes the archive of a closed month (YYYY-MM) or year (YYYY) to w and
	// records the export as a technical event by the user. It refuses a malformed period
	// (CodeInvalidPeriod), a day, and a period without its closing (CodePeriodNotClosed).
	ExportArchive(ctx context.Context, period string, w io.Writer, by string) (ArchiveSummary, error)
}

// ChainHead is where a chain stands: its last record's number, hash and signature.
type ChainHead struct {
	Chain     Chain  `json:"chain"`
	Number    uint64 `json:"number"`
	Hash      string `json:"hash,omitempty"`
	Signature string `json:"signature,omitempty"`
}

// SignedFieldsOf builds the signed fields of a record of a kind from its bytes (the journal's
// record body, the exact bytes hashed), the hex SHA-256 of those bytes and its signature's chain
// position (first, prev). It is the one function the store, the central and the archive
// verifier share, so that all three check the same string; it reads the record as the record's
// own SignedFields method, which signs it, does. It refuses a record it cannot read with
// CodeCorruptRecord.
func SignedFieldsOf(kind RecordKind, body []byte, hash string, first bool, prev string) (SignedFields, error) {
	bad := E(CodeCorruptRecord, Text{FR: "enregistrement signé", EN: "signed record"})
	switch kind {
	case TicketRecord:
		// Only the fields the signature covers are read: the lines are covered by the hash.
		var s struct {
			Register   string    `json:"register"`
			Number     uint64    `json:"number"`
			At         time.Time `json:"at"`
			Training   bool      `json:"training"`
			RefundOf   uint64    `json:"refund_of"`
			VAT        []VATLine `json:"vat"`
			Total      Money     `json:"total"`
			GrandTotal Money     `json:"grand_total"`
		}
		if json.Unmarshal(body, &s) != nil {
			return SignedFields{}, bad
		}
		return Sale{Register: s.Register, Number: s.Number, At: s.At, Training: s.Training, RefundOf: s.RefundOf,
			VAT: s.VAT, Total: s.Total, GrandTotal: s.GrandTotal}.SignedFields(hash, first, prev), nil
	case ClosingRecord:
		var c Closing
		if json.Unmarshal(body, &c) != nil {
			return SignedFields{}, bad
		}
		return c.SignedFields(hash, first, prev), nil
	case ReprintRecord:
		var r Reprint
		if json.Unmarshal(body, &r) != nil {
			return SignedFields{}, bad
		}
		return r.SignedFields(hash, first, prev), nil
	case EventRecord:
		var e TechEvent
		if json.Unmarshal(body, &e) != nil {
			return SignedFields{}, bad
		}
		return e.SignedFields(hash, first, prev), nil
	case KeyRecord:
		var k SigningKeyRecord
		if json.Unmarshal(body, &k) != nil {
			return SignedFields{}, bad
		}
		return k.SignedFields(hash, first, prev), nil
	}
	return SignedFields{}, bad
}

// SignedFields are the values a ticket's signature covers, given its record's hash and its place
// in the ticket chain. Its type is "sale", "refund" or "training".
func (s Sale) SignedFields(hash string, first bool, prev string) SignedFields {
	typ := "sale"
	switch {
	case s.Training:
		typ = "training"
	case s.RefundOf != 0:
		typ = "refund"
	}
	return SignedFields{Chain: ChainTickets, Type: typ, Register: s.Register, Number: s.Number, At: s.At,
		VAT: s.VAT, Total: s.Total, GrandTotal: s.GrandTotal, First: first, Prev: prev, Hash: hash}
}

// SignedFields are the values a closing's signature covers: its totals per VAT rate and total,
// and both perpetual grand totals. Its type is "closing-" and its kind.
func (c Closing) SignedFields(hash string, first bool, prev string) SignedFields {
	return SignedFields{Chain: ChainClosings, Type: "closing-" + string(c.Kind), Register: c.Register, Number: c.Number,
		At: c.At, VAT: c.Totals.VAT, Total: c.Totals.Total, GrandTotal: c.GrandTotal, GrandTotalAbs: c.GrandTotalAbs,
		First: first, Prev: prev, Hash: hash}
}

// SignedFields are the values a reprint's signature covers: the reprinted ticket's totals.
func (r Reprint) SignedFields(hash string, first bool, prev string) SignedFields {
	return SignedFields{Chain: ChainReprints, Type: "reprint", Register: r.Register, Number: r.Number, At: r.At,
		VAT: r.VAT, Total: r.Total, First: first, Prev: prev, Hash: hash}
}

// SignedFields are the values a technical event's signature covers; its type is its code.
func (e TechEvent) SignedFields(hash string, first bool, prev string) SignedFields {
	return SignedFields{Chain: ChainEvents, Type: string(e.Code), Register: e.Register, Number: e.Number, At: e.At,
		First: first, Prev: prev, Hash: hash}
}

// SignedFields are the values a key record's signature covers; its type is "key-" and its
// reason. The public key itself is covered by the record's hash.
func (k SigningKeyRecord) SignedFields(hash string, first bool, prev string) SignedFields {
	return SignedFields{Chain: ChainKeys, Type: "key-" + string(k.Reason), Register: k.Register, Number: k.Number, At: k.At,
		First: first, Prev: prev, Hash: hash}
}

// AbsGrandTotal adds a ticket to the perpetual grand total in absolute value that closings
// carry: the sum of every real ticket's total with its sign dropped, so that refunds add to it
// instead of cancelling sales. Training tickets count nowhere.
func AbsGrandTotal(before Money, s Sale) Money {
	if s.Training {
		return before
	}
	return before + max(s.Total, -s.Total)
}
