package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// The fiscal archive's export from the manager screen: the manager picks a closed month or year
// (the last closed month is offered), and the archive is written as
// <ArchiveDir>/comptoir-<register>-<period>.zip, never over an existing file. The store records
// the export in the technical event log itself.

// defaultArchiveDir is where archives go when the program names no folder.
const defaultArchiveDir = "archives"

// archiveLookBack is how many months before the current one the screen looks through for the
// last closed month to offer: two years, beyond which a manager types the period.
const archiveLookBack = 24

type (
	// managerArchiveAskMsg opens the period's input, filled with the period offered.
	managerArchiveAskMsg struct{ period string }
	// managerArchivedMsg says where an archive was written and what it holds.
	managerArchivedMsg struct {
		path, period string
		summary      comptoir.ArchiveSummary
	}
)

func (managerArchiveAskMsg) forManager() {}
func (managerArchivedMsg) forManager()   {}

// startArchive looks for the last closed month to offer, then asks for the period.
func (m *ManagerModel) startArchive() tea.Cmd {
	closing, month := m.svc.Closing, m.now().In(m.loc)
	return m.run(func(ctx context.Context) tea.Msg {
		return managerArchiveAskMsg{period: lastClosedMonth(ctx, closing, month)}
	})
}

// lastClosedMonth is the latest month before now's that has its closing, or the month before
// now's when none has (or the closings cannot be read): the export then says what is missing.
func lastClosedMonth(ctx context.Context, closing comptoir.ClosingService, now time.Time) string {
	first := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, time.UTC)
	previous := first.AddDate(0, -1, 0).Format("2006-01")
	if closing == nil {
		return previous
	}
	for i := 1; i <= archiveLookBack; i++ {
		p := first.AddDate(0, -i, 0).Format("2006-01")
		_, ok, err := closing.Closing(ctx, p)
		if err != nil {
			return previous
		}
		if ok {
			return p
		}
	}
	return previous
}

// askArchive shows the period's input, filled with the period offered, which Backspace edits.
func (m *ManagerModel) askArchive(period string) {
	l := m.common.Lang
	m.mode = mgrArchive
	m.input.take()
	for _, r := range period {
		m.input.insert(r)
	}
	m.result = result{resultInfo, text{"mois (AAAA-MM) ou année (AAAA) clôturé à archiver, puis Entrée ; l'archive va dans %s",
		"the closed month (YYYY-MM) or year (YYYY) to archive, then Enter; the archive goes in %s"}.f(l, clean(m.archiveDir()))}
}

// archiveDir is the folder archives are written into.
func (m *ManagerModel) archiveDir() string {
	if m.svc.ArchiveDir != "" {
		return m.svc.ArchiveDir
	}
	return defaultArchiveDir
}

// archiveSubmit exports the archive of the period typed.
func (m *ManagerModel) archiveSubmit(line string) tea.Cmd {
	period := strings.TrimSpace(line)
	if period == "" {
		return nil
	}
	if kind, err := comptoir.ParsePeriod(period); err != nil || kind == comptoir.DayClosing {
		m.refuse(comptoir.E(comptoir.CodeInvalidPeriod, period))
		return nil
	}
	archives, by := m.svc.Archives, m.actor
	path := filepath.Join(m.archiveDir(), archiveName(m.session.Register, period))
	return m.run(func(ctx context.Context) tea.Msg {
		sum, err := writeArchive(ctx, archives, path, period, by)
		if err != nil {
			return managerErrMsg{err}
		}
		return managerArchivedMsg{path: path, period: period, summary: sum}
	})
}

// archiveName is the file name of a register's archive of a period:
// comptoir-<register>-<period>.zip, with any character of the register's name that a file name
// should not hold replaced by '_'.
func archiveName(register, period string) string {
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, register)
	return "comptoir-" + safe + "-" + period + ".zip"
}

// writeArchive writes a period's archive into a new file at path, its folder made (0700) if
// needed. An existing file is never replaced: the archive of a period is exported once and kept,
// and a second export over it could destroy the copy the shop keeps. The file is flushed to the
// disk before the export is said to be done; a failed export leaves no half-written file.
func writeArchive(ctx context.Context, archives comptoir.ArchiveService, path, period, by string) (comptoir.ArchiveSummary, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return comptoir.ArchiveSummary{}, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return comptoir.ArchiveSummary{}, comptoir.E(comptoir.CodeArchiveExists, path)
	}
	if err != nil {
		return comptoir.ArchiveSummary{}, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	sum, err := archives.ExportArchive(ctx, period, f, by)
	if err == nil {
		if err = f.Sync(); err != nil {
			err = comptoir.Wrap(comptoir.CodeCannotWrite, err)
		}
	}
	if cerr := f.Close(); cerr != nil && err == nil {
		err = comptoir.Wrap(comptoir.CodeCannotWrite, cerr)
	}
	if err != nil {
		_ = os.Remove(path)
		return comptoir.ArchiveSummary{}, err
	}
	return sum, nil
}

// showArchived says where the archive is and what it holds.
func (m *ManagerModel) showArchived(msg managerArchivedMsg) {
	l, s := m.common.Lang, msg.summary
	rows := [][]string{
		{text{"Tickets", "Tickets"}.in(l), fmt.Sprint(s.Tickets)},
		{text{"Clôtures", "Closings"}.in(l), fmt.Sprint(s.Closings)},
		{text{"Duplicatas", "Reprints"}.in(l), fmt.Sprint(s.Reprints)},
		{text{"Événements techniques", "Technical events"}.in(l), fmt.Sprint(s.Events)},
		{text{"Clés de signature", "Signing keys"}.in(l), fmt.Sprint(s.Keys)},
		{text{"Taille", "Size"}.in(l), text{"%d octets", "%d bytes"}.f(l, s.Bytes)},
	}
	lines := []string{text{"Archive de %s exportée :", "Archive of %s exported:"}.f(l, periodName(msg.period, l)), "  " + clean(msg.path), ""}
	lines = append(lines, columns(rows)...)
	if s.Fingerprint != "" {
		lines = append(lines, "", text{"Signée par la clé %s", "Signed by key %s"}.f(l, s.Fingerprint))
	}
	lines = append(lines, "")
	lines = append(lines, wrapWords(text{"Copiez-la hors de la caisse et gardez-la six ans : « comptoir verify --archive » la vérifie sans la base.",
		"Copy it off the register and keep it six years: \"comptoir verify --archive\" checks it without the database."}.in(l), max(40, m.common.Width-4), 4)...)
	m.showText(text{"Archive fiscale", "Fiscal archive"}.in(l), lines)
	m.result = result{resultOK, text{"archive écrite : %s", "archive written: %s"}.f(l, clean(msg.path))}
}
