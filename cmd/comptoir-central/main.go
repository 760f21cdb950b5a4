// Command comptoir-central is the chain's central: it receives every register's outbox events
// over HTTP (syncer.Server) and keeps them in an embedded database, so that it runs with nothing
// else installed, or in PostgreSQL, for a chain that outgrows one machine.
//
//	comptoir-central --tokens tokens.txt [--addr 127.0.0.1:8787]
//	                 [--db central.db | --db postgres://USER@HOST/DATABASE --key FILE]
//	                 [--max-body BYTES] [--max-events N] [--tls-cert FILE --tls-key FILE]
//	                 [--lang fr|en]
//	comptoir-central migrate --from central.db --to postgres://USER@HOST/DATABASE [--key FILE]
//	                 [--lang fr|en]
//
// --db names the embedded database's file (default central.db), whose key file is beside it
// (central.db.key), or, when it starts with postgres:// or postgresql://, a PostgreSQL database.
// An address written as keyword=value pairs ("host=… password=…") is refused without being
// repeated: it must be written as postgres://…, so that it is never taken for a file name.
// Several comptoir-central processes may share one PostgreSQL database behind a load balancer:
// each batch is applied once in the database, whichever process receives it. --key is then the
// central's key file, required, and the same file for every process sharing the database; it is
// refused with a file path, since the embedded central keeps its key beside its file. The
// address's password is never printed: the log names the backend, the server and the database,
// and any value the command repeats in a refusal has its password hidden.
// The password may also be left out of the address, and so out of the process list, and given
// in PGPASSWORD or ~/.pgpass, which the PostgreSQL driver reads as libpq does.
//
// migrate copies an embedded central (stopped: its file is locked while it runs) into a new,
// empty PostgreSQL database, in one transaction, then checks and prints that both hold the same:
// per register its acknowledged sequence, events, tickets and grand total to the cent, rejected
// events and conflicts; the members and the sum of their balances; the feed, price lists, audit
// trail, blocked hashes and card blocks. The feed keeps its numbers, so that every register's
// cursor stays valid. --key defaults to the embedded central's key file (central.db.key), which
// the PostgreSQL centrals must then be given: the registers pinned that key. Events' times are
// kept to the microsecond in PostgreSQL (a register dates them to the nanosecond). Before it
// writes anything to the database, migrate refuses one that holds tables that are not Comptoir's
// or a central's data, reading in a read-only transaction; and an embedded central holding one
// event ID under two registers (a register cloned from another), which PostgreSQL keeps once.
//
// With --tls-cert and --tls-key (PEM files, both or neither) it serves HTTPS, which a central
// reached over anything but the machine's own loopback needs: tokens travel in every request.
// The tokens file holds one "REGISTER TOKEN" a line and "admin TOKEN" for the administrator; it
// must not be readable by everyone. SIGTERM or SIGINT stops accepting requests and finishes those
// in flight, so that a batch being committed is answered. Exit codes as the register's: 0 done,
// 1 refused or failed (one clear line on stderr), 2 usage error.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/comptoir/comptoir/postgres"
	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/syncer"
	"github.com/jackc/pgx/v5/pgconn"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, &hooks{open: openCentral})
	stop()
	os.Exit(code)
}

// Exit codes, as the register's.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

const (
	defaultAddr = "127.0.0.1:8787"
	defaultDB   = "central.db"
	// minToken is the shortest token accepted: 16 characters of `openssl rand -hex 16` and up.
	minToken = 16
	// shutdownTimeout bounds how long in-flight requests may take to finish once asked to stop.
	shutdownTimeout = 30 * time.Second
	// openTimeout bounds the connection to PostgreSQL and its migrations at start: a server that
	// never answers is said rather than waited for.
	openTimeout = time.Minute
)

