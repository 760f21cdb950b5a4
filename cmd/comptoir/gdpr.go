package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

func runGDPR(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("gdpr attend purge, register ou audit", "gdpr needs purge, register or audit")
	}
	switch args[0] {
	case "purge":
		return gdprPurge(e, args[1:])
	case "register":
		return gdprRegister(e, args[1:])
	case "audit":
		return gdprAudit(e, args[1:])
	}
	return usagef("gdpr : sous-commande inconnue « %s »", "gdpr: unknown subcommand %q", args[0])
}

// parseAge reads a retention period: "3y", "18m" or "90d".
func parseAge(s string) (years, months, days int, ok bool) {
	if len(s) < 2 {
		return 0, 0, 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > 100*366 {
		return 0, 0, 0, false
	}
	switch strings.ToLower(s[len(s)-1:]) {
	case "y", "a":
		return n, 0, 0, true
	case "m":
		return 0, n, 0, true
	case "d", "j":
		return 0, 0, n, true
	}
	return 0, 0, 0, false
}

func gdprPurge(e *env, args []string) error {
	fs := newFlags("gdpr purge")
	inactive := fs.String("inactive", "", "period without activity: 3y, 36m, 1095d")
	dryRun := fs.Bool("dry-run", false, "list without erasing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	y, m, d, ok := parseAge(*inactive)
	if !ok {
		return usagef("gdpr purge attend --inactive DURÉE, par exemple 3y, 36m ou 1095d", "gdpr purge needs --inactive PERIOD, such as 3y, 36m or 1095d")
	}
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	before := e.clock.Now().AddDate(-y, -m, -d)
	// Members examined, then erased, on stderr: the IDs and the count stay stdout's.
	prog := e.newProgress()
	defer prog.finish()
	ids, err := s.PurgeInactive(comptoir.WithProgress(e.ctx, prog.report), before, *dryRun, e.cfg.user)
	prog.finish()
	if err != nil {
		return err
	}
	for _, id := range ids {
		fmt.Fprintln(e.stdout, id)
	}
	switch {
	case *dryRun:
		fmt.Fprintf(e.stdout, e.tr("%d membres sans activité depuis le %s seraient effacés (simulation)\n",
			"%d members with no activity since %s would be erased (dry run)\n"), len(ids), before.Format("2006-01-02"))
	default:
		fmt.Fprintf(e.stdout, e.tr("%d membres sans activité depuis le %s effacés\n",
			"%d members with no activity since %s erased\n"), len(ids), before.Format("2006-01-02"))
	}
	return nil
}

// openNoArgs checks that a command got no argument and opens the existing database.
func openNoArgs(e *env, name string, args []string) (*store.Store, error) {
	fs := newFlags(name)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if err := noArgs(fs); err != nil {
		return nil, err
	}
	return e.open(false)
}

func gdprRegister(e *env, args []string) error {
	s, err := openNoArgs(e, "gdpr register", args)
	if err != nil {
		return err
	}
	defer s.Close()
	set, err := s.Settings(e.ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(e.stdout, comptoir.ProcessingRegister(set, comptoir.DefaultRetentionYears, e.cfg.lang))
	return err
}

// gdprAudit prints the audit trail as the store reads it, oldest first: when, who, what, which
// member, and the detail last, as it is the one column of unknown width.
func gdprAudit(e *env, args []string) error {
	s, err := openNoArgs(e, "gdpr audit", args)
	if err != nil {
		return err
	}
	defer s.Close()
	l := e.cfg.lang
	out := newListing(e.stdout, column{width: len("2006-01-02 15:04:05")}, column{width: auditWhoWidth},
		column{width: comptoir.AuditActionWidth(l)}, column{width: len("M0123456789abcdef")})
	err = s.EachAudit(e.ctx, func(a comptoir.AuditEntry) error {
		return out.row(a.At.In(time.Local).Format("2006-01-02 15:04:05"), comptoir.CleanText(a.Who), a.Action.Format(l),
			string(a.Customer), comptoir.CleanText(a.DetailIn(l)))
	})
	if ferr := out.flush(); err == nil {
		err = ferr
	}
	return err
}

// auditWhoWidth fits most user names; a longer one pushes the rest of its line right.
const auditWhoWidth = 12

func runSettings(e *env, args []string) error {
	switch {
	case len(args) == 1 && args[0] == "show":
		s, err := e.open(false)
		if err != nil {
			return err
		}
		defer s.Close()
		set, err := s.Settings(e.ctx)
		if err != nil {
			return err
		}
		// The key is what "settings set" takes; the label says what it is in the user's language.
		t := table{text: true}
		for _, k := range comptoir.SettingKeys() {
			t.add(k, comptoir.SettingLabel(k, e.cfg.lang), set.Get(k))
		}
		return t.write(e.stdout)
	case len(args) == 3 && args[0] == "set":
		s, err := e.open(true)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.SetSetting(e.ctx, args[1], args[2]); err != nil {
			return err
		}
		set, err := s.Settings(e.ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s = %s\n", args[1], set.Get(args[1]))
		return nil
	}
	return usagef("settings attend show, ou set NOM VALEUR", "settings needs show, or set NAME VALUE")
}
