// Command comptoir is the Comptoir register: run bare on a terminal it opens the register's
// screens (register.go); its subcommands are the manager's tools (catalogue import, demo data,
// Z close, reports, journal verification, members, users).
//
// Settings come from flags placed before or after the subcommand, or from the environment:
// --db / COMPTOIR_DB, --register / COMPTOIR_REGISTER, --lang / COMPTOIR_LANG. Exit codes: 0 done,
// 1 refused or failed (one clear line on stderr), 2 usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	defaultDB   = "comptoir.db"
	defaultReg  = "R1"
	openTimeout = time.Second
)

// config is the global settings every subcommand shares.
type config struct {
	db       string
	register string
	lang     comptoir.Lang
	// keyFile is the master key protecting members' data; empty means beside the database.
	keyFile string
	// user names who acts, for the audit trail of members' data. Once the database has users it
	// is no longer trusted: it becomes the user authenticated as --as.
	user string
	// as and pin are the user a command acts as and their PIN (COMPTOIR_PIN, never a flag).
	as, pin string
}

// env is what a command runs with: settings, streams, and a way to open the store. Opening is a
// function so that demo-data can give the store its own clock.
type env struct {
	ctx    context.Context
	cfg    config
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	clock  *clock
	// auth is who runs the command and what it may do (users.go).
	auth auth
	// getenv reads the environment, for the settings only the register's screen reads.
	getenv func(string) string
	// sleep waits between a sync's retries; nil waits for real. Tests record the waits.
	sleep func(context.Context, time.Duration) error
	// signing overrides where the store finds the signing key and what it makes a new one from:
	// demo-data makes its key from its seed, in a working file that follows the database's copy.
	signing signingOptions
}

// signingOptions are the store's signing key options a command may set; the zero value is the
// key file beside the database, made at random.
type signingOptions struct {
	file string
	seed []byte
}

// clock is the store's clock: the real time unless demo-data sets it to replay past days.
type clock struct{ at time.Time }

