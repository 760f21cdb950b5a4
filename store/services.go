package store

import "github.com/comptoir/comptoir"

// The services the store implements: the register's screens and commands hold these interfaces,
// never the store itself.
var (
	_ comptoir.CatalogService  = (*Store)(nil)
	_ comptoir.SaleService     = (*Store)(nil)
	_ comptoir.ClosingService  = (*Store)(nil)
	_ comptoir.JournalVerifier = (*Store)(nil)
	_ comptoir.CustomerService = (*Store)(nil)
	_ comptoir.PointsService   = (*Store)(nil)
	_ comptoir.GDPRService     = (*Store)(nil)
	_ comptoir.SettingsService = (*Store)(nil)
	_ comptoir.PrintLog        = (*Store)(nil)
	_ comptoir.OutboxService   = (*Store)(nil)
	_ comptoir.TillAudit       = (*Store)(nil)
)