// isPostgres reports whether --db names a PostgreSQL database rather than a file. Only the URL
// form is taken: keyword=value pairs are refused (keywordForm).
func isPostgres(db string) bool {
	db = strings.ToLower(db)
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// keywordForm reports whether a value given for a database is a PostgreSQL address written as
// keyword=value pairs ("host=… password=…"): one of libpq's keywords followed by "=", at the
// start or after a space. It is refused without being repeated: taken for a file, it would put
// its password in a file name and in the log. A file name holding "=" otherwise ("a=b.db")
// stays a file.
func keywordForm(db string) bool {
	return !isPostgres(db) && libpqKeyword.MatchString(db)
}

// libpqKeyword finds a keyword=value pair of a libpq address.
var libpqKeyword = regexp.MustCompile(`(?i)(^|\s)(host|hostaddr|port|dbname|user|password|passfile|sslmode|service|options|application_name|connect_timeout|target_session_attrs)\s*=`)

var (
	// urlPassword is the password of a URL's user information, up to the last "@" of its word,
	// so that a password holding an "@" is hidden whole.
	urlPassword = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://[^/@\s:]*):\S*@`)
	// keywordPassword is a password=value pair, its value quoted or not, as libpq reads it or as
	// %q writes it (a quote inside it escaped).
	keywordPassword = regexp.MustCompile(`(?i)\bpassword\s*=\s*(?:'(?:[^'\\]|\\.)*'?|(?:\\.|[^\s"\\])*)`)
)

// redact hides every password a text may hold, in a URL (as url.URL.Redacted writes it) or in a
// password=value pair: a value the command repeats may be an address the user typed.
func redact(s string) string {
	s = urlPassword.ReplaceAllString(s, "${1}:xxxxx@")
	return keywordPassword.ReplaceAllString(s, "password=xxxxx")
}

// openCentral opens the central's storage. It is the one place the storage is chosen: the
// embedded bbolt file, which needs nothing else installed, or PostgreSQL.
func openCentral(ctx context.Context, cfg config) (comptoir.CentralService, io.Closer, error) {
	if isPostgres(cfg.db) {
		octx, cancel := context.WithTimeout(ctx, openTimeout)
		defer cancel()
		c, err := postgres.Open(octx, cfg.db, postgres.Options{KeyPath: cfg.key, MaxBatchEvents: cfg.maxEvents})
		if errors.Is(err, comptoir.E(comptoir.CodeCentralKeyLost)) {
			// A PostgreSQL central's key is never beside its database: a process on a new machine
			// whose key file was not copied there is the usual cause.
			return nil, nil, comptoir.E(comptoir.CodePostgresKeyNotCopied, cfg.key)
		}
		if err != nil {
			return nil, nil, err
		}
		return c, c, nil
	}
	c, err := store.OpenCentral(cfg.db, store.CentralOptions{Timeout: time.Second, MaxBatchEvents: cfg.maxEvents})
	if err != nil {
		return nil, nil, err
	}
	return c, c, nil
}

// backend names the storage --db chose, for the log: the embedded file's path, or PostgreSQL's
// server and database, never the address itself, which may hold a password.
func backend(db string) (kind, where string) {
	if !isPostgres(db) {
		return "bbolt", redact(db)
	}
	return "postgres", describePostgres(db)
}

// describePostgres names a PostgreSQL database as "server/database": host and port, or the unix
// socket's folder, which is what an administrator looks for, and nothing of the user or password.
func describePostgres(dsn string) string {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
}

// hooks is what run takes from outside besides its arguments, so that tests open their own
// store, learn the address listened on and see the shutdown begin.
type hooks struct {
	open func(ctx context.Context, cfg config) (comptoir.CentralService, io.Closer, error)
	// listening receives the address actually listened on (the port chosen for ":0").
	listening func(addr string)
	// shuttingDown runs when the server stops accepting requests, before in-flight ones end.
	shuttingDown func()
	// auditPassed runs after each pass of the signature auditor over every register.
	auditPassed func()
}

// auditor is a central store that checks the pushed signatures in the background, as the
// embedded one does (store.Central.RunAuditor): the command runs it for the life of the server.
type auditor interface {
	RunAuditor(ctx context.Context, o central.AuditorOptions)
}

// config is the command line.
type config struct {
	addr, db, tokens string
	// key is the PostgreSQL central's key file; empty with the embedded central.
	key       string
	maxBody   int64
	maxEvents int
	// tlsCert and tlsKey are the PEM files of the certificate served over HTTPS; both empty
	// serve plain HTTP.
	tlsCert, tlsKey string
	lang            comptoir.Lang
}

// cliError is a refusal of the command itself, said in both languages; usage marks a mistake in
// the command line (exit 2).
type cliError struct {
	fr, en string
	usage  bool
	help   bool // the usage was asked for: said, and exit 0
	// err is the refusal said, for errors.Is; nil for the command's own sentences.
	err error
}

func (e *cliError) Error() string { return e.en }

func (e *cliError) Unwrap() error { return e.err }

// usageOf makes a typed refusal a usage error (exit 2), said as the refusal says it.
func usageOf(err error) error {
	return &cliError{fr: comptoir.Message(err, comptoir.LangFR), en: comptoir.Message(err, comptoir.LangEN), usage: true, err: err}
}

// unexpected refuses an argument the command does not take, repeated with any password hidden.
func unexpected(arg string) error {
	arg = redact(arg)
	return &cliError{fr: fmt.Sprintf("argument inattendu « %s »\n%s", arg, usageFR),
		en: fmt.Sprintf("unexpected argument %q\n%s", arg, usageEN), usage: true}
}

// flagError refuses what the flag package could not parse; its sentence may repeat a value,
// whose password is hidden.
func flagError(err error) error {
	text := redact(err.Error())
	return &cliError{fr: text + "\n" + usageFR, en: text + "\n" + usageEN, usage: true}
}

func failf(fr, en string, args ...any) error {
	return &cliError{fr: fmt.Sprintf(fr, args...), en: fmt.Sprintf(en, args...)}
}

func usagef(fr, en string, args ...any) error {
	return &cliError{fr: fmt.Sprintf(fr, args...), en: fmt.Sprintf(en, args...), usage: true}
}

// run is the whole program, testable: arguments and environment in, exit code out.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, h *hooks) int {
	if len(args) > 0 && args[0] == "migrate" {
		mc, err := parseMigrateFlags(args[1:], getenv)
		if err == nil {
			err = migrate(ctx, mc, stdout)
		}
		return fail(stderr, mc.lang, err)
	}
	cfg, err := parseFlags(args, getenv)
	if err == nil {
		err = serve(ctx, cfg, stderr, h)
	}
	return fail(stderr, cfg.lang, err)
}

