package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/syncer"
)

// The push's progress, shown once a thousand events wait.
func init() {
	progressSteps[syncer.StepPush] = progressStep{fr: "Envoi à la centrale", en: "Sending to the central",
		plainFR: "%s : %d événements sur %d", plainEN: "%s: %d events of %d", every: 1_000}
}

// maxTokenFile bounds what is read of a token file: a token is a line, not a document.
const maxTokenFile = 4096

// syncFlags are what a run says of the central; empty values fall back on the environment, then
// on the shop's settings.
type syncFlags struct {
	central, token, tokenFile, caFile string
}

// syncTarget is where the register syncs to, resolved from the flags, the environment and the
// shop's settings, and which of its parts were given on this run, to be remembered.
type syncTarget struct {
	url, token, tokenFile, caFile string
	// remember holds the settings this run gives anew (sync.central, sync.token-file).
	remember map[string]string
}

// resolveSync decides where to sync: a flag wins over the environment (COMPTOIR_CENTRAL,
// COMPTOIR_TOKEN, COMPTOIR_CA_FILE), which wins over the shop's settings (sync.central,
// sync.token-file). The address and the token file given by a flag are remembered in the
// settings, so that the register's background sync and later runs find them; the token itself
// never is, nor the environment's values, which belong to the process that set them.
func (e *env) resolveSync(f syncFlags, set comptoir.SyncSettings) (syncTarget, error) {
	t := syncTarget{remember: map[string]string{}}
	switch {
	case f.central != "":
		u, err := comptoir.CheckCentralURL(f.central)
		if err != nil {
			return t, err
		}
		t.url, t.remember["sync.central"] = u, u
	case e.getenv("COMPTOIR_CENTRAL") != "":
		t.url = e.getenv("COMPTOIR_CENTRAL")
	default:
		t.url = set.Central
	}
	if strings.TrimSpace(t.url) == "" {
		return t, comptoir.E(comptoir.CodeNoCentral)
	}
	switch {
	case f.token != "":
		t.token = f.token
	case f.tokenFile != "":
		abs, err := filepath.Abs(f.tokenFile)
		if err != nil {
			return t, comptoir.Wrap(comptoir.CodeCannotRead, err)
		}
		t.tokenFile, t.remember["sync.token-file"] = abs, abs
	case e.getenv("COMPTOIR_TOKEN") != "":
		t.token = e.getenv("COMPTOIR_TOKEN")
	default:
		t.tokenFile = set.TokenFile
	}
	if t.tokenFile != "" {
		tok, err := readTokenFile(t.tokenFile)
		if err != nil {
			return t, err
		}
		t.token = tok
	}
	t.caFile = f.caFile
	if t.caFile == "" {
		t.caFile = e.getenv("COMPTOIR_CA_FILE")
	}
	return t, nil
}

