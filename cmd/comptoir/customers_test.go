package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// member is a command line bound to one database, acting as one manager so that the audit trail
// names who did what.
type member struct {
	tb  testing.TB
	db  string
	env map[string]string
}

const testUser = "Sophie"

func newMember(tb testing.TB) member {
	tb.Helper()
	return member{tb: tb, db: dbPath(tb), env: map[string]string{"COMPTOIR_USER": testUser}}
}

// run runs comptoir on the database.
func (m member) run(args ...string) result {
	m.tb.Helper()
	return runCmd(m.tb, m.env, "", append([]string{"--db", m.db}, args...)...)
}

// ok runs comptoir and fails the test unless it exits 0; it returns stdout.
func (m member) ok(args ...string) string {
	m.tb.Helper()
	r := m.run(args...)
	if r.code != exitOK {
		m.tb.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
	}
	return r.stdout
}

// refused runs comptoir and checks it exits with code and says want on stderr, and nothing on stdout.
func (m member) refused(code int, want string, args ...string) {
	m.tb.Helper()
	r := m.run(args...)
	if r.code != code {
		m.tb.Errorf("%v: exit %d, want %d (stdout %q, stderr %q)", args, r.code, code, r.stdout, r.stderr)
		return
	}
	if !strings.Contains(r.stderr, want) {
		m.tb.Errorf("%v: stderr %q does not contain %q", args, r.stderr, want)
	}
	if r.stdout != "" {
		m.tb.Errorf("%v: refused, yet printed %q", args, r.stdout)
	}
}

const allNo = "email=non,sms=non,phone=non,post=non,partners=non"

var enrolled = regexp.MustCompile(`^(?:Membre|Member) (M[0-9a-f]{16}) (?:inscrit avec la carte|enrolled with card) (\d{13})\n$`)

// enroll enrols a member with the card and returns their ID.
func (m member) enroll(card string, args ...string) comptoir.CustomerID {
	m.tb.Helper()
	out := m.ok(append([]string{"customer", "enroll", "--card", card}, args...)...)
	g := enrolled.FindStringSubmatch(out)
	if g == nil {
		m.tb.Fatalf("enroll printed %q, want the member's ID and card", out)
	}
	if g[2] != card {
		m.tb.Fatalf("enroll printed card %s, want %s", g[2], card)
	}
	return comptoir.CustomerID(g[1])
}

// enrollJeanne enrols the member most tests use: every personal field given, email consent only.
func (m member) enrollJeanne(card string) comptoir.CustomerID {
	m.tb.Helper()
	return m.enroll(card, "--first", "Jeanne", "--last", "Dupont", "--email", "Jeanne.Dupont@Exemple.fr",
		"--phone", "06 12 34 56 78", "--consent", "email=oui,sms=non,phone=non,post=non,partners=non")
}

var fieldLine = regexp.MustCompile(`^(\S.*?) {2,}(.*)$`)

// fields reads the label and value columns of a text table such as customer show prints.
func fields(tb testing.TB, out string) map[string]string {
	tb.Helper()
	f := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		g := fieldLine.FindStringSubmatch(line)
		if g == nil {
			tb.Fatalf("line %q is not a label and a value:\n%s", line, out)
		}
		f[g[1]] = g[2]
	}
	return f
}

var columns = regexp.MustCompile(` {2,}`)

// auditLines counts the lines of gdpr audit by who, with action, about the member (any when
// empty) and with the detail (any when empty). The action, and a consent change's channel, are
// given as stored and looked for as the French listing names them.
func auditLines(out, who, action string, id comptoir.CustomerID, detail string) int {
	if action == string(comptoir.AuditConsent) && detail != "" {
		detail = comptoir.Channel(detail).Format(comptoir.LangFR)
	}
	action = comptoir.AuditAction(action).Format(comptoir.LangFR)
	n := 0
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		cols := columns.Split(line, -1)
		if len(cols) < 3 || cols[1] != who || cols[2] != action {
			continue
		}
		if id != "" && (len(cols) < 4 || cols[3] != string(id)) {
			continue
		}
		if detail != "" && cols[len(cols)-1] != detail {
			continue
		}
		n++
	}
	return n
}

// exportOf decodes customer export, refusing any field MemberExport does not have.
func exportOf(tb testing.TB, out string) comptoir.MemberExport {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	var x comptoir.MemberExport
	if err := dec.Decode(&x); err != nil {
		tb.Fatalf("customer export is not a MemberExport: %v\n%s", err, out)
	}
	if dec.More() {
		tb.Fatalf("customer export printed more than one JSON value:\n%s", out)
	}
	return x
}