// fail turns an error into its exit code and one line on stderr. Whatever it says goes through
// redact: a refusal that repeats a path or a cause could repeat an address with its password.
func fail(stderr io.Writer, lang comptoir.Lang, err error) int {
	if err == nil {
		return exitOK
	}
	var c *cliError
	if errors.As(err, &c) {
		text := c.fr
		if lang == comptoir.LangEN {
			text = c.en
		}
		if c.help {
			fmt.Fprintln(stderr, text)
			return exitOK
		}
		fmt.Fprintln(stderr, "comptoir-central:", redact(text))
		if c.usage {
			return exitUsage
		}
		return exitFailed
	}
	fmt.Fprintln(stderr, "comptoir-central:", redact(comptoir.Message(err, lang)))
	return exitFailed
}

// parseFlags reads the command line; COMPTOIR_LANG sets the language as for the register.
func parseFlags(args []string, getenv func(string) string) (config, error) {
	cfg := config{lang: comptoir.LangFR}
	lang := "fr"
	if v := getenv("COMPTOIR_LANG"); v != "" {
		lang = v
	}
	fs := flag.NewFlagSet("comptoir-central", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.addr, "addr", defaultAddr, "")
	fs.StringVar(&cfg.db, "db", defaultDB, "")
	fs.StringVar(&cfg.key, "key", "", "")
	fs.StringVar(&cfg.tokens, "tokens", "", "")
	fs.Int64Var(&cfg.maxBody, "max-body", comptoir.MaxBatchBytes, "")
	fs.IntVar(&cfg.maxEvents, "max-events", comptoir.MaxBatchEvents, "")
	fs.StringVar(&cfg.tlsCert, "tls-cert", "", "")
	fs.StringVar(&cfg.tlsKey, "tls-key", "", "")
	fs.StringVar(&lang, "lang", lang, "")
	err := fs.Parse(args)
	// The language is read first, so that even a usage error is said in it.
	if l, lerr := comptoir.ParseLang(lang); lerr == nil {
		cfg.lang = l
	} else if err == nil {
		return cfg, usagef("langue inconnue « %s » : fr ou en", "unknown language %q: fr or en", lang)
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return cfg, &cliError{fr: usageFR, en: usageEN, help: true}
	case err != nil:
		return cfg, flagError(err)
	case fs.NArg() > 0:
		return cfg, unexpected(fs.Arg(0))
	case keywordForm(cfg.db):
		return cfg, usageOf(comptoir.E(comptoir.CodePostgresKeywordForm, "--db"))
	case cfg.tokens == "":
		return cfg, usagef("--tokens FICHIER est obligatoire : une ligne « CAISSE JETON » par caisse, « admin JETON »",
			"--tokens FILE is required: one line \"REGISTER TOKEN\" a register, \"admin TOKEN\"")
	case cfg.maxBody <= 0:
		return cfg, usagef("--max-body attend un nombre d'octets positif", "--max-body needs a positive number of bytes")
	case cfg.maxEvents <= 0:
		return cfg, usagef("--max-events attend un nombre d'événements positif", "--max-events needs a positive number of events")
	case (cfg.tlsCert == "") != (cfg.tlsKey == ""):
		return cfg, usagef("--tls-cert et --tls-key vont ensemble : le certificat et sa clé, en PEM",
			"--tls-cert and --tls-key go together: the certificate and its key, in PEM")
	case isPostgres(cfg.db) && cfg.key == "":
		return cfg, usagef("--key FICHIER est obligatoire avec PostgreSQL : le fichier de clé de la centrale, le même pour chaque processus qui partage la base (celui d'une centrale migrée est central.db.key)",
			"--key FILE is required with PostgreSQL: the central's key file, the same for every process sharing the database (a migrated central's is central.db.key)")
	case !isPostgres(cfg.db) && cfg.key != "":
		return cfg, usagef("--key ne va qu'avec une base PostgreSQL : la centrale embarquée garde sa clé à côté de son fichier (%s)",
			"--key goes with a PostgreSQL database only: the embedded central keeps its key beside its file (%s)", central.KeyPath(cfg.db))
	}
	return cfg, nil
}

