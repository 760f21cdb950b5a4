package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

// runCustomer dispatches the member commands a manager runs at the back office.
func runCustomer(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("customer attend une sous-commande : enroll, show, consent, update, export, erase, stop-processing, resume-processing, block",
			"customer needs a subcommand: enroll, show, consent, update, export, erase, stop-processing, resume-processing, block")
	}
	sub := map[string]func(*env, []string) error{
		"enroll": customerEnroll, "show": customerShow, "consent": customerConsent, "update": customerUpdate,
		"export": customerExport, "erase": customerErase, "stop-processing": customerStop,
		"resume-processing": customerResume, "block": customerBlock,
	}[args[0]]
	if sub == nil {
		return usagef("customer : sous-commande inconnue « %s »", "customer: unknown subcommand %q", args[0])
	}
	return sub(e, args[1:])
}

func customerEnroll(e *env, args []string) error {
	fs := newFlags("customer enroll")
	card := fs.String("card", "", "card number")
	first := fs.String("first", "", "first name")
	last := fs.String("last", "", "last name")
	email := fs.String("email", "", "email")
	phone := fs.String("phone", "", "phone")
	consent := fs.String("consent", "", "email=yes,sms=no,phone=no,post=no,partners=no")
	basis := fs.String("basis", "", "lawful basis")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *card == "" || *consent == "" {
		return usagef("customer enroll attend --card et --consent (un oui ou un non pour chaque canal)",
			"customer enroll needs --card and --consent (a yes or no for every channel)")
	}
	answers, err := comptoir.ParseConsentSpec(*consent)
	if err != nil {
		return err
	}
	var b comptoir.LawfulBasis
	if *basis != "" {
		if b, err = comptoir.ParseLawfulBasis(*basis); err != nil {
			return err
		}
	}
	s, err := e.open(true)
	if err != nil {
		return err
	}
	defer s.Close()
	set, err := s.Settings(e.ctx)
	if err != nil {
		return err
	}
	c, err := s.Enroll(e.ctx, comptoir.Enrolment{Card: *card, Consent: answers, Basis: b, NoticeVersion: set.NoticeVersion, By: e.cfg.user,
		Personal: comptoir.Personal{FirstName: *first, LastName: *last, Email: *email, Phone: *phone}})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, e.tr("Membre %s inscrit avec la carte %s\n", "Member %s enrolled with card %s\n"), c.ID, *card)
	return nil
}

