package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"golang.org/x/term"
)

// access is what a command asks of whoever runs it, once the database has users. Until it has,
// every command runs as it did before users existed, trusting --user.
type access int

const (
	// accessRead commands only read what any user of the till may see: no PIN is asked.
	accessRead access = iota
	// accessUser commands write, or show a ticket: any user, authenticated.
	accessUser
	// accessManager commands are for managers, authenticated.
	accessManager
)

// commandAccesses lists the commands, or command and subcommand, that managers are not alone to
// run. Any other needs a manager: a command added without a decision here is refused to cashiers
// rather than open to everyone. "customer show" asks for a manager when it reveals.
var commandAccesses = map[string]access{
	"help":          accessRead,
	"report":        accessRead,
	"verify":        accessRead,
	"catalog list":  accessRead,
	"customer show": accessRead,
	"card new":      accessRead,
	"gdpr register": accessRead,
	"settings show": accessRead,
	"scanner":       accessRead,
	"version":       accessRead,
	"key show":      accessRead,
	"events":        accessRead,

	"customer enroll":  accessUser,
	"customer consent": accessUser,
	"customer update":  accessUser,
	"receipt":          accessUser,
	"user pin":         accessUser,
	"sync":             accessUser,
}

// commandAccess names the command the arguments run ("customer erase") and what it needs.
func commandAccess(args []string) (string, access) {
	if len(args) == 0 {
		return "", accessRead
	}
	name := args[0]
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		if a, ok := commandAccesses[name+" "+args[1]]; ok {
			return name + " " + args[1], a
		}
		if _, ok := commandAccesses[name]; !ok {
			name += " " + args[1]
		}
	}
	if a, ok := commandAccesses[name]; ok {
		return name, a
	}
	return name, accessManager
}

// auth is who runs a command and what it may do.
type auth struct {
	// command and need are the command being run and what it asks, from commandAccess.
	command string
	need    access
	// user is the authenticated user, nil until a command needed one or when the database has
	// no users.
	user *comptoir.User
	// ownPIN is the ID whose PIN "user pin" changes: the one command a user who must change
	// their PIN may run.
	ownPIN string
	// pinIterations is the PBKDF2 count of the PIN hashes; zero for the store's default. Tests
	// lower it.
	pinIterations int
}

// authorize makes sure the user running a command may do what it needs, on a store just opened.
// A database without users asks nothing, as before users existed. Otherwise --user is no longer
// believed: a command that writes or reveals acts as --as (COMPTOIR_AS), whose PIN comes from
// COMPTOIR_PIN or a prompt, and the audit trail names that user; a read-only command acts as
// nobody. The user is authenticated once per run, whatever the number of stores the command opens.
func (e *env) authorize(s *store.Store, need access, what string) error {
	if e.auth.user == nil {
		has, err := s.HasUsers(e.ctx)
		if err != nil || !has {
			return err
		}
		e.cfg.user = ""
		if need == accessRead {
			return nil
		}
		if strings.TrimSpace(e.cfg.as) == "" {
			return comptoir.E(comptoir.CodeLoginRequired)
		}
		pin, err := e.loginPIN(e.cfg.as)
		if err != nil {
			return err
		}
		u, err := s.Authenticate(e.ctx, e.cfg.as, pin)
		if err != nil {
			return err
		}
		e.auth.user, e.cfg.user = &u, u.ID
		// What the command changes is recorded in that user's name, in the technical event log
		// too (a catalogue import, a setting).
		e.ctx = comptoir.WithActor(e.ctx, u.ID)
	}
	u := e.auth.user
	if u.MustChangePIN && e.auth.ownPIN != u.ID {
		return comptoir.E(comptoir.CodeMustChangePIN, u.ID, u.ID, u.ID)
	}
	if need == accessManager && !u.IsManager() {
		return comptoir.E(comptoir.CodeManagerOnly, "comptoir "+what, u.ID)
	}
	return nil
}

