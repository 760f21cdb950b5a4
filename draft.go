package comptoir

import "context"

// DraftService keeps the ticket a register had open when it quit, so that the next login finds it
// again instead of the cashier scanning it anew or the sale being lost. There is one draft per
// register: a register has one ticket open at a time.
type DraftService interface {
	// SaveDraft keeps the open ticket's lines as the register's draft, replacing any earlier one;
	// no lines removes the draft.
	SaveDraft(ctx context.Context, lines []Line) error
	// TakeDraft returns the register's draft and removes it, in one step, so that two logins never
	// both get it back; no lines when there is none.
	TakeDraft(ctx context.Context) ([]Line, error)
}
