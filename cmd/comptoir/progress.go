package main

import (
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/bubbles/progress"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
	"github.com/muesli/termenv"
	"golang.org/x/term"
)

// The steps of demo-data, which only the command knows of.
const (
	stepDemoMembers comptoir.ProgressStep = "demo-members"
	stepDemoDays    comptoir.ProgressStep = "demo-days"
)

// progressStep says how a step is shown: its name, how its figures read in a plain line, and
// every how many units a plain line is written. A step whose total is under that size is not
// shown at all, on a terminal or not: a price list of ten rows needs no bar.
type progressStep struct {
	fr, en string
	// plain formats a plain line from the name, done and total.
	plainFR, plainEN string
	every            int
	percent          bool
}

var progressSteps = map[comptoir.ProgressStep]progressStep{
	comptoir.StepParse: {fr: "Lecture du tarif", en: "Reading the price list",
		plainFR: "%s : ligne %d sur %d", plainEN: "%s: line %d of %d", every: 10_000},
	comptoir.StepWrite: {fr: "Écriture du catalogue", en: "Writing the catalogue",
		plainFR: "%s : %d articles sur %d", plainEN: "%s: %d products of %d", every: 10_000},
	comptoir.StepExamine: {fr: "Examen des membres", en: "Examining the members",
		plainFR: "%s : %d %%", plainEN: "%s: %d%%", every: 10_000, percent: true},
	comptoir.StepErase: {fr: "Effacement", en: "Erasing",
		plainFR: "%s : %d membres sur %d", plainEN: "%s: %d members of %d", every: 1_000},
	stepDemoMembers: {fr: "Démo, membres", en: "Demo, members",
		plainFR: "%s : %d sur %d", plainEN: "%s: %d of %d", every: 1_000},
	stepDemoDays: {fr: "Démo, jours", en: "Demo, days",
		plainFR: "%s : jour %d sur %d", plainEN: "%s: day %d of %d", every: 1},
}

// progressReport shows a long command's progress on stderr: a bar redrawn in place when stderr
// is a terminal, plain lines otherwise (a log, a pipe, a script), so that standard output keeps
// only what it always had. Its figures come from the work itself, through report.
type progressReport struct {
	e   *env
	w   io.Writer
	tty bool
	bar progress.Model
	// step and last are what was last shown (last is the percent for a bar and a step counted in
	// percent, done otherwise), so that nothing is shown twice.
	step  comptoir.ProgressStep
	last  int
	drawn bool
}

// newProgress makes the report of a command on e's stderr.
func (e *env) newProgress() *progressReport {
	p := &progressReport{e: e, w: e.stderr, last: -1}
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return p
	}
	p.tty = true
	profile := termenv.Ascii
	if ui.ColorAllowed(e.getenv) {
		profile = termenv.NewOutput(f).ColorProfile()
	}
	p.bar = progress.New(progress.WithDefaultGradient(), progress.WithWidth(36), progress.WithColorProfile(profile))
	return p
}

// report notes that done of total units of a step are done; it is a comptoir.Progress.
func (p *progressReport) report(step comptoir.ProgressStep, done, total int) {
	st, ok := progressSteps[step]
	if !ok || total < st.every || total <= 0 {
		return
	}
	pct := min(100, max(0, done*100/total))
	name := p.e.tr(st.fr, st.en)
	if p.tty {
		if step == p.step && pct == p.last {
			return
		}
		p.step, p.last, p.drawn = step, pct, true
		// \r and "erase to the end of the line" redraw the bar in place, whatever was longer.
		fmt.Fprintf(p.w, "\r%-22s %s  %d/%d\x1b[K", name, p.bar.ViewAs(float64(done)/float64(total)), done, total)
		return
	}
	format := p.e.tr(st.plainFR, st.plainEN)
	switch {
	case st.percent:
		// A line every tenth of the way, and the last.
		if step == p.step && pct/10 == p.last/10 {
			return
		}
		p.step, p.last = step, pct
		fmt.Fprintf(p.w, format+"\n", name, pct)
	case done%st.every == 0 || done == total:
		if step == p.step && done == p.last {
			return // the last unit reported twice
		}
		p.step, p.last = step, done
		fmt.Fprintf(p.w, format+"\n", name, done, total)
	}
}

// finish clears the bar's line, so that what the command says next starts on a clean line.
func (p *progressReport) finish() {
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
