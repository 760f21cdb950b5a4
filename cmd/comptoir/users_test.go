package main

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/creack/pty"
	"golang.org/x/term"
)

// testPINIterations keeps the PIN hashes of the command line's tests fast.
const testPINIterations = 1000

// shop is a command line bound to one database, with cheap PIN hashes.
type shop struct {
	tb testing.TB
	db string
}

func newShop(tb testing.TB) shop {
	tb.Helper()
	return shop{tb: tb, db: dbPath(tb)}
}

// runIn runs comptoir on the database with an environment and standard input.
func (s shop) runIn(vars map[string]string, stdin io.Reader, args ...string) result {
	s.tb.Helper()
	var out, errOut bytes.Buffer
	e := &env{ctx: context.Background(), stdin: stdin, stdout: &out, stderr: &errOut, clock: &clock{},
		auth: auth{pinIterations: testPINIterations}}
	code := runEnv(e, append([]string{"--db", s.db}, args...), func(k string) string { return vars[k] })
	return result{code, out.String(), errOut.String()}
}

// as runs comptoir as a user with their PIN in COMPTOIR_PIN, and stdin as standard input.
func (s shop) as(id, pin, stdin string, args ...string) result {
	s.tb.Helper()
	vars := map[string]string{"COMPTOIR_USER": "mallory"}
	if id != "" {
		vars["COMPTOIR_AS"] = id
	}
	if pin != "" {
		vars["COMPTOIR_PIN"] = pin
	}
	return s.runIn(vars, strings.NewReader(stdin), args...)
}

// ok checks that a run succeeded and returns its output.
func (s shop) ok(r result, what string) string {
	s.tb.Helper()
	if r.code != exitOK {
		s.tb.Fatalf("%s: exit %d, stderr %q", what, r.code, r.stderr)
	}
	return r.stdout
}

// refused checks that a run failed with code and said want.
func (s shop) refused(r result, code int, want, what string) {
	s.tb.Helper()
	if r.code != code || !strings.Contains(r.stderr, want) {
		s.tb.Errorf("%s: exit %d, stderr %q; want %d and %q", what, r.code, r.stderr, code, want)
	}
}

// withStaff makes a shop with the manager anne (PIN 2468) and the cashier marie (PIN 1357), who
// has chosen her own PIN, and a catalogue.
func withStaff(t *testing.T) shop {
	t.Helper()
	s := newShop(t)
	s.ok(s.as("", "", "2468\n2468\n", "user", "add", "--id", "anne", "--role", "manager"), "first manager")
	s.ok(s.as("anne", "2468", "9051\n", "user", "add", "--id", "marie", "--role", "cashier"), "cashier")
	s.ok(s.as("marie", "9051", "1357\n", "user", "pin", "--id", "marie"), "marie chooses her PIN")
	s.ok(s.as("anne", "2468", "3017620422003;Pomme;2,50;5,5\n", "catalog", "import", "-"), "catalogue")
	return s
}

func TestUser_FirstUserMustBeManager(t *testing.T) {
	s := newShop(t)
	r := s.as("", "", "1357\n", "user", "add", "--id", "marie", "--role", "cashier")
	s.refused(r, exitFailed, "le premier utilisateur doit être un gérant", "first user a cashier")
	out := s.ok(s.as("", "", "2468\n", "user", "add", "--id", "Anne", "--role", "gérant"), "first user a manager")
	if got, want := out, "Utilisateur anne ajouté (gérant)\n"; got != want {
		t.Errorf("user add printed %q, want %q", got, want)
	}
	// The first manager chose their PIN: it is not to be changed.
	list := s.ok(s.as("anne", "2468", "", "user", "list"), "user list")
	if !strings.Contains(list, "anne") || !strings.Contains(list, "gérant") || strings.Contains(list, "à choisir") {
		t.Errorf("user list =\n%s", list)
	}
}