// openStore opens the database behind the command line's back, once the command has closed it.
func openStore(tb testing.TB, db string) *store.Store {
	tb.Helper()
	s, err := store.Open(db, store.Options{MustExist: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// basket is a product a test member buys: 12,50 €, two of them earn 25 points.
var basket = comptoir.Product{GTIN: "3760123450003", Name: "Panier garni", Price: comptoir.Euros(12, 50), VAT: comptoir.VATReduced}

func memberDraft(id comptoir.CustomerID, redeem int64) comptoir.SaleDraft {
	l := comptoir.LineFor(basket, 2)
	return comptoir.SaleDraft{Cashier: "Camille", CustomerID: string(id), PointsRedeemed: redeem, Lines: []comptoir.Line{l},
		Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: l.Total}}}
}

// recordSale records a sale with the store on the database the command line uses.
func recordSale(tb testing.TB, db string, d comptoir.SaleDraft) (comptoir.Sale, error) {
	tb.Helper()
	s, err := store.Open(db, store.Options{MustExist: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	return s.RecordSale(context.Background(), d)
}

func TestCard_New(t *testing.T) {
	m := newMember(t)
	// On a mistyped --db, card new refuses rather than create an empty database.
	m.refused(exitFailed, "n'existe pas", "card", "new")
	if _, err := os.Stat(m.db); !os.IsNotExist(err) {
		t.Fatalf("card new created %s (%v)", m.db, err)
	}
	m.ok("settings", "set", "gdpr.notice-version", "1")
	first := strings.TrimSuffix(m.ok("card", "new"), "\n")
	if err := comptoir.ValidateCard(first); err != nil {
		t.Fatalf("card new printed %q: %v", first, err)
	}
	if first != comptoir.CardNumber(1) {
		t.Errorf("first card %s, want %s", first, comptoir.CardNumber(1))
	}
	if again := strings.TrimSuffix(m.ok("card", "new"), "\n"); again != first {
		t.Errorf("card new gave %s then %s without an enrolment in between", first, again)
	}
	m.enrollJeanne(first)
	next := strings.TrimSuffix(m.ok("card", "new"), "\n")
	if err := comptoir.ValidateCard(next); err != nil || next == first {
		t.Fatalf("card new after enrolling %s printed %q (%v)", first, next, err)
	}
	if next != comptoir.CardNumber(2) {
		t.Errorf("card after the first enrolment %s, want %s", next, comptoir.CardNumber(2))
	}
	// A card enrolled further on moves the sequence past it.
	m.enroll(comptoir.CardNumber(10), "--first", "Paul", "--last", "Martin", "--consent", allNo)
	if got := strings.TrimSuffix(m.ok("card", "new"), "\n"); got != comptoir.CardNumber(11) {
		t.Errorf("card new after enrolling card 10 printed %s, want %s", got, comptoir.CardNumber(11))
	}
	for _, args := range [][]string{{"card"}, {"card", "old"}, {"card", "new", "extra"}} {
		m.refused(exitUsage, "card attend new", args...)
	}
}

func TestCustomer_Enroll(t *testing.T) {
	t.Run("happy path, key beside the database", func(t *testing.T) {
		m := newMember(t)
		card := comptoir.CardNumber(1)
		id := m.enrollJeanne(card)
		info, err := os.Stat(m.db + ".key")
		if err != nil {
			t.Fatalf("no key file beside the database: %v", err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("key file mode %o, want 600", perm)
		}
		f := fields(t, m.ok("customer", "show", "--card", card))
		if f["Membre"] != string(id) || f["Cartes"] != card || f["Base légale"] != "Contrat" || f["Points"] != "0" {
			t.Errorf("show after enroll: %v", f)
		}
		audit := m.ok("gdpr", "audit")
		if auditLines(audit, testUser, "enrol", id, "") != 1 {
			t.Errorf("audit has no enrol line by %s for %s:\n%s", testUser, id, audit)
		}
	})
	t.Run("in English with a lawful basis", func(t *testing.T) {
		m := newMember(t)
		id := m.enroll(comptoir.CardNumber(3), "--lang", "en", "--first", "Paul", "--last", "Martin",
			"--consent", "email=yes,sms=no,phone=no,post=no,partners=yes", "--basis", "Consent-Obtained")
		f := fields(t, m.ok("--lang", "en", "customer", "show", "--card", comptoir.CardNumber(3)))
		if f["Member"] != string(id) || f["Lawful basis"] != "Consent-Obtained" {
			t.Errorf("show: %v", f)
		}
		if !strings.HasPrefix(f["Consent partners"], "yes (") || !strings.HasPrefix(f["Consent SMS"], "no (") {
			t.Errorf("consent at enrolment not as given: %v", f)
		}
	})
	t.Run("--key-file", func(t *testing.T) {
		m := newMember(t)
		key := filepath.Join(t.TempDir(), "master.key")
		m.enroll(comptoir.CardNumber(1), "--key-file", key, "--first", "Paul", "--last", "Martin", "--consent", allNo)
		assertKeyAt(t, m.db, key)
		// Without the flag the key is looked for beside the database, and is not there.
		m.refused(exitFailed, "est introuvable", "customer", "show", "--card", comptoir.CardNumber(1))
		m.ok("customer", "show", "--card", comptoir.CardNumber(1), "--key-file", key)
	})
	t.Run("COMPTOIR_KEY_FILE", func(t *testing.T) {
		m := newMember(t)
		key := filepath.Join(t.TempDir(), "from-env.key")
		m.env["COMPTOIR_KEY_FILE"] = key
		m.enroll(comptoir.CardNumber(1), "--first", "Paul", "--last", "Martin", "--consent", allNo)
		assertKeyAt(t, m.db, key)
		m.ok("customer", "show", "--card", comptoir.CardNumber(1))
		// The flag wins over the environment.
		m.refused(exitFailed, "est introuvable", "customer", "show", "--card", comptoir.CardNumber(1),
			"--key-file", filepath.Join(t.TempDir(), "other.key"))
	})
}

// assertKeyAt checks the master key was written to key, private, and not beside the database.
func assertKeyAt(t *testing.T, db, key string) {
	t.Helper()
	info, err := os.Stat(key)
	if err != nil {
		t.Fatalf("no key file at %s: %v", key, err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode %o, want 600", perm)
	}
	if _, err := os.Stat(db + ".key"); !os.IsNotExist(err) {
		t.Errorf("a key was also written beside the database (%v)", err)
	}
}

func TestCustomer_EnrollRefusals(t *testing.T) {
	m := newMember(t)
	taken := comptoir.CardNumber(1)
	m.enrollJeanne(taken)
	m.ok("customer", "block", "--email", "Spam@Exemple.fr")
	free := comptoir.CardNumber(2)
	base := func(card string, more ...string) []string {
		return append([]string{"customer", "enroll", "--card", card, "--first", "Paul", "--last", "Martin"}, more...)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing channel", base(free, "--consent", "email=oui,sms=non,phone=non,post=non"),
			"il manque la réponse pour le canal partenaires : chaque canal demande un oui ou un non explicite"},
		{"unknown channel", base(free, "--consent", allNo+",fax=oui"), "canal inconnu « fax » : email, sms, phone, post ou partners"},
		{"unreadable answer", base(free, "--consent", "email=peut-être,sms=non,phone=non,post=non,partners=non"),
			"réponse de consentement illisible « email=peut-être »"},
		{"bad email", base(free, "--consent", allNo, "--email", "paul.martin@"), "adresse e-mail invalide « paul.martin@ »"},
		{"bad phone", base(free, "--consent", allNo, "--phone", "12 34"), "numéro de téléphone invalide « 12 34 »"},
		{"card taken", base(taken, "--consent", allNo), "la carte " + taken + " appartient déjà à un membre"},
		{"product GTIN as card", base("3017620422003", "--consent", allNo),
			"3017620422003 n'est pas une carte de fidélité (les cartes commencent par 04)"},
		{"misread card", base("0400000000016", "--consent", allNo), "code-barres « 0400000000016 » invalide : la clé de contrôle devrait être 5 (scan mal lu ?)"},
		{"blocked email", base(free, "--consent", allNo, "--email", "spam@exemple.fr"),
			"l'adresse s***@e***.fr est sur la liste de blocage : elle ne peut être enregistrée sur aucun dossier"},
		{"email of another member", base(free, "--consent", allNo, "--email", "jeanne.dupont@exemple.fr"),
			"l'adresse j***@e***.fr est déjà celle d'un autre membre"},
		{"phone of another member", base(free, "--consent", allNo, "--phone", "+33 6 12 34 56 78"),
			"le numéro 06 ** ** ** 78 est déjà celui d'un autre membre"},
		{"no name", []string{"customer", "enroll", "--card", free, "--first", "Paul", "--consent", allNo},
			"le prénom et le nom sont obligatoires"},
		{"unknown basis", base(free, "--consent", allNo, "--basis", "whim"), "base légale inconnue « whim »"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.tb = t
			m.refused(exitFailed, "comptoir: "+tt.want, tt.args...)
		})
	}
	m.tb = t
	// None of the refusals enrolled anyone: the free card is still unknown and next.
	m.refused(exitFailed, "carte "+free+" inconnue", "customer", "show", "--card", free)
	if got := strings.TrimSuffix(m.ok("card", "new"), "\n"); got != free {
		t.Errorf("card new after refused enrolments: %s, want %s", got, free)
	}
	r := m.run("--lang", "en", "customer", "enroll", "--card", free, "--first", "P", "--last", "M", "--consent", "email=yes")
	if r.code != exitFailed || !strings.Contains(r.stderr, "no answer for the SMS channel: every channel needs an explicit yes or no") {
		t.Errorf("English refusal: exit %d, %q", r.code, r.stderr)
	}
}

func TestCustomer_UsageErrors(t *testing.T) {
	m := newMember(t)
	card := comptoir.CardNumber(1)
	m.enrollJeanne(card)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"customer"}, "customer attend une sous-commande : enroll, show, consent, update, export, erase, stop-processing, resume-processing, block"},
		{"unknown subcommand", []string{"customer", "delete"}, "customer : sous-commande inconnue « delete »"},
		{"enroll without card", []string{"customer", "enroll", "--first", "P", "--last", "M", "--consent", allNo},
			"customer enroll attend --card et --consent (un oui ou un non pour chaque canal)"},
		{"enroll without consent", []string{"customer", "enroll", "--card", comptoir.CardNumber(2), "--first", "P", "--last", "M"},
			"customer enroll attend --card et --consent (un oui ou un non pour chaque canal)"},
		{"enroll with a stray argument", []string{"customer", "enroll", "--card", comptoir.CardNumber(2), "--first", "P", "--last", "M",
			"--consent", allNo, "Dupont"}, "customer enroll : argument inattendu « Dupont »"},
		{"enroll with an unknown option", []string{"customer", "enroll", "--card", comptoir.CardNumber(2), "--nickname", "Jo"},
			"customer enroll : option inconnue --nickname"},
		{"show without card", []string{"customer", "show"}, "customer show attend --card"},
		{"show with a stray argument", []string{"customer", "show", "--card", card, "now"}, "customer show : argument inattendu « now »"},
		{"export without card", []string{"customer", "export"}, "customer export attend --card"},
		{"erase without card", []string{"customer", "erase"}, "customer erase attend --card"},
		{"stop-processing without card", []string{"customer", "stop-processing"}, "customer stop-processing attend --card"},
		{"resume-processing without card", []string{"customer", "resume-processing"}, "customer resume-processing attend --card"},
		{"update without card", []string{"customer", "update", "--first", "X"}, "customer update attend --card"},
		{"block without email", []string{"customer", "block"}, "customer block attend --email"},
		{"gdpr without subcommand", []string{"gdpr"}, "gdpr attend purge, register ou audit"},
		{"gdpr unknown subcommand", []string{"gdpr", "forget"}, "gdpr : sous-commande inconnue « forget »"},
		{"settings without action", []string{"settings"}, "settings attend show, ou set NOM VALEUR"},
		{"settings set without value", []string{"settings", "set", "shop.name"}, "settings attend show, ou set NOM VALEUR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.tb = t
			m.refused(exitUsage, "comptoir: "+tt.want+"\nVoir « comptoir help ».", tt.args...)
		})
	}
}

