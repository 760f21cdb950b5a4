package ui_test

import (
	"context"
	"fmt"
	"time"

	"github.com/comptoir/comptoir"
)

// Cards of the fake members.
const (
	cardZoe       = "0400000000015" // active, 1 240 points, email yes, the rest no
	cardRestrict  = "0400000000022" // in stop processing
	cardErased    = "0400000000039" // erased at their request
	cardUnknown   = "0400000000046" // a loyalty card nobody holds
	cardPoor      = "0400000000053" // active, 40 points
	blockedEmail  = "spam@exemple.fr"
	takenEmail    = "zoe@exemple.fr"
	firstFreeCard = "0400000000060"
)

// cardRemote is the card of a member enrolled at another shop: 340 points at the central, SMS
// yes as the central says, no personal data here.
var cardRemote = comptoir.CardNumber(100_001)

// fakeMember is a member held in memory: personal data in clear, as the store hands it over
// for the caller to mask.
type fakeMember struct {
	c       comptoir.Customer
	consent []comptoir.ConsentEvent
	ledger  []comptoir.PointsEntry
}

// fakeCustomers is a member file held in memory that refuses what the store refuses for the
// flows the screens use: unknown cards, cards and emails already taken, blocked emails, consent
// given in stop processing, changes to an erased member, resuming a member not in stop
// processing. It hands personal data over in clear, for the screens to mask, and keeps an audit
// of who revealed, exported, erased, stopped or resumed a member's processing. The sale, members'
// and manager screens' tests all share it.
type fakeCustomers struct {
	byID     map[comptoir.CustomerID]*fakeMember
	byCard   map[string]comptoir.CustomerID
	blocked  map[string]bool
	nextSeq  uint64
	activity []comptoir.CustomerID
	// audit lists the rights exercised, as "reveal <id> by <who>".
	audit []string
	// err fails every call when set, as a missing key or a full disk would.
	err error
	// remote holds the central's view of the members of other shops.
	remote map[comptoir.CustomerID]comptoir.RemoteMember
}

// RemoteMember answers the central's view of a member of another shop, as the store does.
func (f *fakeCustomers) RemoteMember(_ context.Context, id comptoir.CustomerID) (comptoir.RemoteMember, bool, error) {
	rm, ok := f.remote[id]
	return rm, ok, f.err
}

func newCustomers() *fakeCustomers {
	f := &fakeCustomers{byID: map[comptoir.CustomerID]*fakeMember{}, byCard: map[string]comptoir.CustomerID{},
		blocked: map[string]bool{blockedEmail: true}, nextSeq: 6}
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.Local)
	add := func(id comptoir.CustomerID, card string, status comptoir.Status, p comptoir.Personal, balance int64, email bool) {
		m := &fakeMember{c: comptoir.Customer{ID: id, Cards: []string{card}, Basis: comptoir.BasisContract, Status: status, Personal: p, EnrolledAt: at, LastActivity: at}}
		for _, ch := range comptoir.Channels {
			m.consent = append(m.consent, comptoir.ConsentEvent{Channel: ch, Granted: email && ch == comptoir.ChannelEmail, At: at, Via: comptoir.ViaRegister, By: "Camille", NoticeVersion: "1"})
		}
		if balance != 0 {
			m.ledger = append(m.ledger, comptoir.PointsEntry{Kind: comptoir.PointsAdjust, Points: balance, At: at})
		}
		f.byID[id], f.byCard[card] = m, id
	}
	add("M0000000000000001", cardZoe, comptoir.StatusActive, comptoir.Personal{FirstName: "Zoé", LastName: "Hamel", Email: takenEmail, Phone: "+33612345678"}, 1240, true)
	add("M0000000000000002", cardRestrict, comptoir.StatusRestricted, comptoir.Personal{FirstName: "Rémi", LastName: "Roux"}, 300, false)
	add("M0000000000000003", cardErased, comptoir.StatusErased, comptoir.Personal{}, 0, false)
	add("M0000000000000005", cardPoor, comptoir.StatusActive, comptoir.Personal{FirstName: "Paul", LastName: "Petit"}, 40, false)
	// A member of another shop: no personal data nor consent history here, the central's view
	// beside.
	const remoteID = "M0000000000000009"
	f.byID[remoteID] = &fakeMember{c: comptoir.Customer{ID: remoteID, Cards: []string{cardRemote}, Status: comptoir.StatusActive, Remote: true},
		ledger: []comptoir.PointsEntry{{Kind: comptoir.PointsAdjust, Points: 340, At: at}}}
	f.byCard[cardRemote] = remoteID
	f.remote = map[comptoir.CustomerID]comptoir.RemoteMember{remoteID: {ID: remoteID, Cards: []string{cardRemote}, Balance: 340,
		Consent: map[comptoir.Channel]bool{comptoir.ChannelSMS: true}, Status: comptoir.StatusActive}}
	return f
}