// client builds the HTTP client of a target, trusting its CA file when it has one.
func (t syncTarget) client(lang comptoir.Lang) (*syncer.Client, error) {
	c, err := syncer.NewClient(t.url, t.token)
	if err != nil {
		return nil, err
	}
	c.Lang = lang
	if t.caFile != "" {
		if err := c.TrustCAFile(t.caFile); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// newSyncer builds the register's Syncer over its store: push, set-up and pull.
func (e *env) newSyncer(ctx context.Context, s *store.Store, c *syncer.Client) (*syncer.Syncer, error) {
	demo, err := s.IsDemo(ctx)
	if err != nil {
		return nil, err
	}
	return &syncer.Syncer{Outbox: s, Central: c, Feed: s, Register: e.cfg.register, Demo: demo,
		Software: comptoir.Software(), Sleep: e.sleep}, nil
}

// runSync pushes the whole outbox to the central once, sets the register up and pulls what
// changed elsewhere, and says what it did. It exits 0 only when the outbox is empty, every event
// acknowledged, and the change feed read to its end. Any user may run it once the database has
// users (accessUser): it only drops events the central holds and applies what the central says,
// and a cashier closing the shop should be able to send the day without a manager.
func runSync(e *env, args []string) error {
	fset := newFlags("sync")
	var f syncFlags
	fset.StringVar(&f.central, "central", "", "")
	fset.StringVar(&f.token, "token", "", "")
	fset.StringVar(&f.tokenFile, "token-file", "", "")
	fset.StringVar(&f.caFile, "ca-file", "", "")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return usagef("sync : argument inattendu « %s »", "sync: unexpected argument %q", fset.Arg(0))
	}
	if f.token != "" && f.tokenFile != "" {
		return usagef("sync : --token ou --token-file, pas les deux", "sync: --token or --token-file, not both")
	}
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	set, err := s.Settings(e.ctx)
	if err != nil {
		return err
	}
	target, err := e.resolveSync(f, set.Sync)
	if err != nil {
		return err
	}
	client, err := target.client(e.cfg.lang)
	if err != nil {
		return err
	}
	for _, k := range []string{"sync.central", "sync.token-file"} {
		if v, ok := target.remember[k]; ok && v != set.Get(k) {
			if err := s.SetSetting(e.ctx, k, v); err != nil {
				return err
			}
		}
	}
	sy, err := e.newSyncer(e.ctx, s, client)
	if err != nil {
		return err
	}
	// Someone waits at the terminal: retries stop at a few seconds apart, some ten seconds in all
	// before the central is said unreachable.
	sy.MaxDelay = 4 * time.Second
	// What the Syncer says on its own (a change skipped, the feed read again) goes to stderr:
	// the register's log belongs to the register's screen.
	sy.Logf = func(format string, args ...any) { fmt.Fprintf(e.stderr, format+"\n", args...) }
	if sy.Demo {
		fmt.Fprintln(e.stdout, e.tr("Base de démonstration (demo-data) : la centrale marque cette caisse comme démo.",
			"Demo database (demo-data): the central marks this register as a demo."))
	}
	prog := e.newProgress()
	rep, err := sy.Run(comptoir.WithProgress(e.ctx, prog.report))
	prog.finish()
	e.warnSkew(sy.State())
	if err != nil && isSyncAnomaly(err) {
		e.logSyncAnomaly(s, "stopped: "+comptoir.Message(err, comptoir.LangEN))
	}
	if err != nil {
		if rep.Acked > 0 {
			fmt.Fprintf(e.stdout, e.tr("%s ; %d en attente\n", "%s; %d waiting\n"), e.sentEvents(rep.Acked), rep.Pending)
		}
		return err
	}
	switch {
	case rep.Acked == 0 && rep.Pending == 0:
		fmt.Fprintln(e.stdout, e.tr("Rien à envoyer, tout est acquitté.", "Nothing to send, everything is acknowledged."))
	case rep.Pending > 0:
		fmt.Fprintln(e.stdout, e.sentEvents(rep.Acked))
	default:
		fmt.Fprintln(e.stdout, e.sentEvents(rep.Acked)+e.tr(", tout est acquitté.", ", everything is acknowledged."))
	}
	if rep.Pulled {
		fmt.Fprintln(e.stdout, e.receivedChanges(rep.Changes))
	}
	if rep.Restarted {
		fmt.Fprintln(e.stderr, e.tr("La centrale ne reconnaissait plus l'endroit où cette caisse en était de ses changements (centrale restaurée ?) : ils ont été relus depuis le début.",
			"The central no longer knew where this register stood in its changes (a central restored?): they were read again from the beginning."))
	}
	switch {
	case rep.Skipped == 1:
		fmt.Fprintln(e.stderr, e.tr("⚠ 1 changement de la centrale était inutilisable et a été ignoré (détail ci-dessus) : le reste est appliqué.",
			"⚠ 1 change from the central could not be used and was skipped (details above): the rest is applied."))
	case rep.Skipped > 1:
		fmt.Fprintf(e.stderr, e.tr("⚠ %d changements de la centrale étaient inutilisables et ont été ignorés (détail ci-dessus) : le reste est appliqué.\n",
			"⚠ %d changes from the central could not be used and were skipped (details above): the rest is applied.\n"), rep.Skipped)
	}
	if rep.Restarted {
		e.logSyncAnomaly(s, "the central no longer knew this register's place in its changes: read again from the beginning")
	}
	if rep.Skipped > 0 {
		e.logSyncAnomaly(s, fmt.Sprintf("%d changes from the central could not be used and were skipped", rep.Skipped))
	}
	if rep.Pending > 0 {
		return comptoir.E(comptoir.CodeSyncPending, rep.Pending)
	}
	return nil
}

// syncAnomalies are the refusals of a sync that say something is wrong with a journal rather than
// with the network: a file restored from an old backup, a register and a central that disagree
// on an event, a record altered on the disk, a signature the central does not accept.
var syncAnomalies = []comptoir.Code{comptoir.CodeRegisterBehindCentral, comptoir.CodeRegisterDiverged,
	comptoir.CodeCentralBehind, comptoir.CodeSeqConflict, comptoir.CodeSeqGap, comptoir.CodeHashMismatch,
	comptoir.CodeChainBroken, comptoir.CodeCorruptRecord, comptoir.CodeCentralKeyChanged,
	comptoir.CodeSignatureInvalid, comptoir.CodeSignatureMissing, comptoir.CodeSignatureChainBroken}

// isSyncAnomaly reports whether a sync's failure is one of the syncAnomalies, wherever it stands
// in the chain of causes (the central's refusal wraps its code).
func isSyncAnomaly(err error) bool {
	for _, c := range syncAnomalies {
		if errors.Is(err, comptoir.E(c)) {
			return true
		}
	}
	return false
}

// logSyncAnomaly records a sync anomaly in the technical event log, with its detail in English
// as the log's details are. A failure to record it is said on stderr and changes nothing else:
// the run has already said what happened.
func (e *env) logSyncAnomaly(s *store.Store, detail string) {
	if err := s.LogEvent(context.WithoutCancel(e.ctx), comptoir.TechSyncAnomaly, e.cfg.user, detail); err != nil {
		fmt.Fprintln(e.stderr, "comptoir:", e.tr("l'anomalie n'a pas pu être inscrite au journal des événements techniques : ",
			"the anomaly could not be recorded in the technical event log: ")+comptoir.Message(err, e.cfg.lang))
	}
}

// warnSkew says on stderr when the register's clock is more than comptoir.ClockSkewLimit from
// the central's: a warning, not a failure, since the sync itself went through.
func (e *env) warnSkew(st syncer.State) {
	if !st.SkewWarning() {
		return
	}
	fmt.Fprintln(e.stderr, e.tr("⚠ ", "⚠ ")+e.skewText(st.ClockSkew))
}

// skewText says how far the register's clock is from the central's, and what to do.
func (e *env) skewText(skew time.Duration) string {
	d := skew.Round(time.Second)
	ahead := d < 0
	if ahead {
		d = -d
	}
	if ahead {
		return fmt.Sprintf(e.tr("l'horloge de cette caisse avance de %s sur celle de la centrale : réglez-la (les tickets et les consentements sont datés par elle)",
			"this register's clock is %s ahead of the central's: set it right (tickets and consents are dated by it)"), spanText(d))
	}
	return fmt.Sprintf(e.tr("l'horloge de cette caisse retarde de %s sur celle de la centrale : réglez-la (les tickets et les consentements sont datés par elle)",
		"this register's clock is %s behind the central's: set it right (tickets and consents are dated by it)"), spanText(d))
}

// spanText writes a clock difference as people read it: "2 h 5 min", "3 min 10 s", "45 s".
func spanText(d time.Duration) string {
	h, m, sec := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0:
		return fmt.Sprintf("%d h %d min", h, m)
	case m > 0 && sec > 0:
		return fmt.Sprintf("%d min %d s", m, sec)
	case m > 0:
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d s", sec)
}

// sentEvents says how many events the central acknowledged, in the singular for one.
func (e *env) sentEvents(n int) string {
	if n == 1 {
		return e.tr("1 événement envoyé", "1 event sent")
	}
	return fmt.Sprintf(e.tr("%d événements envoyés", "%d events sent"), n)
}

// receivedChanges says how many changes made elsewhere the register applied.
func (e *env) receivedChanges(n int) string {
	switch n {
	case 0:
		return e.tr("Rien de neuf à recevoir de la centrale.", "Nothing new to receive from the central.")
	case 1:
		return e.tr("1 changement reçu de la centrale.", "1 change received from the central.")
	}
	return fmt.Sprintf(e.tr("%d changements reçus de la centrale.", "%d changes received from the central."), n)
}

// readTokenFile reads the register's token from a file only its owner may read, as ssh treats a
// private key: a token others can read speaks for the register to anyone on the machine.
func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", comptoir.E(comptoir.CodeFileNotFound, path)
		}
		return "", comptoir.Wrap(comptoir.CodeCannotRead, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", comptoir.Wrap(comptoir.CodeCannotRead, err)
	}
	// Windows has no such mode bits: its files' access is decided by ACLs.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return "", comptoir.E(comptoir.CodeTokenFileOpen, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFile))
	if err != nil {
		return "", comptoir.Wrap(comptoir.CodeCannotRead, err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSpace(first), nil
}