// loginPIN is the PIN of the user a command acts as: COMPTOIR_PIN for scripts, or typed at the
// terminal without echo. Standard input that is not a terminal is left to the command (a price
// list, a new PIN): a script gives COMPTOIR_PIN.
func (e *env) loginPIN(id string) (string, error) {
	if e.cfg.pin != "" {
		return e.cfg.pin, nil
	}
	tty, ok := e.terminal()
	if !ok {
		return "", comptoir.E(comptoir.CodePINNoTerminal, id)
	}
	return e.promptSecret(tty, fmt.Sprintf(e.tr("Code PIN de %s : ", "PIN of %s: "), comptoir.CleanText(id)))
}

// terminal returns standard input when it is a terminal.
func (e *env) terminal() (*os.File, bool) {
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, false
	}
	return f, true
}

// promptSecret asks for a secret at the terminal, without echo, and returns what was typed before
// Enter. Interrupting the program (Ctrl+C) gives up the question and restores the echo.
func (e *env) promptSecret(tty *os.File, prompt string) (string, error) {
	fd := int(tty.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", comptoir.Wrap(comptoir.CodeCannotRead, err)
	}
	fmt.Fprint(e.stderr, prompt)
	type answer struct {
		b   []byte
		err error
	}
	done := make(chan answer, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- answer{b, err}
	}()
	select {
	case a := <-done:
		// The Enter that ended the secret was not echoed either.
		fmt.Fprintln(e.stderr)
		if a.err != nil {
			return "", comptoir.Wrap(comptoir.CodeCannotRead, a.err)
		}
		return string(a.b), nil
	case <-e.ctx.Done():
		_ = term.Restore(fd, state)
		fmt.Fprintln(e.stderr)
		return "", e.ctx.Err()
	}
}

// maxPINInput bounds what is read of a new PIN from standard input.
const maxPINInput = 1024

// newPIN reads a new PIN for a user. At a terminal it is asked twice, without echo, and checked
// between the two so that a refused PIN is not typed twice. From standard input that is not a
// terminal (a script), it is one line, or two lines that must match, as passwd --stdin and
// chpasswd take it; nothing is ever read from a flag, which other users see in the process list.
func (e *env) newPIN(id string) (string, error) {
	if tty, ok := e.terminal(); ok {
		pin, err := e.promptSecret(tty, fmt.Sprintf(e.tr("Nouveau code PIN de %s (%d à %d chiffres) : ", "New PIN of %s (%d to %d digits): "),
			id, comptoir.MinPINLen, comptoir.MaxPINLen))
		if err != nil {
			return "", err
		}
		if pin == "" {
			return "", comptoir.E(comptoir.CodePINMissing)
		}
		if err := comptoir.ValidatePIN(pin); err != nil {
			return "", err
		}
		again, err := e.promptSecret(tty, e.tr("Confirmez le code PIN : ", "Confirm the PIN: "))
		if err != nil {
			return "", err
		}
		if again != pin {
			return "", comptoir.E(comptoir.CodePINMismatch)
		}
		return pin, nil
	}
	data, err := io.ReadAll(io.LimitReader(e.stdin, maxPINInput))
	if err != nil {
		return "", comptoir.Wrap(comptoir.CodeCannotRead, err)
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		lines = append(lines, strings.TrimSuffix(l, "\r"))
	}
	switch {
	case len(lines) == 0 || lines[0] == "":
		return "", comptoir.E(comptoir.CodePINMissing)
	case len(lines) > 2:
		return "", usagef("le nouveau code PIN se donne sur une ligne de l'entrée standard, ou deux identiques",
			"the new PIN is given as one line of standard input, or two that match")
	case len(lines) == 2 && lines[1] != lines[0]:
		return "", comptoir.E(comptoir.CodePINMismatch)
	}
	return lines[0], nil
}

// runUser dispatches the user commands.
func runUser(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("user attend add, list, pin ou disable", "user needs add, list, pin or disable")
	}
	sub := map[string]func(*env, []string) error{"add": userAdd, "list": userList, "pin": userPIN, "disable": userDisable}[args[0]]
	if sub == nil {
		return usagef("user : sous-commande inconnue « %s »", "user: unknown subcommand %q", args[0])
	}
	return sub(e, args[1:])
}