const (
	usageFR = "usage : comptoir-central --tokens FICHIER [--addr HÔTE:PORT] [--db FICHIER | --db postgres://UTILISATEUR@SERVEUR/BASE --key FICHIER] [--max-body OCTETS] [--max-events N] [--tls-cert FICHIER --tls-key FICHIER] [--lang fr|en]\n" +
		"        comptoir-central migrate --from FICHIER --to postgres://UTILISATEUR@SERVEUR/BASE [--key FICHIER] [--lang fr|en]\n" +
		"--db : le fichier de la centrale embarquée (central.db, sa clé à côté : central.db.key), ou une base PostgreSQL, que plusieurs processus peuvent partager, chacun avec le même fichier --key\n" +
		"migrate : copie une centrale embarquée arrêtée dans une base PostgreSQL vide et vérifie les comptes et les totaux ; --key vaut par défaut la clé de la centrale copiée (FICHIER.key)"
	usageEN = "usage: comptoir-central --tokens FILE [--addr HOST:PORT] [--db FILE | --db postgres://USER@SERVER/DATABASE --key FILE] [--max-body BYTES] [--max-events N] [--tls-cert FILE --tls-key FILE] [--lang fr|en]\n" +
		"       comptoir-central migrate --from FILE --to postgres://USER@SERVER/DATABASE [--key FILE] [--lang fr|en]\n" +
		"--db: the embedded central's file (central.db, its key beside it: central.db.key), or a PostgreSQL database, which several processes may share, each given the same --key file\n" +
		"migrate: copies a stopped embedded central into an empty PostgreSQL database and checks the counts and totals; --key defaults to the copied central's key (FILE.key)"
)

// readTokens reads the tokens file, refusing one that anyone on the machine could read: with a
// register's token, anyone could push in its name.
func readTokens(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, comptoir.E(comptoir.CodeFileNotFound, path)
	}
	if err != nil {
		// The system's reason (a permission, a directory) in the user's language.
		return nil, comptoir.Wrap(comptoir.CodeCannotRead, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, failf("fichier de jetons %s illisible : %v", "cannot read tokens file %s: %v", path, err)
	}
	if perm := info.Mode().Perm(); perm&0o007 != 0 {
		return nil, failf("le fichier de jetons %s est accessible à tous (%04o) : chmod 600 %s",
			"tokens file %s is open to everyone (%04o): chmod 600 %s", path, perm, path)
	}
	return parseTokens(f, path)
}

