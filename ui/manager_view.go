package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/comptoir/comptoir"
)

// Words of the manager screen.
var (
	wordManager       = text{"Gérant", "Manager"}
	wordManagerScreen = text{"l'écran gérant", "the manager screen"}
	wordManagerOnly   = text{"écran réservé aux gérants : identifiant d'un gérant, puis Entrée", "for managers only: a manager's ID, then Enter"}
	wordTrainingState = text{"mode formation : %s", "training mode: %s"}
	wordOn            = text{"OUI", "ON"}
	wordOff           = text{"NON", "OFF"}
	wordSyncLine      = text{"Synchronisation : %s · %d événements en attente d'envoi", "Sync: %s · %d events waiting to be sent"}
	wordSyncLineOne   = text{"Synchronisation : %s · %d événement en attente d'envoi", "Sync: %s · %d event waiting to be sent"}
)

func onOff(on bool, l comptoir.Lang) string {
	if on {
		return wordOn.in(l)
	}
	return wordOff.in(l)
}

// headRows is the header of the screen, marks included.
func (m *ManagerModel) headRows() []string {
	l := m.common.Lang
	who := wordManager.in(l)
	if m.actor != "" {
		who += " · " + clean(m.actor) + " (" + comptoir.RoleManager.Format(l) + ")"
	}
	return header(m.common, m.session, who, clean(m.session.Register))
}

// bodyRows is how many rows the screen has between its two rules.
func (m *ManagerModel) bodyRows() int {
	return max(1, m.common.Height-len(m.headRows())-2-1-len(m.resultRows()))
}

// maxResultRows bounds the rows a result takes: a refusal is read in full, over a few rows if it
// must, since its reason is what the manager acts on.
const maxResultRows = 3

// resultRows draws the last result, wrapped over up to maxResultRows rows.
func (m *ManagerModel) resultRows() []string {
	return m.result.rows(m.common.Styles, m.common.Width, maxResultRows)
}

// View draws the header, the body of what the screen shows, the input and the last result.
func (m *ManagerModel) View() string {
	c, w, l := m.common, m.common.Width, m.common.Lang
	out := m.headRows()
	n := m.bodyRows()
	var body []string
	label := ""
	switch m.mode {
	case mgrPIN:
		body = m.pinBody()
	case mgrText, mgrConfirmZ, mgrPurge:
		for _, row := range m.lines[m.offset:min(len(m.lines), m.offset+n)] {
			body = append(body, "  "+row)
		}
		label = m.title
		if below := len(m.lines) - m.offset - n; below > 0 {
			label += " · ↓ " + wordMore.f(l, below)
		}
		if m.offset > 0 {
			label += " · ↑ " + wordMore.f(l, m.offset)
		}
	case mgrSettings:
		body, label = m.settingsBody(n), text{"Réglages du magasin", "Shop settings"}.in(l)
	case mgrUsers:
		body, label = m.usersBody(n), text{"Utilisateurs", "Users"}.in(l)
	case mgrRefund:
		body, label = m.refundBody(n), text{"Remboursement", "Refund"}.in(l)
	case mgrMembers:
		body, label = m.membersBody(), text{"Droits des membres (RGPD)", "Members' rights (GDPR)"}.in(l)
	default:
		body = m.menuBody()
	}
	out = append(out, rule(c.Styles, w, label))
	for i := 0; i < n; i++ {
		row := ""
		if i < len(body) {
			row = body[i]
		}
		out = append(out, fit(row, w))
	}
	out = append(out, rule(c.Styles, w, ""))
	out = append(out, fit(m.inputRow(), w))
	out = append(out, m.resultRows()...)
	return strings.Join(out, "\n")
}