// noArgs refuses arguments left after the flags.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usagef("%s : argument inattendu « %s »", "%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// memberArgs parses --card and the subcommand's own flags, opens the store and finds whose card
// it is, without the key: stopping processing or erasing must work even with the key lost.
func memberArgs(e *env, name string, args []string, more func(fs *flag.FlagSet)) (*store.Store, comptoir.CustomerID, error) {
	fs := newFlags(name)
	card := fs.String("card", "", "card number")
	if more != nil {
		more(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, "", err
	}
	if err := noArgs(fs); err != nil {
		return nil, "", err
	}
	if *card == "" {
		return nil, "", usagef("%s attend --card", "%s needs --card", name)
	}
	s, err := e.open(false)
	if err != nil {
		return nil, "", err
	}
	id, err := s.CardOwner(e.ctx, *card)
	if err != nil {
		s.Close()
		return nil, "", err
	}
	return s, id, nil
}

func customerShow(e *env, args []string) error {
	var reveal *bool
	s, id, err := memberArgs(e, "customer show", args, func(fs *flag.FlagSet) {
		reveal = fs.Bool("reveal", false, "show personal data unmasked (logged in the audit trail)")
	})
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.Customer(e.ctx, id)
	if err != nil {
		return err
	}
	p := c.Personal.Mask()
	if *reveal {
		// Revealing is for managers, once the database has users.
		if err := e.authorize(s, accessManager, "customer show --reveal"); err != nil {
			return err
		}
		if c, err = s.Reveal(e.ctx, c.ID, e.cfg.user); err != nil {
			return err
		}
		p = c.Personal
	}
	history, err := s.ConsentHistory(e.ctx, c.ID)
	if err != nil {
		return err
	}
	_, balance, err := s.Points(e.ctx, c.ID)
	if err != nil {
		return err
	}
	l := e.cfg.lang
	t := table{text: true}
	t.add(e.tr("Membre", "Member"), string(c.ID))
	t.add(e.tr("Cartes", "Cards"), strings.Join(c.Cards, ", "))
	if c.Remote {
		// A member of another shop: the register holds no personal data of theirs, only the
		// central's view, which the consent rows below read.
		t.add(e.tr("Nom", "Name"), e.tr("membre d'un autre magasin (données personnelles à la centrale)",
			"member of another shop (personal data at the central)"))
	} else {
		t.add(e.tr("Nom", "Name"), p.FirstName+" "+p.LastName)
		t.add("E-mail", orDash(p.Email))
		t.add(e.tr("Téléphone", "Phone"), orDash(p.Phone))
	}
	t.add(e.tr("Base légale", "Lawful basis"), c.Basis.Format(l))
	t.add(e.tr("Statut", "Status"), c.Status.Format(l))
	t.add(e.tr("Points", "Points"), strconv.FormatInt(balance, 10))
	enrolled := "—" // a member of another shop was enrolled there, on a date this register never knew
	if !c.EnrolledAt.IsZero() {
		enrolled = c.EnrolledAt.In(time.Local).Format("2006-01-02")
	}
	t.add(e.tr("Inscrit le", "Enrolled on"), enrolled)
	t.add(e.tr("Dernière activité", "Last activity"), c.LastActivity.In(time.Local).Format("2006-01-02"))
	// A member of another shop's consent is the central's; the register's history of them holds
	// only what was decided here or recorded from the central.
	var view comptoir.RemoteMember
	if c.Remote {
		if view, _, err = s.RemoteMember(e.ctx, c.ID); err != nil {
			return err
		}
	}
	state := comptoir.DeriveConsent(history)
	for _, ch := range comptoir.Channels {
		ev, ok := state[ch]
		switch {
		case !ok && c.Remote && view.Consent[ch]:
			t.add(e.tr("Consentement ", "Consent ")+ch.Format(l), e.tr("oui (selon la centrale)", "yes (as the central says)"))
			continue
		case !ok && c.Remote:
			t.add(e.tr("Consentement ", "Consent ")+ch.Format(l), e.tr("non (selon la centrale)", "no (as the central says)"))
			continue
		case !ok:
			t.add(e.tr("Consentement ", "Consent ")+ch.Format(l), e.tr("non (jamais demandé)", "no (never asked)"))
			continue
		}
		answer := e.tr("non", "no")
		if ev.Granted {
			answer = e.tr("oui", "yes")
		}
		// A change made on the web may come without a notice version: say nothing rather
		// than "notice ".
		detail := fmt.Sprintf("%s (%s, %s)", answer, ev.At.In(time.Local).Format("2006-01-02"), ev.Via.Format(l))
		if ev.NoticeVersion != "" {
			detail = fmt.Sprintf("%s (%s, %s, notice %s)", answer, ev.At.In(time.Local).Format("2006-01-02"), ev.Via.Format(l), ev.NoticeVersion)
		}
		t.add(e.tr("Consentement ", "Consent ")+ch.Format(l), detail)
	}
	return t.write(e.stdout)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func customerConsent(e *env, args []string) error {
	var channel, via *string
	var grant, withdraw *bool
	s, id, err := memberArgs(e, "customer consent", args, func(fs *flag.FlagSet) {
		channel = fs.String("channel", "", "email, sms, phone, post or partners")
		grant = fs.Bool("grant", false, "give consent")
		withdraw = fs.Bool("withdraw", false, "withdraw consent")
		// No free-text remarks: a note typed at the counter would hold personal data in clear
		// in the consent history, which outlives erasure.
		via = fs.String("via", "register", "register, web or email")
	})
	if err != nil {
		return err
	}
	defer s.Close()
	if *grant == *withdraw {
		return usagef("customer consent attend --grant ou --withdraw", "customer consent needs --grant or --withdraw")
	}
	if *channel == "" {
		return usagef("customer consent attend --channel", "customer consent needs --channel")
	}
	ch, err := comptoir.ParseChannel(*channel)
	if err != nil {
		return err
	}
	v, err := comptoir.ParseConsentVia(*via)
	if err != nil {
		return err
	}
	set, err := s.Settings(e.ctx)
	if err != nil {
		return err
	}
	ev := comptoir.ConsentEvent{Channel: ch, Granted: *grant, Via: v, By: e.cfg.user,
		NoticeVersion: set.NoticeVersion}
	if err := s.ChangeConsent(e.ctx, id, ev); err != nil {
		return err
	}
	if *grant {
		fmt.Fprintf(e.stdout, e.tr("Consentement %s donné par %s\n", "Consent for %s given by %s\n"), ch.Format(e.cfg.lang), id)
	} else {
		fmt.Fprintf(e.stdout, e.tr("Consentement %s retiré par %s\n", "Consent for %s withdrawn by %s\n"), ch.Format(e.cfg.lang), id)
	}
	return nil
}

func customerUpdate(e *env, args []string) error {
	var u comptoir.PersonalUpdate
	var first, last, email, phone *string
	var visited *flag.FlagSet
	s, id, err := memberArgs(e, "customer update", args, func(fs *flag.FlagSet) {
		first = fs.String("first", "", "first name")
		last = fs.String("last", "", "last name")
		email = fs.String("email", "", "email")
		phone = fs.String("phone", "", "phone")
		// Which flags were given tells a field to clear ("--email ''") from one to keep.
		visited = fs
	})
	if err != nil {
		return err
	}
	defer s.Close()
	fields := map[string]struct{ dst, src **string }{"first": {&u.FirstName, &first}, "last": {&u.LastName, &last},
		"email": {&u.Email, &email}, "phone": {&u.Phone, &phone}}
	visited.Visit(func(f *flag.Flag) {
		if x, ok := fields[f.Name]; ok {
			*x.dst = *x.src
		}
	})
	c, err := s.UpdatePersonal(e.ctx, id, u, e.cfg.user)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, e.tr("Membre %s mis à jour\n", "Member %s updated\n"), c.ID)
	return nil
}

func customerExport(e *env, args []string) error {
	s, id, err := memberArgs(e, "customer export", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	x, err := s.Export(e.ctx, id, e.cfg.user)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}

func customerErase(e *env, args []string) error {
	s, id, err := memberArgs(e, "customer erase", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Erase(e.ctx, id, e.cfg.user); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, e.tr("Membre %s effacé : ses données personnelles sont détruites\n", "Member %s erased: their personal data is destroyed\n"), id)
	return nil
}

func customerStop(e *env, args []string) error {
	s, id, err := memberArgs(e, "customer stop-processing", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.StopProcessing(e.ctx, id, e.cfg.user); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, e.tr("Membre %s en arrêt de traitement : plus de points ni de consentement donné jusqu'à la reprise\n",
		"Member %s in stop processing: no points and no consent given until processing resumes\n"), id)
	return nil
}

func customerResume(e *env, args []string) error {
	s, id, err := memberArgs(e, "customer resume-processing", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	basis, err := s.ResumeProcessing(e.ctx, id, e.cfg.user)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, e.tr("Membre %s : traitement repris, base légale %s\n", "Member %s: processing resumed, lawful basis %s\n"),
		id, basis.Format(e.cfg.lang))
	return nil
}

func customerBlock(e *env, args []string) error {
	fs := newFlags("customer block")
	email := fs.String("email", "", "email to block")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *email == "" {
		return usagef("customer block attend --email", "customer block needs --email")
	}
	s, err := e.open(true)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Block(e.ctx, *email, e.cfg.user); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, e.tr("Adresse ajoutée à la liste de blocage", "Address added to the block list"))
	return nil
}

// runCard prints the next free loyalty card number.
func runCard(e *env, args []string) error {
	if len(args) != 1 || args[0] != "new" {
		return usagef("card attend new", "card needs new")
	}
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	card, err := s.NextCard(e.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, card)
	return nil
}
