package comptoir

import "strings"

// Lang is a user-interface language. French is the default because the first shops are French.
type Lang string

// The languages Comptoir speaks.
const (
	LangFR Lang = "fr"
	LangEN Lang = "en"
)

// ParseLang reads a language code such as "fr", "en", "fr_FR.UTF-8" or "EN". It refuses anything
// else with an ErrUnknownLang error so that a typo in a setting is not silently ignored.
func ParseLang(s string) (Lang, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(l, "_-."); i > 0 {
		l = l[:i]
	}
	switch Lang(l) {
	case LangFR:
		return LangFR, nil
	case LangEN:
		return LangEN, nil
	}
	return "", E(CodeUnknownLang, s)
}
