package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/comptoir/comptoir/postgres"
	"github.com/comptoir/comptoir/store"
)

// migrateConfig is the command line of comptoir-central migrate.
type migrateConfig struct {
	from, to, key string
	lang          comptoir.Lang
}

// parseMigrateFlags reads migrate's command line; COMPTOIR_LANG sets the language.
func parseMigrateFlags(args []string, getenv func(string) string) (migrateConfig, error) {
	mc := migrateConfig{lang: comptoir.LangFR}
	lang := "fr"
	if v := getenv("COMPTOIR_LANG"); v != "" {
		lang = v
	}
	fs := flag.NewFlagSet("comptoir-central migrate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&mc.from, "from", "", "")
	fs.StringVar(&mc.to, "to", "", "")
	fs.StringVar(&mc.key, "key", "", "")
	fs.StringVar(&lang, "lang", lang, "")
	err := fs.Parse(args)
	if l, lerr := comptoir.ParseLang(lang); lerr == nil {
		mc.lang = l
	} else if err == nil {
		return mc, usagef("langue inconnue « %s » : fr ou en", "unknown language %q: fr or en", lang)
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return mc, &cliError{fr: usageFR, en: usageEN, help: true}
	case err != nil:
		return mc, flagError(err)
	case fs.NArg() > 0:
		return mc, unexpected(fs.Arg(0))
	case mc.from == "":
		return mc, usagef("--from FICHIER est obligatoire : le fichier de la centrale embarquée à copier",
			"--from FILE is required: the embedded central's file to copy")
	case isPostgres(mc.from) || keywordForm(mc.from):
		return mc, usageOf(comptoir.E(comptoir.CodeMigrateSourceNotFile))
	case keywordForm(mc.to):
		return mc, usageOf(comptoir.E(comptoir.CodePostgresKeywordForm, "--to"))
	case !isPostgres(mc.to):
		return mc, usagef("--to attend l'adresse de la base PostgreSQL vide où copier : postgres://UTILISATEUR@SERVEUR/BASE",
			"--to needs the address of the empty PostgreSQL database to copy into: postgres://USER@SERVER/DATABASE")
	}
	if mc.key == "" {
		mc.key = central.KeyPath(mc.from)
	}
	return mc, nil
}

// migrate copies the embedded central into PostgreSQL and prints what both hold.
//
// The key file is checked before anything is written: it must be the embedded central's, which
// the registers pinned, since the PostgreSQL central is opened with it and stores its check
// value, and a database opened once with another key would refuse the right one afterwards.
func migrate(ctx context.Context, mc migrateConfig, stdout io.Writer) error {
	// MustExist: a mistyped path must not create an empty central, and a file the running central
	// holds is refused (CodeDatabaseInUse) rather than copied while it changes.
	bc, err := store.OpenCentral(mc.from, store.CentralOptions{MustExist: true})
	if errors.Is(err, comptoir.E(comptoir.CodeDatabaseMissing)) {
		// The register's sentence names --db and how to create a register's database.
		return comptoir.E(comptoir.CodeMigrateSourceMissing, mc.from)
	}
	if err != nil {
		return err
	}
	defer bc.Close()
	own, err := central.LoadKeys(central.KeyPath(mc.from), false)
	if err != nil {
		return err
	}
	given, err := central.LoadKeys(mc.key, false)
	if errors.Is(err, comptoir.E(comptoir.CodeCentralKeyLost)) {
		// The central's sentence is about a key lost beside its database: here the path is the
		// one given to --key, which must be the embedded central's key file.
		return comptoir.E(comptoir.CodeMigrateKeyMissing, mc.key)
	}
	if err != nil {
		return err
	}
	if !given.Matches(own.Check) {
		return comptoir.E(comptoir.CodeKeyMismatch)
	}
	octx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	// Open writes to the database (the schema, the key's check): another application's tables,
	// or another central's data, are refused before, reading only.
	if err := postgres.CheckTarget(octx, mc.to); err != nil {
		return targetRefusal(err)
	}
	pc, err := postgres.Open(octx, mc.to, postgres.Options{KeyPath: mc.key})
	if errors.Is(err, comptoir.E(comptoir.CodeKeyMismatch)) {
		// CheckTarget found no central in it: an empty database opened once with another key.
		return comptoir.E(comptoir.CodeMigrateTargetOtherKey)
	}
	if err != nil {
		return targetRefusal(err)
	}
	defer pc.Close()
	src, dst, err := pc.Import(ctx, func(s central.Sink) error { return bc.Export(ctx, s) })
	if err != nil {
		return err
	}
	if err := sameSummaries(ctx, bc, pc, src); err != nil {
		return err
	}
	return printTotals(stdout, mc, src, dst)
}

// sameSummaries asks both centrals, once the copy is committed, what the back office reads of
// every register, through their own code: a summary that differs is said, although the copy
// stays, since the totals it was checked with matched before the commit.
func sameSummaries(ctx context.Context, bc *store.Central, pc *postgres.Central, src central.Totals) error {
	names := make([]string, 0, len(src.Registers))
	for name := range src.Registers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		a, err := bc.Register(ctx, name)
		if err != nil {
			return err
		}
		b, err := pc.Register(ctx, name)
		if err != nil {
			return err
		}
		// The same instant may come back in another location: only the instant is compared.
		if a.LastSeen.Equal(b.LastSeen) {
			b.LastSeen = a.LastSeen
		}
		if a != b {
			return failf("copie faite, mais le résumé de la caisse %s diffère : %+v dans la centrale embarquée, %+v dans PostgreSQL",
				"copy made, but register %s's summary differs: %+v in the embedded central, %+v in PostgreSQL", name, a, b)
		}
	}
	return nil
}