// TestUser_NewPINFromStdin reads the new PIN from standard input that is not a terminal: one
// line, or two that match.
func TestUser_NewPINFromStdin(t *testing.T) {
	for _, tt := range []struct {
		name, stdin string
		code        int
		want        string
	}{
		{"one line", "2468\n", exitOK, ""},
		{"one line without newline", "2468", exitOK, ""},
		{"two matching lines, CRLF", "2468\r\n2468\r\n", exitOK, ""},
		{"two different lines", "2468\n2469\n", exitFailed, "les deux saisies du code PIN diffèrent"},
		{"three lines", "2468\n2468\n2468\n", exitUsage, "une ligne de l'entrée standard, ou deux identiques"},
		{"nothing", "", exitFailed, "aucun code PIN saisi"},
		{"trivial", "1234\n", exitFailed, "trop facile à deviner"},
		{"letters", "abcd\n", exitFailed, "que des chiffres"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newShop(t)
			r := s.as("", "", tt.stdin, "user", "add", "--id", "anne", "--role", "manager")
			if tt.code == exitOK {
				s.ok(r, tt.name)
				s.ok(s.as("anne", "2468", "", "user", "list"), "log in with the PIN")
				return
			}
			s.refused(r, tt.code, tt.want, tt.name)
		})
	}
}

// TestUser_NoPINFlag checks that no command takes a PIN as a flag: other users see flags in the
// process list.
func TestUser_NoPINFlag(t *testing.T) {
	s := newShop(t)
	r := s.as("", "", "2468\n", "user", "add", "--id", "anne", "--role", "manager", "--pin", "2468")
	s.refused(r, exitUsage, "option inconnue --pin", "--pin")
	r = s.as("", "", "2468\n", "--pin", "2468", "user", "add", "--id", "anne", "--role", "manager")
	s.refused(r, exitUsage, "option inconnue --pin", "global --pin")
}

// TestUser_OnceUsersExist checks what changes once the database has users: writing needs --as
// and the PIN, --user is ignored, and reading needs nothing.
func TestUser_OnceUsersExist(t *testing.T) {
	s := withStaff(t)
	enroll := []string{"customer", "enroll", "--card", comptoir.CardNumber(1), "--first", "Jeanne", "--last", "Dupont",
		"--email", "j@exemple.fr", "--consent", allNo}
	// --user alone is no longer enough.
	r := s.runIn(map[string]string{"COMPTOIR_USER": "anne"}, strings.NewReader(""), append([]string{"--user", "anne"}, enroll...)...)
	s.refused(r, exitFailed, "dites qui agit avec --as ID", "--user without --as")
	// --as without a PIN and without a terminal.
	s.refused(s.as("marie", "", "", enroll...), exitFailed, "donnez-le dans COMPTOIR_PIN", "no PIN")
	// A wrong PIN and an unknown user get the same sentence.
	wrong := s.as("marie", "9999", "", enroll...)
	unknown := s.as("paul", "1357", "", enroll...)
	s.refused(wrong, exitFailed, "identifiant ou code PIN incorrect", "wrong PIN")
	if wrong.stderr != unknown.stderr || wrong.code != unknown.code {
		t.Errorf("unknown user: exit %d, %q; wrong PIN: exit %d, %q; want the same", unknown.code, unknown.stderr, wrong.code, wrong.stderr)
	}
	// The cashier enrols; the audit trail names her, not --user.
	s.ok(s.runIn(map[string]string{"COMPTOIR_PIN": "1357", "COMPTOIR_USER": "mallory"}, strings.NewReader(""),
		append([]string{"--as", "Marie", "--user", "mallory"}, enroll...)...), "enrol as marie")
	audit := s.ok(s.as("anne", "2468", "", "gdpr", "audit"), "gdpr audit")
	if auditLines(audit, "marie", string(comptoir.AuditEnrol), "", "") != 1 || auditLines(audit, "mallory", string(comptoir.AuditEnrol), "", "") != 0 {
		t.Errorf("the audit trail does not name marie for the enrolment, or names --user:\n%s", audit)
	}
	for _, want := range []struct{ who, action string }{
		{"marie", string(comptoir.AuditLogin)}, {"marie", string(comptoir.AuditPINRefused)}, {"paul", string(comptoir.AuditPINRefused)},
		{"anne", string(comptoir.AuditUserAdded)}, {"marie", string(comptoir.AuditPINChanged)},
	} {
		if auditLines(audit, want.who, want.action, "", "") == 0 {
			t.Errorf("no %s entry by %s in the audit trail:\n%s", want.action, want.who, audit)
		}
	}
	// Reading needs no PIN.
	for _, args := range [][]string{{"report"}, {"verify"}, {"catalog", "list"}, {"customer", "show", "--card", comptoir.CardNumber(1)},
		{"settings", "show"}, {"card", "new"}, {"gdpr", "register"}} {
		r := s.as("", "", "", args...)
		if r.code != exitOK {
			t.Errorf("%v without --as: exit %d, %q", args, r.code, r.stderr)
		}
	}
}

