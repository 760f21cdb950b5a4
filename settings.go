package comptoir

import (
	"context"
	"fmt"
	"regexp"
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
	// Devices are the register's scanner and printer (device_settings.go).
	Devices DeviceSettings
	// ScaleLayout is how the shop's scales write prices or weights into their labels
	// (scale.layout), and Departments what items without a barcode are sold under at an open
	// price (sale.departments), as the setting writes them (see ParseDepartments): a string keeps
	// the settings comparable.
	ScaleLayout ScaleLayout
	Departments string
	// Sync is where the central is and where the register's token lies (sync_settings.go).
	Sync SyncSettings
}

// DefaultShopSettings are the settings of a shop that has set nothing yet.
func DefaultShopSettings() ShopSettings {
	return ShopSettings{Name: "Comptoir", NoticeVersion: "1", Points: DefaultPointsRule, ScaleLayout: DefaultScaleLayout, Departments: DefaultDepartments}
}

// setting is one of the shop's settings: its name for people, how a value is checked when a
// manager sets it, and how a stored value is read back.
type setting struct {
	label Text
	// check refuses a new value with a sentence saying why, and returns it as it is stored.
	check func(s ShopSettings, v string) (string, error)
	// load puts a stored value in place. It checks nothing but the value's type: a value stored
	// under older, looser rules must still load, or one tightened rule would stop every command.
	load func(s *ShopSettings, v string) error
}

// Bounds of the loyalty programme's settings. Beyond them a value is a typo, not a programme.
const (
	// MaxPointsPerEuro keeps balances in proportion to purchases.
	MaxPointsPerEuro = 100
	// MaxRedeemPoints keeps the redemption unit within a member's reach.
	MaxRedeemPoints = 100_000
	// MaxRedeemValue is the largest discount one unit of points may buy (1 000,00 €).
	MaxRedeemValue Money = 100_000
	// MaxRebatePercent bounds what the programme gives back, in percent of every purchase: the
	// points a euro earns, at the value a unit of points buys.
	MaxRebatePercent = 50
)

// settingText is a setting that takes any text, required when it cannot be empty.
func settingText(key, fr, en string, field func(*ShopSettings) *string, required bool) setting {
	return setting{
		label: Text{fr, en},
		check: func(_ ShopSettings, v string) (string, error) {
			if required && v == "" {
				return "", E(CodeSettingEmpty, settingName{key: key, label: Text{fr, en}})
			}
			return v, nil
		},
		load: func(s *ShopSettings, v string) error { *field(s) = v; return nil },
	}
}

// settingPoints is a setting of the loyalty programme, checked with the rule it makes.
func settingPoints(fr, en string, parse func(string) (int64, error), bound func(int64, string) error, apply func(*PointsRule, int64)) setting {
	return setting{
		label: Text{fr, en},
		check: func(s ShopSettings, v string) (string, error) {
			n, err := parse(v)
			if err != nil {
				return "", err
			}
			if err := bound(n, v); err != nil {
				return "", err
			}
			rule := s.Points
			apply(&rule, n)
			if err := checkRebate(rule); err != nil {
				return "", err
			}
			return v, nil
		},
		load: func(s *ShopSettings, v string) error {
			n, err := parse(v)
			if err != nil {
				return err
			}
			apply(&s.Points, n)
			return nil
		},
	}
}

// checkRebate refuses a rule that gives back more than MaxRebatePercent of a purchase.
func checkRebate(r PointsRule) error {
	if r.RedeemPoints <= 0 || r.PerEuro*int64(r.RedeemValue) <= MaxRebatePercent*r.RedeemPoints {
		return nil
	}
	// Cents given back per euro spent are percents; rounded up, so that the refusal never reads
	// "50 %, 50 % at most".
	pct := (r.PerEuro*int64(r.RedeemValue) + r.RedeemPoints - 1) / r.RedeemPoints
	return E(CodePointsRebateTooHigh, r.PerEuro, r.RedeemPoints, r.RedeemValue, pct, MaxRebatePercent)
}