func (f *fakeCustomers) get(id comptoir.CustomerID) (*fakeMember, error) {
	if f.err != nil {
		return nil, f.err
	}
	m, ok := f.byID[id]
	if !ok {
		return nil, comptoir.E(comptoir.CodeUnknownCustomer, id)
	}
	return m, nil
}

func (f *fakeCustomers) Enroll(_ context.Context, e comptoir.Enrolment) (comptoir.Customer, error) {
	if f.err != nil {
		return comptoir.Customer{}, f.err
	}
	e, err := comptoir.NormalizeEnrolment(e)
	if err != nil {
		return comptoir.Customer{}, err
	}
	if _, ok := f.byCard[e.Card]; ok {
		return comptoir.Customer{}, comptoir.E(comptoir.CodeCardTaken, e.Card)
	}
	if e.Personal.Email != "" {
		if f.blocked[e.Personal.Email] {
			return comptoir.Customer{}, comptoir.E(comptoir.CodeBlockedEmail, e.Personal.Email)
		}
		for _, m := range f.byID {
			if m.c.Personal.Email == e.Personal.Email {
				return comptoir.Customer{}, comptoir.E(comptoir.CodeEmailTaken, e.Personal.Email)
			}
		}
	}
	id := comptoir.CustomerID(fmt.Sprintf("M%016x", 100+len(f.byID)))
	at := time.Date(2026, 11, 30, 9, 12, 0, 0, time.Local)
	m := &fakeMember{c: comptoir.Customer{ID: id, Cards: []string{e.Card}, Basis: e.Basis, Status: comptoir.StatusActive, Personal: e.Personal, EnrolledAt: at, LastActivity: at}}
	for _, ch := range comptoir.Channels {
		m.consent = append(m.consent, comptoir.ConsentEvent{Channel: ch, Granted: e.Consent[ch], At: at, Via: e.Via, By: e.By, NoticeVersion: e.NoticeVersion, Remarks: "enrolment"})
	}
	f.byID[id], f.byCard[e.Card] = m, id
	return m.c, nil
}

func (f *fakeCustomers) NextCard(context.Context) (string, error) {
	if f.err != nil {
		return "", f.err
	}
	for {
		c := comptoir.CardNumber(f.nextSeq)
		if _, taken := f.byCard[c]; !taken {
			return c, nil
		}
		f.nextSeq++
	}
}

func (f *fakeCustomers) CardOwner(_ context.Context, card string) (comptoir.CustomerID, error) {
	if err := comptoir.ValidateCard(card); err != nil {
		return "", err
	}
	id, ok := f.byCard[card]
	if !ok {
		return "", comptoir.E(comptoir.CodeUnknownCard, card)
	}
	return id, nil
}

func (f *fakeCustomers) CustomerByCard(ctx context.Context, card string) (comptoir.Customer, error) {
	id, err := f.CardOwner(ctx, card)
	if err != nil {
		return comptoir.Customer{}, err
	}
	return f.Customer(ctx, id)
}

func (f *fakeCustomers) CustomerByEmail(_ context.Context, email string) (comptoir.Customer, error) {
	e, err := comptoir.NormalizeEmail(email)
	if err != nil {
		return comptoir.Customer{}, err
	}
	for _, m := range f.byID {
		if m.c.Personal.Email == e {
			return m.c, nil
		}
	}
	return comptoir.Customer{}, comptoir.E(comptoir.CodeUnknownCustomer, email)
}

func (f *fakeCustomers) CustomerByPhone(_ context.Context, phone string) (comptoir.Customer, error) {
	p, err := comptoir.NormalizePhone(phone)
	if err != nil {
		return comptoir.Customer{}, err
	}
	for _, m := range f.byID {
		if m.c.Personal.Phone == p {
			return m.c, nil
		}
	}
	return comptoir.Customer{}, comptoir.E(comptoir.CodeUnknownCustomer, phone)
}