// inputRow is the prompt of what the screen asks for, or nothing when it asks for nothing.
func (m *ManagerModel) inputRow() string {
	c, l := m.common, m.common.Lang
	var prompt text
	value := clean(m.input.String())
	switch m.mode {
	case mgrPIN:
		prompt = text{"Identifiant : ", "ID: "}
		if m.pinID != "" {
			prompt = text{"Code PIN : ", "PIN: "}
			switch {
			case m.changing && m.newPIN == "":
				prompt = text{"Nouveau code PIN : ", "New PIN: "}
			case m.changing:
				prompt = text{"Nouveau code PIN, encore : ", "New PIN, again: "}
			}
			value = strings.Repeat("•", len([]rune(m.input.String())))
		}
	case mgrPeriod:
		prompt = text{"Période : ", "Period: "}
	case mgrImport:
		prompt = text{"Fichier : ", "File: "}
	case mgrArchive:
		prompt = text{"Période à archiver : ", "Period to archive: "}
	case mgrBlock:
		prompt = text{"E-mail à bloquer : ", "Email to block: "}
	case mgrSettings:
		if len(m.keys) == 0 {
			return ""
		}
		k := m.keys[m.selected]
		prompt = text{comptoir.SettingLabel(k, comptoir.LangFR) + " (" + k + ") : ", comptoir.SettingLabel(k, comptoir.LangEN) + " (" + k + "): "}
	case mgrUsers:
		switch m.step {
		case userAddID:
			prompt = text{"Identifiant : ", "ID: "}
		case userAddRole:
			prompt = text{"Rôle : ", "Role: "}
		case userAddPIN, userNewPIN:
			prompt = text{"Code PIN : ", "PIN: "}
			value = strings.Repeat("•", len([]rune(m.input.String())))
		default:
			return ""
		}
	case mgrConfirmZ:
		if !m.z.counting {
			return ""
		}
		prompt = m.countPrompt()
	case mgrMembers:
		switch m.member.step {
		case memberCard:
			prompt = text{"Carte : ", "Card: "}
		case memberExportPath:
			prompt = text{"Fichier : ", "File: "}
		default:
			return ""
		}
	case mgrRefund:
		if m.refund.quote != nil {
			return ""
		}
		prompt = text{"Ticket n° : ", "Ticket no.: "}
		if m.refund.sale != nil {
			prompt = text{"Quantité à rembourser : ", "Quantity to refund: "}
		}
	default:
		return ""
	}
	return "  " + c.Styles.Prompt.Render(prompt.in(l)) + value + "_"
}

func (m *ManagerModel) pinBody() []string {
	l := m.common.Lang
	return []string{
		"",
		"  " + text{"Cet écran est réservé aux gérants.", "This screen is for managers only."}.in(l),
		"  " + text{"Un gérant tape son identifiant, Entrée, puis son code PIN, Entrée :", "A manager types their ID, Enter, then their PIN, Enter:"}.in(l),
		"  " + text{"c'est lui qui sera enregistré comme auteur de ce qu'il fait ici.", "they are recorded as who did what is done here."}.in(l),
	}
}