func (c *clock) Now() time.Time {
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

// open opens the database, creating it only for the commands that fill it (catalog import,
// demo-data): the others refuse a path that does not exist.
func (e *env) open(create bool) (*store.Store, error) { return e.openAt(e.cfg.db, create) }

func (e *env) openAt(path string, create bool) (*store.Store, error) {
	s, err := store.Open(path, store.Options{Register: e.cfg.register, Timeout: openTimeout, Now: e.clock.Now,
		MustExist: !create, KeyFile: e.keyFile(), PINIterations: e.auth.pinIterations,
		SigningKeyFile: e.signing.file, SigningSeed: e.signing.seed})
	if err != nil {
		// The register's screen holding the file is said as such, not as a bare "in use".
		return nil, registerOpenError(path, err)
	}
	// Once the database has users, no command writes or reveals before knowing who runs it.
	if err := e.authorize(s, e.auth.need, e.auth.command); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// keyFile is the master key file of members' data: --key-file, or beside the database the user
// named, even when demo-data fills a copy.
func (e *env) keyFile() string {
	if e.cfg.keyFile != "" {
		return e.cfg.keyFile
	}
	return e.cfg.db + ".key"
}

// signingKeyFile is the register's signing key file, beside the database as the store makes it.
func (e *env) signingKeyFile() string { return e.cfg.db + ".sign" }

// tr picks the French or English text for the configured language.
func (e *env) tr(fr, en string) string {
	if e.cfg.lang == comptoir.LangEN {
		return en
	}
	return fr
}

// usageError is a mistake in the command line: exit code 2 and a pointer to the help.
type usageError struct{ fr, en string }

func (u usageError) Error() string { return u.en }

func usagef(fr, en string, args ...any) error {
	return usageError{fmt.Sprintf(fr, args...), fmt.Sprintf(en, args...)}
}

type command struct {
	name  string
	run   func(e *env, args []string) error
	usage [2]string // French, English
}

var commands = []command{
	{"catalog", runCatalog, [2]string{
		"catalog import FICHIER      importe un tarif CSV (gtin;libellé;prix;tva), - pour l'entrée standard\n  catalog list                affiche le catalogue",
		"catalog import FILE         import a CSV price list (gtin,name,price,vat), - for standard input\n  catalog list                list the catalogue"}},
	{"demo-data", runDemoData, [2]string{
		"demo-data --sales N [--days J] [--seed S] [--start AAAA-MM-JJ] [--customers M]\n                              remplit une base vide : catalogue de démonstration, M membres et N tickets sur J jours clôturés",
		"demo-data --sales N [--days D] [--seed S] [--start YYYY-MM-DD] [--customers M]\n                              fill an empty database: demo catalogue, M members and N tickets over D closed days"}},
	{"close", runClose, [2]string{
		"close [--date AAAA-MM-JJ | --month AAAA-MM | --year AAAA]\n                              clôture Z du jour (ou du mois, de l'année) et imprime le rapport",
		"close [--date YYYY-MM-DD | --month YYYY-MM | --year YYYY]\n                              Z close of the day (or month, year) and print its report"}},
	{"report", runReport, [2]string{
		"report [--date AAAA-MM-JJ | --month AAAA-MM | --year AAAA]\n                              totaux par taux de TVA et par moyen de paiement, grands totaux",
		"report [--date YYYY-MM-DD | --month YYYY-MM | --year YYYY]\n                              totals by VAT rate and payment method, grand totals"}},
	{"verify", runVerify, [2]string{
		"verify [--key-fingerprint E] [--archive FICHIER]\n" +
			"                              vérifie les chaînages et les signatures du journal, ou d'une archive fiscale sans la base ;\n" +
			"                              avec l'empreinte d'un rapport Z, que le journal ou l'archive est signé par cette clé ;\n" +
			"                              code 1 et le premier enregistrement altéré sinon",
		"verify [--key-fingerprint F] [--archive FILE]\n" +
			"                              check the journal's chains and signatures, or a fiscal archive's without the database;\n" +
			"                              with a Z report's fingerprint, that the journal or the archive is signed by that key;\n" +
			"                              exit 1 naming the first altered record otherwise"}},
	{"archive", runArchive, [2]string{
		"archive --period AAAA-MM|AAAA [--out FICHIER]\n                              archive fiscale signée d'un mois ou d'une année clôturés (gérant)",
		"archive --period YYYY-MM|YYYY [--out FILE]\n                              signed fiscal archive of a closed month or year (manager)"}},
	{"events", runEvents, [2]string{
		"events [--since AAAA-MM-JJ] [--limit N]\n                              journal des événements techniques : démarrages, connexions, vérifications, clés, anomalies",
		"events [--since YYYY-MM-DD] [--limit N]\n                              technical event log: starts, logins, verifications, keys, anomalies"}},
	{"key", runKey, [2]string{
		"key show                    clé de signature en vigueur : numéro, motif, empreinte, date, fichier\n" +
			"  key rotate                  nouvelle clé, signée par la précédente (gérant) ; sauvegardez le nouveau fichier\n" +
			"  key replace                 nouvelle clé quand la précédente est perdue (gérant) : rupture déclarée, que verify nomme",
		"key show                    the signing key in effect: number, reason, fingerprint, date, file\n" +
			"  key rotate                  a new key, signed by the previous one (manager); back up the new file\n" +
			"  key replace                 a new key when the previous one is lost (manager): a declared break, which verify names"}},
	{"customer", runCustomer, [2]string{
		"customer enroll --card C --first P --last N [--email E] [--phone T] --consent email=oui,sms=non,phone=non,post=non,partners=non [--basis B]\n" +
			"  customer show --card C [--reveal]      fiche du membre, masquée sauf --reveal (tracé)\n" +
			"  customer consent --card C --channel CANAL --grant|--withdraw [--via register|web|email]\n" +
			"  customer update --card C [--first P] [--last N] [--email E] [--phone T]   rectification\n" +
			"  customer export --card C               tout ce qui est détenu sur la personne, en JSON\n" +
			"  customer erase --card C                effacement (destruction de la clé de ses données)\n" +
			"  customer stop-processing --card C      arrêt du traitement (limitation) : points et nouveaux consentements gelés\n" +
			"  customer resume-processing --card C    lève l'arrêt du traitement ; la base légale reste celle d'avant\n" +
			"  customer block --email E               liste de blocage",
		"customer enroll --card C --first F --last L [--email E] [--phone P] --consent email=yes,sms=no,phone=no,post=no,partners=no [--basis B]\n" +
			"  customer show --card C [--reveal]      the member, masked unless --reveal (logged)\n" +
			"  customer consent --card C --channel CH --grant|--withdraw [--via register|web|email]\n" +
			"  customer update --card C [--first F] [--last L] [--email E] [--phone P]   rectification\n" +
			"  customer export --card C               everything held on the person, as JSON\n" +
			"  customer erase --card C                erasure (the key of their data is destroyed)\n" +
			"  customer stop-processing --card C      stop processing (restriction): points and new consents frozen\n" +
			"  customer resume-processing --card C    lifts the restriction; the lawful basis is the one it had\n" +
			"  customer block --email E               block list"}},
	{"card", runCard, [2]string{"card new                    prochain numéro de carte de fidélité libre",
		"card new                    next free loyalty card number"}},
	{"gdpr", runGDPR, [2]string{
		"gdpr purge --inactive 3y [--dry-run]   efface les membres sans activité depuis la durée donnée\n" +
			"  gdpr register                          registre des traitements (Markdown)\n" +
			"  gdpr audit                             journal d'audit des données des membres",
		"gdpr purge --inactive 3y [--dry-run]   erase members with no activity for that long\n" +
			"  gdpr register                          record of processing activities (Markdown)\n" +
			"  gdpr audit                             audit trail of members' data"}},
	{"scanner", runScanner, [2]string{"scanner --port P [--baud N] [--json]   affiche chaque code lu et chaque branchement du lecteur",
		"scanner --port P [--baud N] [--json]   print every code read and every (dis)connection of the scanner"}},
	{"receipt", runReceipt, [2]string{"receipt --ticket N (--printer PORT [--baud N] | --out FICHIER|- [--force]) [--width 32|48] [--text]\n" +
		"                              ticket de caisse (DUPLICATA s'il a déjà été imprimé) ; --force remplace un fichier existant",
		"receipt --ticket N (--printer PORT [--baud N] | --out FILE|- [--force]) [--width 32|48] [--text]\n" +
			"                              receipt (DUPLICATA when printed before); --force replaces an existing file"}},
	{"settings", runSettings, [2]string{"settings show | settings set NOM VALEUR   réglages du magasin (nom, SIRET, RGPD, points)",
		"settings show | settings set NAME VALUE   the shop's settings (name, SIRET, GDPR, points)"}},
	{"user", runUser, [2]string{
		"user add --id ID --role cashier|manager\n                              ajoute un utilisateur ; son code PIN est lu sans écho au terminal, ou sur l'entrée standard\n" +
			"  user list                   liste les utilisateurs, leur rôle et leur état\n" +
			"  user pin --id ID            change un code PIN (le sien, ou celui d'un autre pour un gérant)\n" +
			"  user disable --id ID        désactive un utilisateur, qui ne peut plus se connecter",
		"user add --id ID --role cashier|manager\n                              add a user; their PIN is read without echo from the terminal, or from standard input\n" +
			"  user list                   list the users, their role and state\n" +
			"  user pin --id ID            change a PIN (one's own, or anyone's for a manager)\n" +
			"  user disable --id ID        disable a user, who can no longer log in"}},
	{"sync", runSync, [2]string{"sync [--central URL] [--token-file FICHIER | --token T] [--ca-file FICHIER]\n" +
		"                              envoie à la centrale tous les événements en attente, puis reçoit ce qui a changé ailleurs\n" +
		"                              (COMPTOIR_CENTRAL, COMPTOIR_TOKEN, COMPTOIR_CA_FILE) ; l'adresse et le fichier de jeton sont retenus\n" +
		"                              (sync.central, sync.token-file) ; code 0 quand tout est acquitté et reçu.\n" +
		"                              Préférez --token-file (chmod 600) : --token se voit dans ps",
		"sync [--central URL] [--token-file FILE | --token T] [--ca-file FILE]\n" +
			"                              send every waiting event to the central, then receive what changed elsewhere\n" +
			"                              (COMPTOIR_CENTRAL, COMPTOIR_TOKEN, COMPTOIR_CA_FILE); the address and the token file are remembered\n" +
			"                              (sync.central, sync.token-file); exit 0 once everything is acknowledged and received.\n" +
			"                              Prefer --token-file (chmod 600): --token shows in ps"}},
	{"version", runVersion, [2]string{"version                     version du logiciel (celle des tickets), de Go et révision des sources",
		"version                     version of the software (the one receipts print), of Go, and source revision"}},
	{"help", nil, [2]string{"help                        cette aide", "help                        this help"}},
}

// run is the whole program, testable: arguments, environment and streams in, exit code out.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(&env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, clock: &clock{}}, args, getenv)
}

// runEnv is run with an env a test may have prepared (cheap PIN hashes).
func runEnv(e *env, args []string, getenv func(string) string) int {
	e.getenv = getenv
	rest, err := parseGlobal(args, getenv, &e.cfg)
	if err != nil {
		return e.fail(err)
	}
	if len(rest) == 0 || isRegisterOption(rest[0]) {
		return e.fail(runRegister(e, rest))
	}
	if rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help" {
		return e.fail(runHelp(e, nil))
	}
	e.auth.command, e.auth.need = commandAccess(rest)
	for _, c := range commands {
		if c.name == rest[0] {
			err := c.run(e, rest[1:])
			if errors.Is(err, errShowHelp) {
				err = runHelp(e, nil)
			}
			return e.fail(err)
		}
	}
	if strings.HasPrefix(rest[0], "-") {
		// An option before any command is one of the global settings mistyped, not a command.
		return e.fail(usagef("option inconnue %s", "unknown option %s", rest[0]))
	}
	return e.fail(usagef("commande inconnue « %s »", "unknown command %q", rest[0]))
}