// settingKeys holds every setting by name.
var settingKeys = map[string]setting{
	"shop.name":    settingText("shop.name", "Nom du magasin", "Shop name", func(s *ShopSettings) *string { return &s.Name }, true),
	"shop.address": settingText("shop.address", "Adresse", "Address", func(s *ShopSettings) *string { return &s.Address }, false),
	"shop.siret": {
		label: Text{"SIRET", "SIRET"},
		check: func(_ ShopSettings, v string) (string, error) { return CheckSIRET(v) },
		load:  func(s *ShopSettings, v string) error { s.SIRET = v; return nil },
	},
	"shop.vat-number": {
		label: Text{"N° de TVA intracommunautaire", "Intra-community VAT number"},
		check: func(_ ShopSettings, v string) (string, error) { return CheckVATNumber(v) },
		load:  func(s *ShopSettings, v string) error { s.VATNumber = v; return nil },
	},
	"shop.legal":          settingText("shop.legal", "Mentions légales", "Legal mentions", func(s *ShopSettings) *string { return &s.Legal }, false),
	"gdpr.controller":     settingText("gdpr.controller", "Responsable du traitement", "Data controller", func(s *ShopSettings) *string { return &s.Controller }, false),
	"gdpr.contact":        settingText("gdpr.contact", "Contact RGPD", "Data protection contact", func(s *ShopSettings) *string { return &s.Contact }, false),
	"gdpr.processor":      settingText("gdpr.processor", "Sous-traitant", "Data processor", func(s *ShopSettings) *string { return &s.Processor }, false),
	"gdpr.notice-version": settingText("gdpr.notice-version", "Version de la notice", "Notice version", func(s *ShopSettings) *string { return &s.NoticeVersion }, true),
	"points.per-euro": settingPoints("Points par euro", "Points per euro", parseCount("points.per-euro"),
		func(n int64, v string) error {
			if n < 0 || n > MaxPointsPerEuro {
				return E(CodePointsPerEuroRange, MaxPointsPerEuro, v)
			}
			return nil
		},
		func(r *PointsRule, n int64) { r.PerEuro = n }),
	"points.redeem-points": settingPoints("Points par tranche", "Points per unit", parseCount("points.redeem-points"),
		func(n int64, v string) error {
			if n < 1 || n > MaxRedeemPoints {
				return E(CodeRedeemPointsRange, MaxRedeemPoints, v)
			}
			return nil
		},
		func(r *PointsRule, n int64) { r.RedeemPoints = n }),
	"points.redeem-value": settingPoints("Remise par tranche", "Discount per unit",
		func(v string) (int64, error) {
			m, err := ParseMoney(v)
			return int64(m), err
		},
		func(n int64, v string) error {
			if n < 1 || Money(n) > MaxRedeemValue {
				return E(CodeRedeemValueRange, Money(1), MaxRedeemValue, v)
			}
			return nil
		},
		func(r *PointsRule, n int64) { r.RedeemValue = Money(n) }),
}

// The register's devices are settings too (device_settings.go).
func init() {
	for k, st := range deviceSettingKeys {
		settingKeys[k] = st
	}
}

// parseCount reads a whole number of points.
func parseCount(key string) func(string) (int64, error) {
	return func(v string) (int64, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return 0, E(CodeInvalidSetting, key, v)
		}
		return n, nil
	}
}

// settingName names a setting in a message: its label in the language, then its key.
type settingName struct {
	key   string
	label Text
}

// Format names the setting for a language: "le nom du magasin (shop.name)".
func (n settingName) Format(l Lang) string {
	label := n.label.In(l)
	if n.key == "" {
		return label
	}
	return label + " (" + n.key + ")"
}

// CheckSIRET checks a SIRET number as a manager types it (spaces allowed) and returns it as it is
// stored, digits only. An empty value clears it. The refusal says why: the length, a character
// that is not a digit, or the check key. The key is the Luhn formula, except for La Poste's
// establishments (SIREN 356000000), whose digits must add up to a multiple of 5.
func CheckSIRET(v string) (string, error) {
	v = strings.Join(strings.Fields(v), "")
	switch {
	case v == "":
		return "", nil
	case !allDigits(v):
		return "", E(CodeSIRETChars, v)
	case len(v) != 14:
		return "", E(CodeSIRETLength, v, len(v))
	case !luhn(v):
		return "", E(CodeSIRETKey, v)
	}
	return v, nil
}

// vatFormats are the shapes of the intra-community VAT numbers of the European Union (and of
// Northern Ireland, XI), after the country prefix, with an example of each. Only the French key is
// computed; the others are checked for their shape, which catches a truncated or shifted number.
var vatFormats = map[string]struct {
	re      *regexp.Regexp
	example string
}{
	"AT": {regexp.MustCompile(`^U[0-9]{8}$`), "ATU12345678"},
	"BE": {regexp.MustCompile(`^[01][0-9]{9}$`), "BE0123456789"},
	"BG": {regexp.MustCompile(`^[0-9]{9,10}$`), "BG123456789"},
	"CY": {regexp.MustCompile(`^[0-9]{8}[A-Z]$`), "CY12345678X"},
	"CZ": {regexp.MustCompile(`^[0-9]{8,10}$`), "CZ12345678"},
	"DE": {regexp.MustCompile(`^[0-9]{9}$`), "DE123456789"},
	"DK": {regexp.MustCompile(`^[0-9]{8}$`), "DK12345678"},
	"EE": {regexp.MustCompile(`^[0-9]{9}$`), "EE123456789"},
	"EL": {regexp.MustCompile(`^[0-9]{9}$`), "EL123456789"},
	"ES": {regexp.MustCompile(`^[0-9A-Z][0-9]{7}[0-9A-Z]$`), "ESX1234567X"},
	"FI": {regexp.MustCompile(`^[0-9]{8}$`), "FI12345678"},
	"FR": {regexp.MustCompile(`^[0-9]{2}[0-9]{9}$`), "FR32123456789"},
	"HR": {regexp.MustCompile(`^[0-9]{11}$`), "HR12345678901"},
	"HU": {regexp.MustCompile(`^[0-9]{8}$`), "HU12345678"},
	"IE": {regexp.MustCompile(`^[0-9][0-9A-Z+*][0-9]{5}[A-Z]{1,2}$`), "IE1234567WA"},
	"IT": {regexp.MustCompile(`^[0-9]{11}$`), "IT12345678901"},
	"LT": {regexp.MustCompile(`^([0-9]{9}|[0-9]{12})$`), "LT123456789"},
	"LU": {regexp.MustCompile(`^[0-9]{8}$`), "LU12345678"},
	"LV": {regexp.MustCompile(`^[0-9]{11}$`), "LV12345678901"},
	"MT": {regexp.MustCompile(`^[0-9]{8}$`), "MT12345678"},
	"NL": {regexp.MustCompile(`^[0-9]{9}B[0-9]{2}$`), "NL123456789B01"},
	"PL": {regexp.MustCompile(`^[0-9]{10}$`), "PL1234567890"},
	"PT": {regexp.MustCompile(`^[0-9]{9}$`), "PT123456789"},
	"RO": {regexp.MustCompile(`^[1-9][0-9]{1,9}$`), "RO1234567"},
	"SE": {regexp.MustCompile(`^[0-9]{10}01$`), "SE123456789001"},
	"SI": {regexp.MustCompile(`^[0-9]{8}$`), "SI12345678"},
	"SK": {regexp.MustCompile(`^[0-9]{10}$`), "SK1234567890"},
	"XI": {regexp.MustCompile(`^([0-9]{9}|[0-9]{12}|GD[0-4][0-9]{2}|HA[5-9][0-9]{2})$`), "XI123456789"},
}