func (f *fakeCustomers) Customer(_ context.Context, id comptoir.CustomerID) (comptoir.Customer, error) {
	m, err := f.get(id)
	if err != nil {
		return comptoir.Customer{}, err
	}
	return m.c, nil
}

func (f *fakeCustomers) Reveal(ctx context.Context, id comptoir.CustomerID, who string) (comptoir.Customer, error) {
	c, err := f.Customer(ctx, id)
	if err == nil {
		f.note("reveal", id, who)
	}
	return c, err
}

// note writes one line of the audit.
func (f *fakeCustomers) note(what string, id comptoir.CustomerID, who string) {
	f.audit = append(f.audit, what+" "+string(id)+" by "+who)
}

func (f *fakeCustomers) ChangeConsent(_ context.Context, id comptoir.CustomerID, ev comptoir.ConsentEvent) error {
	m, err := f.get(id)
	if err != nil {
		return err
	}
	if _, err := comptoir.ParseChannel(string(ev.Channel)); err != nil {
		return err
	}
	switch {
	case m.c.Status == comptoir.StatusErased:
		return comptoir.E(comptoir.CodeCustomerErased)
	case m.c.Status == comptoir.StatusRestricted && ev.Granted:
		return comptoir.E(comptoir.CodeStopProcessing)
	}
	m.consent = append(m.consent, ev)
	return nil
}

func (f *fakeCustomers) ConsentHistory(_ context.Context, id comptoir.CustomerID) ([]comptoir.ConsentEvent, error) {
	m, err := f.get(id)
	if err != nil {
		return nil, err
	}
	return append([]comptoir.ConsentEvent(nil), m.consent...), nil
}

func (f *fakeCustomers) UpdatePersonal(_ context.Context, id comptoir.CustomerID, u comptoir.PersonalUpdate, _ string) (comptoir.Customer, error) {
	m, err := f.get(id)
	if err != nil {
		return comptoir.Customer{}, err
	}
	if m.c.Status == comptoir.StatusErased {
		return comptoir.Customer{}, comptoir.E(comptoir.CodeCustomerErased)
	}
	p, _, err := u.Apply(m.c.Personal)
	if err != nil {
		return comptoir.Customer{}, err
	}
	m.c.Personal = p
	return m.c, nil
}

func (f *fakeCustomers) StopProcessing(_ context.Context, id comptoir.CustomerID, who string) error {
	m, err := f.get(id)
	if err != nil {
		return err
	}
	if m.c.Status == comptoir.StatusErased {
		return comptoir.E(comptoir.CodeCustomerErased)
	}
	m.c.Status = comptoir.StatusRestricted
	f.note("stop", id, who)
	return nil
}

func (f *fakeCustomers) ResumeProcessing(_ context.Context, id comptoir.CustomerID, who string) (comptoir.LawfulBasis, error) {
	m, err := f.get(id)
	if err != nil {
		return "", err
	}
	switch m.c.Status {
	case comptoir.StatusErased:
		return "", comptoir.E(comptoir.CodeCustomerErased)
	case comptoir.StatusActive:
		return "", comptoir.E(comptoir.CodeNotRestricted)
	}
	m.c.Status = comptoir.StatusActive
	f.note("resume", id, who)
	return m.c.Basis, nil
}

func (f *fakeCustomers) Erase(_ context.Context, id comptoir.CustomerID, who string) error {
	m, err := f.get(id)
	if err != nil {
		return err
	}
	m.c.Status, m.c.Personal = comptoir.StatusErased, comptoir.Personal{}
	f.note("erase", id, who)
	return nil
}

func (f *fakeCustomers) Export(_ context.Context, id comptoir.CustomerID, who string) (comptoir.MemberExport, error) {
	m, err := f.get(id)
	if err != nil {
		return comptoir.MemberExport{}, err
	}
	f.note("export", id, who)
	return comptoir.MemberExport{ExportedAt: fakeNow, Customer: m.c, Consent: m.consent, Points: m.ledger, Balance: comptoir.Balance(m.ledger)}, nil
}

func (f *fakeCustomers) NoteActivity(_ context.Context, id comptoir.CustomerID, at time.Time) error {
	m, err := f.get(id)
	if err != nil {
		return err
	}
	if m.c.Status != comptoir.StatusActive || !at.After(m.c.LastActivity) {
		return nil
	}
	m.c.LastActivity = at
	f.activity = append(f.activity, id)
	return nil
}