// menuBody lists the actions on their keys in two columns, then the states a manager checks:
// training mode and the sync.
func (m *ManagerModel) menuBody() []string {
	k, l, w := m.common.KeyMap, m.common.Lang, m.common.Width
	entry := func(keyName, desc string) string { return fmt.Sprintf("%-4s %s", keyName, desc) }
	left := []string{
		entry(k.XReport.Help().Key, text{"Rapport X du jour", "Today's X report"}.in(l)),
		entry(k.ZClose.Help().Key, text{"Clôture Z du jour", "Today's Z close"}.in(l)),
		entry(k.PeriodClose.Help().Key, text{"Clôture mois / année", "Month / year close"}.in(l)),
		entry(k.Verify.Help().Key, text{"Vérifier le journal", "Verify the journal"}.in(l)),
		entry(k.Training.Help().Key, text{"Mode formation : %s", "Training mode: %s"}.f(l, onOff(m.session.Training, l))),
	}
	rightCol := []string{
		entry(k.Refund.Help().Key, text{"Remboursement d'un ticket", "Refund a ticket"}.in(l)),
		entry(k.Import.Help().Key, text{"Catalogue : importer un fichier", "Catalogue: import a file"}.in(l)),
		entry(k.Users.Help().Key, text{"Utilisateurs", "Users"}.in(l)),
		entry(k.Settings.Help().Key, text{"Réglages du magasin", "Shop settings"}.in(l)),
		entry(k.Members.Help().Key, text{"Membres : droits RGPD", "Members: GDPR rights"}.in(l)),
	}
	half := max(1, (w-2)/2)
	var rows []string
	for i := range left {
		rows = append(rows, "  "+fit(left[i], half)+rightCol[i])
	}
	// The members' data tasks, the logs and the archive on Ctrl chords, the function keys being
	// all taken.
	gdpr := func(b key.Binding, desc string) string { return fmt.Sprintf("%-6s %s", b.Help().Key, desc) }
	rows = append(rows, "",
		"  "+fit(gdpr(k.Block, text{"Bloquer une adresse e-mail", "Block an email address"}.in(l)), half)+
			gdpr(k.Purge, text{"Purge de rétention (%d ans)", "Retention purge (%d years)"}.f(l, comptoir.DefaultRetentionYears)),
		"  "+fit(gdpr(k.AuditTrail, text{"Journal d'audit", "Audit trail"}.in(l)), half)+
			gdpr(k.TechEvents, text{"Journal technique", "Technical event log"}.in(l)),
		"  "+gdpr(k.Archive, text{"Exporter l'archive", "Export the archive"}.in(l)))
	rows = append(rows, m.syncRows(m.bodyRows()-len(rows))...)
	// A blank row under the title when there is room for it: a sync's failure, which the manager
	// acts on, takes it first.
	if len(rows) < m.bodyRows() {
		rows = append([]string{""}, rows...)
	}
	return rows
}

// syncRows say the sync's state on the menu in at most room rows (two at least): online or not,
// what waits, when it last went through and the key to sync now, then what stopped the last run
// and a clock too far from the central's, in words. The reason a sync stopped is what the manager
// acts on: it takes the blank row above the block when it needs it.
func (m *ManagerModel) syncRows(room int) []string {
	k, l, w, st := m.common.KeyMap, m.common.Lang, m.common.Width, m.common.Styles
	state := wordOffline.in(l)
	if m.sync.Online {
		state = wordOnline.in(l)
	}
	when := text{"jamais synchronisée", "never synced"}.in(l)
	switch {
	case m.sync.Running:
		when = text{"synchronisation en cours…", "syncing…"}.in(l)
	case !m.sync.LastSync.IsZero():
		when = text{"dernière synchro %s", "last synced %s"}.f(l, m.sync.LastSync.Local().Format("2006-01-02 15:04"))
	}
	// French puts zero in the singular ("0 événement"), English in the plural.
	line := wordSyncLine
	if m.sync.Pending == 1 || m.sync.Pending == 0 && l != comptoir.LangEN {
		line = wordSyncLineOne
	}
	head := []string{"  " + line.f(l, state, m.sync.Pending),
		fit("  "+when+" · "+k.SyncNow.Help().Key+" "+text{"synchroniser maintenant", "sync now"}.in(l), w)}
	var tail []string
	if m.sync.skewed() {
		tail = append(tail, st.Warning.Render(fit("  ⚠ "+skewWords(m.sync.ClockSkew, l), w)))
	}
	var errRows []string
	if m.sync.Err != nil {
		errRows = wrapWords("⚠ "+comptoir.Message(m.sync.Err, l), max(20, w-4), 1<<10)
	}
	blank := []string{""}
	if len(head)+len(errRows)+len(tail)+1 > room {
		blank = nil
	}
	if n := max(1, room-len(blank)-len(head)-len(tail)); len(errRows) > n {
		errRows = wrapWords("⚠ "+comptoir.Message(m.sync.Err, l), max(20, w-4), n)
	}
	rows := append(blank, head...)
	for _, line := range errRows {
		rows = append(rows, st.Warning.Render(fit("  "+line, w)))
	}
	return append(rows, tail...)
}

// skewWords says how far the register's clock is from the central's.
func skewWords(skew time.Duration, l comptoir.Lang) string {
	d := skew.Round(time.Minute)
	if skew < 0 {
		return text{"l'horloge de la caisse avance de %s sur la centrale : réglez-la", "the register's clock is %s ahead of the central's: set it right"}.f(l, minutes(-d, l))
	}
	return text{"l'horloge de la caisse retarde de %s sur la centrale : réglez-la", "the register's clock is %s behind the central's: set it right"}.f(l, minutes(d, l))
}

