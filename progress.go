package comptoir

import "context"

// ProgressStep names the part of a long task a progress report is about, since one task may
// have several (a purge examines the members, then erases some).
type ProgressStep string

// The steps of the long tasks that report their progress.
const (
	// StepParse is the reading of a price list, in lines of the file.
	StepParse ProgressStep = "parse"
	// StepWrite is the writing of the products into the catalogue.
	StepWrite ProgressStep = "write"
	// StepExamine is a purge's look at every member's entries, in keys of the members' file.
	StepExamine ProgressStep = "examine"
	// StepErase is a purge's erasure of the members it found, in members.
	StepErase ProgressStep = "erase"
)

// Progress is told how far a long task is: done of total units of a step, as the work itself
// counts them (never an estimate from the time it took). It is called from the task's own
// goroutine, often (once per row or member): it should only note the figures, and draw when they
// changed enough.
type Progress func(step ProgressStep, done, total int)

type progressKey struct{}

// WithProgress returns a context that carries p to the long tasks that report their progress
// (CatalogService.ImportProducts, GDPRService.PurgeInactive). It travels in the context, as
// net/http/httptrace's hooks do, so that the services keep their signatures and every frontend
// and test double can ignore it.
func WithProgress(ctx context.Context, p Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// ProgressFrom returns the Progress a context carries, or nil when it carries none: a task may
// then skip counting what only a report needs.
func ProgressFrom(ctx context.Context) Progress {
	p, _ := ctx.Value(progressKey{}).(Progress)
	return p
}
