package ui

import "github.com/charmbracelet/lipgloss"

// Styles is the look of every screen. State is never carried by colour alone: a selected line
// also has its marker, a refusal its ✗ and its sentence, an addition its ✓, so that a cashier
// who does not see colours, or a terminal without them, loses nothing.
type Styles struct {
	Header   lipgloss.Style
	Mark     lipgloss.Style
	Rule     lipgloss.Style
	Selected lipgloss.Style
	Faint    lipgloss.Style
	Prompt   lipgloss.Style
	Total    lipgloss.Style
	OK       lipgloss.Style
	Refused  lipgloss.Style
	Info     lipgloss.Style
	Warning  lipgloss.Style
	Status   lipgloss.Style
	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
}

// NewStyles builds the styles for a renderer (nil for the standard output's; an SSH session has
// its own). Without colour (NO_COLOR set, see ColorAllowed) the styles keep only bold and
// reverse video, which every terminal shows.
func NewStyles(r *lipgloss.Renderer, color bool) *Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	s := r.NewStyle
	st := &Styles{
		Header:   s().Bold(true),
		Mark:     s().Bold(true).Reverse(true),
		Rule:     s(),
		Selected: s().Reverse(true),
		Faint:    s().Faint(true),
		Prompt:   s().Bold(true),
		Total:    s().Bold(true),
		OK:       s(),
		Refused:  s().Bold(true),
		Info:     s(),
		Warning:  s().Bold(true).Reverse(true),
		Status:   s(),
		HelpKey:  s().Bold(true),
		HelpDesc: s(),
	}
	if color {
		st.Mark = st.Mark.Foreground(lipgloss.Color("3"))
		st.Rule = st.Rule.Foreground(lipgloss.Color("8"))
		st.Total = st.Total.Foreground(lipgloss.Color("6"))
		st.OK = st.OK.Foreground(lipgloss.Color("2"))
		st.Refused = st.Refused.Foreground(lipgloss.Color("1"))
		st.Info = st.Info.Foreground(lipgloss.Color("4"))
		st.Warning = st.Warning.Foreground(lipgloss.Color("3"))
		st.HelpKey = st.HelpKey.Foreground(lipgloss.Color("6"))
		st.HelpDesc = st.HelpDesc.Foreground(lipgloss.Color("7"))
	}
	return st
}

// ColorAllowed reports whether the user lets programs use colour: not when NO_COLOR is set to
// anything (no-color.org). The environment comes in as a function, as the CLI passes it.
func ColorAllowed(getenv func(string) string) bool { return getenv("NO_COLOR") == "" }