// fail turns an error into its exit code and one line on stderr.
func (e *env) fail(err error) int {
	var u usageError
	var broken journalBroken
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &broken):
		fmt.Fprintln(e.stderr, "comptoir:", e.tr("journal altéré : ", "journal altered: ")+broken.message(e.cfg.lang))
		return exitFailed
	case errors.As(err, &u):
		fmt.Fprintf(e.stderr, "comptoir: %s\n%s\n", e.tr(u.fr, u.en), e.tr("Voir « comptoir help ».", "See 'comptoir help'."))
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(e.stderr, "comptoir:", e.tr("interrompu", "interrupted"))
		return exitFailed
	default:
		fmt.Fprintln(e.stderr, "comptoir:", comptoir.Message(err, e.cfg.lang))
		return exitFailed
	}
}

// parseGlobal takes the global settings out of the arguments wherever they stand, so that
// "comptoir --db x report" and "comptoir report --db x" both work, and returns the rest.
func parseGlobal(args []string, getenv func(string) string, cfg *config) ([]string, error) {
	cfg.db, cfg.register, cfg.user = defaultDB, defaultReg, "manager"
	if u := getenv("USER"); u != "" {
		cfg.user = u
	}
	lang := "fr"
	env := map[string]*string{"COMPTOIR_DB": &cfg.db, "COMPTOIR_REGISTER": &cfg.register, "COMPTOIR_LANG": &lang,
		"COMPTOIR_KEY_FILE": &cfg.keyFile, "COMPTOIR_USER": &cfg.user, "COMPTOIR_AS": &cfg.as, "COMPTOIR_PIN": &cfg.pin}
	for name, dst := range env {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	flags := map[string]*string{"db": &cfg.db, "register": &cfg.register, "lang": &lang, "key-file": &cfg.keyFile, "user": &cfg.user,
		"as": &cfg.as}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		dst, ok := flags[name]
		if !ok || !strings.HasPrefix(a, "-") {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, usagef("--%s attend une valeur", "--%s needs a value", name)
			}
			i++
			value = args[i]
		}
		*dst = value
	}
	l, err := comptoir.ParseLang(lang)
	if err != nil {
		return nil, usagef("langue inconnue « %s » : fr ou en", "unknown language %q: fr or en", lang)
	}
	cfg.lang = l
	return rest, nil
}