// TestUser_CashierRefusedManagerCommands runs every manager-only command as a cashier.
func TestUser_CashierRefusedManagerCommands(t *testing.T) {
	s := withStaff(t)
	card := comptoir.CardNumber(1)
	s.ok(s.as("marie", "1357", "", "customer", "enroll", "--card", card, "--first", "Jeanne", "--last", "Dupont", "--consent", allNo), "enrol")
	for _, args := range [][]string{
		{"customer", "show", "--card", card, "--reveal"},
		{"customer", "export", "--card", card},
		{"customer", "erase", "--card", card},
		{"customer", "stop-processing", "--card", card},
		{"customer", "resume-processing", "--card", card},
		{"customer", "block", "--email", "x@exemple.fr"},
		{"close"},
		{"gdpr", "purge", "--inactive", "3y"},
		{"gdpr", "audit"},
		{"settings", "set", "shop.name", "Chez Marie"},
		{"catalog", "import", "-"},
		{"user", "list"},
		{"user", "add", "--id", "paul", "--role", "cashier"},
		{"user", "disable", "--id", "anne"},
	} {
		// Standard input holds a valid price list, which catalog import reads before opening.
		r := s.as("marie", "1357", "3017620422003;Pomme;2,50;5,5\n", args...)
		s.refused(r, exitFailed, "est réservé aux gérants, et « marie » est caissier", strings.Join(args, " "))
	}
	r := s.runIn(map[string]string{"COMPTOIR_AS": "marie", "COMPTOIR_PIN": "1357", "COMPTOIR_LANG": "en"}, strings.NewReader(""), "close")
	s.refused(r, exitFailed, `"comptoir close" is for managers only, and "marie" is a cashier`, "close in English")
	// The manager may.
	s.ok(s.as("anne", "2468", "", "customer", "show", "--card", card, "--reveal"), "reveal as manager")
	audit := s.ok(s.as("anne", "2468", "", "gdpr", "audit"), "gdpr audit")
	if auditLines(audit, "anne", string(comptoir.AuditReveal), "", "") != 1 {
		t.Errorf("the reveal is not in the audit trail under anne:\n%s", audit)
	}
}

// TestUser_MustChooseOwnPIN: a user added by a manager must choose their PIN before anything else.
func TestUser_MustChooseOwnPIN(t *testing.T) {
	s := withStaff(t)
	s.ok(s.as("anne", "2468", "9051\n", "user", "add", "--id", "paul", "--role", "cashier"), "add paul")
	r := s.as("paul", "9051", "", "receipt", "--ticket", "1", "--out", "-")
	s.refused(r, exitFailed, "« paul » doit d'abord choisir son code PIN : comptoir user pin --id paul --as paul", "before choosing")
	s.refused(s.as("paul", "9051", "9051\n", "user", "pin", "--id", "paul"), exitFailed, "doit différer", "same PIN again")
	s.ok(s.as("paul", "9051", "8642\n", "user", "pin", "--id", "paul"), "paul chooses")
	// A cashier changes their own PIN only; a manager's reset must be changed again.
	s.refused(s.as("paul", "8642", "7531\n", "user", "pin", "--id", "marie"), exitFailed, "un caissier ne change que son propre code PIN", "cashier, other's PIN")
	out := s.ok(s.as("anne", "2468", "7531\n", "user", "pin", "--id", "paul"), "manager resets paul")
	if !strings.Contains(out, "paul choisira son propre code PIN") {
		t.Errorf("reset printed %q", out)
	}
	list := s.ok(s.as("anne", "2468", "", "user", "list"), "user list")
	if !strings.Contains(list, "actif, code PIN à choisir") {
		t.Errorf("user list after a reset:\n%s", list)
	}
}