func TestCustomer_ShowMasksAndReveal(t *testing.T) {
	m := newMember(t)
	card := comptoir.CardNumber(1)
	id := m.enrollJeanne(card)
	secrets := []string{"Dupont", "Jeanne", "jeanne.dupont@exemple.fr", "exemple", "+33612345678", "06 12 34 56 78", "12 34 56"}

	masked := m.ok("customer", "show", "--card", card)
	for _, s := range secrets {
		if strings.Contains(masked, s) {
			t.Errorf("masked show contains %q:\n%s", s, masked)
		}
	}
	f := fields(t, masked)
	if f["Nom"] != "J*** D***" || f["E-mail"] != "j***@e***.fr" || f["Téléphone"] != "06 ** ** ** 78" {
		t.Errorf("masked identity: %q %q %q", f["Nom"], f["E-mail"], f["Téléphone"])
	}
	if audit := m.ok("gdpr", "audit"); auditLines(audit, testUser, "reveal", "", "") != 0 {
		t.Errorf("a masked show was logged as a reveal:\n%s", audit)
	}

	f = fields(t, m.ok("customer", "show", "--card", card, "--reveal"))
	if f["Nom"] != "Jeanne Dupont" || f["E-mail"] != "jeanne.dupont@exemple.fr" || f["Téléphone"] != "+33612345678" {
		t.Errorf("revealed identity: %q %q %q", f["Nom"], f["E-mail"], f["Téléphone"])
	}
	audit := m.ok("gdpr", "audit")
	if n := auditLines(audit, testUser, "reveal", id, ""); n != 1 {
		t.Errorf("%d reveal lines by %s for %s, want 1:\n%s", n, testUser, id, audit)
	}
	// The audit trail itself holds no personal data.
	for _, s := range secrets {
		if strings.Contains(audit, s) {
			t.Errorf("audit contains %q:\n%s", s, audit)
		}
	}
	// --user names who revealed.
	m.ok("customer", "show", "--card", card, "--reveal", "--user", "Karim")
	if audit := m.ok("gdpr", "audit"); auditLines(audit, "Karim", "reveal", id, "") != 1 {
		t.Errorf("no reveal by Karim:\n%s", audit)
	}

	today := time.Now().Format("2006-01-02")
	en := m.ok("--lang", "en", "customer", "show", "--card", card)
	f = fields(t, en)
	want := map[string]string{"Member": string(id), "Cards": card, "Name": "J*** D***", "E-mail": "j***@e***.fr",
		"Phone": "06 ** ** ** 78", "Lawful basis": "Contract", "Status": "active", "Points": "0", "Enrolled on": today, "Last activity": today,
		"Consent email": "yes (" + today + ", at the register, notice 1)", "Consent SMS": "no (" + today + ", at the register, notice 1)",
		"Consent phone": "no (" + today + ", at the register, notice 1)", "Consent post": "no (" + today + ", at the register, notice 1)",
		"Consent partners": "no (" + today + ", at the register, notice 1)"}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("English show %q = %q, want %q", k, f[k], v)
		}
	}
	if len(f) != len(want) {
		t.Errorf("English show has %d lines, want %d:\n%s", len(f), len(want), en)
	}

	m.refused(exitFailed, "carte "+comptoir.CardNumber(2)+" inconnue : proposez l'inscription au programme",
		"customer", "show", "--card", comptoir.CardNumber(2))
	m.refused(exitFailed, "n'est pas une carte de fidélité", "customer", "show", "--card", "3017620422003")
}

func TestCustomer_Consent(t *testing.T) {
	m := newMember(t)
	card := comptoir.CardNumber(1)
	id := m.enrollJeanne(card)
	show := func() map[string]string { return fields(t, m.ok("customer", "show", "--card", card)) }
	before := show()
	if !strings.HasPrefix(before["Consentement SMS"], "non (") || !strings.HasPrefix(before["Consentement e-mail"], "oui (") {
		t.Fatalf("consent at enrolment: %v", before)
	}

	out := m.ok("customer", "consent", "--card", card, "--channel", "sms", "--grant", "--via", "web")
	if out != "Consentement SMS donné par "+string(id)+"\n" {
		t.Errorf("grant printed %q", out)
	}
	after := show()
	if !strings.HasPrefix(after["Consentement SMS"], "oui (") || !strings.Contains(after["Consentement SMS"], ", sur le web, notice 1)") {
		t.Errorf("after granting SMS: %q", after["Consentement SMS"])
	}
	for _, other := range []string{"Consentement e-mail", "Consentement téléphone", "Consentement courrier", "Consentement partenaires"} {
		if after[other] != before[other] {
			t.Errorf("granting SMS changed %s from %q to %q", other, before[other], after[other])
		}
	}

	out = m.ok("customer", "consent", "--card", card, "--channel", "courriel", "--withdraw")
	if out != "Consentement e-mail retiré par "+string(id)+"\n" {
		t.Errorf("withdraw printed %q", out)
	}
	if got := show()["Consentement e-mail"]; !strings.HasPrefix(got, "non (") {
		t.Errorf("after withdrawing email: %q", got)
	}
	out = m.ok("--lang", "en", "customer", "consent", "--card", card, "--channel", "partners", "--grant")
	if out != "Consent for partners given by "+string(id)+"\n" {
		t.Errorf("English grant printed %q", out)
	}

	// Each change is an appended event, kept in the history the export shows.
	x := exportOf(t, m.ok("customer", "export", "--card", card))
	if len(x.Consent) != 8 {
		t.Errorf("%d consent events after 3 changes, want 8: %+v", len(x.Consent), x.Consent)
	} else if last := x.Consent[7]; last.Channel != comptoir.ChannelPartners || !last.Granted || last.By != testUser {
		t.Errorf("last consent event %+v", last)
	}
	audit := m.ok("gdpr", "audit")
	for _, ch := range []string{"sms", "email", "partners"} {
		if auditLines(audit, testUser, "consent", id, ch) != 1 {
			t.Errorf("no consent audit line for %s:\n%s", ch, audit)
		}
	}

	m.refused(exitUsage, "customer consent attend --grant ou --withdraw", "customer", "consent", "--card", card, "--channel", "sms", "--grant", "--withdraw")
	m.refused(exitUsage, "customer consent attend --grant ou --withdraw", "customer", "consent", "--card", card, "--channel", "sms")
	m.refused(exitFailed, "canal inconnu « fax » : email, sms, phone, post ou partners", "customer", "consent", "--card", card, "--channel", "fax", "--grant")
	m.refused(exitFailed, "carte "+comptoir.CardNumber(2)+" inconnue", "customer", "consent", "--card", comptoir.CardNumber(2), "--channel", "sms", "--grant")
	if got := exportOf(t, m.ok("customer", "export", "--card", card)); len(got.Consent) != 8 {
		t.Errorf("refused consent changes were recorded: %d events", len(got.Consent))
	}
}