// parseTokens reads "NAME TOKEN" lines; blank lines and lines starting with # are skipped. A
// name given twice, a register name the registers cannot have, or a short token is refused with
// its line number; so is a file with no token at all, since nobody could push.
func parseTokens(r io.Reader, path string) (map[string]string, error) {
	tokens := make(map[string]string)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, failf("%s, ligne %d : « CAISSE JETON » attendu", "%s, line %d: want \"REGISTER TOKEN\"", path, n)
		}
		name, tok := fields[0], fields[1]
		if name != comptoir.AdminName {
			if err := syncer.CheckRegister(name); err != nil {
				return nil, &cliError{fr: fmt.Sprintf("%s, ligne %d : %s", path, n, comptoir.Message(err, comptoir.LangFR)),
					en: fmt.Sprintf("%s, line %d: %s", path, n, comptoir.Message(err, comptoir.LangEN))}
			}
		}
		if _, dup := tokens[name]; dup {
			return nil, failf("%s, ligne %d : « %s » a déjà un jeton", "%s, line %d: %q already has a token", path, n, name)
		}
		if len(tok) < minToken {
			return nil, failf("%s, ligne %d : jeton trop court (%d caractères au moins ; openssl rand -hex 16)",
				"%s, line %d: token too short (at least %d characters; openssl rand -hex 16)", path, n, minToken)
		}
		tokens[name] = tok
	}
	if err := sc.Err(); err != nil {
		return nil, failf("fichier de jetons %s illisible : %v", "cannot read tokens file %s: %v", path, err)
	}
	if len(tokens) == 0 {
		return nil, failf("%s ne contient aucun jeton : une ligne « CAISSE JETON » par caisse",
			"%s holds no token: one line \"REGISTER TOKEN\" a register", path)
	}
	return tokens, nil
}

// serve opens everything once, serves until ctx ends, then lets in-flight requests finish
// before closing the store: a batch being committed is still answered.
func serve(ctx context.Context, cfg config, stderr io.Writer, h *hooks) error {
	tokens, err := readTokens(cfg.tokens)
	if err != nil {
		return err
	}
	// The certificate is read before the database is opened and the port taken, so that a
	// wrong path is said at once rather than at the first register's handshake.
	var tlsConfig *tls.Config
	if cfg.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return failf("certificat TLS illisible (%s, %s) : %v", "cannot read the TLS certificate (%s, %s): %v", cfg.tlsCert, cfg.tlsKey, err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	svc, closer, err := h.open(ctx, cfg)
	if err != nil {
		return err
	}
	if closer != nil {
		defer closer.Close()
	}
	srv, err := syncer.NewServer(svc, tokens)
	if err != nil {
		return failf("jetons refusés : %v", "tokens refused: %v", err)
	}
	srv.MaxBatchBytes, srv.MaxBatchEvents = cfg.maxBody, cfg.maxEvents
	srv.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	if a, ok := svc.(auditor); ok {
		// The signatures are checked just after each push, in the background, for as long as the
		// server runs. Its context is not ctx, so that it stops after the requests in flight, not
		// before: what they pushed is audited at the next start (the cursor is in the database).
		// Deferred after the store's Close, it runs before it: the auditor has stopped, its
		// transaction done, when the database closes.
		actx, stopAudit := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			a.RunAuditor(actx, central.AuditorOptions{Log: srv.Logger, Passed: h.auditPassed})
		}()
		defer func() {
			stopAudit()
			<-stopped
		}()
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return failf("impossible d'écouter sur %s : %v", "cannot listen on %s: %v", cfg.addr, errors.Unwrap(err))
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(srv.Logger.Handler(), slog.LevelWarn), TLSConfig: tlsConfig}
	if h.shuttingDown != nil {
		hs.RegisterOnShutdown(h.shuttingDown)
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	} else if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		srv.Logger.Warn("central reachable from the network without TLS: tokens travel in clear; give --tls-cert and --tls-key")
	}
	kind, where := backend(cfg.db)
	srv.Logger.Info("central listening", "url", scheme+"://"+ln.Addr().String(), "backend", kind, "db", where)
	if h.listening != nil {
		h.listening(ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			// The certificate is in TLSConfig already: no file names here.
			served <- hs.ServeTLS(ln, "", "")
			return
		}
		served <- hs.Serve(ln)
	}()
	select {
	case err := <-served:
		return failf("le serveur s'est arrêté : %v", "the server stopped: %v", err)
	case <-ctx.Done():
	}
	srv.Logger.Info("central stopping: finishing requests in flight")
	// Not ctx: it is already done, and the requests in flight must be given time to finish.
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return failf("arrêt incomplet : %v", "incomplete shutdown: %v", err)
	}
	return nil
}
