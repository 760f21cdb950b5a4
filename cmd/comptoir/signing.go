package main

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

// runKey shows, rotates or replaces the register's signing key (comptoir key show|rotate|replace).
func runKey(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("key attend show, rotate ou replace", "key needs show, rotate or replace")
	}
	switch args[0] {
	case "show":
		return keyShow(e, args[1:])
	case "rotate":
		return keyChange(e, "key rotate", args[1:], (*store.Store).RotateKey)
	case "replace":
		return keyChange(e, "key replace", args[1:], (*store.Store).ReplaceKey)
	}
	return usagef("key : sous-commande inconnue « %s »", "key: unknown subcommand %q", args[0])
}

// keyReasonText names why a key was recorded, as key show says it.
var keyReasonText = map[comptoir.KeyReason]comptoir.Text{
	comptoir.KeyCreated:  {FR: "créée", EN: "created"},
	comptoir.KeyRotated:  {FR: "renouvelée", EN: "rotated"},
	comptoir.KeyReplaced: {FR: "remplacée (clé perdue)", EN: "replaced (key lost)"},
}

// keyShow prints the key in effect: its number in the key chain, why it was recorded, its
// fingerprint (the one Z reports print and verify --archive --key-fingerprint takes), when, and
// where its file is. The key itself is never printed.
func keyShow(e *env, args []string) error {
	s, err := openNoArgs(e, "key show", args)
	if err != nil {
		return err
	}
	defer s.Close()
	info, err := s.SigningKey(e.ctx)
	if err != nil {
		return err
	}
	if info.Number == 0 {
		fmt.Fprintf(e.stdout, e.tr("Pas encore de clé de signature : la caisse la crée avec son premier enregistrement, dans %s.\n",
			"No signing key yet: the register makes it with its first record, in %s.\n"), e.signingKeyFile())
		return nil
	}
	t := table{text: true}
	t.add(e.tr("Clé de signature", "Signing key"), fmt.Sprintf(e.tr("n° %d", "no. %d"), info.Number))
	t.add(e.tr("Motif", "Reason"), keyReasonText[info.Reason].In(e.cfg.lang))
	t.add(e.tr("Empreinte", "Fingerprint"), info.Fingerprint)
	t.add(e.tr("Enregistrée le", "Recorded on"), info.At.In(s.Location()).Format("2006-01-02 15:04:05"))
	t.add(e.tr("Fichier", "File"), e.signingKeyFile())
	return t.write(e.stdout)
}

// keyChange rotates or replaces the key and says what to do next: the new key file must be backed
// up at once, because the records it signs from now on can be checked only with its public key,
// which the journal holds, but signed only with it.
func keyChange(e *env, name string, args []string, change func(*store.Store, context.Context, string) (comptoir.KeyInfo, error)) error {
	s, err := openNoArgs(e, name, args)
	if err != nil {
		return err
	}
	defer s.Close()
	info, err := change(s, e.ctx, e.cfg.user)
	if err != nil {
		return err
	}
	switch info.Reason {
	case comptoir.KeyRotated:
		fmt.Fprintf(e.stdout, e.tr("Nouvelle clé de signature n° %d, signée par la précédente : empreinte %s.\n",
			"New signing key no. %d, signed by the previous one: fingerprint %s.\n"), info.Number, info.Fingerprint)
	case comptoir.KeyReplaced:
		fmt.Fprintf(e.stdout, e.tr("Clé de remplacement n° %d : empreinte %s.\n", "Replacement key no. %d: fingerprint %s.\n"),
			info.Number, info.Fingerprint)
		fmt.Fprintln(e.stdout, e.tr("La rupture est enregistrée dans le journal des événements techniques ; verify la nommera à chaque vérification.",
			"The break is recorded in the technical event log; verify will name it at every check."))
	default:
		fmt.Fprintf(e.stdout, e.tr("Clé de signature n° %d créée : empreinte %s.\n", "Signing key no. %d created: fingerprint %s.\n"),
			info.Number, info.Fingerprint)
	}
	fmt.Fprintf(e.stdout, e.tr("Sauvegardez dès maintenant le fichier de clé %s, à part de la base et protégé (lisible par vous seul).\n",
		"Back up the key file %s now, apart from the database and protected (readable by you alone).\n"), e.signingKeyFile())
	return nil
}

// runEvents lists the technical event log (comptoir events [--since YYYY-MM-DD] [--limit N]):
// date and time in the shop's time zone, what happened in the user's language, who, and the
// detail the register recorded.
func runEvents(e *env, args []string) error {
	fs := newFlags("events")
	since := fs.String("since", "", "first day YYYY-MM-DD")
	limit := fs.Int("limit", 0, "the latest N events")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *limit < 0 {
		return usagef("--limit attend un nombre positif", "--limit needs a positive number")
	}
	var from time.Time
	if *since != "" {
		d, err := comptoir.ParseDay(*since)
		if err != nil {
			return err
		}
		from = d
	}
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	loc := s.Location()
	if !from.IsZero() {
		// The day starts at midnight in the shop's time zone, as its business day does.
		from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	}
	events, err := s.TechEvents(e.ctx, from, *limit)
	if err != nil {
		return err
	}
	l := e.cfg.lang
	if len(events) == 0 {
		fmt.Fprintln(e.stdout, e.tr("Aucun événement technique.", "No technical event."))
		return nil
	}
	out := newListing(e.stdout, column{width: len("2006-01-02 15:04:05")}, column{width: techLabelWidth(l)}, column{width: auditWhoWidth})
	for _, ev := range events {
		if err := out.row(ev.At.In(loc).Format("2006-01-02 15:04:05"), ev.Code.Label(l), comptoir.CleanText(ev.User),
			comptoir.CleanText(ev.Detail)); err != nil {
			return err
		}
	}
	return out.flush()
}

// techLabelWidth is the width of the longest technical event label in a language.
func techLabelWidth(l comptoir.Lang) int {
	w := 0
	for _, c := range comptoir.TechCodes {
		w = max(w, utf8.RuneCountInString(c.Label(l)))
	}
	return w
}