// CheckVATNumber checks an intra-community VAT number as a manager types it (spaces, dots and
// dashes allowed, any case) and returns it as it is stored: upper case, nothing but letters and
// digits. An empty value clears it. A French number is FR, a two-digit key and the SIREN, and the
// key must be (12 + 3 × (SIREN mod 97)) mod 97; other countries' numbers must have their prefix
// and their country's shape.
func CheckVATNumber(v string) (string, error) {
	v = strings.ToUpper(strings.NewReplacer(" ", "", "\u00a0", "", ".", "", "-", "").Replace(v))
	if v == "" {
		return "", nil
	}
	if len(v) < 2 {
		return "", E(CodeVATNumberCountry, v)
	}
	// The country comes first, so that a number too long for its country is told how that
	// country's numbers are written rather than that its prefix is wrong.
	f, ok := vatFormats[v[:2]]
	if !ok {
		return "", E(CodeVATNumberCountry, v)
	}
	if len(v) > 16 || !f.re.MatchString(v[2:]) {
		return "", E(CodeVATNumberFormat, v, v[:2], f.example)
	}
	if v[:2] == "FR" {
		siren := v[4:]
		n, _ := strconv.ParseInt(siren, 10, 64)
		if key := fmt.Sprintf("%02d", (12+3*(n%97))%97); key != v[2:4] {
			return "", E(CodeVATNumberKey, v, siren, key)
		}
	}
	return v, nil
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

// SettingKeys lists the setting names in order.
func SettingKeys() []string {
	keys := make([]string, 0, len(settingKeys))
	for k := range settingKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SettingLabel names a setting for people in a language ("Nom du magasin" for shop.name); it is
// the key itself for a name it does not know.
func SettingLabel(key string, l Lang) string {
	st, ok := settingKeys[key]
	if !ok {
		return key
	}
	return settingName{label: st.label}.Format(l)
}

// Set changes one setting by name, checking its value: a refusal says why and changes nothing.
func (s *ShopSettings) Set(key, value string) error {
	st, ok := settingKeys[key]
	if !ok {
		return E(CodeUnknownSetting, key)
	}
	v, err := st.check(*s, CleanText(value))
	if err != nil {
		return err
	}
	return st.load(s, v)
}

// Load puts a value read back from storage in place. Unlike Set it applies no check beyond the
// value's type, so that a value stored under older rules still loads.
func (s *ShopSettings) Load(key, value string) error {
	st, ok := settingKeys[key]
	if !ok {
		return E(CodeUnknownSetting, key)
	}
	return st.load(s, value)
}

// Get reads one setting by name, as Set takes it.
func (s ShopSettings) Get(key string) string {
	switch key {
	case "scale.layout":
		return string(s.ScaleLayout)
	case "sale.departments":
		return s.Departments
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
	if v, ok := s.Devices.get(key); ok {
		return v
	}
	if v, ok := s.Sync.get(key); ok {
		return v
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

// SettingsService reads and changes the shop's settings.
type SettingsService interface {
	// Settings reads the shop's settings, with the defaults for what was never set. A setting
	// stored by a newer version and unknown to this one is skipped.
	Settings(ctx context.Context) (ShopSettings, error)
	// SetSetting checks and changes one setting. It refuses an unknown key (CodeUnknownSetting)
	// and a value the setting's check refuses, with that check's error. The points rule
	// applies from the next opening of the store on.
	SetSetting(ctx context.Context, key, value string) error
}