// Points reads the members' ledgers.
func (f *fakeCustomers) Points(_ context.Context, id comptoir.CustomerID) ([]comptoir.PointsEntry, int64, error) {
	m, err := f.get(id)
	if err != nil {
		return nil, 0, err
	}
	return m.ledger, comptoir.Balance(m.ledger), nil
}

func (f *fakeCustomers) MemberBalance(_ context.Context, id comptoir.CustomerID) (int64, error) {
	m, err := f.get(id)
	if err != nil {
		return 0, err
	}
	return comptoir.Balance(m.ledger), nil
}

func (f *fakeCustomers) BalanceAfter(_ context.Context, id comptoir.CustomerID, number uint64) (int64, error) {
	m, err := f.get(id)
	if err != nil {
		return 0, err
	}
	var b int64
	for _, e := range m.ledger {
		if e.Ticket <= number {
			b += e.Points
		}
	}
	return b, nil
}

// prepare applies the member's points to a draft as the store does: an erased or restricted
// member makes an anonymous sale (a restricted one cannot spend points), redeemed points become
// a discount within the balance.
func (f *fakeCustomers) prepare(rule comptoir.PointsRule, d *comptoir.SaleDraft) (*fakeMember, error) {
	d.PointsEarned, d.Discount = 0, 0
	if d.CustomerID == "" || d.Training {
		d.CustomerID, d.PointsRedeemed = "", 0
		return nil, nil
	}
	m, err := f.get(comptoir.CustomerID(d.CustomerID))
	if err != nil {
		return nil, err
	}
	if m.c.Status != comptoir.StatusActive {
		if m.c.Status == comptoir.StatusRestricted && d.PointsRedeemed > 0 {
			return nil, comptoir.E(comptoir.CodeStopProcessing)
		}
		d.CustomerID, d.PointsRedeemed = "", 0
		return nil, nil
	}
	if d.PointsRedeemed > 0 {
		discount, err := rule.Discount(d.PointsRedeemed, comptoir.Balance(m.ledger))
		if err != nil {
			return nil, err
		}
		d.Discount = discount
	}
	return m, nil
}

// fakePrintLog counts prints per ticket in memory.
type fakePrintLog struct {
	sales  *fakeSales
	counts map[uint64]uint64
}

func (f *fakePrintLog) Printed(ctx context.Context, n uint64) (uint64, error) {
	if _, err := f.sales.Sale(ctx, n); err != nil {
		return 0, err
	}
	return f.counts[n], nil
}

func (f *fakePrintLog) MarkPrinted(ctx context.Context, n uint64) (bool, error) {
	if _, err := f.sales.Sale(ctx, n); err != nil {
		return false, err
	}
	f.counts[n]++
	return f.counts[n] == 1, nil
}

// fakePrinter remembers what it printed and saved, and how often the drawer opened; err fails
// everything, as a printer switched off does.
type fakePrinter struct {
	printed []comptoir.ReceiptPlan
	saved   map[string]comptoir.ReceiptPlan
	drawer  int
	err     error
	// reports are the X and Z reports printed, each as its lines.
	reports [][]string
}

func (p *fakePrinter) Print(_ context.Context, _ comptoir.Sale, plan comptoir.ReceiptPlan) (comptoir.ReceiptTarget, error) {
	if p.err != nil {
		return comptoir.ReceiptPrinter, p.err
	}
	p.printed = append(p.printed, plan)
	if plan.OpenDrawer {
		p.drawer++
	}
	return comptoir.ReceiptPrinter, nil
}

func (p *fakePrinter) Save(_ context.Context, _ comptoir.Sale, plan comptoir.ReceiptPlan, path string) error {
	if path == "" {
		return comptoir.E(comptoir.CodeNoFileName)
	}
	p.saved[path] = plan
	return nil
}

func (p *fakePrinter) OpenDrawer(context.Context) error {
	if p.err != nil {
		return p.err
	}
	p.drawer++
	return nil
}

var (
	_ comptoir.CustomerService = (*fakeCustomers)(nil)
	_ comptoir.PointsService   = (*fakeCustomers)(nil)
	_ comptoir.PrintLog        = (*fakePrintLog)(nil)
)