func TestCustomer_Update(t *testing.T) {
	m := newMember(t)
	card := comptoir.CardNumber(1)
	id := m.enrollJeanne(card)
	reveal := func() map[string]string { return fields(t, m.ok("customer", "show", "--card", card, "--reveal")) }

	out := m.ok("customer", "update", "--card", card, "--last", "Durand", "--phone", "+44 20 7946 0958")
	if out != "Membre "+string(id)+" mis à jour\n" {
		t.Errorf("update printed %q", out)
	}
	f := reveal()
	if f["Nom"] != "Jeanne Durand" || f["Téléphone"] != "+442079460958" || f["E-mail"] != "jeanne.dupont@exemple.fr" {
		t.Errorf("after rectifying the last name and phone: %v", f)
	}
	if masked := fields(t, m.ok("customer", "show", "--card", card)); masked["Téléphone"] != "+44 ********58" {
		t.Errorf("masked foreign phone %q", masked["Téléphone"])
	}

	// While Jeanne has the address, nobody else can enrol with it; once cleared, it is free.
	other := []string{"customer", "enroll", "--card", comptoir.CardNumber(2), "--first", "Paul", "--last", "Martin",
		"--email", "jeanne.dupont@exemple.fr", "--consent", allNo}
	m.refused(exitFailed, "est déjà celle d'un autre membre", other...)
	m.ok("customer", "update", "--card", card, "--email", "")
	if f := reveal(); f["E-mail"] != "—" || f["Nom"] != "Jeanne Durand" {
		t.Errorf("after --email '': %v", f)
	}
	m.ok(other...)

	m.refused(exitFailed, "rien à modifier : donnez au moins un champ", "customer", "update", "--card", card)
	m.refused(exitFailed, "adresse e-mail invalide « jeanne@ »", "customer", "update", "--card", card, "--email", "jeanne@")
	m.refused(exitFailed, "le prénom et le nom sont obligatoires", "customer", "update", "--card", card, "--first", " ")
	m.refused(exitFailed, "est déjà celle d'un autre membre", "customer", "update", "--card", card, "--email", "JEANNE.dupont@exemple.fr")
	m.ok("customer", "block", "--email", "nouvelle@exemple.fr")
	m.refused(exitFailed, "est sur la liste de blocage", "customer", "update", "--card", card, "--email", "nouvelle@exemple.fr")
	if f := reveal(); f["Nom"] != "Jeanne Durand" || f["E-mail"] != "—" || f["Téléphone"] != "+442079460958" {
		t.Errorf("refused updates changed the member: %v", f)
	}

	audit := m.ok("gdpr", "audit")
	if auditLines(audit, testUser, "update", id, "nom, téléphone") != 1 || auditLines(audit, testUser, "update", id, "e-mail") != 1 {
		t.Errorf("audit does not name the rectified fields:\n%s", audit)
	}
	if strings.Contains(audit, "Durand") || strings.Contains(audit, "7946") {
		t.Errorf("audit holds the new values:\n%s", audit)
	}
}

// enrollWithBasis enrols Jeanne, email consent only, on a lawful basis.
func (m member) enrollWithBasis(card, basis string) comptoir.CustomerID {
	m.tb.Helper()
	return m.enroll(card, "--first", "Jeanne", "--last", "Dupont", "--email", "Jeanne.Dupont@Exemple.fr",
		"--phone", "06 12 34 56 78", "--consent", "email=oui,sms=non,phone=non,post=non,partners=non", "--basis", basis)
}