// minutes writes a duration in whole minutes, or hours beyond two.
func minutes(d time.Duration, l comptoir.Lang) string {
	if d >= 2*time.Hour {
		return text{"%d h", "%d h"}.f(l, int(d/time.Hour))
	}
	return text{"%d min", "%d min"}.f(l, max(1, int(d/time.Minute)))
}

// wrapWords cuts a sentence into lines of at most w cells at spaces, keeping at most n lines
// (the last one cut with an ellipsis).
func wrapWords(s string, w, n int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= w:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = fit(lines[n-1]+" …", w)
	}
	return lines
}

func (m *ManagerModel) settingsBody(n int) []string {
	l := m.common.Lang
	var rows []string
	labelW := 0
	for _, k := range m.keys {
		labelW = max(labelW, len([]rune(comptoir.SettingLabel(k, l))))
	}
	start := max(0, min(m.selected-n/2, len(m.keys)-n))
	for i := start; i < len(m.keys) && len(rows) < n; i++ {
		k := m.keys[i]
		marker := "  "
		if i == m.selected {
			marker = "▸ "
		}
		label := comptoir.SettingLabel(k, l)
		row := fit(marker+label+strings.Repeat(" ", labelW-len([]rune(label)))+"  "+clean(m.settings.Get(k)), m.common.Width)
		if i == m.selected {
			row = m.common.Styles.Selected.Render(row)
		}
		rows = append(rows, row)
	}
	return rows
}

func (m *ManagerModel) usersBody(n int) []string {
	l := m.common.Lang
	var rows []string
	start := max(0, min(m.selected-n/2, len(m.users)-n))
	for i := start; i < len(m.users) && len(rows) < n; i++ {
		u := m.users[i]
		marker := "  "
		if i == m.selected {
			marker = "▸ "
		}
		state := text{"actif", "active"}.in(l)
		if u.Disabled {
			state = text{"désactivé", "disabled"}.in(l)
		} else if u.MustChangePIN {
			state = text{"doit choisir son PIN", "must choose a PIN"}.in(l)
		}
		row := fit(fmt.Sprintf("%s%-20s %-10s %s", marker, clean(u.ID), u.Role.Format(l), state), m.common.Width)
		if i == m.selected {
			row = m.common.Styles.Selected.Render(row)
		}
		rows = append(rows, row)
	}
	return rows
}

func (m *ManagerModel) refundBody(n int) []string {
	l, w := m.common.Lang, m.common.Width
	r := m.refund
	if r.sale == nil {
		return []string{"", "  " + text{"Le numéro est imprimé sur le ticket (ticket n° …).", "The number is printed on the ticket (ticket no. …)."}.in(l)}
	}
	rows := []string{"  " + text{"Ticket n° %d du %s · %s", "Ticket no. %d of %s · %s"}.f(l, r.sale.Number, r.sale.Day, r.sale.Total.Format(l))}
	rows = append(rows, "  "+fit(text{"Article", "Item"}.in(l), w-38)+right(text{"vendu", "sold"}.in(l), 7)+right(text{"reste", "left"}.in(l), 7)+right(text{"rembourser", "refund"}.in(l), 11)+right(text{"prix", "price"}.in(l), 11))
	start := max(0, min(m.selected-(n-2)/2, len(r.sale.Lines)-(n-2)))
	for i := start; i < len(r.sale.Lines) && len(rows) < n; i++ {
		line := r.sale.Lines[i]
		marker := "  "
		if i == m.selected {
			marker = "▸ "
		}
		row := fit(marker+fit(clean(line.Name), w-38)+right(fmt.Sprint(line.Qty), 7)+right(fmt.Sprint(r.remaining[i]), 7)+right(fmt.Sprint(r.chosen[i]), 11)+right(line.UnitPrice.Format(l), 11), w)
		if i == m.selected {
			row = m.common.Styles.Selected.Render(row)
		}
		rows = append(rows, row)
	}
	return rows
}