// userIDArgs parses --id and the subcommand's other flags, and reads the ID.
func userIDArgs(name string, args []string, more func(fs *flag.FlagSet)) (string, error) {
	fs := newFlags(name)
	id := fs.String("id", "", "user ID")
	if more != nil {
		more(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	if err := noArgs(fs); err != nil {
		return "", err
	}
	if *id == "" {
		return "", usagef("%s attend --id", "%s needs --id", name)
	}
	return comptoir.ParseUserID(*id)
}

func userAdd(e *env, args []string) error {
	var role *string
	id, err := userIDArgs("user add", args, func(fs *flag.FlagSet) {
		role = fs.String("role", "", "cashier or manager")
	})
	if err != nil {
		return err
	}
	if *role == "" {
		return usagef("user add attend --role cashier ou --role manager", "user add needs --role cashier or --role manager")
	}
	r, err := comptoir.ParseRole(*role)
	if err != nil {
		return err
	}
	// A fresh machine has no database yet: its first user creates it.
	s, err := e.open(true)
	if err != nil {
		return err
	}
	defer s.Close()
	// The first user must be a manager: say so before asking for a PIN.
	if has, err := s.HasUsers(e.ctx); err != nil {
		return err
	} else if !has && r != comptoir.RoleManager {
		return comptoir.E(comptoir.CodeFirstUserManager)
	}
	pin, err := e.newPIN(id)
	if err != nil {
		return err
	}
	u, err := s.AddUser(e.ctx, comptoir.NewUser{ID: id, Role: r, PIN: pin}, e.cfg.user)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, e.tr("Utilisateur %s ajouté (%s)\n", "User %s added (%s)\n"), u.ID, u.Role.Format(e.cfg.lang))
	if u.MustChangePIN {
		fmt.Fprintf(e.stdout, e.tr("%s choisira son propre code PIN à sa première connexion\n", "%s will choose their own PIN at their first login\n"), u.ID)
	}
	return nil
}

func userList(e *env, args []string) error {
	s, err := openNoArgs(e, "user list", args)
	if err != nil {
		return err
	}
	defer s.Close()
	users, err := s.Users(e.ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintln(e.stdout, e.tr("Aucun utilisateur : chaque commande fait confiance à --user. Créez le premier gérant avec comptoir user add --id ID --role manager",
			"No users: every command trusts --user. Create the first manager with comptoir user add --id ID --role manager"))
		return nil
	}
	t := table{text: true}
	t.add(e.tr("Identifiant", "ID"), e.tr("Rôle", "Role"), e.tr("État", "State"))
	for _, u := range users {
		state := e.tr("actif", "active")
		switch {
		case u.Disabled:
			state = e.tr("désactivé", "disabled")
		case u.MustChangePIN:
			state = e.tr("actif, code PIN à choisir", "active, PIN to choose")
		}
		t.add(u.ID, u.Role.Format(e.cfg.lang), state)
	}
	return t.write(e.stdout)
}

func userPIN(e *env, args []string) error {
	id, err := userIDArgs("user pin", args, nil)
	if err != nil {
		return err
	}
	if as, err := comptoir.ParseUserID(e.cfg.as); err == nil && as == id {
		e.auth.ownPIN = id
	}
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	if u := e.auth.user; u != nil && !u.IsManager() && u.ID != id {
		return comptoir.E(comptoir.CodeOwnPINOnly, id, u.ID)
	}
	// An unknown ID is refused before a PIN is asked for it.
	if _, err := s.User(e.ctx, id); err != nil {
		return err
	}
	pin, err := e.newPIN(id)
	if err != nil {
		return err
	}
	if err := s.ChangePIN(e.ctx, id, pin, e.cfg.user); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, e.tr("Code PIN de %s changé\n", "PIN of %s changed\n"), id)
	if e.cfg.user != id {
		fmt.Fprintf(e.stdout, e.tr("%s choisira son propre code PIN à sa prochaine connexion\n", "%s will choose their own PIN at their next login\n"), id)
	}
	return nil
}

func userDisable(e *env, args []string) error {
	id, err := userIDArgs("user disable", args, nil)
	if err != nil {
		return err
	}
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.DisableUser(e.ctx, id, e.cfg.user); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, e.tr("Utilisateur %s désactivé : il ne peut plus se connecter\n", "User %s disabled: they can no longer log in\n"), id)
	return nil
}