// runHelp prints the usage. It is not in the commands table because it lists that table.
func runHelp(e *env, _ []string) error {
	w := e.stdout
	fmt.Fprintln(w, e.tr("Comptoir — caisse enregistreuse hors ligne d'abord.", "Comptoir — an offline-first point-of-sale register."))
	fmt.Fprintln(w)
	fmt.Fprintln(w, e.tr("Usage : comptoir [réglages] [--scanner PORT [--scanner-baud N]] [--printer PORT [--printer-baud N] [--paper 58|80]]",
		"Usage: comptoir [settings] [--scanner PORT [--scanner-baud N]] [--printer PORT [--printer-baud N] [--paper 58|80]]"))
	fmt.Fprintln(w, e.tr("        ouvre la caisse (dans un terminal)", "        open the register (in a terminal)"))
	fmt.Fprintln(w, e.tr("        comptoir [réglages] COMMANDE [options]", "       comptoir [settings] COMMAND [options]"))
	fmt.Fprintln(w)
	fmt.Fprintln(w, e.tr("Caisse : connexion par identifiant et code PIN, vente, paiement ; F1 liste les touches. Sur une base neuve,",
		"Register: log in with an ID and PIN, sell, take payment; F1 lists the keys. On a new database the"))
	fmt.Fprintln(w, e.tr("  l'écran dit comment se connecter la première fois (compte « gerant », code PIN affiché une seule fois).",
		"  screen says how to log in the first time (account \"gerant\", PIN shown only once)."))
	fmt.Fprintln(w, e.tr("  --scanner PORT      COMPTOIR_SCANNER       lecteur de codes-barres série, par exemple /dev/ttyACM0",
		"  --scanner PORT      COMPTOIR_SCANNER       serial barcode scanner, such as /dev/ttyACM0"))
	fmt.Fprintln(w, e.tr("  --scanner-baud N    COMPTOIR_SCANNER_BAUD  sa vitesse (9600)", "  --scanner-baud N    COMPTOIR_SCANNER_BAUD  its speed (9600)"))
	fmt.Fprintln(w, e.tr("  --printer PORT      COMPTOIR_PRINTER       imprimante de tickets (série ou USB), par exemple /dev/usb/lp0",
		"  --printer PORT      COMPTOIR_PRINTER       receipt printer (serial or USB), such as /dev/usb/lp0"))
	fmt.Fprintln(w, e.tr("  --printer-baud N    COMPTOIR_PRINTER_BAUD  sa vitesse sur une ligne série (9600)",
		"  --printer-baud N    COMPTOIR_PRINTER_BAUD  its speed on a serial line (9600)"))
	fmt.Fprintln(w, e.tr("  --paper 58|80       COMPTOIR_PAPER         largeur du rouleau en mm (80)", "  --paper 58|80       COMPTOIR_PAPER         width of the paper roll in mm (80)"))
	fmt.Fprintln(w)
	fmt.Fprintln(w, e.tr("Commandes :", "Commands:"))
	for _, c := range commands {
		fmt.Fprintln(w, "  "+e.tr(c.usage[0], c.usage[1]))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, e.tr("Réglages (avant ou après la commande, ou par l'environnement) :", "Settings (before or after the command, or from the environment):"))
	fmt.Fprintln(w, e.tr("  --db FICHIER        COMPTOIR_DB        base de données (comptoir.db)", "  --db FILE           COMPTOIR_DB        database file (comptoir.db)"))
	fmt.Fprintln(w, e.tr("  --register NOM      COMPTOIR_REGISTER  nom de la caisse (R1)", "  --register NAME     COMPTOIR_REGISTER  register name (R1)"))
	fmt.Fprintln(w, e.tr("  --lang fr|en        COMPTOIR_LANG      langue (fr)", "  --lang fr|en        COMPTOIR_LANG      language (fr)"))
	fmt.Fprintln(w, e.tr("  --key-file FICHIER  COMPTOIR_KEY_FILE  clé de chiffrement des données des membres (base + .key)",
		"  --key-file FILE     COMPTOIR_KEY_FILE  encryption key of members' data (database + .key)"))
	fmt.Fprintln(w, e.tr("  --user NOM          COMPTOIR_USER      qui agit, pour le journal d'audit, tant que la base n'a pas d'utilisateur ($USER)",
		"  --user NAME         COMPTOIR_USER      who acts, for the audit trail, while the database has no users ($USER)"))
	fmt.Fprintln(w, e.tr("  --as ID             COMPTOIR_AS        une fois des utilisateurs créés, qui agit (remplace --user) : son code PIN est",
		"  --as ID             COMPTOIR_AS        once users exist, who acts (instead of --user): their PIN is asked"))
	fmt.Fprintln(w, e.tr("                      COMPTOIR_PIN       demandé au terminal, ou lu dans COMPTOIR_PIN par les scripts",
		"                      COMPTOIR_PIN       at the terminal, or read from COMPTOIR_PIN by scripts"))
	fmt.Fprintln(w)
	fmt.Fprintln(w, e.tr("Codes de sortie : 0 fait, 1 refusé ou échoué, 2 erreur d'usage.", "Exit codes: 0 done, 1 refused or failed, 2 usage error."))
	return nil
}
