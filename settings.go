package comptoir

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ShopSettings are what the shop tells Comptoir about itself: what a receipt prints and what
// the record of processing activities names.
type ShopSettings struct {
	Name    string
	Address string
	SIRET   string
	// VATNumber is the intra-community VAT number (FR and 11 characters), and Legal the legal
	// form, capital and RCS registration a receipt may carry ("SAS au capital de 10 000 € —
	// RCS Lyon 123 456 789").
	VATNumber string
	Legal     string
	// Controller is the legal entity responsible for the loyalty file, and Contact the address
	// people write to about their data (the DPO, or the manager).
	Controller string
	Contact    string
	// Processor operates the central loyalty API on the shop's behalf.
	Processor string
	// NoticeVersion is the version of the information notice shown at enrolment.
	NoticeVersion string
	Points        PointsRule
}

// DefaultShopSettings are the settings of a shop that has set nothing yet.
func DefaultShopSettings() ShopSettings {
	return ShopSettings{Name: "Comptoir", NoticeVersion: "1", Points: DefaultPointsRule}
}

// settingKeys names every setting, with how it is read into ShopSettings.
var settingKeys = map[string]func(*ShopSettings, string) error{
	"shop.name":    func(s *ShopSettings, v string) error { s.Name = v; return nil },
	"shop.address": func(s *ShopSettings, v string) error { s.Address = v; return nil },
	"shop.siret": func(s *ShopSettings, v string) error {
		v = strings.Join(strings.Fields(v), "")
		if len(v) != 14 || !allDigits(v) || !luhn(v) {
			return E(CodeInvalidSetting, "shop.siret", v)
		}
		s.SIRET = v
		return nil
	},
	"shop.vat-number": func(s *ShopSettings, v string) error {
		v = strings.ToUpper(strings.Join(strings.Fields(v), ""))
		if v != "" && (len(v) < 4 || len(v) > 16 || !isAlnum(v)) {
			return E(CodeInvalidSetting, "shop.vat-number", v)
		}
		s.VATNumber = v
		return nil
	},
	"shop.legal":          func(s *ShopSettings, v string) error { s.Legal = v; return nil },
	"gdpr.controller":     func(s *ShopSettings, v string) error { s.Controller = v; return nil },
	"gdpr.contact":        func(s *ShopSettings, v string) error { s.Contact = v; return nil },
	"gdpr.processor":      func(s *ShopSettings, v string) error { s.Processor = v; return nil },
	"gdpr.notice-version": func(s *ShopSettings, v string) error { s.NoticeVersion = v; return nil },
	"points.per-euro": func(s *ShopSettings, v string) error {
		return setInt(&s.Points.PerEuro, "points.per-euro", v, s)
	},
	"points.redeem-points": func(s *ShopSettings, v string) error {
		return setInt(&s.Points.RedeemPoints, "points.redeem-points", v, s)
	},
	"points.redeem-value": func(s *ShopSettings, v string) error {
		m, err := ParseMoney(v)
		if err != nil {
			return err
		}
		old := s.Points.RedeemValue
		s.Points.RedeemValue = m
		if err := s.Points.Validate(); err != nil {
			s.Points.RedeemValue = old
			return E(CodeInvalidSetting, "points.redeem-value", v)
		}
		return nil
	},
}

