package comptoir

import (
	"context"
	"time"
)

// PointsKind says why a member's balance moved.
type PointsKind string

// The kinds of points ledger entries.
const (
	PointsEarn   PointsKind = "earn"
	PointsRedeem PointsKind = "redeem"
	PointsAdjust PointsKind = "adjust"
	PointsExpire PointsKind = "expire"
)

// PointsEntry is one line of a member's points ledger. The ledger is only ever appended to and a
// balance is its sum, so the central balance of a member is the sum of every register's ledger:
// merging needs no conflict resolution.
type PointsEntry struct {
	Kind PointsKind `json:"kind"`
	// Points is signed: positive when earned or adjusted up, negative when redeemed or expired.
	Points   int64     `json:"points"`
	At       time.Time `json:"at"`
	Register string    `json:"register,omitempty"`
	Ticket   uint64    `json:"ticket,omitempty"`
	Reason   string    `json:"reason,omitempty"`
}

// Balance sums a ledger.
func Balance(entries []PointsEntry) int64 {
	var b int64
	for _, e := range entries {
		b += e.Points
	}
	return b
}

// PointsRule is how a shop's loyalty programme counts: points per whole euro paid, and how many
// points buy how much off a ticket.
type PointsRule struct {
	PerEuro      int64 `json:"per_euro"`
	RedeemPoints int64 `json:"redeem_points"`
	RedeemValue  Money `json:"redeem_value"`
}

// DefaultPointsRule is one point per whole euro paid, and 100 points for 5,00 € off.
var DefaultPointsRule = PointsRule{PerEuro: 1, RedeemPoints: 100, RedeemValue: 500}

// Validate refuses a rule that would give points for nothing or redeem them for nothing.
func (r PointsRule) Validate() error {
	if r.PerEuro < 0 || r.PerEuro > 1000 || r.RedeemPoints <= 0 || r.RedeemValue <= 0 || r.RedeemValue > MaxAmount {
		return E(CodeInvalidPointsRule)
	}
	return nil
}

// Earned is what a payment earns: PerEuro points per whole euro, nothing for a refund.
func (r PointsRule) Earned(paid Money) int64 {
	if paid <= 0 {
		return 0
	}
	return int64(paid/100) * r.PerEuro
}

// Discount is what redeeming points takes off a ticket. Points are redeemed in whole units of
// RedeemPoints, never more than the balance.
func (r PointsRule) Discount(points, balance int64) (Money, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	if points <= 0 || points%r.RedeemPoints != 0 || points/r.RedeemPoints > int64(MaxAmount/r.RedeemValue) {
		return 0, E(CodeRedeemUnit, r.RedeemPoints, r.RedeemValue)
	}
	if points > balance {
		return 0, E(CodeInsufficientPoints, points, balance)
	}
	return Money(points/r.RedeemPoints) * r.RedeemValue, nil
}

// PointsService reads members' points. Points are earned and spent by recording tickets
// (SaleService); none of these methods needs the key.
type PointsService interface {
	// Points lists a member's points ledger, oldest first, and its balance.
	Points(ctx context.Context, id CustomerID) ([]PointsEntry, int64, error)
	// MemberBalance is a member's points balance now, read without the ledger.
	MemberBalance(ctx context.Context, id CustomerID) (int64, error)
	// BalanceAfter is a member's balance just after a ticket of this register, which its
	// receipt prints: a duplicate printed months later shows what the original did. It refuses
	// a ticket that does not exist with CodeTicketNotFound.
	BalanceAfter(ctx context.Context, id CustomerID, number uint64) (int64, error)
}
