package comptoir

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Personal is what Comptoir holds that identifies a loyalty member. It is kept apart from
// everything else about a member, sealed at rest, masked on screen, and destroyed on erasure.
type Personal struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	// Email is lowercased; an email given for an e-receipt is not a marketing consent.
	Email string `json:"email,omitempty"`
	// Phone is in E.164 form (+33612345678).
	Phone string `json:"phone,omitempty"`
}

// maxNamePart bounds a first or last name in runes.
const maxNamePart = 60

// NormalizePersonal cleans and checks a member's personal data: names are required and stripped
// of control characters, the email is validated and lowercased, the phone is normalised to
// E.164. Empty email and phone are allowed: a member may give neither.
func NormalizePersonal(p Personal) (Personal, error) {
	for _, n := range []*string{&p.FirstName, &p.LastName} {
		*n = CleanText(*n)
		if *n == "" {
			return Personal{}, E(CodeEmptyPersonName)
		}
		if utf8.RuneCountInString(*n) > maxNamePart {
			return Personal{}, E(CodePersonNameTooLong, maxNamePart)
		}
	}
	if p.Email != "" {
		e, err := NormalizeEmail(p.Email)
		if err != nil {
			return Personal{}, err
		}
		p.Email = e
	}
	if p.Phone != "" {
		ph, err := NormalizePhone(p.Phone)
		if err != nil {
			return Personal{}, err
		}
		p.Phone = ph
	}
	return p, nil
}

// NormalizeEmail checks an email address as people type it at a counter and returns it
// lowercased, the form lookups and the block list compare. A display name ("Jean <j@x.fr>"),
// spaces, a missing or dotless domain are refused with ErrInvalidEmail.
func NormalizeEmail(s string) (string, error) {
	t := strings.TrimSpace(s)
	a, err := mail.ParseAddress(t)
	// The length is checked on the lowercased form that is kept: a few letters take more bytes
	// in lowercase (Ⱥ, ⱥ), and what is kept must normalize to itself.
	lower := strings.ToLower(t)
	if err != nil || a.Name != "" || a.Address != t || len(lower) > 254 {
		return "", E(CodeInvalidEmail, s)
	}
	local, domain, ok := strings.Cut(t, "@")
	if !ok || local == "" || strings.ContainsAny(t, " \t\"") || strings.Count(t, "@") != 1 ||
		!strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.Contains(domain, "..") {
		return "", E(CodeInvalidEmail, s)
	}
	// The mail parser takes any non-ASCII character: a no-break space pasted from a document, or
	// an invisible or control character that would reach the screen when a manager reveals the
	// address, must be refused like an ASCII space.
	if strings.IndexFunc(t, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
	}) >= 0 {
		return "", E(CodeInvalidEmail, s)
	}
	return lower, nil
}

// NormalizePhone reads a phone number as French people write it ("06 12 34 56 78",
// "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78") or an international one ("+44 20 7946 0958") and
// returns it in E.164 form ("+33612345678"). A national number without a country code is taken
// as French.
func NormalizePhone(s string) (string, error) {
	t := strings.ReplaceAll(s, "(0)", "")
	t = strings.NewReplacer(" ", "", ".", "", "-", "", "(", "", ")", "", "\u00a0", "").Replace(t)
	var digits string
	switch {
	case strings.HasPrefix(t, "+"):
		digits = t[1:]
	case strings.HasPrefix(t, "00"):
		digits = t[2:]
	case len(t) == 10 && t[0] == '0' && t[1] != '0':
		digits = "33" + t[1:]
	default:
		return "", E(CodeInvalidPhone, s)
	}
	if !allDigits(digits) || len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return "", E(CodeInvalidPhone, s)
	}
	if strings.HasPrefix(digits, "33") && (len(digits) != 11 || digits[2] == '0') {
		return "", E(CodeInvalidPhone, s)
	}
	return "+" + digits, nil
}

// MaskEmail shows an email the way a cashier may see it: "j***@e***.fr".
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" {
		return "***"
	}
	tld := ""
	if i := strings.LastIndexByte(domain, '.'); i > 0 {
		tld = domain[i:]
	}
	return firstRune(local) + "***@" + firstRune(domain) + "***" + tld
}

// MaskPhone shows an E.164 phone number with its middle hidden: "06 ** ** ** 78" for a French
// number; otherwise "+", the first two digits, a star for each hidden digit and the last two
// ("+44 ********58").
func MaskPhone(phone string) string {
	digits := strings.TrimPrefix(phone, "+")
	if len(digits) < 6 || !allDigits(digits) {
		return "***"
	}
	if strings.HasPrefix(digits, "33") && len(digits) == 11 {
		return "0" + digits[2:3] + " ** ** ** " + digits[9:]
	}
	return "+" + digits[:2] + " " + strings.Repeat("*", len(digits)-4) + digits[len(digits)-2:]
}

// MaskName shows a name by its initial: "J***".
func MaskName(name string) string {
	if name == "" {
		return ""
	}
	return firstRune(name) + "***"
}

// Mask returns the personal data as a cashier sees it without a manager's reveal.
func (p Personal) Mask() Personal {
	m := Personal{FirstName: MaskName(p.FirstName), LastName: MaskName(p.LastName)}
	if p.Email != "" {
		m.Email = MaskEmail(p.Email)
	}
	if p.Phone != "" {
		m.Phone = MaskPhone(p.Phone)
	}
	return m
}

func firstRune(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return "*"
	}
	return s[:size]
}