func TestUser_Disable(t *testing.T) {
	s := withStaff(t)
	s.refused(s.as("anne", "2468", "", "user", "disable", "--id", "anne"), exitFailed, "dernier gérant actif", "last manager")
	s.refused(s.as("anne", "2468", "", "user", "disable", "--id", "paul"), exitFailed, "utilisateur « paul » inconnu", "unknown")
	s.ok(s.as("anne", "2468", "", "user", "disable", "--id", "marie"), "disable marie")
	s.refused(s.as("marie", "1357", "", "receipt", "--ticket", "1", "--out", "-"), exitFailed, "le compte « marie » est désactivé", "disabled")
	list := s.ok(s.as("anne", "2468", "", "--lang", "en", "user", "list"), "user list")
	if !strings.Contains(list, "marie") || !strings.Contains(list, "disabled") {
		t.Errorf("user list after disabling:\n%s", list)
	}
}

// TestUser_UsageErrors checks the user commands' mistakes before any PIN is asked.
func TestUser_UsageErrors(t *testing.T) {
	s := newShop(t)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"user"}, exitUsage, "user attend add, list, pin ou disable"},
		{[]string{"user", "frob"}, exitUsage, "sous-commande inconnue"},
		{[]string{"user", "add", "--id", "anne"}, exitUsage, "--role"},
		{[]string{"user", "add", "--role", "manager"}, exitUsage, "user add attend --id"},
		{[]string{"user", "add", "--id", "1234", "--role", "manager"}, exitFailed, "identifiant d'utilisateur invalide"},
		{[]string{"user", "add", "--id", "anne", "--role", "boss"}, exitFailed, "rôle inconnu"},
		{[]string{"user", "pin"}, exitUsage, "user pin attend --id"},
		{[]string{"user", "list", "x"}, exitUsage, "argument inattendu"},
	} {
		s.refused(s.as("", "", "2468\n", tt.args...), tt.code, tt.want, strings.Join(tt.args, " "))
	}
}

// TestUser_WithoutUsersAsBefore checks that a database without users trusts --user as before.
func TestUser_WithoutUsersAsBefore(t *testing.T) {
	s := newShop(t)
	card := comptoir.CardNumber(1)
	s.ok(s.runIn(map[string]string{"COMPTOIR_USER": "sophie"}, strings.NewReader(""), "customer", "enroll", "--card", card,
		"--first", "Jeanne", "--last", "Dupont", "--consent", allNo), "enrol")
	audit := s.ok(s.runIn(nil, strings.NewReader(""), "--user", "sophie", "gdpr", "audit"), "audit")
	if auditLines(audit, "sophie", string(comptoir.AuditEnrol), "", "") != 1 {
		t.Errorf("without users, --user is not the audit trail's who:\n%s", audit)
	}
	out := s.ok(s.runIn(nil, strings.NewReader(""), "user", "list"), "user list")
	if !strings.Contains(out, "Aucun utilisateur") {
		t.Errorf("user list without users = %q", out)
	}
}