// printTotals prints, side by side, what the embedded central held and what the PostgreSQL
// database holds after the copy, which Import has already found equal.
func printTotals(w io.Writer, mc migrateConfig, src, dst central.Totals) error {
	tr := func(fr, en string) string {
		if mc.lang == comptoir.LangEN {
			return en
		}
		return fr
	}
	fmt.Fprintf(w, tr("%s copiée dans PostgreSQL (%s), en une transaction, vérifiée avant sa validation :\n",
		"%s copied into PostgreSQL (%s), in one transaction, checked before its commit:\n"), mc.from, describePostgres(mc.to))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\t%s\t%s\n", tr("embarquée", "embedded"), "PostgreSQL")
	names := make([]string, 0, len(src.Registers))
	for name := range src.Registers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		a, b := src.Registers[name], dst.Registers[name]
		fmt.Fprintf(tw, tr("caisse %s : séquence acquittée\t%d\t%d\n", "register %s: acknowledged sequence\t%d\t%d\n"), name, a.AckedSeq, b.AckedSeq)
		fmt.Fprintf(tw, tr("  événements\t%d\t%d\n", "  events\t%d\t%d\n"), a.Events, b.Events)
		fmt.Fprintf(tw, tr("  tickets\t%d\t%d\n", "  tickets\t%d\t%d\n"), a.Tickets, b.Tickets)
		fmt.Fprintf(tw, tr("  grand total\t%s\t%s\n", "  grand total\t%s\t%s\n"), a.GrandTotal.Format(mc.lang), b.GrandTotal.Format(mc.lang))
		fmt.Fprintf(tw, tr("  rejetés, conflits\t%d, %d\t%d, %d\n", "  rejected, conflicts\t%d, %d\t%d, %d\n"), a.Rejected, a.Conflicts, b.Rejected, b.Conflicts)
	}
	for _, row := range []struct {
		fr, en string
		a, b   any
	}{
		{"membres", "members", src.Members, dst.Members},
		{"somme des soldes de points", "sum of points balances", src.Balances, dst.Balances},
		{"cartes", "cards", src.Cards, dst.Cards},
		{"données personnelles scellées", "sealed personal data", src.Seals, dst.Seals},
		{"index des e-mails", "email index", src.Emails, dst.Emails},
		{"changements du flux", "feed entries", src.Feed, dst.Feed},
		{"listes de prix", "price lists", src.Catalogs, dst.Catalogs},
		{"journal d'audit", "audit entries", src.AuditEntries, dst.AuditEntries},
		{"empreintes bloquées", "blocked hashes", src.Blocked, dst.Blocked},
		{"blocs de cartes", "card blocks", src.CardBlocks, dst.CardBlocks},
		{"conflits gardés", "conflicts kept", src.ConflictRecords, dst.ConflictRecords},
		{"conflits de cartes", "card conflicts", src.CardConflicts, dst.CardConflicts},
	} {
		fmt.Fprintf(tw, "%s\t%v\t%v\n", tr(row.fr, row.en), row.a, row.b)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprint(w, tr(
		"Tout correspond. Les heures des événements sont gardées à la microseconde dans PostgreSQL (une caisse les date à la nanoseconde).\n"+
			"Démarrez chaque comptoir-central sur cette base avec --key "+mc.key+" : les caisses ont épinglé cette clé.\n",
		"Everything matches. Events' times are kept to the microsecond in PostgreSQL (a register dates them to the nanosecond).\n"+
			"Start every comptoir-central on this database with --key "+mc.key+": the registers pinned that key.\n"))
	return err
}

// targetRefusal says the refusals of an address or a connection as being about --to: the
// PostgreSQL central's sentences name --db.
func targetRefusal(err error) error {
	var r *comptoir.Error
	if !errors.As(err, &r) {
		return err
	}
	switch r.Code {
	case comptoir.CodePostgresAddress:
		return comptoir.E(comptoir.CodeMigrateAddress)
	case comptoir.CodePostgresUnreachable:
		return comptoir.Wrap(comptoir.CodeMigrateUnreachable, r.Err, r.Args...)
	}
	return err
}
