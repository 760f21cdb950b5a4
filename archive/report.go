package archive

import (
	"fmt"
	"strings"

	"github.com/comptoir/comptoir"
)

// Summary says what an intact archive holds, as `comptoir verify --archive` prints it: "archive
// intacte : période 2026-03, caisse R1, 6 tickets, 4 clôtures, 3 duplicatas, 4 événements
// techniques, 18 signatures vérifiées, clé 53e9-5803-1d27-de53-3653, grand total perpétuel
// 1 234,50 €". A key replaced after a loss is named: it is a declared break of the chain.
func (r Report) Summary(l comptoir.Lang) string {
	type noun struct{ one, many comptoir.Text }
	count := func(n int, w noun) string {
		// French puts 0 and 1 in the singular, English only 1.
		if n == 1 || (n == 0 && l != comptoir.LangEN) {
			return fmt.Sprintf("%d %s", n, w.one.In(l))
		}
		return fmt.Sprintf("%d %s", n, w.many.In(l))
	}
	parts := []string{
		count(r.Tickets, noun{comptoir.Text{FR: "ticket", EN: "ticket"}, comptoir.Text{FR: "tickets", EN: "tickets"}}),
		count(r.Closings, noun{comptoir.Text{FR: "clôture", EN: "closing"}, comptoir.Text{FR: "clôtures", EN: "closings"}}),
		count(r.Reprints, noun{comptoir.Text{FR: "duplicata", EN: "reprint"}, comptoir.Text{FR: "duplicatas", EN: "reprints"}}),
		count(r.Events, noun{comptoir.Text{FR: "événement technique", EN: "technical event"}, comptoir.Text{FR: "événements techniques", EN: "technical events"}}),
		count(r.Signed, noun{comptoir.Text{FR: "signature vérifiée", EN: "signature verified"}, comptoir.Text{FR: "signatures vérifiées", EN: "signatures verified"}}),
	}
	var s string
	if l == comptoir.LangEN {
		s = fmt.Sprintf("archive intact: period %s, register %s, %s, key %s, perpetual grand total %s",
			r.Period, r.Register, strings.Join(parts, ", "), r.Fingerprint, r.GrandTotal.Format(l))
	} else {
		s = fmt.Sprintf("archive intacte : période %s, caisse %s, %s, clé %s, grand total perpétuel %s",
			r.Period, r.Register, strings.Join(parts, ", "), r.Fingerprint, r.GrandTotal.Format(l))
	}
	for _, n := range r.Breaks {
		if l == comptoir.LangEN {
			s += fmt.Sprintf("; declared break: key %d replaced a lost key", n)
		} else {
			s += fmt.Sprintf(" ; rupture déclarée : la clé %d a remplacé une clé perdue", n)
		}
	}
	return s
}