// TestUser_PINFromTerminal types the PIN at a terminal (a pseudo-terminal): it is read without
// echo and never printed.
func TestUser_PINFromTerminal(t *testing.T) {
	s := withStaff(t)
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer master.Close()
	defer tty.Close()
	before, err := term.GetState(int(tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	// The terminal keeps what is typed until the program reads it.
	if _, err := master.Write([]byte("2468\n")); err != nil {
		t.Fatal(err)
	}
	r := s.runIn(map[string]string{"COMPTOIR_AS": "anne"}, tty, "user", "list")
	if r.code != exitOK {
		t.Fatalf("user list with the PIN typed at the terminal: exit %d, %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "Code PIN de anne : ") || strings.Contains(r.stderr+r.stdout, "2468") {
		t.Errorf("stderr %q: want the prompt and never the PIN", r.stderr)
	}
	after, err := term.GetState(int(tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the terminal's settings changed: the echo was not restored")
	}

	// A new PIN at the terminal is asked twice.
	if _, err := master.Write([]byte("2468\n8642\n8642\n")); err != nil {
		t.Fatal(err)
	}
	r = s.runIn(map[string]string{"COMPTOIR_AS": "anne"}, tty, "user", "add", "--id", "paul", "--role", "cashier")
	if r.code != exitOK || !strings.Contains(r.stderr, "Nouveau code PIN de paul (4 à 8 chiffres) : ") || !strings.Contains(r.stderr, "Confirmez") {
		t.Fatalf("user add at a terminal: exit %d, %q", r.code, r.stderr)
	}
	s.ok(s.as("paul", "8642", "7531\n", "user", "pin", "--id", "paul"), "paul logs in with the PIN typed twice")
	// Two different entries change nothing.
	if _, err := master.Write([]byte("2468\n9753\n9752\n")); err != nil {
		t.Fatal(err)
	}
	r = s.runIn(map[string]string{"COMPTOIR_AS": "anne"}, tty, "user", "pin", "--id", "paul")
	s.refused(r, exitFailed, "les deux saisies du code PIN diffèrent", "mismatch at the terminal")
}

func TestCommandAccess_Table(t *testing.T) {
	for _, tt := range []struct {
		args []string
		name string
		want access
	}{
		{[]string{"report", "--date", "2026-03-10"}, "report", accessRead},
		{[]string{"customer", "show", "--card", "x"}, "customer show", accessRead},
		{[]string{"customer", "enroll"}, "customer enroll", accessUser},
		{[]string{"customer", "erase"}, "customer erase", accessManager},
		{[]string{"settings", "show"}, "settings show", accessRead},
		{[]string{"settings", "set", "a", "b"}, "settings set", accessManager},
		{[]string{"receipt", "--ticket", "1"}, "receipt", accessUser},
		{[]string{"close"}, "close", accessManager},
		{[]string{"demo-data", "--sales", "1"}, "demo-data", accessManager},
		{[]string{"user", "pin"}, "user pin", accessUser},
		{[]string{"user", "add"}, "user add", accessManager},
		{[]string{"gdpr", "audit"}, "gdpr audit", accessManager},
		{[]string{"gdpr", "register"}, "gdpr register", accessRead},
	} {
		name, a := commandAccess(tt.args)
		if name != tt.name || a != tt.want {
			t.Errorf("commandAccess(%v) = %q, %d; want %q, %d", tt.args, name, a, tt.name, tt.want)
		}
	}
	// Every entry of the table names a command that exists.
	for key := range commandAccesses {
		name, _, _ := strings.Cut(key, " ")
		found := false
		for _, c := range commands {
			found = found || c.name == name
		}
		if !found {
			t.Errorf("commandAccesses names %q, which is no command", key)
		}
	}
}

// TestUser_LockoutFromCommandLine types five wrong PINs: the fifth says the user is locked, the
// right PIN is refused too, and the audit trail says why in the user's language.
func TestUser_LockoutFromCommandLine(t *testing.T) {
	s := withStaff(t)
	for i := 1; i < comptoir.MaxPINFailures; i++ {
		s.refused(s.as("marie", "9999", "", "receipt", "--ticket", "1", "--out", "-"), exitFailed, "identifiant ou code PIN incorrect", "wrong PIN")
	}
	s.refused(s.as("marie", "9999", "", "receipt", "--ticket", "1", "--out", "-"), exitFailed,
		"« marie » est verrouillé après 5 codes PIN faux : réessayez dans 1 min", "fifth wrong PIN")
	s.refused(s.as("marie", "1357", "", "receipt", "--ticket", "1", "--out", "-"), exitFailed, "est verrouillé", "right PIN while locked")
	audit := s.ok(s.as("anne", "2468", "", "gdpr", "audit"), "gdpr audit")
	if got, want := auditLines(audit, "marie", string(comptoir.AuditPINRefused), "", "verrouillé"), 1; got != want {
		t.Errorf("%d refused PINs of marie for the lock in the audit trail, want %d:\n%s", got, want, audit)
	}
}