func TestCustomer_StopProcessing(t *testing.T) {
	m := newMember(t)
	card := comptoir.CardNumber(1)
	id := m.enrollWithBasis(card, "consent-obtained")
	out := m.ok("customer", "stop-processing", "--card", card)
	if out != "Membre "+string(id)+" en arrêt de traitement : plus de points ni de consentement donné jusqu'à la reprise\n" {
		t.Errorf("stop-processing printed %q", out)
	}
	const stopped = "comptoir: ce membre est en arrêt de traitement : ni points gagnés ou dépensés, ni consentement donné ; " +
		"consultation, export, rectification, retrait du consentement et effacement restent possibles\n"
	r := m.run("customer", "consent", "--card", card, "--channel", "sms", "--grant")
	if r.code != exitFailed || r.stderr != stopped || r.stdout != "" {
		t.Errorf("granting a consent in stop processing: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// Withdrawing a consent is always possible (RGPD art. 7(3)), and rectification stays a right.
	m.ok("customer", "consent", "--card", card, "--channel", "email", "--withdraw")
	m.ok("customer", "update", "--card", card, "--first", "Jeannette")
	f := fields(t, m.ok("customer", "show", "--card", card, "--reveal"))
	if f["Statut"] != "arrêt du traitement (limitation)" || f["Base légale"] != "Consentement obtenu" {
		t.Errorf("show of a member in stop processing: status %q, basis %q", f["Statut"], f["Base légale"])
	}
	if f["Nom"] != "Jeannette Dupont" || !strings.HasPrefix(f["Consentement e-mail"], "non (") || !strings.HasPrefix(f["Consentement SMS"], "non (") {
		t.Errorf("after a withdrawal, a rectification and a refused grant: %v", f)
	}
	en := fields(t, m.ok("--lang", "en", "customer", "show", "--card", card))
	if en["Status"] != "stop processing (restricted)" || en["Lawful basis"] != "Consent-Obtained" {
		t.Errorf("English status %q, basis %q", en["Status"], en["Lawful basis"])
	}
	// Asking again changes nothing and is not an error; the person can still get their data.
	m.ok("customer", "stop-processing", "--card", card)
	x := exportOf(t, m.ok("customer", "export", "--card", card))
	if x.Customer.Status != comptoir.StatusRestricted || x.Customer.Basis != comptoir.BasisConsentObtained || len(x.Consent) != 6 {
		t.Errorf("export of a member in stop processing: %+v, %d consent events", x.Customer, len(x.Consent))
	}
	if audit := m.ok("gdpr", "audit"); auditLines(audit, testUser, "stop-processing", id, "") != 1 {
		t.Errorf("want one stop-processing audit line:\n%s", audit)
	}
	// A sale with their card completes, anonymously.
	sale, err := recordSale(t, m.db, memberDraft(id, 0))
	if err != nil || sale.CustomerID != "" || sale.PointsEarned != 0 {
		t.Errorf("sale for a member in stop processing: %+v, %v", sale, err)
	}
	if f := fields(t, m.ok("customer", "show", "--card", card)); f["Points"] != "0" {
		t.Errorf("a member in stop processing earned points: %v", f["Points"])
	}
}

func TestCustomer_ResumeProcessing(t *testing.T) {
	m := newMember(t)
	card := comptoir.CardNumber(1)
	id := m.enrollWithBasis(card, "legitimate-interests")
	m.refused(exitFailed, "ce membre n'est pas en arrêt de traitement : il n'y a rien à lever", "customer", "resume-processing", "--card", card)

	m.ok("customer", "stop-processing", "--card", card)
	out := m.ok("customer", "resume-processing", "--card", card)
	if out != "Membre "+string(id)+" : traitement repris, base légale Intérêts légitimes\n" {
		t.Errorf("resume-processing printed %q", out)
	}
	f := fields(t, m.ok("customer", "show", "--card", card))
	if f["Statut"] != "actif" || f["Base légale"] != "Intérêts légitimes" {
		t.Errorf("show after the lift: status %q, basis %q", f["Statut"], f["Base légale"])
	}
	// The member is processed again: a consent can be given, a sale earns points.
	m.ok("customer", "consent", "--card", card, "--channel", "sms", "--grant")
	if sale, err := recordSale(t, m.db, memberDraft(id, 0)); err != nil || sale.CustomerID != string(id) || sale.PointsEarned != 25 {
		t.Errorf("sale after the lift: %+v, %v", sale, err)
	}

	// Without the key, as a stop of processing.
	m.ok("customer", "stop-processing", "--card", card)
	missing := filepath.Join(t.TempDir(), "lost.key")
	out = m.ok("--lang", "en", "customer", "resume-processing", "--card", card, "--key-file", missing)
	if out != "Member "+string(id)+": processing resumed, lawful basis Legitimate Interests\n" {
		t.Errorf("English resume-processing printed %q", out)
	}
	m.refused(exitFailed, "this member is not in stop processing: there is nothing to lift", "--lang", "en", "customer", "resume-processing", "--card", card)
	m.refused(exitFailed, "carte "+comptoir.CardNumber(2)+" inconnue", "customer", "resume-processing", "--card", comptoir.CardNumber(2))

	s := openStore(t, m.db)
	entries, err := s.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lifts := 0
	for _, e := range entries {
		if e.Action == comptoir.AuditResumeProcessing && e.Customer == id && e.Who == testUser {
			lifts++
		}
	}
	if lifts != 2 {
		t.Errorf("%d resume-processing audit entries, want 2", lifts)
	}
	events, err := s.Outbox(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	lifted := 0
	for _, ev := range events {
		if ev.Type == "customer.resume-processing" {
			lifted++
			if string(ev.Payload) != `{"id":"`+string(id)+`"}` {
				t.Errorf("event payload %s, want the pseudonymous ID only", ev.Payload)
			}
		}
	}
	if lifted != 2 {
		t.Errorf("%d customer.resume-processing events, want 2", lifted)
	}
}

func TestCustomer_Export(t *testing.T) {
	m := newMember(t)
	card := comptoir.CardNumber(1)
	id := m.enrollJeanne(card)

	fresh := exportOf(t, m.ok("customer", "export", "--card", card))
	if len(fresh.Tickets) != 0 || len(fresh.Points) != 0 || fresh.Balance != 0 {
		t.Errorf("export before any sale: %+v", fresh)
	}

	sale, err := recordSale(t, m.db, memberDraft(id, 0))
	if err != nil {
		t.Fatal(err)
	}
	if sale.CustomerID != string(id) || sale.PointsEarned != 25 {
		t.Fatalf("sale %+v", sale)
	}

	out := m.ok("customer", "export", "--card", card)
	x := exportOf(t, out)
	c := x.Customer
	wantPersonal := comptoir.Personal{FirstName: "Jeanne", LastName: "Dupont", Email: "jeanne.dupont@exemple.fr", Phone: "+33612345678"}
	if c.ID != id || !slices.Equal(c.Cards, []string{card}) || c.Personal != wantPersonal || c.Basis != comptoir.BasisContract {
		t.Errorf("exported identity %+v", c)
	}
	if c.Status != comptoir.StatusActive || c.EnrolledAt.IsZero() || c.LastActivity.Before(c.EnrolledAt) {
		t.Errorf("exported status %+v", c)
	}
	if x.ExportedAt.IsZero() || time.Since(x.ExportedAt) > time.Hour {
		t.Errorf("exported at %v", x.ExportedAt)
	}
	if len(x.Consent) != 5 {
		t.Fatalf("%d consent events, want 5: %+v", len(x.Consent), x.Consent)
	}
	for i, ch := range comptoir.Channels {
		ev := x.Consent[i]
		if ev.Channel != ch || ev.Granted != (ch == comptoir.ChannelEmail) || ev.By != testUser || ev.Via != comptoir.ViaRegister ||
			ev.NoticeVersion != "1" || ev.At.IsZero() {
			t.Errorf("consent event %d: %+v", i, ev)
		}
	}
	if len(x.Points) != 1 || x.Points[0].Kind != comptoir.PointsEarn || x.Points[0].Points != 25 || x.Points[0].Ticket != sale.Number ||
		x.Points[0].Register != "R1" || x.Balance != 25 {
		t.Errorf("points ledger %+v, balance %d", x.Points, x.Balance)
	}
	if len(x.Tickets) != 1 {
		t.Fatalf("tickets %+v", x.Tickets)
	}
	if tk := x.Tickets[0]; tk.Register != "R1" || tk.Number != sale.Number || tk.Total != comptoir.Euros(25, 0) ||
		tk.PointsEarned != 25 || tk.PointsRedeemed != 0 || !tk.At.Equal(sale.At) {
		t.Errorf("ticket %+v, sale %+v", tk, sale)
	}
	if f := fields(t, m.ok("customer", "show", "--card", card)); f["Points"] != "25" {
		t.Errorf("show points %q after earning 25", f["Points"])
	}
	if n := auditLines(m.ok("gdpr", "audit"), testUser, "export", id, ""); n != 2 {
		t.Errorf("%d export audit lines, want 2", n)
	}
	m.refused(exitFailed, "carte "+comptoir.CardNumber(2)+" inconnue", "customer", "export", "--card", comptoir.CardNumber(2))
}

func TestCustomer_Erase(t *testing.T) {
	m := newMember(t)
	card := comptoir.CardNumber(1)
	id := m.enrollJeanne(card)
	keep := m.enroll(comptoir.CardNumber(2), "--first", "Paul", "--last", "Martin", "--email", "paul@exemple.fr", "--consent", allNo)
	sale, err := recordSale(t, m.db, memberDraft(id, 0))
	if err != nil {
		t.Fatal(err)
	}

	// What crypto-shredding destroys: the member's wrapped data key and sealed personal data.
	shredded := rawValues(t, m.db, id, "datakeys", "personal")

	out := m.ok("customer", "erase", "--card", card)
	if out != "Membre "+string(id)+" effacé : ses données personnelles sont détruites\n" {
		t.Errorf("erase printed %q", out)
	}
	m.refused(exitFailed, "carte "+card+" inconnue : proposez l'inscription au programme", "customer", "show", "--card", card)
	m.refused(exitFailed, "carte "+card+" inconnue", "customer", "export", "--card", card)
	m.refused(exitFailed, "carte "+card+" inconnue", "customer", "erase", "--card", card)

	raw, err := os.ReadFile(m.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Dupont", "dupont", "jeanne.dupont@exemple.fr", "Jeanne"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the database file still contains %q", s)
		}
	}
	for i, v := range shredded {
		if bytes.Contains(raw, v) {
			t.Errorf("the database file still holds the erased member's sealed value %d (%d bytes)", i, len(v))
		}
	}
	if _, err := os.Stat(m.db + ".compact"); !os.IsNotExist(err) {
		t.Errorf("the compaction's working file was left behind (%v)", err)
	}

	// A tombstone stays, and the ticket still points to it; the other member is untouched.
	s := openStore(t, m.db)
	ctx := context.Background()
	c, err := s.Customer(ctx, id)
	if err != nil || c.Status != comptoir.StatusErased || c.Personal != (comptoir.Personal{}) || len(c.Cards) != 0 ||
		c.Basis != comptoir.BasisContract {
		t.Errorf("tombstone %+v, %v", c, err)
	}
	if got, err := s.Sale(ctx, sale.Number); err != nil || got.CustomerID != string(id) {
		t.Errorf("ticket after erasure: %+v, %v", got, err)
	}
	if other, err := s.CustomerByCard(ctx, comptoir.CardNumber(2)); err != nil || other.ID != keep || other.Personal.Email != "paul@exemple.fr" {
		t.Errorf("the other member after erasure: %+v, %v", other, err)
	}
	s.Close()

	if audit := m.ok("gdpr", "audit"); auditLines(audit, testUser, "erase", id, "") != 1 {
		t.Errorf("no erase audit line:\n%s", audit)
	}
	if r := m.run("verify"); r.code != exitOK {
		t.Errorf("verify after erasure: %d %s", r.code, r.stderr)
	}
	// The card is free again, and so is the address.
	m.enroll(card, "--first", "Léa", "--last", "Petit", "--email", "jeanne.dupont@exemple.fr", "--consent", allNo)
}

// TestCustomer_EraseAfterBlock erases a member whose address was blocked, rectified and revealed:
// neither the audit trail nor the database file may keep a trace of her personal data, such as
// the masked email the old block entry wrote beside her ID.
func TestCustomer_EraseAfterBlock(t *testing.T) {
	m := newMember(t)
	card := comptoir.CardNumber(1)
	id := m.enrollJeanne(card)
	m.ok("customer", "block", "--email", "jeanne.dupont@exemple.fr")
	m.ok("customer", "update", "--card", card, "--phone", "07 98 76 54 32")
	m.ok("customer", "show", "--card", card, "--reveal")
	m.ok("customer", "erase", "--card", card)

	traces := []string{"j***@e***.fr", "J***", "D***", "06 ** ** ** 78", "07 ** ** ** 32", "jeanne", "dupont", "exemple", "+336", "+337"}
	audit := m.ok("gdpr", "audit")
	if !strings.Contains(audit, string(id)) {
		t.Fatalf("the audit trail does not name the member:\n%s", audit)
	}
	raw, err := os.ReadFile(m.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		if strings.Contains(strings.ToLower(audit), strings.ToLower(tr)) {
			t.Errorf("the audit trail holds %q after the erasure:\n%s", tr, audit)
		}
		if bytes.Contains(bytes.ToLower(raw), []byte(strings.ToLower(tr))) {
			t.Errorf("the database file holds %q after the erasure", tr)
		}
	}
}

// rawValues reads, straight from the bbolt file, the values a member has in the named buckets.
func rawValues(t *testing.T, path string, id comptoir.CustomerID, buckets ...string) [][]byte {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out [][]byte
	err = db.View(func(tx *bbolt.Tx) error {
		for _, name := range buckets {
			b := tx.Bucket([]byte(name))
			if b == nil {
				return fmt.Errorf("no bucket %q", name)
			}
			v := b.Get([]byte(id))
			if len(v) < 16 {
				return fmt.Errorf("bucket %q holds %d bytes for %s", name, len(v), id)
			}
			out = append(out, bytes.Clone(v))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var purgeSummary = regexp.MustCompile(`(?m)^(\d+) membres sans activité depuis le (\d{4}-\d{2}-\d{2}) (seraient effacés \(simulation\)|effacés)\n\z`)

// purged runs gdpr purge and returns the IDs it listed, checking its summary counts them.
func (m member) purged(dryRun bool, inactive string) []string {
	m.tb.Helper()
	args := []string{"gdpr", "purge", "--inactive", inactive}
	if dryRun {
		args = append(args, "--dry-run")
	}
	out := m.ok(args...)
	g := purgeSummary.FindStringSubmatch(out)
	if g == nil {
		m.tb.Fatalf("%v printed %q", args, out)
	}
	if dryRun != strings.Contains(g[3], "simulation") {
		m.tb.Errorf("%v summary %q", args, g[0])
	}
	ids := strings.Fields(strings.TrimSuffix(out, g[0]))
	if fmt.Sprint(len(ids)) != g[1] {
		m.tb.Errorf("%v listed %d IDs but counts %s", args, len(ids), g[1])
	}
	for _, id := range ids {
		if !regexp.MustCompile(`^M[0-9a-f]{16}$`).MatchString(id) {
			m.tb.Errorf("%v listed %q, not a member ID", args, id)
		}
	}
	if !slices.IsSorted(ids) {
		m.tb.Errorf("%v listed IDs out of order: %v", args, ids)
	}
	return ids
}

func TestGDPR_Purge(t *testing.T) {
	t.Run("a fresh demo has nobody to purge", func(t *testing.T) {
		m := newMember(t)
		m.ok("demo-data", "--sales", "40", "--days", "2", "--customers", "10")
		if ids := m.purged(true, "3y"); len(ids) != 0 {
			t.Errorf("purge --inactive 3y on a fresh demo lists %v", ids)
		}
		if ids := m.purged(false, "36m"); len(ids) != 0 {
			t.Errorf("purge --inactive 36m on a fresh demo erased %v", ids)
		}
		m.ok("customer", "show", "--card", comptoir.CardNumber(10))
	})

	t.Run("members inactive for longer than the period", func(t *testing.T) {
		m := newMember(t)
		start := time.Now().AddDate(0, 0, -10).Format("2006-01-02")
		m.ok("demo-data", "--sales", "60", "--days", "2", "--customers", "8", "--seed", "4", "--start", start)
		// A member who joined today is active.
		recent := m.enroll(comptoir.CardNumber(9), "--first", "Paul", "--last", "Martin", "--consent", allNo)
		before := readFile(t, m.db)

		dry := m.purged(true, "1d")
		if len(dry) != 8 || slices.Contains(dry, string(recent)) {
			t.Fatalf("dry run lists %v, want the 8 demo members and not %s", dry, recent)
		}
		if !bytes.Equal(before, readFile(t, m.db)) {
			t.Error("a dry run changed the database")
		}
		for i := range 8 {
			m.ok("customer", "show", "--card", comptoir.CardNumber(uint64(i+1)))
		}
		// Each demo member is listed by their own ID.
		s := openStore(t, m.db)
		var demo []string
		for i := range 8 {
			c, err := s.CustomerByCard(context.Background(), comptoir.CardNumber(uint64(i+1)))
			if err != nil {
				t.Fatal(err)
			}
			demo = append(demo, string(c.ID))
		}
		s.Close()
		slices.Sort(demo)
		if !slices.Equal(dry, demo) {
			t.Errorf("dry run lists %v, demo members are %v", dry, demo)
		}
		// 30 days back reaches before the demo: nobody.
		if ids := m.purged(true, "30d"); len(ids) != 0 {
			t.Errorf("purge --inactive 30d lists %v", ids)
		}

		erased := m.purged(false, "1d")
		if !slices.Equal(erased, dry) {
			t.Errorf("purge erased %v, the dry run listed %v", erased, dry)
		}
		for i := range 8 {
			m.refused(exitFailed, "inconnue", "customer", "show", "--card", comptoir.CardNumber(uint64(i+1)))
		}
		if f := fields(t, m.ok("customer", "show", "--card", comptoir.CardNumber(9))); f["Membre"] != string(recent) {
			t.Errorf("the active member: %v", f)
		}
		if again := m.purged(true, "1d"); len(again) != 0 {
			t.Errorf("erased members are listed again: %v", again)
		}
		audit := m.ok("gdpr", "audit")
		for _, id := range erased {
			if auditLines(audit, testUser, "erase", comptoir.CustomerID(id), "retention") != 1 {
				t.Errorf("no retention erase audit line for %s", id)
			}
		}
		if r := m.run("verify"); r.code != exitOK {
			t.Errorf("verify after a purge: %s", r.stderr)
		}
	})

	t.Run("usage", func(t *testing.T) {
		m := newMember(t)
		m.enrollJeanne(comptoir.CardNumber(1))
		for _, bad := range []string{"", "3", "y", "0d", "-1d", "3x", "3 years", "1.5y", "99999y"} {
			m.refused(exitUsage, "gdpr purge attend --inactive DURÉE, par exemple 3y, 36m ou 1095d", "gdpr", "purge", "--inactive", bad, "--dry-run")
		}
		m.refused(exitUsage, "gdpr purge attend --inactive", "gdpr", "purge")
		m.refused(exitUsage, "gdpr purge : argument inattendu « now »", "gdpr", "purge", "--inactive", "3y", "now")
		for _, good := range []string{"3y", "3a", "36m", "1095d", "1095j", "2Y"} {
			m.purged(true, good)
		}
		m.ok("customer", "show", "--card", comptoir.CardNumber(1))
	})
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// registerDB is a database with the shop's settings filled in, for the record of processing.
func registerDB(t *testing.T) member {
	t.Helper()
	m := newMember(t)
	for _, kv := range [][2]string{
		{"shop.name", "Épicerie du Coin"},
		{"shop.siret", "123 456 789 00007"},
		{"shop.address", "12 rue des Lilas, 69001 Lyon"},
		{"gdpr.contact", "rgpd@epicerie-du-coin.fr"},
		{"gdpr.notice-version", "2026-05"},
	} {
		// The value echoed is the one stored: the SIRET without its spaces.
		want := kv[0] + " = " + strings.ReplaceAll(kv[1], "123 456 789 00007", "12345678900007") + "\n"
		if out := m.ok("settings", "set", kv[0], kv[1]); out != want {
			t.Errorf("settings set %s printed %q, want %q", kv[0], out, want)
		}
	}
	return m
}

func TestGDPR_Register(t *testing.T) {
	m := registerDB(t)
	for _, lang := range []string{"fr", "en"} {
		out := m.ok("--lang", lang, "gdpr", "register")
		golden(t, "gdpr-register."+lang+".md", out)
	}
	fr := m.ok("gdpr", "register")
	if !strings.HasPrefix(fr, "# Registre des activités de traitement") ||
		!strings.Contains(fr, "| Responsable du traitement | Épicerie du Coin (SIRET 12345678900007) |\n") ||
		!strings.Contains(fr, "| Contact pour la protection des données | rgpd@epicerie-du-coin.fr |\n") ||
		!strings.Contains(fr, "| Notice d'information | version 2026-05 |\n") ||
		!strings.Contains(fr, "`comptoir gdpr purge --inactive 3y`") {
		t.Errorf("French register:\n%s", fr)
	}
	en := m.ok("--lang", "en", "gdpr", "register")
	if !strings.HasPrefix(en, "# Record of processing activities") ||
		!strings.Contains(en, "| Controller | Épicerie du Coin (SIRET 12345678900007) |\n") ||
		!strings.Contains(en, "| Address | 12 rue des Lilas, 69001 Lyon |\n") {
		t.Errorf("English register:\n%s", en)
	}
	// A controller set apart from the shop's name takes its place; the points rule is the shop's.
	m.ok("settings", "set", "gdpr.controller", "SAS Le Coin")
	m.ok("settings", "set", "points.redeem-points", "200")
	fr = m.ok("gdpr", "register")
	if !strings.Contains(fr, "| Responsable du traitement | SAS Le Coin (SIRET 12345678900007) |\n") || strings.Contains(fr, "Épicerie du Coin") ||
		!strings.Contains(fr, "200 points pour 5,00 € de remise") {
		t.Errorf("register after setting the controller and the rule:\n%s", fr)
	}

	fresh := newMember(t)
	fresh.refused(exitFailed, "n'existe pas", "gdpr", "register")
	if _, err := os.Stat(fresh.db); !os.IsNotExist(err) {
		t.Errorf("gdpr register created %s (%v)", fresh.db, err)
	}
	m.refused(exitUsage, "gdpr register : argument inattendu « now »", "gdpr", "register", "now")
}

func TestSettings(t *testing.T) {
	m := newMember(t)
	m.refused(exitFailed, "n'existe pas", "settings", "show")
	m.ok("settings", "set", "gdpr.notice-version", "1")
	// Keys with an empty value have no second column.
	out := m.ok("settings", "show")
	var keys []string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		keys = append(keys, strings.Fields(line)[0])
	}
	if !slices.Equal(keys, comptoir.SettingKeys()) {
		t.Errorf("settings show lists %v, want %v", keys, comptoir.SettingKeys())
	}
	// Each line is the key, its name in the user's language, and the value.
	shown := func(out string) map[string][]string {
		rows := map[string][]string{}
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			cells := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), -1)
			rows[cells[0]] = cells[1:]
		}
		return rows
	}
	for key, want := range map[string][]string{
		"shop.name": {"Nom du magasin", "Comptoir"}, "points.redeem-points": {"Points par tranche", "100"},
		"points.redeem-value": {"Remise par tranche", "5.00"}, "gdpr.notice-version": {"Version de la notice", "1"},
		"shop.siret": {"SIRET"},
	} {
		if got := shown(out)[key]; !slices.Equal(got, want) {
			t.Errorf("settings show: %s is %q, want %q:\n%s", key, got, want, out)
		}
	}
	if got, want := shown(m.ok("--lang", "en", "settings", "show"))["shop.vat-number"], []string{"Intra-community VAT number"}; !slices.Equal(got, want) {
		t.Errorf("settings show in English: shop.vat-number is %q, want %q", got, want)
	}

	m.ok("settings", "set", "shop.siret", "123 456 789 00007")
	m.ok("settings", "set", "points.redeem-value", "7,50")
	out = m.ok("settings", "show")
	if got := shown(out); !slices.Equal(got["shop.siret"], []string{"SIRET", "12345678900007"}) || !slices.Equal(got["points.redeem-value"], []string{"Remise par tranche", "7.50"}) {
		t.Errorf("settings show after set:\n%s", out)
	}

	for _, tt := range []struct {
		key, value, want string
	}{
		{"shop.bogus", "x", "comptoir: réglage inconnu « shop.bogus » : voir comptoir settings show\n"},
		{"shop.siret", "123 456 789", "comptoir: SIRET « 123456789 » invalide : 9 chiffres au lieu de 14\n"},
		{"shop.siret", "1234567890001A", "comptoir: SIRET « 1234567890001A » invalide : il ne doit contenir que des chiffres\n"},
		{"shop.siret", "12345678900012", "comptoir: SIRET « 12345678900012 » invalide : sa clé de contrôle (formule de Luhn) est fausse, une faute de frappe ?\n"},
		{"shop.name", " ", "comptoir: Nom du magasin (shop.name) ne peut pas être vide\n"},
		{"gdpr.notice-version", "", "comptoir: Version de la notice (gdpr.notice-version) ne peut pas être vide\n"},
		{"shop.vat-number", "FR 00 123456789", "comptoir: numéro de TVA « FR00123456789 » invalide : pour le SIREN 123456789 la clé est 32, une faute de frappe ?\n"},
		{"points.redeem-points", "beaucoup", "comptoir: valeur invalide pour points.redeem-points : « beaucoup »\n"},
		{"points.redeem-points", "0", "comptoir: points.redeem-points : de 1 à 100000 points par tranche, pas « 0 » : une tranche vide ne coûterait rien, une plus grande ne serait jamais atteinte\n"},
		{"points.per-euro", "-1", "comptoir: points.per-euro : de 0 (aucun point) à 100 points par euro, pas « -1 » : au-delà, les soldes n'ont plus de rapport avec les achats\n"},
		{"points.redeem-value", "0", "comptoir: points.redeem-value : une tranche vaut de 0,01 € à 1 000,00 €, pas « 0 » : une remise nulle ne sert à rien, une plus grande est une faute de frappe\n"},
		{"points.per-euro", "20", "comptoir: avec 20 points par euro et 100 points pour 7,50 €, la fidélité rendrait 150 % de chaque achat : 50 % au plus\n"},
	} {
		r := m.run("settings", "set", tt.key, tt.value)
		if r.code != exitFailed || r.stderr != tt.want || r.stdout != "" {
			t.Errorf("settings set %s %q: exit %d, stdout %q, stderr %q, want %q", tt.key, tt.value, r.code, r.stdout, r.stderr, tt.want)
		}
	}
	r := m.run("--lang", "en", "settings", "set", "shop.bogus", "x")
	if r.code != exitFailed || r.stderr != "comptoir: unknown setting \"shop.bogus\": see comptoir settings show\n" {
		t.Errorf("English unknown setting: exit %d, %q", r.code, r.stderr)
	}
	// The refusals changed nothing.
	if again := m.ok("settings", "show"); again != out {
		t.Errorf("refused settings changed them:\n%s\nwas\n%s", again, out)
	}
}

func TestSettings_RedeemPointsRule(t *testing.T) {
	m := newMember(t)
	id := m.enrollJeanne(comptoir.CardNumber(1))
	if _, err := recordSale(t, m.db, memberDraft(id, 0)); err != nil {
		t.Fatal(err)
	}
	// With the default rule, 100 points are a whole unit, but Jeanne has only 25.
	_, err := recordSale(t, m.db, memberDraft(id, 100))
	if !errors.Is(err, comptoir.ErrInsufficientPoints) {
		t.Fatalf("redeeming 100 of 25 points with the default rule: %v", err)
	}

	m.ok("settings", "set", "points.redeem-points", "200")
	_, err = recordSale(t, m.db, memberDraft(id, 100))
	if !errors.Is(err, comptoir.ErrRedeemUnit) {
		t.Fatalf("redeeming 100 points when units are of 200: %v", err)
	}
	if got, want := comptoir.Message(err, comptoir.LangFR), "les points se dépensent par tranches de 200 (5,00 € la tranche)"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	s := openStore(t, m.db)
	if n, err := s.LastTicket(context.Background()); err != nil || n != 1 {
		t.Errorf("last ticket %d (%v): a refused sale was recorded", n, err)
	}
	if _, balance, err := s.Points(context.Background(), id); err != nil || balance != 25 {
		t.Errorf("balance %d (%v), want 25", balance, err)
	}
}

func TestDemoData_Customers(t *testing.T) {
	m := newMember(t)
	out := m.ok("demo-data", "--sales", "300", "--days", "3", "--seed", "11", "--start", "2026-05-04", "--customers", "50")
	if !strings.Contains(out, "50 membres, 300 tickets du 2026-05-04 au 2026-05-06") {
		t.Errorf("summary %q", out)
	}
	if r := m.run("verify"); r.code != exitOK || !strings.HasPrefix(r.stdout, "journal intact : 300 tickets, 3 clôtures") {
		t.Errorf("verify: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if got := strings.TrimSuffix(m.ok("card", "new"), "\n"); got != comptoir.CardNumber(51) {
		t.Errorf("card new after 50 demo members: %s, want %s", got, comptoir.CardNumber(51))
	}
	m.refused(exitFailed, "carte "+comptoir.CardNumber(51)+" inconnue", "customer", "show", "--card", comptoir.CardNumber(51))

	ids := map[comptoir.CustomerID]string{}
	withTickets, tickets := 0, map[uint64]comptoir.CustomerID{}
	for i := range 50 {
		card := comptoir.CardNumber(uint64(i + 1))
		x := exportOf(t, m.ok("customer", "export", "--card", card))
		c := x.Customer
		if !slices.Equal(c.Cards, []string{card}) || c.Personal.FirstName == "" || c.Personal.LastName == "" || len(x.Consent) != 5 {
			t.Errorf("demo member with card %s: %+v, %d consent events", card, c, len(x.Consent))
		}
		if c.EnrolledAt.In(time.Local).Format("2006-01-02 15:04") != "2026-05-03 20:00" {
			t.Errorf("demo member %s enrolled at %v, want the evening before the first day", card, c.EnrolledAt)
		}
		if prev, dup := ids[c.ID]; dup {
			t.Errorf("cards %s and %s share the member %s", prev, card, c.ID)
		}
		ids[c.ID] = card
		if len(x.Tickets) > 0 {
			withTickets++
		}
		if x.Balance < 0 || x.Balance != comptoir.Balance(x.Points) {
			t.Errorf("member %s balance %d, ledger %+v", card, x.Balance, x.Points)
		}
		for _, tk := range x.Tickets {
			tickets[tk.Number] = c.ID
		}
	}
	if withTickets < 10 {
		t.Errorf("only %d of 50 demo members have tickets", withTickets)
	}
	// Every ticket an export lists belongs to that member.
	s := openStore(t, m.db)
	for n, id := range tickets {
		sale, err := s.Sale(context.Background(), n)
		if err != nil || sale.CustomerID != string(id) {
			t.Errorf("ticket %d in the export of %s belongs to %q (%v)", n, id, sale.CustomerID, err)
		}
	}
	last, err := s.Sale(context.Background(), 300)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}

	// The same seed gives the same members and the same journal.
	again := newMember(t)
	again.ok("demo-data", "--sales", "300", "--days", "3", "--seed", "11", "--start", "2026-05-04", "--customers", "50")
	s2 := openStore(t, again.db)
	last2, err := s2.Sale(context.Background(), 300)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s2.CustomerByCard(context.Background(), comptoir.CardNumber(1))
	s2.Close()
	if err != nil {
		t.Fatal(err)
	}
	if last.Hash == "" || last.Hash != last2.Hash {
		t.Errorf("the last ticket's hash differs between two runs with the same seed and members: %q, %q", last.Hash, last2.Hash)
	}
	if ids[first.ID] != comptoir.CardNumber(1) {
		t.Errorf("card 1 is member %s in the second run, not the same as in the first", first.ID)
	}

	m.refused(exitUsage, "--customers attend un nombre entre 0 et 100 000", "demo-data", "--sales", "1", "--customers", "-1")
}

func TestCustomer_MissingKey(t *testing.T) {
	m := newMember(t)
	card := comptoir.CardNumber(1)
	m.enrollJeanne(card)
	missing := filepath.Join(t.TempDir(), "lost.key")

	r := m.run("customer", "show", "--card", card, "--key-file", missing)
	want := "comptoir: la clé de chiffrement " + missing + " est introuvable : sans elle les données des membres sont illisibles ; " +
		"restaurez-la depuis la sauvegarde ou indiquez-la avec --key-file\n"
	if r.code != exitFailed || r.stderr != want || r.stdout != "" {
		t.Errorf("show with a missing key: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{
		{"customer", "show", "--card", card, "--reveal"},
		{"customer", "export", "--card", card},
		{"customer", "update", "--card", card, "--first", "X"},
		// Writing commands must not make a new key either: the members' data would be lost to it.
		{"customer", "enroll", "--card", comptoir.CardNumber(2), "--first", "P", "--last", "M", "--consent", allNo},
		{"customer", "block", "--email", "x@exemple.fr"},
	} {
		m.refused(exitFailed, "est introuvable", append(args, "--key-file", missing)...)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a command created the missing key file %s (%v)", missing, err)
	}
	r = m.run("--lang", "en", "customer", "show", "--card", card, "--key-file", missing)
	if r.code != exitFailed || !strings.Contains(r.stderr, "the encryption key "+missing+" is missing") {
		t.Errorf("English: exit %d, %q", r.code, r.stderr)
	}

	// The key beside the database moved away: refused, and not replaced by a new one.
	moved := m.db + ".key.bak"
	if err := os.Rename(m.db+".key", moved); err != nil {
		t.Fatal(err)
	}
	m.refused(exitFailed, "la clé de chiffrement "+m.db+".key est introuvable", "customer", "show", "--card", card)
	m.refused(exitFailed, "est introuvable", "customer", "enroll", "--card", comptoir.CardNumber(2), "--first", "P", "--last", "M", "--consent", allNo)
	if _, err := os.Stat(m.db + ".key"); !os.IsNotExist(err) {
		t.Errorf("a new key was made beside the database (%v)", err)
	}
	// Another database's key is not this one's.
	other := newMember(t)
	other.enroll(comptoir.CardNumber(1), "--first", "P", "--last", "M", "--consent", allNo)
	m.refused(exitFailed, "la clé de chiffrement ne correspond pas à cette base", "customer", "show", "--card", card, "--key-file", other.db+".key")
	// A file that is not a key.
	notKey := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notKey, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m.refused(exitFailed, notKey+" n'est pas une clé de chiffrement Comptoir", "customer", "show", "--card", card, "--key-file", notKey)
	// Restored from the backup, everything reads again.
	m.ok("customer", "show", "--card", card, "--reveal", "--key-file", moved)

	// On a database that does not exist, nothing is created.
	absent := newMember(t)
	absent.refused(exitFailed, "n'existe pas", "customer", "show", "--card", card)
	if entries, _ := os.ReadDir(filepath.Dir(absent.db)); len(entries) != 0 {
		t.Errorf("customer show on a missing database created %v", entries)
	}
}
