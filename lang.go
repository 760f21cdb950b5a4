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

// Text is a word or a sentence in every language the register speaks: the parts of the database
// a refusal names, labels of values. A Text given as a message argument is put in the message's
// language, so that a French sentence never carries an English word.
type Text struct{ FR, EN string }

// In picks the text of a language; French is the default.
func (t Text) In(l Lang) string {
	if l == LangEN {
		return t.EN
	}
	return t.FR
}

// Format is In under the name messages look for in their arguments.
func (t Text) Format(l Lang) string { return t.In(l) }