func isAlnum(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// luhn checks the key of a SIRET number, which uses the Luhn algorithm (La Poste's
// establishments, whose SIRET follow another rule, start with its SIREN 356000000).
func luhn(digits string) bool {
	if strings.HasPrefix(digits, "356000000") {
		sum := 0
		for _, c := range digits {
			sum += int(c - '0')
		}
		return sum%5 == 0
	}
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func setInt(dst *int64, key, v string, s *ShopSettings) error {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return E(CodeInvalidSetting, key, v)
	}
	old := *dst
	*dst = n
	if err := s.Points.Validate(); err != nil {
		*dst = old
		return E(CodeInvalidSetting, key, v)
	}
	return nil
}

// SettingKeys lists the setting names in order.
func SettingKeys() []string {
	keys := make([]string, 0, len(settingKeys))
	for k := range settingKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Set changes one setting by name, checking its value.
func (s *ShopSettings) Set(key, value string) error {
	set, ok := settingKeys[key]
	if !ok {
		return E(CodeUnknownSetting, key)
	}
	return set(s, CleanText(value))
}

// Get reads one setting by name, as Set takes it.
func (s ShopSettings) Get(key string) string {
	switch key {
	case "shop.name":
		return s.Name
	case "shop.address":
		return s.Address
	case "shop.siret":
		return s.SIRET
	case "shop.vat-number":
		return s.VATNumber
	case "shop.legal":
		return s.Legal
	case "gdpr.controller":
		return s.Controller
	case "gdpr.contact":
		return s.Contact
	case "gdpr.processor":
		return s.Processor
	case "gdpr.notice-version":
		return s.NoticeVersion
	case "points.per-euro":
		return strconv.FormatInt(s.Points.PerEuro, 10)
	case "points.redeem-points":
		return strconv.FormatInt(s.Points.RedeemPoints, 10)
	case "points.redeem-value":
		return s.Points.RedeemValue.Plain()
	}
	return ""
}

// ProcessingRegister renders the record of processing activities (registre des traitements) of
// the loyalty file in Markdown, from the shop's settings, for a manager to show an auditor.
func ProcessingRegister(s ShopSettings, retentionYears int, l Lang) string {
	// Cells are escaped: a "|" in a shop's name must not break the Markdown table.
	or := func(v, fallback string) string {
		if strings.TrimSpace(v) == "" {
			return fallback
		}
		return strings.ReplaceAll(v, "|", "\\|")
	}
	plural := func(n int64, one, many string) string {
		if n > 1 {
			return many
		}
		return one
	}
	controller := or(s.Controller, or(s.Name, "Comptoir"))
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	if l == LangEN {
		w("# Record of processing activities — loyalty programme\n\n")
		w("| | |\n| --- | --- |\n")
		w("| Controller | %s%s |\n", controller, siret(s.SIRET, "SIRET"))
		w("| Address | %s |\n", or(s.Address, "(not set: comptoir settings set shop.address)"))
		w("| Contact for data protection | %s |\n", or(s.Contact, "(not set: comptoir settings set gdpr.contact)"))
		w("| Information notice | version %s |\n\n", s.NoticeVersion)
		w("## Purposes and lawful bases\n\n")
		w("- Managing the loyalty programme: cards, points earned and redeemed (%d %s per whole euro, %d points for %s off) — contract.\n",
			s.Points.PerEuro, plural(s.Points.PerEuro, "point", "points"), s.Points.RedeemPoints, s.Points.RedeemValue.Format(l))
		w("- Marketing by email, SMS, phone, post, and sharing with partners — consent, asked and recorded per channel, withdrawable in one step.\n")
		w("- Answering the rights of the people concerned and keeping the proof of consent — legal obligation.\n\n")
		w("## Categories of people and of data\n\n")
		w("- People: customers who joined the loyalty programme.\n")
		w("- Data: first and last name, email, phone, card numbers, consent history, points ledger, tickets (dates and amounts). No sensitive data.\n\n")
		w("## Recipients\n\n")
		w("- The shop's staff, who see personal data masked unless a manager reveals it (each reveal is logged).\n")
		w("- The processor operating the central loyalty API: %s. It receives points, consent and erasures.\n\n",
			or(s.Processor, "(not set: comptoir settings set gdpr.processor)"))
		w("## Retention\n\n")
		w("- Members with no activity (purchase, card scan, consent change) for %d years are erased (`comptoir gdpr purge --inactive %dy`).\n", retentionYears, retentionYears)
		w("- On erasure, personal data is destroyed; a pseudonymous tombstone keeps tickets and points consistent.\n\n")
		w("## Security measures\n\n")
		w("- Personal data encrypted at rest with AES-256-GCM under a key per member, itself wrapped by a master key kept outside the database.\n")
		w("- Exact lookups by email or phone through keyed hashes (HMAC-SHA-256); no search by value.\n")
		w("- Erasure by destruction of the member's key (crypto-shredding) and compaction of the file.\n")
		w("- Audit trail of exports, reveals, erasures, blocks, and stops and resumptions of processing; after an erasure it keeps no trace of the person.\n")
		w("- Tamper-evident sales journal (chained SHA-256).\n")
		return b.String()
	}
	w("# Registre des activités de traitement — programme de fidélité\n\n")
	w("| | |\n| --- | --- |\n")
	w("| Responsable du traitement | %s%s |\n", controller, siret(s.SIRET, "SIRET"))
	w("| Adresse | %s |\n", or(s.Address, "(à renseigner : comptoir settings set shop.address)"))
	w("| Contact pour la protection des données | %s |\n", or(s.Contact, "(à renseigner : comptoir settings set gdpr.contact)"))
	w("| Notice d'information | version %s |\n\n", s.NoticeVersion)
	w("## Finalités et bases légales\n\n")
	w("- Gestion du programme de fidélité : cartes, points gagnés et utilisés (%d %s par euro entier, %d points pour %s de remise) — contrat.\n",
		s.Points.PerEuro, plural(s.Points.PerEuro, "point", "points"), s.Points.RedeemPoints, s.Points.RedeemValue.Format(l))
	w("- Prospection par e-mail, SMS, téléphone, courrier, et transmission à des partenaires — consentement, recueilli et tracé canal par canal, retirable en une étape.\n")
	w("- Réponse aux demandes d'exercice des droits et preuve du consentement — obligation légale.\n\n")
	w("## Catégories de personnes et de données\n\n")
	w("- Personnes : clients adhérents du programme de fidélité.\n")
	w("- Données : nom, prénom, e-mail, téléphone, numéros de carte, historique des consentements, relevé de points, tickets (dates et montants). Aucune donnée sensible.\n\n")
	w("## Destinataires\n\n")
	w("- Le personnel du magasin, qui voit les données masquées sauf révélation par un responsable (chaque révélation est tracée).\n")
	w("- Le sous-traitant exploitant l'API de fidélité centrale : %s. Il reçoit points, consentements et effacements.\n\n",
		or(s.Processor, "(à renseigner : comptoir settings set gdpr.processor)"))
	w("## Durées de conservation\n\n")
	w("- Les adhérents sans activité (achat, passage de carte, changement de consentement) depuis %d ans sont effacés (`comptoir gdpr purge --inactive %dy`), conformément au référentiel de la CNIL.\n", retentionYears, retentionYears)
	w("- À l'effacement, les données personnelles sont détruites ; un identifiant pseudonyme garde la cohérence des tickets et des points.\n\n")
	w("## Mesures de sécurité\n\n")
	w("- Données personnelles chiffrées au repos (AES-256-GCM) sous une clé par adhérent, elle-même protégée par une clé maîtresse conservée hors de la base.\n")
	w("- Recherche exacte par e-mail ou téléphone via des empreintes à clé (HMAC-SHA-256) ; aucune recherche par valeur.\n")
	w("- Effacement par destruction de la clé de l'adhérent (crypto-effacement) et compactage du fichier.\n")
	w("- Journal d'audit des exports, révélations, effacements, blocages, arrêts et reprises de traitement ; après un effacement, il ne garde aucune trace de la personne.\n")
	w("- Journal des ventes inaltérable (chaînage SHA-256).\n")
	return b.String()
}

func siret(v, label string) string {
	if v == "" {
		return ""
	}
	return " (" + label + " " + v + ")"
}
